-- Federation between nodes. `party_homes`: parties homed on a peer node, with the peer's signed
-- statement that vouches for them (a party without a row is homed here). `relay_outbox`: what
-- this node must relay to a peer (a hotline message its party sent, or a delivery to its
-- party), written in the transaction that accepted it and kept once sent (its delay is the
-- relay's figure); one row per peer and subject, so a relay is idempotent. `relay_inbox`: what
-- arrived by relay, with the sending node's acceptance time. `peer_sync`: the resumable TAXII
-- pull of one peer's collection and how it last went. `peer_incidents`: public (TLP:CLEAR)
-- incidents synced from peers, shown with their origin node. `peer_checkpoints`: the latest
-- checkpoint of each peer's log this node checked. `federation_alarms`: rollbacks, forks and
-- split views seen in peers' logs, with the signed notes that show them.
CREATE TABLE party_homes (
    party_id      TEXT PRIMARY KEY NOT NULL REFERENCES parties(id),
    node          TEXT NOT NULL,
    statement     TEXT NOT NULL,
    updated_at_us BIGINT NOT NULL
);
CREATE INDEX party_homes_by_node ON party_homes (node);

CREATE TABLE relay_outbox (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    peer               TEXT NOT NULL,
    subject            TEXT NOT NULL,
    thread_id          TEXT NOT NULL,
    body               TEXT NOT NULL,
    enqueued_at_us     BIGINT NOT NULL,
    attempts           BIGINT NOT NULL,
    next_attempt_at_us BIGINT NOT NULL,
    last_error         TEXT,
    delivered_at_us    BIGINT,
    UNIQUE (peer, subject)
);
CREATE INDEX relay_outbox_pending ON relay_outbox (peer, delivered_at_us, id);

CREATE TABLE relay_inbox (
    peer           TEXT NOT NULL,
    subject        TEXT NOT NULL,
    accepted_at_us BIGINT NOT NULL,
    received_at_us BIGINT NOT NULL,
    PRIMARY KEY (peer, subject)
);

CREATE TABLE peer_sync (
    peer               TEXT NOT NULL,
    collection         TEXT NOT NULL,
    added_after        TEXT,
    objects            BIGINT NOT NULL,
    last_attempt_at_us BIGINT,
    last_success_at_us BIGINT,
    last_error         TEXT,
    PRIMARY KEY (peer, collection)
);

CREATE TABLE peer_incidents (
    peer          TEXT NOT NULL,
    stix_id       TEXT NOT NULL,
    name          TEXT NOT NULL,
    modified      TEXT NOT NULL,
    object        TEXT NOT NULL,
    synced_at_us  BIGINT NOT NULL,
    PRIMARY KEY (peer, stix_id)
);

CREATE TABLE peer_checkpoints (
    origin      TEXT PRIMARY KEY NOT NULL,
    tree_size   BIGINT NOT NULL,
    note        TEXT NOT NULL,
    seen_at_us  BIGINT NOT NULL
);

CREATE TABLE federation_alarms (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    origin         TEXT NOT NULL,
    kind           TEXT NOT NULL,
    detail         TEXT NOT NULL,
    first_note     TEXT NOT NULL,
    second_note    TEXT NOT NULL,
    reported_by    TEXT NOT NULL,
    detected_at_us BIGINT NOT NULL,
    UNIQUE (origin, kind, first_note, second_note)
);
