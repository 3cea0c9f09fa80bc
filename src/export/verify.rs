//! The public verifier: checks a result file (or a combined file) with no
//! secret, naming every failure; and looks receipts up in it.

use std::fmt;

use ed25519_dalek::{Signature as EdSignature, VerifyingKey};

use super::format::{Counts, Cvr, MergeFile, Receipts, ResultFile, MERGE_FILE_FORMAT, RESULT_FILE_FORMAT};
use super::merkle;
use crate::ballot::Ballot;
use crate::definition::ElectionDefinition;
use crate::receipt::{self, ReceiptId};
use crate::tabulate::{tabulate, ElectionResult};

/// One thing wrong with a file, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Not JSON, or not the shape of a result file.
    Malformed(String),
    UnknownFormat(String),
    /// The Ed25519 signature does not match the document and key.
    Signature,
    /// The file is signed by another key than the one expected.
    PublicKey {
        expected: String,
        found: String,
    },
    /// The HMAC does not match (checked only with the passphrase).
    Mac,
    /// The embedded definition is invalid or does not match its hash.
    Definition(String),
    /// Cast vote records are not in strictly increasing id order.
    CvrOrder,
    /// A cast vote record is not a valid ballot of this election.
    Cvr {
        id: String,
        why: String,
    },
    /// Receipt ids are not sorted, repeated, or not receipt ids.
    Receipts(String),
    /// The Merkle root does not match the receipt list.
    MerkleRoot,
    /// The counts do not add up (ballots, codes, receipts, records).
    Counts(String),
    /// The stated result differs from a recount of the records.
    Tally(String),
}

impl Failure {
    /// A stable name for scripts and tests.
    pub fn name(&self) -> &'static str {
        match self {
            Failure::Malformed(_) => "malformed",
            Failure::UnknownFormat(_) => "unknown_format",
            Failure::Signature => "signature",
            Failure::PublicKey { .. } => "public_key",
            Failure::Mac => "mac",
            Failure::Definition(_) => "definition",
            Failure::CvrOrder => "cvr_order",
            Failure::Cvr { .. } => "cvr",
            Failure::Receipts(_) => "receipts",
            Failure::MerkleRoot => "merkle_root",
            Failure::Counts(_) => "counts",
            Failure::Tally(_) => "tally",
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Malformed(m) => write!(f, "not a readable result file: {m}"),
            Failure::UnknownFormat(m) => write!(f, "unknown format {m:?}"),
            Failure::Signature => f.write_str(
                "the signature does not match: the file was changed after signing, or signed by another key",
            ),
            Failure::PublicKey { expected, found } => write!(f, "signed by key {found}, expected {expected}"),
            Failure::Mac => {
                f.write_str("the HMAC does not match (wrong passphrase, or the file was changed)")
            }
            Failure::Definition(m) => write!(f, "definition: {m}"),
            Failure::CvrOrder => f.write_str("the cast vote records are not sorted by id (or an id repeats)"),
            Failure::Cvr { id, why } => write!(f, "cast vote record {id}: {why}"),
            Failure::Receipts(m) => write!(f, "receipts: {m}"),
            Failure::MerkleRoot => f.write_str("the receipts' Merkle root does not match the receipt list"),
            Failure::Counts(m) => write!(f, "counts: {m}"),
            Failure::Tally(m) => write!(f, "result: {m}"),
        }
    }
}

/// What the verifier found.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// `station` or `merge`.
    pub kind: &'static str,
    pub station_id: Option<String>,
    pub public_key: Option<String>,
    pub definition_hash: Option<String>,
    pub ballots: u64,
    pub test: bool,
    /// Whether the HMAC was checked (a passphrase was given).
    pub mac_checked: bool,
    pub failures: Vec<Failure>,
}

