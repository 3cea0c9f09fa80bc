//! The officials' A4 reports: the polls-opened zero report and the
//! polls-closed results report (on `tabulate::ElectionResult`). Each report
//! is gathered from the station into a plain value first
//! (`ZeroReport::gather`, `ResultsReport::gather`), then turned into
//! PDF bytes (`to_pdf`) without any I/O. Reports are in English; election,
//! contest and candidate names are in the election's first language.

use chrono::{DateTime, FixedOffset, Utc};

use super::labels;
use super::pdf::{self, line_height, Align, Face, Sheet, A4};
use crate::definition::{ContestKind, ElectionDefinition};
use crate::error::Result;
use crate::station::{Mode, Station, Status};
use crate::store::audit::ChainReport;
use crate::tabulate::{ContestResult, ElectionResult, RankedResult, Round, WRITE_IN_LINE};

const LEFT: f32 = 18.0;
const RIGHT: f32 = A4.0 - 18.0;
const TOP: f32 = 16.0;
const BOTTOM: f32 = A4.1 - 18.0;
const LABEL_WIDTH: f32 = 50.0;

/// A time in the election's own offset (that of its voting window).
pub(crate) fn local_time(definition: &ElectionDefinition, at: DateTime<Utc>) -> String {
    let offset: FixedOffset = *definition.opens.offset();
    at.with_timezone(&offset)
        .format("%Y-%m-%d %H:%M:%S (UTC%:z)")
        .to_string()
}

/// A stored stamp, shown like `local_time`; unparsable stamps as they are.
fn local_stamp(definition: &ElectionDefinition, stamp: &str) -> String {
    DateTime::parse_from_rfc3339(stamp)
        .map(|t| local_time(definition, t.with_timezone(&Utc)))
        .unwrap_or_else(|_| stamp.to_string())
}

/// A multi-page A4 report: a cursor that moves down the page and starts a
/// new page (with a running header) when the next block does not fit.
pub(crate) struct Report {
    sheets: Vec<Sheet>,
    pub y: f32,
    running_header: String,
    footer: String,
}

impl Report {
    pub fn new(running_header: String, footer: String) -> Report {
        Report {
            sheets: vec![Sheet::new(A4.0, A4.1)],
            y: TOP,
            running_header,
            footer,
        }
    }

    pub fn sheet(&mut self) -> &mut Sheet {
        let last = self.sheets.len() - 1;
        &mut self.sheets[last]
    }

    /// Starts a new page unless `height` mm still fit on this one.
    pub fn need(&mut self, height: f32) {
        if self.y + height <= BOTTOM {
            return;
        }
        self.sheets.push(Sheet::new(A4.0, A4.1));
        let header = self.running_header.clone();
        let header = pdf::fit(Face::Regular, 8.0, &header, RIGHT - LEFT);
        self.sheet()
            .text(LEFT, TOP, Face::Regular, 8.0, Align::Left, &header);
        self.sheet().line((LEFT, TOP + 1.5), (RIGHT, TOP + 1.5), 0.4);
        self.y = TOP + 7.0;
    }

    /// The report's big title.
    pub fn title(&mut self, text: &str, size: f32) {
        for line in pdf::wrap(Face::Bold, size, text, RIGHT - LEFT) {
            self.need(line_height(size));
            self.y += line_height(size);
            let y = self.y - 0.25 * size / pdf::PT_PER_MM;
            self.sheet().text(LEFT, y, Face::Bold, size, Align::Left, &line);
        }
        self.y += 1.5;
    }

    /// A section heading with a rule under it.
    pub fn heading(&mut self, text: &str) {
        self.need(16.0);
        self.y += 5.0;
        self.title(text, 12.0);
        let y = self.y - 0.5;
        self.sheet().line((LEFT, y), (RIGHT, y), 0.6);
        self.y += 1.5;
    }

    /// Wrapped text across the page.
    pub fn paragraph(&mut self, face: Face, size: f32, text: &str) {
        for line in pdf::wrap(face, size, text, RIGHT - LEFT) {
            self.need(line_height(size));
            self.y += line_height(size);
            let y = self.y - 0.25 * size / pdf::PT_PER_MM;
            self.sheet().text(LEFT, y, face, size, Align::Left, &line);
        }
    }

