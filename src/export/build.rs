//! Building a result file from what a station holds: the one place that
//! turns ballots into cast vote records, counts them and lists the
//! receipts. `Station::export` calls it, and so do the benches and tests
//! that synthesise station files; `merge` shares its count and receipts.
//! The verifier (`verify.rs`) never calls it: it recounts on its own, so
//! that it does not share a builder's bugs.

use super::format::{AuditHead, Cvr, Polls, Receipts, ResultFile, StationInfo, RESULT_FILE_FORMAT};
use super::merkle;
use crate::ballot::Ballot;
use crate::definition::ElectionDefinition;
use crate::error::{Error, Result};
use crate::tabulate::{tabulate, ElectionResult};
use crate::turnout::Turnout;

/// What a station's result file is made of.
pub struct StationExport<'a> {
    pub definition: &'a ElectionDefinition,
    pub station_id: &'a str,
    /// The station's mode at export (`closed`, or `test` for a test export).
    pub mode: &'a str,
    /// A logic-and-accuracy test export (the ballots are test ballots).
    pub test: bool,
    /// The station's Ed25519 public key.
    pub public_key: [u8; 32],
    pub polls: Polls,
    pub turnout: Turnout,
    /// Every ballot with its random id, in any order.
    pub ballots: Vec<([u8; 16], Ballot)>,
    /// Every receipt id, in any order.
    pub receipts: Vec<String>,
    pub audit: AuditHead,
}

/// The unsealed result file (`export::seal` MACs and signs it): the
/// records sorted by id, the receipts sorted, every contest counted.
pub fn build_result_file(export: StationExport<'_>) -> Result<ResultFile> {
    let StationExport {
        definition,
        station_id,
        mode,
        test,
        public_key,
        polls,
        turnout,
        mut ballots,
        receipts,
        audit,
    } = export;
    ballots.sort_unstable_by_key(|(id, _)| *id);
    let cast_vote_records = ballots.iter().map(|(id, ballot)| Cvr::new(id, ballot)).collect();
    let ballots: Vec<Ballot> = ballots.into_iter().map(|(_, ballot)| ballot).collect();
    let (result, receipts) = count(definition, station_id, mode, test, turnout, &ballots, receipts);
    drop(ballots);
    let definition_json = serde_json::from_str(definition.canonical_json())
        .map_err(|e| Error::Damaged(format!("stored definition: {e}")))?;
    Ok(ResultFile {
        format: RESULT_FILE_FORMAT.into(),
        software: super::software(),
        test,
        definition: definition_json,
        definition_hash: definition.hash().to_hex(),
        station: StationInfo {
            id: station_id.to_string(),
            public_key: hex::encode(public_key),
        },
        polls,
        counts: turnout,
        result,
        cast_vote_records,
        receipts,
        audit,
        signature: None,
        mac: None,
    })
}

/// What a station's file and a combined file both hold beside their
/// counts: the result of counting `ballots` (with `turnout`), and the
/// receipts, sorted, with their Merkle root.
pub(crate) fn count(
    definition: &ElectionDefinition,
    station_id: &str,
    mode: &str,
    test: bool,
    turnout: Turnout,
    ballots: &[Ballot],
    mut receipts: Vec<String>,
) -> (ElectionResult, Receipts) {
    let result = ElectionResult::new(
        definition,
        station_id,
        mode,
        test,
        turnout,
        tabulate(definition, ballots),
    );
    receipts.sort_unstable();
    let receipts = Receipts {
        merkle_root: hex::encode(merkle::root(&receipts)),
        ids: receipts,
    };
    (result, receipts)
}
