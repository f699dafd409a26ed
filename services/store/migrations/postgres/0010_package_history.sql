-- Earlier package versions forget disposed reports and erased persons (issue 15). Each version's
-- cited reports are indexed (`package_citations`, written with the version; rows stored before
-- this migration are indexed by the intel stage, `citations_indexed` 0 until then). A disposal or
-- an erasure queues its report (and the erased person) in `history_scrubs`; the intel stage
-- rewrites every version citing it and removes the entry in one transaction.
CREATE TABLE package_citations (
    package_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    incident_id TEXT NOT NULL,
    PRIMARY KEY (package_id, version, incident_id)
);
CREATE INDEX package_citations_by_incident ON package_citations (incident_id);
ALTER TABLE packages ADD COLUMN citations_indexed BIGINT NOT NULL DEFAULT 0;
CREATE INDEX packages_by_citations_indexed ON packages (citations_indexed);

-- `person_id` is empty for a disposal.
CREATE TABLE history_scrubs (
    incident_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    PRIMARY KEY (incident_id, person_id)
);
INSERT INTO history_scrubs (incident_id, person_id)
    SELECT DISTINCT incident_id, '' FROM ingest_keys WHERE disposed_at_ms IS NOT NULL;
INSERT INTO history_scrubs (incident_id, person_id)
    SELECT DISTINCT incident_id, person_id FROM erasures;
