//! `rla start|plan|sample|record|status`: the risk-limiting audit at the
//! office (docs/rla.md). The steps are `votekiosk::rla::workflow`'s; this
//! reads the files and the secrets (trustees' passphrases, then the audit
//! passphrase, from a prompt or standard input), prints, and writes the
//! workspace only once a command has wholly succeeded.

use std::path::{Path, PathBuf};

use serde::Serialize;

use votekiosk::rla::inputs;
use votekiosk::rla::pull_list::pull_list_pdf;
use votekiosk::rla::reading::{self, Choices};
use votekiosk::rla::workflow::{self, Card, Plan, Pulled, Recorded, StartParams, Status};
use votekiosk::rla::workspace::{self, AuditKey, Workspace};
use votekiosk::seal::card::{parse_qr, CardId};
use votekiosk::{Error, Result};

use super::office::{now_stamp, office_key_from_shares};
use super::office_keys::Secrets;
use super::{refuse_existing, Ctx};
use crate::args::{AnchorArgs, RlaCommand};
use crate::output::Outcome;

pub fn run(ctx: &Ctx, command: &RlaCommand) -> Result<Outcome> {
    match command {
        RlaCommand::Start {
            results,
            anchor,
            manifests,
            shares,
            seed,
            risk_limit,
            contests,
            out,
        } => start(
            ctx,
            results,
            anchor,
            manifests,
            shares,
            seed,
            *risk_limit,
            contests,
            out,
        ),
        RlaCommand::Plan { workspace } => plan(ctx, workspace),
        RlaCommand::Sample { workspace, size, pdf } => sample(ctx, workspace, *size, pdf.as_deref()),
        RlaCommand::Record {
            workspace,
            draw,
            station_id: station,
            box_id,
            position,
            card,
            qr,
            confirm_text,
            no_card,
            choices,
        } => {
            let pulled = match (draw, station, box_id, position) {
                (Some(n), ..) => Pulled::Draw(*n),
                (None, Some(s), Some(b), Some(p)) => Pulled::Position {
                    station: s.clone(),
                    box_id: b.clone(),
                    position: *p,
                },
                _ => {
                    return Err(Error::InvalidInput(
                        "say which pulled card: --draw N, or --station-id ID --box BOX --position N".into(),
                    ))
                }
            };
            let given = CardGiven {
                card: card.as_deref(),
                qr: qr.as_deref(),
                confirm_text: *confirm_text,
                no_card: *no_card,
                choices,
            };
            record(ctx, workspace, &pulled, &given)
        }
        RlaCommand::Status { workspace } => status(ctx, workspace),
    }
}

#[derive(Serialize)]
struct Started<'a> {
    out: String,
    cards: u64,
    records: u64,
    boxes: usize,
    contests: Vec<&'a str>,
    seed: &'a str,
    risk_limit: f64,
}

