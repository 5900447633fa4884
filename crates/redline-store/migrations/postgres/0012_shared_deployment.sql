-- Several node processes over one PostgreSQL database (PostgreSQL only: a SQLite file serves one
-- process). Each process has its own batching writer, so the log outbox's ids come from a
-- sequence instead of a writer's counter; the transparency log's one mutable pointer, the latest
-- checkpoint the node signed, lives here and moves only by compare-and-swap (the note a writer
-- last signed must still be the stored one), so two processes can never both publish a
-- checkpoint. The tiles and entry bundles stay on storage every process reaches.
CREATE SEQUENCE log_outbox_ids;
SELECT setval('log_outbox_ids', COALESCE((SELECT MAX(id) FROM log_outbox), 0) + 1, false);

CREATE TABLE log_checkpoints (
    origin         TEXT PRIMARY KEY NOT NULL,
    -- The checkpoint note exactly as the node signed it (no witness cosignatures).
    note           TEXT NOT NULL,
    tree_size      BIGINT NOT NULL,
    updated_at_us  BIGINT NOT NULL
);
