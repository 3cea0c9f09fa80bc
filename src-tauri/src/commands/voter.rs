//! The voter's path: the ballot to show, the code check, the ballot card
//! (print it, or spoil it when the voter says it is wrong), the cast.

use tauri::{AppHandle, State};
use votekiosk::print::{self, SlipKind};
use votekiosk::SelectionsInput;

use crate::dto::{self, CardCountsDto, CardDto, ReceiptDto, VoterContext};
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

/// Records the voter's ballot card (the core checks the code and the
/// ballot) and prints it. A card that did not print says why in
/// `print_error`: the poll worker fixes the printer and the voter prints
/// again (the unprinted card then counts as spoiled).
#[tauri::command]
pub async fn print_card(
    app: AppHandle,
    state: State<'_, AppState>,
    code: String,
    selections: SelectionsInput,
    language: String,
) -> IpcResult<CardDto> {
    let mut inner = state.lock();
    let station = inner.station()?;
    let result = station.print_card(&code, &selections);
    super::announce(&app, station);
    let card = result?;
    let def = station.definition();
    let lang = def.language_or_default(&language).clone();
    let printed = print::ballot_card(
        def,
        station.station_id(),
        &lang,
        &card.card,
        &card.ballot,
        card.test,
        SlipKind::Original,
    )
    .and_then(|pdf| station.print("votekiosk ballot card", &pdf));
    Ok(dto::card(&card, printed))
}

/// The voter says the card is wrong: it is spoiled (the voter hands it to
/// a poll worker) and the voter goes back to the review screen.
#[tauri::command]
pub async fn spoil_card(
    app: AppHandle,
    state: State<'_, AppState>,
    code: String,
) -> IpcResult<CardCountsDto> {
    let mut inner = state.lock();
    let station = inner.station()?;
    let result = station.spoil_card(&code);
    super::announce(&app, station);
    Ok(dto::card_counts(&result?))
}
