//! A whole election day through the facade: set-up, logic-and-accuracy
//! testing, opening (test data gone), voting across all four contest kinds,
//! pausing, closing, and the counts officials would check.

use votekiosk::station::ReceiptStatus;
use votekiosk::tabulate::{ContestResult, ElectionResult};
use votekiosk::{Error, Mode};

use crate::support::*;

/// Every count of a contest as (choice, votes): candidates, `yes`/`no`,
/// `write-in:<name>`; ranked contests give their first choices (round 1).
fn marks(result: &ElectionResult, contest: &str) -> Vec<(String, u64)> {
    let pairs = |tallies: &[votekiosk::tabulate::Votes]| {
        tallies
            .iter()
            .map(|v| (v.candidate.clone(), v.votes))
            .collect::<Vec<_>>()
    };
    match result.contest(contest).expect("contest") {
        ContestResult::Candidate(r) => {
            let mut all = pairs(&r.tallies);
            for n in r.write_ins.iter().flat_map(|w| &w.names) {
                all.push((format!("write-in:{}", n.name), n.votes));
            }
            all
        }
        ContestResult::Approval(r) => pairs(&r.tallies),
        ContestResult::YesNo(r) => vec![("yes".into(), r.yes), ("no".into(), r.no)],
        ContestResult::Ranked(r) => pairs(&r.rounds[0].tallies),
    }
}

fn mark(result: &ElectionResult, contest: &str, choice: &str) -> u64 {
    marks(result, contest)
        .iter()
        .find(|(k, _)| k == choice)
        .map(|(_, n)| *n)
        .unwrap_or(0)
}

fn blank(result: &ElectionResult, contest: &str) -> u64 {
    result.contest(contest).expect("contest").blank()
}

