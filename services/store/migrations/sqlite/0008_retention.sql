-- Retention review and disposal (issue 15). A disposed report is first withdrawn (so it leaves
-- every entity, the graph and every package), then its content is scrubbed everywhere ORCA kept
-- it; the claim row stays (reference, incident id, when and that it was disposed) so the report
-- cannot be sent again, and the rows of its earlier revisions go. `disposal_published` is set once
-- the disposal record and its null tombstone are on the incident log.
ALTER TABLE ingest_keys ADD COLUMN disposed_at_ms BIGINT;
ALTER TABLE ingest_keys ADD COLUMN disposal_published BIGINT NOT NULL DEFAULT 0;
ALTER TABLE ingest_keys ADD COLUMN disposed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE ingest_keys ADD COLUMN disposal_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX ingest_keys_by_received ON ingest_keys (received_at_ms);

-- An analyst's decision to keep a report past its review date: the latest per report (every
-- decision is also in the audit log). A hold ends at `retain_until_ms`, when the report is due
-- for review again.
CREATE TABLE retention_holds (
    retailer TEXT NOT NULL,
    retailer_ref TEXT NOT NULL,
    incident_id TEXT NOT NULL,
    retain_until_ms BIGINT NOT NULL,
    reason TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at_ms BIGINT NOT NULL,
    PRIMARY KEY (retailer, retailer_ref)
);
