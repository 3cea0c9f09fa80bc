//! The audit at the office, step by step (docs/rla.md, "Commands"):
//! `start` builds a workspace from verified results and the stations'
//! opened audit manifests; `plan` gives each contest's diluted margins
//! and initial sample size; `sample` draws (and escalates); `record` takes
//! the audit board's reading of one pulled card; `status` measures the
//! risk. Each is a pure function from the workspace's parts to its new
//! parts and a report: the CLI reads files and secrets, and writes.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::definition::ElectionDefinition;
use crate::error::{Error, Result};
use crate::seal::card::CardId;

use super::assertion::{Assertion, Cand};
use super::engine;
use super::reading::{self, Choices};
use super::workspace::{
    AssertionDoc, BoxEntry, CardRecord, Confidential, ContestDiscrepancy, ContestPlan, DrawDoc, Found,
    Method, Public, ReadingDoc, ResultRef, SecretReading, FORMAT,
};

/// Arlo's default error inflation for Kaplan–Markov.
pub const GAMMA: f64 = super::risk::GAMMA;
/// The default risk limit, in percent.
pub const DEFAULT_RISK_LIMIT_PERCENT: f64 = 5.0;

/// A verified result, read for the audit.
pub struct AuditedResult {
    pub reference: ResultRef,
    pub definition: ElectionDefinition,
    /// Stations it holds: id → (signing key, records SHA-512 if a station
    /// result, ballots).
    pub stations: BTreeMap<String, StationSide>,
    /// Record id → selections.
    pub records: BTreeMap<String, Choices>,
}

/// What a result says about one station.
pub struct StationSide {
    pub public_key: [u8; 32],
    /// The station result's `records.sha512` (none inside a merge).
    pub records_sha512: Option<[u8; 64]>,
    pub ballots: u64,
    /// A station result's header (its manifest must match it).
    pub header: Option<Box<crate::export::format::ResultHeader>>,
}

/// One station's audit manifest, opened with the office key.
pub struct StationManifest {
    pub file: String,
    pub definition_hash: [u8; 32],
    pub station_id: String,
    pub station_public_key: [u8; 32],
    pub records_sha512: [u8; 64],
    /// (box, cards) from the poll workers' hand count.
    pub boxes: Vec<(String, u64)>,
    pub cards: Vec<(CardId, [u8; 16])>,
    pub spoiled: Vec<CardId>,
}

/// What `rla start` is told.
pub struct StartParams {
    pub seed: String,
    pub risk_limit_percent: f64,
    pub contests: Vec<String>,
    pub created_at: String,
}

/// Checks the seed: exactly 20 decimal digits.
pub fn check_seed(seed: &str) -> Result<()> {
    if seed.len() != 20 || !seed.bytes().all(|b| b.is_ascii_digit()) {
        let shown: String = seed.chars().take(40).collect();
        return Err(Error::RlaBadSeed(format!(
            "{shown:?} has {} characters{}",
            seed.chars().count(),
            if seed.bytes().all(|b| b.is_ascii_digit()) {
                ""
            } else {
                ", not all digits"
            }
        )));
    }
    Ok(())
}

