//! Racing casts and a second program. The station file has one connection,
//! held exclusively while the kiosk runs (`locking_mode = EXCLUSIVE`): a
//! second program, or a second `Station::open` in this one, is refused with
//! `station_in_use` and reads nothing. What can still race is the kiosk's
//! own callers: the shell hands one `Station` to many commands behind a lock,
//! so eight threads submit the same code at the same instant, round after
//! round, and the database lets exactly one ballot in. A repeated submit
//! (same request key) returns the same receipt, even when it races itself
//! or comes after a restart.

use std::collections::BTreeSet;
use std::process::Command;
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use votekiosk::store::FileKey;
use votekiosk::{Error, ReceiptStatus, Station};

use crate::support::*;

const RACERS: usize = 8;
const ROUNDS: usize = 200;

/// How many audit entries of `kind` the station holds.
fn audited(station: &Station, kind: &str) -> usize {
    station
        .audit_log(100_000)
        .expect("audit log")
        .iter()
        .filter(|e| e.kind == kind)
        .count()
}

/// `RACERS` threads share one station (as the shell's commands do) and,
/// round after round, each calls `cast(station, round)` at the same instant.
fn race<T: Send + 'static>(
    station: Station,
    rounds: usize,
    cast: impl Fn(&mut Station, usize) -> T + Send + Sync + 'static,
) -> (Station, Vec<Vec<T>>) {
    let shared = Arc::new(Mutex::new(station));
    let cast = Arc::new(cast);
    let start = Arc::new(Barrier::new(RACERS));
    let racers: Vec<_> = (0..RACERS)
        .map(|_| {
            let (shared, cast, start) = (shared.clone(), cast.clone(), start.clone());
            thread::spawn(move || -> Vec<T> {
                (0..rounds)
                    .map(|round| {
                        start.wait();
                        let mut station = shared.lock().expect("station lock");
                        cast(&mut station, round)
                    })
                    .collect()
            })
        })
        .collect();
    let outcomes = racers
        .into_iter()
        .map(|r| r.join().expect("racer thread"))
        .collect();
    let station = Arc::try_unwrap(shared)
        .ok()
        .expect("every racer is done")
        .into_inner()
        .expect("station lock");
    (station, outcomes)
}

#[test]
fn a_second_program_cannot_open_the_station_file_while_the_kiosk_runs() {
    let mut fx = Fixture::new();
    fx.open();
    let codes = fx.codes(2);
    fx.station
        .cast_ballot(&codes[0], &full_ballot(), &key())
        .expect("cast");
    let before = snapshot(&fx.station);

    // Another kiosk program in this process, with the right passphrase.
    let started = Instant::now();
    let err = match Station::open(&fx.path, PASSPHRASE, fx.options()) {
        Ok(_) => panic!("a second Station opened a held file"),
        Err(e) => e,
    };
    assert!(matches!(err, Error::StationInUse), "{err:?}");
    assert_eq!(err.code(), "station_in_use");
    assert!(
        err.to_string().contains("open in another kiosk program"),
        "a message a poll worker can act on: {err}"
    );
    // Refused at once, not after a 30-second wait for the lock (the
    // passphrase's key derivation is most of this).
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );

    // A plain SQLCipher connection with the right key reads nothing either.
    // (The salt is read by another process: closing a descriptor of the
    // file here would drop the kiosk's lock on it, POSIX rules.)
    let mut salt = [0u8; 16];
    salt.copy_from_slice(&read_outside(&fx.path)[..16]);
    let file_key = FileKey::derive(PASSPHRASE, salt).expect("key");
    let conn = rusqlite::Connection::open(&fx.path).expect("raw open");
    conn.execute_batch(&format!(
        "PRAGMA key = \"x'{}{}'\"; PRAGMA cipher_compatibility = 4;",
        hex::encode(*file_key.key),
        hex::encode(file_key.salt)
    ))
    .expect("key");
    let read = conn.query_row("SELECT count(*) FROM ballots", [], |r| r.get::<_, i64>(0));
    assert!(
        matches!(
            read.as_ref().map_err(|e| e.sqlite_error_code()),
            Err(Some(
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ))
        ),
        "a second connection must not read the file: {read:?}"
    );
    drop(conn);

    // Another process: the command line, with the passphrase.
    let out = Command::new(env!("CARGO_BIN_EXE_votekiosk"))
        .args(["--json", "--station"])
        .arg(&fx.path)
        .arg("status")
        .env("VOTEKIOSK_PASSPHRASE", PASSPHRASE)
        .output()
        .expect("run votekiosk");
    assert!(!out.status.success(), "the CLI opened a held file");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("station_in_use") || stderr.contains("station_in_use"),
        "stdout {stdout}\nstderr {stderr}"
    );

    // Nothing changed, and the kiosk carries on.
    assert_eq!(snapshot(&fx.station), before);
    fx.station
        .cast_ballot(&codes[1], &full_ballot(), &key())
        .expect("the kiosk still casts");
    // Once the kiosk has closed the file, the next program opens it.
    drop(fx.station);
    let station =
        Station::open(&fx.path, PASSPHRASE, Fixture::options_for(&fx.clock)).expect("open after close");
    assert_eq!(station.status().expect("status").turnout.ballots, 2);
}

