-- Duties kept (issue 22, part 4): every duty of the norms document a party owes in the hotline
-- — notify, acknowledge, initial reply, status update, answer to assistance — gets a met, late or
-- missed record per party and incident. The node computes the records from the timings kept
-- here (and in the thread and participant rows), never from a message's content.
--
-- Each recipient's own first substantive reply (a response, check reply, assistance offer or
-- request outcome), written with the message that is it: the initial-reply duty is kept per
-- recipient, not per thread. Filled in here from the messages stored already (request outcomes
-- did not exist before).
ALTER TABLE hotline_thread_participants ADD COLUMN answered_at_us INTEGER;

UPDATE hotline_thread_participants SET answered_at_us = (
    SELECT MIN(m.received_at_us) FROM hotline_messages m
    WHERE m.thread_id = hotline_thread_participants.thread_id
      AND m.from_party = hotline_thread_participants.party_id
      AND m.kind IN ('response', 'check-reply', 'assistance-offer')
)
WHERE party_id <> (SELECT t.opened_by FROM hotline_threads t WHERE t.id = hotline_thread_participants.thread_id);

-- The status updates a recipient sent (responses, assistance offers, request outcomes), read per
-- party for its status-update duties without going through every message.
CREATE INDEX hotline_messages_status_updates ON hotline_messages (from_party, thread_id)
    WHERE kind IN ('response', 'assistance-offer', 'request-outcome');

-- Assistance and mitigation requests, one row per request and recipient: when it was asked, by
-- when the recipient must answer (`answer_by_us`) and which duty of the document set that
-- (`answer_duty`: `assistance-answer`, or `initial-reply` where the document has none), when the
-- recipient first answered (an outcome, or an offer naming the request) and its latest outcome
-- (`accepted`, `partly`, `declined`, `completed`; moved only from the outcome the node read, so
-- two outcomes cannot both follow the same one). The outcomes themselves are signed messages in
-- `hotline_messages`. Requests stored before this migration get the thread's initial-reply time
-- (no document defined an assistance-answer duty then) and, as their answer, the recipient's
-- first assistance offer in the thread after the request (offers did not always name it).
CREATE TABLE hotline_requests (
    request_id      TEXT NOT NULL,
    party_id        TEXT NOT NULL REFERENCES parties(id),
    thread_id       TEXT NOT NULL REFERENCES hotline_threads(id),
    kind            TEXT NOT NULL,
    from_party      TEXT NOT NULL,
    exercise        INTEGER NOT NULL,
    requested_at_us INTEGER NOT NULL,
    answer_by_us    INTEGER,
    answer_duty     TEXT,
    answered_at_us  INTEGER,
    outcome         TEXT,
    outcome_at_us   INTEGER,
    PRIMARY KEY (request_id, party_id)
);
CREATE INDEX hotline_requests_by_party ON hotline_requests (party_id, requested_at_us);
CREATE INDEX hotline_requests_by_thread ON hotline_requests (thread_id, requested_at_us);

INSERT INTO hotline_requests (request_id, party_id, thread_id, kind, from_party, exercise,
    requested_at_us, answer_by_us, answer_duty, answered_at_us, outcome, outcome_at_us)
SELECT m.id, r.recipient, m.thread_id, m.kind, m.from_party, m.exercise, m.received_at_us,
    CASE WHEN t.respond_by_us IS NULL THEN NULL
         ELSE m.received_at_us + (t.respond_by_us - t.opened_at_us) END,
    CASE WHEN t.respond_by_us IS NULL THEN NULL ELSE 'initial-reply' END,
    (SELECT MIN(o.received_at_us) FROM hotline_messages o
     WHERE o.thread_id = m.thread_id AND o.from_party = r.recipient
       AND o.kind = 'assistance-offer' AND o.sequence > m.sequence),
    NULL, NULL
FROM hotline_messages m
JOIN hotline_threads t ON t.id = m.thread_id
JOIN (SELECT m2.id AS message_id, j.value AS recipient FROM hotline_messages m2, json_each(m2.recipients) j) r ON r.message_id = m.id
WHERE m.kind IN ('assistance-request', 'mitigation-request')
  AND EXISTS (SELECT 1 FROM parties p WHERE p.id = r.recipient);

-- The reporter's duty to notify each party an incident affects (its victim and the states its
-- targets are in, not the reporter), when the applicable document has a notify duty at the
-- severity the incident was assessed at when it was reported: due that long after the report,
-- done by the reporter's first notification about the incident addressed to that party. Written
-- with the incident's first version; incidents reported before this migration have none (the
-- duty's length is in their assessment's JSON, which SQL does not read).
CREATE TABLE incident_notify_duties (
    incident_id    TEXT NOT NULL REFERENCES incidents(id),
    party_id       TEXT NOT NULL REFERENCES parties(id),
    reported_by    TEXT NOT NULL,
    reported_at_us INTEGER NOT NULL,
    severity_level INTEGER NOT NULL,
    due_at_us      INTEGER NOT NULL,
    notified_at_us INTEGER,
    PRIMARY KEY (incident_id, party_id)
);
CREATE INDEX incident_notify_duties_by_reporter ON incident_notify_duties (reported_by, due_at_us);
