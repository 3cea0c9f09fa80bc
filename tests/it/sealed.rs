//! Ballots sealed at cast (issue 13), played as attacks: a poll worker with
//! the passphrase opens the file with the documented recipe and reads no
//! choice; two copies of the file around one cast give a storage id and a
//! blob that no export or report contains; every record has one length;
//! one slip of a 2-of-3 closing key cannot count and every two can, alike;
//! a wrong PIN, another station's slip or a garbled payload changes
//! nothing; a test ballot slipped into an official station stops the count.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use votekiosk::station::{ShareSlip, SlipUnlock};
use votekiosk::store::{read_salt, FileKey};
use votekiosk::{Error, Mode, Station};
use zeroize::Zeroizing;

use crate::support::*;

/// A write-in no election file or report would hold by chance.
const WRITE_IN: &str = "Zebulon Quartermaine";
/// A write-in of 60 characters of 4 bytes each: the longest there is.
fn widest_write_in() -> String {
    "\u{1F5F3}".repeat(60)
}

/// Opens a station file the way docs/formats.md ("The station file") tells
/// a passphrase holder to: SQLCipher 4, the raw Argon2id key and the salt.
fn open_with_recipe(path: &Path) -> rusqlite::Connection {
    let key = FileKey::derive(PASSPHRASE, read_salt(path).expect("salt")).expect("derive key");
    let conn = rusqlite::Connection::open(path).expect("open file");
    conn.execute_batch(&format!(
        "PRAGMA key = \"x'{}{}'\"; PRAGMA cipher_compatibility = 4;",
        hex::encode(*key.key),
        hex::encode(key.salt)
    ))
    .expect("key");
    conn
}

/// A copy of the station file (and its WAL), as a passphrase holder takes it.
fn copy_of(path: &Path, to: &Path) -> PathBuf {
    fs::copy(path, to).expect("copy file");
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    if wal.is_file() {
        fs::copy(&wal, format!("{}-wal", to.display())).expect("copy wal");
    }
    to.to_path_buf()
}

/// Every sealed ballot row of a copy: (storage id, test, blob).
fn sealed_rows(path: &Path) -> BTreeSet<(Vec<u8>, i64, Vec<u8>)> {
    let conn = open_with_recipe(path);
    let mut stmt = conn
        .prepare("SELECT id, test, blob FROM sealed_ballots")
        .expect("query");
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("rows");
    rows.collect::<rusqlite::Result<_>>().expect("row")
}

/// The whole database decrypted into a plain SQLite file (`sqlcipher_export`),
/// every page a passphrase holder can read, as bytes.
fn decrypted_bytes(path: &Path, scratch: &Path) -> Vec<u8> {
    let plain = scratch.join("plain.sqlite");
    let conn = open_with_recipe(path);
    conn.execute_batch(&format!(
        "ATTACH DATABASE '{}' AS plain KEY ''; SELECT sqlcipher_export('plain'); DETACH DATABASE plain;",
        plain.display()
    ))
    .expect("export decrypted copy");
    drop(conn);
    fs::read(&plain).expect("read decrypted copy")
}

