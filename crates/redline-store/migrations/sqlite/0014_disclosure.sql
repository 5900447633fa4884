-- Coordinated vulnerability disclosure (issue 23). Every signed record of a case — its versions
-- by the coordinator and the actions on it — is kept byte for byte in one append-only table; a
-- second copy of the same signed payload is a conflict. One summary row per case, with the
-- parties that may read it while it is embargoed, serves lists and the scheduler; a deadline
-- that fired is a row of its own, so it fires once.
CREATE TABLE disclosure_records (
    sequence        INTEGER PRIMARY KEY AUTOINCREMENT,
    payload_digest  TEXT NOT NULL UNIQUE,
    case_id         TEXT NOT NULL,
    kind            TEXT NOT NULL,
    party_id        TEXT NOT NULL REFERENCES parties(id),
    recorded_at_us  INTEGER NOT NULL,
    envelope        TEXT NOT NULL
);
CREATE INDEX disclosure_records_by_case ON disclosure_records (case_id, sequence);

CREATE TABLE disclosure_cases (
    case_id          TEXT PRIMARY KEY,
    coordinator      TEXT NOT NULL REFERENCES parties(id),
    latest_version   INTEGER NOT NULL,
    embargo_end_us   INTEGER NOT NULL,
    vendor_count     INTEGER NOT NULL,
    product_count    INTEGER NOT NULL,
    next_deadline_us INTEGER,
    updated_at_us    INTEGER NOT NULL
);
CREATE INDEX disclosure_cases_by_embargo ON disclosure_cases (embargo_end_us);
CREATE INDEX disclosure_cases_by_deadline ON disclosure_cases (next_deadline_us);

CREATE TABLE disclosure_case_readers (
    case_id  TEXT NOT NULL REFERENCES disclosure_cases(case_id),
    party_id TEXT NOT NULL,
    PRIMARY KEY (case_id, party_id)
);
CREATE INDEX disclosure_case_readers_by_party ON disclosure_case_readers (party_id);

CREATE TABLE disclosure_deadline_firings (
    case_id   TEXT NOT NULL REFERENCES disclosure_cases(case_id),
    vendor_id TEXT NOT NULL,
    duty      TEXT NOT NULL,
    due_at_us INTEGER NOT NULL,
    fired_at_us INTEGER NOT NULL,
    PRIMARY KEY (case_id, vendor_id, duty, due_at_us)
);