impl Report {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// A parsed, verified-or-not document.
pub enum Parsed {
    Station(Box<ResultFile>),
    Merge(Box<MergeFile>),
}

impl Parsed {
    pub fn receipts(&self) -> &Receipts {
        match self {
            Parsed::Station(f) => &f.receipts,
            Parsed::Merge(f) => &f.receipts,
        }
    }
    pub fn definition_hash(&self) -> &str {
        match self {
            Parsed::Station(f) => &f.definition_hash,
            Parsed::Merge(f) => &f.definition_hash,
        }
    }
}

fn empty_report(kind: &'static str, failure: Failure) -> Report {
    Report {
        kind,
        station_id: None,
        public_key: None,
        definition_hash: None,
        ballots: 0,
        test: false,
        mac_checked: false,
        failures: vec![failure],
    }
}

/// Verifies a result or combined file. `expected_key` (hex) pins the
/// station key; `passphrase` also checks the HMAC (station files only).
pub fn verify(
    bytes: &[u8],
    expected_key: Option<&str>,
    passphrase: Option<&str>,
) -> (Report, Option<Parsed>) {
    let value: serde_json::Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => return (empty_report("station", Failure::Malformed(e.to_string())), None),
    };
    let format = value
        .get("format")
        .and_then(|f| f.as_str())
        .unwrap_or("")
        .to_string();
    match format.as_str() {
        RESULT_FILE_FORMAT => verify_station(value, expected_key, passphrase),
        MERGE_FILE_FORMAT => verify_merge(value),
        other => (
            empty_report("station", Failure::UnknownFormat(other.to_string())),
            None,
        ),
    }
}

fn verify_station(
    value: serde_json::Value,
    expected_key: Option<&str>,
    passphrase: Option<&str>,
) -> (Report, Option<Parsed>) {
    let file: ResultFile = match serde_json::from_value(value.clone()) {
        Ok(f) => f,
        Err(e) => return (empty_report("station", Failure::Malformed(e.to_string())), None),
    };
    let mut failures = Vec::new();
    // The signature covers everything but itself (the MAC included).
    let signed = super::signed_bytes(&value).unwrap_or_default();
    let lower_hex =
        |s: &str, len: usize| s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    let key = if lower_hex(&file.station.public_key, 64) {
        decode_key(&file.station.public_key)
    } else {
        None
    };
    let signature_ok = match (&key, &file.signature) {
        (Some(key), Some(sig)) if sig.algorithm == "ed25519" && lower_hex(&sig.value, 128) => {
            hex::decode(&sig.value)
                .ok()
                .and_then(|b| <[u8; 64]>::try_from(b.as_slice()).ok())
                .map(|s| {
                    key.verify_strict(signed.as_bytes(), &EdSignature::from_bytes(&s))
                        .is_ok()
                })
                .unwrap_or(false)
        }
        _ => false,
    };
    if !signature_ok {
        failures.push(Failure::Signature);
    }
    if let Some(expected) = expected_key {
        let expected = expected.trim().to_ascii_lowercase();
        if expected != file.station.public_key {
            failures.push(Failure::PublicKey {
                expected,
                found: file.station.public_key.clone(),
            });
        }
    }
    let mut mac_checked = false;
    if let Some(pass) = passphrase {
        mac_checked = true;
        let mac_bytes = super::mac_bytes(&value).unwrap_or_default();
        let ok = file
            .mac
            .as_ref()
            .filter(|m| m.algorithm == "hmac-sha256")
            .and_then(|m| {
                let salt: [u8; 16] = hex::decode(&m.salt).ok()?.try_into().ok()?;
                let key = crate::store::FileKey::derive(pass, salt).ok()?;
                let mac_key = super::mac_key(&key.key);
                let expect = crate::crypto::hmac(&mac_key, &[mac_bytes.as_bytes()]);
                Some(crate::crypto::mac_eq(&hex::decode(&m.value).ok()?, &expect))
            });
        if ok != Some(true) {
            failures.push(Failure::Mac);
        }
    }
    let counts = file.counts;
    if counts.codes_issued != counts.codes_used + counts.codes_revoked + counts.codes_unused {
        failures.push(Failure::Counts(format!(
            "codes issued ({}) is not used + revoked + unused ({} + {} + {})",
            counts.codes_issued, counts.codes_used, counts.codes_revoked, counts.codes_unused
        )));
    }
    if counts.codes_used != counts.ballots {
        failures.push(Failure::Counts(format!(
            "{} codes used but {} ballots",
            counts.codes_used, counts.ballots
        )));
    }
    if file.result.station_id != file.station.id {
        failures.push(Failure::Tally(format!(
            "result is for station {:?}, file for {:?}",
            file.result.station_id, file.station.id
        )));
    }
    if file.result.test != file.test {
        failures.push(Failure::Tally(
            "the result's test flag differs from the file's".into(),
        ));
    }
    check_content(
        &file.definition,
        &file.definition_hash,
        &counts,
        &file.result,
        &file.cast_vote_records,
        &file.receipts,
        &mut failures,
    );
    let report = Report {
        kind: "station",
        station_id: Some(file.station.id.clone()),
        public_key: Some(file.station.public_key.clone()),
        definition_hash: Some(file.definition_hash.clone()),
        ballots: file.cast_vote_records.len() as u64,
        test: file.test,
        mac_checked,
        failures,
    };
    (report, Some(Parsed::Station(Box::new(file))))
}

