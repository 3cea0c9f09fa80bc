//! LEGACY read-only verification of `votekiosk-result/1` and
//! `votekiosk-merge/1` files (design §10), kept for one release: a pinned
//! `--public-key` is required (no anchor, no PASS) and the report says
//! LEGACY. The export MAC these files carry is ignored: it was derived from
//! the passphrase, and nothing checks it any more. Nothing writes v1.

use std::fmt;

use ed25519_dalek::{Signature as EdSignature, VerifyingKey};
use serde::Deserialize;

use super::legacy_format::{Cvr, MergeFile, Receipts, ResultFile, MERGE_FILE_FORMAT, RESULT_FILE_FORMAT};
use super::merkle;
use super::verify::{Anchor, Options, Report as V2Report, Sink};
use crate::ballot::{Ballot, Choice, SelectionsInput, WRITE_IN_PREFIX};
use crate::receipt::ReceiptId;
use crate::tabulate::{tabulate, ElectionResult};
use crate::turnout::Turnout;

/// One thing wrong with a file, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Failure {
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
    fn name(&self) -> &'static str {
        match self {
            Failure::Malformed(_) => "malformed",
            Failure::UnknownFormat(_) => "unknown_format",
            Failure::Signature => "signature",
            Failure::PublicKey { .. } => "public_key",
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
struct Report {
    /// `station` or `merge`.
    pub kind: &'static str,
    pub station_id: Option<String>,
    pub public_key: Option<String>,
    pub definition_hash: Option<String>,
    pub ballots: u64,
    pub test: bool,
    pub failures: Vec<Failure>,
}

/// A parsed, verified-or-not document.
enum Parsed {
    Station(Box<ResultFile>),
    Merge(Box<MergeFile>),
}

impl Parsed {
    fn receipts(&self) -> &Receipts {
        match self {
            Parsed::Station(f) => &f.receipts,
            Parsed::Merge(f) => &f.receipts,
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
        failures: vec![failure],
    }
}

/// The v1 verifier, without the MAC.
fn verify_keeping_ballots(bytes: &[u8], expected_key: Option<&str>) -> (Report, Option<Parsed>, Vec<Ballot>) {
    if let Some((file, members)) = canonical_station(bytes) {
        return check_station(file, Some(members), expected_key);
    }
    if let Some(file) = canonical_merge(bytes) {
        return check_merge(file);
    }
    let value: serde_json::Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            return (
                empty_report("station", Failure::Malformed(e.to_string())),
                None,
                Vec::new(),
            )
        }
    };
    let format = value
        .get("format")
        .and_then(|f| f.as_str())
        .unwrap_or("")
        .to_string();
    match format.as_str() {
        RESULT_FILE_FORMAT => verify_station(value, expected_key),
        MERGE_FILE_FORMAT => verify_merge(value),
        other => (
            empty_report("station", Failure::UnknownFormat(other.to_string())),
            None,
            Vec::new(),
        ),
    }
}

/// The fast path for what `seal` and `merge` write. When `bytes` are
/// exactly the canonical text of the file they parse into, parsing them
/// straight into the file's type gives exactly what the general path gets
/// through a `Value` (canonical text has no repeated keys, and parsing it
/// gives back the `Value` it was written from), and the canonical members
/// come with it: at well under half the cost, and without a tree of a
/// `Value` per record. Anything else (pretty-printed, reordered, repeated
/// keys, another format, not parsable) returns `None` and takes the
/// general path, so the verdict never depends on which path ran.
fn canonical_station(bytes: &[u8]) -> Option<(ResultFile, super::legacy_format::Members)> {
    // Canonical station files start with their first member in key order.
    if !bytes.starts_with(b"{\"audit\":") {
        return None;
    }
    let mut file: ResultFile = serde_json::from_slice(bytes).ok()?;
    if file.format != RESULT_FILE_FORMAT {
        return None;
    }
    let members =
        super::legacy_format::members_around_records(&mut file, |f| &mut f.cast_vote_records).ok()?;
    members.is_text_of(bytes).then_some((file, members))
}

