-- STIX 2.1 objects with every version, TAXII 2.1 collections with per-party read and write
-- rights, and the status records of TAXII POSTs (issue 8).
CREATE TABLE taxii_collections (
    id            TEXT PRIMARY KEY NOT NULL,
    title         TEXT NOT NULL,
    description   TEXT,
    alias         TEXT UNIQUE,
    created_at_us INTEGER NOT NULL
);

CREATE TABLE taxii_collection_access (
    collection_id TEXT NOT NULL REFERENCES taxii_collections(id),
    party_id      TEXT NOT NULL REFERENCES parties(id),
    can_read      INTEGER NOT NULL,
    can_write     INTEGER NOT NULL,
    PRIMARY KEY (collection_id, party_id)
);

-- One row per version of an object in a collection. `version_us` is the object's `modified`
-- (else `created`, else the time it was added); `added_at_us` is the TAXII `date_added`, unique
-- and increasing within a node, so `added_after` paging never skips or repeats an object.
CREATE TABLE stix_objects (
    sequence      INTEGER PRIMARY KEY AUTOINCREMENT,
    collection_id TEXT NOT NULL REFERENCES taxii_collections(id),
    object_id     TEXT NOT NULL,
    object_type   TEXT NOT NULL,
    spec_version  TEXT NOT NULL,
    version_us    INTEGER NOT NULL,
    added_at_us   INTEGER NOT NULL,
    added_by      TEXT,
    restricted    INTEGER NOT NULL,
    record        TEXT NOT NULL,
    UNIQUE (collection_id, object_id, version_us)
);
CREATE INDEX stix_objects_by_added ON stix_objects (collection_id, added_at_us, sequence);
CREATE INDEX stix_objects_by_type ON stix_objects (collection_id, object_type, added_at_us);

-- The parties that may read a restricted (amber, amber+strict, red) object version.
CREATE TABLE stix_object_readers (
    object_sequence INTEGER NOT NULL REFERENCES stix_objects(sequence),
    party_id        TEXT NOT NULL,
    PRIMARY KEY (object_sequence, party_id)
);

CREATE TABLE taxii_statuses (
    id            TEXT PRIMARY KEY NOT NULL,
    collection_id TEXT NOT NULL REFERENCES taxii_collections(id),
    requested_by  TEXT,
    created_at_us INTEGER NOT NULL,
    record        TEXT NOT NULL
);