    /// A label and its value (wrapped in the value column).
    pub fn row(&mut self, label: &str, value: &str, face: Face) {
        // Monospaced values are hashes: small enough that 64 hex digits fit
        // on one line (and stay one word for pdftotext and for readers).
        let size = if face == Face::Mono { 8.5 } else { 9.5 };
        let width = RIGHT - LEFT - LABEL_WIDTH;
        let lines = pdf::wrap(face, size, value, width);
        self.need(lines.len() as f32 * line_height(size) + 1.0);
        let first = self.y + line_height(size) - 0.25 * size / pdf::PT_PER_MM;
        let label = pdf::fit(Face::Regular, 9.5, label, LABEL_WIDTH - 2.0);
        self.sheet()
            .text(LEFT, first, Face::Regular, 9.5, Align::Left, &label);
        for line in lines {
            self.y += line_height(size);
            let y = self.y - 0.25 * size / pdf::PT_PER_MM;
            self.sheet()
                .text(LEFT + LABEL_WIDTH, y, face, size, Align::Left, &line);
        }
        self.y += 1.0;
    }

    /// A big boxed figure ("Official ballots: 0").
    pub fn figure(&mut self, label: &str, value: &str) {
        self.need(20.0);
        self.y += 3.0;
        let top = self.y;
        self.sheet().frame(LEFT, top, RIGHT - LEFT, 15.0, 1.2);
        self.sheet()
            .text(LEFT + 5.0, top + 9.5, Face::Bold, 13.0, Align::Left, label);
        self.sheet()
            .text(RIGHT - 5.0, top + 11.0, Face::Bold, 24.0, Align::Right, value);
        self.y = top + 15.0 + 2.0;
    }

    /// Signature blocks for two officials, side by side.
    pub fn signatures(&mut self, statement: &str) {
        self.need(62.0);
        self.heading("Signatures");
        self.paragraph(Face::Regular, 9.0, statement);
        self.y += 4.0;
        let column = (RIGHT - LEFT - 10.0) / 2.0;
        let top = self.y;
        for i in 0..2 {
            let x = LEFT + i as f32 * (column + 10.0);
            let mut y = top;
            self.sheet().text(
                x,
                y + 4.0,
                Face::Bold,
                9.5,
                Align::Left,
                &format!("Official {}", i + 1),
            );
            y += 6.0;
            for field in ["Name", "Role", "Signature", "Date and time"] {
                y += 9.0;
                self.sheet().text(x, y, Face::Regular, 8.5, Align::Left, field);
                let start = x + 25.0;
                self.sheet().line((start, y + 0.5), (x + column, y + 0.5), 0.5);
            }
        }
        self.y = top + 6.0 + 4.0 * 9.0 + 4.0;
    }

    /// Adds "page i of n" footers and renders the PDF.
    pub fn finish(mut self, title: &str) -> Result<Vec<u8>> {
        let n = self.sheets.len();
        let footer = self.footer.clone();
        for (i, sheet) in self.sheets.iter_mut().enumerate() {
            let y = A4.1 - 10.0;
            sheet.line((LEFT, y - 4.0), (RIGHT, y - 4.0), 0.3);
            let text = pdf::fit(Face::Regular, 7.5, &footer, RIGHT - LEFT - 30.0);
            sheet.text(LEFT, y, Face::Regular, 7.5, Align::Left, &text);
            sheet.text(
                RIGHT,
                y,
                Face::Regular,
                7.5,
                Align::Right,
                &format!("Page {} of {n}", i + 1),
            );
        }
        pdf::render(title, &self.sheets)
    }
}

/// The common head of both reports: election, station, definition.
fn election_rows(report: &mut Report, definition: &ElectionDefinition) {
    let lang = definition.default_language();
    let title = labels::pick(definition, &definition.title, lang);
    report.row("Election", title, Face::Bold);
    report.row(
        "Election date",
        &definition.date.format("%Y-%m-%d").to_string(),
        Face::Regular,
    );
    report.row("Station", &definition.station_id, Face::Regular);
    report.row(
        "Voting window",
        &format!(
            "{} to {}",
            definition.opens.format("%Y-%m-%d %H:%M (UTC%:z)"),
            definition.closes.format("%Y-%m-%d %H:%M (UTC%:z)")
        ),
        Face::Regular,
    );
    report.row("Definition hash", &definition.hash().to_hex(), Face::Mono);
}

fn chain_rows(report: &mut Report, chain: &ChainReport) {
    let state = match &chain.first_broken {
        None => format!("{} entries, chain verified", chain.length),
        Some((seq, why)) => format!("{} entries, BROKEN at entry {seq}: {why}", chain.length),
    };
    report.row("Audit log", &state, Face::Regular);
    report.row("Audit chain head", &chain.head, Face::Mono);
}

/// What the polls-opened (zero) report shows.
#[derive(Debug, Clone)]
pub struct ZeroReport {
    pub definition: ElectionDefinition,
    pub status: Status,
    pub chain: ChainReport,
    /// The station's public-key fingerprint, once stations have signing
    /// keys (the signed export adds them); `None` until then.
    pub key_fingerprint: Option<String>,
    pub printed_at: DateTime<Utc>,
}

