//! NIST exports of a verified result (`docs/formats.md` section 13): the
//! cast vote records as one NIST SP 1500-103 `CastVoteRecordReport`
//! (`cvr.rs`) and the counts as one NIST SP 1500-100 (version 2)
//! `ElectionReport` (`err.rs`), both JSON.
//!
//! Both are made from a `votekiosk-result/2` or `votekiosk-merge/2` file
//! that has just passed the public verifier against a trust anchor
//! (`source.rs`): a file that does not verify gives an error and no
//! export. They carry nothing the verified file does not: record ids and
//! selections, the definition, the count, the station keys and software.
//! Every object id is derived from votekiosk ids (`ids`), every list has a
//! fixed order, time stamps are the file's own, and the JSON is written
//! with sorted keys (`to_json`): the same file always gives the same bytes.

pub mod cvr;
pub mod err;
pub mod source;

use serde_json::Value;

use crate::definition::{ContestKind, ElectionDefinition, Text};
pub use source::{count_verified, read_verified, verified_from_bytes, Counted, Origin, Verified};

/// What `votekiosk export --format` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The signed `votekiosk-result/2` of a station (and its sealed export).
    Votekiosk,
    /// NIST SP 1500-103 cast vote records.
    NistCvr,
    /// NIST SP 1500-100 election results.
    NistErr,
}

/// The export of `verified` in a NIST format, as the bytes of its file.
/// `Format::Votekiosk` is the station's own export, not made here.
pub fn export(format: Format, verified: &Verified) -> crate::error::Result<Vec<u8>> {
    let value = match format {
        Format::NistCvr => cvr::report(verified),
        Format::NistErr => err::report(verified),
        Format::Votekiosk => {
            return Err(crate::error::Error::NistExportRefused(
                "the votekiosk format is the station's signed export (`votekiosk export --out FILE`)".into(),
            ))
        }
    };
    Ok(to_json(&value).into_bytes())
}

/// The ids of the exported objects: a kind, a dot, then votekiosk ids.
/// Contest and candidate ids hold no dot (`a-z`, `0-9`, `-`, `_`) and no
/// candidate id starts with `write-in`, so no two objects share an id.
pub mod ids {
    pub const ELECTION: &str = "election";
    pub const ELECTION_SCOPE: &str = "gpunit.election";
    pub fn contest(contest: &str) -> String {
        format!("contest.{contest}")
    }
    pub fn candidate(contest: &str, candidate: &str) -> String {
        format!("candidate.{contest}.{candidate}")
    }
    pub fn selection(contest: &str, option: &str) -> String {
        format!("selection.{contest}.{option}")
    }
    /// The `n`-th write-in slot of a contest (1-based): a CVR's write-ins.
    pub fn write_in_slot(contest: &str, n: usize) -> String {
        format!("selection.{contest}.write-in-{n}")
    }
    /// The `n`-th write-in name of a count (1-based, in the count's order).
    pub fn write_in_name(contest: &str, n: usize) -> String {
        format!("selection.{contest}.write-in-name-{n}")
    }
    pub fn write_in_candidate(contest: &str, n: usize) -> String {
        format!("candidate.{contest}.write-in-name-{n}")
    }
    pub fn party(n: usize) -> String {
        format!("party.{n}")
    }
    pub fn station_unit(station: &str) -> String {
        format!("gpunit.station.{station}")
    }
    pub fn device(station: &str) -> String {
        format!("device.{station}")
    }
    /// A merge's nested merge input, by the first 16 hex digits of its SHA-256.
    pub fn merge_input_unit(sha256: &str) -> String {
        format!("gpunit.merge.{}", &sha256[..16.min(sha256.len())])
    }
    /// The unit a merge's counts belong to (its stations together).
    pub const MERGE_UNIT: &str = "gpunit.merged";
    pub const OFFICE_DEVICE: &str = "device.office";
    pub fn snapshot(record: &str) -> String {
        format!("snapshot.{record}")
    }
}

/// The `OtherType` of the codes that carry votekiosk's own ids and keys.
pub const VOTEKIOSK_ID: &str = "votekiosk-id";

