-- Console sessions, so that a restart signs no one out and every process over one database
-- knows every session. Only the SHA-256 of a session's secret is kept (the browser's cookie holds
-- the secret), and the API token the session was opened with only by its id (never the token's
-- secret): every request re-reads that credential, so a revoked token ends its sessions.
CREATE TABLE console_sessions (
    sequence         INTEGER PRIMARY KEY AUTOINCREMENT,
    secret_sha256    TEXT NOT NULL UNIQUE,
    party_id         TEXT NOT NULL REFERENCES parties(id),
    token_id         TEXT NOT NULL REFERENCES credentials(token_id),
    client_address   TEXT,
    created_at_us    INTEGER NOT NULL,
    last_seen_at_us  INTEGER NOT NULL,
    expires_at_us    INTEGER NOT NULL
);
CREATE INDEX console_sessions_by_party ON console_sessions (party_id, created_at_us, sequence);
CREATE INDEX console_sessions_by_address ON console_sessions (client_address, expires_at_us);
CREATE INDEX console_sessions_by_expiry ON console_sessions (expires_at_us);
CREATE INDEX console_sessions_by_token ON console_sessions (token_id);
