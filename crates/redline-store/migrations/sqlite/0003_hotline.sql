-- The hotline: signed messages exactly as received, the threads they form with their state and
-- deadlines, the per-party event stream the server-sent-events endpoint replays (sequence is the
-- SSE event id), and communication checks with each target's answer.
CREATE TABLE hotline_threads (
    id                          TEXT PRIMARY KEY NOT NULL,
    opened_by                   TEXT NOT NULL REFERENCES parties(id),
    opening_message_id          TEXT NOT NULL,
    opening_kind                TEXT NOT NULL,
    incident_id                 TEXT,
    tlp                         TEXT NOT NULL,
    exercise                    INTEGER NOT NULL,
    state                       TEXT NOT NULL,
    severity_level              INTEGER NOT NULL,
    norms_sha256                TEXT NOT NULL,
    opened_at_us                INTEGER NOT NULL,
    updated_at_us               INTEGER NOT NULL,
    acknowledge_by_us           INTEGER,
    respond_by_us               INTEGER,
    delivered_at_us             INTEGER,
    acknowledged_at_us          INTEGER,
    answered_at_us              INTEGER,
    closed_at_us                INTEGER,
    acknowledgement_overdue_at_us INTEGER,
    response_overdue_at_us      INTEGER
);
CREATE INDEX hotline_threads_open ON hotline_threads (state, updated_at_us);

CREATE TABLE hotline_thread_participants (
    thread_id TEXT NOT NULL REFERENCES hotline_threads(id),
    party_id  TEXT NOT NULL REFERENCES parties(id),
    PRIMARY KEY (thread_id, party_id)
);
CREATE INDEX hotline_thread_participants_by_party ON hotline_thread_participants (party_id, thread_id);

CREATE TABLE hotline_messages (
    sequence       INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT NOT NULL UNIQUE,
    thread_id      TEXT NOT NULL REFERENCES hotline_threads(id),
    from_party     TEXT NOT NULL REFERENCES parties(id),
    recipients     TEXT NOT NULL,
    kind           TEXT NOT NULL,
    sent_at_us     INTEGER NOT NULL,
    received_at_us INTEGER NOT NULL,
    incident_id    TEXT,
    tlp            TEXT NOT NULL,
    exercise       INTEGER NOT NULL,
    envelope       TEXT NOT NULL
);
CREATE INDEX hotline_messages_by_thread ON hotline_messages (thread_id, sequence);

CREATE TABLE hotline_events (
    sequence      INTEGER PRIMARY KEY AUTOINCREMENT,
    party_id      TEXT NOT NULL REFERENCES parties(id),
    kind          TEXT NOT NULL,
    thread_id     TEXT NOT NULL,
    message_id    TEXT,
    created_at_us INTEGER NOT NULL,
    detail        TEXT NOT NULL
);
CREATE INDEX hotline_events_by_party ON hotline_events (party_id, sequence);

CREATE TABLE communication_checks (
    id            TEXT PRIMARY KEY NOT NULL,
    thread_id     TEXT NOT NULL REFERENCES hotline_threads(id),
    started_by    TEXT NOT NULL REFERENCES parties(id),
    started_at_us INTEGER NOT NULL,
    reply_by_us   INTEGER NOT NULL,
    exercise      INTEGER NOT NULL
);

CREATE TABLE communication_check_targets (
    check_id       TEXT NOT NULL REFERENCES communication_checks(id),
    party_id       TEXT NOT NULL REFERENCES parties(id),
    answered_at_us INTEGER,
    PRIMARY KEY (check_id, party_id)
);
CREATE INDEX communication_check_targets_by_party ON communication_check_targets (party_id, check_id);