/// Every value of every column of every table but the stored definition,
/// as text (blobs in hex and as lossy UTF-8).
fn every_column(path: &Path) -> Vec<(String, String)> {
    let conn = open_with_recipe(path);
    let tables: Vec<String> = {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
            .expect("tables");
        let rows = stmt.query_map([], |r| r.get(0)).expect("rows");
        rows.collect::<rusqlite::Result<_>>().expect("row")
    };
    let mut out = Vec::new();
    for table in tables {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM \"{table}\""))
            .expect("select");
        let names: Vec<String> = stmt.column_names().iter().map(|n| n.to_string()).collect();
        let mut rows = stmt.query([]).expect("rows");
        while let Some(row) = rows.next().expect("row") {
            for (i, name) in names.iter().enumerate() {
                if table == "election" && name == "definition" {
                    continue; // the definition names every candidate, by design
                }
                let text = match row.get_ref(i).expect("value") {
                    rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    rusqlite::types::ValueRef::Blob(b) => {
                        format!("{} {}", hex::encode(b), String::from_utf8_lossy(b))
                    }
                    other => format!("{other:?}"),
                };
                out.push((format!("{table}.{name}"), text));
            }
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_passphrase_holder_with_the_documented_recipe_reads_no_choice() {
    let mut fx = Fixture::seeded(131);
    fx.open();
    let codes = fx.codes(12);
    let wide = widest_write_in();
    for (i, code) in codes.iter().enumerate() {
        let mut ballot = full_ballot();
        if i % 3 == 0 {
            ballot.insert("mayor".into(), vec![format!("write-in:{WRITE_IN}")]);
        }
        if i == 5 {
            ballot.insert("mayor".into(), vec![format!("write-in:{wide}")]);
        }
        fx.station.cast_ballot(code, &ballot, &key_for(i)).expect("cast");
    }
    let scratch = tempfile::tempdir().expect("tempdir");
    let copy = copy_of(&fx.path, &scratch.path().join("copy.vks"));

    // Every row of every table but the definition: no candidate id or
    // name, no write-in.
    let definition = definition();
    let mut words: Vec<String> = vec![WRITE_IN.into(), wide.clone(), "write-in".into()];
    for contest in &definition.contests {
        for candidate in contest.kind.candidates() {
            words.push(candidate.id.as_str().to_string());
            words.extend(candidate.name.iter().map(|(_, n)| n.to_string()));
        }
    }
    words.extend(["yes".to_string(), "\"no\"".to_string()]);
    let columns = every_column(&copy);
    assert!(
        columns.iter().any(|(c, _)| c == "sealed_ballots.blob"),
        "the sealed ballots were read"
    );
    for (column, text) in &columns {
        let lower = text.to_lowercase();
        for word in &words {
            // Whole words only: a hex dump or an audit sentence may hold
            // a short id's letters by chance ("kim" in "skim").
            let found = lower
                .split(|c: char| !c.is_alphanumeric() && c != '-' && c != '"')
                .any(|w| w == word.to_lowercase());
            assert!(!found, "{column} holds {word:?}: {text}");
        }
    }
    // Every decrypted page: the write-ins nowhere, in any case.
    let pages = decrypted_bytes(&copy, scratch.path());
    assert!(pages.len() > 4096, "the decrypted copy was read");
    for secret in [
        WRITE_IN.to_string(),
        WRITE_IN.to_uppercase(),
        WRITE_IN.to_lowercase(),
        wide,
    ] {
        assert!(!contains(&pages, secret.as_bytes()), "a page holds {secret:?}");
    }
}

/// Base64 (RFC 4648) without padding, in the standard or URL alphabet.
fn base64(bytes: &[u8], url: bool) -> String {
    let alphabet: &[u8] = if url {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    } else {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    };
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(alphabet[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// Every form an id or a blob might take in a text file.
fn forms(bytes: &[u8]) -> Vec<String> {
    let b64 = base64(bytes, false);
    let b64url = base64(bytes, true);
    vec![
        hex::encode(bytes),
        hex::encode_upper(bytes),
        b64.trim_end_matches('=').to_string(),
        b64url,
    ]
}

#[test]
fn two_copies_around_one_cast_give_a_storage_id_and_blob_that_no_export_or_report_holds() {
    let mut fx = Fixture::seeded(132);
    fx.open();
    let codes = fx.codes(6);
    for (i, code) in codes.iter().take(5).enumerate() {
        fx.station
            .cast_ballot(code, &full_ballot(), &key_for(i))
            .expect("cast");
    }
    let scratch = tempfile::tempdir().expect("tempdir");
    let before = sealed_rows(&copy_of(&fx.path, &scratch.path().join("before.vks")));
    let mut ballot = full_ballot();
    ballot.insert("mayor".into(), vec![format!("write-in:{WRITE_IN}")]);
    fx.station
        .cast_ballot(&codes[5], &ballot, &key_for(5))
        .expect("the watched cast");
    let after = sealed_rows(&copy_of(&fx.path, &scratch.path().join("after.vks")));

    // The attacker's diff: exactly the watched cast's row.
    let new: Vec<_> = after.difference(&before).collect();
    assert_eq!(new.len(), 1, "one new sealed ballot");
    assert_eq!(after.len(), before.len() + 1);
    let (storage_id, test, blob) = new[0];
    assert_eq!((storage_id.len(), *test), (16, 0));
    assert!(
        !contains(blob, WRITE_IN.as_bytes()),
        "the blob holds the write-in in clear"
    );

    // The result the station publishes, the results report and the tally:
    // none holds the storage id or the blob, in any form.
    let w = fx.worker();
    fx.station.close_polls(&w).expect("close");
    fx.count();
    let export = String::from_utf8(
        fx.station
            .export(&w, false, "results.jsonl")
            .expect("export")
            .result,
    )
    .expect("UTF-8");
    let report = fx
        .station
        .results_report(election_noon())
        .expect("report")
        .to_pdf()
        .expect("pdf");
    let tally = serde_json::to_string(&fx.station.tally().expect("tally")).expect("json");
    assert!(
        export.contains(WRITE_IN),
        "the watched ballot is counted and published"
    );
    for form in forms(storage_id).into_iter().chain(forms(blob)) {
        assert!(!export.contains(&form), "the export holds {form}");
        assert!(!tally.contains(&form), "the tally holds {form}");
        assert!(!contains(&report, form.as_bytes()), "the report holds {form}");
    }
    // Nor does any part of the storage id turn up as a record id.
    let record_ids: Vec<String> = fx
        .station
        .counted()
        .expect("counted")
        .iter()
        .map(|r| hex::encode(r.record_id))
        .collect();
    assert!(
        export.contains(&record_ids[0]),
        "the export lists the public record ids"
    );
    let storage_hex = hex::encode(storage_id);
    for id in &record_ids {
        assert_ne!(id, &storage_hex);
        assert!(
            !id.contains(&storage_hex[..8]),
            "a record id shares the storage id's start"
        );
    }
}

#[test]
fn every_sealed_record_of_a_definition_has_one_length() {
    let mut fx = Fixture::seeded(133);
    let wide = format!("write-in:{}", widest_write_in());
    let ballots = [
        sel(&[]),
        full_ballot(),
        sel(&[("mayor", &[wide.as_str()]), ("library-bond", &["no"])]),
        sel(&[("council", &["diaz"]), ("school-board", &["moore"])]),
    ];
    // Test ballots (test key) ...
    let admin = fx.admin();
    fx.station.enter_test_mode(&admin).expect("test mode");
    let codes = fx.codes(ballots.len());
    for (i, (code, ballot)) in codes.iter().zip(&ballots).enumerate() {
        fx.station
            .cast_ballot(code, ballot, &key_for(i))
            .expect("test cast");
    }
    let length = votekiosk::seal::record_length(fx.station.definition());
    let test = fx.station.sealed_records(true).expect("test records");
    assert_eq!(test.len(), ballots.len());
    // ... and official ones (office and closing keys).
    fx.open();
    let codes = fx.codes(ballots.len());
    for (i, (code, ballot)) in codes.iter().zip(&ballots).enumerate() {
        fx.station
            .cast_ballot(code, ballot, &key_for(100 + i))
            .expect("cast");
    }
    let official = fx.station.sealed_records(false).expect("records");
    assert_eq!(official.len(), ballots.len());
    for record in test.iter().chain(&official) {
        assert_eq!(record.len(), length, "a record of another length");
    }
    assert_eq!(
        length,
        188 + votekiosk::seal::plaintext_length(fx.station.definition())
    );
}

/// A 3-worker, 2-of-3 closing key on a fresh station; returns the slips.
fn two_of_three(fx: &mut Fixture) -> Vec<ShareSlip> {
    let admin = fx.admin();
    let workers: Vec<(String, Zeroizing<String>)> =
        [("alice", "10203040"), ("bob", "50607080"), ("carol", "90817263")]
            .iter()
            .map(|(n, p)| (n.to_string(), Zeroizing::new(p.to_string())))
            .collect();
    fx.station
        .init_closing_key(&admin, &workers, 2)
        .expect("closing key")
}

fn unlock(slip: &ShareSlip) -> SlipUnlock {
    let pin = match slip.index {
        1 => "10203040",
        2 => "50607080",
        _ => "90817263",
    };
    SlipUnlock {
        payload: slip.payload.to_string(),
        pin: Zeroizing::new(pin.to_string()),
    }
}

#[test]
fn one_slip_of_two_of_three_cannot_count_and_every_two_count_the_same() {
    let mut fx = Fixture::seeded(134);
    let slips = two_of_three(&mut fx);
    assert_eq!(slips.len(), 3);
    let info = fx.station.closing_key().expect("read").expect("made");
    assert_eq!((info.threshold, info.slips, info.generation), (2, 3, 1));
    assert!(slips.iter().all(|s| s.fingerprint == info.fingerprint));
    let log = fx.station.audit_log(5).expect("audit");
    let made = log
        .iter()
        .find(|e| e.kind == "closing_key_made")
        .expect("audited");
    assert!(
        made.detail.contains("2 of 3") && made.detail.contains(&info.fingerprint),
        "{made:?}"
    );
    for pin in ["10203040", "50607080", "90817263"] {
        assert!(!made.detail.contains(pin), "the audit names a PIN");
    }
    let w = fx.worker();
    fx.station.open_polls(&w).expect("open");
    let codes = fx.codes(4);
    for (i, code) in codes.iter().enumerate() {
        let ballot = if i == 0 {
            sel(&[("mayor", &[&format!("write-in:{WRITE_IN}")])])
        } else {
            full_ballot()
        };
        fx.station.cast_ballot(code, &ballot, &key_for(i)).expect("cast");
    }
    fx.station.close_polls(&w).expect("close");

    for slip in &slips {
        let err = fx.station.count(&w, &[unlock(slip)]).expect_err("one slip");
        assert!(
            matches!(err, Error::NotEnoughSlips { needed: 2, given: 1 }),
            "{err:?}"
        );
        assert!(fx.station.counted().is_none());
        assert!(matches!(fx.station.tally(), Err(Error::CountFirst)));
    }
    // The same slip twice is one slip.
    let err = fx
        .station
        .count(&w, &[unlock(&slips[0]), unlock(&slips[0])])
        .expect_err("a slip twice");
    assert!(matches!(err, Error::SlipMismatch(_)), "{err:?}");

    let mut outcomes = Vec::new();
    for pair in [[0, 1], [0, 2], [1, 2]] {
        let summary = fx
            .station
            .count(&w, &[unlock(&slips[pair[0]]), unlock(&slips[pair[1]])])
            .expect("two slips count");
        assert_eq!(summary.ballots, 4);
        assert_eq!(summary.slips, vec![pair[0] as u8 + 1, pair[1] as u8 + 1]);
        let tally = fx.station.tally().expect("tally");
        let ids: Vec<[u8; 16]> = fx
            .station
            .counted()
            .expect("counted")
            .iter()
            .map(|r| r.record_id)
            .collect();
        outcomes.push((serde_json::to_string(&tally.contests).expect("json"), ids));
        let entry = fx.station.audit_log(1).expect("audit").remove(0);
        assert_eq!(entry.kind, "ballots_counted");
        assert_eq!(
            entry.detail,
            format!("counted by slips {}, {}: 4 ballots", pair[0] + 1, pair[1] + 1)
        );
    }
    assert!(
        outcomes.windows(2).all(|w| w[0] == w[1]),
        "every pair counts the same records"
    );
    assert!(outcomes[0].0.contains(WRITE_IN));
}

#[test]
fn a_wrong_pin_another_station_s_slip_or_a_garbled_payload_changes_nothing() {
    let mut fx = Fixture::seeded(135);
    let slips = two_of_three(&mut fx);
    let mut other = Fixture::seeded(136);
    let other_slips = two_of_three(&mut other);
    let w = fx.worker();
    fx.station.open_polls(&w).expect("open");
    let codes = fx.codes(1);
    fx.station
        .cast_ballot(&codes[0], &full_ballot(), &key_for(0))
        .expect("cast");
    fx.station.close_polls(&w).expect("close");

    let garbled = {
        let mut p = slips[1].payload.to_string();
        let at = p.len() - 10;
        let c = if &p[at..at + 1] == "A" { "B" } else { "A" };
        p.replace_range(at..at + 1, c);
        p
    };
    let wrong_pin = SlipUnlock {
        payload: slips[1].payload.to_string(),
        pin: Zeroizing::new("99999999".into()),
    };
    type Case = (&'static str, Vec<SlipUnlock>, fn(&Error) -> bool);
    let cases: Vec<Case> = vec![
        ("a wrong PIN", vec![unlock(&slips[0]), wrong_pin], |e| {
            matches!(e, Error::WrongPin { index: 2 })
        }),
        (
            "another station's slip",
            vec![unlock(&slips[0]), unlock(&other_slips[1])],
            |e| matches!(e, Error::SlipMismatch(m) if m.contains("another station")),
        ),
        (
            "a garbled payload",
            vec![
                unlock(&slips[0]),
                SlipUnlock {
                    payload: garbled,
                    pin: Zeroizing::new("50607080".into()),
                },
            ],
            |e| {
                matches!(
                    e,
                    Error::WrongPin { .. } | Error::SlipMalformed(_) | Error::SlipMismatch(_)
                )
            },
        ),
        (
            "no payload at all",
            vec![
                unlock(&slips[0]),
                SlipUnlock {
                    payload: "hello".into(),
                    pin: Zeroizing::new("50607080".into()),
                },
            ],
            |e| matches!(e, Error::SlipMalformed(_)),
        ),
    ];
    for (what, unlocks, expected) in cases {
        let before = snapshot(&fx.station);
        let audit_before = fx.station.audit_log(10_000).expect("audit").len();
        let err = fx.station.count(&w, &unlocks).expect_err(what);
        assert!(expected(&err), "{what}: {err:?}");
        assert!(!err.to_string().is_empty());
        assert_eq!(snapshot(&fx.station), before, "{what} changed the station");
        assert!(fx.station.counted().is_none(), "{what} counted");
        assert_eq!(fx.station.mode().expect("mode"), Mode::Closed);
        assert!(matches!(fx.station.tally(), Err(Error::CountFirst)));
        let log = fx.station.audit_log(10_000).expect("audit");
        assert_eq!(
            log.len(),
            audit_before + 1,
            "{what}: exactly the failure is audited"
        );
        let entry = log.last().expect("entry");
        assert_eq!(entry.kind, "refused", "{what}");
        for secret in ["99999999", "50607080", "10203040"] {
            assert!(!entry.detail.contains(secret), "{what}: the audit names a PIN");
        }
    }
    // The right slips still count.
    fx.station
        .count(&w, &[unlock(&slips[0]), unlock(&slips[1])])
        .expect("count");
}

#[test]
fn five_wrong_pins_in_a_row_lock_counting() {
    let mut fx = Fixture::seeded(137);
    let slips = two_of_three(&mut fx);
    let w = fx.worker();
    fx.station.open_polls(&w).expect("open");
    fx.station.close_polls(&w).expect("close");
    let wrong = || SlipUnlock {
        payload: slips[2].payload.to_string(),
        pin: Zeroizing::new("00000000".into()),
    };
    for n in 1..=4 {
        let err = fx
            .station
            .count(&w, &[unlock(&slips[0]), wrong()])
            .expect_err("wrong PIN");
        assert!(
            matches!(err, Error::WrongPin { index: 3 }),
            "attempt {n}: {err:?}"
        );
    }
    let err = fx
        .station
        .count(&w, &[unlock(&slips[0]), wrong()])
        .expect_err("fifth");
    assert!(matches!(err, Error::SlipsLocked { seconds: 30 }), "{err:?}");
    // Locked: even the right PINs wait.
    let err = fx
        .station
        .count(&w, &[unlock(&slips[0]), unlock(&slips[2])])
        .expect_err("locked");
    assert!(matches!(err, Error::SlipsLocked { .. }), "{err:?}");
    fx.clock.advance(chrono::Duration::seconds(31));
    fx.station
        .count(&w, &[unlock(&slips[0]), unlock(&slips[2])])
        .expect("after the lockout");
    let log = fx.station.audit_log(20).expect("audit");
    assert!(log
        .iter()
        .any(|e| e.detail.contains("wrong PIN for slip 3 (5 in a row)")));
}

#[test]
fn a_test_ballot_slipped_into_an_official_station_stops_the_count() {
    let mut fx = Fixture::seeded(138);
    let admin = fx.admin();
    fx.station.enter_test_mode(&admin).expect("test mode");
    let codes = fx.codes(1);
    fx.station
        .cast_ballot(&codes[0], &sel(&[("library-bond", &["yes"])]), &key_for(0))
        .expect("test cast");
    let test_blob = fx.station.sealed_records(true).expect("test records").remove(0);
    fx.open();
    let codes = fx.codes(3);
    for (i, code) in codes.iter().enumerate() {
        fx.station
            .cast_ballot(code, &full_ballot(), &key_for(10 + i))
            .expect("cast");
    }
    let w = fx.worker();
    fx.station.close_polls(&w).expect("close");
    let unlocks = fx.unlocks();
    let Fixture {
        dir,
        path,
        clock,
        station,
        ..
    } = fx;
    drop(station);

    // The passphrase holder adds the test ballot as an official one.
    let conn = open_with_recipe(&path);
    conn.execute(
        "INSERT INTO sealed_ballots (id, test, blob) VALUES (?1, 0, ?2)",
        rusqlite::params![[7u8; 16].as_slice(), test_blob],
    )
    .expect("insert");
    drop(conn);

    let mut station = Station::open(&path, PASSPHRASE, Fixture::options_for(&clock)).expect("reopen");
    let records = station.sealed_records(false).expect("records");
    let position = records.iter().position(|r| *r == test_blob).expect("inserted") + 1;
    let w = station.login(WORKER, WORKER_PASSWORD).expect("login");
    let err = station.count(&w, &unlocks).expect_err("the count stops");
    assert!(
        matches!(err, Error::TestBallotInOfficialCount { position: p } if p == position),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("a test ballot in an official count"),
        "{err}"
    );
    assert!(err.to_string().contains(&format!("record {position}")), "{err}");
    assert!(station.counted().is_none());
    assert!(matches!(station.tally(), Err(Error::CountFirst)));
    drop(dir);
}

#[test]
fn the_polls_open_for_real_only_with_a_closing_key() {
    let mut fx = Fixture::seeded(139);
    let w = fx.worker();
    let before = snapshot(&fx.station);
    let err = fx.station.open_polls(&w).expect_err("no closing key");
    assert!(matches!(err, Error::NoClosingKey), "{err:?}");
    assert_eq!(snapshot(&fx.station), before);
    assert_eq!(fx.station.mode().expect("mode"), Mode::Setup);
    // A poll worker cannot make it; bad setups are refused.
    let pins = |names: &[&str]| -> Vec<(String, Zeroizing<String>)> {
        names
            .iter()
            .map(|n| (n.to_string(), Zeroizing::new("12345678".into())))
            .collect()
    };
    assert!(matches!(
        fx.station.init_closing_key(&w, &pins(&["a", "b"]), 2),
        Err(Error::NotAllowed { .. })
    ));
    let admin = fx.admin();
    for (workers, k) in [(vec!["a"], 1), (vec!["a", "b"], 3), (vec!["a", "a"], 2)] {
        let err = fx
            .station
            .init_closing_key(&admin, &pins(&workers), k)
            .expect_err("bad setup");
        assert!(matches!(err, Error::BadClosingKey(_)), "{workers:?} {k}: {err:?}");
    }
    let short = [("a".to_string(), Zeroizing::new("1234".to_string()))];
    let err = fx
        .station
        .init_closing_key(
            &admin,
            &[short[0].clone(), ("b".into(), Zeroizing::new("12345678".into()))],
            2,
        )
        .expect_err("short PIN");
    assert!(matches!(err, Error::WeakPin { .. }), "{err:?}");
    assert!(fx.station.closing_key().expect("read").is_none());

    // Made twice before opening: the first slips are void.
    fx.closing_key();
    let first = std::mem::take(&mut fx.slips);
    fx.closing_key();
    assert_eq!(
        fx.station.closing_key().expect("read").expect("made").generation,
        2
    );
    fx.open();
    fx.station.close_polls(&w).expect("close");
    let old: Vec<SlipUnlock> = first
        .iter()
        .map(|s| SlipUnlock {
            payload: s.payload.to_string(),
            pin: Zeroizing::new(SLIP_HOLDERS[s.index as usize - 1].1.to_string()),
        })
        .collect();
    let err = fx.station.count(&w, &old).expect_err("void slips");
    assert!(
        matches!(err, Error::SlipMismatch(ref m) if m.contains("generation 1")),
        "{err:?}"
    );
    // After the polls open, the key never changes.
    let admin = fx.admin();
    let err = fx
        .station
        .init_closing_key(&admin, &pins(&["a", "b"]), 2)
        .expect_err("closed");
    assert!(matches!(err, Error::WrongMode { .. }), "{err:?}");
    fx.count();
}

#[test]
fn a_version_1_station_file_is_refused() {
    let fx = Fixture::seeded(140);
    let Fixture {
        dir,
        path,
        clock,
        station,
        ..
    } = fx;
    drop(station);
    let conn = open_with_recipe(&path);
    conn.execute_batch("PRAGMA user_version = 1;")
        .expect("mark as v1");
    drop(conn);
    let err = Station::open(&path, PASSPHRASE, Fixture::options_for(&clock))
        .err()
        .expect("a v1 file is refused");
    assert!(matches!(err, Error::FileTooOld { found: 1 }), "{err:?}");
    assert_eq!(err.code(), "file_too_old");
    drop(dir);
}

#[test]
fn test_mode_counts_with_the_test_key_and_no_slip() {
    let mut fx = Fixture::seeded(141);
    let admin = fx.admin();
    fx.station.enter_test_mode(&admin).expect("test mode");
    let codes = fx.codes(2);
    for (i, code) in codes.iter().enumerate() {
        fx.station
            .cast_ballot(code, &full_ballot(), &key_for(i))
            .expect("cast");
    }
    let tally = fx.station.tally().expect("test tally, no count needed");
    assert!(tally.test);
    let w = fx.worker();
    let summary = fx.station.count(&w, &[]).expect("test count");
    assert_eq!((summary.test, summary.ballots), (true, 2));
    assert!(summary.slips.is_empty());
}
