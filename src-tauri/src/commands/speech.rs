//! The audio ballot's speech: the window asks for a phrase and gets the
//! WAV bytes raw (no JSON, no base64), which it plays from a `blob:` URL.
//! The text comes over IPC and goes to eSpeak NG's standard input (the
//! core's `speech::Synthesizer`); the sound lives only in memory. Both
//! commands are the voter's: no session, no official.

use std::sync::Arc;

use tauri::ipc::Response;
use tauri::State;
use votekiosk::speech::{self, Speech, WarmReport};

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

/// Runs eSpeak off the async runtime's threads.
async fn blocking<T: Send + 'static>(
    speech: Arc<Speech>,
    f: impl FnOnce(&Speech) -> votekiosk::Result<T> + Send + 'static,
) -> IpcResult<T> {
    tauri::async_runtime::spawn_blocking(move || f(&speech))
        .await
        .map_err(|_| {
            IpcError::new(
                "speech_failed",
                "The speech engine stopped. Ask an official to check the kiosk.",
            )
        })?
        .map_err(IpcError::from)
}

/// `text` spoken in `language` at `rate` words per minute, as WAV bytes.
#[tauri::command]
pub async fn speak(
    state: State<'_, AppState>,
    language: String,
    text: String,
    rate: u32,
) -> IpcResult<Response> {
    let wav = blocking(state.speech.clone(), move |s| s.speak(&language, rate, &text)).await?;
    Ok(Response::new(wav.bytes().to_vec()))
}

/// Synthesises ahead of the first voter every phrase of the open
/// election in `language` and the screens' fixed `texts`, and keeps
/// them in memory. Returns how many, how long and how big.
#[tauri::command]
pub async fn speech_warm(
    state: State<'_, AppState>,
    language: String,
    texts: Vec<String>,
    rate: u32,
) -> IpcResult<WarmReport> {
    let mut phrases = texts;
    {
        let mut inner = state.lock();
        if let Ok(station) = inner.station() {
            let def = station.definition();
            if let Some(l) = def.language(&language) {
                phrases.extend(speech::definition_phrases(def, &l.code));
            }
        }
    }
    blocking(state.speech.clone(), move |s| s.warm(&language, rate, &phrases)).await
}
