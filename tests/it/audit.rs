//! The audit log: after a day it tells what happened (never how anyone
//! voted), its hash chain verifies, and an edit made with the passphrase
//! but without the chain's cooperation is caught at the right entry.

use std::path::Path;

use rusqlite::{params, Connection};
use votekiosk::crypto::chain::{entry_hash, EntryFields};
use votekiosk::store::audit::AuditEntry;
use votekiosk::store::{read_salt, FileKey};
use votekiosk::{Error, Station, VoterCode};

use crate::support::*;

/// A day at the station: a mistyped password, logic-and-accuracy testing,
/// opening, voting, a kiosk locked by unknown codes and unlocked, closing.
/// Returns the clear codes that were issued.
fn a_day(fx: &mut Fixture) -> Vec<String> {
    assert!(fx.station.login(WORKER, "not bob's password").is_err());
    let admin = fx.admin();
    fx.station.enter_test_mode(&admin).expect("test mode");
    let mut issued = fx.codes(3);
    fx.station
        .cast_ballot(&issued[0], &full_ballot(), &key())
        .expect("test ballot");
    fx.open();
    let codes = fx.codes(5);
    for code in &codes[..3] {
        fx.station
            .cast_ballot(code, &full_ballot(), &key())
            .expect("cast");
    }
    for _ in 0..5 {
        let unknown = VoterCode::random(&mut rand::rngs::OsRng).display();
        assert!(matches!(fx.station.check_code(&unknown), Err(Error::CodeUnknown)));
    }
    assert!(matches!(
        fx.station.check_code(&codes[3]),
        Err(Error::KioskLocked)
    ));
    let worker = fx.worker();
    fx.station.unlock_voting(&worker).expect("unlock");
    fx.station
        .cast_ballot(&codes[3], &full_ballot(), &key())
        .expect("cast after unlock");
    let worker = fx.worker();
    fx.station.close_polls(&worker).expect("close polls");
    issued.extend(codes);
    issued
}

fn entries(fx: &Fixture) -> Vec<AuditEntry> {
    fx.station.audit_log(10_000).expect("audit log")
}

#[test]
fn after_a_day_the_chain_verifies_and_every_event_is_there() {
    let mut fx = Fixture::new();
    let codes = a_day(&mut fx);

    let log = entries(&fx);
    let chain = fx.reopen().verify_audit_chain().expect("verify chain");
    assert_eq!(chain.first_broken, None, "the chain verifies after the day");
    assert_eq!(chain.length, log.len() as u64);
    assert_eq!(chain.head.len(), 64, "the head is a SHA-256 in hex");
    let seqs: Vec<i64> = log.iter().map(|e| e.seq).collect();
    assert_eq!(
        seqs,
        (1..=log.len() as i64).collect::<Vec<_>>(),
        "entries are numbered from 1 without gaps"
    );

    let find = |kind: &str, actor: &str, detail: &str| -> i64 {
        log.iter()
            .find(|e| e.kind == kind && e.actor == actor && e.detail.contains(detail))
            .unwrap_or_else(|| panic!("no {kind} entry by {actor} saying {detail:?}: {log:#?}"))
            .seq
    };
    let definition = definition();
    let setup = find("setup", ADMIN, STATION_ID);
    assert_eq!(setup, 1, "setup is the first entry");
    assert!(
        log[0].detail.contains(&definition.hash().to_hex()),
        "setup names the definition"
    );
    let login_ok = find("login_ok", WORKER, "poll_worker");
    let login_failed = find("login_failed", WORKER, "wrong password");
    let to_test = find("mode_changed", ADMIN, "setup -> test");
    let test_batch = find("codes_issued", WORKER, "3 test codes");
    let test_ballot = find("ballot_cast", "kiosk", "a test ballot was cast");
    let opened = find("mode_changed", WORKER, "test -> open");
    let batch = find("codes_issued", WORKER, "5 codes");
    let first_ballot = find("ballot_cast", "kiosk", "a ballot was cast");
    let locked = find("code_refused", "kiosk", "voting locked");
    let unlocked = find("voting_unlocked", WORKER, "");
    let closed = find("mode_changed", WORKER, "open -> closed");
    assert!(
        setup < login_failed
            && login_failed < to_test
            && to_test < test_batch
            && test_batch < test_ballot
            && test_ballot < opened
            && opened < batch
            && batch < first_ballot
            && first_ballot < locked
            && locked < unlocked
            && unlocked < closed,
        "events out of order: {log:#?}"
    );
    assert!(login_ok < closed);
    assert!(log
        .iter()
        .any(|e| e.kind == "official_added" && e.detail.contains(WORKER)));
    assert!(
        log.iter().filter(|e| e.kind == "code_refused").count() >= 5,
        "each unknown code audited"
    );

    // Code batches: a count, never the codes.
    for entry in log.iter().filter(|e| e.kind == "codes_issued") {
        for code in &codes {
            assert!(
                !entry.detail.contains(code.as_str()),
                "batch entry shows a code: {entry:?}"
            );
            assert!(
                !entry.detail.contains(&code.replace('-', "")),
                "batch entry shows a code: {entry:?}"
            );
        }
    }
    // Ballots: that one was cast, never what it held.
    let casts: Vec<&AuditEntry> = log.iter().filter(|e| e.kind == "ballot_cast").collect();
    assert_eq!(casts.len(), 5, "one test ballot and four ballots");
    for entry in casts {
        assert!(
            ["a ballot was cast", "a test ballot was cast"].contains(&entry.detail.as_str()),
            "ballot entry says more than that a ballot was cast: {entry:?}"
        );
    }
}

