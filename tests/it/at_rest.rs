//! At rest, the station file and its WAL reveal nothing without the
//! passphrase: no names, ids, receipts, codes or title in the bytes, not
//! even an SQLite header; a wrong passphrase opens nothing and writes
//! nothing.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use votekiosk::{Error, Station};

use crate::support::*;

const WRITE_IN: &str = "Zebulon Quartermaine";

/// The station file and whichever of its `-wal` / `-shm` files exist.
fn files_of(path: &Path) -> Vec<PathBuf> {
    ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| PathBuf::from(format!("{}{suffix}", path.display())))
        .filter(|p| p.is_file())
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Asserts that no file holds any of the secrets, in upper, lower or given case.
fn assert_reveals_nothing(files: &[PathBuf], secrets: &BTreeSet<String>) {
    for file in files {
        let bytes = read_outside(file);
        for secret in secrets {
            for form in [secret.clone(), secret.to_uppercase(), secret.to_lowercase()] {
                assert!(
                    !contains(&bytes, form.as_bytes()),
                    "{} holds {form:?} in clear",
                    file.display()
                );
            }
        }
    }
}

/// The file names in `dir`.
fn listing(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("dir entry").file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn the_file_and_its_wal_hold_nothing_readable() {
    let mut fx = Fixture::new();
    fx.open();
    let codes = fx.codes(40);
    let mut receipts = Vec::new();
    for (i, code) in codes.iter().take(30).enumerate() {
        let ballot = if i % 10 == 3 {
            sel(&[
                ("mayor", &[&format!("write-in:{WRITE_IN}")]),
                ("library-bond", &["no"]),
            ])
        } else {
            full_ballot()
        };
        receipts.push(
            fx.station
                .cast_ballot(code, &ballot, &key())
                .expect("cast")
                .receipt,
        );
    }

    let definition = definition();
    let mut secrets: BTreeSet<String> = [WRITE_IN, PASSPHRASE, ADMIN_PASSWORD, WORKER_PASSWORD]
        .map(String::from)
        .into();
    secrets.extend(definition.title.iter().map(|(_, t)| t.to_string()));
    secrets.insert(STATION_ID.to_string());
    for contest in &definition.contests {
        secrets.extend(contest.title.iter().map(|(_, t)| t.to_string()));
        for candidate in contest.kind.candidates() {
            secrets.extend(candidate.name.iter().map(|(_, name)| name.to_string()));
            // An id is short: five given bytes turn up by chance in the
            // few hundred kilobytes of ciphertext checked here about once
            // in 200,000 runs. In clear, ids are JSON strings (in the
            // stored definition and in every ballot), so they are looked
            // for with their quotes: seven bytes, once in 10^10 runs.
            if candidate.id.as_str().len() >= 5 {
                secrets.insert(format!("\"{}\"", candidate.id.as_str()));
            }
        }
    }
    for receipt in &receipts {
        secrets.insert(receipt.as_str().to_string());
        secrets.insert(receipt.as_str().replace('-', ""));
    }
    for code in &codes {
        secrets.insert(code.clone());
        secrets.insert(code.replace('-', ""));
    }
    assert!(
        secrets.contains("Maria Alvarez") && secrets.contains("\"alvarez\""),
        "names and ids are checked"
    );

    // Polls still open. Each cast empties the WAL after its commit (so it
    // cannot link receipts to ballots); any later write refills it.
    let wal = PathBuf::from(format!("{}-wal", fx.path.display()));
    assert_eq!(
        fs::metadata(&wal).map(|m| m.len()).unwrap_or(0),
        0,
        "the WAL is emptied after a cast"
    );
    fx.codes(1);
    assert!(
        wal.is_file() && fs::metadata(&wal).expect("wal").len() > 0,
        "the WAL holds the latest writes"
    );
    let files = files_of(&fx.path);
    assert_reveals_nothing(&files, &secrets);
    let shm = PathBuf::from(format!("{}-shm", fx.path.display()));
    assert!(
        !shm.exists(),
        "no -shm file (its WAL index is not encrypted) while the kiosk runs"
    );
    let head = read_outside(&fx.path);
    assert!(
        !head.starts_with(b"SQLite format 3\0"),
        "the file starts with a plain SQLite header"
    );
    assert_sqlite3_cannot_read(&fx.path);
    assert!(
        !shm.exists(),
        "sqlite3 made no -shm file either: the file is held"
    );

    // Close the polls: the WAL is checkpointed into the main file.
    let worker = fx.worker();
    fx.station.close_polls(&worker).expect("close polls");
    assert_reveals_nothing(&files_of(&fx.path), &secrets);
    let Fixture {
        dir, path, station, ..
    } = fx;
    drop(station);
    assert_eq!(
        files_of(&path),
        std::slice::from_ref(&path),
        "only the station file remains after the last connection"
    );
    assert_reveals_nothing(&files_of(&path), &secrets);
    assert!(!fs::read(&path).expect("read").starts_with(b"SQLite format 3\0"));
    assert_sqlite3_cannot_read(&path);
    drop(dir);
}

/// The stock `sqlite3` shell (installed by the setup script) cannot read the file.
fn assert_sqlite3_cannot_read(path: &Path) {
    let Ok(output) = Command::new("sqlite3")
        .arg(path)
        .arg("SELECT count(*) FROM sqlite_master")
        .output()
    else {
        eprintln!("sqlite3 is not on PATH; skipping the sqlite3 check");
        return;
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success() || stderr.contains("file is not a database"),
        "sqlite3 read the station file: {}{stderr}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn a_wrong_passphrase_opens_nothing_and_writes_nothing() {
    let mut fx = Fixture::new();
    fx.open();
    let codes = fx.codes(2);
    fx.station
        .cast_ballot(&codes[0], &full_ballot(), &key())
        .expect("cast");
    let worker = fx.worker();
    fx.station.close_polls(&worker).expect("close polls");
    let Fixture {
        dir,
        path,
        clock,
        station,
        ..
    } = fx;
    drop(station);

    let before = listing(dir.path());
    let bytes = fs::read(&path).expect("read station file");
    let options = || Fixture::options_for(&clock);
    for wrong in [
        "correct horse battery stapler",
        "Correct horse battery staple",
        "",
        "x",
    ] {
        let err = Station::open(&path, wrong, options())
            .err()
            .expect("a wrong passphrase is refused");
        assert!(matches!(err, Error::WrongPassphrase), "{wrong:?}: {err:?}");
        assert_eq!(err.to_string(), "wrong passphrase or not a votekiosk file");
        assert_eq!(err.code(), "wrong_passphrase");
    }
    assert_eq!(
        listing(dir.path()),
        before,
        "no -wal, -shm or other file appeared"
    );
    assert_eq!(
        fs::read(&path).expect("read station file"),
        bytes,
        "the file is unchanged"
    );

    // The right passphrase still opens it, with the ballot.
    let station = Station::open(&path, PASSPHRASE, options()).expect("open with the passphrase");
    assert_eq!(station.status().expect("status").turnout.ballots, 1);
}

#[test]
fn a_missing_file_is_reported_and_not_created() {
    let fx = Fixture::new();
    let missing = fx.dir.path().join("no-such-station.vks");
    let err = Station::open(&missing, PASSPHRASE, fx.options())
        .err()
        .expect("a missing file is refused");
    assert!(matches!(err, Error::FileNotFound(_)), "{err:?}");
    assert!(err.to_string().contains("no-such-station.vks"), "{err}");
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let p = PathBuf::from(format!("{}{suffix}", missing.display()));
        assert!(!p.exists(), "{} was created", p.display());
    }
}

#[test]
fn a_file_that_is_not_a_station_is_refused_unchanged() {
    let fx = Fixture::new();
    let dir = fx.dir.path();

    // A plain, unencrypted SQLite database.
    let plain = dir.join("plain.sqlite");
    let conn = rusqlite::Connection::open(&plain).expect("plain database");
    conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES ('hello');")
        .expect("plain table");
    drop(conn);
    // A text file and a file shorter than the salt.
    let text = dir.join("notes.txt");
    fs::write(
        &text,
        "Riverside polling station notes: nothing to see here.\n".repeat(100),
    )
    .expect("text");
    let short = dir.join("short.vks");
    fs::write(&short, b"VK").expect("short");

    for path in [&plain, &text, &short] {
        let before = listing(dir);
        let bytes = fs::read(path).expect("read");
        let err = Station::open(path, PASSPHRASE, fx.options())
            .err()
            .expect("not a station file");
        assert!(
            matches!(err, Error::WrongPassphrase),
            "{}: {err:?}",
            path.display()
        );
        assert_eq!(err.to_string(), "wrong passphrase or not a votekiosk file");
        assert_eq!(fs::read(path).expect("read"), bytes, "{} changed", path.display());
        assert_eq!(listing(dir), before, "opening {} created files", path.display());
    }
}