/// Builds a new audit from verified results and opened manifests.
pub fn start(
    results: &[AuditedResult],
    manifests: &[StationManifest],
    params: &StartParams,
) -> Result<(Public, Confidential)> {
    check_seed(&params.seed)?;
    if !(params.risk_limit_percent > 0.0 && params.risk_limit_percent <= 20.0) {
        return Err(Error::InvalidInput(format!(
            "--risk-limit {}: give a percentage above 0 and at most 20 (5 is usual)",
            params.risk_limit_percent
        )));
    }
    let first = results
        .first()
        .ok_or_else(|| Error::InvalidInput("give at least one --result".into()))?;
    let definition = &first.definition;
    let hash = definition.hash().0;
    for r in results {
        if r.definition.hash().0 != hash {
            return Err(Error::InvalidInput(format!(
                "{} is a result of another election (definition hash) than {}",
                r.reference.file, first.reference.file
            )));
        }
    }
    if params.contests.is_empty() {
        return Err(Error::InvalidInput(
            "name the contests to audit: --contest ID (once per contest)".into(),
        ));
    }
    let mut audited = Vec::new();
    for id in &params.contests {
        if definition.contest(id).is_none() {
            let on: Vec<&str> = definition.contests.iter().map(|c| c.id.as_str()).collect();
            return Err(Error::RlaContestNotOnBallot(format!(
                "--contest {id:?} (the ballot's contests are {})",
                on.join(", ")
            )));
        }
        if !audited.contains(id) {
            audited.push(id.clone());
        }
    }
    // Stations and records of every result; a station twice is refused.
    let mut stations: BTreeMap<&str, &StationSide> = BTreeMap::new();
    let mut records: BTreeMap<String, Choices> = BTreeMap::new();
    for r in results {
        for (id, side) in &r.stations {
            if stations.insert(id, side).is_some() {
                return Err(Error::InvalidInput(format!(
                    "station {id} is in two of the results given"
                )));
            }
        }
        for (id, choices) in &r.records {
            if records.insert(id.clone(), choices.clone()).is_some() {
                return Err(Error::InvalidInput(format!(
                    "record {id} is in two of the results given"
                )));
            }
        }
    }
    let (manifest_boxes, mut confidential) = bind_manifests(&stations, &records, manifests, hash)?;
    let cards: u64 = manifest_boxes.iter().map(|b| b.cards).sum();
    let contests = audited
        .iter()
        .map(|id| plan_contest(definition, id, &records, cards))
        .collect::<Result<Vec<_>>>()?;
    let record_count = records.len() as u64;
    // Moved, not copied: the records are the largest thing an audit holds.
    confidential.records = records;
    let public = Public {
        format: FORMAT.into(),
        created_at: params.created_at.clone(),
        definition_hash: hex::encode(hash),
        definition: definition.canonical_json().to_string(),
        results: results.iter().map(|r| r.reference.clone()).collect(),
        seed: params.seed.clone(),
        risk_limit: params.risk_limit_percent / 100.0,
        gamma: GAMMA,
        ballot_manifest: manifest_boxes,
        cards,
        records: record_count,
        contests,
        rounds: Vec::new(),
        draws: Vec::new(),
        readings: Vec::new(),
    };
    Ok((public, confidential))
}

/// Checks that each manifest belongs to a station of the results, and
/// gathers the ballot manifest and the sealed card → record map.
fn bind_manifests(
    stations: &BTreeMap<&str, &StationSide>,
    records: &BTreeMap<String, Choices>,
    manifests: &[StationManifest],
    hash: [u8; 32],
) -> Result<(Vec<BoxEntry>, Confidential)> {
    // The records go in afterwards (moved, by `start`).
    let mut confidential = Confidential::default();
    let mut boxes = Vec::new();
    let mut seen = BTreeSet::new();
    for m in manifests {
        let bad = |why: String| Error::RlaManifestMismatch(format!("{}: {why}", m.file));
        if m.definition_hash != hash {
            return Err(bad(
                "it is a manifest of another election (definition hash)".into()
            ));
        }
        let side = stations
            .get(m.station_id.as_str())
            .ok_or_else(|| bad(format!("station {} is not among the results given", m.station_id)))?;
        if side.public_key != m.station_public_key {
            return Err(bad(format!(
                "it is signed by another key than station {}'s in the results",
                m.station_id
            )));
        }
        if let Some(digest) = side.records_sha512 {
            if digest != m.records_sha512 {
                return Err(bad(format!(
                    "its records digest is not that of station {}'s result (another export?)",
                    m.station_id
                )));
            }
        }
        if !seen.insert(m.station_id.clone()) {
            return Err(bad(format!("a second manifest of station {}", m.station_id)));
        }
        if m.cards.len() as u64 != side.ballots {
            return Err(bad(format!(
                "it maps {} cards, but station {} cast {} ballots",
                m.cards.len(),
                m.station_id,
                side.ballots
            )));
        }
        let hand: u64 = m.boxes.iter().map(|b| b.1).sum();
        if hand < side.ballots {
            return Err(bad(format!(
                "the boxes of station {} hold {hand} cards by hand count, but {} ballots were cast: \
                 find the missing cards first (an audit cannot vouch for records without paper), \
                 or count this station by hand",
                m.station_id, side.ballots
            )));
        }
        for (card, record) in &m.cards {
            let record = hex::encode(record);
            if !records.contains_key(&record) {
                return Err(bad(format!(
                    "it names a record that is not in the results ({record})"
                )));
            }
            let entry = CardRecord {
                station: m.station_id.clone(),
                record,
            };
            if confidential.cards.insert(card.grouped(), entry).is_some() {
                return Err(bad("a card id appears twice".into()));
            }
        }
        for card in &m.spoiled {
            confidential.spoiled.insert(card.grouped());
        }
        for (box_id, cards) in &m.boxes {
            boxes.push(BoxEntry {
                station: m.station_id.clone(),
                box_id: box_id.clone(),
                cards: *cards,
            });
        }
    }
    if let Some(missing) = stations.keys().find(|s| !seen.contains(**s)) {
        return Err(Error::RlaManifestMismatch(format!(
            "station {missing} has no audit manifest among the --manifest files: its cards cannot be \
             matched to records"
        )));
    }
    boxes.sort();
    Ok((boxes, confidential))
}