impl ZeroReport {
    /// Reads what the report needs from `station`, at time `printed_at`.
    pub fn gather(station: &Station, printed_at: DateTime<Utc>) -> Result<ZeroReport> {
        Ok(ZeroReport {
            definition: station.definition().clone(),
            status: station.status()?,
            chain: station.verify_audit_chain()?,
            key_fingerprint: station.existing_key_fingerprint()?,
            printed_at,
        })
    }

    /// The report as PDF bytes.
    pub fn to_pdf(&self) -> Result<Vec<u8>> {
        let def = &self.definition;
        let s = &self.status;
        let short = def.hash().short();
        let mut report = Report::new(
            format!(
                "Zero report · {} · station {}",
                labels::pick(def, &def.title, def.default_language()),
                def.station_id
            ),
            format!(
                "votekiosk zero report · station {} · definition {short}",
                def.station_id
            ),
        );
        report.title("Polls opened: zero report", 20.0);
        let when = match s.mode {
            Mode::Setup | Mode::Test => "Printed before the polls opened.",
            Mode::Open | Mode::Paused => "Printed after the polls opened.",
            Mode::Closed => "Printed after the polls closed.",
        };
        report.paragraph(Face::Regular, 9.5, when);
        if s.turnout.ballots != 0 {
            report.y += 2.0;
            report.paragraph(
                Face::Bold,
                11.0,
                &format!(
                    "WARNING: this station already holds {} official ballots. This is not a zero report.",
                    s.turnout.ballots
                ),
            );
        }
        report.heading("Election");
        election_rows(&mut report, def);
        report.heading("Station");
        report.row(
            "Signing key",
            self.key_fingerprint
                .as_deref()
                .unwrap_or("no signing key yet (stations get one with signed exports)"),
            if self.key_fingerprint.is_some() {
                Face::Mono
            } else {
                Face::Regular
            },
        );
        report.row("Mode", s.mode.as_str(), Face::Bold);
        report.row(
            "Polls opened at",
            &s.opened_at
                .as_deref()
                .map(|t| local_stamp(def, t))
                .unwrap_or_else(|| "not opened yet".into()),
            Face::Regular,
        );
        report.row("Printed at", &local_time(def, self.printed_at), Face::Regular);
        report.figure("Official ballots in the station", &s.turnout.ballots.to_string());
        report.row("Test ballots", &s.test_turnout.ballots.to_string(), Face::Regular);
        report.row(
            "Voter codes",
            &format!(
                "{} issued, {} used, {} revoked, {} unused",
                s.turnout.codes_issued, s.turnout.codes_used, s.turnout.codes_revoked, s.turnout.codes_unused
            ),
            Face::Regular,
        );
        report.heading("Audit log");
        chain_rows(&mut report, &self.chain);
        report.signatures(
            "We checked that this station holds no official ballot before voting starts, and that the definition hash above matches the one published for this election.",
        );
        report.finish("votekiosk zero report")
    }
}

/// What the polls-closed results report shows.
#[derive(Debug, Clone)]
pub struct ResultsReport {
    pub definition: ElectionDefinition,
    pub result: ElectionResult,
    pub status: Status,
    pub chain: ChainReport,
    /// As in [`ZeroReport::key_fingerprint`].
    pub key_fingerprint: Option<String>,
    pub printed_at: DateTime<Utc>,
}

impl ResultsReport {
    /// Counts the ballots `station` may show now (`Station::tally`: after
    /// close, or test ballots in test mode) and reads the rest.
    pub fn gather(station: &Station, printed_at: DateTime<Utc>) -> Result<ResultsReport> {
        Ok(ResultsReport {
            definition: station.definition().clone(),
            result: station.tally()?,
            status: station.status()?,
            chain: station.verify_audit_chain()?,
            key_fingerprint: station.existing_key_fingerprint()?,
            printed_at,
        })
    }

