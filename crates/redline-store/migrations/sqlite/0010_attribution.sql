-- Attribution claims and their consultations. Every signed record — claim versions, co-signatures,
-- publish and withdraw decisions, consultation requests, replies and outcomes — is kept byte for
-- byte in one append-only table; a second copy of the same signed payload is a conflict. One
-- summary row per claim, with its readers, serves lists, TLP filtering and the public counts.
CREATE TABLE attribution_records (
    sequence        INTEGER PRIMARY KEY AUTOINCREMENT,
    payload_digest  TEXT NOT NULL UNIQUE,
    claim_id        TEXT NOT NULL,
    consultation_id TEXT,
    kind            TEXT NOT NULL,
    party_id        TEXT NOT NULL REFERENCES parties(id),
    recorded_at_us  INTEGER NOT NULL,
    envelope        TEXT NOT NULL
);
CREATE INDEX attribution_records_by_claim ON attribution_records (claim_id, sequence);
CREATE INDEX attribution_records_by_consultation ON attribution_records (consultation_id);

CREATE TABLE attribution_claims (
    claim_id        TEXT PRIMARY KEY,
    incident_id     TEXT NOT NULL REFERENCES incidents(id),
    claimant        TEXT NOT NULL REFERENCES parties(id),
    named_state     TEXT NOT NULL,
    named_party     TEXT,
    actor           TEXT,
    latest_version  INTEGER NOT NULL,
    confidence      TEXT NOT NULL,
    tlp             TEXT NOT NULL,
    status          TEXT NOT NULL,
    published_at_us INTEGER,
    cosigner_count  INTEGER NOT NULL,
    updated_at_us   INTEGER NOT NULL
);
CREATE INDEX attribution_claims_by_incident ON attribution_claims (incident_id);
CREATE INDEX attribution_claims_by_update ON attribution_claims (updated_at_us);
CREATE INDEX attribution_claims_public ON attribution_claims (status, tlp, named_state);

CREATE TABLE attribution_claim_readers (
    claim_id TEXT NOT NULL REFERENCES attribution_claims(claim_id),
    party_id TEXT NOT NULL,
    PRIMARY KEY (claim_id, party_id)
);
CREATE INDEX attribution_claim_readers_by_party ON attribution_claim_readers (party_id);

-- One row per consultation: who asked whom, when the reply was due and when it came, for the
-- public timeliness figures. Never its content, which stays in the signed records.
CREATE TABLE attribution_consultations (
    consultation_id TEXT PRIMARY KEY,
    claim_id        TEXT NOT NULL REFERENCES attribution_claims(claim_id),
    requester       TEXT NOT NULL,
    named_party     TEXT NOT NULL,
    requested_at_us INTEGER NOT NULL,
    reply_by_us     INTEGER,
    replied_at_us   INTEGER,
    outcome         TEXT
);
CREATE INDEX attribution_consultations_by_party ON attribution_consultations (named_party);