/// One contest's winners and assertions, with their margins over `cards`.
fn plan_contest(
    definition: &ElectionDefinition,
    id: &str,
    records: &BTreeMap<String, Choices>,
    cards: u64,
) -> Result<ContestPlan> {
    let contest = definition
        .contest(id)
        .ok_or_else(|| Error::RlaContestNotOnBallot(id.to_string()))?;
    let votes: Vec<Vec<Cand>> = records
        .values()
        .map(|s| reading::vote(contest, s.get(id).map(Vec::as_slice).unwrap_or(&[])))
        .collect();
    let kind: &'static str = crate::definition::KindName::from(&contest.kind).into();
    let full = |reason: String, winners: Vec<String>| ContestPlan {
        id: id.to_string(),
        kind: kind.to_string(),
        method: Method::FullHandCount,
        reason: Some(reason),
        winners,
        assertions: Vec::new(),
    };
    let setup = engine::setup(contest, &votes, cards);
    let winners: Vec<String> = setup.winners.iter().map(|w| reading::name(contest, *w)).collect();
    if let Some(reason) = setup.hand_count {
        return Ok(full(reason, winners));
    }
    let docs: Vec<AssertionDoc> = setup
        .assertions
        .iter()
        .map(|(a, margin, text)| AssertionDoc {
            text: text.clone(),
            ..assertion_doc(contest, a, *margin, a.upper_bound())
        })
        .collect();
    if docs.is_empty() {
        return Ok(full("no assertion implies the outcome".into(), winners));
    }
    Ok(ContestPlan {
        id: id.to_string(),
        kind: kind.to_string(),
        method: Method::Comparison,
        reason: None,
        winners,
        assertions: docs,
    })
}

fn assertion_doc(contest: &crate::definition::Contest, a: &Assertion, margin: f64, u: f64) -> AssertionDoc {
    let n = |c: &Cand| reading::name(contest, *c);
    let (kind, winner, loser, fraction, continuing, text) = match a {
        Assertion::Pairwise { winner, loser } => (
            "pairwise",
            n(winner),
            Some(n(loser)),
            None,
            None,
            format!("{} beats {}", n(winner), n(loser)),
        ),
        Assertion::SuperMajority { winner, fraction } => (
            "super_majority",
            n(winner),
            None,
            Some(*fraction),
            None,
            format!("{} has more than {:.4} of the valid votes", n(winner), fraction),
        ),
        Assertion::NotEliminatedBefore { winner, loser } => (
            "not_eliminated_before",
            n(winner),
            Some(n(loser)),
            None,
            None,
            format!("{} cannot be eliminated before {}", n(winner), n(loser)),
        ),
        Assertion::NotEliminatedNext {
            winner,
            loser,
            continuing,
        } => {
            let names: Vec<String> = continuing.iter().map(n).collect();
            (
                "not_eliminated_next",
                n(winner),
                Some(n(loser)),
                None,
                Some(names.clone()),
                format!(
                    "{} beats {} when {} remain",
                    n(winner),
                    n(loser),
                    names.join(", ")
                ),
            )
        }
    };
    AssertionDoc {
        kind: kind.into(),
        winner,
        loser,
        fraction,
        continuing,
        text,
        margin,
        upper_bound: u,
        diluted_margin: margin / u,
    }
}

