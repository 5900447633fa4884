-- Supply-chain notices (GGE 2015 13(i)). The signed notice and every signed
-- acknowledgement are kept byte for byte in disclosure_records (kinds `notice` and
-- `notice-acknowledgement`, the notice's id as case_id), like a case's records. One row per
-- notice serves lists and the scheduler; one row per addressed party (every party of the node
-- when it was issued, but the notifying one) keeps its first acknowledgement, its latest
-- exposure and when its reminder fired, so the reminder fires once.
CREATE TABLE supply_chain_notices (
    notice_id         TEXT PRIMARY KEY,
    notifying_party   TEXT NOT NULL REFERENCES parties(id),
    title             TEXT NOT NULL,
    compromise        TEXT NOT NULL,
    tlp               TEXT NOT NULL,
    issued_at_us      BIGINT NOT NULL,
    acknowledge_by_us BIGINT NOT NULL,
    updated_at_us     BIGINT NOT NULL
);
CREATE INDEX supply_chain_notices_by_issue ON supply_chain_notices (issued_at_us);

CREATE TABLE supply_chain_recipients (
    notice_id          TEXT NOT NULL REFERENCES supply_chain_notices(notice_id),
    party_id           TEXT NOT NULL REFERENCES parties(id),
    acknowledged_at_us BIGINT,
    exposure           TEXT,
    reminded_at_us     BIGINT,
    PRIMARY KEY (notice_id, party_id)
);
CREATE INDEX supply_chain_recipients_by_party ON supply_chain_recipients (party_id);
CREATE INDEX supply_chain_recipients_pending ON supply_chain_recipients (acknowledged_at_us, reminded_at_us);

-- The incidents a notice links to, so an incident's page lists the notices that name it.
CREATE TABLE supply_chain_notice_incidents (
    notice_id   TEXT NOT NULL REFERENCES supply_chain_notices(notice_id),
    incident_id TEXT NOT NULL,
    PRIMARY KEY (notice_id, incident_id)
);
CREATE INDEX supply_chain_notice_incidents_by_incident ON supply_chain_notice_incidents (incident_id);
