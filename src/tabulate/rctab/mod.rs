//! Ranked-choice counting identical to RCTab (the Ranked Choice Voting
//! Tabulator, BrightSpots/rcv) from NIST SP 1500-103 cast vote records and
//! an RCTab configuration file, producing RCTab's round-by-round summary
//! (URCVT JSON). `votekiosk tabulate --rules` is the command line.
//!
//! - `config`: the RCTab config file, validated; unsupported rules refused;
//! - `cdf`: the NIST CDF JSON reader (also used by the NIST round trip);
//! - `ballots`: CDF records as ballots of a votekiosk definition;
//! - `decimal`: `BigDecimal`-exact vote arithmetic with truncation;
//! - `engine`: RCTab's `Tabulator`, rule for rule;
//! - `report`: the URCVT JSON summary and a text summary;
//! - `java`: Java's `Random`, string order and `HashSet` order.

pub mod ballots;
pub mod cdf;
pub mod config;
pub mod decimal;
pub mod engine;
mod java;
pub mod report;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use cdf::{read_cdf_cvrs, CdfReport};
pub use config::RctabConfig;
pub use engine::Tabulation;

use crate::error::{Error, Result};
use config::{CvrSource, UNDECLARED_WRITE_IN};
use engine::{Rankings, Token, TokenKind};

/// The largest RCTab config file read.
pub const MAX_CONFIG_BYTES: u64 = 16 << 20;

/// A file's bytes, refusing a folder, a missing file or one over `limit`.
pub(crate) fn read_limited(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::FileNotFound(path.display().to_string())
        } else {
            Error::io(path, e)
        }
    })?;
    if !meta.is_file() {
        return Err(Error::InvalidInput(format!(
            "{}: not a file ({what} expected)",
            path.display()
        )));
    }
    if meta.len() > limit {
        return Err(Error::TooLarge {
            what: format!("{what} {}", path.display()),
            size: meta.len(),
            limit,
        });
    }
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

/// The cast vote record files of `config` for a count: `cvrs` if given
/// (each matched to its `cvrFileSources` entry: the only one, or the one
/// whose `filePath` has the same file name), else the config's own
/// `filePath`s, relative to the config file's folder.
pub fn sources_for(
    config: &RctabConfig,
    config_path: &Path,
    cvrs: &[PathBuf],
) -> Result<Vec<(PathBuf, usize)>> {
    if cvrs.is_empty() {
        let base = config_path.parent().unwrap_or(Path::new("."));
        return Ok(config
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| (base.join(&s.file_path), i))
            .collect());
    }
    cvrs.iter()
        .map(|path| {
            if config.sources.len() == 1 {
                return Ok((path.clone(), 0));
            }
            let name = path.file_name();
            config
                .sources
                .iter()
                .position(|s| Path::new(&s.file_path).file_name() == name)
                .map(|i| (path.clone(), i))
                .ok_or_else(|| Error::RulesInvalid {
                    file: config_path.display().to_string(),
                    field: "cvrFileSources".into(),
                    message: format!("no entry's filePath names {}: the config has several sources, so each --cvr file must match one by name", path.display()),
                })
        })
        .collect()
}

/// Reads the config and the CVR files and counts, as RCTab would.
pub fn tabulate_files(config_path: &Path, cvrs: &[PathBuf]) -> Result<(RctabConfig, Tabulation)> {
    let config = RctabConfig::from_file(config_path)?;
    let files = sources_for(&config, config_path, cvrs)?;
    let paths: Vec<&PathBuf> = files.iter().map(|(p, _)| p).collect();
    let reports = read_cdf_cvrs(&paths)?;
    let sources: Vec<usize> = files.iter().map(|(_, s)| *s).collect();
    let tabulation = count(&config, &reports, &sources)?;
    Ok((config, tabulation))
}

