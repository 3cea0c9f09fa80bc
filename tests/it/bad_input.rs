//! Bad input: every case gets its own clear error and leaves ballots,
//! codes, receipts and mode exactly as they were (an audit entry recording
//! the refusal is allowed).

use std::fs;

use chrono::Duration;
use votekiosk::station::{Options, Role};
use votekiosk::{ElectionDefinition, Error, Station, VoterCode};

use crate::support::*;

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// An open station with: one used code, one revoked code, and fresh codes.
struct Day {
    fx: Fixture,
    used: String,
    revoked: String,
    fresh: Vec<String>,
}

fn open_day() -> Day {
    let mut fx = Fixture::new();
    fx.open();
    let mut codes = fx.codes(40);
    let used = codes.pop().expect("code");
    let revoked = codes.pop().expect("code");
    fx.station
        .cast_ballot(&used, &full_ballot(), &key())
        .expect("first ballot");
    let w = fx.worker();
    fx.station.revoke_code(&w, &revoked).expect("revoke");
    Day {
        fx,
        used,
        revoked,
        fresh: codes,
    }
}

/// Flips one symbol of a code and fixes nothing else: a typo.
fn typo(code: &str) -> String {
    let mut chars: Vec<char> = code.chars().collect();
    chars[1] = if chars[1] == '7' { '8' } else { '7' };
    chars.into_iter().collect()
}

type Case = (
    &'static str,
    &'static str,
    Box<dyn Fn(&mut Day) -> Result<(), Error>>,
);

