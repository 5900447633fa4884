-- Commitments and their record (issue 22): every signed commitment record — adoptions and
-- withdrawals of norms documents, implementation report versions, peer-review round openings,
-- reviews, answers and closings — kept byte for byte in one append-only table; a second copy of
-- the same signed payload is a conflict. A restricted record's readers sit beside it so lists
-- filter in SQL; `public_summary` is the only part of a restricted report a public page reads.
CREATE TABLE commitment_records (
    sequence        INTEGER PRIMARY KEY AUTOINCREMENT,
    payload_digest  TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    party_id        TEXT NOT NULL REFERENCES parties(id),
    recorded_at_us  INTEGER NOT NULL,
    tlp             TEXT NOT NULL,
    public_summary  TEXT,
    envelope        TEXT NOT NULL
);
CREATE INDEX commitment_records_by_subject ON commitment_records (subject, sequence);
CREATE INDEX commitment_records_by_kind ON commitment_records (kind, tlp, sequence);
CREATE INDEX commitment_records_by_party ON commitment_records (party_id, kind);

CREATE TABLE commitment_record_readers (
    payload_digest TEXT NOT NULL REFERENCES commitment_records(payload_digest),
    party_id       TEXT NOT NULL,
    PRIMARY KEY (payload_digest, party_id)
);
CREATE INDEX commitment_record_readers_by_party ON commitment_record_readers (party_id);

-- One row per duty with a deadline (a reviewer's review, a reviewed party's answer): when the
-- scheduler reminds, when it is due, and when each happened — stamped once, so nothing fires
-- twice.
CREATE TABLE commitment_deadlines (
    subject        TEXT NOT NULL,
    party_id       TEXT NOT NULL,
    duty           TEXT NOT NULL,
    remind_at_us   INTEGER NOT NULL,
    due_at_us      INTEGER NOT NULL,
    reminded_at_us INTEGER,
    overdue_at_us  INTEGER,
    done_at_us     INTEGER,
    PRIMARY KEY (subject, party_id, duty)
);
CREATE INDEX commitment_deadlines_open ON commitment_deadlines (done_at_us, remind_at_us);
