//! Officials and the kiosk lock: wrong passwords lock an account for a
//! growing delay, every attempt is audited, roles limit what a poll worker
//! may do, and unknown voter codes lock voting until a poll worker unlocks it.

use chrono::Duration;
use votekiosk::{Error, Mode, Role, Station, VoterCode};

use crate::support::*;

const WRONG: &str = "hunter2-but-longer";

/// Audit entries of `kind` by `actor`.
fn audited(station: &Station, kind: &str, actor: &str) -> usize {
    station
        .audit_log(10_000)
        .expect("audit log")
        .iter()
        .filter(|e| e.kind == kind && e.actor == actor)
        .count()
}

/// The kiosk restarts: the station file is opened again with the passphrase.
fn restart(fx: &mut Fixture) {
    fx.reopen();
}

/// A well-formed code (right check character) that was never issued.
fn unknown_code() -> String {
    VoterCode::random(&mut rand::rngs::OsRng).display()
}

/// A code with one mistyped character, which the check character catches.
fn mistyped(code: &str) -> String {
    let mut chars: Vec<char> = code.chars().collect();
    chars[0] = if chars[0] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

#[test]
fn five_wrong_passwords_lock_an_account_for_a_doubling_delay() {
    let mut fx = Fixture::new();
    let failed_before = audited(&fx.station, "login_failed", WORKER);

    for attempt in 1..=4 {
        let result = fx.station.login(WORKER, WRONG);
        assert!(
            matches!(result, Err(Error::BadCredentials)),
            "attempt {attempt}: {result:?}"
        );
    }
    let fifth = fx.station.login(WORKER, WRONG);
    assert!(
        matches!(fifth, Err(Error::AccountLocked { seconds: 30 })),
        "{fifth:?}"
    );

    // Locked: even the right password is refused, and says for how long.
    let refused = fx.station.login(WORKER, WORKER_PASSWORD);
    assert!(
        matches!(refused, Err(Error::AccountLocked { seconds: 30 })),
        "{refused:?}"
    );
    fx.clock.advance(Duration::seconds(20));
    let refused = fx.station.login(WORKER, WORKER_PASSWORD);
    assert!(
        matches!(refused, Err(Error::AccountLocked { seconds: 10 })),
        "{refused:?}"
    );
    assert!(refused
        .expect_err("locked")
        .to_string()
        .contains("try again in 10 seconds"));

    // The lock runs out; one more wrong password locks for twice as long.
    fx.clock.advance(Duration::seconds(11));
    let sixth = fx.station.login(WORKER, WRONG);
    assert!(
        matches!(sixth, Err(Error::AccountLocked { seconds: 60 })),
        "{sixth:?}"
    );
    let refused = fx.station.login(WORKER, WORKER_PASSWORD);
    assert!(
        matches!(refused, Err(Error::AccountLocked { seconds: 60 })),
        "{refused:?}"
    );

    // After that lock, the right password works and clears the count.
    fx.clock.advance(Duration::seconds(61));
    let bob = fx
        .station
        .login(WORKER, WORKER_PASSWORD)
        .expect("login after the lock");
    assert_eq!((bob.username(), bob.role()), (WORKER, Role::PollWorker));
    let after = fx.station.login(WORKER, WRONG);
    assert!(
        matches!(after, Err(Error::BadCredentials)),
        "the count starts again: {after:?}"
    );

    // Every attempt is audited: 7 wrong passwords, 3 refusals while locked.
    assert_eq!(audited(&fx.station, "login_failed", WORKER) - failed_before, 7);
    assert_eq!(audited(&fx.station, "login_refused", WORKER), 3);
    // The other account was never affected.
    fx.admin();
}

#[test]
fn the_lock_lasts_its_full_thirty_seconds() {
    let mut fx = Fixture::new();
    for _ in 0..5 {
        assert!(fx.station.login(WORKER, WRONG).is_err());
    }
    // Half a second before the lock runs out, the account is still locked.
    fx.clock.advance(Duration::milliseconds(29_500));
    let early = fx.station.login(WORKER, WORKER_PASSWORD);
    assert!(
        matches!(early, Err(Error::AccountLocked { .. })),
        "logged in before 30 s: {early:?}"
    );
    fx.clock.advance(Duration::milliseconds(500));
    fx.station
        .login(WORKER, WORKER_PASSWORD)
        .expect("login once 30 s have passed");
}

#[test]
fn the_right_password_works_once_the_lock_expires() {
    let mut fx = Fixture::new();
    for _ in 0..5 {
        assert!(fx.station.login(WORKER, WRONG).is_err());
    }
    assert!(matches!(
        fx.station.login(WORKER, WORKER_PASSWORD),
        Err(Error::AccountLocked { .. })
    ));
    fx.clock.advance(Duration::seconds(31));
    let bob = fx
        .station
        .login(WORKER, WORKER_PASSWORD)
        .expect("login after 31 s");
    fx.closing_key();
    fx.station.open_polls(&bob).expect("bob opens the polls");
}

#[test]
fn an_account_lock_survives_reopening_the_file() {
    let mut fx = Fixture::new();
    for _ in 0..5 {
        assert!(fx.station.login(WORKER, WRONG).is_err());
    }
    restart(&mut fx);
    let refused = fx.station.login(WORKER, WORKER_PASSWORD);
    assert!(
        matches!(refused, Err(Error::AccountLocked { seconds: 30 })),
        "{refused:?}"
    );
    fx.clock.advance(Duration::seconds(31));
    fx.station
        .login(WORKER, WORKER_PASSWORD)
        .expect("login once the lock has run out");
}

#[test]
fn an_unknown_official_gets_the_same_answer_as_a_wrong_password() {
    let mut fx = Fixture::new();
    let before = audited(&fx.station, "login_failed", "-");
    for _ in 0..6 {
        let result = fx.station.login("mallory", WRONG);
        assert!(matches!(result, Err(Error::BadCredentials)), "{result:?}");
        assert_eq!(
            result.expect_err("refused").to_string(),
            "wrong username or password"
        );
    }
    let result = fx.station.login("not a valid name!", WRONG);
    assert!(matches!(result, Err(Error::BadCredentials)), "{result:?}");
    assert_eq!(
        audited(&fx.station, "login_failed", "-") - before,
        7,
        "each attempt audited"
    );
    let log = fx.station.audit_log(10_000).expect("audit log");
    assert!(
        log.iter().all(|e| !e.detail.contains(WRONG)),
        "a typed password never reaches the audit log"
    );
    // Nobody else was locked by it.
    fx.worker();
    fx.admin();
}

#[test]
fn a_poll_worker_cannot_add_officials_or_enter_test_mode() {
    let mut fx = Fixture::new();
    let bob = fx.worker();
    let officials = fx.station.officials().expect("officials");

    let add = fx
        .station
        .add_official(&bob, "carol", Role::Admin, "carol-password-1");
    assert!(
        matches!(add, Err(Error::NotAllowed { required: "admin" })),
        "{add:?}"
    );
    let add = fx
        .station
        .add_official(&bob, "dave", Role::PollWorker, "dave-password-1");
    assert!(matches!(add, Err(Error::NotAllowed { .. })), "{add:?}");
    assert_eq!(
        fx.station.officials().expect("officials"),
        officials,
        "no account added"
    );
    assert!(matches!(
        fx.station.login("carol", "carol-password-1"),
        Err(Error::BadCredentials)
    ));

    let test_mode = fx.station.enter_test_mode(&bob);
    assert!(
        matches!(test_mode, Err(Error::NotAllowed { required: "admin" })),
        "{test_mode:?}"
    );
    assert_eq!(fx.station.mode().expect("mode"), Mode::Setup);

    // The admin can do both.
    let alice = fx.admin();
    fx.station
        .add_official(&alice, "carol", Role::PollWorker, "carol-password-1")
        .expect("add carol");
    fx.station
        .login("carol", "carol-password-1")
        .expect("carol logs in");
    fx.station.enter_test_mode(&alice).expect("test mode");
}

#[test]
fn five_unknown_codes_lock_voting_until_a_poll_worker_unlocks_it() {
    let mut fx = Fixture::new();
    fx.open();
    let codes = fx.codes(2);
    let worker = fx.worker();
    let not_locked = fx.station.unlock_voting(&worker);
    assert!(matches!(not_locked, Err(Error::NotLocked)), "{not_locked:?}");

    for attempt in 1..=5 {
        let result = fx.station.check_code(&unknown_code());
        assert!(
            matches!(result, Err(Error::CodeUnknown)),
            "attempt {attempt}: {result:?}"
        );
    }
    assert!(fx.station.status().expect("status").voting_locked);
    let locked = fx.station.check_code(&codes[0]);
    assert!(
        matches!(locked, Err(Error::KioskLocked)),
        "a valid code while locked: {locked:?}"
    );
    let locked = fx.station.cast_ballot(&codes[0], &full_ballot(), &key());
    assert!(
        matches!(locked, Err(Error::KioskLocked)),
        "casting while locked: {locked:?}"
    );
    assert_eq!(fx.station.status().expect("status").turnout.ballots, 0);

    // A restart does not lift the lock.
    restart(&mut fx);
    assert!(fx.station.status().expect("status").voting_locked);
    let locked = fx.station.cast_ballot(&codes[0], &full_ballot(), &key());
    assert!(
        matches!(locked, Err(Error::KioskLocked)),
        "after reopening: {locked:?}"
    );

    // A poll worker unlocks; the valid code then votes.
    let worker = fx.worker();
    fx.station.unlock_voting(&worker).expect("unlock");
    assert!(!fx.station.status().expect("status").voting_locked);
    fx.station.check_code(&codes[0]).expect("the code is accepted");
    fx.station
        .cast_ballot(&codes[0], &full_ballot(), &key())
        .expect("cast after unlock");
    assert_eq!(fx.station.status().expect("status").turnout.ballots, 1);
    let again = fx.station.unlock_voting(&worker);
    assert!(matches!(again, Err(Error::NotLocked)), "{again:?}");
    assert_eq!(
        again.expect_err("not locked").to_string(),
        "the kiosk is not locked"
    );

    let log = fx.station.audit_log(10_000).expect("audit log");
    assert!(log
        .iter()
        .any(|e| e.kind == "code_refused" && e.detail.contains("voting locked")));
    assert_eq!(
        log.iter()
            .filter(|e| e.kind == "voting_unlocked" && e.actor == WORKER)
            .count(),
        1
    );
}

#[test]
fn typos_do_not_count_towards_the_code_lock() {
    let mut fx = Fixture::new();
    fx.open();
    let codes = fx.codes(2);

    for _ in 0..12 {
        let result = fx.station.check_code(&mistyped(&unknown_code()));
        assert!(matches!(result, Err(Error::CodeTypo)), "{result:?}");
    }
    let result = fx.station.check_code(&mistyped(&codes[0]));
    assert!(
        matches!(result, Err(Error::CodeTypo)),
        "a typo in a real code: {result:?}"
    );
    assert!(
        !fx.station.status().expect("status").voting_locked,
        "typos alone never lock"
    );

    // Four unknown codes and more typos: still not five invalid codes.
    for _ in 0..4 {
        assert!(matches!(
            fx.station.check_code(&unknown_code()),
            Err(Error::CodeUnknown)
        ));
    }
    for _ in 0..3 {
        assert!(matches!(
            fx.station.check_code(&mistyped(&unknown_code())),
            Err(Error::CodeTypo)
        ));
    }
    assert!(!fx.station.status().expect("status").voting_locked);

    // A valid code ends the run of invalid ones.
    fx.station
        .cast_ballot(&codes[0], &full_ballot(), &key())
        .expect("cast");
    for _ in 0..4 {
        assert!(matches!(
            fx.station.check_code(&unknown_code()),
            Err(Error::CodeUnknown)
        ));
    }
    assert!(
        !fx.station.status().expect("status").voting_locked,
        "only five in a row lock"
    );
    fx.station
        .check_code(&codes[1])
        .expect("the second code still works");
}

#[test]
fn checking_a_valid_code_between_guesses_does_not_reset_the_lock() {
    let mut fx = Fixture::new();
    fx.open();
    let mine = fx.codes(1).remove(0);
    // Four guesses, then my own valid code, then one more guess: locked.
    for _ in 0..4 {
        let guess = votekiosk::VoterCode::random(&mut rand::rngs::OsRng).display();
        assert!(matches!(
            fx.station.check_code(&guess),
            Err(votekiosk::Error::CodeUnknown)
        ));
    }
    fx.station.check_code(&mine).expect("my code is valid");
    let guess = votekiosk::VoterCode::random(&mut rand::rngs::OsRng).display();
    assert!(matches!(
        fx.station.check_code(&guess),
        Err(votekiosk::Error::CodeUnknown)
    ));
    assert!(
        fx.station.status().expect("status").voting_locked,
        "the fifth unknown code locks voting"
    );
    assert!(matches!(
        fx.station.check_code(&mine),
        Err(votekiosk::Error::KioskLocked)
    ));
}
