//! What `rla start` reads: results verified against a trust anchor
//! (`export::verify`, as `votekiosk verify` takes them), and the
//! stations' audit manifests, opened with the office encryption key
//! rebuilt from the trustees' shares.

use std::collections::BTreeMap;
use std::path::Path;

use crate::ballot::Ballot;
use crate::crypto::seal::SealKeyPair;
use crate::error::{Error, Result};
use crate::export::format::{MergeHeader, MergeInput, ResultHeader, MERGE_FORMAT, RESULT_FORMAT};
use crate::export::verify::{verify_path, Options, Sink, TrustedStations};

use super::workflow::{AuditedResult, StationManifest, StationSide};
use super::workspace::ResultRef;

#[derive(Default)]
struct Gather {
    records: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    inputs: Vec<MergeInput>,
}

impl Sink for Gather {
    fn record(&mut self, _line: &[u8], id: &str, ballot: &Ballot) {
        self.records.insert(id.to_string(), ballot.selections());
    }
    fn input(&mut self, input: &MergeInput) {
        self.inputs.push(input.clone());
    }
}

fn key32(text: &str, what: &str) -> Result<[u8; 32]> {
    crate::export::lines::lower_hex::<32>(text)
        .ok_or_else(|| Error::InvalidInput(format!("{what}: not 64 hex digits")))
}

/// The first line of a verified v2 file (its header), read alone.
fn header_line(path: &Path, name: &str) -> Result<Vec<u8>> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut lines = crate::export::lines::Lines::new(std::io::BufReader::new(file));
    match lines.next_line() {
        Ok(Some(line)) => Ok(line.to_vec()),
        _ => Err(Error::InvalidInput(format!("{name}: its header does not read"))),
    }
}

/// Verifies a result (or merge) and reads what the audit needs from it.
/// A station inside a merge that the office counted is signed by the
/// office, so its station key comes from `trusted` (the trusted-keys file).
pub fn read_result(
    path: &Path,
    options: &Options<'_>,
    trusted: Option<&dyn TrustedStations>,
) -> Result<AuditedResult> {
    let name = path.display().to_string();
    let mut gather = Gather::default();
    let report = verify_path(path, options, &mut gather)?;
    if !report.passed() {
        let failures: Vec<String> = report
            .failures
            .iter()
            .map(|f| format!("[{}] {f}", f.name))
            .collect();
        return Err(Error::InvalidInput(format!(
            "{name} does not verify, so it cannot be audited: {}",
            failures.join("; ")
        )));
    }
    if report.legacy || report.test {
        return Err(Error::InvalidInput(format!(
            "{name} is a {} file: only official votekiosk/2 results are audited",
            if report.test { "test" } else { "legacy" }
        )));
    }
    // The header line only (the file just verified as a stream; it is
    // not read whole, so a merge over `MAX_EXPORT_BYTES` is audited too).
    let first = header_line(path, &name)?;
    let first = first.as_slice();
    let definition = crate::export::verify::definition_of_file(path)?;
    let mut stations = BTreeMap::new();
    if report.format == RESULT_FORMAT {
        let header: ResultHeader = serde_json::from_slice(first)
            .map_err(|e| Error::InvalidInput(format!("{name}: its header does not read: {e}")))?;
        let mut digest = [0u8; 64];
        hex::decode_to_slice(&header.records.sha512, &mut digest)
            .map_err(|_| Error::InvalidInput(format!("{name}: records.sha512 is not hex")))?;
        stations.insert(
            header.station.id.clone(),
            StationSide {
                public_key: key32(&header.station.public_key, &name)?,
                records_sha512: Some(digest),
                ballots: header.counts.ballots,
                header: Some(Box::new(header.clone())),
            },
        );
    } else if report.format == MERGE_FORMAT {
        let _: MergeHeader = serde_json::from_slice(first)
            .map_err(|e| Error::InvalidInput(format!("{name}: its header does not read: {e}")))?;
        for input in &gather.inputs {
            let Some(id) = input.station_id.as_ref().filter(|_| input.kind == "station") else {
                return Err(Error::InvalidInput(format!(
                    "{name} merges another merge: start the audit from the stations' results or a \
                     merge of stations"
                )));
            };
            let public_key = if input.counted_by == "station" {
                key32(&input.public_key, &name)?
            } else {
                trusted.and_then(|t| t.station_key(id)).ok_or_else(|| {
                    Error::InvalidInput(format!(
                        "{name}: station {id} was counted by the office, so the merge does not carry \
                         its station key: give --trusted-keys"
                    ))
                })?
            };
            stations.insert(
                id.clone(),
                StationSide {
                    public_key,
                    records_sha512: None,
                    ballots: input.ballots,
                    header: None,
                },
            );
        }
    } else {
        return Err(Error::InvalidInput(format!(
            "{name}: {} is not audited",
            report.format
        )));
    }
    Ok(AuditedResult {
        reference: ResultRef {
            file: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| name.clone()),
            sha256: hex::encode(crate::export::file_sha256(path).map_err(|e| Error::io(path, e))?),
            format: report.format.clone(),
            stations: stations.keys().cloned().collect(),
        },
        definition,
        stations,
        records: gather.records,
    })
}

/// The station a manifest names in its header, and whether the office
/// signed it (an office count) rather than the station.
pub fn manifest_station(bytes: &[u8], name: &str) -> Result<(String, bool)> {
    let header = crate::export::manifest::manifest_header(bytes).map_err(|e| match e {
        Error::ManifestRefused(why) => Error::ManifestRefused(format!("{name}: {why}")),
        other => other,
    })?;
    Ok((header.station.id, header.counted_by == "office"))
}

/// Opens a station's audit manifest with the office key; the signature is
/// checked against `signer` (the station's key, or the office signing key
/// for a manifest written by an office count). A station result's header,
/// when given, must be the manifest's result (records, boxes, counts).
pub fn open_manifest(
    bytes: &[u8],
    name: &str,
    signer: &[u8; 32],
    office: &SealKeyPair,
    result: Option<&ResultHeader>,
) -> Result<StationManifest> {
    let named = |e: Error| match e {
        Error::ManifestRefused(why) => Error::ManifestRefused(format!("{name}: {why}")),
        other => other,
    };
    let opened = crate::export::manifest::open_manifest(bytes, signer, office).map_err(named)?;
    if let Some(header) = result {
        opened.check_matches(header).map_err(named)?;
    }
    Ok(StationManifest {
        file: name.to_string(),
        definition_hash: opened.definition_hash,
        station_id: opened.station_id,
        station_public_key: opened.station_public_key,
        records_sha512: opened.records_sha512,
        boxes: opened.boxes.into_iter().map(|b| (b.box_id, b.cards)).collect(),
        cards: opened.cards,
        spoiled: opened.spoiled,
    })
}
