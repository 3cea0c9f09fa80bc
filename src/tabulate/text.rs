//! A result as a plain-text table, for `votekiosk tally` and anyone who
//! wants the same words: every contest, winners and ties, the measure's
//! rule, and instant-runoff rounds as a table followed by what happened
//! in each round.

use std::fmt::Write;

use crate::definition::{ContestKind, ElectionDefinition};

use super::result::{
    ApprovalResult, CandidateResult, ContestResult, ElectionResult, RankedResult, Votes, YesNoResult,
    WRITE_IN_LINE,
};

/// Renders `result` (of `definition`) for a terminal or a plain-text report.
pub fn render(definition: &ElectionDefinition, result: &ElectionResult) -> String {
    let lang = definition.default_language();
    let mut out = String::new();
    let t = &result.turnout;
    let _ = writeln!(out, "{}", definition.title.get(lang));
    let _ = writeln!(out, "Station {}  mode {}", result.station_id, result.mode);
    let _ = writeln!(out, "Definition {}", result.definition_hash);
    if result.test {
        out.push_str("TEST BALLOTS ONLY: not part of the election\n");
    } else if result.mode != "closed" {
        out.push_str("PROVISIONAL: the polls are not closed\n");
    }
    let _ = writeln!(
        out,
        "Codes issued {}  used {}  revoked {}  unused {}\nBallots cast {}",
        t.codes_issued, t.codes_used, t.codes_revoked, t.codes_unused, t.ballots
    );
    for contest in &result.contests {
        out.push('\n');
        let title = definition
            .contest(contest.id())
            .map(|c| c.title.get(lang).to_string())
            .unwrap_or_default();
        let name = |id: &str| -> String {
            definition
                .contest(contest.id())
                .and_then(|c| c.candidate(id))
                .map(|c| c.name.get(lang).to_string())
                .unwrap_or_default()
        };
        match contest {
            ContestResult::Candidate(r) => candidate(&mut out, &title, r, &name),
            ContestResult::Approval(r) => approval(&mut out, &title, r, &name),
            ContestResult::YesNo(r) => yesno(&mut out, &title, r),
            ContestResult::Ranked(r) => {
                let max = match definition.contest(&r.id).map(|c| &c.kind) {
                    Some(ContestKind::Ranked { max_rankings, .. }) => *max_rankings,
                    _ => 0,
                };
                ranked(&mut out, &title, max, r, &name)
            }
        }
    }
    out.trim_end().to_string()
}

fn line(out: &mut String, label: &str, votes: u64) {
    let _ = writeln!(out, "  {label:<40} {votes:>10}");
}

fn candidate_lines(out: &mut String, tallies: &[Votes], name: &dyn Fn(&str) -> String) {
    for v in tallies {
        line(out, &format!("{}  {}", v.candidate, name(&v.candidate)), v.votes);
    }
}

fn outcome(out: &mut String, winners: &[String], tied: &[String], tied_seats: u32) {
    let list = |l: &[String]| l.join(", ");
    if !winners.is_empty() {
        let _ = writeln!(out, "  Elected: {}", list(winners));
    }
    if !tied.is_empty() {
        let seats = if tied_seats == 1 {
            "1 seat".to_string()
        } else {
            format!("{tied_seats} seats")
        };
        let _ = writeln!(
            out,
            "  TIED for {seats}: {} (the count does not break this tie)",
            list(tied)
        );
    }
    if winners.iter().chain(tied).any(|w| w == WRITE_IN_LINE) {
        out.push_str("  The write-ins together place here: resolve the names above by hand.\n");
    }
}

fn candidate(out: &mut String, title: &str, r: &CandidateResult, name: &dyn Fn(&str) -> String) {
    let _ = writeln!(out, "{} {title} [candidate, vote for up to {}]", r.id, r.seats);
    candidate_lines(out, &r.tallies, name);
    if let Some(w) = &r.write_ins {
        line(out, "write-ins (all)", w.votes);
        for n in &w.names {
            line(out, &format!("  {}", n.name), n.votes);
        }
    }
    line(out, "blank ballots", r.blank);
    line(out, "under-votes", r.undervotes);
    line(out, "over-votes", r.overvotes);
    outcome(out, &r.winners, &r.tied, r.tied_seats);
}

fn approval(out: &mut String, title: &str, r: &ApprovalResult, name: &dyn Fn(&str) -> String) {
    let _ = writeln!(out, "{} {title} [approval]", r.id);
    candidate_lines(out, &r.tallies, name);
    line(out, "blank ballots", r.blank);
    outcome(out, &r.winners, &r.tied, r.tied_seats);
}