#[allow(clippy::too_many_arguments)]
fn start(
    ctx: &Ctx,
    results: &[PathBuf],
    anchor: &AnchorArgs,
    manifests: &[PathBuf],
    shares: &[PathBuf],
    seed: &str,
    risk_limit: f64,
    contests: &[String],
    out: &Path,
) -> Result<Outcome> {
    // Everything that needs no secret first.
    workflow::check_seed(seed)?;
    refuse_existing(out)?;
    let first = results
        .first()
        .ok_or_else(|| Error::InvalidInput("give at least one --result".into()))?;
    let anchors = super::verify::Anchors::load(anchor, first)?;
    let trusted = match &anchor.trusted_keys {
        Some(path) => Some(super::verify::load_trusted(path, first)?),
        None => None,
    };
    let audited = results
        .iter()
        .map(|r| inputs::read_result(r, &anchors.options(), trusted.as_deref()))
        .collect::<Result<Vec<_>>>()?;
    let definition = &audited[0].definition;
    for id in contests {
        if definition.contest(id).is_none() {
            let on: Vec<&str> = definition.contests.iter().map(|c| c.id.as_str()).collect();
            return Err(Error::RlaContestNotOnBallot(format!(
                "--contest {id:?} (the ballot's contests are {})",
                on.join(", ")
            )));
        }
    }
    // Which key signed each manifest, and the result it must match.
    let mut files = Vec::new();
    for path in manifests {
        let name = path.display().to_string();
        let bytes = votekiosk::export::read_file(path)?;
        let (station, by_office) = inputs::manifest_station(&bytes, &name)?;
        let side = audited
            .iter()
            .find_map(|r| r.stations.get(&station))
            .ok_or_else(|| {
                Error::RlaManifestMismatch(format!(
                    "{name}: station {station} is not among the results given"
                ))
            })?;
        let signer = if by_office {
            definition.office.signing.public_key
        } else {
            side.public_key
        };
        files.push((name, bytes, signer, side.header.as_deref()));
    }
    let office = definition.office.encryption.public_key;
    let pair = office_key_from_shares(shares, &office)?;
    let opened = files
        .iter()
        .map(|(name, bytes, signer, header)| inputs::open_manifest(bytes, name, signer, &pair, *header))
        .collect::<Result<Vec<_>>>()?;
    drop(pair);
    let params = StartParams {
        seed: seed.to_string(),
        risk_limit_percent: risk_limit,
        contests: contests.to_vec(),
        created_at: now_stamp(),
    };
    let (public, confidential) = workflow::start(&audited, &opened, &params)?;
    let passphrase = Secrets::new().ask("New audit passphrase (16+ characters)", true)?;
    let mut rng = rand::rngs::OsRng;
    let key = AuditKey::new(&passphrase, &mut rng)?;
    workspace::create(out, &public, &confidential, &key, &mut rng)?;
    let started = Started {
        out: out.display().to_string(),
        cards: public.cards,
        records: public.records,
        boxes: public.ballot_manifest.len(),
        contests: public.contests.iter().map(|c| c.id.as_str()).collect(),
        seed: &public.seed,
        risk_limit: public.risk_limit,
    };
    ctx.out.emit(&started, || {
        format!(
            "Audit started: {} cards in {} boxes, {} records; contests {}; seed {}; risk limit {}%.\n\
             Wrote {}. Next: votekiosk rla plan {}",
            started.cards,
            started.boxes,
            started.records,
            started.contests.join(", "),
            started.seed,
            started.risk_limit * 100.0,
            started.out,
            started.out
        )
    });
    Ok(Outcome::Done)
}

fn plan(ctx: &Ctx, path: &Path) -> Result<Outcome> {
    let ws = Workspace::read(path)?;
    let plan = workflow::plan(&ws.public);
    ctx.out.emit(&plan, || plan_text(&plan));
    Ok(Outcome::Done)
}

