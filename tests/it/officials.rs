//! Officials and the kiosk lock: failed logins slow the whole kiosk down
//! (never one account) and answer the same for every name, every attempt
//! is audited, sessions end when left idle or logged out, issuing codes and
//! closing the polls need the password again, roles limit what a poll
//! worker may do, and unknown voter codes lock voting until a poll worker
//! unlocks it.

use chrono::Duration;
use votekiosk::station::{LOGIN_DELAY_MAX_SECS, LOGIN_FREE_FAILURES, REAUTH_MAX_WRONG, REAUTH_VALID_SECS};
use votekiosk::{Error, KioskSettings, Mode, Role, Station, VoterCode};

use crate::support::*;

const WRONG: &str = "hunter2-but-longer";

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

/// What a login attempt answered, as the window shows it: the error's
/// code and message, or "ok".
fn answer(result: &votekiosk::Result<votekiosk::Official>) -> String {
    match result {
        Ok(_) => "ok".into(),
        Err(e) => format!("{}: {e}", e.code()),
    }
}

#[test]
fn failed_logins_slow_the_whole_kiosk_down_with_a_doubling_capped_delay() {
    let mut fx = Fixture::new();
    // Three failures in a row, whatever the names, are answered at once.
    for name in [WORKER, "mallory", ADMIN] {
        let result = fx.station.login(name, WRONG);
        assert!(matches!(result, Err(Error::BadCredentials)), "{name}: {result:?}");
    }
    // Then every attempt waits, for every name, the right password included.
    for name in [WORKER, ADMIN, "mallory"] {
        let result = fx.station.login(name, WORKER_PASSWORD);
        assert!(
            matches!(result, Err(Error::AccountLocked { seconds: 2 })),
            "{name}: {result:?}"
        );
    }
    assert_eq!(
        answer(&fx.station.login(WORKER, WORKER_PASSWORD)),
        "account_locked: too many failed logins at this kiosk: try again in 2 seconds"
    );
    // Each further failure doubles the wait, up to the cap.
    let mut waits = Vec::new();
    for _ in 0..7 {
        let Err(Error::AccountLocked { seconds }) = fx.station.login(ADMIN, WRONG) else {
            panic!("expected a wait");
        };
        fx.clock.advance(Duration::seconds(seconds));
        assert!(matches!(
            fx.station.login(ADMIN, WRONG),
            Err(Error::BadCredentials)
        ));
        waits.push(seconds);
    }
    let Err(Error::AccountLocked { seconds }) = fx.station.login(ADMIN, WRONG) else {
        panic!("expected a wait");
    };
    waits.push(seconds);
    assert_eq!(waits, [2, 4, 8, 16, 32, 60, 60, 60]);
    assert_eq!(LOGIN_DELAY_MAX_SECS, 60);

    // Half a second before the wait ends, it still runs; then the right
    // password works and the count starts again.
    fx.clock.advance(Duration::milliseconds(59_500));
    assert!(matches!(
        fx.station.login(ADMIN, ADMIN_PASSWORD),
        Err(Error::AccountLocked { seconds: 1 })
    ));
    fx.clock.advance(Duration::milliseconds(500));
    fx.admin();
    for _ in 0..LOGIN_FREE_FAILURES {
        assert!(matches!(
            fx.station.login(ADMIN, WRONG),
            Err(Error::BadCredentials)
        ));
    }
}

#[test]
fn every_login_attempt_is_audited_without_the_typed_password() {
    let mut fx = Fixture::new();
    let before = fx.station.audit_log(10_000).expect("audit log").len();
    assert!(fx.station.login(WORKER, WRONG).is_err());
    assert!(fx.station.login("mallory", WRONG).is_err());
    assert!(fx.station.login(WRONG, WRONG).is_err());
    assert!(fx.station.login(WORKER, WORKER_PASSWORD).is_err(), "waiting");
    fx.clock.advance(Duration::seconds(2));
    fx.worker();
    let log = fx.station.audit_log(10_000).expect("audit log");
    let new: Vec<_> = log[before..]
        .iter()
        .map(|e| (e.kind.as_str(), e.actor.as_str()))
        .collect();
    assert_eq!(
        new,
        [
            ("login_failed", WORKER),
            ("login_failed", "-"),
            ("login_failed", "-"),
            ("login_refused", "-"),
            ("login_ok", WORKER),
        ]
    );
    assert!(
        log.iter().all(|e| !e.detail.contains(WRONG)),
        "a typed password (or a password typed as a name) never reaches the audit log"
    );
}

