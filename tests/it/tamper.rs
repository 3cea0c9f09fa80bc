//! Tamper evidence and storage-level secrecy of the station file: flipped
//! bytes in any page are refused cleanly (SQLCipher's page HMAC), never a
//! panic or different counts; a truncated WAL loses only a commit that was
//! cut, never part of one; closing the polls rewrites the file so that page
//! numbers no longer follow cast order, and a close cut short before that is
//! finished at the next open.

use std::fs;
use std::path::Path;

use rand::{Rng, SeedableRng};
use rusqlite::Connection;
use votekiosk::store::FileKey;
use votekiosk::{Error, Options, Station};

use crate::crash::assert_consistent;
use crate::support::*;

const PAGE: usize = 4096;

fn raw(path: &Path, key: &FileKey) -> Connection {
    let conn = Connection::open(path).expect("raw open");
    conn.execute_batch(&format!(
        "PRAGMA key = \"x'{}{}'\"; PRAGMA cipher_compatibility = 4;",
        hex::encode(*key.key),
        hex::encode(key.salt)
    ))
    .expect("key");
    conn
}

/// A closed station with `n` ballots (the same file layout on every run);
/// returns it, its key and its receipts.
fn closed(n: usize) -> (Fixture, FileKey, Vec<String>) {
    let mut fx = Fixture::seeded(40);
    fx.open();
    let receipts = fx.cast_and_close(n, |i| {
        let mut b = full_ballot();
        b.insert(
            "mayor".into(),
            vec![format!("write-in:Voter number {i} of the day")],
        );
        b
    });
    let key = file_key(&fx.path);
    (fx, key, receipts)
}

#[test]
fn a_flipped_byte_in_any_page_is_refused_cleanly() {
    let (fx, key, receipts) = closed(40);
    let original = read_outside(&fx.path);
    assert_eq!(original.len() % PAGE, 0);
    let pages = original.len() / PAGE;
    assert!(pages > 10, "a file of {pages} pages");
    // Fixed: the same flips on every run (SQLCipher's per-page IVs still
    // make the bytes differ; the page HMAC refuses a flip whatever they are).
    let seed: u64 = 0xf11b;
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut refused = 0;
    for round in 0..120 {
        // Every page at least once, then random ones; random offsets.
        let page = if round < pages {
            round
        } else {
            rng.gen_range(0..pages)
        };
        let offset = page * PAGE + rng.gen_range(0..PAGE);
        let mut bytes = original.clone();
        bytes[offset] ^= rng.gen_range(1..=255u8);
        let copy = dir.path().join(format!("flip-{round}.vks"));
        fs::write(&copy, &bytes).expect("write copy");
        match Station::open_with_file_key(&copy, key.clone(), Options::default()) {
            Err(Error::Damaged(_)) => refused += 1,
            // Page 1 is what proves the key: damage there cannot be told
            // from a wrong passphrase.
            Err(Error::WrongPassphrase) if page == 0 => refused += 1,
            Err(e) => panic!(
                "flip at byte {offset} (page {}, seed {seed}): unexpected {e:?}",
                page + 1
            ),
            Ok(_) => {
                // Accepted only if nothing readable changed (SQLCipher's
                // salt at the start of page 1 is given with the key here).
                assert!(offset < 16, "flip at byte {offset} (seed {seed}) was accepted");
                assert_eq!(assert_consistent(&copy, &key, &receipts, "salt flip"), 40);
            }
        }
    }
    assert!(refused >= 100, "{refused} refusals");

    // Through the passphrase, as the CLI and the app open files.
    let mut bytes = original.clone();
    bytes[5 * PAGE + 100] ^= 0x01;
    let copy = dir.path().join("flip-passphrase.vks");
    fs::write(&copy, &bytes).expect("write");
    let err = Station::open(&copy, PASSPHRASE, Options::default())
        .err()
        .expect("refused");
    assert_eq!(err.code(), "file_damaged");
    assert!(
        err.to_string().contains("damaged or has been tampered with"),
        "{err}"
    );
    assert_eq!(
        fs::read(&copy).expect("read"),
        bytes,
        "a refused file is left as it was"
    );
}

fn wal_len(path: &Path) -> u64 {
    fs::metadata(format!("{}-wal", path.display()))
        .map(|m| m.len())
        .unwrap_or(0)
}

/// Whether `wal` is a WAL header followed by whole frames, the last of
/// which ends a transaction (a commit frame: its "database size after
/// commit" field, bytes 4..8 of the frame header, is not zero).
fn ends_in_a_commit(wal: &[u8]) -> bool {
    let frame = 24 + PAGE;
    if wal.len() <= 32 || !(wal.len() - 32).is_multiple_of(frame) {
        return false;
    }
    let last = wal.len() - frame;
    wal[last + 4..last + 8] != [0; 4]
}

