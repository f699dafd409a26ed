-- What ORCA needs to make a revision of a report itself (issue 15): when a report's face templates
-- are past the retention schedule, or an analyst erases a person from it. The current revision's
-- normalised report is kept on its claim (`body`, zstd when `body_codec` is 1), replaced by each
-- revision and deleted on disposal. `faces_until_ms` is when the current revision's face templates
-- fall due (NULL: it has none). `orca_revision` is 1 when ORCA made the current revision; with
-- `published` 0 it is still to be put on the log.
ALTER TABLE ingest_keys ADD COLUMN body BLOB;
ALTER TABLE ingest_keys ADD COLUMN body_codec BIGINT NOT NULL DEFAULT 0;
ALTER TABLE ingest_keys ADD COLUMN faces_until_ms BIGINT;
ALTER TABLE ingest_keys ADD COLUMN orca_revision BIGINT NOT NULL DEFAULT 0;
CREATE INDEX ingest_keys_by_faces_until ON ingest_keys (faces_until_ms);
CREATE INDEX ingest_keys_by_incident ON ingest_keys (incident_id);

-- Persons erased from reports by an analyst's decision: the sighting keeps its place in the report
-- (role ERASED, nothing else), and a later correction from the retailer is erased at the same place.
CREATE TABLE erasures (
    incident_id TEXT NOT NULL,
    sighting_index BIGINT NOT NULL,
    person_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    erased_by TEXT NOT NULL,
    erased_at_ms BIGINT NOT NULL,
    PRIMARY KEY (incident_id, sighting_index)
);
