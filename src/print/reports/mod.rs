//! The officials' A4 reports: the polls-opened zero report and the
//! polls-closed results report (on `tabulate::ElectionResult`). The station
//! gathers one [`StationSnapshot`] (`Station::report_snapshot`) that both
//! reports show the same way; turning a report into PDF bytes (`to_pdf`)
//! does no I/O. Reports are in English; election, contest and candidate
//! names are in the election's first language.
//!
//! The zero report prints the station's two public keys in full, the
//! signing key and the closing key, as hex and as one QR code
//! ([`station_keys_payload`]) that the office reads into its trusted-keys
//! file (`votekiosk office trust add`). The results report prints the result
//! file's Merkle root and SHA-256 ([`ResultIdentity`]) once it is exported,
//! so that anyone can compare them with a published file and its
//! `verify.html`.
//!
//! Both print the software that runs the station: version, source commit
//! and the SHA-256 of the running executable ([`SoftwareIdentity`]).
//!
//! `layout` is the page kit, `contests` the results report's sections.

mod contests;
mod layout;

use chrono::{DateTime, FixedOffset, Utc};

use super::labels;
use super::pdf::Face;
use crate::definition::ElectionDefinition;
use crate::error::Result;
use crate::model::{ChainReport, Mode};
use crate::receipt::KeyFingerprint;
use crate::tabulate::ElectionResult;
use crate::turnout::Turnout;
use layout::Report;

/// A time in the election's own offset (that of its voting window).
fn local_time(definition: &ElectionDefinition, at: DateTime<Utc>) -> String {
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

/// The common head of both reports: election, station, definition.
fn election_rows(report: &mut Report, definition: &ElectionDefinition, station_id: &str) {
    let lang = definition.default_language();
    let title = labels::pick(definition, &definition.title, lang);
    report.row("Election", title, Face::Bold);
    report.row(
        "Election date",
        &definition.date.format("%Y-%m-%d").to_string(),
        Face::Regular,
    );
    report.row("Station", station_id, Face::Regular);
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

/// What both reports show about the station, read once by the station
/// (`Station::report_snapshot`) when the report is printed.
#[derive(Debug, Clone)]
pub struct StationSnapshot {
    pub definition: ElectionDefinition,
    /// The station's id (given at `Station::create`).
    pub station_id: String,
    pub mode: Mode,
    pub opened_at: Option<String>,
    pub closed_at: Option<String>,
    /// Official codes and ballots.
    pub turnout: Turnout,
    pub test_ballots: u64,
    pub chain: ChainReport,
    /// The station's Ed25519 signing key (every station has one).
    pub public_key: [u8; 32],
    /// The station's closing key (X25519), once made (`closing-key init`).
    pub closing_public_key: Option<[u8; 32]>,
    pub printed_at: DateTime<Utc>,
    /// The ballot cards of the report's kind (test cards in test mode),
    /// when the election prints them.
    pub cards: Option<CardsSnapshot>,
    /// The program that printed the report (`export::software()`).
    pub software: SoftwareIdentity,
}

/// The running program, as both reports print it (VVSG 2.0 software
/// identification): the station fills it from `export::software()`, and
/// the printed SHA-256 is that of the executable file it runs from, so an
/// official compares it with `sha256sum` of the installed binary and with
/// the published hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoftwareIdentity {
    /// `votekiosk 0.1.0`.
    pub version: String,
    /// 40 hex digits, or `unknown`.
    pub commit: String,
    /// SHA-256 of the running executable, 64 hex digits.
    pub binary_sha256: String,
    /// The target triple it was built for.
    pub target: String,
}

/// Ballot cards as the results report shows them: counts and the hand
/// count entered after close.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardsSnapshot {
    pub printed: u64,
    pub cast: u64,
    /// Abandoned cards included.
    pub spoiled: u64,
    pub abandoned: u64,
    /// Each box and the cards counted in it by hand, once entered.
    pub hand_count: Option<Vec<(String, u64)>>,
}