/// SQLite's WAL checksum (big-endian words, as the `0x377f0683` magic says) of
/// `data`, continuing from `s`.
fn wal_checksum(mut s: (u32, u32), data: &[u8]) -> (u32, u32) {
    for pair in data.chunks_exact(8) {
        let x0 = u32::from_be_bytes([pair[0], pair[1], pair[2], pair[3]]);
        let x1 = u32::from_be_bytes([pair[4], pair[5], pair[6], pair[7]]);
        s.0 = s.0.wrapping_add(x0).wrapping_add(s.1);
        s.1 = s.1.wrapping_add(x1).wrapping_add(s.0);
    }
    s
}

/// The WAL that took the file from `before` to `after` in one commit, as
/// SQLite writes it: a header, then one frame per changed page (its bytes
/// are the page as it lands in the main file, already encrypted), the last
/// one marked as the commit. A checkpoint copies frames into the file
/// verbatim, so these are exactly the bytes the cast's WAL held between
/// its commit and its checkpoint.
fn wal_between(before: &[u8], after: &[u8]) -> Vec<u8> {
    let pages = after.len() / PAGE;
    let changed: Vec<usize> = (0..pages)
        .filter(|&p| before.get(p * PAGE..(p + 1) * PAGE) != Some(&after[p * PAGE..(p + 1) * PAGE]))
        .collect();
    let salt = [0x5a, 0x17, 0x00, 0x01, 0x0c, 0xa5, 0x70, 0x01];
    let mut wal = Vec::new();
    wal.extend(0x377f_0683u32.to_be_bytes());
    wal.extend(3_007_000u32.to_be_bytes());
    wal.extend((PAGE as u32).to_be_bytes());
    wal.extend(0u32.to_be_bytes());
    wal.extend(salt);
    let mut sum = wal_checksum((0, 0), &wal);
    wal.extend(sum.0.to_be_bytes());
    wal.extend(sum.1.to_be_bytes());
    for (i, &page) in changed.iter().enumerate() {
        let commit = if i + 1 == changed.len() { pages as u32 } else { 0 };
        let mut head = Vec::new();
        head.extend((page as u32 + 1).to_be_bytes());
        head.extend(commit.to_be_bytes());
        let content = &after[page * PAGE..(page + 1) * PAGE];
        sum = wal_checksum(wal_checksum(sum, &head), content);
        wal.extend(head);
        wal.extend(salt);
        wal.extend(sum.0.to_be_bytes());
        wal.extend(sum.1.to_be_bytes());
        wal.extend(content);
    }
    wal
}

/// A cast committed to the WAL but not yet checkpointed, then the WAL cut
/// at every frame boundary and inside every frame (after its first byte,
/// after its header, mid-page) and its header: the copy always opens, and
/// holds the cast whole or not at all: all of it only when the WAL keeps
/// its commit frame. While the kiosk runs nothing can hold its checkpoint
/// back (the file is its alone), so the WAL of the cast is rebuilt from the
/// file before and after it: the pages the checkpoint copied, as frames.
#[test]
fn a_truncated_wal_loses_only_a_cut_commit_and_never_part_of_one() {
    let mut fx = Fixture::new();
    fx.open();
    let codes = fx.codes(2);
    let first = fx
        .station
        .cast_ballot(&codes[0], &full_ballot(), &key())
        .expect("first cast")
        .receipt
        .as_str()
        .to_string();
    assert_eq!(wal_len(&fx.path), 0, "the WAL is emptied after a cast");
    let file_key = file_key(&fx.path);
    let db = read_outside(&fx.path);
    let second = fx
        .station
        .cast_ballot(&codes[1], &full_ballot(), &key())
        .expect("second cast")
        .receipt
        .as_str()
        .to_string();
    assert_eq!(wal_len(&fx.path), 0, "the WAL is emptied after a cast");
    let after = read_outside(&fx.path);
    let wal = wal_between(&db, &after);
    assert!(ends_in_a_commit(&wal));
    // The rebuilt WAL replayed on the old file is the new file.
    let check = tempfile::tempdir().expect("tempdir");
    let whole = check.path().join("whole.vks");
    fs::write(&whole, &db).expect("db copy");
    fs::write(format!("{}-wal", whole.display()), &wal).expect("wal copy");
    assert_eq!(
        assert_consistent(&whole, &file_key, &[first.clone(), second.clone()], "rebuilt WAL"),
        2
    );

    let frame = 24 + PAGE;
    let frames = (wal.len() - 32) / frame;
    let mut cuts: Vec<usize> = vec![0, 16, 31];
    for f in 0..=frames {
        let start = 32 + f * frame;
        cuts.push(start);
        if f < frames {
            cuts.extend([start + 1, start + 24, start + 24 + PAGE / 2]);
        }
    }
    let copies = tempfile::tempdir().expect("tempdir");
    for (i, cut) in cuts.into_iter().enumerate() {
        let copy = copies.path().join(format!("cut-{i}.vks"));
        fs::write(&copy, &db).expect("db copy");
        fs::write(format!("{}-wal", copy.display()), &wal[..cut]).expect("wal copy");
        let whole = cut == wal.len();
        let mut reported = vec![first.clone()];
        if whole {
            reported.push(second.clone());
        }
        let label = format!("WAL cut at {cut} of {} bytes", wal.len());
        let ballots = assert_consistent(&copy, &file_key, &reported, &label);
        assert_eq!(ballots, if whole { 2 } else { 1 }, "{label}");
    }
}