#[test]
fn refused_votes_and_actions_change_nothing() {
    let mut day = open_day();
    let cases: Vec<Case> = vec![
        (
            "typo in code",
            "code_typo",
            Box::new(|d| {
                d.fx.station
                    .cast_ballot(&typo(&d.fresh[0]), &full_ballot(), &key())
                    .map(drop)
            }),
        ),
        (
            "not a code",
            "code_malformed",
            Box::new(|d| {
                d.fx.station
                    .cast_ballot("hello", &full_ballot(), &key())
                    .map(drop)
            }),
        ),
        (
            "code too short",
            "code_malformed",
            Box::new(|d| {
                d.fx.station
                    .cast_ballot("ABCD-EFGH", &full_ballot(), &key())
                    .map(drop)
            }),
        ),
        (
            "unknown code",
            "code_unknown",
            Box::new(|d| {
                let code = VoterCode::random(&mut rand::rngs::OsRng).display();
                d.fx.station.cast_ballot(&code, &full_ballot(), &key()).map(drop)
            }),
        ),
        (
            "used code",
            "code_used",
            Box::new(|d| {
                d.fx.station
                    .cast_ballot(&d.used, &full_ballot(), &key())
                    .map(drop)
            }),
        ),
        (
            "revoked code",
            "code_revoked",
            Box::new(|d| {
                d.fx.station
                    .cast_ballot(&d.revoked, &full_ballot(), &key())
                    .map(drop)
            }),
        ),
        (
            "used code at the start screen",
            "code_used",
            Box::new(|d| d.fx.station.check_code(&d.used)),
        ),
        (
            "unknown contest",
            "invalid_selection",
            Box::new(|d| {
                d.fx.station
                    .cast_ballot(&d.fresh[1], &sel(&[("sheriff", &["x"])]), &key())
                    .map(drop)
            }),
        ),
        (
            "unknown candidate",
            "invalid_selection",
            Box::new(|d| {
                d.fx.station
                    .cast_ballot(&d.fresh[1], &sel(&[("mayor", &["zorro"])]), &key())
                    .map(drop)
            }),
        ),
        (
            "over-vote vote-for-one",
            "invalid_selection",
            Box::new(|d| {
                d.fx.station
                    .cast_ballot(&d.fresh[1], &sel(&[("mayor", &["alvarez", "brooks"])]), &key())
                    .map(drop)
            }),
        ),
        (
            "over-vote vote-for-two",
            "invalid_selection",
            Box::new(|d| {
                d.fx.station
                    .cast_ballot(
                        &d.fresh[1],
                        &sel(&[("council", &["diaz", "evans", "gupta"])]),
                        &key(),
                    )
                    .map(drop)
            }),
        ),
        (
            "yes and no",
            "invalid_selection",
            Box::new(|d| {
                d.fx.station
                    .cast_ballot(&d.fresh[1], &sel(&[("library-bond", &["yes", "no"])]), &key())
                    .map(drop)
            }),
        ),
        (
            "candidate id in a measure",
            "invalid_selection",
            Box::new(|d| {
                d.fx.station
                    .cast_ballot(&d.fresh[1], &sel(&[("library-bond", &["alvarez"])]), &key())
                    .map(drop)
            }),
        ),
        (
            "same candidate ranked twice",
            "invalid_selection",
            Box::new(|d| {
                d.fx.station
                    .cast_ballot(&d.fresh[1], &sel(&[("school-board", &["kim", "kim"])]), &key())
                    .map(drop)
            }),
        ),
        (
            "more rankings than allowed",
            "invalid_selection",
            Box::new(|d| {
                d.fx.station
                    .cast_ballot(
                        &d.fresh[1],
                        &sel(&[("school-board", &["kim", "lopez", "moore", "nguyen"])]),
                        &key(),
                    )
                    .map(drop)
            }),
        ),
        (
            "approval twice for one candidate",
            "invalid_selection",
            Box::new(|d| {
                d.fx.station
                    .cast_ballot(&d.fresh[1], &sel(&[("parks-board", &["hill", "hill"])]), &key())
                    .map(drop)
            }),
        ),
        (
            "write-in where none allowed",
            "invalid_selection",
            Box::new(|d| {
                d.fx.station
                    .cast_ballot(&d.fresh[1], &sel(&[("council", &["write-in:Someone"])]), &key())
                    .map(drop)
            }),
        ),
        (
            "empty write-in",
            "invalid_selection",
            Box::new(|d| {
                d.fx.station
                    .cast_ballot(&d.fresh[1], &sel(&[("mayor", &["write-in:   "])]), &key())
                    .map(drop)
            }),
        ),
        (
            "write-in too long",
            "invalid_selection",
            Box::new(|d| {
                let long = format!("write-in:{}", "x".repeat(61));
                d.fx.station
                    .cast_ballot(&d.fresh[1], &sel(&[("mayor", &[long.as_str()])]), &key())
                    .map(drop)
            }),
        ),
        (
            "write-in with control characters",
            "invalid_selection",
            Box::new(|d| {
                d.fx.station
                    .cast_ballot(&d.fresh[1], &sel(&[("mayor", &["write-in:a\u{7}b"])]), &key())
                    .map(drop)
            }),
        ),
        (
            "request key too short",
            "invalid_input",
            Box::new(|d| {
                d.fx.station
                    .cast_ballot(&d.fresh[1], &full_ballot(), "k")
                    .map(drop)
            }),
        ),
        (
            "before the window opens",
            "outside_window",
            Box::new(|d| {
                d.fx.clock.set(election_noon() - Duration::hours(6));
                let r =
                    d.fx.station
                        .cast_ballot(&d.fresh[2], &full_ballot(), &key())
                        .map(drop);
                d.fx.clock.set(election_noon());
                r
            }),
        ),
        (
            "after the window closes",
            "outside_window",
            Box::new(|d| {
                d.fx.clock.set(election_noon() + Duration::hours(8));
                let r =
                    d.fx.station
                        .cast_ballot(&d.fresh[2], &full_ballot(), &key())
                        .map(drop);
                d.fx.clock.set(election_noon());
                r
            }),
        ),
        (
            "zero codes",
            "bad_count",
            Box::new(|d| {
                let w = d.fx.worker();
                d.fx.station.issue_codes(&w, 0).map(drop)
            }),
        ),
        (
            "too many codes",
            "bad_count",
            Box::new(|d| {
                let w = d.fx.worker();
                d.fx.station.issue_codes(&w, 100_001).map(drop)
            }),
        ),
        (
            "open the polls twice",
            "wrong_mode",
            Box::new(|d| {
                let w = d.fx.worker();
                d.fx.station.open_polls(&w)
            }),
        ),
        (
            "resume polls that are not paused",
            "wrong_mode",
            Box::new(|d| {
                let w = d.fx.worker();
                d.fx.station.resume_polls(&w)
            }),
        ),
        (
            "poll worker enters test mode",
            "not_allowed",
            Box::new(|d| {
                let w = d.fx.worker();
                d.fx.station.enter_test_mode(&w)
            }),
        ),
        (
            "poll worker adds an official",
            "not_allowed",
            Box::new(|d| {
                let w = d.fx.worker();
                d.fx.station
                    .add_official(&w, "mallory", Role::Admin, "mallory-password")
            }),
        ),
        (
            "wrong official password",
            "bad_credentials",
            Box::new(|d| d.fx.station.login(WORKER, "not-the-password").map(drop)),
        ),
        (
            "unknown official",
            "bad_credentials",
            Box::new(|d| d.fx.station.login("nobody", "whatever-password").map(drop)),
        ),
        (
            "revoke a used code",
            "code_used",
            Box::new(|d| {
                let w = d.fx.worker();
                let used = d.used.clone();
                d.fx.station.revoke_code(&w, &used)
            }),
        ),
        (
            "unlock when not locked",
            "not_locked",
            Box::new(|d| {
                let w = d.fx.worker();
                d.fx.station.unlock_voting(&w)
            }),
        ),
        (
            "receipt from another election",
            "receipt_other_election",
            Box::new(|d| {
                d.fx.station
                    .check_receipt("VK1:0000000000000000:0000-0000-0000-0000")
                    .map(drop)
            }),
        ),
        (
            "receipt garbage",
            "receipt_malformed",
            Box::new(|d| d.fx.station.check_receipt("VK1:nonsense").map(drop)),
        ),
        (
            "weak password for a new official",
            "weak_password",
            Box::new(|d| {
                let a = d.fx.admin();
                d.fx.station.add_official(&a, "carol", Role::PollWorker, "short")
            }),
        ),
        (
            "duplicate official",
            "official_exists",
            Box::new(|d| {
                let a = d.fx.admin();
                d.fx.station
                    .add_official(&a, WORKER, Role::PollWorker, "another-password")
            }),
        ),
    ];
    assert!(cases.len() >= 25);
    for (name, expected, action) in &cases {
        let before = snapshot(&day.fx.station);
        let officials_before = day.fx.station.officials().expect("officials");
        let err = action(&mut day).expect_err(name);
        assert_eq!(err.code(), *expected, "{name}: got {err}");
        assert!(!err.to_string().is_empty());
        assert_eq!(snapshot(&day.fx.station), before, "{name} changed the election");
        assert_eq!(
            day.fx.station.officials().expect("officials"),
            officials_before,
            "{name} changed the officials"
        );
        // Unknown codes count towards the lock; keep the streak short.
        if day.fx.station.status().expect("status").voting_locked {
            let w = day.fx.worker();
            day.fx.station.unlock_voting(&w).expect("unlock");
        }
    }
    // The refusals are audited and the chain still verifies.
    assert_eq!(
        day.fx.station.verify_audit_chain().expect("chain").first_broken,
        None
    );
    // And the codes that were offered with bad ballots still work.
    day.fx
        .station
        .cast_ballot(&day.fresh[1], &full_ballot(), &key())
        .expect("code unharmed by refused ballots");
}

