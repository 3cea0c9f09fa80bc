//! The Universal RCV Tabulation summary (URCVT, RCTab's
//! `*_detailed_report.json`), written as RCTab writes it: the same field
//! names, every map's keys in Java's sorted order, vote numbers as strings
//! in Java's `BigDecimal` notation (`"2.3330"` keeps its zero), round
//! numbers and counts as JSON numbers, and Jackson's default pretty
//! printing (two-space indents, `"key" : value`, `[ {`, `{ }`).

use rust_decimal::Decimal;

use super::config::RctabConfig;
use super::decimal::{java_string, to_integer};
use super::engine::{Decision, Party, Status, Tabulation};
use super::java;
use crate::error::Result;

/// What `config.generatedBy` says (RCTab writes "RCTab <version>").
pub fn generated_by() -> String {
    format!("votekiosk {} (RCTab rules)", env!("CARGO_PKG_VERSION"))
}

/// A JSON value with the few shapes the report has.
#[derive(Debug, Clone, PartialEq)]
enum J {
    Str(String),
    Int(i128),
    Obj(Vec<(String, J)>),
    Arr(Vec<J>),
}

fn num(d: Decimal) -> J {
    J::Str(java_string(d))
}

fn obj(mut fields: Vec<(String, J)>) -> J {
    fields.sort_by(|a, b| java::compare(&a.0, &b.0));
    J::Obj(fields)
}

fn party_name(t: &Tabulation, p: Party) -> String {
    match p {
        Party::Candidate(c) => t.names[c].clone(),
        Party::Exhausted => "exhausted".into(),
        Party::ResidualSurplus => "residual surplus".into(),
        Party::Uncounted => "uncounted".into(),
    }
}

/// The report as text (no trailing newline, as RCTab writes it).
pub fn urcvt_report(config: &RctabConfig, t: &Tabulation) -> Result<String> {
    let last = t.rounds.len();
    let first = t.rounds.first();
    let results = t
        .rounds
        .iter()
        .enumerate()
        .map(|(i, round)| {
            let mut inactive = vec![
                ("overvotes".to_string(), num(round.status(Status::Overvote))),
                (
                    "skippedRankings".to_string(),
                    num(round.status(Status::SkippedRanking)),
                ),
                (
                    "exhaustedChoices".to_string(),
                    num(round.status(Status::ExhaustedChoice)),
                ),
                (
                    "repeatedRankings".to_string(),
                    num(round.status(Status::RepeatedRanking)),
                ),
            ];
            if config.rules.uses_surpluses() && i + 1 == last {
                inactive.push((
                    "finalRoundSurplus".to_string(),
                    num(round.status(Status::FinalRoundSurplus)),
                ));
            }
            let tally = round
                .tally
                .iter()
                .map(|(c, v)| (t.names[*c].clone(), num(*v)))
                .collect();
            let mut actions = Vec::new();
            for elected in [true, false] {
                let mut names: Vec<usize> = t.decisions[i]
                    .iter()
                    .filter_map(|d| match (d, elected) {
                        (Decision::Elected(c), true) | (Decision::Eliminated(c), false) => Some(*c),
                        _ => None,
                    })
                    .collect();
                names.sort_by(|a, b| java::compare(&t.names[*a], &t.names[*b]));
                for c in names {
                    let transfers = t
                        .transfers
                        .get(i + 1)
                        .map(|moves| {
                            moves
                                .iter()
                                .filter(|((from, _), _)| *from == Party::Candidate(c))
                                .map(|((_, to), v)| (party_name(t, *to), num(*v)))
                                .collect()
                        })
                        .unwrap_or_default();
                    actions.push(obj(vec![
                        (
                            if elected { "elected" } else { "eliminated" }.to_string(),
                            J::Str(t.names[c].clone()),
                        ),
                        ("transfers".to_string(), obj(transfers)),
                    ]));
                }
            }
            obj(vec![
                ("inactiveBallots".into(), obj(inactive)),
                ("round".into(), J::Int(i128::from(round.number))),
                ("tally".into(), obj(tally)),
                ("tallyResults".into(), J::Arr(actions)),
                ("threshold".into(), num(round.threshold)),
            ])
        })
        .collect();
    let (total, undervotes, final_threshold) = match (first, t.rounds.last()) {
        (Some(first), Some(last)) => (
            first.total()?,
            to_integer(first.status(Status::DidNotRankAnyCandidates)),
            last.threshold,
        ),
        _ => (Decimal::ZERO, 0, Decimal::ZERO),
    };
    let report = obj(vec![
        (
            "config".into(),
            obj(vec![
                ("contest".into(), J::Str(config.contest_name.clone())),
                ("date".into(), J::Str(config.contest_date.clone())),
                ("generatedBy".into(), J::Str(generated_by())),
                ("jurisdiction".into(), J::Str(config.contest_jurisdiction.clone())),
                ("office".into(), J::Str(config.contest_office.clone())),
            ]),
        ),
        ("jsonFormatVersion".into(), J::Str("1".into())),
        ("results".into(), J::Arr(results)),
        (
            "summary".into(),
            obj(vec![
                ("finalThreshold".into(), num(final_threshold)),
                ("numCandidates".into(), J::Int(t.names.len() as i128)),
                ("numWinners".into(), J::Int(i128::from(t.seats))),
                ("totalNumBallots".into(), num(total)),
                ("undervotes".into(), J::Int(undervotes)),
            ]),
        ),
    ]);
    let mut out = String::new();
    write(&report, 0, &mut out);
    Ok(out)
}

