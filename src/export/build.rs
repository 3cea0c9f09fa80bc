//! Writing a `votekiosk-result/2`: the one builder of a result file,
//! whoever counted (the station at close, the office from a sealed
//! export) and whatever called it (`Station::export`, `office count`, the
//! benches, the tests). It puts the ballots in v2 normal form, sorts the
//! records by their public id and the receipts, counts every contest,
//! fills in the header's digests and signs it. The verifier never calls
//! it: it recounts on its own, so it does not share the builder's bugs.

use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha512};

use super::format::{
    Attachment, AuditHead, Cards, CountedBy, Polls, ReceiptsDigest, Record, ResultHeader, SectionDigest,
    Software, StationHeader, RESULT_FORMAT,
};
use super::{lines, merkle};
use crate::ballot::{Ballot, Choice, SelectionsInput};
use crate::definition::{ContestKind, ElectionDefinition};
use crate::error::{Error, Result};
use crate::tabulate::{tabulate, ElectionResult};
use crate::turnout::Turnout;

/// What a station's result file is made of.
pub struct ResultContent<'a> {
    pub definition: &'a ElectionDefinition,
    /// A logic-and-accuracy export of test ballots.
    pub test: bool,
    pub station: StationHeader,
    pub counted_by: CountedBy,
    pub polls: Polls,
    pub exported_at: String,
    pub counts: Turnout,
    pub cards: Cards,
    /// Every ballot with its public record id (from unsealing), any order.
    pub records: Vec<([u8; 16], Ballot)>,
    /// Every receipt id, any order.
    pub receipts: Vec<String>,
    pub audit: AuditHead,
    pub attachments: Vec<Attachment>,
    pub software: Software,
}

/// A ballot in v2 normal form: in `candidate` and `approval` contests the
/// choices in definition order, write-ins after them sorted by the bytes
/// of the name; ranked contests keep rank order; a measure has one answer.
/// So the records say nothing about the order a voter marked in.
pub fn normal_form(definition: &ElectionDefinition, ballot: &Ballot) -> Ballot {
    let mut out = ballot.clone();
    for contest in &definition.contests {
        let Some(choices) = out.contests.get_mut(&contest.id) else {
            continue;
        };
        if let ContestKind::Candidate { candidates, .. } | ContestKind::Approval { candidates, .. } =
            &contest.kind
        {
            let rank = |c: &Choice| match c {
                Choice::Candidate(id) => (
                    candidates
                        .iter()
                        .position(|k| k.id.as_str() == id)
                        .unwrap_or(usize::MAX),
                    String::new(),
                ),
                Choice::WriteIn(name) => (usize::MAX, name.clone()),
                Choice::Yes | Choice::No => (usize::MAX, String::new()),
            };
            choices.sort_by(|a, b| {
                let (ra, rb) = (rank(a), rank(b));
                ra.0.cmp(&rb.0).then_with(|| ra.1.as_bytes().cmp(rb.1.as_bytes()))
            });
        }
    }
    out
}

/// Whether `wire` (a record's `selections`) is exactly the wire form of
/// `ballot` in normal form: every contest listed, choices of candidate and
/// approval contests in definition order with write-ins after them (by
/// bytes), each choice spelled as `Choice::encode` spells it. The same
/// answer as `normal_form(definition, ballot).selections() == *wire`,
/// without building either side (the verifier asks it of every record).
pub fn is_normal_form(definition: &ElectionDefinition, ballot: &Ballot, wire: &SelectionsInput) -> bool {
    if wire.len() != definition.contests.len() || ballot.contests.len() != definition.contests.len() {
        return false;
    }
    definition.contests.iter().all(|contest| {
        let (Some(choices), Some(raw)) = (ballot.contests.get(&contest.id), wire.get(contest.id.as_str()))
        else {
            return false;
        };
        if choices.len() != raw.len() || !choices.iter().zip(raw).all(|(c, w)| c.is_encoded_as(w)) {
            return false;
        }
        match &contest.kind {
            ContestKind::Candidate { candidates, .. } | ContestKind::Approval { candidates, .. } => {
                fn rank<'c>(candidates: &[crate::definition::Candidate], c: &'c Choice) -> (usize, &'c [u8]) {
                    match c {
                        Choice::Candidate(id) => (
                            candidates
                                .iter()
                                .position(|k| k.id.as_str() == id)
                                .unwrap_or(usize::MAX),
                            &[],
                        ),
                        Choice::WriteIn(name) => (usize::MAX, name.as_bytes()),
                        Choice::Yes | Choice::No => (usize::MAX, &[]),
                    }
                }
                choices
                    .windows(2)
                    .all(|w| rank(candidates, &w[0]) <= rank(candidates, &w[1]))
            }
            _ => true,
        }
    })
}

