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
    exercise                    BIGINT NOT NULL,
    state                       TEXT NOT NULL,
    severity_level              BIGINT NOT NULL,
    norms_sha256                TEXT NOT NULL,
    opened_at_us                BIGINT NOT NULL,
    updated_at_us               BIGINT NOT NULL,
    acknowledge_by_us           BIGINT,
    respond_by_us               BIGINT,
    delivered_at_us             BIGINT,
    acknowledged_at_us          BIGINT,
    answered_at_us              BIGINT,
    closed_at_us                BIGINT,
    acknowledgement_overdue_at_us BIGINT,
    response_overdue_at_us      BIGINT
);
CREATE INDEX hotline_threads_open ON hotline_threads (state, updated_at_us);

CREATE TABLE hotline_thread_participants (
    thread_id TEXT NOT NULL REFERENCES hotline_threads(id),
    party_id  TEXT NOT NULL REFERENCES parties(id),
    PRIMARY KEY (thread_id, party_id)
);
CREATE INDEX hotline_thread_participants_by_party ON hotline_thread_participants (party_id, thread_id);

CREATE TABLE hotline_messages (
    sequence       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    thread_id      TEXT NOT NULL REFERENCES hotline_threads(id),
    from_party     TEXT NOT NULL REFERENCES parties(id),
    recipients     TEXT NOT NULL,
    kind           TEXT NOT NULL,
    sent_at_us     BIGINT NOT NULL,
    received_at_us BIGINT NOT NULL,
    incident_id    TEXT,
    tlp            TEXT NOT NULL,
    exercise       BIGINT NOT NULL,
    envelope       TEXT NOT NULL
);
CREATE INDEX hotline_messages_by_thread ON hotline_messages (thread_id, sequence);

CREATE TABLE hotline_events (
    sequence      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    party_id      TEXT NOT NULL REFERENCES parties(id),
    kind          TEXT NOT NULL,
    thread_id     TEXT NOT NULL,
    message_id    TEXT,
    created_at_us BIGINT NOT NULL,
    detail        TEXT NOT NULL
);
CREATE INDEX hotline_events_by_party ON hotline_events (party_id, sequence);

CREATE TABLE communication_checks (
    id            TEXT PRIMARY KEY NOT NULL,
    thread_id     TEXT NOT NULL REFERENCES hotline_threads(id),
    started_by    TEXT NOT NULL REFERENCES parties(id),
    started_at_us BIGINT NOT NULL,
    reply_by_us   BIGINT NOT NULL,
    exercise      BIGINT NOT NULL
);

CREATE TABLE communication_check_targets (
    check_id       TEXT NOT NULL REFERENCES communication_checks(id),
    party_id       TEXT NOT NULL REFERENCES parties(id),
    answered_at_us BIGINT,
    PRIMARY KEY (check_id, party_id)
);
CREATE INDEX communication_check_targets_by_party ON communication_check_targets (party_id, check_id);
