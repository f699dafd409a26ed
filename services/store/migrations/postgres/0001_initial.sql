-- ORCA state store, PostgreSQL dialect (distributed mode). Keep in step with ../sqlite/0001_initial.sql.

-- Pipeline state as key/value records owned by one pipeline each (`resolve.*`, `network.*`, ...).
CREATE TABLE kv (
    namespace TEXT NOT NULL,
    key TEXT NOT NULL,
    value BYTEA NOT NULL,
    PRIMARY KEY (namespace, key)
);

-- Next offset to read per consumer and partition, written in the same transaction as the effects.
CREATE TABLE consumer_offsets (
    consumer TEXT NOT NULL,
    topic TEXT NOT NULL,
    partition_id BIGINT NOT NULL,
    next_offset BIGINT NOT NULL,
    PRIMARY KEY (consumer, topic, partition_id)
);

-- One row per (retailer, reference) ever accepted: makes resubmission a no-op.
CREATE TABLE ingest_keys (
    retailer TEXT NOT NULL,
    retailer_ref TEXT NOT NULL,
    incident_id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    published BIGINT NOT NULL DEFAULT 0,
    received_at_ms BIGINT NOT NULL,
    PRIMARY KEY (retailer, retailer_ref)
);

-- Every rejected record, kept with its reasons; nothing is dropped.
CREATE TABLE rejected_records (
    id BIGSERIAL PRIMARY KEY,
    retailer TEXT NOT NULL,
    retailer_ref TEXT NOT NULL,
    channel TEXT NOT NULL,
    received_at_ms BIGINT NOT NULL,
    payload BYTEA NOT NULL,
    problems TEXT NOT NULL
);
CREATE INDEX rejected_records_by_retailer ON rejected_records (retailer, id);

-- Retailers' stores, each in exactly one force.
CREATE TABLE stores (
    store_id TEXT PRIMARY KEY,
    retailer TEXT NOT NULL,
    name TEXT NOT NULL,
    postcode TEXT NOT NULL,
    force TEXT NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    lon DOUBLE PRECISION NOT NULL
);

-- Authenticated callers. Only a hash of each key is kept.
CREATE TABLE principals (
    key_hash TEXT PRIMARY KEY,
    key_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL
);

-- Every version of every intelligence package.
CREATE TABLE packages (
    package_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    lead_force TEXT NOT NULL,
    summary BYTEA NOT NULL,
    body BYTEA NOT NULL,
    PRIMARY KEY (package_id, version)
);

-- Which forces may see the latest version of a package (lead and affected forces).
CREATE TABLE package_access (
    package_id TEXT NOT NULL,
    force TEXT NOT NULL,
    is_lead BIGINT NOT NULL,
    latest_version BIGINT NOT NULL,
    PRIMARY KEY (package_id, force)
);
CREATE INDEX package_access_by_force ON package_access (force, package_id);

-- Append-only record of every read and disclosure (DPA 2018 s62).
CREATE TABLE audit_log (
    seq BIGSERIAL PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    principal TEXT NOT NULL,
    principal_kind TEXT NOT NULL,
    action TEXT NOT NULL,
    resource TEXT NOT NULL,
    purpose TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