fn percent(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

fn plan_text(plan: &Plan) -> String {
    let mut out = format!(
        "Ballot-comparison audit, Kaplan–Markov, risk limit {}, γ = {}; {} cards, {} records.\n",
        percent(plan.risk_limit),
        plan.gamma,
        plan.cards,
        plan.records
    );
    for c in &plan.contests {
        out.push_str(&format!(
            "\n{} ({}), reported winner(s): {}\n",
            c.contest,
            c.kind,
            c.winners.join(", ")
        ));
        for a in &c.assertions {
            out.push_str(&format!(
                "  {}: diluted margin {}, sample size {}\n",
                a.assertion,
                percent(a.diluted_margin),
                a.sample_size
            ));
        }
        match (&c.sample_size, &c.note) {
            (_, Some(note)) => out.push_str(&format!("  {note}\n")),
            (Some(n), None) => out.push_str(&format!("  initial sample size: {n}\n")),
            _ => {}
        }
    }
    out.push_str(&format!("\nFirst round: {} draws.", plan.sample_size));
    if !plan.full_hand_count.is_empty() {
        out.push_str(&format!(
            "\nNeeds a full hand count: {}.",
            plan.full_hand_count.join(", ")
        ));
    }
    out
}

#[derive(Serialize)]
struct Sampled {
    round: usize,
    draws: u64,
    positions: Vec<workflow::PullItem>,
    pdf: Option<String>,
}

fn audit_passphrase(path: &Path) -> Result<zeroize::Zeroizing<String>> {
    Secrets::new().ask(&format!("Audit passphrase of {}", path.display()), false)
}

fn sample(ctx: &Ctx, path: &Path, size: Option<u64>, pdf: Option<&Path>) -> Result<Outcome> {
    if let Some(pdf) = pdf {
        refuse_existing(pdf)?;
    }
    let ws = Workspace::read(path)?;
    let mut public = ws.public.clone();
    workflow::sample(&mut public, size)?;
    let items = workflow::pull_list(&public);
    let pdf_bytes = pdf.map(|_| pull_list_pdf(&public, &items)).transpose()?;
    let passphrase = audit_passphrase(path)?;
    let (key, confidential) = ws.open(&passphrase)?;
    if let (Some(pdf), Some(bytes)) = (pdf, &pdf_bytes) {
        workspace::replace(pdf, bytes, false)?;
    }
    if let Err(e) = ws.save(&public, &confidential, &key, &mut rand::rngs::OsRng) {
        if let Some(pdf) = pdf {
            let _ = std::fs::remove_file(pdf);
        }
        return Err(e);
    }
    let sampled = Sampled {
        round: public.rounds.len(),
        draws: public.draws.len() as u64,
        positions: items,
        pdf: pdf.map(|p| p.display().to_string()),
    };
    ctx.out.emit(&sampled, || {
        let mut out = format!(
            "Round {}: {} draws, {} positions to pull (sorted by station, box, position):\n",
            sampled.round,
            sampled.draws,
            sampled.positions.len()
        );
        for p in &sampled.positions {
            let draws: Vec<String> = p.draws.iter().map(u64::to_string).collect();
            out.push_str(&format!(
                "  station {}  box {}  position {}  (draw {}){}\n",
                p.station,
                p.box_id,
                p.position,
                draws.join(", "),
                if p.recorded { "  recorded" } else { "" }
            ));
        }
        if let Some(pdf) = &sampled.pdf {
            out.push_str(&format!("Pull list written to {pdf}."));
        }
        out.trim_end().to_string()
    });
    Ok(Outcome::Done)
}

struct CardGiven<'a> {
    card: Option<&'a str>,
    qr: Option<&'a str>,
    confirm_text: bool,
    no_card: bool,
    choices: &'a [String],
}

#[derive(Serialize)]
struct QrShown {
    recorded: bool,
    card_text_to_confirm: Choices,
    message: String,
}

