//! Tauri commands, grouped by area. Each reads its arguments, calls one
//! facade method and returns; every rule lives in the core. All are async so
//! that slow work (key derivation, fsync) never blocks the window's thread.

pub mod admin;
pub mod closing;
pub mod export;
pub mod officials;
pub mod print;
pub mod session;
pub mod speech;
pub mod verify;
pub mod voter;

use tauri::{AppHandle, Emitter};

use crate::dto;

/// Tells the window that mode or turnout changed (the dashboard listens).
pub(crate) fn announce(app: &AppHandle, station: &votekiosk::Station) {
    if let Ok(status) = dto::station_status(station) {
        let _ = app.emit("station-status", status);
    }
}
