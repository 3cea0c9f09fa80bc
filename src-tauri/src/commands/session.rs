//! Start-up: which file (and what keeps it from opening), creating an
//! election, unlocking with the passphrase, the printer's fitness after the
//! unlock, and the software's identity for the about screen.

use std::path::Path;

use tauri::State;
use votekiosk::{ElectionDefinition, Options, Station};
use zeroize::Zeroizing;

use crate::dto::{AppInfo, OfficialDto, PrinterNotice};
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
        kiosk: state.launch.kiosk,
        // A problem only matters until the file is open.
        problem: if inner.station.is_some() {
            None
        } else {
            crate::boot::problem(&state.launch)
        },
    })
}

/// What the about screen shows (VVSG 2.0 software identification): the
/// version, the source commit and the SHA-256 of the running executable,
/// the same value the zero and results reports print and the signed
/// result records. Public: it says nothing secret.
#[tauri::command]
pub async fn software_info() -> IpcResult<votekiosk::export::format::Software> {
    // Hashing reads the executable once (cached afterwards): off the
    // window's thread.
    tauri::async_runtime::spawn_blocking(votekiosk::export::software)
        .await
        .map_err(|e| IpcError::new("internal", format!("could not read the running program: {e}")))
}

/// After the unlock: the printer, when documents holding voter secrets
/// must go to it and it is not fit for them (missing, stopped, printing
/// into files, keeping job files or history). `None`: nothing to say (the
/// demo election, or test mode saving into the print folder). Public: the
/// first screen after a boot shows it before anyone logs in.
#[tauri::command]
pub async fn printer_status(state: State<'_, AppState>) -> IpcResult<Option<PrinterNotice>> {
    let inner = state.lock();
    let Some(station) = inner.station.as_ref() else {
        return Ok(None);
    };
    if station.is_demo() || (station.printer_queue()?.is_none() && !station.secrets_need_paper(false)?) {
        return Ok(None);
    }
    let readiness = station.printer_readiness(false)?;
    Ok((!readiness.is_ready()).then_some(PrinterNotice {
        printer: readiness.printer,
        problems: readiness.problems,
    }))
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