#[test]
fn voting_is_refused_outside_open_mode_and_changes_nothing() {
    let mut fx = Fixture::new();
    let codes = fx.codes(2);
    // Setup mode.
    let before = snapshot(&fx.station);
    let e = fx
        .station
        .cast_ballot(&codes[0], &full_ballot(), &key())
        .expect_err("setup");
    assert_eq!(e.code(), "wrong_mode");
    assert_eq!(snapshot(&fx.station), before);
    // Paused and closed.
    fx.open();
    let w = fx.worker();
    fx.station.pause_polls(&w).expect("pause");
    let before = snapshot(&fx.station);
    assert_eq!(
        fx.station
            .cast_ballot(&codes[0], &full_ballot(), &key())
            .expect_err("paused")
            .code(),
        "wrong_mode"
    );
    assert_eq!(snapshot(&fx.station), before);
    fx.station.close_polls(&w).expect("close");
    let before = snapshot(&fx.station);
    assert_eq!(
        fx.station
            .cast_ballot(&codes[0], &full_ballot(), &key())
            .expect_err("closed")
            .code(),
        "wrong_mode"
    );
    assert_eq!(
        fx.station.resume_polls(&w).expect_err("reopen").code(),
        "wrong_mode"
    );
    assert_eq!(snapshot(&fx.station), before);
}

