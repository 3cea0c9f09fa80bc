//! Racing casts: eight kiosk connections submit the same code at the same
//! instant, round after round; the database lets exactly one ballot in. A
//! repeated submit (same request key) returns the same receipt, even when it
//! races itself or comes after a restart.

use std::collections::BTreeSet;
use std::sync::{Arc, Barrier};
use std::thread;

use votekiosk::{CastReceipt, Error, ReceiptStatus, Station};

use crate::support::*;

const CONNECTIONS: usize = 8;
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

#[test]
fn eight_connections_racing_with_one_code_cast_exactly_one_ballot() {
    let mut fx = Fixture::new();
    fx.open();
    let codes = Arc::new(fx.codes(ROUNDS));

    // One connection per racer, all opened before anyone starts.
    let stations: Vec<Station> = (0..CONNECTIONS)
        .map(|_| fx.station.reopen(fx.options()).expect("second connection"))
        .collect();
    let start = Arc::new(Barrier::new(CONNECTIONS));
    let racers: Vec<_> = stations
        .into_iter()
        .map(|mut station| {
            let (codes, start) = (codes.clone(), start.clone());
            thread::spawn(move || -> Vec<Result<CastReceipt, Error>> {
                let ballot = full_ballot();
                codes
                    .iter()
                    .map(|code| {
                        start.wait();
                        station.cast_ballot(code, &ballot, &key())
                    })
                    .collect()
            })
        })
        .collect();
    let outcomes: Vec<Vec<Result<CastReceipt, Error>>> = racers
        .into_iter()
        .map(|r| r.join().expect("racer thread"))
        .collect();

    let mut receipts = BTreeSet::new();
    for round in 0..ROUNDS {
        let mut accepted = Vec::new();
        for (racer, results) in outcomes.iter().enumerate() {
            match &results[round] {
                Ok(receipt) => accepted.push(receipt.clone()),
                Err(Error::CodeUsed) => {}
                Err(other) => panic!("round {round}, connection {racer}: expected CodeUsed, got {other:?}"),
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
        ROUNDS * (CONNECTIONS - 1),
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
    let mut restarted = fx.reopen();
    let after_restart = restarted
        .cast_ballot(&codes[0], &full_ballot(), &request)
        .expect("submit after restart");
    assert_eq!(after_restart, first, "the same receipt after reopening the file");
    let status = restarted.status().expect("status");
    assert_eq!(status.turnout.ballots, 1, "still one ballot");
    assert_eq!(status.turnout.codes_used, 1);
    assert_eq!(restarted.receipt_count(false).expect("receipts"), 1);
    assert_eq!(audited(&restarted, "ballot_cast"), 1, "one ballot_cast entry");
}

#[test]
fn a_double_submit_racing_on_eight_connections_casts_one_ballot() {
    const DOUBLE_SUBMITS: usize = 20;
    let mut fx = Fixture::new();
    fx.open();
    let codes = Arc::new(fx.codes(DOUBLE_SUBMITS));
    let requests: Arc<Vec<String>> = Arc::new((0..DOUBLE_SUBMITS).map(|_| key()).collect());

    let start = Arc::new(Barrier::new(CONNECTIONS));
    // Connections are all opened before any thread starts.
    let stations: Vec<Station> = (0..CONNECTIONS)
        .map(|_| fx.station.reopen(fx.options()).expect("second connection"))
        .collect();
    let racers: Vec<_> = stations
        .into_iter()
        .map(|mut station| {
            let (codes, requests, start) = (codes.clone(), requests.clone(), start.clone());
            thread::spawn(move || -> Vec<Result<CastReceipt, Error>> {
                codes
                    .iter()
                    .zip(requests.iter())
                    .map(|(code, request)| {
                        start.wait();
                        station.cast_ballot(code, &full_ballot(), request)
                    })
                    .collect()
            })
        })
        .collect();
    let outcomes: Vec<Vec<Result<CastReceipt, Error>>> = racers
        .into_iter()
        .map(|r| r.join().expect("racer thread"))
        .collect();

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