fn verify_merge(value: serde_json::Value) -> (Report, Option<Parsed>) {
    let file: MergeFile = match serde_json::from_value(value) {
        Ok(f) => f,
        Err(e) => return (empty_report("merge", Failure::Malformed(e.to_string())), None),
    };
    let mut failures = Vec::new();
    let sum: u64 = file.inputs.iter().map(|i| i.ballots).sum();
    if sum != file.counts.ballots {
        failures.push(Failure::Counts(format!(
            "inputs hold {sum} ballots, the file says {}",
            file.counts.ballots
        )));
    }
    let c = file.counts;
    if c.codes_issued != c.codes_used + c.codes_revoked + c.codes_unused || c.codes_used != c.ballots {
        failures.push(Failure::Counts("codes and ballots do not add up".into()));
    }
    check_content(
        &file.definition,
        &file.definition_hash,
        &file.counts,
        &file.result,
        &file.cast_vote_records,
        &file.receipts,
        &mut failures,
    );
    let report = Report {
        kind: "merge",
        station_id: None,
        public_key: None,
        definition_hash: Some(file.definition_hash.clone()),
        ballots: file.cast_vote_records.len() as u64,
        test: false,
        mac_checked: false,
        failures,
    };
    (report, Some(Parsed::Merge(Box::new(file))))
}

fn decode_key(hex_key: &str) -> Option<VerifyingKey> {
    let bytes: [u8; 32] = hex::decode(hex_key).ok()?.try_into().ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}