#[test]
fn a_whole_election_day() {
    let mut fx = Fixture::new();
    assert_eq!(fx.station.mode().expect("mode"), Mode::Setup);

    // Logic-and-accuracy testing with test codes and test ballots.
    let admin = fx.admin();
    fx.station.enter_test_mode(&admin).expect("test mode");
    let test_codes = fx.codes(3);
    let test_receipt = fx
        .station
        .cast_ballot(&test_codes[0], &full_ballot(), &key())
        .expect("test ballot");
    assert!(test_receipt.test);
    fx.station
        .cast_ballot(
            &test_codes[1],
            &sel(&[("mayor", &["brooks"]), ("library-bond", &["no"])]),
            &key(),
        )
        .expect("test ballot 2");
    let counts = fx.station.tally().expect("test counts are visible");
    assert_eq!(mark(&counts, "mayor", "alvarez"), 1);
    assert_eq!(mark(&counts, "mayor", "brooks"), 1);
    assert_eq!(mark(&counts, "library-bond", "no"), 1);
    assert_eq!(fx.station.status().expect("status").test_turnout.ballots, 2);
    assert_eq!(
        fx.station.check_receipt(&test_receipt.payload).expect("check"),
        ReceiptStatus::Recorded { test: true }
    );

    // Opening for real removes every test ballot, receipt and code.
    fx.open();
    let status = fx.station.status().expect("status");
    assert_eq!(
        (status.mode, status.turnout.ballots, status.test_turnout.ballots),
        (Mode::Open, 0, 0)
    );
    assert_eq!(status.test_turnout.codes_issued, 0);
    assert!(status.opened_at.is_some());
    assert_eq!(
        fx.station.check_receipt(&test_receipt.payload).expect("check"),
        ReceiptStatus::NotFound
    );
    assert!(matches!(
        fx.station.cast_ballot(&test_codes[2], &full_ballot(), &key()),
        Err(Error::CodeUnknown)
    ));

    // Voting.
    let codes = fx.codes(7);
    let ballots = [
        full_ballot(),
        sel(&[
            ("mayor", &["write-in:  Jane   Doe "]),
            ("council", &["evans"]),
            ("library-bond", &["yes"]),
            ("parks-board", &["ito"]),
            ("school-board", &["kim", "lopez"]),
        ]),
        sel(&[
            ("mayor", &["brooks"]),
            ("library-bond", &["no"]),
            ("school-board", &["moore"]),
        ]),
        sel(&[
            ("mayor", &["alvarez"]),
            ("council", &["diaz", "fischer"]),
            ("parks-board", &["hill", "ito", "jones"]),
        ]),
        sel(&[]), // a fully blank ballot is a valid ballot
    ];
    let mut receipts = Vec::new();
    for (code, ballot) in codes.iter().zip(&ballots) {
        fx.station
            .check_code(code)
            .expect("code accepted at the start screen");
        let r = fx.station.cast_ballot(code, ballot, &key()).expect("cast");
        assert!(!r.test);
        let station_key = votekiosk::receipt::KeyFingerprint::of(&fx.station.public_key().expect("key"));
        assert_eq!(
            r.payload,
            format!(
                "VK2:{}:{}:{}",
                &fx.station.definition().hash().to_hex()[..32],
                station_key.to_hex(),
                r.receipt
            ),
            "the receipt names the election and the station's key"
        );
        receipts.push(r);
    }
    let w = fx.worker();
    fx.station
        .revoke_code(&w, &codes[5])
        .expect("revoke spoiled slip");

    // While open: turnout yes, results no.
    assert!(matches!(fx.station.tally(), Err(Error::ResultsHidden)));
    let status = fx.station.status().expect("status");
    assert_eq!(
        (
            status.turnout.codes_issued,
            status.turnout.codes_used,
            status.turnout.codes_revoked,
            status.turnout.codes_unused
        ),
        (7, 5, 1, 1)
    );
    assert_eq!(status.turnout.ballots, 5);

    // Pausing stops voting; resuming allows it again.
    fx.station.pause_polls(&w).expect("pause");
    assert!(matches!(
        fx.station.cast_ballot(&codes[6], &full_ballot(), &key()),
        Err(Error::WrongMode { .. })
    ));
    fx.station.resume_polls(&w).expect("resume");
    fx.station
        .check_code(&codes[6])
        .expect("still valid after the pause");

    // Every voter's receipt is recorded.
    for r in &receipts {
        assert_eq!(
            fx.station.check_receipt(&r.payload).expect("check"),
            ReceiptStatus::Recorded { test: false }
        );
        assert_eq!(
            fx.station.check_receipt(r.receipt.as_str()).expect("bare id"),
            ReceiptStatus::Recorded { test: false }
        );
    }

    // Closing is final.
    fx.station.close_polls(&w).expect("close");
    assert!(matches!(fx.station.open_polls(&w), Err(Error::WrongMode { .. })));
    assert!(matches!(
        fx.station.cast_ballot(&codes[6], &full_ballot(), &key()),
        Err(Error::WrongMode { .. })
    ));
    assert!(matches!(
        fx.station.issue_codes(&w, 1),
        Err(Error::WrongMode { .. })
    ));

    // The counts officials check, after a restart of the program: nothing
    // is counted until the poll workers present their slips.
    let unlocks = fx.unlocks();
    let station = fx.reopen();
    assert!(matches!(station.tally(), Err(Error::CountFirst)));
    let worker = station.login(WORKER, WORKER_PASSWORD).expect("login");
    station.count(&worker, &unlocks).expect("count with the slips");
    let counts = station.tally().expect("counts after close");
    assert_eq!(mark(&counts, "mayor", "alvarez"), 2);
    assert_eq!(mark(&counts, "mayor", "brooks"), 1);
    assert_eq!(
        mark(&counts, "mayor", "write-in:Jane Doe"),
        1,
        "write-in normalised: {:?}",
        marks(&counts, "mayor")
    );
    assert_eq!(blank(&counts, "mayor"), 1);
    assert_eq!(
        (
            mark(&counts, "council", "diaz"),
            mark(&counts, "council", "gupta")
        ),
        (2, 1)
    );
    assert_eq!(
        (
            mark(&counts, "council", "evans"),
            mark(&counts, "council", "fischer")
        ),
        (1, 1)
    );
    assert_eq!(
        (
            mark(&counts, "library-bond", "yes"),
            mark(&counts, "library-bond", "no")
        ),
        (2, 1)
    );
    assert_eq!(blank(&counts, "library-bond"), 2);
    assert_eq!(
        (
            mark(&counts, "parks-board", "hill"),
            mark(&counts, "parks-board", "ito"),
            mark(&counts, "parks-board", "jones")
        ),
        (2, 2, 2)
    );
    // First choices in the ranked contest.
    assert_eq!(
        (
            mark(&counts, "school-board", "lopez"),
            mark(&counts, "school-board", "kim"),
            mark(&counts, "school-board", "moore")
        ),
        (1, 1, 1)
    );
    assert_eq!(blank(&counts, "school-board"), 2);
    // Ranked ballots keep their full order.
    let ranked: Vec<Vec<String>> = station
        .counted()
        .expect("counted")
        .iter()
        .map(|r| {
            r.ballot
                .contests
                .iter()
                .find(|(c, _)| c.as_str() == "school-board")
                .expect("contest")
                .1
                .iter()
                .map(|c| c.encode())
                .collect()
        })
        .collect();
    assert!(ranked.contains(&vec!["lopez".to_string(), "kim".into(), "moore".into()]));

    let status = station.status().expect("status");
    assert_eq!(
        (status.mode, status.turnout.ballots, status.turnout.codes_used),
        (Mode::Closed, 5, 5)
    );
    assert!(status.closed_at.is_some());
    assert_eq!(station.receipt_count(false).expect("receipts"), 5);
    let chain = station.verify_audit_chain().expect("chain");
    assert_eq!(chain.first_broken, None);
    let kinds: Vec<String> = station
        .audit_log(1000)
        .expect("audit")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    for k in [
        "setup",
        "login_ok",
        "mode_changed",
        "codes_issued",
        "ballot_cast",
        "code_revoked",
    ] {
        assert!(kinds.iter().any(|x| x == k), "no {k} event in the audit log");
    }
}