/// The attack: a voter at the kiosk types Ctrl+Alt+P and tries password
/// after password for `admin`, as fast as the kiosk answers, for ten
/// minutes. They get a handful of guesses checked, and the admin logs in
/// at most a minute after the voter stops.
#[test]
fn a_voter_guessing_admin_passwords_gets_few_guesses_and_cannot_lock_the_admin_out() {
    let mut fx = Fixture::new();
    let mut checked = 0;
    for second in 0..600 {
        match fx.station.login(ADMIN, &format!("guess-{second:04}-password")) {
            Err(Error::BadCredentials) => checked += 1,
            Err(Error::AccountLocked { .. }) => {}
            other => panic!("{other:?}"),
        }
        fx.clock.advance(Duration::seconds(1));
    }
    assert!(
        checked <= 3 + 5 + 600 / 60,
        "{checked} guesses checked in ten minutes"
    );
    // The voter stops; the admin arrives a minute later and logs in.
    fx.clock.advance(Duration::seconds(LOGIN_DELAY_MAX_SECS));
    let admin = fx.admin();
    fx.station.enter_test_mode(&admin).expect("the admin works");
}

/// The attack: find out which official names exist by watching the
/// answers (an existing account once answered "locked" where an unknown
/// name never did). The same attempts with a real and a made-up name get
/// the same answers, word for word, wait for wait.
#[test]
fn an_unknown_name_gets_exactly_the_answers_of_an_existing_one() {
    let answers = |name: &str| {
        let mut fx = Fixture::seeded(13);
        let mut out = Vec::new();
        for step in 0..12 {
            out.push(answer(&fx.station.login(name, WRONG)));
            if step % 3 == 2 {
                fx.clock.advance(Duration::seconds(5));
            }
        }
        out
    };
    let existing = answers(ADMIN);
    let unknown = answers("mallory");
    assert_eq!(existing, unknown);
    assert!(
        existing.iter().any(|a| a.starts_with("account_locked")),
        "{existing:?}"
    );
    assert!(
        existing.iter().all(|a| !a.contains(ADMIN)),
        "no answer names the account"
    );
}