/// `canonical_station` for combined files (`votekiosk-merge/1`).
fn canonical_merge(bytes: &[u8]) -> Option<MergeFile> {
    if !bytes.starts_with(b"{\"cast_vote_records\":") {
        return None;
    }
    let mut file: MergeFile = serde_json::from_slice(bytes).ok()?;
    if file.format != MERGE_FILE_FORMAT {
        return None;
    }
    let members =
        super::legacy_format::members_around_records(&mut file, |f| &mut f.cast_vote_records).ok()?;
    members.is_text_of(bytes).then_some(file)
}

fn verify_station(
    value: serde_json::Value,
    expected_key: Option<&str>,
) -> (Report, Option<Parsed>, Vec<Ballot>) {
    // Read from the parsed tree in place: cloning a million records'
    // worth of `Value` first would double the work.
    let file = match ResultFile::deserialize(&value) {
        Ok(f) => f,
        Err(e) => {
            return (
                empty_report("station", Failure::Malformed(e.to_string())),
                None,
                Vec::new(),
            )
        }
    };
    // Every member in canonical form once; the signed and MACed bytes are
    // put together from them.
    let members = super::legacy_format::Members::of(&value).ok();
    drop(value);
    check_station(file, members, expected_key)
}

/// The checks of a parsed station file; `members` are its members in
/// canonical form (`None` if it is not an object).
fn check_station(
    file: ResultFile,
    members: Option<super::legacy_format::Members>,
    expected_key: Option<&str>,
) -> (Report, Option<Parsed>, Vec<Ballot>) {
    let mut failures = Vec::new();
    // The signature covers everything but itself (the MAC included).
    let signed = members
        .as_ref()
        .map(|m| m.text_without(&["signature"]))
        .unwrap_or_default();
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
    let counts = file.counts;
    failures.extend(counts.discrepancies().into_iter().map(Failure::Counts));
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
    drop(signed);
    drop(members);
    let ballots = check_content(
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
        failures,
    };
    (report, Some(Parsed::Station(Box::new(file))), ballots)
}

fn verify_merge(value: serde_json::Value) -> (Report, Option<Parsed>, Vec<Ballot>) {
    let file: MergeFile = match serde_json::from_value(value) {
        Ok(f) => f,
        Err(e) => {
            return (
                empty_report("merge", Failure::Malformed(e.to_string())),
                None,
                Vec::new(),
            )
        }
    };
    check_merge(file)
}

/// The checks of a parsed combined file.
fn check_merge(file: MergeFile) -> (Report, Option<Parsed>, Vec<Ballot>) {
    let mut failures = Vec::new();
    let sum: u64 = file.inputs.iter().map(|i| i.ballots).sum();
    if sum != file.counts.ballots {
        failures.push(Failure::Counts(format!(
            "inputs hold {sum} ballots, the file says {}",
            file.counts.ballots
        )));
    }
    if !file.counts.adds_up() {
        failures.push(Failure::Counts("codes and ballots do not add up".into()));
    }
    let ballots = check_content(
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
        failures,
    };
    (report, Some(Parsed::Merge(Box::new(file))), ballots)
}

fn decode_key(hex_key: &str) -> Option<VerifyingKey> {
    let bytes: [u8; 32] = hex::decode(hex_key).ok()?.try_into().ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}

/// Whether a record's selections are exactly the validated ballot's
/// normalised form: every contest, each choice as `Choice::encode` writes
/// it. (The same test as comparing `Ballot::to_json` with the record's
/// selections in canonical JSON, without building either.)
fn in_normal_form(ballot: &Ballot, selections: &SelectionsInput) -> bool {
    fn encodes_as(choice: &Choice, text: &str) -> bool {
        match choice {
            Choice::Candidate(id) => id == text,
            Choice::Yes => text == "yes",
            Choice::No => text == "no",
            Choice::WriteIn(name) => text.strip_prefix(WRITE_IN_PREFIX) == Some(name.as_str()),
        }
    }
    ballot.contests.len() == selections.len()
        && ballot.contests.iter().all(|(id, choices)| {
            selections.get(id.as_str()).is_some_and(|listed| {
                listed.len() == choices.len() && choices.iter().zip(listed).all(|(c, t)| encodes_as(c, t))
            })
        })
}

