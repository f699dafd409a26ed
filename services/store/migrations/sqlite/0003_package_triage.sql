-- Triage and streams of packages (issue 12).
-- Per version: what a listing filters and orders by. `priority_rank` 0 is the most urgent band
-- (see orca-intel); `last_seen_ms` the latest offence; `changed_at_ms` when intel indexed it.
ALTER TABLE packages ADD COLUMN priority_rank BIGINT NOT NULL DEFAULT 3;
ALTER TABLE packages ADD COLUMN withdrawn BIGINT NOT NULL DEFAULT 0;
ALTER TABLE packages ADD COLUMN last_seen_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE packages ADD COLUMN changed_at_ms BIGINT NOT NULL DEFAULT 0;
-- Per force: `shared` 0 once the latest version no longer concerns the force (the row stays, so a
-- force's stream can say the package was taken back); `seq` orders every change of a row, for
-- streams that resume from a cursor (one intel writer per store assigns it).
ALTER TABLE package_access ADD COLUMN shared BIGINT NOT NULL DEFAULT 1;
ALTER TABLE package_access ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX package_access_by_seq ON package_access (seq);
CREATE INDEX package_access_by_force_seq ON package_access (force, seq);
