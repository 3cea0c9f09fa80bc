//! The voter's path: the ballot to show, the code check, the cast.

use tauri::{AppHandle, State};
use votekiosk::print::{self, SlipKind};
use votekiosk::SelectionsInput;

use crate::dto::{self, ReceiptDto, VoterContext};
use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
pub async fn voter_context(state: State<'_, AppState>) -> IpcResult<VoterContext> {
    let mut inner = state.lock();
    let station = inner.station()?;
    let settings = station.kiosk_settings()?;
    let status = dto::station_status(station)?;
    Ok(dto::voter_context(station.definition(), &settings, status))
}

#[tauri::command]
pub async fn check_code(app: AppHandle, state: State<'_, AppState>, code: String) -> IpcResult<()> {
    let mut inner = state.lock();
    let station = inner.station()?;
    let result = station.check_code(&code);
    super::announce(&app, station);
    Ok(result?)
}

#[tauri::command]
pub async fn cast_ballot(
    app: AppHandle,
    state: State<'_, AppState>,
    code: String,
    selections: SelectionsInput,
    request_key: String,
    language: String,
) -> IpcResult<ReceiptDto> {
    let mut inner = state.lock();
    let station = inner.station()?;
    let result = station.cast_ballot(&code, &selections, &request_key);
    super::announce(&app, station);
    let receipt = result?;
    // The ballot is committed. Print its slip; a failed print changes
    // nothing and the receipt is on screen anyway.
    let def = station.definition();
    let lang = def.language_or_default(&language).clone();
    let printed = print::receipt_slip(def, station.station_id(), &lang, &receipt, SlipKind::Original)
        .and_then(|pdf| station.print("votekiosk receipt", &pdf));
    let mut dto = dto::receipt(&receipt);
    match printed {
        Ok(outcome) => dto.printed = Some(outcome.to_string()),
        Err(e) => dto.print_error = Some(e.to_string()),
    }
    Ok(dto)
}