/// Leaf pages of the ballots table, in key order (dbstat's path order).
fn ballot_leaf_pages(conn: &Connection) -> Vec<i64> {
    let mut stmt = conn
        .prepare(
            "SELECT pageno FROM dbstat WHERE name = 'sealed_ballots' AND pagetype = 'leaf' ORDER BY path",
        )
        .expect("dbstat");
    let rows = stmt.query_map([], |r| r.get(0)).expect("rows");
    rows.collect::<rusqlite::Result<_>>().expect("row")
}

/// The seed of `closing_the_polls_rewrites_the_file_in_key_order`. Leaf
/// page order before closing depends on the ballot ids (random keys): for
/// some draws (3 seeds of 0..16) the leaves happen to ascend already, and
/// the test, which needs them out of order to prove anything, failed about
/// one run in ten. With a seed every id, code, key and request key, and so
/// the page layout, is the same on every run. With this one the leaves are
/// [17, 20, 21, 32, 31, 29, 28, 24, 23] before closing; should a change of
/// the cast path make its layout ascend, the test fails every time (pick
/// another seed), never one run in ten.
const KEY_ORDER_SEED: u64 = 6;

/// While voting, SQLite allocates pages as the ballots table grows, so the
/// page numbers of its leaves say in which order key ranges filled up (and
/// inside a page, cells sit where free space was when they arrived).
/// Closing the polls runs VACUUM: the table is rebuilt in key order, leaf
/// page numbers ascend with the keys, and no free page remains.
#[test]
fn closing_the_polls_rewrites_the_file_in_key_order() {
    // Seeded station and fixed request keys: every random value that
    // decides where rows land (ballot ids, receipt ids, code and request
    // MACs, the keys behind them) is the same on every run.
    let mut fx = Fixture::seeded(KEY_ORDER_SEED);
    let admin = fx.admin();
    fx.station.enter_test_mode(&admin).expect("test mode");
    for (i, code) in fx.codes(60).iter().enumerate() {
        let mut b = full_ballot();
        b.insert(
            "mayor".into(),
            vec![format!("write-in:Test voter {i:03} with a long name to fill")],
        );
        fx.station.cast_ballot(code, &b, &key_for(i)).expect("test cast");
    }
    fx.open();
    let codes = fx.codes(150);
    for (i, code) in codes.iter().enumerate() {
        let mut b = full_ballot();
        b.insert(
            "mayor".into(),
            vec![format!("write-in:Voter {i:03} with a long enough name to fill")],
        );
        fx.station
            .cast_ballot(code, &b, &key_for(1000 + i))
            .expect("cast");
    }
    let key = file_key(&fx.path);
    // While the kiosk runs, nothing else can read the file: look between
    // two runs of the kiosk.
    let before = fx.while_closed(|path| ballot_leaf_pages(&raw(path, &key)));
    assert!(before.len() >= 4, "{} leaf pages", before.len());
    eprintln!("leaf pages of the ballots table before closing, in key order: {before:?}");
    let ascending = |pages: &[i64]| pages.windows(2).all(|w| w[0] < w[1]);
    assert!(
        !ascending(&before),
        "before closing, leaf pages follow the order they were allocated in: {before:?}"
    );

    let w = fx.worker();
    fx.station.close_polls(&w).expect("close");
    let stand_in = fx.stand_in();
    drop(std::mem::replace(&mut fx.station, stand_in));
    let conn = raw(&fx.path, &key);
    let after = ballot_leaf_pages(&conn);
    assert!(
        ascending(&after),
        "after closing, leaf pages ascend in key order: {after:?}"
    );
    let free: i64 = conn
        .query_row("PRAGMA freelist_count", [], |r| r.get(0))
        .expect("freelist");
    assert_eq!(free, 0, "no free page is left");
    assert_eq!(wal_len(&fx.path), 0, "the WAL is empty after closing");
    let pending: i64 = conn
        .query_row(
            "SELECT count(*) FROM settings WHERE name = 'store.compaction_pending'",
            [],
            |r| r.get(0),
        )
        .expect("pending");
    assert_eq!(pending, 0, "a close that finished leaves no compaction pending");
    drop(conn);
    let reopened = Station::open(&fx.path, PASSPHRASE, fx.options()).expect("reopen");
    assert_eq!(reopened.status().expect("status").turnout.ballots, 150);
    assert_eq!(reopened.verify_audit_chain().expect("chain").first_broken, None);
}