/// The assertion a document stands for, in `contest`'s indices.
fn assertion_of(contest: &crate::definition::Contest, doc: &AssertionDoc) -> Result<Assertion> {
    let index = |name: &str| -> Result<Cand> {
        let v = reading::vote(contest, &[name.to_string()]);
        match (name, v.first()) {
            ("write-in", _) => Cand::try_from(contest.kind.candidates().len())
                .map_err(|_| Error::RlaWorkspace("too many candidates".into())),
            (_, Some(c)) => Ok(*c),
            _ => Err(Error::RlaWorkspace(format!(
                "{}: assertion names unknown candidate {name:?}",
                contest.id
            ))),
        }
    };
    let loser = || -> Result<Cand> {
        index(
            doc.loser
                .as_deref()
                .ok_or_else(|| Error::RlaWorkspace("an assertion lacks its loser".into()))?,
        )
    };
    Ok(match doc.kind.as_str() {
        "pairwise" => Assertion::Pairwise {
            winner: index(&doc.winner)?,
            loser: loser()?,
        },
        "super_majority" => Assertion::SuperMajority {
            winner: index(&doc.winner)?,
            fraction: doc
                .fraction
                .ok_or_else(|| Error::RlaWorkspace("a super-majority assertion lacks its fraction".into()))?,
        },
        "not_eliminated_before" => Assertion::NotEliminatedBefore {
            winner: index(&doc.winner)?,
            loser: loser()?,
        },
        "not_eliminated_next" => {
            let mut continuing = doc
                .continuing
                .as_deref()
                .unwrap_or(&[])
                .iter()
                .map(|c| index(c))
                .collect::<Result<Vec<_>>>()?;
            continuing.sort_unstable();
            Assertion::NotEliminatedNext {
                winner: index(&doc.winner)?,
                loser: loser()?,
                continuing,
            }
        }
        other => return Err(Error::RlaWorkspace(format!("unknown assertion kind {other:?}"))),
    })
}

// ---------------------------------------------------------------- plan