fn write(v: &J, depth: usize, out: &mut String) {
    match v {
        J::Str(s) => {
            // serde_json escapes as Jackson does for these characters
            out.push_str(&serde_json::Value::String(s.clone()).to_string());
        }
        J::Int(n) => out.push_str(&n.to_string()),
        J::Obj(fields) if fields.is_empty() => out.push_str("{ }"),
        J::Obj(fields) => {
            out.push_str("{\n");
            for (i, (k, v)) in fields.iter().enumerate() {
                out.push_str(&"  ".repeat(depth + 1));
                out.push_str(&serde_json::Value::String(k.clone()).to_string());
                out.push_str(" : ");
                write(v, depth + 1, out);
                if i + 1 < fields.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&"  ".repeat(depth));
            out.push('}');
        }
        J::Arr(items) if items.is_empty() => out.push_str("[ ]"),
        J::Arr(items) => {
            out.push_str("[ ");
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write(v, depth, out);
            }
            out.push_str(" ]");
        }
    }
}

/// A plain-text summary: winners, then each round's tallies and decisions.
pub fn summary_text(config: &RctabConfig, t: &Tabulation) -> String {
    let mut out = format!("{} — counted with RCTab's rules\n", config.contest_name);
    out.push_str(&format!("Elected: {}\n", t.winner_names().join(", ")));
    for (i, round) in t.rounds.iter().enumerate() {
        out.push_str(&format!(
            "Round {} (threshold {}):",
            round.number,
            java_string(round.threshold)
        ));
        let mut tally: Vec<(&str, Decimal)> = round
            .tally
            .iter()
            .map(|(c, v)| (t.names[*c].as_str(), *v))
            .collect();
        tally.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| java::compare(a.0, b.0)));
        for (name, v) in tally {
            out.push_str(&format!(" {name} {};", java_string(v)));
        }
        for d in &t.decisions[i] {
            match d {
                Decision::Elected(c) => out.push_str(&format!(" elected {}.", t.names[*c])),
                Decision::Eliminated(c) => out.push_str(&format!(" eliminated {}.", t.names[*c])),
            }
        }
        out.push('\n');
    }
    for (round, text) in &t.tie_breaks {
        out.push_str(&format!("Tie-break in round {round}: {text}\n"));
    }
    out
}
