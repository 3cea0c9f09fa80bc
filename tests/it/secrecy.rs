//! Ballot secrecy: nothing links a voter code, a receipt or a cast request
//! to a ballot — not the schema, not the order ballots are stored in, not
//! the audit log, not a copy of the file taken while the polls are open.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use votekiosk::store::FileKey;
use votekiosk::{Choice, ReceiptId, ReceiptStatus};

use crate::support::*;

/// Every migration, in order (a new file applies them all).
const SCHEMA: &str = concat!(
    include_str!("../../migrations/0001_init.sql"),
    include_str!("../../migrations/0002_sealed.sql")
);

/// One `CREATE TABLE` of the schema, as far as these tests care.
#[derive(Debug)]
struct Table {
    columns: Vec<String>,
    /// Lower-cased text of the whole definition.
    body: String,
    without_rowid: bool,
}

/// Removes `-- ...` comments.
fn strip_comments(sql: &str) -> String {
    sql.lines()
        .map(|l| l.split("--").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Splits a table body at the commas that are not inside parentheses.
fn split_top_level(body: &str) -> Vec<String> {
    let (mut parts, mut current, mut depth) = (Vec::new(), String::new(), 0i32);
    for c in body.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    parts
        .into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// Every `CREATE TABLE` in the migration, by name.
fn tables() -> BTreeMap<String, Table> {
    let sql = strip_comments(SCHEMA);
    let lower = sql.to_lowercase();
    let mut out = BTreeMap::new();
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("create table") {
        rest = &rest[at + "create table".len()..];
        let open = rest.find('(').expect("table body");
        let name = rest[..open]
            .trim()
            .trim_start_matches("if not exists")
            .trim()
            .to_string();
        let (mut depth, mut close) = (0i32, None);
        for (i, c) in rest.char_indices().skip(open) {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let close = close.expect("closing parenthesis");
        let body = &rest[open + 1..close];
        let tail = &rest[close + 1..];
        let options = &tail[..tail.find(';').expect("statement end")];
        let columns = split_top_level(body)
            .iter()
            .filter_map(|item| {
                let first = item.split_whitespace().next()?;
                let constraint = ["primary", "unique", "check", "foreign", "constraint"].contains(&first);
                (!constraint).then(|| first.trim_matches('"').to_string())
            })
            .collect();
        let without_rowid = options.split_whitespace().collect::<Vec<_>>() == ["without", "rowid"];
        // A table a later migration drops is no table of the file.
        if lower.contains(&format!("drop table {name};")) {
            rest = tail;
            continue;
        }
        out.insert(
            name,
            Table {
                columns,
                body: body.to_string(),
                without_rowid,
            },
        );
        rest = tail;
    }
    out
}

#[test]
fn the_schema_has_no_column_linking_voters_or_receipts_to_ballots() {
    let tables = tables();
    assert!(!tables.contains_key("ballots"), "ballots in clear are gone");
    for must in [
        "election",
        "voter_codes",
        "sealed_ballots",
        "receipts",
        "cast_requests",
        "audit",
    ] {
        assert!(
            tables.contains_key(must),
            "the parser found no table {must}: {:?}",
            tables.keys()
        );
    }
    let columns = |name: &str| tables[name].columns.clone();
    assert_eq!(
        columns("sealed_ballots"),
        ["id", "test", "blob"],
        "sealed ballots: no timestamp, no code or receipt, no choice in clear"
    );
    assert_eq!(
        columns("receipts"),
        ["id", "test"],
        "receipts: no ballot reference"
    );
    assert_eq!(
        columns("cast_requests"),
        ["mac", "receipt"],
        "cast requests: no ballot reference"
    );

    for name in ["sealed_ballots", "receipts", "cast_requests"] {
        let table = &tables[name];
        assert!(
            table.without_rowid,
            "{name} must be WITHOUT ROWID (no insertion-order rowid)"
        );
        assert!(
            !table.body.contains("references"),
            "{name} references another table"
        );
        assert!(!table.body.contains("autoincrement"), "{name} has a counter");
    }
    for (name, table) in &tables {
        for linked in ["sealed_ballots", "receipts", "cast_requests"] {
            let reference = format!("references {linked}");
            assert!(!table.body.contains(&reference), "{name} references {linked}");
        }
    }
    // No trigger or index copies ballots anywhere else either.
    let lower = strip_comments(SCHEMA).to_lowercase();
    assert!(
        !lower.contains("on sealed_ballots"),
        "a trigger or index on ballots"
    );
}

/// The parser above, checked on a small example so a silent parse failure
/// cannot make the schema test pass.
#[test]
fn the_schema_reader_reads_columns_and_options() {
    let tables = tables();
    assert_eq!(
        tables["audit"].columns,
        ["seq", "at", "actor", "kind", "detail", "prev", "mac"]
    );
    assert!(!tables["audit"].without_rowid);
    assert_eq!(tables["voter_codes"].columns, ["mac", "state", "test", "batch"]);
    assert!(tables["voter_codes"].body.contains("references code_batches"));
    assert!(tables["voter_codes"].without_rowid);
}

/// Spearman's rank correlation of two rankings of `0..n` (no ties).
fn spearman(a: &[usize], b: &[usize]) -> f64 {
    assert_eq!(a.len(), b.len());
    let n = a.len() as f64;
    let d2: f64 = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| (x as f64 - y as f64).powi(2))
        .sum();
    1.0 - 6.0 * d2 / (n * (n * n - 1.0))
}

/// Ranks of `values` (0 for the smallest).
fn ranks<T: Ord>(values: &[T]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&i, &j| values[i].cmp(&values[j]));
    let mut rank = vec![0; values.len()];
    for (r, i) in order.into_iter().enumerate() {
        rank[i] = r;
    }
    rank
}

fn voter_name(i: usize) -> String {
    format!("Voter {i:04}")
}

const VOTERS: usize = 2_000;

/// The seed of the station below. Storage order is the order of random
/// ballot ids, and receipt order that of random receipt ids, so each rank
/// correlation is a random variable: about N(0, 1/(n-1)), with a standard
/// deviation of 0.022 for 2,000 voters, so |rho| < 0.1 failed about once in
/// 60,000 runs with fresh ids. Seeded, the ids and so both rho values are
/// the same on every run (0.020 and 0.004 with this seed); the test still fails
/// if ids stop being independent of cast order (a counter, a timestamp).
const SECRECY_SEED: u64 = 2026;

#[test]
fn ballots_are_not_stored_in_cast_order_and_the_audit_log_says_nothing_about_them() {
    let mut fx = Fixture::seeded(SECRECY_SEED);
    fx.open();
    let codes = fx.codes(VOTERS);

    // Each voter writes in their own place in the queue, so each stored
    // ballot can be recognised.
    let started = std::time::Instant::now();
    let mut receipts: Vec<ReceiptId> = Vec::with_capacity(VOTERS);
    for (i, code) in codes.iter().enumerate() {
        let mut ballot = full_ballot();
        ballot.insert("mayor".into(), vec![format!("write-in:{}", voter_name(i))]);
        receipts.push(
            fx.station
                .cast_ballot(code, &ballot, &key_for(i))
                .expect("cast")
                .receipt,
        );
    }
    eprintln!(
        "secrecy: {VOTERS} casts took {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // Storage order of the sealed ballots, as a passphrase holder reads
    // it (the table is keyed by the random storage id).
    // (Read while the kiosk is stopped: while it runs the file is its alone.)
    let key = file_key(&fx.path);
    let stored = fx.while_closed(|path| stored_blobs(path, &key));
    assert_eq!(stored.len(), VOTERS);
    // Which voter each blob is: count with the slips. The counted records
    // come in the order of `sealed_records` (sorted by bytes).
    let w = fx.worker();
    fx.station.close_polls(&w).expect("close");
    fx.count();
    let sorted = fx.station.sealed_records(false).expect("sealed records");
    let counted = fx.station.counted().expect("counted");
    let voter_of: BTreeMap<&[u8], usize> = sorted
        .iter()
        .zip(counted)
        .map(|(blob, record)| {
            let mayor = &record
                .ballot
                .contests
                .iter()
                .find(|(id, _)| id.as_str() == "mayor")
                .expect("mayor")
                .1;
            let voter = match mayor.as_slice() {
                [Choice::WriteIn(name)] => name
                    .strip_prefix("Voter ")
                    .and_then(|n| n.parse().ok())
                    .expect("voter number"),
                other => panic!("unexpected mayor choice {other:?}"),
            };
            (blob.as_slice(), voter)
        })
        .collect();
    let cast_index: Vec<usize> = stored.iter().map(|blob| voter_of[blob.as_slice()]).collect();
    let mut seen = cast_index.clone();
    seen.sort_unstable();
    assert_eq!(seen, (0..VOTERS).collect::<Vec<_>>(), "every ballot stored once");
    let stored_position: Vec<usize> = (0..VOTERS).collect();
    let rho = spearman(&cast_index, &stored_position);
    eprintln!("secrecy: Spearman rho of storage order to cast order: {rho:.4}");
    assert!(
        rho.abs() < 0.1,
        "stored ballot order follows cast order: Spearman rho = {rho:.3}"
    );

    // The receipts table is keyed by the receipt id, so it is stored in
    // receipt-id order: that order must not follow cast order either.
    let receipt_rank = ranks(&receipts);
    let cast_order: Vec<usize> = (0..VOTERS).collect();
    let rho = spearman(&cast_order, &receipt_rank);
    eprintln!("secrecy: Spearman rho of receipt order to cast order: {rho:.4}");
    assert!(
        rho.abs() < 0.1,
        "receipt ids follow cast order: Spearman rho = {rho:.3}"
    );
    for receipt in &receipts {
        let found = fx.station.check_receipt(receipt.as_str()).expect("check receipt");
        assert_eq!(found, ReceiptStatus::Recorded { test: false }, "{receipt}");
    }

    // The audit log records that ballots were cast, nothing more.
    let definition = definition();
    let mut words: Vec<String> = Vec::new(); // matched as whole words
    let mut phrases: Vec<String> = Vec::new(); // matched anywhere
    for contest in &definition.contests {
        for candidate in contest.kind.candidates() {
            words.push(candidate.id.as_str().to_lowercase());
            phrases.extend(candidate.name.iter().map(|(_, name)| name.to_lowercase()));
        }
    }
    for receipt in &receipts {
        phrases.push(receipt.as_str().to_lowercase());
        phrases.push(receipt.as_str().replace('-', "").to_lowercase());
    }
    for code in &codes {
        phrases.push(code.to_lowercase());
        phrases.push(code.replace('-', "").to_lowercase());
    }
    phrases.push("voter 0".into());
    phrases.push("write-in".into());

    let log = fx.station.audit_log(10_000).expect("audit log");
    let casts: Vec<_> = log.iter().filter(|e| e.kind == "ballot_cast").collect();
    assert_eq!(casts.len(), VOTERS, "one audit entry per ballot");
    for entry in &casts {
        assert_eq!(
            (entry.actor.as_str(), entry.detail.as_str()),
            ("kiosk", "a ballot was cast"),
            "{entry:?}"
        );
    }
    for entry in &log {
        let text = format!("{} {} {}", entry.actor, entry.kind, entry.detail).to_lowercase();
        let entry_words: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).collect();
        for w in &words {
            assert!(
                !entry_words.contains(&w.as_str()),
                "audit entry {} names candidate {w}: {entry:?}",
                entry.seq
            );
        }
        for p in &phrases {
            assert!(
                !text.contains(p.as_str()),
                "audit entry {} contains {p:?}: {entry:?}",
                entry.seq
            );
        }
    }
}

/// A station file opened the way docs/formats.md tells a passphrase
/// holder to (raw key and salt, SQLCipher 4).
fn open_with_recipe(path: &Path, key: &FileKey) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).expect("open copy");
    conn.execute_batch(&format!(
        "PRAGMA key = \"x'{}{}'\"; PRAGMA cipher_compatibility = 4;",
        hex::encode(*key.key),
        hex::encode(key.salt)
    ))
    .expect("key");
    conn
}

