-- The vulnerabilities the current version of each incident names as exploited (issue 23): one
-- row per entry of its report's `exploited_vulnerabilities`, a CVE id, a disclosure case id or
-- both, rewritten with every version like the incident's sectors and readers. A disclosure
-- case lists the incidents that name it, or its CVE id, through these indexes instead of
-- reading every report. The numbers (SQLite 0018, PostgreSQL 0019) leave room for work that
-- was under way beside this change.
CREATE TABLE incident_vulnerabilities (
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    position    BIGINT NOT NULL,
    cve         TEXT,
    case_id     TEXT,
    PRIMARY KEY (incident_id, position)
);
CREATE INDEX incident_vulnerabilities_by_case ON incident_vulnerabilities (case_id, incident_id);
CREATE INDEX incident_vulnerabilities_by_cve ON incident_vulnerabilities (cve, incident_id);
