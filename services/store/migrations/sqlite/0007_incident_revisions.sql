-- Corrections and withdrawals (issue 15). A claim's current revision, and whether and why it was
-- withdrawn; every earlier revision's content hash and reason is kept in `incident_revisions`
-- (the revisions themselves stay on the incident log).
ALTER TABLE ingest_keys ADD COLUMN revision BIGINT NOT NULL DEFAULT 1;
ALTER TABLE ingest_keys ADD COLUMN note TEXT NOT NULL DEFAULT '';
ALTER TABLE ingest_keys ADD COLUMN withdrawn_at_ms BIGINT;
ALTER TABLE ingest_keys ADD COLUMN withdrawn_by TEXT NOT NULL DEFAULT '';
-- A withdrawal is recorded (which stops corrections) before its tombstone is appended, and marked
-- published once the log has it; an unpublished one is appended again by the next withdrawal call.
ALTER TABLE ingest_keys ADD COLUMN withdrawal_published BIGINT NOT NULL DEFAULT 0;

CREATE TABLE incident_revisions (
    retailer TEXT NOT NULL,
    retailer_ref TEXT NOT NULL,
    revision BIGINT NOT NULL,
    content_hash TEXT NOT NULL,
    reason TEXT NOT NULL,
    received_at_ms BIGINT NOT NULL,
    PRIMARY KEY (retailer, retailer_ref, revision)
);
