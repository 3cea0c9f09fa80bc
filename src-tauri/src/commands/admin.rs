//! Admin mode: official accounts and kiosk settings.

use serde::Serialize;
use tauri::State;
use votekiosk::{KioskSettings, Role};
use zeroize::Zeroizing;

use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
pub async fn add_official(
    state: State<'_, AppState>,
    token: String,
    username: String,
    role: String,
    password: String,
) -> IpcResult<()> {
    let password = Zeroizing::new(password);
    let mut inner = state.lock();
    let (station, by) = inner.official(&token)?;
    Ok(station.add_official(&by, username.trim(), Role::parse(&role)?, &password)?)
}

#[derive(Serialize)]
pub struct OfficialRow {
    pub username: String,
    pub role: String,
}

#[tauri::command]
pub async fn list_officials(state: State<'_, AppState>, token: String) -> IpcResult<Vec<OfficialRow>> {
    let mut inner = state.lock();
    let (station, _) = inner.official(&token)?;
    Ok(station
        .officials()?
        .into_iter()
        .map(|(username, role)| OfficialRow { username, role })
        .collect())
}

#[tauri::command]
pub async fn set_kiosk_settings(
    state: State<'_, AppState>,
    token: String,
    idle_timeout_secs: u32,
    default_language: String,
    official_idle_logout_secs: u32,
    pixel_pitch_um: u32,
) -> IpcResult<()> {
    let mut inner = state.lock();
    let (station, by) = inner.official(&token)?;
    Ok(station.set_kiosk_settings(
        &by,
        &KioskSettings {
            idle_timeout_secs,
            default_language,
            official_idle_logout_secs,
            pixel_pitch_um,
        },
    )?)
}
