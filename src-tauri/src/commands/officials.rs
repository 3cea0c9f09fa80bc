//! Poll-worker mode: login and the session (logout, keep-alive), polls,
//! codes, unlock, turnout, audit log. Every command but `login` and
//! `station_status` (turnout, shown to anyone) takes the session token.

use serde::Serialize;
use tauri::{AppHandle, State};
use zeroize::Zeroizing;

use crate::dto::{self, SessionDto, StatusDto};
use crate::error::{IpcError, IpcResult};
use crate::state::AppState;
use votekiosk::Action;

/// Logs an official in: the window gets an opaque token for the session.
#[tauri::command]
pub async fn login(state: State<'_, AppState>, username: String, password: String) -> IpcResult<SessionDto> {
    let password = Zeroizing::new(password);
    let mut inner = state.lock();
    let station = inner.station()?;
    let official = station.login(username.trim(), &password)?;
    let idle_logout_secs = station.official_idle_logout_secs()?;
    let official_dto = super::session::official_dto(&official);
    let token = inner.start_session(official);
    Ok(SessionDto {
        token: token.to_string(),
        official: official_dto,
        idle_logout_secs,
    })
}

/// Ends the session, whoever asks: logging out grants nothing, and voter
/// mode starts with it (the window may have lost its token).
#[tauri::command]
pub async fn logout(state: State<'_, AppState>) -> IpcResult<()> {
    state.lock().end_session();
    Ok(())
}

/// The official is active in the window (typing, reading): keeps the
/// session from the idle logout. Refused once it has ended.
#[tauri::command]
pub async fn keep_alive(state: State<'_, AppState>, token: String) -> IpcResult<()> {
    state.lock().official(&token)?;
    Ok(())
}

#[tauri::command]
pub async fn station_status(state: State<'_, AppState>) -> IpcResult<StatusDto> {
    let mut inner = state.lock();
    Ok(dto::station_status(inner.station()?)?)
}

#[tauri::command]
pub async fn change_polls(
    app: AppHandle,
    state: State<'_, AppState>,
    token: String,
    action: String,
    password: Option<String>,
) -> IpcResult<StatusDto> {
    let password = password.map(Zeroizing::new);
    let mut inner = state.lock();
    let (station, by) = inner.official(&token)?;
    // Closing the polls asks for the password again (the core's rule).
    if let Some(password) = &password {
        station.reauthenticate(&by, password)?;
    }
    match Action::parse(&action) {
        Some(Action::EnterTestMode) => station.enter_test_mode(&by)?,
        Some(Action::OpenPolls) => station.open_polls(&by)?,
        Some(Action::PausePolls) => station.pause_polls(&by)?,
        Some(Action::ResumePolls) => station.resume_polls(&by)?,
        Some(Action::ClosePolls) => station.close_polls(&by)?,
        _ => {
            return Err(IpcError::new(
                "invalid_input",
                format!("unknown polls action {action:?}"),
            ))
        }
    }
    super::announce(&app, station);
    Ok(dto::station_status(station)?)
}

#[derive(Serialize)]
pub struct IssuedCodes {
    pub batch: i64,
    pub test: bool,
    pub codes: Vec<String>,
    /// Where the slips went, when asked to print them.
    pub printed: Option<String>,
}

#[tauri::command]
pub async fn issue_codes(
    app: AppHandle,
    state: State<'_, AppState>,
    token: String,
    password: String,
    count: usize,
    print_slips: bool,
    language: Option<String>,
) -> IpcResult<IssuedCodes> {
    let password = Zeroizing::new(password);
    let mut inner = state.lock();
    let (station, by) = inner.official(&token)?;
    // Issuing codes asks for the password again (the core's rule).
    station.reauthenticate(&by, &password)?;
    // The slips' words: the language the official chose (one of the
    // election's), else its first.
    let slip_language = match language.as_deref() {
        None | Some("") => station.definition().default_language().clone(),
        Some(code) => station.definition().require_language(code)?.clone(),
    };
    // Slips that do not print are revoked, never saved (the error says so).
    let issued = if print_slips {
        station
            .issue_printed_codes_in(&by, count, votekiosk::print::CodeSlipLayout::A4, &slip_language)
            .map(|(batch, outcome)| (batch, Some(outcome.to_string())))
    } else {
        station.issue_codes(&by, count).map(|batch| (batch, None))
    };
    super::announce(&app, station);
    let (batch, printed) = issued?;
    Ok(IssuedCodes {
        batch: batch.batch,
        test: batch.test,
        codes: batch.codes.iter().map(|c| c.display()).collect(),
        printed,
    })
}

#[tauri::command]
pub async fn revoke_code(
    app: AppHandle,
    state: State<'_, AppState>,
    token: String,
    code: String,
) -> IpcResult<()> {
    let mut inner = state.lock();
    let (station, by) = inner.official(&token)?;
    station.revoke_code(&by, &code)?;
    super::announce(&app, station);
    Ok(())
}

#[tauri::command]
pub async fn unlock_voting(app: AppHandle, state: State<'_, AppState>, token: String) -> IpcResult<()> {
    let mut inner = state.lock();
    let (station, by) = inner.official(&token)?;
    station.unlock_voting(&by)?;
    super::announce(&app, station);
    Ok(())
}

#[derive(Serialize)]
pub struct AuditEntryDto {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub kind: String,
    pub detail: String,
}

#[tauri::command]
pub async fn audit_log(
    state: State<'_, AppState>,
    token: String,
    limit: u32,
) -> IpcResult<Vec<AuditEntryDto>> {
    let mut inner = state.lock();
    let (station, _) = inner.official(&token)?;
    Ok(station
        .audit_log(limit.min(1000))?
        .into_iter()
        .map(|e| AuditEntryDto {
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            kind: e.kind,
            detail: e.detail,
        })
        .collect())
}

#[derive(Serialize)]
pub struct AuditCheck {
    pub ok: bool,
    pub length: u64,
    pub head: String,
    pub first_broken: Option<String>,
}

#[tauri::command]
pub async fn verify_audit(state: State<'_, AppState>, token: String) -> IpcResult<AuditCheck> {
    let mut inner = state.lock();
    let (station, _) = inner.official(&token)?;
    let r = station.verify_audit_chain()?;
    Ok(AuditCheck {
        ok: r.first_broken.is_none(),
        length: r.length,
        head: r.head,
        first_broken: r.first_broken.map(|(seq, why)| format!("entry {seq}: {why}")),
    })
}
