-- The audit log's hash chain (issue 14; see orca_store::audit_chain). Entries written before this
-- migration keep empty hashes and come before the first chained entry.
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN hash TEXT NOT NULL DEFAULT '';
