//! What the shell keeps between commands: the open station (if unlocked)
//! and the official session on it (if any), behind an opaque random token.
//! Nothing else: every rule lives in the core.
//!
//! The window holds only the token. Each privileged command hands it back;
//! `Inner::official` maps it to the core's `Official` and asks the core
//! whether that session is still live (idle logout, logout), so an idle or
//! logged-out session is refused here even if the window never logged out.
//! Voter commands use `Inner::station` and never see an official.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use votekiosk::{Official, Station};
use zeroize::Zeroizing;

use crate::error::{IpcError, IpcResult};

pub struct AppState {
    pub path: PathBuf,
    /// True when the app was started without a file and opened the demo.
    pub demo: bool,
    /// The audio ballot's speech and its in-memory cache (no station
    /// needed: the voice works before the file is unlocked).
    pub speech: Arc<votekiosk::speech::Speech>,
    inner: Mutex<Inner>,
}

/// The logged-in official and the token the window holds for them.
pub struct Session {
    token: Zeroizing<String>,
    official: Official,
}

#[derive(Default)]
pub struct Inner {
    pub station: Option<Station>,
    session: Option<Session>,
    /// The signed result exported in this session, for receipt checks.
    pub exported: Option<votekiosk::export::verify::Parsed>,
}

impl AppState {
    pub fn new(path: PathBuf, demo: bool) -> Self {
        AppState {
            path,
            demo,
            speech: Arc::default(),
            inner: Mutex::new(Inner::default()),
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock must not brick the kiosk.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// 32 random bytes from the operating system, in hex: the window's handle
/// on a session, worthless once the session ends.
fn new_token() -> Zeroizing<String> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, bytes.as_mut());
    Zeroizing::new(hex::encode(bytes.as_ref()))
}

impl Inner {
    pub fn station(&mut self) -> IpcResult<&mut Station> {
        self.station.as_mut().ok_or_else(IpcError::no_station)
    }

    /// Starts the session of a newly logged-in official (ending any other)
    /// and returns its token.
    pub fn start_session(&mut self, official: Official) -> Zeroizing<String> {
        self.end_session();
        let token = new_token();
        self.session = Some(Session {
            token: token.clone(),
            official,
        });
        token
    }

    /// Ends the current session, in the core too (audited).
    pub fn end_session(&mut self) {
        if let Some(session) = self.session.take() {
            if let Some(station) = self.station.as_mut() {
                let _ = station.logout(&session.official);
            }
        }
    }

    /// The logged-in official, if any (for the window's start-up).
    pub fn logged_in(&self) -> Option<&Official> {
        self.session.as_ref().map(|s| &s.official)
    }

    /// The station and the official whose session `token` names, once the
    /// core has checked the session is live (this counts as activity). A
    /// wrong or stale token is refused; an ended session is forgotten.
    pub fn official(&mut self, token: &str) -> IpcResult<(&mut Station, Official)> {
        let official = match &self.session {
            Some(s) if votekiosk::crypto::mac_eq(s.token.as_bytes(), token.as_bytes()) => s.official.clone(),
            _ => return Err(IpcError::not_logged_in()),
        };
        let station = self.station.as_mut().ok_or_else(IpcError::no_station)?;
        if let Err(e) = station.check_session(&official) {
            self.session = None;
            return Err(e.into());
        }
        Ok((self.station()?, official))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::Duration;
    use votekiosk::{ManualClock, Options};

    use super::*;

    const PASSWORD: &str = "shell-admin-password";

    fn inner_with_station(dir: &std::path::Path) -> (Inner, Arc<ManualClock>) {
        let definition = votekiosk::demo::definition(chrono::Utc::now()).expect("definition");
        let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
        let options = Options {
            clock: clock.clone(),
            ..Options::default()
        };
        let station = Station::create(
            &dir.join("shell.vks"),
            &definition,
            "SHELL-1",
            "shell test passphrase",
            "admin",
            PASSWORD,
            options,
        )
        .expect("create");
        let inner = Inner {
            station: Some(station),
            ..Inner::default()
        };
        (inner, clock)
    }

    fn login(inner: &mut Inner) -> Zeroizing<String> {
        let official = inner
            .station()
            .expect("station")
            .login("admin", PASSWORD)
            .expect("login");
        inner.start_session(official)
    }

    #[test]
    fn a_session_left_idle_is_refused_even_if_the_window_never_logged_out() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut inner, clock) = inner_with_station(dir.path());
        let token = login(&mut inner);
        clock.advance(Duration::seconds(59));
        inner.official(&token).expect("59 s idle: still live");
        clock.advance(Duration::seconds(60));
        let stale = inner.official(&token).map(drop).expect_err("60 s idle");
        assert_eq!(stale.code, "session_expired");
        // Forgotten: the token stays refused, and nobody is logged in.
        let again = inner.official(&token).map(drop).expect_err("after expiry");
        assert_eq!(again.code, "not_logged_in");
        assert!(inner.logged_in().is_none());
    }

    #[test]
    fn a_wrong_or_old_token_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut inner, _clock) = inner_with_station(dir.path());
        let old = login(&mut inner);
        let token = login(&mut inner);
        assert_ne!(*old, *token, "each login gets a new token");
        for wrong in [old.as_str(), "", "00", &token[..token.len() - 1]] {
            let refused = inner.official(wrong).map(drop).expect_err("wrong token");
            assert_eq!(refused.code, "not_logged_in", "{wrong:?}");
        }
        inner.official(&token).expect("the current token");
        inner.end_session();
        let ended = inner.official(&token).map(drop).expect_err("after logout");
        assert_eq!(ended.code, "not_logged_in");
    }
}