/// A raw SQLCipher connection to the station file, keyed the way the store
/// keys it: what someone holding the passphrase could do behind the
/// station's back.
fn raw_connection(path: &Path) -> Connection {
    let key = FileKey::derive(PASSPHRASE, read_salt(path).expect("salt")).expect("derive key");
    let conn = Connection::open(path).expect("open raw connection");
    conn.execute_batch(&format!(
        "PRAGMA key = \"x'{}{}'\";",
        hex::encode(*key.key),
        hex::encode(key.salt)
    ))
    .expect("key");
    conn.execute_batch("PRAGMA cipher_compatibility = 4;")
        .expect("compatibility");
    let n: i64 = conn
        .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
        .expect("the key works");
    assert!(n > 6, "a day leaves more than six entries");
    conn
}

/// Opening the file must refuse it as damaged, naming `entry`.
fn assert_open_refused_at(fx: &Fixture, entry: &str) -> String {
    let err = Station::open(&fx.path, PASSPHRASE, fx.options())
        .err()
        .expect("a tampered file is refused");
    assert!(matches!(err, Error::Damaged(_)), "{err:?}");
    assert_eq!(err.code(), "file_damaged");
    let message = err.to_string();
    assert!(
        message.contains(entry),
        "the error does not name {entry:?}: {message}"
    );
    message
}

#[test]
fn the_audit_table_refuses_updates_and_deletes() {
    let mut fx = Fixture::new();
    a_day(&mut fx);
    let before = entries(&fx);
    // Behind the station's back: between two runs of the kiosk (while it
    // runs, the file is its alone).
    fx.stop();
    let conn = raw_connection(&fx.path);

    let update = conn.execute("UPDATE audit SET detail = 'nothing happened' WHERE seq = 5", []);
    let err = update.expect_err("an update of the audit log is refused");
    assert!(err.to_string().contains("append-only"), "{err}");
    let delete = conn.execute("DELETE FROM audit WHERE seq = 5", []);
    let err = delete.expect_err("a delete from the audit log is refused");
    assert!(err.to_string().contains("append-only"), "{err}");
    let wipe = conn.execute("DELETE FROM audit", []);
    assert!(wipe
        .expect_err("wiping the log is refused")
        .to_string()
        .contains("append-only"));
    drop(conn);

    fx.start();
    assert_eq!(entries(&fx), before, "the log is unchanged");
    assert_eq!(
        fx.station.verify_audit_chain().expect("verify").first_broken,
        None
    );
}

#[test]
fn an_edited_entry_is_caught_at_that_entry() {
    let mut fx = Fixture::new();
    a_day(&mut fx);
    fx.stop();
    let conn = raw_connection(&fx.path);
    conn.execute_batch("DROP TRIGGER audit_no_update")
        .expect("drop trigger");
    let n = conn
        .execute("UPDATE audit SET detail = 'nothing happened' WHERE seq = 5", [])
        .expect("edit entry 5");
    assert_eq!(n, 1);
    drop(conn);

    let message = assert_open_refused_at(&fx, "audit log entry 5:");
    assert!(message.contains("altered"), "{message}");
}

#[test]
fn an_edit_with_a_valid_mac_is_caught_at_the_next_entry() {
    let mut fx = Fixture::new();
    a_day(&mut fx);
    fx.stop();
    let conn = raw_connection(&fx.path);
    conn.execute_batch("DROP TRIGGER audit_no_update")
        .expect("drop trigger");
    let audit_key: Vec<u8> = conn
        .query_row(
            "SELECT value FROM secrets WHERE name = 'audit_hmac_key'",
            [],
            |r| r.get(0),
        )
        .expect("audit key");
    let (at, actor, kind, prev): (String, String, String, Vec<u8>) = conn
        .query_row("SELECT at, actor, kind, prev FROM audit WHERE seq = 5", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .expect("entry 5");
    let detail = "nothing happened";
    let prev: [u8; 32] = prev.try_into().expect("32-byte prev");
    let hash = entry_hash(
        &prev,
        &EntryFields {
            seq: 5,
            at: &at,
            actor: &actor,
            kind: &kind,
            detail,
        },
    );
    let mac = votekiosk::crypto::hmac(&audit_key, &[&hash]);
    conn.execute(
        "UPDATE audit SET detail = ?1, mac = ?2 WHERE seq = 5",
        params![detail, mac.as_slice()],
    )
    .expect("edit entry 5 and its MAC");
    drop(conn);

    assert_open_refused_at(&fx, "audit log entry 6: the entry does not follow entry 5");
}

#[test]
fn a_removed_entry_is_caught_at_the_entry_after_the_gap() {
    let mut fx = Fixture::new();
    a_day(&mut fx);
    fx.stop();
    let conn = raw_connection(&fx.path);
    conn.execute_batch("DROP TRIGGER audit_no_delete")
        .expect("drop trigger");
    assert_eq!(
        conn.execute("DELETE FROM audit WHERE seq = 5", [])
            .expect("remove entry 5"),
        1
    );
    drop(conn);

    assert_open_refused_at(&fx, "audit log entry 6: entry 5 is missing");
}

#[test]
fn a_file_from_a_newer_votekiosk_is_refused_and_left_alone() {
    let mut fx = Fixture::new();
    fx.open();
    fx.codes(2);
    let Fixture {
        path,
        station,
        dir: _dir,
        ..
    } = fx;
    drop(station);
    {
        let conn = raw_connection(&path);
        conn.execute_batch("PRAGMA user_version = 99;")
            .expect("bump version");
    }
    let e = votekiosk::Station::open(&path, PASSPHRASE, votekiosk::Options::default())
        .err()
        .expect("a newer file is refused");
    assert_eq!(e.code(), "file_too_new");
    assert!(e.to_string().contains("newer votekiosk"), "{e}");
    let conn = raw_connection(&path);
    let version: u32 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(version, 99, "the file was not downgraded or migrated");
}
