-- Norms documents (every version ever added, by the SHA-256 of their exact bytes), adoptions
-- (which document a group of parties adopted, and when), and assessments (one per incident
-- version and norms document).
CREATE TABLE norms_documents (
    sha256        TEXT PRIMARY KEY NOT NULL,
    document_id   TEXT NOT NULL,
    version       TEXT NOT NULL,
    title         TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    text          TEXT NOT NULL,
    added_at_us   INTEGER NOT NULL
);
CREATE INDEX norms_documents_by_id ON norms_documents (document_id, added_at_us);

CREATE TABLE norms_adoptions (
    sequence        INTEGER PRIMARY KEY AUTOINCREMENT,
    document_sha256 TEXT NOT NULL REFERENCES norms_documents(sha256),
    parties         TEXT NOT NULL,
    adopted_at_us   INTEGER NOT NULL,
    signed          INTEGER NOT NULL
);

CREATE TABLE assessments (
    incident_id      TEXT NOT NULL REFERENCES incidents(id),
    incident_version INTEGER NOT NULL,
    norms_sha256     TEXT NOT NULL REFERENCES norms_documents(sha256),
    assessed_at_us   INTEGER NOT NULL,
    assessment       TEXT NOT NULL,
    PRIMARY KEY (incident_id, incident_version, norms_sha256)
);