impl CardsSnapshot {
    /// The "Ballot cards" section: counts, then the hand count against the
    /// ballots cast (= cards cast); a difference is reported, never adjusted.
    fn section(&self, report: &mut Report) {
        report.heading("Ballot cards");
        report.row("Cards printed", &self.printed.to_string(), Face::Regular);
        report.row("Cards cast", &self.cast.to_string(), Face::Regular);
        report.row(
            "Cards spoiled",
            &format!(
                "{} (of which {} abandoned: printed, never cast nor spoiled)",
                self.spoiled, self.abandoned
            ),
            Face::Regular,
        );
        let Some(boxes) = &self.hand_count else {
            report.row(
                "Hand count",
                "not entered yet: count the cards in each box and enter the numbers at the kiosk",
                Face::Regular,
            );
            return;
        };
        for (box_id, cards) in boxes {
            report.row(
                &format!("Hand count, box {box_id}"),
                &cards.to_string(),
                Face::Regular,
            );
        }
        let total: u64 = boxes.iter().map(|(_, n)| n).sum();
        let difference = i128::from(total) - i128::from(self.cast);
        report.figure("Cards counted by hand", &total.to_string());
        report.row(
            "Hand count - ballots cast",
            &format!("{difference:+}"),
            Face::Bold,
        );
        report.paragraph(
            Face::Bold,
            10.0,
            if difference == 0 {
                "The hand count matches the ballots cast."
            } else {
                "MISMATCH: reported, not adjusted. Record it as an incident; the electronic count is not changed."
            },
        );
    }
}

/// The QR payload of the zero report's keys, read by the office into its
/// trusted-keys file:
/// `VKK2:<station id>:<signing public key, 64 hex>:<closing public key, 64 hex>`.
pub fn station_keys_payload(
    station_id: &str,
    public_key: &[u8; 32],
    closing_public_key: &[u8; 32],
) -> String {
    format!(
        "VKK2:{station_id}:{}:{}",
        hex::encode(public_key),
        hex::encode(closing_public_key)
    )
}

/// What identifies an exported result file, printed on the results report
/// when the station has exported one (the exporter computes both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResultIdentity {
    /// The Merkle root over the file's receipts (its header's `receipts.merkle_root`).
    pub merkle_root: [u8; 32],
    /// SHA-256 of the whole file's bytes.
    pub file_sha256: [u8; 32],
}

impl StationSnapshot {
    /// A report with this station's running header and footer.
    fn report(&self, name: &str) -> Report {
        let def = &self.definition;
        let title = labels::pick(def, &def.title, def.default_language());
        let short = def.hash().short();
        let lower = name.to_lowercase();
        Report::new(
            format!("{name} · {title} · station {}", self.station_id),
            format!(
                "votekiosk {lower} · station {} · definition {short}",
                self.station_id
            ),
        )
    }

    /// The "Election" and "Station" sections, the same on both reports.
    fn head(&self, report: &mut Report) {
        let def = &self.definition;
        report.heading("Election");
        election_rows(report, def, &self.station_id);
        report.heading("Station");
        report.row(
            "Signing key",
            &KeyFingerprint::of(&self.public_key).grouped(),
            Face::Mono,
        );
        report.row(
            "Closing key",
            &self
                .closing_public_key
                .map(|k| KeyFingerprint::of(&k).grouped())
                .unwrap_or_else(|| "no closing key yet".into()),
            Face::Mono,
        );
        report.row("Mode", self.mode.as_str(), Face::Bold);
        let stamp_or = |t: &Option<String>, none: &str| {
            t.as_deref()
                .map(|t| local_stamp(def, t))
                .unwrap_or_else(|| none.to_string())
        };
        report.row(
            "Polls opened at",
            &stamp_or(&self.opened_at, "not opened"),
            Face::Regular,
        );
        report.row(
            "Polls closed at",
            &stamp_or(&self.closed_at, "not closed"),
            Face::Regular,
        );
        report.row("Printed at", &local_time(def, self.printed_at), Face::Regular);
    }

    /// The zero report's "Station keys" section: both public keys in full
    /// and one QR code with both, for the office's trusted-keys file.
    fn keys_section(&self, report: &mut Report) -> Result<()> {
        report.heading("Station keys (for the election office)");
        report.paragraph(
            Face::Regular,
            9.0,
            "The office adds these keys to its trusted-keys file (votekiosk office trust add). \
             A result is trusted only if it is signed by the signing key below; \
             each receipt prints that key's fingerprint.",
        );
        report.row("Signing key (Ed25519)", &hex::encode(self.public_key), Face::Mono);
        report.row(
            "Signing key fingerprint",
            &KeyFingerprint::of(&self.public_key).grouped(),
            Face::Mono,
        );
        match &self.closing_public_key {
            Some(closing) => {
                report.row("Closing key (X25519)", &hex::encode(closing), Face::Mono);
                report.row(
                    "Closing key fingerprint",
                    &KeyFingerprint::of(closing).grouped(),
                    Face::Mono,
                );
                let payload = station_keys_payload(&self.station_id, &self.public_key, closing);
                report.qr(
                    &payload,
                    "Both keys, with the station id, for votekiosk office trust add.",
                )?;
            }
            None => {
                report.row("Closing key (X25519)", "no closing key yet", Face::Regular);
                report.paragraph(
                    Face::Bold,
                    9.0,
                    "No closing key yet: make it (closing-key init) and print this report again. \
                     The office needs both keys.",
                );
            }
        }
        Ok(())
    }