fn record(ctx: &Ctx, path: &Path, pulled: &Pulled, given: &CardGiven<'_>) -> Result<Outcome> {
    let ws = Workspace::read(path)?;
    let definition = ws.public.definition()?;
    let audited: Vec<String> = ws.public.contests.iter().map(|c| c.id.clone()).collect();
    let card = match (given.no_card, given.card, given.qr) {
        (true, None, None) => {
            if !given.choices.is_empty() {
                return Err(Error::InvalidInput(
                    "--no-card takes no --choice: there is no card to read".into(),
                ));
            }
            Card::NoCard
        }
        (false, Some(text), None) => Card::Read {
            card: CardId::parse(text)?,
            choices: reading::parse_reading(&definition, given.choices, &audited)?,
            entered: "typed",
        },
        (false, None, Some(qr)) => {
            let (card, ballot) = parse_qr(&definition, qr.trim())?;
            let from_qr: Choices = ballot.selections();
            if !given.confirm_text {
                // Show what the QR says; the board compares it with the printed text.
                let shown = QrShown {
                    recorded: false,
                    card_text_to_confirm: from_qr.clone(),
                    message: "Nothing recorded. Read the card's printed text: if it says exactly this, run \
                              again with --confirm-text; if it differs, the printed text is the record of \
                              truth: type the card id and the reading (--card, --choice) and report the \
                              difference as an incident."
                        .into(),
                };
                ctx.out.emit(&shown, || {
                    let mut out = String::from("The card's QR says:\n");
                    for (contest, choices) in &shown.card_text_to_confirm {
                        out.push_str(&format!("  {contest}: {}\n", show_choices(choices)));
                    }
                    out.push_str(&shown.message);
                    out
                });
                return Ok(Outcome::AnsweredNo);
            }
            if !given.choices.is_empty() {
                let typed = reading::parse_reading(&definition, given.choices, &[])?;
                let differs = typed.iter().any(|(c, v)| from_qr.get(c) != Some(v));
                if differs {
                    return Err(Error::InvalidInput(
                        "the typed reading and the card's QR differ: the printed text is the record of \
                         truth; record it with --card and --choice, and report the difference as an \
                         incident; nothing was recorded"
                            .into(),
                    ));
                }
            }
            Card::Read {
                card,
                choices: from_qr,
                entered: "qr",
            }
        }
        _ => return Err(Error::InvalidInput(
            "say what was found: --card CARD-ID (typed), --qr TEXT --confirm-text (scanned), or --no-card"
                .into(),
        )),
    };
    let passphrase = audit_passphrase(path)?;
    let (key, mut confidential) = ws.open(&passphrase)?;
    let mut public = ws.public.clone();
    let recorded = workflow::record(&mut public, &mut confidential, pulled, card, &now_stamp())?;
    ws.save(&public, &confidential, &key, &mut rand::rngs::OsRng)?;
    ctx.out.emit(&recorded, || recorded_text(&recorded));
    Ok(Outcome::Done)
}

fn show_choices(choices: &[String]) -> String {
    if choices.is_empty() {
        "no selection".into()
    } else {
        choices.join(", ")
    }
}

fn recorded_text(r: &Recorded) -> String {
    let found = match r.found {
        workspace::Found::Matched => "card matched to its record",
        workspace::Found::Phantom => "no card: a phantom, counted as the worst case",
        workspace::Found::Zombie => {
            "a card with no record (or a spoiled card): a zombie, counted as the worst case"
        }
    };
    let mut out = format!(
        "Recorded station {}, box {}, position {} ({found}).\n",
        r.station, r.box_id, r.position
    );
    for d in &r.discrepancies {
        let class = match d.class {
            2 => "2-vote overstatement",
            1 => "1-vote overstatement",
            -1 => "1-vote understatement",
            -2 => "2-vote understatement",
            _ => "no discrepancy",
        };
        out.push_str(&format!("  {}: {class}\n", d.contest));
    }
    out.push_str(&format!("{} of {} positions read.", r.recorded, r.positions));
    out
}

fn status(ctx: &Ctx, path: &Path) -> Result<Outcome> {
    let ws = Workspace::read(path)?;
    let status = workflow::status(&ws.public);
    ctx.out.emit(&status, || status_text(&status));
    Ok(Outcome::Done)
}

fn status_text(s: &Status) -> String {
    let mut out = format!(
        "Round {}: {} of {} draws read ({} of {} positions); risk limit {}.\n",
        s.round,
        s.draws_read,
        s.draws,
        s.positions_read,
        s.positions,
        percent(s.risk_limit)
    );
    for c in &s.contests {
        out.push_str(&format!(
            "\n{}: risk {}{}; overstatements 1-vote {}, 2-vote {}; understatements 1-vote {}, 2-vote {}\n",
            c.contest,
            percent(c.risk),
            if c.meets_risk_limit {
                " (meets the risk limit)"
            } else {
                ""
            },
            c.overstatements[0],
            c.overstatements[1],
            c.understatements[0],
            c.understatements[1]
        ));
        for a in &c.assertions {
            out.push_str(&format!(
                "  {}: risk {}{}\n",
                a.assertion,
                percent(a.risk),
                if a.confirmed { ", confirmed" } else { "" }
            ));
        }
    }
    out.push('\n');
    out.push_str(&s.message);
    out
}