#[derive(Debug, Clone, Serialize)]
pub struct PlanAssertion {
    pub assertion: String,
    pub margin: f64,
    pub diluted_margin: f64,
    pub sample_size: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanContest {
    pub contest: String,
    pub kind: String,
    pub method: Method,
    pub winners: Vec<String>,
    /// The smallest diluted margin of its assertions.
    pub diluted_margin: Option<f64>,
    pub sample_size: Option<u64>,
    pub note: Option<String>,
    pub assertions: Vec<PlanAssertion>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub risk_limit: f64,
    pub gamma: f64,
    pub cards: u64,
    pub records: u64,
    pub contests: Vec<PlanContest>,
    /// The first round: the largest contest's size (capped at the cards).
    pub sample_size: u64,
    /// Some contest needs every card counted by hand.
    pub full_hand_count: Vec<String>,
}

/// The initial sample size per contest (Kaplan–Markov, no discrepancies expected).
pub fn plan(public: &Public) -> Plan {
    let mut contests = Vec::new();
    let mut size = 0u64;
    let mut full = Vec::new();
    for c in &public.contests {
        let assertions: Vec<PlanAssertion> = c
            .assertions
            .iter()
            .map(|a| PlanAssertion {
                assertion: a.text.clone(),
                margin: a.margin,
                diluted_margin: a.diluted_margin,
                sample_size: engine::initial_sample_size(a.diluted_margin, public.risk_limit, public.gamma)
                    .unwrap_or(u64::MAX),
            })
            .collect();
        let n = assertions.iter().map(|a| a.sample_size).max();
        let (sample_size, note) = match (c.method, n) {
            (Method::Comparison, Some(n)) if n < public.cards => {
                size = size.max(n);
                (Some(n), None)
            }
            (Method::Comparison, _) => {
                full.push(c.id.clone());
                (
                    None,
                    Some("the sample would reach every card: needs a full hand count".to_string()),
                )
            }
            (Method::FullHandCount, _) => {
                full.push(c.id.clone());
                (
                    None,
                    Some(format!(
                        "needs a full hand count: {}",
                        c.reason.as_deref().unwrap_or("no risk-limiting method applies")
                    )),
                )
            }
        };
        contests.push(PlanContest {
            contest: c.id.clone(),
            kind: c.kind.clone(),
            method: c.method,
            winners: c.winners.clone(),
            diluted_margin: c.assertions.iter().map(|a| a.diluted_margin).reduce(f64::min),
            sample_size,
            note,
            assertions,
        });
    }
    Plan {
        risk_limit: public.risk_limit,
        gamma: public.gamma,
        cards: public.cards,
        records: public.records,
        contests,
        sample_size: size.min(public.cards),
        full_hand_count: full,
    }
}

// -------------------------------------------------------------- sample

/// Extends the sample to `size` draws (the first round: the plan's size;
/// later: the status's escalation), the earlier draws kept.
pub fn sample(public: &mut Public, size: Option<u64>) -> Result<()> {
    let current = public.draws.len() as u64;
    let size = match size {
        Some(n) => n,
        None if public.rounds.is_empty() => plan(public).sample_size,
        None => match status(public).next_sample_size {
            Some(n) => n,
            None => {
                return Err(Error::InvalidInput(
                    "no further round to draw: see `rla status` (the audit is complete, a round is \
                     still being read, or it needs a full hand count)"
                        .into(),
                ))
            }
        },
    };
    if size == 0 {
        return Err(Error::InvalidInput("the sample size must be at least 1".into()));
    }
    if size <= current {
        return Err(Error::InvalidInput(format!(
            "the sample already has {current} draws: a new round must be larger (--size N, N > {current})"
        )));
    }
    let manifest: Vec<(String, String, u64)> = public
        .ballot_manifest
        .iter()
        .map(|b| (b.station.clone(), b.box_id.clone(), b.cards))
        .collect();
    let draws = engine::sample(&public.seed, &manifest, size)?;
    for (i, old) in public.draws.iter().enumerate() {
        let new = draws.get(i);
        if new.map(|d| (&d.station, &d.box_id, d.position)) != Some((&old.station, &old.box_id, old.position))
        {
            return Err(Error::RlaWorkspace(
                "the sampler does not give the earlier draws again (another seed or manifest?)".into(),
            ));
        }
    }
    public.draws = draws
        .into_iter()
        .enumerate()
        .map(|(i, d)| DrawDoc {
            draw: i as u64 + 1,
            station: d.station,
            box_id: d.box_id,
            position: d.position,
            ticket: d.ticket,
        })
        .collect();
    public.rounds.push(size);
    Ok(())
}

/// One line of the pull list: a position to pull, and which draws chose it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PullItem {
    pub station: String,
    #[serde(rename = "box")]
    pub box_id: String,
    pub position: u64,
    pub draws: Vec<u64>,
    pub recorded: bool,
}

/// Every position of the sample, sorted by station, box and position.
pub fn pull_list(public: &Public) -> Vec<PullItem> {
    let mut by: BTreeMap<(&str, &str, u64), Vec<u64>> = BTreeMap::new();
    for d in &public.draws {
        by.entry((&d.station, &d.box_id, d.position))
            .or_default()
            .push(d.draw);
    }
    by.into_iter()
        .map(|((station, box_id, position), draws)| PullItem {
            station: station.into(),
            box_id: box_id.into(),
            position,
            recorded: public
                .readings
                .iter()
                .any(|r| r.station == station && r.box_id == box_id && r.position == position),
            draws,
        })
        .collect()
}

// -------------------------------------------------------------- record

/// Where the pulled card was: a draw number, or its position.
pub enum Pulled {
    Draw(u64),
    Position {
        station: String,
        box_id: String,
        position: u64,
    },
}

/// What the board found there.
pub enum Card {
    /// A card, its id read (typed or from its QR), with the board's reading.
    Read {
        card: CardId,
        choices: Choices,
        entered: &'static str,
    },
    /// No card at that position.
    NoCard,
}

