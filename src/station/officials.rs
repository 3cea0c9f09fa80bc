//! Officials: logins with their lockout, and adding accounts.

use chrono::{DateTime, Duration, Utc};

use super::{Audited, Official, Station, LOGIN_LOCKOUT_AFTER, LOGIN_LOCKOUT_BASE_SECS};
use crate::clock::stamp;
use crate::crypto::password;
use crate::error::{Error, Result};
use crate::model::{AuditEvent, Role};
use crate::store::officials;

/// A valid Argon2id hash of a random password, checked against when an
/// account does not exist.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2x6N9mZ3yQ0rW8u6v8ZbVw4m8c0k8sKqzqv0G8mQW8s";

pub(super) fn valid_username(name: &str) -> bool {
    (1..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

impl Station {
    /// Checks an official's password. Five failures in a row lock the
    /// account for 30 s, doubling with each further failure; every attempt
    /// is audited.
    pub fn login(&mut self, username: &str, password_text: &str) -> Result<Official> {
        let now = self.now();
        let row = officials::official(self.store.conn(), username)?;
        let Some(row) = row else {
            // Spend the same effort as a real check, so timing does not say
            // whether the account exists.
            let _ = password::verify(password_text, DUMMY_HASH);
            // The typed name is not recorded: it may be a password typed
            // into the wrong field.
            self.audit("-", AuditEvent::LoginFailed, "unknown account")?;
            return Err(Error::BadCredentials);
        };
        if let Some(until) = row
            .locked_until
            .as_deref()
            .and_then(|u| DateTime::parse_from_rfc3339(u).ok())
        {
            let until = until.with_timezone(&Utc);
            if now < until {
                // Whole seconds, rounded up: "0 seconds" while still locked would mislead.
                let left = ((until - now).num_milliseconds() + 999) / 1000;
                self.audit(
                    username,
                    AuditEvent::LoginRefused,
                    &format!("account locked for {left} more seconds"),
                )?;
                return Err(Error::AccountLocked { seconds: left });
            }
        }
        if password::verify(password_text, &row.password_hash) {
            let role = row.role;
            self.audited_write(username, AuditEvent::LoginOk, |tx, _| {
                officials::record_login_result(tx, username, 0, None)?;
                Ok(Audited::entry((), format!("role {}", role.as_str())))
            })?;
            return Ok(Official {
                username: row.username,
                role,
                station: self.instance,
            });
        }
        let failed = row.failed_attempts + 1;
        let lock = (failed >= LOGIN_LOCKOUT_AFTER).then(|| {
            let secs = LOGIN_LOCKOUT_BASE_SECS << (failed - LOGIN_LOCKOUT_AFTER).min(10);
            (secs, stamp(now + Duration::seconds(secs)))
        });
        self.audited_write(username, AuditEvent::LoginFailed, |tx, _| {
            officials::record_login_result(tx, username, failed, lock.as_ref().map(|l| l.1.as_str()))?;
            let detail = match &lock {
                Some((secs, _)) => format!("wrong password ({failed} in a row); locked for {secs} seconds"),
                None => format!("wrong password ({failed} in a row)"),
            };
            Ok(Audited::entry((), detail))
        })?;
        match lock {
            Some((secs, _)) => Err(Error::AccountLocked { seconds: secs }),
            None => Err(Error::BadCredentials),
        }
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