/// The checks shared by station and combined files: definition, records,
/// receipts, Merkle root, counts, and a full recount. Returns the records
/// that are valid ballots, as ballots, in record order.
fn check_content(
    definition: &serde_json::Value,
    definition_hash: &str,
    counts: &Turnout,
    result: &ElectionResult,
    cvrs: &[Cvr],
    receipts: &Receipts,
    failures: &mut Vec<Failure>,
) -> Vec<Ballot> {
    let text = crate::canonical::to_canonical_string(definition);
    // A v1 definition: its hash is SHA-256 of its canonical v1 text; its
    // contests are read through `definition upgrade` (the only v1 reader).
    let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(text.as_bytes()));
    let def = match crate::definition::upgrade::upgrade(
        text.as_bytes(),
        crate::definition::upgrade::Office::Demo,
    ) {
        Ok(u) => u.definition,
        Err(e) => {
            failures.push(Failure::Definition(e.to_string()));
            return Vec::new();
        }
    };
    if hash != definition_hash || result.definition_hash != definition_hash {
        failures.push(Failure::Definition(format!(
            "its hash is {hash}, the file says {definition_hash}"
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
        match Ballot::validate(&def, &cvr.selections) {
            Ok(b) if in_normal_form(&b, &cvr.selections) => ballots.push(b),
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
    if result.turnout != *counts {
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
    ballots
}

/// Whether a file is a v1 file: its first bytes (what `reader` has
/// buffered, not consumed) are not a v2 result or merge header, and name
/// v1's `cast_vote_records` (a key: no v2 file has it; inside a string
/// its quotes would be escaped).
pub fn looks_legacy(reader: &mut impl std::io::BufRead) -> std::io::Result<bool> {
    let head = reader.fill_buf()?;
    let head = &head[..head.len().min(1 << 16)];
    if head.starts_with(b"{\"attachments\":") || head.starts_with(b"{\"cards\":") {
        return Ok(false);
    }
    Ok(head.windows(19).any(|w| w == b"\"cast_vote_records\""))
}

/// Verifies a v1 file read-only: a pinned `--public-key` is required
/// (station files: the key that signed; merges, which v1 did not sign:
/// one of the inputs' keys).
pub fn verify_legacy(bytes: &[u8], options: &Options<'_>, sink: &mut dyn Sink) -> V2Report {
    let pinned = match options.anchor {
        Anchor::PublicKey(pk) => Some(hex::encode(pk)),
        _ => None,
    };
    let (report, parsed, _) = verify_keeping_ballots(bytes, pinned.as_deref());
    let mut out = V2Report {
        format: match report.kind {
            "merge" => MERGE_FILE_FORMAT.into(),
            _ => RESULT_FILE_FORMAT.into(),
        },
        legacy: true,
        station_id: report.station_id.clone(),
        public_key: report.public_key.clone(),
        fingerprint: report
            .public_key
            .as_deref()
            .and_then(super::lines::lower_hex::<32>)
            .map(|k| super::fingerprint(&k)),
        definition_hash: report.definition_hash.clone(),
        counted_by: Some("station".into()),
        ballots: report.ballots,
        test: report.test,
        ..V2Report::default()
    };
    for f in &report.failures {
        let name = match f {
            Failure::PublicKey { .. } => "untrusted_key",
            other => other.name(),
        };
        out.fail(name, f.to_string());
    }
    match (&pinned, &parsed) {
        (None, _) => out.fail(
            "untrusted_key",
            "a LEGACY votekiosk-result/1 file verifies only against a pinned --public-key",
        ),
        (Some(pk), Some(Parsed::Merge(m))) if !m.inputs.iter().any(|i| &i.public_key == pk) => {
            out.fail("untrusted_key", "the pinned key is none of this merge's inputs")
        }
        _ => {}
    }
    if let Some(p) = &parsed {
        out.merkle_root = Some(p.receipts().merkle_root.clone());
        if out.failures.is_empty() {
            p.receipts().ids.iter().for_each(|r| sink.receipt(r));
        }
    }
    out
}
