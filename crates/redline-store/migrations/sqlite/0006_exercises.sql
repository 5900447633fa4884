-- Tabletop exercises (issue 6 item 6). One append-only table of records per exercise: the
-- exercise itself (`created`: the definition text, parties, start time), each inject once it was
-- delivered (`inject`: the incident or message it became) and each player's decision (`decision`:
-- the rung chosen for an exercise incident). `record_key` is unique per exercise, so an inject is
-- never delivered twice. The incidents and hotline messages an exercise produces live in their
-- own tables and are marked there (`exercise` in the report and in the message).
CREATE TABLE exercise_records (
    sequence       INTEGER PRIMARY KEY AUTOINCREMENT,
    exercise_id    TEXT NOT NULL,
    record_key     TEXT NOT NULL,
    kind           TEXT NOT NULL,
    party_id       TEXT,
    recorded_at_us INTEGER NOT NULL,
    record         TEXT NOT NULL,
    UNIQUE (exercise_id, record_key)
);
CREATE INDEX exercise_records_by_kind ON exercise_records (kind, sequence);
