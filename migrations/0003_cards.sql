-- votekiosk station schema, version 3 (still `votekiosk-station/2`): ballot
-- cards (docs/formats.md §3, "Ballot cards"). Secrecy rules as in 0001 and
-- 0002: no card id in clear anywhere (each is sealed like a spoiled card,
-- to the office and closing keys, or the test key); no column links a
-- spoiled card to a code; no timestamp; WITHOUT ROWID, random keys.

-- The card printed for a voter code and not yet cast or spoiled: at most
-- one per code. `sealed` is the card id sealed as a spoiled-card record:
-- if the card is spoiled, it moves to `sealed_spoils` as it is; at cast
-- the row is deleted (in the cast's transaction; the WAL is emptied).
CREATE TABLE pending_cards (
    code_mac BLOB PRIMARY KEY CHECK (length(code_mac) = 32),
    test     INTEGER NOT NULL CHECK (test IN (0, 1)),
    sealed   BLOB NOT NULL
) WITHOUT ROWID;

-- Spoiled cards (spoiled by the voter, replaced by a reprint, or abandoned):
-- a random id and the sealed card id, nothing else.
CREATE TABLE sealed_spoils (
    id     BLOB PRIMARY KEY CHECK (length(id) = 16),
    test   INTEGER NOT NULL CHECK (test IN (0, 1)),
    sealed BLOB NOT NULL
) WITHOUT ROWID;

-- How many cards each code has spoiled (for `cards.max_spoils_per_code`):
-- a count, never which cards.
CREATE TABLE code_spoils (
    code_mac BLOB PRIMARY KEY CHECK (length(code_mac) = 32),
    test     INTEGER NOT NULL CHECK (test IN (0, 1)),
    spoiled  INTEGER NOT NULL
) WITHOUT ROWID;

-- Card counters, official (test = 0) and test (test = 1).
CREATE TABLE card_counts (
    test      INTEGER PRIMARY KEY CHECK (test IN (0, 1)),
    printed   INTEGER NOT NULL DEFAULT 0,
    cast_cards INTEGER NOT NULL DEFAULT 0,
    spoiled   INTEGER NOT NULL DEFAULT 0,
    abandoned INTEGER NOT NULL DEFAULT 0
);
INSERT INTO card_counts (test) VALUES (0), (1);

-- The poll workers' hand count of cards per ballot box, entered after the
-- polls close (or in test mode); entering it again replaces it.
CREATE TABLE hand_count (
    box_id TEXT PRIMARY KEY,
    test   INTEGER NOT NULL CHECK (test IN (0, 1)),
    cards  INTEGER NOT NULL
) WITHOUT ROWID;
