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
    created_at_us   BIGINT NOT NULL,
    after_event     BIGINT NOT NULL,
    removed_at_us   BIGINT
);
CREATE INDEX notification_subscriptions_by_party ON notification_subscriptions (party_id, created_at_us);

-- One event for one subscription. A sender claims due deliveries by a conditional update
-- (`claimed_by`, `claimed_until_us`), so two processes never send the same one at once.
CREATE TABLE notification_deliveries (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subscription_id     TEXT NOT NULL REFERENCES notification_subscriptions(id),
    party_id            TEXT NOT NULL REFERENCES parties(id),
    event_sequence      BIGINT NOT NULL,
    event_kind          TEXT NOT NULL,
    status              TEXT NOT NULL,
    attempts            BIGINT NOT NULL,
    next_attempt_at_us  BIGINT NOT NULL,
    claimed_by          TEXT,
    claimed_until_us    BIGINT,
    last_error          TEXT,
    created_at_us       BIGINT NOT NULL,
    delivered_at_us     BIGINT,
    UNIQUE (subscription_id, event_sequence)
);
CREATE INDEX notification_deliveries_due ON notification_deliveries (status, next_attempt_at_us);
CREATE INDEX notification_deliveries_by_party ON notification_deliveries (party_id, id);
CREATE INDEX notification_deliveries_by_claim ON notification_deliveries (claimed_by);

-- Every attempt of a delivery, as the delivery log shows it.
CREATE TABLE notification_attempts (
    delivery_id      BIGINT NOT NULL REFERENCES notification_deliveries(id),
    attempt          BIGINT NOT NULL,
    attempted_at_us  BIGINT NOT NULL,
    outcome          TEXT NOT NULL,
    status_code      BIGINT,
    error            TEXT,
    PRIMARY KEY (delivery_id, attempt)
);