    /// The "Audit log" section and the signature blocks that end a report.
    fn tail(&self, report: &mut Report, statement: &str) {
        let sw = &self.software;
        report.heading("Software");
        report.row(
            "Version",
            &format!("{} ({})", sw.version, sw.target),
            Face::Regular,
        );
        report.row("Source commit", &sw.commit, Face::Mono);
        report.row("Program SHA-256", &sw.binary_sha256, Face::Mono);
        report.paragraph(
            Face::Regular,
            8.5,
            "The SHA-256 of the program file running this station. It must equal the published hash of this release (sha256sum of the installed program).",
        );
        report.heading("Audit log");
        chain_rows(report, &self.chain);
        report.signatures(statement);
    }
}

/// One "Voter codes" row.
fn codes_row(report: &mut Report, t: &Turnout) {
    report.row(
        "Voter codes",
        &format!(
            "{} issued, {} used, {} revoked, {} unused",
            t.codes_issued, t.codes_used, t.codes_revoked, t.codes_unused
        ),
        Face::Regular,
    );
}

/// The polls-opened (zero) report (`Station::zero_report`).
#[derive(Debug, Clone)]
pub struct ZeroReport {
    pub station: StationSnapshot,
}

impl ZeroReport {
    /// The report as PDF bytes.
    pub fn to_pdf(&self) -> Result<Vec<u8>> {
        let s = &self.station;
        let mut report = s.report("Zero report");
        report.title("Polls opened: zero report", 20.0);
        let when = match s.mode {
            Mode::Setup | Mode::Test => "Printed before the polls opened.",
            Mode::Open | Mode::Paused => "Printed after the polls opened.",
            Mode::Closed => "Printed after the polls closed.",
        };
        report.paragraph(Face::Regular, 9.5, when);
        let ballots = s.turnout.ballots;
        if ballots != 0 {
            report.y += 2.0;
            report.paragraph(
                Face::Bold,
                11.0,
                &format!(
                    "WARNING: this station already holds {ballots} official ballots. This is not a zero report."
                ),
            );
        }
        s.head(&mut report);
        report.figure("Official ballots in the station", &ballots.to_string());
        report.row("Test ballots", &s.test_ballots.to_string(), Face::Regular);
        codes_row(&mut report, &s.turnout);
        s.keys_section(&mut report)?;
        s.tail(
            &mut report,
            "We checked that this station holds no official ballot before voting starts, and that the definition hash above matches the one published for this election.",
        );
        report.finish("votekiosk zero report")
    }
}

/// The polls-closed results report (`Station::results_report`): the count
/// the station may show now, after close or of test ballots in test mode.
#[derive(Debug, Clone)]
pub struct ResultsReport {
    pub result: ElectionResult,
    pub station: StationSnapshot,
    /// The exported result file's Merkle root and SHA-256, once exported.
    pub identity: Option<ResultIdentity>,
}

impl ResultsReport {
    /// The report as PDF bytes; as many pages as the contests need.
    pub fn to_pdf(&self) -> Result<Vec<u8>> {
        let s = &self.station;
        let def = &s.definition;
        let r = &self.result;
        let mut report = s.report("Results report");
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
        s.head(&mut report);

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
        codes_row(&mut report, &r.turnout);
        if let Some(cards) = &s.cards {
            cards.section(&mut report);
        }

        for contest in &r.contests {
            contests::contest_section(&mut report, def, contest);
        }

        report.heading("Result file");
        match &self.identity {
            Some(id) => {
                report.row("Merkle root of receipts", &hex::encode(id.merkle_root), Face::Mono);
                report.row("File SHA-256", &hex::encode(id.file_sha256), Face::Mono);
                report.paragraph(
                    Face::Regular,
                    9.0,
                    "A published result file must have this SHA-256, and its verify.html must show this Merkle root.",
                );
            }
            None => report.row(
                "Result file",
                "not exported yet: print this report again after the export to record its Merkle root and SHA-256",
                Face::Regular,
            ),
        }

        s.tail(
            &mut report,
            "We closed the polls, printed this report from the station, and checked that the definition hash above matches the one published for this election.",
        );
        report.finish("votekiosk results report")
    }
}
