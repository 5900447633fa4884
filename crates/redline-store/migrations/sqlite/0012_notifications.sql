-- Notifications of hotline events to a party's own webhooks and e-mail addresses (issue 20).
-- A subscription keeps a cursor over its party's `hotline_events` (`after_event`): the node
-- turns the events past it into deliveries and moves it in one transaction, only from the value
-- it read, so every event becomes one delivery once, across restarts and processes. A webhook's
-- secret is kept as given (the node signs every delivery with it: HMAC needs the key itself) and
-- is never answered after the subscription is created. A removed subscription keeps its row
-- (`removed_at_us`) so its delivery log stays readable.
CREATE TABLE notification_subscriptions (
    id              TEXT PRIMARY KEY NOT NULL,
    party_id        TEXT NOT NULL REFERENCES parties(id),
    channel         TEXT NOT NULL,
    target          TEXT NOT NULL,
    event_kinds     TEXT NOT NULL,
    secret          TEXT,
    created_at_us   INTEGER NOT NULL,
    after_event     INTEGER NOT NULL,
    removed_at_us   INTEGER
);
CREATE INDEX notification_subscriptions_by_party ON notification_subscriptions (party_id, created_at_us);

-- One event for one subscription. A sender claims due deliveries by a conditional update
-- (`claimed_by`, `claimed_until_us`), so two processes never send the same one at once.
CREATE TABLE notification_deliveries (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    subscription_id     TEXT NOT NULL REFERENCES notification_subscriptions(id),
    party_id            TEXT NOT NULL REFERENCES parties(id),
    event_sequence      INTEGER NOT NULL,
    event_kind          TEXT NOT NULL,
    status              TEXT NOT NULL,
    attempts            INTEGER NOT NULL,
    next_attempt_at_us  INTEGER NOT NULL,
    claimed_by          TEXT,
    claimed_until_us    INTEGER,
    last_error          TEXT,
    created_at_us       INTEGER NOT NULL,
    delivered_at_us     INTEGER,
    UNIQUE (subscription_id, event_sequence)
);
CREATE INDEX notification_deliveries_due ON notification_deliveries (status, next_attempt_at_us);
CREATE INDEX notification_deliveries_by_party ON notification_deliveries (party_id, id);
CREATE INDEX notification_deliveries_by_claim ON notification_deliveries (claimed_by);

-- Every attempt of a delivery, as the delivery log shows it.
CREATE TABLE notification_attempts (
    delivery_id      INTEGER NOT NULL REFERENCES notification_deliveries(id),
    attempt          INTEGER NOT NULL,
    attempted_at_us  INTEGER NOT NULL,
    outcome          TEXT NOT NULL,
    status_code      INTEGER,
    error            TEXT,
    PRIMARY KEY (delivery_id, attempt)
);
