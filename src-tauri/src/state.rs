//! What the shell keeps between commands: the open station (if unlocked)
//! and the official logged in on it (if any). Nothing else: every rule
//! lives in the core.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use votekiosk::{Official, Station};

use crate::error::{IpcError, IpcResult};

pub struct AppState {
    pub path: PathBuf,
    /// True when the app was started without a file and opened the demo.
    pub demo: bool,
    inner: Mutex<Inner>,
}

#[derive(Default)]
pub struct Inner {
    pub station: Option<Station>,
    pub official: Option<Official>,
    /// The signed result exported in this session, for receipt checks.
    pub exported: Option<votekiosk::export::verify::Parsed>,
}

impl AppState {
    pub fn new(path: PathBuf, demo: bool) -> Self {
        AppState {
            path,
            demo,
            inner: Mutex::new(Inner::default()),
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock must not brick the kiosk.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Inner {
    pub fn station(&mut self) -> IpcResult<&mut Station> {
        self.station.as_mut().ok_or_else(IpcError::no_station)
    }

    /// The station and the logged-in official.
    pub fn official(&mut self) -> IpcResult<(&mut Station, Official)> {
        let official = self.official.clone().ok_or_else(IpcError::not_logged_in)?;
        Ok((self.station()?, official))
    }
}