/// The sealed blobs in storage order (the table's key order).
fn stored_blobs(path: &Path, key: &FileKey) -> Vec<Vec<u8>> {
    let conn = open_with_recipe(path, key);
    let mut stmt = conn.prepare("SELECT blob FROM sealed_ballots").expect("query");
    let rows = stmt.query_map([], |r| r.get::<_, Vec<u8>>(0)).expect("rows");
    rows.collect::<rusqlite::Result<_>>().expect("row")
}

/// The (sealed) ballots and receipts in a copy of a station file, read
/// with the passphrase (what an insider holding the passphrase could read).
fn ballots_and_receipts(path: &Path, key: &FileKey) -> (BTreeSet<String>, BTreeSet<String>) {
    let conn = open_with_recipe(path, key);
    let column = |sql: &str| -> BTreeSet<String> {
        let mut stmt = conn.prepare(sql).expect("query");
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).expect("rows");
        rows.collect::<rusqlite::Result<_>>().expect("row")
    };
    (
        column("SELECT hex(blob) FROM sealed_ballots"),
        column("SELECT id FROM receipts"),
    )
}

/// Even someone holding the file and the passphrase must not be able to
/// tell which receipt goes with which ballot ("even with the file, a
/// receipt reveals no choice"). While the polls are open the WAL keeps
/// every commit since the last checkpoint, in order; replaying it commit
/// by commit would show each ballot arriving together with its receipt.
/// Only the latest cast may be exposed (anyone copying the file just before
/// and just after a vote sees that one anyway).
#[test]
fn a_copy_of_the_file_taken_while_voting_does_not_link_receipts_to_ballots() {
    const CASTS: usize = 30;
    let mut fx = Fixture::new();
    fx.open();
    let codes = fx.codes(CASTS);
    for (i, code) in codes.iter().enumerate() {
        let mut ballot = full_ballot();
        ballot.insert("mayor".into(), vec![format!("write-in:{}", voter_name(i))]);
        fx.station.cast_ballot(code, &ballot, &key()).expect("cast");
    }

    // A copy of the file (and its WAL) taken while the polls are open.
    let copies = tempfile::tempdir().expect("tempdir");
    let db = read_outside(&fx.path);
    let wal = fs::read(format!("{}-wal", fx.path.display())).unwrap_or_default();
    let key = file_key(&fx.path);

    // Replay the WAL one frame at a time: SQLite reads a WAL up to its last
    // complete commit, so each prefix shows the file as it was after one
    // of the day's transactions.
    let mut states = Vec::new();
    if wal.len() >= 32 {
        let page_size = u32::from_be_bytes(wal[8..12].try_into().expect("4 bytes")) as usize;
        let frame = 24 + page_size;
        for frames in 0..=(wal.len() - 32) / frame {
            let copy = copies.path().join(format!("after-{frames}-frames.vks"));
            fs::write(&copy, &db).expect("copy file");
            fs::write(format!("{}-wal", copy.display()), &wal[..32 + frames * frame]).expect("copy wal");
            states.push(ballots_and_receipts(&copy, &key));
        }
    } else {
        let copy = copies.path().join("copy.vks");
        fs::write(&copy, &db).expect("copy file");
        states.push(ballots_and_receipts(&copy, &key));
    }

    let mut linked = 0;
    for pair in states.windows(2) {
        let (before, after) = (&pair[0], &pair[1]);
        let new_ballots = after.0.difference(&before.0).count();
        let new_receipts = after.1.difference(&before.1).count();
        if new_ballots == 1 && new_receipts == 1 {
            linked += 1;
        }
    }
    assert!(
        linked <= 1,
        "a copy taken while voting links {linked} of {CASTS} receipts to their ballots (and gives cast order)"
    );
}