#[derive(Debug, Clone, Serialize)]
pub struct Recorded {
    pub station: String,
    #[serde(rename = "box")]
    pub box_id: String,
    pub position: u64,
    pub draws: Vec<u64>,
    pub found: Found,
    pub discrepancies: Vec<ContestDiscrepancy>,
    pub recorded: u64,
    pub positions: u64,
}

/// Records the board's reading of one pulled card.
pub fn record(
    public: &mut Public,
    confidential: &mut Confidential,
    pulled: &Pulled,
    card: Card,
    at: &str,
) -> Result<Recorded> {
    let definition = public.definition()?;
    let (station, box_id, position) = match pulled {
        Pulled::Draw(n) => {
            let d = public.draws.iter().find(|d| d.draw == *n).ok_or_else(|| {
                Error::RlaNotInSample(format!(
                    "draw {n}: the sample has draws 1 to {}; nothing was recorded",
                    public.draws.len()
                ))
            })?;
            (d.station.clone(), d.box_id.clone(), d.position)
        }
        Pulled::Position {
            station,
            box_id,
            position,
        } => (station.clone(), box_id.clone(), *position),
    };
    let draws: Vec<u64> = public
        .draws
        .iter()
        .filter(|d| d.station == station && d.box_id == box_id && d.position == position)
        .map(|d| d.draw)
        .collect();
    if draws.is_empty() {
        return Err(Error::RlaNotInSample(format!(
            "station {station}, box {box_id}, position {position} was not drawn: pull only the \
             positions on the pull list; nothing was recorded"
        )));
    }
    if public
        .readings
        .iter()
        .any(|r| r.station == station && r.box_id == box_id && r.position == position)
    {
        return Err(Error::InvalidInput(format!(
            "station {station}, box {box_id}, position {position} is already recorded; nothing was recorded"
        )));
    }
    let audited: Vec<String> = public.contests.iter().map(|c| c.id.clone()).collect();
    let (found, secret) = match card {
        Card::NoCard => (
            Found::Phantom,
            SecretReading {
                station: station.clone(),
                box_id: box_id.clone(),
                position,
                card: None,
                choices: Choices::new(),
                entered: "no_card".into(),
            },
        ),
        Card::Read {
            card,
            choices,
            entered,
        } => {
            let choices = reading::check_reading(&definition, &choices, &audited)?;
            let grouped = card.grouped();
            if let Some(earlier) = confidential
                .readings
                .iter()
                .find(|r| r.card.as_deref() == Some(&grouped))
            {
                return Err(Error::RlaNotInSample(format!(
                    "card {grouped} was already recorded at station {}, box {}, position {}: a card \
                     is in one place; re-read the card id; nothing was recorded",
                    earlier.station, earlier.box_id, earlier.position
                )));
            }
            let found = match confidential.cards.get(&grouped) {
                Some(entry) if entry.station != station => {
                    return Err(Error::RlaNotInSample(format!(
                        "card {grouped} was cast at another station than {station}, whose box \
                         {box_id} this draw is in: was it pulled from the right box? Re-read the \
                         card id; nothing was recorded"
                    )))
                }
                Some(_) => Found::Matched,
                None => Found::Zombie,
            };
            (
                found,
                SecretReading {
                    station: station.clone(),
                    box_id: box_id.clone(),
                    position,
                    card: Some(grouped),
                    choices,
                    entered: entered.into(),
                },
            )
        }
    };
    let discrepancies = discrepancies(&definition, public, confidential, &secret, found)?;
    public.readings.push(ReadingDoc {
        station: station.clone(),
        box_id: box_id.clone(),
        position,
        found,
        recorded_at: at.into(),
        discrepancies: discrepancies.clone(),
    });
    confidential.readings.push(secret);
    Ok(Recorded {
        station,
        box_id,
        position,
        draws,
        found,
        discrepancies,
        recorded: public.readings.len() as u64,
        positions: pull_list(public).len() as u64,
    })
}

