//! Printing from the kiosk: code slips, the zero and results reports, and
//! the reprint of the session's last receipt. Each prints on the station's
//! printer, or saves the PDF in the station's print folder when none is set.

use serde::Serialize;
use tauri::State;
use votekiosk::print::{self, SlipKind};

use crate::error::IpcResult;
use crate::state::AppState;

#[derive(Serialize)]
pub struct Printed {
    /// e.g. "sent to printer thermal (request thermal-12)" or "saved to …".
    pub outcome: String,
}

#[tauri::command]
pub async fn print_zero_report(state: State<'_, AppState>, token: String) -> IpcResult<Printed> {
    let mut inner = state.lock();
    let (station, _) = inner.official(&token)?;
    let pdf = station.zero_report(chrono::Utc::now())?.to_pdf()?;
    Ok(Printed {
        outcome: station.print("votekiosk zero report", &pdf)?.to_string(),
    })
}

#[tauri::command]
pub async fn print_results_report(state: State<'_, AppState>, token: String) -> IpcResult<Printed> {
    let mut inner = state.lock();
    let (station, _) = inner.official(&token)?;
    let pdf = station.results_report(chrono::Utc::now())?.to_pdf()?;
    Ok(Printed {
        outcome: station.print("votekiosk results report", &pdf)?.to_string(),
    })
}

#[tauri::command]
pub async fn reprint_receipt(
    state: State<'_, AppState>,
    token: String,
    language: Option<String>,
) -> IpcResult<Printed> {
    let mut inner = state.lock();
    let (station, by) = inner.official(&token)?;
    // The slip's words: the language the official picked with the voter
    // (the core does not keep it with the ballot), else the election's first.
    // Checked before the reprint is audited: a bad language changes nothing.
    let lang = match language.as_deref() {
        None | Some("") => station.definition().default_language().clone(),
        Some(code) => station.definition().require_language(code)?.clone(),
    };
    let receipt = station.reprint_last_receipt(&by)?;
    let pdf = print::receipt_slip(
        station.definition(),
        station.station_id(),
        &lang,
        &receipt,
        SlipKind::Reprint,
    )?;
    Ok(Printed {
        outcome: station.print("votekiosk receipt", &pdf)?.to_string(),
    })
}

#[tauri::command]
pub async fn set_printer(state: State<'_, AppState>, token: String, queue: String) -> IpcResult<()> {
    let mut inner = state.lock();
    let (station, by) = inner.official(&token)?;
    let queue = queue.trim();
    Ok(station.set_printer(&by, (!queue.is_empty()).then_some(queue))?)
}