/// The parties of the definition's candidates, each once (by its text in
/// every language), in the order they first appear.
pub fn parties(definition: &ElectionDefinition) -> Vec<&Text> {
    let mut out: Vec<&Text> = Vec::new();
    for contest in &definition.contests {
        for candidate in contest.kind.candidates() {
            if let Some(party) = &candidate.party {
                if !out.contains(&party) {
                    out.push(party);
                }
            }
        }
    }
    out
}

/// The party id of a party text (see `parties`).
pub fn party_id(parties: &[&Text], party: &Text) -> Option<String> {
    parties
        .iter()
        .position(|p| *p == party)
        .map(|i| ids::party(i + 1))
}

/// How many marks a contest takes (NIST `VotesAllowed`): the seats, one
/// answer, the approval limit (else every candidate), one ranking that
/// moves from round to round.
pub fn votes_allowed(kind: &ContestKind) -> u64 {
    match kind {
        ContestKind::Candidate { seats, .. } => u64::from(*seats),
        ContestKind::YesNo { .. } => 1,
        ContestKind::Approval {
            candidates,
            max_approvals,
        } => max_approvals.map_or(candidates.len() as u64, u64::from),
        ContestKind::Ranked { .. } => 1,
    }
}

/// The NIST `VoteVariation` of a contest.
pub fn vote_variation(kind: &ContestKind) -> &'static str {
    match kind {
        ContestKind::Candidate { seats: 1, .. } => "plurality",
        ContestKind::Candidate { .. } => "n-of-m",
        ContestKind::YesNo { threshold, .. } => {
            if threshold.numerator * 2 == threshold.denominator {
                "majority"
            } else {
                "super-majority"
            }
        }
        ContestKind::Approval { .. } => "approval",
        ContestKind::Ranked { .. } => "rcv",
    }
}

/// A votekiosk stamp (`2026-11-03T20:05:00.000Z`) to the second, as
/// NIST's `DateTimeWithZone` pattern takes it (`2026-11-03T20:05:00Z`).
pub fn nist_date_time(stamp: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(stamp) {
        Ok(t) => t
            .with_timezone(&chrono::Utc)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        // The verifier checked the stamp; keep it whole rather than invent one.
        Err(_) => stamp.to_string(),
    }
}

/// JSON with two-space indents and every object's keys sorted by their
/// bytes (whatever `serde_json`'s map order), ending in a line feed.
pub fn to_json(value: &Value) -> String {
    let mut out = String::new();
    write_pretty(value, 0, &mut out);
    out.push('\n');
    out
}

fn write_pretty(value: &Value, depth: usize, out: &mut String) {
    let indent = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    match value {
        Value::Array(items) if !items.is_empty() => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                indent(out, depth + 1);
                write_pretty(item, depth + 1, out);
            }
            indent(out, depth);
            out.push(']');
        }
        Value::Object(map) if !map.is_empty() => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (key, item)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                indent(out, depth + 1);
                out.push_str(&crate::canonical::to_canonical_string(&Value::String(
                    key.clone(),
                )));
                out.push_str(": ");
                write_pretty(item, depth + 1, out);
            }
            indent(out, depth);
            out.push('}');
        }
        other => out.push_str(&crate::canonical::to_canonical_string(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_sorted_and_indented_whatever_the_insertion_order() {
        let mut a = serde_json::Map::new();
        a.insert("b".into(), serde_json::json!([1, {"z": "é\n", "a": []}]));
        a.insert("@id".into(), serde_json::json!({}));
        assert_eq!(
            to_json(&Value::Object(a)),
            "{\n  \"@id\": {},\n  \"b\": [\n    1,\n    {\n      \"a\": [],\n      \"z\": \"é\\n\"\n    }\n  ]\n}\n"
        );
    }

    #[test]
    fn stamps_keep_the_second_and_say_utc() {
        assert_eq!(nist_date_time("2026-11-03T20:05:09.123Z"), "2026-11-03T20:05:09Z");
    }
}