/// Per audited contest and assertion: `ω/u = (A(cvr) − A(paper)) / u`;
/// a phantom or zombie is `1`, the largest overstatement.
fn discrepancies(
    definition: &ElectionDefinition,
    public: &Public,
    confidential: &Confidential,
    secret: &SecretReading,
    found: Found,
) -> Result<Vec<ContestDiscrepancy>> {
    let record = match (found, &secret.card) {
        (Found::Matched, Some(card)) => {
            let entry = confidential
                .cards
                .get(card)
                .ok_or_else(|| Error::RlaWorkspace("a matched card lost its record".into()))?;
            Some(
                confidential
                    .records
                    .get(&entry.record)
                    .ok_or_else(|| Error::RlaWorkspace(format!("record {} is missing", entry.record)))?,
            )
        }
        _ => None,
    };
    let mut out = Vec::new();
    for plan in &public.contests {
        let contest = definition
            .contest(&plan.id)
            .ok_or_else(|| Error::RlaWorkspace(format!("contest {} is not in its definition", plan.id)))?;
        let mut overstatements = Vec::new();
        for doc in &plan.assertions {
            let a = assertion_of(contest, doc)?;
            let w = match record {
                None => 1.0,
                Some(cvr) => {
                    let cvr = reading::vote(contest, cvr.get(&plan.id).map(Vec::as_slice).unwrap_or(&[]));
                    let paper = reading::vote(
                        contest,
                        secret.choices.get(&plan.id).map(Vec::as_slice).unwrap_or(&[]),
                    );
                    (a.assort(Some(&cvr)) - a.assort(Some(&paper))) / a.upper_bound()
                }
            };
            overstatements.push(w);
        }
        let class = overstatements
            .iter()
            .map(|w| engine::class_of(*w))
            .max_by_key(|c| (c.abs(), *c))
            .unwrap_or(0);
        out.push(ContestDiscrepancy {
            contest: plan.id.clone(),
            overstatements,
            class,
        });
    }
    Ok(out)
}

// -------------------------------------------------------------- status

#[derive(Debug, Clone, Serialize)]
pub struct AssertionStatus {
    pub assertion: String,
    pub diluted_margin: f64,
    pub risk: f64,
    pub confirmed: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContestStatus {
    pub contest: String,
    pub method: Method,
    /// The largest risk of its assertions (1 before any reading).
    pub risk: f64,
    pub meets_risk_limit: bool,
    pub overstatements: [u64; 2],
    pub understatements: [u64; 2],
    pub assertions: Vec<AssertionStatus>,
}

/// Where the audit stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// No sample drawn yet.
    NotStarted,
    /// Draws of the current round are not all read.
    InProgress,
    /// Every contest meets the risk limit.
    Complete,
    /// A larger sample is needed.
    Escalate,
    /// The paper must be counted by hand.
    FullHandCount,
}

#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub state: State,
    pub risk_limit: f64,
    pub round: usize,
    pub draws: u64,
    /// Draws whose position is read.
    pub draws_read: u64,
    pub positions: u64,
    pub positions_read: u64,
    pub contests: Vec<ContestStatus>,
    pub next_sample_size: Option<u64>,
    pub full_hand_count: Vec<String>,
    pub message: String,
}