/// Counts `reports` (each read under `config.sources[sources[i]]`).
pub fn count(config: &RctabConfig, reports: &[CdfReport], sources: &[usize]) -> Result<Tabulation> {
    let mut tokens: Vec<Token> = Vec::new();
    let mut token_index: HashMap<(String, bool), usize> = HashMap::new();
    let mut records = Vec::new();
    for (report, source) in reports.iter().zip(sources) {
        let source = &config.sources[*source];
        rankings_of(
            config,
            source,
            report,
            &mut tokens,
            &mut token_index,
            &mut records,
        )?;
    }
    if records.is_empty() {
        return Err(Error::TabulationStopped {
            round: 0,
            message: "no cast vote record holds the contest".into(),
        });
    }
    engine::tabulate(config, &tokens, records)
}

fn rankings_of(
    config: &RctabConfig,
    source: &CvrSource,
    report: &CdfReport,
    tokens: &mut Vec<Token>,
    token_index: &mut HashMap<(String, bool), usize>,
    records: &mut Vec<Rankings>,
) -> Result<()> {
    let (election, contest) = report.contest_named(&source.contest_id).ok_or_else(|| Error::CvrOtherElection {
        file: report.source.clone(),
        path: "Election[].Contest[].Name".into(),
        message: format!(
            "no contest is named {:?} (the config's contestId): these records are for another election or contest",
            source.contest_id
        ),
    })?;
    let e = &report.elections[election];
    let c = &e.contests[contest];
    let mut intern = |raw: String, kind: TokenKind| {
        let key = (raw.clone(), kind == TokenKind::Overvote);
        *token_index.entry(key).or_insert_with(|| {
            tokens.push(Token { raw, kind });
            tokens.len() - 1
        })
    };
    for cvr in &report.cvrs {
        if cvr.election != election {
            return Err(Error::CvrOtherElection {
                file: report.source.clone(),
                path: format!("CVR[{}].ElectionId", cvr.index),
                message: format!(
                    "names election {:?}, not {:?} that holds contest {:?}",
                    report.elections[cvr.election].id, e.id, source.contest_id
                ),
            });
        }
        let Some(cc) = cvr.contests.iter().find(|x| x.contest == contest) else {
            continue; // the record does not hold this contest
        };
        let mut marks = Vec::with_capacity(cc.marks.len());
        for (j, mark) in cc.marks.iter().enumerate() {
            let at = format!("CVR[{}] contest {:?} mark {}", cvr.index, c.id, j + 1);
            let rank = mark.rank.ok_or_else(|| Error::CvrInvalid {
                file: report.source.clone(),
                path: format!("{at}: Rank"),
                message: "is missing: every mark of a ranked contest needs a Rank".into(),
            })?;
            let selection = &c.selections[mark.selection];
            let token = if selection.write_in || mark.write_in.is_some() {
                if !config.undeclared_write_ins() {
                    return Err(Error::CvrUnknownCandidate {
                        file: report.source.clone(),
                        path: format!("{at} (ContestSelection {:?})", selection.id),
                        candidate: format!("{UNDECLARED_WRITE_IN} (no cvrFileSources[].undeclaredWriteInLabel allows write-ins)"),
                    });
                }
                intern(UNDECLARED_WRITE_IN.to_string(), TokenKind::WriteIn)
            } else {
                let candidate = selection.candidate.ok_or_else(|| Error::CvrInvalid {
                    file: report.source.clone(),
                    path: format!("{at} (ContestSelection {:?}).CandidateIds", selection.id),
                    message: "names no candidate".into(),
                })?;
                let name = &e.candidates[candidate].name;
                if !source.overvote_label.is_empty() && *name == source.overvote_label {
                    intern(name.clone(), TokenKind::Overvote)
                } else {
                    let c = config
                        .candidate_for(name)
                        .ok_or_else(|| Error::CvrUnknownCandidate {
                            file: report.source.clone(),
                            path: format!("{at} (ContestSelection {:?})", selection.id),
                            candidate: name.clone(),
                        })?;
                    intern(name.clone(), TokenKind::Candidate(c))
                }
            };
            marks.push((rank, token));
        }
        // One per record: RCTab's count follows each record (fractional
        // transfers), so the distinct record is repeated `count` times.
        let rankings = Rankings::from_marks(marks);
        for _ in 1..cvr.count {
            records.push(rankings.clone());
        }
        records.push(rankings);
    }
    Ok(())
}
