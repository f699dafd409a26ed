-- Key lifecycle (issue 14): who holds a key (the officer or analyst named in the audit), when it
-- expires (0 = never) and whether it was revoked (0 = not), with why.
ALTER TABLE principals ADD COLUMN holder TEXT NOT NULL DEFAULT '';
ALTER TABLE principals ADD COLUMN expires_at_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE principals ADD COLUMN revoked_at_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE principals ADD COLUMN revoked_reason TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX principals_by_key_id ON principals (key_id);
