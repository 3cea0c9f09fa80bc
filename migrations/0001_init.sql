-- votekiosk station schema, version 1.
-- Secrecy rules (see ARCHITECTURE.md): no column links a voter code, a
-- receipt or a cast request to a ballot; ballots carry no timestamp; ballot
-- and receipt tables are WITHOUT ROWID keyed by random ids, so their storage
-- order is random, not cast order.

-- The one election this file runs.
CREATE TABLE election (
    id                  INTEGER PRIMARY KEY CHECK (id = 1),
    definition          TEXT NOT NULL,     -- canonical JSON (docs/formats.md)
    definition_hash     TEXT NOT NULL,     -- SHA-256 of definition, hex
    mode                TEXT NOT NULL CHECK (mode IN ('setup', 'test', 'open', 'paused', 'closed')),
    created_at          TEXT NOT NULL,
    opened_at           TEXT,              -- first opening for real
    closed_at           TEXT,
    invalid_code_streak INTEGER NOT NULL DEFAULT 0,
    locked              INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1))
);

-- Keys generated with the file (HMAC keys for codes and audit chain).
CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;

-- File-format facts recorded for auditors (e.g. the key-derivation parameters).
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE officials (
    username        TEXT PRIMARY KEY,
    role            TEXT NOT NULL CHECK (role IN ('admin', 'poll_worker')),
    password_hash   TEXT NOT NULL,     -- Argon2id, PHC string
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT               -- RFC 3339, while locked out
) WITHOUT ROWID;

CREATE TABLE code_batches (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,   -- never reused, even after test batches are deleted
    issued_at TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    count     INTEGER NOT NULL,
    test      INTEGER NOT NULL CHECK (test IN (0, 1))
);

-- Voter codes, only as HMAC-SHA256(code_key, code).
CREATE TABLE voter_codes (
    mac   BLOB PRIMARY KEY CHECK (length(mac) = 32),
    state TEXT NOT NULL CHECK (state IN ('issued', 'used', 'revoked')),
    test  INTEGER NOT NULL CHECK (test IN (0, 1)),
    batch INTEGER NOT NULL REFERENCES code_batches (id)
) WITHOUT ROWID;

-- Ballots: random 128-bit id, no timestamp, no link to code or receipt.
CREATE TABLE ballots (
    id         BLOB PRIMARY KEY CHECK (length(id) = 16),
    test       INTEGER NOT NULL CHECK (test IN (0, 1)),
    selections TEXT NOT NULL           -- canonical JSON, contest id -> choices
) WITHOUT ROWID;

-- Receipts: random ids, no link to any ballot.
CREATE TABLE receipts (
    id   TEXT PRIMARY KEY,
    test INTEGER NOT NULL CHECK (test IN (0, 1))
) WITHOUT ROWID;

-- Idempotency of casting: HMAC(code_key, request key, code) -> the receipt
-- already issued for that request.
CREATE TABLE cast_requests (
    mac     BLOB PRIMARY KEY CHECK (length(mac) = 32),
    receipt TEXT NOT NULL
) WITHOUT ROWID;

-- Append-only, hash-chained, MACed audit log (src/crypto/chain.rs).
CREATE TABLE audit (
    seq    INTEGER PRIMARY KEY,
    at     TEXT NOT NULL,
    actor  TEXT NOT NULL,
    kind   TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev   BLOB NOT NULL CHECK (length(prev) = 32),
    mac    BLOB NOT NULL CHECK (length(mac) = 32)
);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