#[test]
fn eight_racers_casting_one_code_cast_exactly_one_ballot() {
    let mut fx = Fixture::new();
    fx.open();
    let codes = Arc::new(fx.codes(ROUNDS));
    let stand_in = fx.stand_in();
    let station = std::mem::replace(&mut fx.station, stand_in);
    let racing_codes = codes.clone();
    let (station, outcomes) = race(station, ROUNDS, move |station, round| {
        station.cast_ballot(&racing_codes[round], &full_ballot(), &key())
    });
    fx.station = station;
    let mut receipts = BTreeSet::new();
    for round in 0..ROUNDS {
        let mut accepted = Vec::new();
        for (racer, results) in outcomes.iter().enumerate() {
            match &results[round] {
                Ok(receipt) => accepted.push(receipt.clone()),
                Err(Error::CodeUsed) => {}
                Err(other) => panic!("round {round}, racer {racer}: expected CodeUsed, got {other:?}"),
            }
        }
        assert_eq!(
            accepted.len(),
            1,
            "round {round}: {} ballots accepted for one code",
            accepted.len()
        );
        assert!(!accepted[0].test, "round {round}: an official ballot");
        assert!(
            receipts.insert(accepted[0].receipt.clone()),
            "round {round}: receipt issued twice"
        );
    }

    let status = fx.station.status().expect("status");
    assert_eq!(status.turnout.ballots, ROUNDS as u64, "ballots");
    assert_eq!(status.turnout.codes_used, ROUNDS as u64, "used codes");
    assert_eq!(status.turnout.codes_unused, 0, "unused codes");
    assert_eq!(
        fx.station.receipt_count(false).expect("receipts"),
        ROUNDS as u64,
        "receipts"
    );
    for receipt in &receipts {
        assert_eq!(
            fx.station.check_receipt(receipt.as_str()).expect("check receipt"),
            ReceiptStatus::Recorded { test: false }
        );
    }
    assert_eq!(
        audited(&fx.station, "ballot_cast"),
        ROUNDS,
        "one audit entry per ballot"
    );
    assert_eq!(
        audited(&fx.station, "code_refused"),
        ROUNDS * (RACERS - 1),
        "every refused racer audited"
    );
    assert!(!status.voting_locked, "used codes do not lock the kiosk");

    let chain = fx.reopen().verify_audit_chain().expect("verify chain");
    assert_eq!(chain.first_broken, None, "audit chain after the race");
}

#[test]
fn a_repeated_submit_returns_the_same_receipt_and_casts_nothing() {
    let mut fx = Fixture::new();
    fx.open();
    let codes = fx.codes(1);
    let request = key();

    let first = fx
        .station
        .cast_ballot(&codes[0], &full_ballot(), &request)
        .expect("cast");
    let again = fx
        .station
        .cast_ballot(&codes[0], &full_ballot(), &request)
        .expect("repeated submit");
    assert_eq!(again, first, "the repeated submit returns the first receipt");
    assert_eq!(fx.station.status().expect("status").turnout.ballots, 1);
    assert_eq!(fx.station.receipt_count(false).expect("receipts"), 1);

    // A new request with the used code is a second vote: refused.
    let second_vote = fx.station.cast_ballot(&codes[0], &full_ballot(), &key());
    assert!(matches!(second_vote, Err(Error::CodeUsed)), "{second_vote:?}");

    // The kiosk restarts (e.g. after a crash) and the interface resubmits.
    let restarted = fx.reopen();
    let after_restart = restarted
        .cast_ballot(&codes[0], &full_ballot(), &request)
        .expect("submit after restart");
    assert_eq!(after_restart, first, "the same receipt after reopening the file");
    let status = restarted.status().expect("status");
    assert_eq!(status.turnout.ballots, 1, "still one ballot");
    assert_eq!(status.turnout.codes_used, 1);
    assert_eq!(restarted.receipt_count(false).expect("receipts"), 1);
    assert_eq!(audited(restarted, "ballot_cast"), 1, "one ballot_cast entry");
}

#[test]
fn a_double_submit_racing_on_eight_threads_casts_one_ballot() {
    const DOUBLE_SUBMITS: usize = 20;
    let mut fx = Fixture::new();
    fx.open();
    let codes = fx.codes(DOUBLE_SUBMITS);
    let requests: Vec<String> = (0..DOUBLE_SUBMITS).map(|_| key()).collect();
    let stand_in = fx.stand_in();
    let station = std::mem::replace(&mut fx.station, stand_in);
    let (station, outcomes) = race(station, DOUBLE_SUBMITS, move |station, round| {
        station.cast_ballot(&codes[round], &full_ballot(), &requests[round])
    });
    fx.station = station;

    for round in 0..DOUBLE_SUBMITS {
        let receipts: BTreeSet<String> = outcomes
            .iter()
            .map(|results| match &results[round] {
                Ok(receipt) => receipt.receipt.as_str().to_string(),
                Err(e) => panic!("round {round}: a resubmitted request was refused: {e:?}"),
            })
            .collect();
        assert_eq!(
            receipts.len(),
            1,
            "round {round}: one request, several receipts: {receipts:?}"
        );
    }
    let status = fx.station.status().expect("status");
    assert_eq!(status.turnout.ballots, DOUBLE_SUBMITS as u64);
    assert_eq!(
        fx.station.receipt_count(false).expect("receipts"),
        DOUBLE_SUBMITS as u64
    );
    assert_eq!(audited(&fx.station, "ballot_cast"), DOUBLE_SUBMITS);
}