fn yesno(out: &mut String, title: &str, r: &YesNoResult) {
    let (n, d) = (r.threshold.numerator, r.threshold.denominator);
    let _ = writeln!(
        out,
        "{} {title} [yes/no, needs {n}/{d} of yes + no and more yes than no]",
        r.id
    );
    line(out, "yes", r.yes);
    line(out, "no", r.no);
    line(out, "blank", r.blank);
    let _ = writeln!(out, "  {}", if r.passed { "PASSED" } else { "FAILED" });
}

fn ranked(out: &mut String, title: &str, max: u32, r: &RankedResult, name: &dyn Fn(&str) -> String) {
    let _ = writeln!(
        out,
        "{} {title} [ranked, instant runoff, up to {max} rankings]",
        r.id
    );
    let rules = &r.rules;
    let _ = writeln!(
        out,
        "  rules: stop at {}, batch elimination {}, ties: {}",
        rules.stop.replace('_', " "),
        if rules.batch_elimination { "on" } else { "off" },
        rules.tie_break.replace('_', " ")
    );
    let _ = writeln!(out, "  ballots {}  blank {}", r.ballots, r.blank);
    let Some(first) = r.rounds.first() else {
        return;
    };
    let ids: Vec<&str> = first.tallies.iter().map(|v| v.candidate.as_str()).collect();
    let width = |s: &str| s.chars().count().max(6);
    let mut header = format!("  {:>5}", "round");
    for id in &ids {
        let _ = write!(header, "  {id:>w$}", w = width(id));
    }
    let _ = write!(
        header,
        "  {:>9}  {:>10}  {:>9}",
        "exhausted", "continuing", "threshold"
    );
    let _ = writeln!(out, "{header}");
    for round in &r.rounds {
        let mut row = format!("  {:>5}", round.round);
        for id in &ids {
            let cell = round
                .tallies
                .iter()
                .find(|v| v.candidate == *id)
                .map(|v| v.votes.to_string())
                .unwrap_or_else(|| "-".into());
            let _ = write!(row, "  {cell:>w$}", w = width(id));
        }
        let _ = write!(
            row,
            "  {:>9}  {:>10}  {:>9}",
            round.exhausted, round.continuing, round.threshold
        );
        let _ = writeln!(out, "{row}");
    }
    for round in &r.rounds {
        if let Some(w) = &round.elected {
            let _ = writeln!(
                out,
                "  Round {}: {w} ({}) elected with {} of {} continuing ballots",
                round.round,
                name(w),
                round
                    .tallies
                    .iter()
                    .find(|v| v.candidate == *w)
                    .map(|v| v.votes)
                    .unwrap_or(0),
                round.continuing
            );
            continue;
        }
        if round.eliminated.is_empty() {
            let _ = writeln!(
                out,
                "  Round {}: no ballot counts for anyone: no winner",
                round.round
            );
            continue;
        }
        let mut text = format!(
            "  Round {}: eliminated {}",
            round.round,
            round.eliminated.join(", ")
        );
        if round.eliminated.len() > 1 {
            text.push_str(" (batch: together fewer votes than the next candidate)");
        }
        if let Some(tb) = &round.tie_break {
            let _ = write!(text, "; tied for last: {}", tb.tied.join(", "));
            match &tb.draw {
                None => text.push_str(", decided by earlier rounds"),
                Some(d) => {
                    if tb.after_previous_rounds.len() < tb.tied.len() {
                        let _ = write!(
                            text,
                            ", earlier rounds left {}",
                            tb.after_previous_rounds.join(", ")
                        );
                    }
                    let _ = write!(text, ", draw (seed {}) order {}", d.seed, d.order.join(", "));
                }
            }
        }
        let _ = writeln!(out, "{text}");
        for t in &round.transfers {
            let mut to: Vec<String> =
                t.to.iter()
                    .map(|v| format!("{} {}", v.candidate, v.votes))
                    .collect();
            to.push(format!("exhausted {}", t.exhausted));
            let _ = writeln!(out, "    {} -> {}", t.from, to.join(", "));
        }
    }
    match &r.winner {
        Some(w) => {
            let _ = writeln!(out, "  Elected: {w}");
        }
        None => out.push_str("  No winner: no ballot ranks a candidate\n"),
    }
    if r.tie_breaks > 0 {
        let _ = writeln!(
            out,
            "  Ties for last place broken: {} (see the rounds)",
            r.tie_breaks
        );
    }
}
