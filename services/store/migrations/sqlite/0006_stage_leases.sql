-- Which process may write each stage's state (issue 14, one writer per stage): the holder, an
-- epoch that grows with every change of holder, and when the lease lapses unless renewed. Every
-- commit of a stage renews it inside its own transaction, checking holder and epoch, so a writer
-- that lost the lease cannot commit.
CREATE TABLE stage_leases (
    stage TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    epoch BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL
);