/// The count in a header: the contests counted from `ballots`, with the
/// header's identity and turnout.
pub(crate) fn result_of(
    definition: &ElectionDefinition,
    station_id: &str,
    test: bool,
    counts: Turnout,
    ballots: &[Ballot],
) -> ElectionResult {
    let mode = if test { "test" } else { "closed" };
    ElectionResult::new(
        definition,
        station_id,
        mode,
        test,
        counts,
        tabulate(definition, ballots),
    )
}

/// Serialises a header (or any section value) as a `Value`.
pub(crate) fn to_value(v: &impl serde::Serialize) -> Result<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| Error::InvalidInput(format!("result file: {e}")))
}

/// The records' lines (sorted by id) and their digest.
pub(crate) fn record_lines(records: &[Record]) -> Result<(Vec<u8>, SectionDigest)> {
    let mut out = Vec::with_capacity(records.len() * 200);
    for record in records {
        serde_json::to_writer(&mut out, record)
            .map_err(|e| Error::InvalidInput(format!("cast vote record: {e}")))?;
        out.push(b'\n');
    }
    let digest = SectionDigest {
        count: records.len() as u64,
        sha512: hex::encode(Sha512::digest(&out)),
    };
    Ok((out, digest))
}

/// The receipts' lines (sorted) and their count and root.
pub(crate) fn receipt_lines(receipts: &[String]) -> (Vec<u8>, ReceiptsDigest) {
    let mut out = Vec::with_capacity(receipts.len() * 22);
    let mut root = merkle::RootBuilder::default();
    for r in receipts {
        out.extend_from_slice(&lines::line(&serde_json::Value::String(r.clone())));
        root.push(r);
    }
    let digest = ReceiptsDigest {
        count: receipts.len() as u64,
        merkle_root: hex::encode(root.root()),
    };
    (out, digest)
}

/// The signed file: header, signature, definition, then `sections`.
pub(crate) fn signed_file(
    header: &serde_json::Value,
    signing: &SigningKey,
    definition: &ElectionDefinition,
    sections: &[&[u8]],
) -> Vec<u8> {
    let header = lines::line(header);
    let body = &header[..header.len() - 1];
    let signature = lines::line(&lines::sign(signing, body));
    let size = sections.iter().map(|s| s.len()).sum::<usize>() + header.len() + signature.len();
    let mut out = Vec::with_capacity(size + definition.canonical_json().len() + 1);
    out.extend_from_slice(&header);
    out.extend_from_slice(&signature);
    out.extend_from_slice(definition.canonical_json().as_bytes());
    out.push(b'\n');
    for s in sections {
        out.extend_from_slice(s);
    }
    out
}

/// The `records.sha512` a result of these records will carry (each in
/// normal form, sorted by id): what an audit manifest names its result by.
pub fn records_sha512(definition: &ElectionDefinition, records: &[([u8; 16], Ballot)]) -> Result<[u8; 64]> {
    let mut values: Vec<Record> = records
        .iter()
        .map(|(id, b)| Record::new(id, &normal_form(definition, b)))
        .collect();
    values.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    let (bytes, _) = record_lines(&values)?;
    Ok(Sha512::digest(&bytes).into())
}

/// Writes and signs a `votekiosk-result/2` (its exact bytes).
pub fn write_result(content: ResultContent<'_>, signing: &SigningKey) -> Result<Vec<u8>> {
    let ResultContent {
        definition,
        test,
        station,
        counted_by,
        polls,
        exported_at,
        counts,
        cards,
        mut records,
        mut receipts,
        audit,
        attachments,
        software,
    } = content;
    for (_, ballot) in records.iter_mut() {
        *ballot = normal_form(definition, ballot);
    }
    records.sort_unstable_by_key(|(id, _)| *id);
    if let Some(w) = records.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(Error::Damaged(format!(
            "record id {} appears twice",
            hex::encode(w[0].0)
        )));
    }
    let record_values: Vec<Record> = records.iter().map(|(id, b)| Record::new(id, b)).collect();
    let ballots: Vec<Ballot> = records.into_iter().map(|(_, b)| b).collect();
    let result = result_of(definition, &station.id, test, counts, &ballots);
    drop(ballots);
    let (record_bytes, records_digest) = record_lines(&record_values)?;
    drop(record_values);
    receipts.sort_unstable();
    let (receipt_bytes, receipts_digest) = receipt_lines(&receipts);
    let header = ResultHeader {
        format: RESULT_FORMAT.into(),
        test,
        mode: if test { "test" } else { "closed" }.into(),
        definition_hash: definition.hash().to_hex(),
        demo: super::is_demo(definition),
        station,
        counted_by,
        polls,
        exported_at,
        counts,
        cards,
        result,
        receipts: receipts_digest,
        records: records_digest,
        audit,
        attachments,
        software,
    };
    Ok(signed_file(
        &to_value(&header)?,
        signing,
        definition,
        &[&receipt_bytes, &record_bytes],
    ))
}
