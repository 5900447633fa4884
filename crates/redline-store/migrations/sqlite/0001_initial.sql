-- redline schema, SQLite flavour. Times are microseconds since 1970-01-01 UTC (INTEGER), so
-- SQLite and PostgreSQL round-trip them identically. Documents are kept as the exact JSON text.
CREATE TABLE parties (
    id            TEXT PRIMARY KEY NOT NULL,
    kind          TEXT NOT NULL,
    record        TEXT NOT NULL,
    created_at_us INTEGER NOT NULL
);

CREATE TABLE party_keys (
    party_id          TEXT NOT NULL REFERENCES parties(id),
    key_id            TEXT NOT NULL,
    public_key        TEXT NOT NULL,
    added_at_us       INTEGER NOT NULL,
    revoked_at_us     INTEGER,
    revocation_reason TEXT,
    PRIMARY KEY (party_id, key_id)
);

CREATE TABLE credentials (
    token_id      TEXT PRIMARY KEY NOT NULL,
    party_id      TEXT NOT NULL REFERENCES parties(id),
    secret_hash   TEXT NOT NULL,
    label         TEXT NOT NULL,
    created_at_us INTEGER NOT NULL,
    revoked_at_us INTEGER
);

CREATE TABLE incidents (
    sequence          INTEGER PRIMARY KEY AUTOINCREMENT,
    id                TEXT NOT NULL UNIQUE,
    version           INTEGER NOT NULL,
    reported_by       TEXT NOT NULL,
    victim            TEXT NOT NULL,
    status            TEXT NOT NULL,
    restricted        INTEGER NOT NULL,
    first_observed_us INTEGER NOT NULL,
    updated_at_us     INTEGER NOT NULL,
    record            TEXT NOT NULL
);
CREATE INDEX incidents_by_victim ON incidents (victim, sequence);
CREATE INDEX incidents_by_first_observed ON incidents (first_observed_us);

CREATE TABLE incident_versions (
    incident_id   TEXT NOT NULL REFERENCES incidents(id),
    version       INTEGER NOT NULL,
    updated_at_us INTEGER NOT NULL,
    record        TEXT NOT NULL,
    PRIMARY KEY (incident_id, version)
);

CREATE TABLE incident_sectors (
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    sector      TEXT NOT NULL,
    PRIMARY KEY (incident_id, sector)
);
CREATE INDEX incident_sectors_by_sector ON incident_sectors (sector, incident_id);

-- The parties that may read a restricted incident (empty for clear and green ones).
CREATE TABLE incident_readers (
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    party_id    TEXT NOT NULL,
    PRIMARY KEY (incident_id, party_id)
);
CREATE INDEX incident_readers_by_party ON incident_readers (party_id, incident_id);