#[test]
fn the_login_delay_survives_reopening_the_file() {
    let mut fx = Fixture::new();
    for _ in 0..LOGIN_FREE_FAILURES {
        assert!(fx.station.login(WORKER, WRONG).is_err());
    }
    restart(&mut fx);
    let refused = fx.station.login(WORKER, WORKER_PASSWORD);
    assert!(
        matches!(refused, Err(Error::AccountLocked { seconds: 2 })),
        "{refused:?}"
    );
    fx.clock.advance(Duration::seconds(2));
    fx.station
        .login(WORKER, WORKER_PASSWORD)
        .expect("login once the wait has run out");
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

/// Whether `official`'s session is still accepted.
fn live(station: &mut Station, official: &votekiosk::Official) -> votekiosk::Result<()> {
    station.check_session(official)
}

#[test]
fn an_official_left_idle_for_the_logout_time_is_logged_out() {
    let mut fx = Fixture::new();
    fx.closing_key();
    let bob = fx.worker();
    // Activity keeps the session: 59 s, then 59 s more.
    fx.clock.advance(Duration::seconds(59));
    live(&mut fx.station, &bob).expect("59 s idle");
    fx.clock.advance(Duration::seconds(59));
    live(&mut fx.station, &bob).expect("59 s idle again");
    // 60 s without activity (the default): logged out, whatever the window did.
    fx.clock.advance(Duration::seconds(60));
    let before = snapshot(&fx.station);
    let expired = fx.station.open_polls(&bob);
    assert!(
        matches!(expired, Err(Error::SessionExpired { idle_secs: 60 })),
        "{expired:?}"
    );
    assert_eq!(
        expired.expect_err("expired").to_string(),
        "you were logged out after 60 seconds without activity: log in again"
    );
    let after = fx.station.open_polls(&bob);
    assert!(matches!(after, Err(Error::LoggedOut)), "{after:?}");
    assert_eq!(snapshot(&fx.station), before, "nothing changed");
    assert_eq!(fx.station.mode().expect("mode"), Mode::Setup);
    let log = fx.station.audit_log(10_000).expect("audit log");
    assert!(log.iter().any(|e| e.kind == "logged_out"
        && e.actor == WORKER
        && e.detail.contains("60 seconds without activity")));
    // Logging in again works.
    let bob = fx.worker();
    fx.station.open_polls(&bob).expect("open after logging in again");
}

#[test]
fn the_idle_logout_is_an_admin_setting_within_its_range() {
    let mut fx = Fixture::new();
    let alice = fx.admin();
    let current = fx.station.kiosk_settings().expect("settings");
    let settings = |secs| KioskSettings {
        official_idle_logout_secs: secs,
        ..current.clone()
    };
    assert_eq!(
        fx.station
            .kiosk_settings()
            .expect("settings")
            .official_idle_logout_secs,
        60
    );
    for bad in [0, 29, 601, 86_400] {
        let refused = fx.station.set_kiosk_settings(&alice, &settings(bad));
        assert!(
            matches!(refused, Err(Error::InvalidInput(_))),
            "{bad}: {refused:?}"
        );
    }
    let bob = fx.worker();
    let refused = fx.station.set_kiosk_settings(&bob, &settings(300));
    assert!(matches!(refused, Err(Error::NotAllowed { .. })), "{refused:?}");
    assert_eq!(
        fx.station.official_idle_logout_secs().expect("setting"),
        60,
        "nothing changed"
    );

    fx.station
        .set_kiosk_settings(&alice, &settings(300))
        .expect("300 s");
    assert_eq!(fx.station.official_idle_logout_secs().expect("setting"), 300);
    fx.clock.advance(Duration::seconds(299));
    live(&mut fx.station, &bob).expect("299 s idle");
    fx.clock.advance(Duration::seconds(300));
    assert!(matches!(
        live(&mut fx.station, &bob),
        Err(Error::SessionExpired { idle_secs: 300 })
    ));
    // It is kept in the file.
    restart(&mut fx);
    assert_eq!(fx.station.official_idle_logout_secs().expect("setting"), 300);
}

#[test]
fn after_logout_the_official_is_refused() {
    let mut fx = Fixture::new();
    fx.closing_key();
    let bob = fx.worker();
    let other = fx.worker();
    fx.station.logout(&bob).expect("logout");
    let refused = fx.station.open_polls(&bob);
    assert!(matches!(refused, Err(Error::LoggedOut)), "{refused:?}");
    assert_eq!(fx.station.mode().expect("mode"), Mode::Setup);
    // Logging out one session ends only that one.
    fx.station.open_polls(&other).expect("the other session");
    fx.station.logout(&bob).expect("logging out twice is harmless");
    let log = fx.station.audit_log(10_000).expect("audit log");
    assert_eq!(
        log.iter()
            .filter(|e| e.kind == "logged_out" && e.actor == WORKER)
            .count(),
        1
    );
}

#[test]
fn issuing_codes_and_closing_the_polls_need_the_password_again() {
    let mut fx = Fixture::new();
    fx.open();
    let bob = fx.worker();
    // Right after login, the password was just typed.
    fx.station.issue_codes(&bob, 1).expect("issue at login");
    fx.clock.advance(Duration::seconds(REAUTH_VALID_SECS));
    let before = snapshot(&fx.station);
    let refused = fx.station.issue_codes(&bob, 5);
    assert!(
        matches!(
            refused,
            Err(Error::PasswordRequired {
                action: "issue codes"
            })
        ),
        "{refused:?}"
    );
    assert_eq!(
        refused.expect_err("refused").to_string(),
        "to issue codes, type your password again"
    );
    let wrong = fx.station.reauthenticate(&bob, WRONG);
    assert!(matches!(wrong, Err(Error::BadCredentials)), "{wrong:?}");
    assert!(matches!(
        fx.station.issue_codes(&bob, 5),
        Err(Error::PasswordRequired { .. })
    ));
    assert_eq!(snapshot(&fx.station), before, "no code issued");

    fx.station.reauthenticate(&bob, WORKER_PASSWORD).expect("confirm");
    fx.station.issue_codes(&bob, 5).expect("issue after confirming");
    assert_eq!(fx.station.status().expect("status").turnout.codes_issued, 6);

    fx.clock.advance(Duration::seconds(REAUTH_VALID_SECS));
    let refused = fx.station.close_polls(&bob);
    assert!(
        matches!(
            refused,
            Err(Error::PasswordRequired {
                action: "close the polls"
            })
        ),
        "{refused:?}"
    );
    assert_eq!(fx.station.mode().expect("mode"), Mode::Open);
    fx.station.reauthenticate(&bob, WORKER_PASSWORD).expect("confirm");
    fx.station.close_polls(&bob).expect("close after confirming");
    let log = fx.station.audit_log(10_000).expect("audit log");
    assert!(log
        .iter()
        .any(|e| e.kind == "login_ok" && e.actor == WORKER && e.detail == "password confirmed"));
}

/// The attack: an official walks away from a logged-in dashboard, and a
/// voter tries passwords at the "type your password again" prompt to issue
/// codes. Three wrong ones end the session, and they count towards the
/// kiosk's login delay like any failed login.
#[test]
fn a_voter_guessing_at_the_password_prompt_ends_the_session() {
    let mut fx = Fixture::new();
    fx.open();
    let bob = fx.worker();
    fx.clock.advance(Duration::seconds(REAUTH_VALID_SECS));
    let before = snapshot(&fx.station);
    for _ in 0..REAUTH_MAX_WRONG {
        let wrong = fx.station.reauthenticate(&bob, WRONG);
        assert!(matches!(wrong, Err(Error::BadCredentials)), "{wrong:?}");
    }
    for attempt in [
        fx.station.reauthenticate(&bob, WORKER_PASSWORD),
        fx.station.issue_codes(&bob, 1).map(drop),
        fx.station.close_polls(&bob),
    ] {
        assert!(matches!(attempt, Err(Error::LoggedOut)), "{attempt:?}");
    }
    assert_eq!(snapshot(&fx.station), before, "nothing changed");
    // Those were failed logins at this kiosk: the next login waits.
    let waits = fx.station.login(WORKER, WORKER_PASSWORD);
    assert!(matches!(waits, Err(Error::AccountLocked { .. })), "{waits:?}");
}

/// The display's pixel pitch (what the voter's text sizes are computed
/// from) is an admin's setting within its range; a value out of range or
/// from a poll worker is refused and changes nothing.
#[test]
fn the_display_pixel_pitch_is_an_admin_setting_within_its_range() {
    let mut fx = Fixture::new();
    let alice = fx.admin();
    let current = fx.station.kiosk_settings().expect("settings");
    assert_eq!(
        current.pixel_pitch_um, 265,
        "the CSS reference pixel until declared"
    );
    let with = |um| KioskSettings {
        pixel_pitch_um: um,
        ..current.clone()
    };
    for bad in [0, 99, 501, u32::MAX] {
        let refused = fx.station.set_kiosk_settings(&alice, &with(bad));
        assert!(
            matches!(&refused, Err(Error::InvalidInput(m)) if m.contains("pixel pitch")),
            "{bad}: {refused:?}"
        );
    }
    let bob = fx.worker();
    let refused = fx.station.set_kiosk_settings(&bob, &with(180));
    assert!(matches!(refused, Err(Error::NotAllowed { .. })), "{refused:?}");
    assert_eq!(
        fx.station.kiosk_settings().expect("settings"),
        current,
        "nothing changed"
    );

    fx.station
        .set_kiosk_settings(&alice, &with(180))
        .expect("0.180 mm");
    assert_eq!(fx.station.pixel_pitch_um().expect("pitch"), 180);
    let log = fx.station.audit_log(10_000).expect("audit log");
    assert!(log
        .iter()
        .any(|e| e.kind == "settings_changed" && e.detail.contains("pixel pitch 0.180 mm")));
    // The voter's standard size on that panel: 4.9 mm is 27.2 px, so 27 px
    // (4.86 mm), inside VVSG's 4.8–5.6 mm.
    let standard = votekiosk::limits::text_sizes(180)[votekiosk::limits::DEFAULT_TEXT_SIZE];
    assert_eq!((standard.cap_px, standard.size.name), (27, "standard"));
}