    /// The report as PDF bytes; as many pages as the contests need.
    pub fn to_pdf(&self) -> Result<Vec<u8>> {
        let def = &self.definition;
        let r = &self.result;
        let s = &self.status;
        let short = def.hash().short();
        let title = labels::pick(def, &def.title, def.default_language());
        let mut report = Report::new(
            format!("Results report · {title} · station {}", def.station_id),
            format!(
                "votekiosk results report · station {} · definition {short}",
                def.station_id
            ),
        );
        report.title("Polls closed: results report", 20.0);
        if r.test {
            report.paragraph(
                Face::Bold,
                11.0,
                "TEST BALLOTS ONLY (logic and accuracy testing): these are not election results.",
            );
        } else if r.mode != "closed" {
            report.paragraph(
                Face::Bold,
                11.0,
                &format!(
                    "PROVISIONAL: the station is in {} mode; the polls are not closed.",
                    r.mode
                ),
            );
        } else {
            report.paragraph(Face::Regular, 9.5, "Printed after the polls closed.");
        }
        report.heading("Election");
        election_rows(&mut report, def);
        report.heading("Station");
        report.row(
            "Signing key",
            self.key_fingerprint
                .as_deref()
                .unwrap_or("no signing key yet (stations get one with signed exports)"),
            if self.key_fingerprint.is_some() {
                Face::Mono
            } else {
                Face::Regular
            },
        );
        report.row("Mode", &r.mode, Face::Bold);
        let stamp_or = |t: &Option<String>, none: &str| {
            t.as_deref()
                .map(|t| local_stamp(def, t))
                .unwrap_or_else(|| none.to_string())
        };
        report.row(
            "Polls opened at",
            &stamp_or(&s.opened_at, "not opened"),
            Face::Regular,
        );
        report.row(
            "Polls closed at",
            &stamp_or(&s.closed_at, "not closed"),
            Face::Regular,
        );
        report.row("Printed at", &local_time(def, self.printed_at), Face::Regular);

        report.heading(if r.test {
            "Turnout (test ballots)"
        } else {
            "Turnout"
        });
        report.figure(
            if r.test {
                "Test ballots cast"
            } else {
                "Ballots cast"
            },
            &r.turnout.ballots.to_string(),
        );
        let t = &r.turnout;
        report.row(
            "Voter codes",
            &format!(
                "{} issued, {} used, {} revoked, {} unused",
                t.codes_issued, t.codes_used, t.codes_revoked, t.codes_unused
            ),
            Face::Regular,
        );

        for contest in &r.contests {
            contest_section(&mut report, def, contest);
        }

        report.heading("Audit log");
        chain_rows(&mut report, &self.chain);
        report.signatures(
            "We closed the polls, printed this report from the station, and checked that the definition hash above matches the one published for this election.",
        );
        report.finish("votekiosk results report")
    }
}

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

/// `part` of `whole` as a percentage with one decimal ("-" for 0 of 0).
fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "-".into();
    }
    let tenths = (u128::from(part) * 1000 + u128::from(whole) / 2) / u128::from(whole);
    format!("{}.{}%", tenths / 10, tenths % 10)
}

const BAR_LEFT: f32 = LEFT + 64.0;
const BAR_RIGHT: f32 = RIGHT - 38.0;

impl Report {
    /// One line of a contest: name, a bar drawn as a filled rectangle
    /// (`part / whole` of the bar column), the count and its percentage.
    fn bar(&mut self, name: &str, part: u64, whole: u64, bold: bool) {
        let size = 9.5;
        self.need(line_height(size) + 1.5);
        self.y += line_height(size) + 1.5;
        let base = self.y - 0.25 * size / pdf::PT_PER_MM - 0.5;
        let face = if bold { Face::Bold } else { Face::Regular };
        let name = pdf::fit(face, size, name, BAR_LEFT - LEFT - 3.0);
        let sheet = self.sheet();
        sheet.text(LEFT, base, face, size, Align::Left, &name);
        // The track, then the bar.
        let top = base - 3.2;
        sheet.fill(BAR_LEFT, top, BAR_RIGHT - BAR_LEFT, 3.6, 0.9);
        if whole > 0 && part > 0 {
            let w = (BAR_RIGHT - BAR_LEFT) * (part.min(whole) as f32 / whole as f32);
            sheet.fill(BAR_LEFT, top, w.max(0.4), 3.6, 0.0);
        }
        sheet.text(RIGHT - 16.0, base, face, size, Align::Right, &part.to_string());
        sheet.text(
            RIGHT,
            base,
            Face::Regular,
            size,
            Align::Right,
            &percent(part, whole),
        );
    }

    /// A line of small print under a contest.
    fn note(&mut self, text: &str) {
        for line in pdf::wrap(Face::Regular, 8.5, text, RIGHT - LEFT) {
            self.need(line_height(8.5));
            self.y += line_height(8.5);
            let y = self.y - 0.25 * 8.5 / pdf::PT_PER_MM;
            self.sheet().text(LEFT, y, Face::Regular, 8.5, Align::Left, &line);
        }
    }

    /// A bold outcome line ("Elected: ...").
    fn outcome(&mut self, text: &str) {
        self.y += 1.5;
        self.paragraph(Face::Bold, 10.0, text);
    }
}

/// Heading, bars and outcome of one contest.
fn contest_section(report: &mut Report, def: &ElectionDefinition, result: &ContestResult) {
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