#[test]
fn bad_files_and_passphrases_create_and_change_nothing() {
    let fx = Fixture::new();
    let dir = fx.dir.path();
    drop(fx.station); // closed: everything is in the main file
    let digest = |p: &std::path::Path| sha256(&fs::read(p).expect("read station"));
    let original = digest(&fx.path);

    // Wrong passphrase: clear error, file untouched.
    let e = Station::open(&fx.path, "not the passphrase", Options::default())
        .err()
        .expect("wrong passphrase");
    assert_eq!(e.code(), "wrong_passphrase");
    assert_eq!(e.to_string(), "wrong passphrase or not a votekiosk file");
    assert_eq!(digest(&fx.path), original, "a wrong passphrase changed the file");
    assert!(
        !fx.path.with_extension("vks-wal").exists(),
        "a wrong passphrase left a WAL"
    );

    // Missing file: not created.
    let missing = dir.join("missing.vks");
    assert_eq!(
        Station::open(&missing, PASSPHRASE, Options::default())
            .err()
            .expect("missing")
            .code(),
        "file_not_found"
    );
    assert!(!missing.exists());

    // Not a station file at all.
    let junk = dir.join("junk.vks");
    fs::write(
        &junk,
        b"SQLite format 3\0 but not really a database at all, just junk bytes",
    )
    .expect("write");
    assert_eq!(
        Station::open(&junk, PASSPHRASE, Options::default())
            .err()
            .expect("junk")
            .code(),
        "wrong_passphrase"
    );
    let empty = dir.join("empty.vks");
    fs::write(&empty, b"").expect("write");
    assert_eq!(
        Station::open(&empty, PASSPHRASE, Options::default())
            .err()
            .expect("empty")
            .code(),
        "wrong_passphrase"
    );

    // Creating over an existing file refuses and keeps the file.
    let def = definition();
    let e = Station::create(
        &fx.path,
        &def,
        STATION_ID,
        PASSPHRASE,
        ADMIN,
        ADMIN_PASSWORD,
        Options::default(),
    )
    .err()
    .expect("exists");
    assert_eq!(e.code(), "file_exists");
    assert_eq!(digest(&fx.path), original);

    // Weak passphrase, bad admin name, weak admin password, a station id
    // outside the rules (1-64 letters, digits, '.', '_', '-'): no file.
    let fresh = dir.join("fresh.vks");
    let long_id = "K".repeat(65);
    for (id, pass, admin, pw, code) in [
        (STATION_ID, "short", ADMIN, ADMIN_PASSWORD, "weak_passphrase"),
        (
            STATION_ID,
            PASSPHRASE,
            "bad name!",
            ADMIN_PASSWORD,
            "bad_official_name",
        ),
        (STATION_ID, PASSPHRASE, ADMIN, "short", "weak_password"),
        ("", PASSPHRASE, ADMIN, ADMIN_PASSWORD, "bad_station_id"),
        ("LAKE VIEW", PASSPHRASE, ADMIN, ADMIN_PASSWORD, "bad_station_id"),
        ("K1/../K2", PASSPHRASE, ADMIN, ADMIN_PASSWORD, "bad_station_id"),
        ("LAKEVIEW-É", PASSPHRASE, ADMIN, ADMIN_PASSWORD, "bad_station_id"),
        (
            long_id.as_str(),
            PASSPHRASE,
            ADMIN,
            ADMIN_PASSWORD,
            "bad_station_id",
        ),
    ] {
        let e = Station::create(&fresh, &def, id, pass, admin, pw, Options::default())
            .err()
            .expect("refused");
        assert_eq!(e.code(), code, "{id:?}");
        assert!(!fresh.exists(), "{code} left a file behind");
    }
    // The longest id and every allowed character are taken, and kept.
    let id = format!("{}.a_b-9", "K".repeat(57));
    let st = Station::create(
        &fresh,
        &def,
        &id,
        PASSPHRASE,
        ADMIN,
        ADMIN_PASSWORD,
        Options::default(),
    )
    .expect("a 64-character id");
    assert_eq!(st.station_id(), id);
    drop(st);
    let st = Station::open(&fresh, PASSPHRASE, Options::default()).expect("reopen");
    assert_eq!(st.station_id(), id, "the id is stored in the station file");
    assert_eq!(st.status().expect("status").station_id, id);
    drop(st);
    fs::remove_file(&fresh).expect("remove");
    let leftovers: Vec<_> = fs::read_dir(dir)
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    assert!(
        leftovers
            .iter()
            .all(|n| !n.to_string_lossy().contains("creating")),
        "temporary files left: {leftovers:?}"
    );
}

