//! Verify mode: is a receipt recorded in this station, and (once the result
//! is exported) included in the signed result?

use serde::Serialize;
use tauri::State;
use votekiosk::export::verify::{find_receipt, Inclusion};
use votekiosk::ReceiptStatus;

use crate::error::IpcResult;
use crate::state::AppState;

#[derive(Serialize)]
pub struct ReceiptCheck {
    pub recorded: bool,
    pub test: bool,
    /// Whether it is in the signed result exported in this session (None: none exported yet).
    pub in_signed_result: Option<bool>,
}

#[tauri::command]
pub async fn check_receipt(state: State<'_, AppState>, text: String) -> IpcResult<ReceiptCheck> {
    let mut inner = state.lock();
    let (recorded, test) = match inner.station()?.check_receipt(&text)? {
        ReceiptStatus::Recorded { test } => (true, test),
        ReceiptStatus::NotFound => (false, false),
    };
    let in_signed_result = match &inner.exported {
        Some(parsed) => Some(matches!(find_receipt(parsed, &text)?, Inclusion::Included { .. })),
        None => None,
    };
    Ok(ReceiptCheck {
        recorded,
        test,
        in_signed_result,
    })
}
