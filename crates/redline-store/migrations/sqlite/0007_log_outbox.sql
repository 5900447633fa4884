-- The transparency log's outbox. A use case writes the log entries its change causes here, in
-- the same transaction as the change, so a change is stored together with the promise to log
-- it: the node answers after this one commit, and the log writer appends the entries in the
-- background and then deletes their rows. At start the node appends whatever is still here
-- (skipping entries the log already holds byte for byte: a crash between the log's checkpoint
-- and the delete), so no stored change ever goes unlogged and none is logged twice. The store's
-- single writer hands out the ids (one multi-row INSERT per write).
CREATE TABLE log_outbox (
    id    INTEGER PRIMARY KEY,
    entry TEXT NOT NULL
);