/// A close cut short (power lost between the close's commit and its
/// `VACUUM`) leaves a closed file whose pages still follow cast order. The
/// close records "compaction pending" in its own transaction, so the next
/// open compacts the file, says so in the audit log, and clears the flag.
/// The interrupted close is replayed with the store's own functions, in one
/// transaction, as `close_polls` commits it, and then nothing else.
#[test]
fn an_interrupted_close_is_compacted_when_the_file_is_next_opened() {
    use votekiosk::model::{AuditEvent, Mode};
    use votekiosk::store::{audit::append_audit, ballots, election};

    let mut fx = Fixture::seeded(KEY_ORDER_SEED);
    fx.open();
    for (i, code) in fx.codes(150).iter().enumerate() {
        let mut b = full_ballot();
        b.insert(
            "mayor".into(),
            vec![format!("write-in:Voter {i:03} with a long enough name to fill")],
        );
        fx.station
            .cast_ballot(code, &b, &key_for(1000 + i))
            .expect("cast");
    }
    let key = file_key(&fx.path);
    fx.stop();
    {
        let mut conn = raw(&fx.path, &key);
        let audit_key: Vec<u8> = conn
            .query_row(
                "SELECT value FROM secrets WHERE name = 'audit_hmac_key'",
                [],
                |r| r.get(0),
            )
            .expect("audit key");
        let at = "2026-11-03T20:00:00Z";
        let tx = conn.transaction().expect("begin");
        election::record_closed(&tx, at).expect("closed_at");
        ballots::forget_cast_requests(&tx).expect("cast requests");
        election::record_setting(&tx, "store.compaction_pending", at).expect("pending");
        election::record_mode(&tx, Mode::Closed).expect("mode");
        append_audit(
            &tx,
            &audit_key,
            at,
            WORKER,
            AuditEvent::ModeChanged,
            "open -> closed; 150 ballots",
        )
        .expect("audit");
        tx.commit().expect("commit");
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .expect("checkpoint");
    }
    let ascending = |pages: &[i64]| pages.windows(2).all(|w| w[0] < w[1]);
    let before = ballot_leaf_pages(&raw(&fx.path, &key));
    assert!(
        !ascending(&before),
        "the interrupted close left cast order in the pages: {before:?}"
    );

    // The kiosk starts again.
    fx.start();
    assert_eq!(fx.station.mode().expect("mode"), Mode::Closed);
    let log = fx.station.audit_log(3).expect("audit");
    assert!(
        log.iter()
            .any(|e| e.kind == "error" && e.detail.contains("interrupted before the file was compacted")),
        "the redone compaction is audited: {log:?}"
    );
    assert_eq!(fx.station.verify_audit_chain().expect("chain").first_broken, None);
    fx.stop();
    let conn = raw(&fx.path, &key);
    let after = ballot_leaf_pages(&conn);
    assert!(
        ascending(&after),
        "compacted on open: leaf pages ascend in key order: {after:?}"
    );
    let free: i64 = conn
        .query_row("PRAGMA freelist_count", [], |r| r.get(0))
        .expect("freelist");
    assert_eq!(free, 0, "no free page is left");
    let pending: i64 = conn
        .query_row(
            "SELECT count(*) FROM settings WHERE name = 'store.compaction_pending'",
            [],
            |r| r.get(0),
        )
        .expect("pending");
    assert_eq!(pending, 0, "the flag is cleared once the file is compacted");
    drop(conn);
    assert_eq!(wal_len(&fx.path), 0, "the WAL is empty");

    // Opened again: nothing left to redo, no second entry.
    fx.start();
    let redone = fx
        .station
        .audit_log(100)
        .expect("audit")
        .iter()
        .filter(|e| e.detail.contains("interrupted before the file was compacted"))
        .count();
    assert_eq!(redone, 1);
}
