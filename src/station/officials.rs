//! Officials: logins and their kiosk-wide delay, sessions (idle logout,
//! logout), confirming the password again before a sensitive action, and
//! adding accounts.
//!
//! **Logins.** Failed logins are counted per kiosk (per station file), not
//! per account: after [`LOGIN_FREE_FAILURES`] failures in a row, whatever
//! names were typed, every attempt waits a delay that doubles from
//! [`LOGIN_DELAY_BASE_SECS`] up to [`LOGIN_DELAY_MAX_SECS`]. While it
//! runs, every attempt gets the same answer (`AccountLocked`, which names
//! no account) without the name being looked up. So guessing is slow
//! (one try a minute), a voter typing at the kiosk cannot lock `admin` out
//! for longer than the cap after their last try, and no answer, nor its
//! timing (an unknown name is checked against a dummy Argon2 hash made
//! with the same parameters), says whether a name exists.
//!
//! **Sessions.** `login` starts a session; every method that takes an
//! `Official` checks it is still live and counts as activity. After the
//! kiosk's idle logout (`KioskSettings::official_idle_logout_secs`, 60 s by
//! default) without activity it has ended: the next call is refused with
//! `SessionExpired`, whatever the window did. `logout` ends it at once.
//!
//! **Confirming the password.** Issuing codes and closing the polls need a
//! password typed in this session within [`REAUTH_VALID_SECS`]: at login or
//! with `reauthenticate`. Wrong passwords there count towards the kiosk's
//! login delay, and [`REAUTH_MAX_WRONG`] in a row end the session.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use rand::RngCore;

use super::{Audited, Official, Station};
use crate::clock::stamp;
use crate::crypto::password;
use crate::error::{Error, Result};
use crate::model::{AuditEvent, Role};
use crate::store::{election, officials};

/// Failed logins in a row at a kiosk (any names) answered without a wait.
pub const LOGIN_FREE_FAILURES: u32 = 3;
/// The wait after the first failure past the free ones; each further
/// failure doubles it.
pub const LOGIN_DELAY_BASE_SECS: i64 = 2;
/// The longest wait: how long a voter trying passwords at the kiosk can
/// keep an official out after their last try, and one guess a minute.
pub const LOGIN_DELAY_MAX_SECS: i64 = 60;
/// How long a password typed at login or `reauthenticate` allows issuing
/// codes and closing the polls.
pub const REAUTH_VALID_SECS: i64 = 30;
/// Wrong passwords in a row when confirming an action that end the session.
pub const REAUTH_MAX_WRONG: u32 = 3;

/// The settings holding the kiosk's failed logins in a row and the end of
/// the current wait (kept in the file, so a restart does not reset them).
const SETTING_FAILURES: &str = "login.failures_in_a_row";
const SETTING_WAIT_UNTIL: &str = "login.wait_until";

/// An Argon2id hash (of a random password) made by `password::hash`, with
/// its parameters: an unknown name is checked against it, so that it costs
/// what a real check costs (a unit test pins the parameters).
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2x6N9mZ3yQ0rW8u6v8ZbVw4m8c0k8sKqzqv0G8mQW8s";