#[test]
fn codes_issued_before_test_mode_are_official_and_survive_opening() {
    let mut fx = Fixture::new();
    let official = fx.codes(2); // issued in setup: official codes
    let admin = fx.admin();
    fx.station.enter_test_mode(&admin).expect("test mode");
    let before = snapshot(&fx.station);
    assert!(matches!(
        fx.station.cast_ballot(&official[0], &full_ballot(), &key()),
        Err(Error::CodeWrongKind)
    ));
    assert_eq!(
        snapshot(&fx.station),
        before,
        "a refused official code in test mode changes nothing"
    );
    fx.open();
    fx.station
        .cast_ballot(&official[0], &full_ballot(), &key())
        .expect("official code works once open");
}

#[test]
fn a_receipt_is_durable_once_returned() {
    // The receipt comes back only after the commit, and by then the commit
    // has also left the WAL for the main file (SECURITY.md, "Power cuts"):
    // the kiosk restarted after each cast finds every receipt.
    let mut fx = Fixture::new();
    fx.open();
    let codes = fx.codes(5);
    let wal = format!("{}-wal", fx.path.display());
    for (i, code) in codes.iter().enumerate() {
        let r = fx
            .station
            .cast_ballot(code, &full_ballot(), &key())
            .expect("cast");
        assert_eq!(
            std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0),
            0,
            "WAL emptied"
        );
        let restarted = fx.reopen();
        assert_eq!(
            restarted.check_receipt(r.receipt.as_str()).expect("check"),
            ReceiptStatus::Recorded { test: false }
        );
        assert_eq!(restarted.status().expect("status").turnout.ballots, i as u64 + 1);
    }
}
