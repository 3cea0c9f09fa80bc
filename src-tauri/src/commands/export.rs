//! After close: write the signed result to a chosen folder (e.g. a USB
//! stick), with its verify.html; remember it so the verify screen can also
//! answer "included in the signed result".

use std::path::PathBuf;

use serde::Serialize;
use tauri::State;

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

#[derive(Serialize)]
pub struct Exported {
    pub result: String,
    pub verify_html: String,
    pub public_key: String,
    pub fingerprint: String,
}

#[tauri::command]
pub async fn export_result(state: State<'_, AppState>, folder: String) -> IpcResult<Exported> {
    let folder = PathBuf::from(folder.trim());
    if !folder.is_dir() {
        return Err(IpcError::new(
            "folder_not_found",
            format!("There is no folder {}: check the USB stick.", folder.display()),
        ));
    }
    let mut inner = state.lock();
    let (station, by) = inner.official()?;
    let name = format!("{}-results.jsonl", station.station_id());
    let export = station.export(&by, false, &name)?;
    let written = votekiosk::export::write_files(&folder.join(name), &export, station.definition())?;
    let key = station.public_key()?;
    inner.exported = Some(export.receipts);
    Ok(Exported {
        result: written.result.display().to_string(),
        verify_html: written.verify_html.display().to_string(),
        public_key: hex::encode(key),
        fingerprint: votekiosk::export::fingerprint(&key),
    })
}