pub(super) fn valid_username(name: &str) -> bool {
    (1..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// The live sessions of one open station (memory only).
#[derive(Default)]
pub(super) struct Sessions(HashMap<u64, Session>);

struct Session {
    /// The last call made with the session.
    active: DateTime<Utc>,
    /// When its official last typed their password (login or confirm).
    password_at: DateTime<Utc>,
    /// Wrong passwords in a row when confirming an action.
    wrong: u32,
}

/// The wait after `failures` failed logins in a row, if any.
fn login_delay(failures: u32) -> Option<i64> {
    let past = failures.checked_sub(LOGIN_FREE_FAILURES)?;
    Some((LOGIN_DELAY_BASE_SECS << past.min(16)).min(LOGIN_DELAY_MAX_SECS))
}

/// Whole seconds from `now` to `until`, rounded up ("0 seconds" while a
/// wait still runs would mislead).
fn seconds_left(now: DateTime<Utc>, until: DateTime<Utc>) -> i64 {
    ((until - now).num_milliseconds() + 999) / 1000
}

impl Station {
    /// Checks an official's password and starts a session. Failures count
    /// per kiosk (see the module doc); every attempt is audited.
    pub fn login(&mut self, username: &str, password_text: &str) -> Result<Official> {
        self.refuse_while_delayed()?;
        let row = officials::official(self.store.conn(), username)?;
        // An unknown name costs one Argon2 check too, so that timing does
        // not say whether the account exists.
        let hash = row.as_ref().map_or(DUMMY_HASH, |r| r.password_hash.as_str());
        let matches = password::verify(password_text, hash);
        let row = match row {
            Some(row) if matches => row,
            // The same answer and the same work for both; only the audit
            // log, which officials read, tells them apart.
            Some(row) => {
                self.record_failure(&row.username, "wrong password")?;
                return Err(Error::BadCredentials);
            }
            None => {
                // The typed name is not recorded: it may be a password
                // typed into the wrong field.
                self.record_failure("-", "unknown account")?;
                return Err(Error::BadCredentials);
            }
        };
        let role = row.role;
        self.record_success(&row.username, format!("role {}", role.as_str()))?;
        let now = self.now();
        self.prune_sessions(now)?;
        let session = self.rng.next_u64();
        self.sessions.0.insert(
            session,
            Session {
                active: now,
                password_at: now,
                wrong: 0,
            },
        );
        Ok(Official {
            username: row.username,
            role,
            station: self.instance,
            session,
        })
    }

    /// Ends the official's session (audited). Their `Official` is refused
    /// from then on.
    pub fn logout(&mut self, by: &Official) -> Result<()> {
        if by.station != self.instance {
            return Err(Error::NotLoggedInHere);
        }
        let idle = self.official_idle_logout_secs()?;
        let now = self.now();
        if let Some(session) = self.sessions.0.remove(&by.session) {
            let detail = if now - session.active >= Duration::seconds(idle.into()) {
                format!("logged out after {idle} seconds without activity")
            } else {
                "logged out".to_string()
            };
            self.audit(&by.username, AuditEvent::LoggedOut, &detail)?;
        }
        Ok(())
    }

    /// Confirms the logged-in official's password before a sensitive action
    /// (issuing codes, closing the polls). Wrong passwords count towards
    /// the kiosk's login delay; [`REAUTH_MAX_WRONG`] in a row end the
    /// session.
    pub fn reauthenticate(&mut self, by: &Official, password_text: &str) -> Result<()> {
        self.check_official(by)?;
        self.refuse_while_delayed()?;
        let row = officials::official(self.store.conn(), &by.username)?;
        let hash = row.as_ref().map_or(DUMMY_HASH, |r| r.password_hash.as_str());
        let matches = password::verify(password_text, hash) && row.is_some();
        if !matches {
            self.record_failure(&by.username, "wrong password when confirming an action")?;
            let wrong = self.sessions.0.get_mut(&by.session).map(|s| {
                s.wrong += 1;
                s.wrong
            });
            if wrong.is_some_and(|w| w >= REAUTH_MAX_WRONG) {
                self.sessions.0.remove(&by.session);
                let detail = format!("logged out after {REAUTH_MAX_WRONG} wrong passwords in a row");
                self.audit(&by.username, AuditEvent::LoggedOut, &detail)?;
            }
            return Err(Error::BadCredentials);
        }
        self.record_success(&by.username, "password confirmed".to_string())?;
        let now = self.now();
        if let Some(session) = self.sessions.0.get_mut(&by.session) {
            session.password_at = now;
            session.wrong = 0;
        }
        Ok(())
    }

    /// Whether `by`'s session is still live; counts as activity. For the
    /// shell's commands whose facade method takes no `Official` (the audit
    /// log, the reports): every other method checks it itself.
    pub fn check_session(&mut self, by: &Official) -> Result<()> {
        self.check_official(by)
    }

    /// The session rule behind `check_official`: live, not idle too long;
    /// each call is activity.
    pub(super) fn touch_session(&mut self, by: &Official) -> Result<()> {
        let idle = self.official_idle_logout_secs()?;
        let now = self.now();
        let session = self.sessions.0.get_mut(&by.session).ok_or(Error::LoggedOut)?;
        if now - session.active >= Duration::seconds(idle.into()) {
            self.sessions.0.remove(&by.session);
            let detail = format!("logged out after {idle} seconds without activity");
            self.audit(&by.username, AuditEvent::LoggedOut, &detail)?;
            return Err(Error::SessionExpired { idle_secs: idle });
        }
        session.active = now;
        Ok(())
    }

    /// Issuing codes and closing the polls: the official's password must
    /// have been typed in this session within [`REAUTH_VALID_SECS`].
    pub(super) fn require_recent_password(&mut self, by: &Official, action: &'static str) -> Result<()> {
        self.check_official(by)?;
        let now = self.now();
        let fresh = self
            .sessions
            .0
            .get(&by.session)
            .is_some_and(|s| now - s.password_at < Duration::seconds(REAUTH_VALID_SECS));
        if fresh {
            Ok(())
        } else {
            Err(Error::PasswordRequired { action })
        }
    }

    /// Forgets sessions idle past the logout, so the map stays small.
    fn prune_sessions(&mut self, now: DateTime<Utc>) -> Result<()> {
        let idle = Duration::seconds(self.official_idle_logout_secs()?.into());
        self.sessions.0.retain(|_, s| now - s.active < idle);
        Ok(())
    }

    /// Refuses an attempt while the kiosk's login delay runs (audited; the
    /// name is not looked up, so the answer is the same for every name).
    fn refuse_while_delayed(&mut self) -> Result<()> {
        let now = self.now();
        let until = election::setting(self.store.conn(), SETTING_WAIT_UNTIL)?
            .and_then(|u| DateTime::parse_from_rfc3339(&u).ok())
            .map(|u| u.with_timezone(&Utc));
        match until {
            Some(until) if now < until => {
                let left = seconds_left(now, until);
                let detail = format!("logins delayed for {left} more seconds after repeated failures");
                self.audit("-", AuditEvent::LoginRefused, &detail)?;
                Err(Error::AccountLocked { seconds: left })
            }
            _ => Ok(()),
        }
    }

    /// Counts a failed login at this kiosk and starts its wait, if due.
    fn record_failure(&mut self, actor: &str, what: &str) -> Result<()> {
        let failures = election::setting(self.store.conn(), SETTING_FAILURES)?
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(0)
            .saturating_add(1);
        let wait = login_delay(failures);
        let until = wait.map(|secs| stamp(self.now() + Duration::seconds(secs)));
        self.audited_write(actor, AuditEvent::LoginFailed, |tx, _| {
            election::record_setting(tx, SETTING_FAILURES, &failures.to_string())?;
            let mut detail = format!("{what} ({failures} failed in a row at this kiosk)");
            if let (Some(secs), Some(until)) = (wait, &until) {
                election::record_setting(tx, SETTING_WAIT_UNTIL, until)?;
                detail.push_str(&format!("; next attempt in {secs} seconds"));
            }
            Ok(Audited::entry((), detail))
        })
    }

    /// A right password: the kiosk's count of failures starts again.
    fn record_success(&mut self, username: &str, detail: String) -> Result<()> {
        self.audited_write(username, AuditEvent::LoginOk, |tx, _| {
            election::forget_setting(tx, SETTING_FAILURES)?;
            election::forget_setting(tx, SETTING_WAIT_UNTIL)?;
            Ok(Audited::entry((), detail))
        })
    }

    /// Adds an official account (admins only).
    pub fn add_official(
        &mut self,
        by: &Official,
        username: &str,
        role: Role,
        password_text: &str,
    ) -> Result<()> {
        self.check_official(by)?;
        by.require_admin()?;
        if !valid_username(username) {
            return Err(Error::BadOfficialName(username.to_string()));
        }
        let hash = password::hash(password_text, &mut self.rng)?;
        self.audited_write(&by.username, AuditEvent::OfficialAdded, |tx, _| {
            officials::record_official(tx, username, role, &hash)?;
            Ok(Audited::entry((), format!("{username} as {}", role.as_str())))
        })
    }

    /// Every account as (username, role).
    pub fn officials(&self) -> Result<Vec<(String, String)>> {
        officials::list_officials(self.store.conn())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::PasswordHash;

    #[test]
    fn the_dummy_hash_costs_what_a_real_check_costs() {
        let real = password::hash("a password of some length", &mut rand::rngs::OsRng).expect("hash");
        let real = PasswordHash::new(&real).expect("real hash parses");
        let dummy = PasswordHash::new(DUMMY_HASH).expect("the dummy hash parses");
        assert_eq!(dummy.algorithm, real.algorithm);
        assert_eq!(dummy.version, real.version);
        assert_eq!(dummy.params, real.params, "same memory, passes and lanes");
        assert_eq!(dummy.hash.map(|h| h.len()), real.hash.map(|h| h.len()));
        assert!(!password::verify("a password of some length", DUMMY_HASH));
    }

    #[test]
    fn the_login_delay_grows_to_its_cap() {
        let delays: Vec<_> = (1..=10).map(login_delay).collect();
        assert_eq!(
            delays,
            [
                None,
                None,
                Some(2),
                Some(4),
                Some(8),
                Some(16),
                Some(32),
                Some(60),
                Some(60),
                Some(60)
            ]
        );
        assert_eq!(login_delay(u32::MAX), Some(LOGIN_DELAY_MAX_SECS));
    }
}
