//! The station's closing key and the count, from the kiosk. At setup an
//! admin names the poll workers, picks K and each worker types a PIN: the
//! core makes the key and prints one slip per worker. After close, K poll
//! workers scan or type their slips and PINs and the station counts. The
//! slips' payloads never come back to the window; PINs are wiped once used.
//! After close, the poll workers also enter the hand count of the ballot
//! cards in each box (`record_hand_count`), reconciled with the ballots cast.

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};
use votekiosk::station::{BoxCount, ClosingKeyInfo, SlipUnlock};
use zeroize::Zeroizing;

use crate::dto::{self, ReconciliationDto};
use crate::error::IpcResult;
use crate::state::AppState;

/// Who holds which share: the closing key's public facts.
#[derive(Serialize)]
pub struct ClosingKeyDto {
    pub fingerprint: String,
    pub threshold: u8,
    pub slips: u8,
    pub generation: u32,
    pub workers: Vec<SlipHolder>,
    pub made_at: String,
}

#[derive(Serialize)]
pub struct SlipHolder {
    pub index: u8,
    pub worker: String,
}

fn closing_key_dto(info: ClosingKeyInfo) -> ClosingKeyDto {
    ClosingKeyDto {
        fingerprint: info.fingerprint,
        threshold: info.threshold,
        slips: info.slips,
        generation: info.generation,
        workers: info
            .workers
            .into_iter()
            .map(|(index, worker)| SlipHolder { index, worker })
            .collect(),
        made_at: info.made_at,
    }
}

/// A poll worker and the PIN they typed (twice, checked by the window).
#[derive(Deserialize)]
pub struct WorkerPin {
    pub name: String,
    pub pin: String,
}

/// A slip presented at the count: its scanned or typed payload and PIN.
#[derive(Deserialize)]
pub struct SlipEntry {
    pub payload: String,
    pub pin: String,
}

#[derive(Serialize)]
pub struct CountDto {
    pub test: bool,
    pub ballots: usize,
    pub slips: Vec<u8>,
}

#[tauri::command]
pub async fn closing_key_info(state: State<'_, AppState>, token: String) -> IpcResult<Option<ClosingKeyDto>> {
    let mut inner = state.lock();
    let (station, _) = inner.official(&token)?;
    Ok(station.closing_key()?.map(closing_key_dto))
}

/// Makes the closing key (admins, before the polls open); the slips print.
#[tauri::command]
pub async fn make_closing_key(
    state: State<'_, AppState>,
    token: String,
    workers: Vec<WorkerPin>,
    threshold: u8,
) -> IpcResult<Option<ClosingKeyDto>> {
    let workers: Vec<(String, Zeroizing<String>)> = workers
        .into_iter()
        .map(|w| (w.name.trim().to_string(), Zeroizing::new(w.pin)))
        .collect();
    let mut inner = state.lock();
    let (station, by) = inner.official(&token)?;
    station.init_closing_key(&by, &workers, threshold)?;
    Ok(station.closing_key()?.map(closing_key_dto))
}

/// Counts: K slips and PINs after close; none in test mode.
#[tauri::command]
pub async fn count_ballots(
    app: AppHandle,
    state: State<'_, AppState>,
    token: String,
    slips: Vec<SlipEntry>,
) -> IpcResult<CountDto> {
    let slips: Vec<SlipUnlock> = slips
        .into_iter()
        .map(|s| SlipUnlock {
            payload: s.payload.trim().to_string(),
            pin: Zeroizing::new(s.pin),
        })
        .collect();
    let mut inner = state.lock();
    let (station, by) = inner.official(&token)?;
    let summary = station.count(&by, &slips)?;
    super::announce(&app, station);
    Ok(CountDto {
        test: summary.test,
        ballots: summary.ballots,
        slips: summary.slips,
    })
}

/// One box of the hand count, as the window sends it.
#[derive(Deserialize)]
pub struct BoxEntry {
    pub box_id: String,
    pub cards: u64,
}

/// The hand count of the cards in each box (officials, after close; test
/// cards in test mode), reconciled with the ballots cast: a difference is
/// reported, never adjusted.
#[tauri::command]
pub async fn record_hand_count(
    app: AppHandle,
    state: State<'_, AppState>,
    token: String,
    boxes: Vec<BoxEntry>,
) -> IpcResult<ReconciliationDto> {
    let boxes: Vec<BoxCount> = boxes
        .into_iter()
        .map(|b| BoxCount {
            box_id: b.box_id,
            cards: b.cards,
        })
        .collect();
    let mut inner = state.lock();
    let (station, by) = inner.official(&token)?;
    let result = station.record_hand_count(&by, &boxes);
    super::announce(&app, station);
    Ok(dto::reconciliation(&result?))
}
