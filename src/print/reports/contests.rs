//! One section per contest of the results report: bars, notes and the
//! outcome; for ranked contests the rounds as tables and sentences.

use super::super::labels;
use super::super::pdf::{self, line_height, Align, Face};
use super::layout::{Report, LEFT, RIGHT};
use crate::definition::{ContestKind, ElectionDefinition};
use crate::tabulate::{ContestResult, RankedResult, Round, WRITE_IN_LINE};

/// A candidate id (or the write-in line) as its name on the ballot.
fn candidate_name(def: &ElectionDefinition, contest: &str, id: &str) -> String {
    if id == WRITE_IN_LINE {
        return "Write-ins (all)".into();
    }
    let lang = def.default_language();
    def.contest(contest)
        .and_then(|c| c.candidate(id))
        .map(|c| {
            let name = labels::pick(def, &c.name, lang);
            match &c.party {
                Some(party) => format!("{name} ({})", labels::pick(def, party, lang)),
                None => name.to_string(),
            }
        })
        .unwrap_or_else(|| id.to_string())
}

fn names(def: &ElectionDefinition, contest: &str, ids: &[String]) -> String {
    ids.iter()
        .map(|id| candidate_name(def, contest, id))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Heading, bars and outcome of one contest.
pub(super) fn contest_section(report: &mut Report, def: &ElectionDefinition, result: &ContestResult) {
    let id = result.id();
    let lang = def.default_language();
    let contest = def.contest(id);
    let title = contest
        .map(|c| labels::pick(def, &c.title, lang).to_string())
        .unwrap_or_else(|| id.to_string());
    let kind = match contest.map(|c| &c.kind) {
        Some(ContestKind::Candidate { seats: 1, .. }) => "vote for one".to_string(),
        Some(ContestKind::Candidate { seats, .. }) => format!("vote for up to {seats}"),
        Some(ContestKind::YesNo { threshold, .. }) => {
            format!(
                "measure; passes with {}/{} of yes and no votes",
                threshold.numerator, threshold.denominator
            )
        }
        Some(ContestKind::Approval { .. }) => "approval".to_string(),
        Some(ContestKind::Ranked { .. }) => "ranked choice (instant runoff)".to_string(),
        None => result.kind().to_string(),
    };
    // Keep a contest's heading with at least its first lines.
    report.need(40.0);
    report.heading(&title);
    report.note(&format!("Contest {id}: {kind}."));
    match result {
        ContestResult::Candidate(c) => {
            let write_ins = c.write_ins.as_ref().map_or(0, |w| w.votes);
            let total: u64 = c.tallies.iter().map(|v| v.votes).sum::<u64>() + write_ins;
            for v in &c.tallies {
                let won = c.winners.contains(&v.candidate);
                report.bar(&candidate_name(def, id, &v.candidate), v.votes, total, won);
            }
            if let Some(w) = &c.write_ins {
                let won = c.winners.iter().any(|x| x == WRITE_IN_LINE);
                report.bar("Write-ins (all)", w.votes, total, won);
                for name in &w.names {
                    report.note(&format!("    write-in {:?}: {}", name.name, name.votes));
                }
            }
            report.y += 1.5;
            report.note(&format!(
                "{} ballots; {} blank in this contest; {} unused votes (under-votes); {} over-votes. Percentages are of the {total} votes cast in this contest.",
                c.ballots, c.blank, c.undervotes, c.overvotes
            ));
            if !c.winners.is_empty() {
                report.outcome(&format!("Elected: {}", names(def, id, &c.winners)));
            }
            if !c.tied.is_empty() {
                report.outcome(&format!(
                    "Tied for {} seat(s), not broken by the count: {}",
                    c.tied_seats,
                    names(def, id, &c.tied)
                ));
            }
        }
        ContestResult::YesNo(m) => {
            let (yes, no) = labels_yes_no(def, id);
            let votes = m.yes + m.no;
            report.bar(&yes, m.yes, votes, m.passed);
            report.bar(&no, m.no, votes, false);
            report.y += 1.5;
            report.note(&format!(
                "{} ballots; {} blank. Percentages are of the {votes} yes and no votes.",
                m.ballots, m.blank
            ));
            report.outcome(&format!(
                "{} (needs {}/{} of yes and no votes, and more yes than no)",
                if m.passed { "PASSED" } else { "NOT PASSED" },
                m.threshold.numerator,
                m.threshold.denominator
            ));
        }
        ContestResult::Approval(a) => {
            for v in &a.tallies {
                let won = a.winners.contains(&v.candidate);
                report.bar(&candidate_name(def, id, &v.candidate), v.votes, a.ballots, won);
            }
            report.y += 1.5;
            report.note(&format!(
                "{} ballots; {} approved nobody. Percentages are of the {} ballots (a ballot may approve several candidates).",
                a.ballots, a.blank, a.ballots
            ));
            if !a.winners.is_empty() {
                report.outcome(&format!("Winner: {}", names(def, id, &a.winners)));
            }
            if !a.tied.is_empty() {
                report.outcome(&format!(
                    "Tied, not broken by the count: {}",
                    names(def, id, &a.tied)
                ));
            }
        }
        ContestResult::Ranked(k) => ranked_section(report, def, id, k),
    }
}

fn labels_yes_no(def: &ElectionDefinition, contest: &str) -> (String, String) {
    let lang = def.default_language();
    match def.contest(contest).map(|c| &c.kind) {
        Some(ContestKind::YesNo {
            yes_label, no_label, ..
        }) => (
            yes_label
                .as_ref()
                .map_or("Yes".to_string(), |t| labels::pick(def, t, lang).to_string()),
            no_label
                .as_ref()
                .map_or("No".to_string(), |t| labels::pick(def, t, lang).to_string()),
        ),
        _ => ("Yes".into(), "No".into()),
    }
}

/// Rounds per table: more rounds continue in another table below.
const ROUNDS_PER_TABLE: usize = 7;

fn ranked_section(report: &mut Report, def: &ElectionDefinition, id: &str, k: &RankedResult) {
    if let Some(first) = k.rounds.first() {
        report.note("First choices (round 1):");
        for v in &first.tallies {
            let won = k.winner.as_deref() == Some(v.candidate.as_str());
            report.bar(
                &candidate_name(def, id, &v.candidate),
                v.votes,
                first.continuing,
                won,
            );
        }
    }
    report.y += 1.5;
    report.note(&format!(
        "{} ballots; {} ranked nobody. Rules: {} elimination, ties broken by {}, stop at {}.",
        k.ballots,
        k.blank,
        if k.rules.batch_elimination {
            "batch"
        } else {
            "one-by-one"
        },
        k.rules.tie_break.replace('_', " "),
        k.rules.stop.replace('_', " ")
    ));
    // Every candidate who appears in any round, in definition order.
    let mut candidates: Vec<String> = Vec::new();
    if let Some(contest) = def.contest(id) {
        for c in contest.kind.candidates() {
            if k.rounds
                .iter()
                .any(|r| r.tallies.iter().any(|v| v.candidate == c.id.as_str()))
            {
                candidates.push(c.id.as_str().to_string());
            }
        }
    }
    for chunk in k.rounds.chunks(ROUNDS_PER_TABLE) {
        round_table(report, def, id, &candidates, chunk);
    }
    for round in &k.rounds {
        let mut parts = Vec::new();
        if !round.eliminated.is_empty() {
            parts.push(format!("eliminated {}", names(def, id, &round.eliminated)));
        }
        if let Some(tb) = &round.tie_break {
            let how = match &tb.draw {
                Some(draw) => format!("by a seeded draw (seed {})", draw.seed),
                None => "by the earlier rounds".to_string(),
            };
            parts.push(format!(
                "tie for last place among {} broken {how}",
                names(def, id, &tb.tied)
            ));
        }
        for t in &round.transfers {
            let to: Vec<String> =
                t.to.iter()
                    .map(|v| format!("{} to {}", v.votes, candidate_name(def, id, &v.candidate)))
                    .collect();
            let mut moved = to.join(", ");
            if t.exhausted > 0 {
                if !moved.is_empty() {
                    moved.push_str(", ");
                }
                moved.push_str(&format!("{} exhausted", t.exhausted));
            }
            if !moved.is_empty() {
                parts.push(format!("{}'s ballots: {moved}", candidate_name(def, id, &t.from)));
            }
        }
        if let Some(winner) = &round.elected {
            parts.push(format!("{} elected", candidate_name(def, id, winner)));
        }
        if !parts.is_empty() {
            report.note(&format!("Round {}: {}.", round.round, parts.join("; ")));
        }
    }
    match &k.winner {
        Some(w) => report.outcome(&format!("Elected: {}", candidate_name(def, id, w))),
        None => report.outcome("No winner: no ballot ranked a candidate."),
    }
}

/// A table of rounds: a row per candidate, a column per round.
fn round_table(
    report: &mut Report,
    def: &ElectionDefinition,
    id: &str,
    candidates: &[String],
    rounds: &[Round],
) {
    let size = 8.5;
    let row_h = line_height(size) + 0.8;
    let name_w = 60.0;
    let col_w = ((RIGHT - LEFT - name_w) / ROUNDS_PER_TABLE as f32).min(18.0);
    let rows = candidates.len() + 4;
    report.need(row_h * rows as f32 + 4.0);
    report.y += 3.0;
    let top = report.y;
    let base = |row: usize| top + row_h * (row as f32 + 1.0) - 1.2;
    let sheet = report.sheet();
    sheet.text(LEFT, base(0), Face::Bold, size, Align::Left, "Round");
    for (j, round) in rounds.iter().enumerate() {
        let x = LEFT + name_w + col_w * (j as f32 + 1.0);
        sheet.text(
            x - 1.0,
            base(0),
            Face::Bold,
            size,
            Align::Right,
            &round.round.to_string(),
        );
    }
    sheet.line(
        (LEFT, top + row_h + 0.2),
        (LEFT + name_w + col_w * rounds.len() as f32, top + row_h + 0.2),
        0.5,
    );
    for (i, cid) in candidates.iter().enumerate() {
        let row = i + 1;
        if i % 2 == 1 {
            sheet.fill(
                LEFT,
                top + row_h * row as f32 + 0.3,
                name_w + col_w * rounds.len() as f32,
                row_h,
                0.93,
            );
        }
        let name = pdf::fit(Face::Regular, size, &candidate_name(def, id, cid), name_w - 2.0);
        sheet.text(LEFT, base(row), Face::Regular, size, Align::Left, &name);
        for (j, round) in rounds.iter().enumerate() {
            let x = LEFT + name_w + col_w * (j as f32 + 1.0) - 1.0;
            let cell = round
                .tallies
                .iter()
                .find(|v| &v.candidate == cid)
                .map(|v| v.votes.to_string());
            let elected = round.elected.as_deref() == Some(cid.as_str());
            let face = if elected { Face::Bold } else { Face::Regular };
            sheet.text(
                x,
                base(row),
                face,
                size,
                Align::Right,
                cell.as_deref().unwrap_or("-"),
            );
        }
    }
    let extra = [
        (
            "Continuing ballots",
            Box::new(|r: &Round| r.continuing) as Box<dyn Fn(&Round) -> u64>,
        ),
        ("Needed to win", Box::new(|r: &Round| r.threshold)),
        ("Exhausted", Box::new(|r: &Round| r.exhausted)),
    ];
    let sep = top + row_h * (candidates.len() + 1) as f32 + 0.3;
    sheet.line(
        (LEFT, sep),
        (LEFT + name_w + col_w * rounds.len() as f32, sep),
        0.3,
    );
    for (k, (label, value)) in extra.iter().enumerate() {
        let row = candidates.len() + 1 + k;
        sheet.text(LEFT, base(row), Face::Regular, size, Align::Left, label);
        for (j, round) in rounds.iter().enumerate() {
            let x = LEFT + name_w + col_w * (j as f32 + 1.0) - 1.0;
            sheet.text(
                x,
                base(row),
                Face::Regular,
                size,
                Align::Right,
                &value(round).to_string(),
            );
        }
    }
    report.y = top + row_h * rows as f32 + 2.0;
}
