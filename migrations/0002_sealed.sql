-- votekiosk station schema, version 2 (`votekiosk-station/2`): ballots are
-- stored only sealed (docs/formats.md, "Sealed ballot records"). A file of
-- version 1 held ballots in clear and is refused (`file_too_old`), never
-- migrated: this migration runs only on a new, empty file.
-- Secrecy rules as in 0001: no column links a code, a receipt or a cast
-- request to a sealed ballot; no timestamp; WITHOUT ROWID, random keys.

DROP TABLE ballots;

-- Sealed ballots: the storage id is 16 random bytes; it appears in no
-- export, and nothing derived from it does. The blob is the sealed record.
CREATE TABLE sealed_ballots (
    id   BLOB PRIMARY KEY CHECK (length(id) = 16),
    test INTEGER NOT NULL CHECK (test IN (0, 1)),
    blob BLOB NOT NULL
) WITHOUT ROWID;

-- The station's closing key: its public part and Feldman commitments only
-- (the private key and its secret never reach the disk); K of N slips
-- rebuild it. The per-slip peppers are in `secrets` (closing_pepper_<i>).
CREATE TABLE closing_key (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    public_key    BLOB NOT NULL CHECK (length(public_key) = 32),
    commitments   BLOB NOT NULL,        -- C_0 ... C_{K-1}, 32 bytes each
    threshold     INTEGER NOT NULL,     -- K
    slips         INTEGER NOT NULL,     -- N
    generation    INTEGER NOT NULL,     -- +1 each time the key is made again
    made_at       TEXT NOT NULL,
    failed_pins   INTEGER NOT NULL DEFAULT 0,
    locked_until  TEXT                  -- RFC 3339, while wrong PINs lock counting
);

-- The poll worker holding each slip (by slip index).
CREATE TABLE closing_slips (
    slip   INTEGER PRIMARY KEY,
    worker TEXT NOT NULL
) WITHOUT ROWID;
