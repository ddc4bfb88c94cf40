-- Server-wide settings, such as the key that signs page tokens.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE domains (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    status        TEXT NOT NULL,
    description   TEXT,
    retention     TEXT NOT NULL,
    created_at    INTEGER NOT NULL, -- Unix milliseconds
    deprecated_at INTEGER
);
CREATE INDEX domains_by_status ON domains (status, name);

CREATE TABLE domain_tags (
    domain_id INTEGER NOT NULL REFERENCES domains (id),
    key       TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (domain_id, key)
) WITHOUT ROWID;

-- Activity and workflow types; config is the JSON of the registration
-- defaults exactly as given.
CREATE TABLE types (
    domain_id     INTEGER NOT NULL REFERENCES domains (id),
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    version       TEXT NOT NULL,
    status        TEXT NOT NULL,
    description   TEXT,
    created_at    INTEGER NOT NULL,
    deprecated_at INTEGER,
    config        TEXT NOT NULL,
    PRIMARY KEY (domain_id, kind, name, version)
) WITHOUT ROWID;
CREATE INDEX types_by_status ON types (domain_id, kind, status, name, version);
