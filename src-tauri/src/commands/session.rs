//! Start-up: which file, creating an election, unlocking with the passphrase.

use std::path::Path;

use tauri::State;
use votekiosk::{ElectionDefinition, Options, Station};
use zeroize::Zeroizing;

use crate::dto::{AppInfo, OfficialDto};
use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

pub(crate) fn official_dto(o: &votekiosk::Official) -> OfficialDto {
    OfficialDto {
        username: o.username().to_string(),
        role: o.role().as_str(),
    }
}

#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> IpcResult<AppInfo> {
    let inner = state.lock();
    Ok(AppInfo {
        station_path: state.path.display().to_string(),
        exists: state.path.exists(),
        unlocked: inner.station.is_some(),
        demo: state.demo,
        demo_passphrase: state.demo.then_some(votekiosk::demo::PASSPHRASE),
        official: inner.logged_in().map(official_dto),
        display: crate::dto::display(match inner.station.as_ref() {
            Some(station) => station.pixel_pitch_um()?,
            None => votekiosk::station::DEFAULT_PIXEL_PITCH_UM,
        }),
    })
}

#[tauri::command]
pub async fn create_election(
    state: State<'_, AppState>,
    definition_path: String,
    station_id: String,
    passphrase: String,
    admin: String,
    admin_password: String,
) -> IpcResult<()> {
    let (passphrase, admin_password) = (Zeroizing::new(passphrase), Zeroizing::new(admin_password));
    let definition = ElectionDefinition::from_file(Path::new(definition_path.trim()))?;
    let station = Station::create(
        &state.path,
        &definition,
        station_id.trim(),
        &passphrase,
        &admin,
        &admin_password,
        Options::default(),
    )?;
    state.lock().station = Some(station);
    Ok(())
}

#[tauri::command]
pub async fn unlock_station(state: State<'_, AppState>, passphrase: String) -> IpcResult<()> {
    let passphrase = Zeroizing::new(passphrase);
    if !state.path.exists() {
        return Err(IpcError::new(
            "file_not_found",
            "There is no election file yet: create the election first.",
        ));
    }
    let station = Station::open(&state.path, &passphrase, Options::default())?;
    let mut inner = state.lock();
    inner.end_session();
    inner.station = Some(station);
    Ok(())
}