#[test]
fn bad_definitions_are_refused_with_their_path_and_store_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = definition_value();
    let mut cases: Vec<(serde_json::Value, &str)> = Vec::new();
    let mut v = base.clone();
    v["contests"][0]["candidates"][1]["id"] = "alvarez".into();
    cases.push((v, "contests[0].candidates[1].id: duplicate id \"alvarez\""));
    let mut v = base.clone();
    v["title"].as_object_mut().expect("object").remove("es");
    cases.push((v, "title: missing translation for \"es\""));
    let mut v = base.clone();
    v["contests"][3]["max_approvals"] = 0.into();
    cases.push((v, "contests[3].max_approvals"));
    let mut v = base.clone();
    v["window"]["opens"] = "07:00".into();
    cases.push((v, "window.opens"));
    for (doc, expected) in cases {
        let file = dir.path().join("def.json");
        fs::write(&file, serde_json::to_vec(&doc).expect("json")).expect("write");
        let e = ElectionDefinition::from_file(&file).expect_err("invalid definition");
        assert_eq!(e.code(), "definition_invalid");
        assert!(e.to_string().contains(expected), "{e}");
    }
    // Oversize: refused from its size, before parsing.
    let big = dir.path().join("big.json");
    let f = fs::File::create(&big).expect("create");
    f.set_len(200 * 1024 * 1024).expect("sparse 200 MB file");
    let e = ElectionDefinition::from_file(&big).expect_err("too large");
    assert_eq!(e.code(), "too_large");
    assert!(
        fs::read_dir(dir.path()).expect("dir").count() == 2,
        "nothing else was created"
    );
}

#[test]
fn a_login_acts_only_on_the_station_where_it_was_made() {
    let mut a = Fixture::new();
    let mut b = Fixture::new();
    let admin_of_a = a.admin();
    let before = snapshot(&b.station);
    let e = b.station.issue_codes(&admin_of_a, 5).expect_err("foreign login");
    assert_eq!(e.code(), "not_logged_in_here");
    assert_eq!(
        b.station
            .open_polls(&admin_of_a)
            .expect_err("foreign login")
            .code(),
        "not_logged_in_here"
    );
    assert_eq!(snapshot(&b.station), before);
    // Even the same file, reopened, needs a fresh login.
    let again = a.reopen();
    assert_eq!(
        again
            .enter_test_mode(&admin_of_a)
            .expect_err("stale login")
            .code(),
        "not_logged_in_here"
    );
    let _ = b.admin();
}