/// Measures the risk per contest and assertion over the draws read, in
/// draw order; decides only once the round is wholly read.
pub fn status(public: &Public) -> Status {
    let reading_at = |d: &DrawDoc| {
        public
            .readings
            .iter()
            .find(|r| r.station == d.station && r.box_id == d.box_id && r.position == d.position)
    };
    // The longest prefix of draws that are read: the risk is measured in
    // draw order (a later draw read first waits for the ones before it).
    let prefix: Vec<&ReadingDoc> = public.draws.iter().map_while(reading_at).collect();
    let draws_read = public.draws.iter().filter(|d| reading_at(d).is_some()).count() as u64;
    let list = pull_list(public);
    let mut contests = Vec::new();
    let mut full = Vec::new();
    let mut next: u64 = 0;
    let mut all_met = true;
    for (ci, plan) in public.contests.iter().enumerate() {
        let mut assertions = Vec::new();
        let mut over = [0u64; 2];
        let mut under = [0u64; 2];
        // Discrepancies per draw read (a card drawn twice counts twice).
        for r in public.draws.iter().filter_map(reading_at) {
            if let Some(d) = r.discrepancies.get(ci) {
                match d.class {
                    1 => over[0] += 1,
                    2 => over[1] += 1,
                    -1 => under[0] += 1,
                    -2 => under[1] += 1,
                    _ => {}
                }
            }
        }
        for (ai, doc) in plan.assertions.iter().enumerate() {
            let omegas: Vec<f64> = prefix
                .iter()
                .map(|r| {
                    r.discrepancies
                        .get(ci)
                        .and_then(|d| d.overstatements.get(ai))
                        .copied()
                        .unwrap_or(1.0)
                })
                .collect();
            let risk = if public.draws.is_empty() {
                1.0
            } else {
                engine::km_p_value(&omegas, doc.diluted_margin, public.gamma)
            };
            let confirmed = risk <= public.risk_limit;
            if !confirmed {
                // Arlo's estimate from the overstatement rates seen so far
                // (docs/rla.md, "Escalation"); none: no sample can confirm.
                let to =
                    engine::escalation_size(&omegas, doc.diluted_margin, public.risk_limit, public.gamma)
                        .map_or(u64::MAX, |n| n.max(prefix.len() as u64 + 1));
                next = next.max(to);
            }
            assertions.push(AssertionStatus {
                assertion: doc.text.clone(),
                diluted_margin: doc.diluted_margin,
                risk,
                confirmed,
            });
        }
        let risk = assertions.iter().map(|a| a.risk).fold(0.0, f64::max);
        let meets = plan.method == Method::Comparison
            && !assertions.is_empty()
            && assertions.iter().all(|a| a.confirmed);
        if plan.method == Method::FullHandCount {
            full.push(plan.id.clone());
        }
        all_met &= meets;
        contests.push(ContestStatus {
            contest: plan.id.clone(),
            method: plan.method,
            risk: if plan.method == Method::Comparison {
                risk
            } else {
                1.0
            },
            meets_risk_limit: meets,
            overstatements: over,
            understatements: under,
            assertions,
        });
    }
    let round_read = draws_read == public.draws.len() as u64;
    let (state, next_sample_size, message) = if public.draws.is_empty() {
        (
            State::NotStarted,
            None,
            "No sample yet: run `votekiosk rla sample`.".to_string(),
        )
    } else if !round_read {
        (
            State::InProgress,
            None,
            format!(
                "Round {} in progress: {} of {} draws read. The audit continues until every draw is read.",
                public.rounds.len(),
                draws_read,
                public.draws.len()
            ),
        )
    } else if all_met && full.is_empty() {
        (
            State::Complete,
            None,
            format!(
                "Audit complete: every contest meets the {}% risk limit.",
                public.risk_limit * 100.0
            ),
        )
    } else if !full.is_empty() && public.contests.iter().all(|c| c.method == Method::FullHandCount) {
        (
            State::FullHandCount,
            None,
            format!("Full hand count needed: {}.", full.join(", ")),
        )
    } else if next >= public.cards || next == u64::MAX {
        let mut unmet: Vec<String> = contests
            .iter()
            .filter(|c| !c.meets_risk_limit)
            .map(|c| c.contest.clone())
            .collect();
        unmet.sort();
        unmet.dedup();
        (
            State::FullHandCount,
            None,
            format!(
                "Full hand count: the risk limit is not met for {} and a larger sample would reach every card.",
                unmet.join(", ")
            ),
        )
    } else if all_met {
        (
            State::FullHandCount,
            None,
            format!(
                "The audited contests meet the risk limit, but {} need(s) a full hand count.",
                full.join(", ")
            ),
        )
    } else {
        (
            State::Escalate,
            Some(next),
            format!(
                "Escalate: the risk limit is not met yet. Draw a larger sample: `votekiosk rla sample` \
                 (to {next} draws)."
            ),
        )
    };
    let full_hand_count = if state == State::FullHandCount && full.is_empty() {
        contests
            .iter()
            .filter(|c| !c.meets_risk_limit)
            .map(|c| c.contest.clone())
            .collect()
    } else {
        full
    };
    Status {
        state,
        risk_limit: public.risk_limit,
        round: public.rounds.len(),
        draws: public.draws.len() as u64,
        draws_read,
        positions: list.len() as u64,
        positions_read: list.iter().filter(|p| p.recorded).count() as u64,
        contests,
        next_sample_size,
        full_hand_count,
        message,
    }
}