/// The checks shared by station and combined files: definition, records,
/// receipts, Merkle root, counts, and a full recount.
fn check_content(
    definition: &serde_json::Value,
    definition_hash: &str,
    counts: &Counts,
    result: &ElectionResult,
    cvrs: &[Cvr],
    receipts: &Receipts,
    failures: &mut Vec<Failure>,
) {
    let text = crate::canonical::to_canonical_string(definition);
    let def = match ElectionDefinition::parse(text.as_bytes()) {
        Ok(d) => d,
        Err(e) => {
            failures.push(Failure::Definition(e.to_string()));
            return;
        }
    };
    if def.hash().to_hex() != definition_hash || result.definition_hash != definition_hash {
        failures.push(Failure::Definition(format!(
            "its hash is {}, the file says {definition_hash}",
            def.hash()
        )));
    }

    // Records: strictly increasing ids, each a valid ballot.
    if cvrs.windows(2).any(|w| w[0].id >= w[1].id) {
        failures.push(Failure::CvrOrder);
    }
    let mut ballots = Vec::with_capacity(cvrs.len());
    for cvr in cvrs {
        if cvr.id.len() != 32
            || !cvr
                .id
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        {
            failures.push(Failure::Cvr {
                id: cvr.id.clone(),
                why: "the id is not 32 lowercase hex digits".into(),
            });
            continue;
        }
        let input = cvr.selections.clone().into_iter().collect();
        match Ballot::validate(&def, &input) {
            Ok(b)
                if b.to_json()
                    == crate::canonical::to_canonical_string(&serde_json::json!(cvr.selections)) =>
            {
                ballots.push(b)
            }
            Ok(_) => failures.push(Failure::Cvr {
                id: cvr.id.clone(),
                why: "not in its normalised form (every contest, normalised write-ins)".into(),
            }),
            Err(e) => failures.push(Failure::Cvr {
                id: cvr.id.clone(),
                why: e.to_string(),
            }),
        }
    }

    // Receipts: sorted, unique, well-formed; the Merkle root.
    if receipts.ids.windows(2).any(|w| w[0] >= w[1]) {
        failures.push(Failure::Receipts("not sorted, or a receipt repeats".into()));
    }
    if let Some(bad) = receipts.ids.iter().find(|r| {
        ReceiptId::parse(r)
            .map(|p| p.as_str() != r.as_str())
            .unwrap_or(true)
    }) {
        failures.push(Failure::Receipts(format!("{bad:?} is not a receipt id")));
    }
    if hex::encode(merkle::root(&receipts.ids)) != receipts.merkle_root {
        failures.push(Failure::MerkleRoot);
    }

    // Counts: records = receipts = ballots.
    let n = cvrs.len() as u64;
    if n != counts.ballots || receipts.ids.len() as u64 != counts.ballots {
        failures.push(Failure::Counts(format!(
            "{} ballots, {n} cast vote records, {} receipts",
            counts.ballots,
            receipts.ids.len()
        )));
    }
    let t = &result.turnout;
    if (
        t.codes_issued,
        t.codes_used,
        t.codes_revoked,
        t.codes_unused,
        t.ballots,
    ) != (
        counts.codes_issued,
        counts.codes_used,
        counts.codes_revoked,
        counts.codes_unused,
        counts.ballots,
    ) {
        failures.push(Failure::Counts(
            "the result's turnout differs from the file's counts".into(),
        ));
    }

    // A full recount from the records.
    if ballots.len() == cvrs.len() {
        let recount = tabulate(&def, &ballots);
        if recount.len() != result.contests.len() {
            failures.push(Failure::Tally("the result does not list every contest".into()));
        }
        for (stated, counted) in result.contests.iter().zip(&recount) {
            if stated != counted {
                failures.push(Failure::Tally(format!(
                    "contest {:?} differs from a recount of the records",
                    counted.id()
                )));
            }
        }
    }
}

/// Where a receipt stands in a (verified) file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inclusion {
    Included { index: usize, path: Vec<merkle::Step> },
    NotFound,
    OtherElection { found: String, expected: String },
}

/// Looks a receipt (id, QR payload or URL) up in a file's receipt list.
pub fn find_receipt(parsed: &Parsed, text: &str) -> crate::error::Result<Inclusion> {
    let r = receipt::parse(text)?;
    let short = &parsed.definition_hash()[..16.min(parsed.definition_hash().len())];
    if let Some(found) = r.definition_short {
        if found != short {
            return Ok(Inclusion::OtherElection {
                found,
                expected: short.to_string(),
            });
        }
    }
    let ids = &parsed.receipts().ids;
    Ok(match ids.binary_search_by(|x| x.as_str().cmp(r.id.as_str())) {
        Ok(index) => Inclusion::Included {
            index,
            path: merkle::inclusion_path(ids, index),
        },
        Err(_) => Inclusion::NotFound,
    })
}
