-- How a state value or package body is stored: 0 as given, 1 zstd-compressed (see codec.rs).
-- Rows written before this migration keep 0 and read as they were.
ALTER TABLE kv ADD COLUMN codec BIGINT NOT NULL DEFAULT 0;
ALTER TABLE packages ADD COLUMN codec BIGINT NOT NULL DEFAULT 0;
