//! RCTab's contest configuration file (`*_config.json`): the output
//! labels, the cast vote record sources, the candidates and the rules.
//! Read as RCTab reads it (strings or numbers for its numeric fields,
//! unknown fields ignored) and checked as RCTab's `ContestConfig.validate`
//! checks it; a rule or value votekiosk does not count is refused up
//! front with an error naming the field, never approximated.

use std::collections::HashSet;
use std::path::Path;

use rust_decimal::Decimal;
use serde_json::Value;

use super::decimal::{self, Rounding, MAX_DECIMAL_PLACES};
use crate::error::{Error, Result};

/// What RCTab calls the undeclared write-in "candidate".
pub const UNDECLARED_WRITE_IN: &str = "Undeclared Write-ins";

/// `rules.overvoteRule`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OvervoteRule {
    /// `alwaysSkipToNextRank`
    AlwaysSkipToNextRank,
    /// `exhaustImmediately`
    ExhaustImmediately,
    /// `exhaustIfMultipleContinuing`
    ExhaustIfMultipleContinuing,
}

/// `rules.tiebreakMode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TiebreakMode {
    /// `random`: Java's `Random(randomSeed)`, as RCTab draws.
    Random,
    /// `stopCountingAndAsk`: counting stops with an error at a tie.
    StopCountingAndAsk,
    /// `previousRoundCountsThenRandom`
    PreviousRoundCountsThenRandom,
    /// `previousRoundCountsThenAsk`: an error if earlier rounds do not decide.
    PreviousRoundCountsThenAsk,
    /// `useCandidateOrder`: earlier in the config wins, later loses.
    UseCandidateOrder,
    /// `generatePermutation`: the candidates sorted, then shuffled with the seed.
    GeneratePermutation,
}

impl TiebreakMode {
    pub fn label(self) -> &'static str {
        match self {
            TiebreakMode::Random => "random",
            TiebreakMode::StopCountingAndAsk => "stopCountingAndAsk",
            TiebreakMode::PreviousRoundCountsThenRandom => "previousRoundCountsThenRandom",
            TiebreakMode::PreviousRoundCountsThenAsk => "previousRoundCountsThenAsk",
            TiebreakMode::UseCandidateOrder => "useCandidateOrder",
            TiebreakMode::GeneratePermutation => "generatePermutation",
        }
    }

    /// Whether the mode draws from the seeded random generator.
    pub fn needs_seed(self) -> bool {
        matches!(
            self,
            TiebreakMode::Random
                | TiebreakMode::PreviousRoundCountsThenRandom
                | TiebreakMode::GeneratePermutation
        )
    }
}

/// `rules.winnerElectionMode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WinnerMode {
    /// `singleWinnerMajority`
    SingleWinnerMajority,
    /// `multiWinnerAllowOnlyOneWinnerPerRound`
    MultiWinnerOnlyOnePerRound,
    /// `multiWinnerAllowMultipleWinnersPerRound`
    MultiWinnerMultiplePerRound,
    /// `bottomsUp`
    BottomsUp,
    /// `bottomsUpUsingPercentageThreshold`
    BottomsUpPercentage,
}

/// One candidate of the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigCandidate {
    pub name: String,
    pub aliases: Vec<String>,
    pub excluded: bool,
}

/// One `cvrFileSources[]` entry (only the `cdf` provider is read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CvrSource {
    pub file_path: String,
    /// The contest's `Name` in the CDF file.
    pub contest_id: String,
    /// A candidate name that stands for an overvote (blank: none).
    pub overvote_label: String,
    /// Undeclared write-ins are allowed when this is set.
    pub undeclared_write_in_label: String,
}

/// The rules, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    pub tiebreak: TiebreakMode,
    pub random_seed: Option<i64>,
    pub overvote: OvervoteRule,
    pub winner_mode: WinnerMode,
    pub number_of_winners: u32,
    /// `multiSeatBottomsUpPercentageThreshold` as a fraction (25 → 0.25).
    pub bottoms_up_percentage: Option<Decimal>,
    pub decimal_places: u32,
    /// `None`: unlimited.
    pub max_skipped_ranks: Option<u32>,
    /// `None`: `max`.
    pub max_rankings: Option<u32>,
    pub non_integer_threshold: bool,
    pub first_round_determines_threshold: bool,
    pub hare_quota: bool,
    pub batch_elimination: bool,
    pub cutoff_elimination: bool,
    pub continue_until_two: bool,
    /// `None`: never stop early.
    pub stop_after_round: Option<u32>,
    pub exhaust_on_duplicate: bool,
}

impl Rules {
    /// Multi-seat counting with surplus transfers (not bottoms-up).
    pub fn uses_surpluses(&self) -> bool {
        self.number_of_winners > 1 && self.winner_mode != WinnerMode::BottomsUp
    }
}

/// A validated RCTab configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct RctabConfig {
    pub contest_name: String,
    pub contest_date: String,
    pub contest_jurisdiction: String,
    pub contest_office: String,
    pub sources: Vec<CvrSource>,
    pub candidates: Vec<ConfigCandidate>,
    pub rules: Rules,
}

impl RctabConfig {
    /// Reads and validates the config file at `path`.
    pub fn from_file(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::FileNotFound(path.display().to_string())
            } else {
                Error::io(path, e)
            }
        })?;
        Self::parse(&bytes, &path.display().to_string())
    }

    /// Parses and validates config JSON; `file` names it in errors.
    pub fn parse(bytes: &[u8], file: &str) -> Result<Self> {
        let root: Value =
            serde_json::from_slice(bytes).map_err(|e| invalid(file, "(file)", format!("not JSON: {e}")))?;
        let r = Reader { file };
        r.object(&root, "(file)")?;
        let out = r.object_field(&root, "outputSettings")?;
        let contest_name = r.string(out, "outputSettings.contestName")?;
        if contest_name.trim().is_empty() {
            return Err(invalid(file, "outputSettings.contestName", "is required"));
        }
        for (key, field) in [
            ("tabulateByBatch", "outputSettings.tabulateByBatch"),
            ("tabulateByPrecinct", "outputSettings.tabulateByPrecinct"),
        ] {
            if r.boolean(out.get(key), field)? {
                return Err(unsupported(
                    file,
                    field,
                    "true",
                    "tabulating by batch or precinct is not done for CDF files (RCTab refuses it too)",
                ));
            }
        }
        let sources = r.sources(&root)?;
        let candidates = r.candidates(&root, &sources)?;
        let rules_value = r.object_field(&root, "rules")?;
        let rules = r.rules(rules_value, &candidates, &sources)?;
        Ok(RctabConfig {
            contest_name,
            contest_date: r.string(out, "outputSettings.contestDate")?,
            contest_jurisdiction: r.string(out, "outputSettings.contestJurisdiction")?,
            contest_office: r.string(out, "outputSettings.contestOffice")?,
            sources,
            candidates,
            rules,
        })
    }

    /// Whether any source allows undeclared write-ins (RCTab then counts
    /// them as one "candidate", eliminated first).
    pub fn undeclared_write_ins(&self) -> bool {
        self.sources
            .iter()
            .any(|s| !s.undeclared_write_in_label.trim().is_empty())
    }

    /// The candidate a name or alias stands for (index into `candidates`).
    pub fn candidate_for(&self, name_or_alias: &str) -> Option<usize> {
        self.candidates
            .iter()
            .position(|c| c.name == name_or_alias || c.aliases.iter().any(|a| a == name_or_alias))
    }
}

fn invalid(file: &str, field: &str, message: impl Into<String>) -> Error {
    Error::RulesInvalid {
        file: file.to_string(),
        field: field.to_string(),
        message: message.into(),
    }
}

fn unsupported(file: &str, field: &str, value: &str, reason: &str) -> Error {
    Error::RulesUnsupported {
        file: file.to_string(),
        field: field.to_string(),
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

struct Reader<'a> {
    file: &'a str,
}

impl Reader<'_> {
    fn object<'v>(&self, v: &'v Value, field: &str) -> Result<&'v serde_json::Map<String, Value>> {
        v.as_object()
            .ok_or_else(|| invalid(self.file, field, "must be a JSON object"))
    }

    fn object_field<'v>(&self, root: &'v Value, key: &str) -> Result<&'v Value> {
        match root.get(key) {
            Some(v) if v.is_object() => Ok(v),
            Some(_) => Err(invalid(self.file, key, "must be a JSON object")),
            None => Err(invalid(self.file, key, "is missing")),
        }
    }

    /// A string field; a number is read as its text (RCTab's Jackson does
    /// that); missing or null is "".
    fn string(&self, obj: &Value, field: &str) -> Result<String> {
        let key = field.rsplit('.').next().unwrap_or(field);
        match obj.get(key) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.trim().to_string()),
            Some(Value::Number(n)) => Ok(n.to_string()),
            Some(_) => Err(invalid(self.file, field, "must be a string")),
        }
    }

    fn boolean(&self, v: Option<&Value>, field: &str) -> Result<bool> {
        match v {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::String(s)) if s == "true" => Ok(true),
            Some(Value::String(s)) if s == "false" || s.is_empty() => Ok(false),
            Some(_) => Err(invalid(self.file, field, "must be true or false")),
        }
    }

    fn integer(&self, obj: &Value, field: &str, min: i64, max: i64, required: bool) -> Result<Option<i64>> {
        let text = self.string(obj, field)?;
        if text.is_empty() {
            if required {
                return Err(invalid(
                    self.file,
                    field,
                    format!("is required: an integer from {min} to {max}"),
                ));
            }
            return Ok(None);
        }
        match text.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(invalid(
                self.file,
                field,
                format!("{text:?} is not an integer from {min} to {max}"),
            )),
        }
    }

    fn sources(&self, root: &Value) -> Result<Vec<CvrSource>> {
        let list = match root.get("cvrFileSources") {
            Some(Value::Array(list)) if !list.is_empty() => list,
            _ => {
                return Err(invalid(
                    self.file,
                    "cvrFileSources",
                    "must list at least one cast vote record file",
                ))
            }
        };
        let mut sources = Vec::new();
        for (i, s) in list.iter().enumerate() {
            let at = |k: &str| format!("cvrFileSources[{i}].{k}");
            self.object(s, &format!("cvrFileSources[{i}]"))?;
            let provider = self.string(s, &at("provider"))?;
            if provider != "cdf" {
                return Err(unsupported(
                    self.file,
                    &at("provider"),
                    &format!("{provider:?}"),
                    "votekiosk reads NIST SP 1500-103 CDF JSON cast vote records only (provider \"cdf\")",
                ));
            }
            let file_path = self.string(s, &at("filePath"))?;
            if file_path.is_empty() {
                return Err(invalid(self.file, &at("filePath"), "is required"));
            }
            let contest_id = self.string(s, &at("contestId"))?;
            if contest_id.is_empty() {
                return Err(invalid(
                    self.file,
                    &at("contestId"),
                    "is required for CDF sources: the contest's Name in the CVR file",
                ));
            }
            if self.boolean(
                s.get("treatBlankAsUndeclaredWriteIn"),
                &at("treatBlankAsUndeclaredWriteIn"),
            )? {
                return Err(invalid(
                    self.file,
                    &at("treatBlankAsUndeclaredWriteIn"),
                    "must not be true for a CDF source",
                ));
            }
            for key in [
                "firstVoteColumnIndex",
                "firstVoteRowIndex",
                "idColumnIndex",
                "precinctColumnIndex",
                "batchColumnIndex",
                "overvoteDelimiter",
                "skippedRankLabel",
            ] {
                if !self.string(s, &at(key))?.is_empty() {
                    return Err(invalid(self.file, &at(key), "must not be set for a CDF source"));
                }
            }
            let overvote_label = self.string(s, &at("overvoteLabel"))?;
            let undeclared_write_in_label = self.string(s, &at("undeclaredWriteInLabel"))?;
            for (key, label) in [
                ("overvoteLabel", &overvote_label),
                ("undeclaredWriteInLabel", &undeclared_write_in_label),
            ] {
                if ["residual surplus", "exhausted", "uncounted"]
                    .iter()
                    .any(|r| r.eq_ignore_ascii_case(label))
                {
                    return Err(invalid(
                        self.file,
                        &at(key),
                        format!("{label:?} is a reserved word"),
                    ));
                }
            }
            if !overvote_label.is_empty() && overvote_label.eq_ignore_ascii_case(&undeclared_write_in_label) {
                return Err(invalid(
                    self.file,
                    &at("undeclaredWriteInLabel"),
                    "must differ from overvoteLabel",
                ));
            }
            sources.push(CvrSource {
                file_path,
                contest_id,
                overvote_label,
                undeclared_write_in_label,
            });
        }
        Ok(sources)
    }

    fn candidates(&self, root: &Value, sources: &[CvrSource]) -> Result<Vec<ConfigCandidate>> {
        let list = match root.get("candidates") {
            Some(Value::Array(list)) => list,
            _ => return Err(invalid(self.file, "candidates", "must be a list of candidates")),
        };
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for (i, c) in list.iter().enumerate() {
            self.object(c, &format!("candidates[{i}]"))?;
            let name = self.string(c, &format!("candidates[{i}].name"))?;
            if name.is_empty() {
                return Err(invalid(
                    self.file,
                    &format!("candidates[{i}].name"),
                    "is required",
                ));
            }
            let aliases: Vec<String> = match c.get("aliases") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(a)) => a
                    .iter()
                    .map(|x| x.as_str().map(|s| s.trim().to_string()))
                    .collect::<Option<_>>()
                    .ok_or_else(|| {
                        invalid(
                            self.file,
                            &format!("candidates[{i}].aliases"),
                            "must be a list of strings",
                        )
                    })?,
                Some(_) => {
                    return Err(invalid(
                        self.file,
                        &format!("candidates[{i}].aliases"),
                        "must be a list of strings",
                    ))
                }
            };
            for n in aliases.iter().chain(std::iter::once(&name)) {
                let reserved = ["residual surplus", "exhausted", "uncounted"]
                    .iter()
                    .any(|r| r.eq_ignore_ascii_case(n))
                    || n == UNDECLARED_WRITE_IN
                    || sources.iter().any(|s| {
                        [&s.overvote_label, &s.undeclared_write_in_label]
                            .iter()
                            .any(|l| !l.is_empty() && l.eq_ignore_ascii_case(n))
                    });
                if reserved {
                    return Err(invalid(
                        self.file,
                        &format!("candidates[{i}]"),
                        format!("{n:?} is reserved and cannot name a candidate"),
                    ));
                }
                if !seen.insert(n.clone()) {
                    return Err(invalid(
                        self.file,
                        &format!("candidates[{i}]"),
                        format!("the name or alias {n:?} is used twice"),
                    ));
                }
            }
            let excluded = self.boolean(c.get("excluded"), &format!("candidates[{i}].excluded"))?;
            out.push(ConfigCandidate {
                name,
                aliases,
                excluded,
            });
        }
        if out.is_empty() {
            return Err(invalid(
                self.file,
                "candidates",
                "must list at least one candidate",
            ));
        }
        if out.iter().all(|c| c.excluded) {
            return Err(invalid(
                self.file,
                "candidates",
                "at least one candidate must not be excluded",
            ));
        }
        Ok(out)
    }

    fn rules(&self, rules: &Value, candidates: &[ConfigCandidate], sources: &[CvrSource]) -> Result<Rules> {
        let file = self.file;
        let tiebreak_text = self.string(rules, "rules.tiebreakMode")?;
        let tiebreak = match tiebreak_text.as_str() {
            "random" => TiebreakMode::Random,
            "stopCountingAndAsk" => TiebreakMode::StopCountingAndAsk,
            "previousRoundCountsThenRandom" => TiebreakMode::PreviousRoundCountsThenRandom,
            "previousRoundCountsThenAsk" => TiebreakMode::PreviousRoundCountsThenAsk,
            "useCandidateOrder" => TiebreakMode::UseCandidateOrder,
            "generatePermutation" => TiebreakMode::GeneratePermutation,
            other => {
                return Err(invalid(
                    file,
                    "rules.tiebreakMode",
                    format!("{other:?} is not an RCTab tie-break mode"),
                ))
            }
        };
        let random_seed = self.integer(
            rules,
            "rules.randomSeed",
            -140_737_488_355_328,
            140_737_488_355_327,
            false,
        )?;
        if tiebreak.needs_seed() && random_seed.is_none() {
            return Err(invalid(
                file,
                "rules.randomSeed",
                format!("is required when tiebreakMode is {:?}", tiebreak.label()),
            ));
        }
        let overvote = match self.string(rules, "rules.overvoteRule")?.as_str() {
            "alwaysSkipToNextRank" => OvervoteRule::AlwaysSkipToNextRank,
            "exhaustImmediately" => OvervoteRule::ExhaustImmediately,
            "exhaustIfMultipleContinuing" => OvervoteRule::ExhaustIfMultipleContinuing,
            other => {
                return Err(invalid(
                    file,
                    "rules.overvoteRule",
                    format!("{other:?} is not an RCTab overvote rule"),
                ))
            }
        };
        if overvote == OvervoteRule::ExhaustIfMultipleContinuing
            && sources.iter().any(|s| !s.overvote_label.is_empty())
        {
            return Err(invalid(
                file,
                "rules.overvoteRule",
                "must be alwaysSkipToNextRank or exhaustImmediately when a source sets overvoteLabel",
            ));
        }
        let mode_text = self.string(rules, "rules.winnerElectionMode")?;
        let winner_mode = match mode_text.as_str() {
            "singleWinnerMajority" => WinnerMode::SingleWinnerMajority,
            "multiWinnerAllowOnlyOneWinnerPerRound" => WinnerMode::MultiWinnerOnlyOnePerRound,
            "multiWinnerAllowMultipleWinnersPerRound" => WinnerMode::MultiWinnerMultiplePerRound,
            "bottomsUp" => WinnerMode::BottomsUp,
            "bottomsUpUsingPercentageThreshold" => WinnerMode::BottomsUpPercentage,
            "multiPassIrv" => {
                return Err(unsupported(
                    file,
                    "rules.winnerElectionMode",
                    "\"multiPassIrv\"",
                    "sequential multi-pass IRV writes one report per seat; count each pass with singleWinnerMajority and the earlier winners excluded",
                ))
            }
            other => return Err(invalid(file, "rules.winnerElectionMode", format!("{other:?} is not an RCTab winner election mode"))),
        };
        let number_of_winners = self
            .integer(rules, "rules.numberOfWinners", 0, i64::from(u32::MAX), true)?
            .unwrap_or(0) as u32;
        let decimal_places = self
            .integer(rules, "rules.decimalPlacesForVoteArithmetic", 1, 20, true)?
            .unwrap_or(4) as u32;
        if decimal_places > MAX_DECIMAL_PLACES {
            return Err(unsupported(
                file,
                "rules.decimalPlacesForVoteArithmetic",
                &decimal_places.to_string(),
                &format!("votekiosk counts exactly with up to {MAX_DECIMAL_PLACES} decimal places"),
            ));
        }
        let max_skipped_ranks = match self.string(rules, "rules.maxSkippedRanksAllowed")?.as_str() {
            s if s.eq_ignore_ascii_case("unlimited") => None,
            s => Some(
                s.parse::<u32>()
                    .ok()
                    .filter(|n| i32::try_from(*n).is_ok())
                    .ok_or_else(|| {
                        invalid(
                            file,
                            "rules.maxSkippedRanksAllowed",
                            format!("{s:?} must be \"unlimited\" or an integer from 0"),
                        )
                    })?,
            ),
        };
        let max_rankings = match self.string(rules, "rules.maxRankingsAllowed")?.as_str() {
            "max" => None,
            s => Some(
                s.parse::<u32>()
                    .ok()
                    .filter(|n| *n >= 1 && i32::try_from(*n).is_ok())
                    .ok_or_else(|| {
                        invalid(
                            file,
                            "rules.maxRankingsAllowed",
                            format!("{s:?} must be \"max\" or an integer from 1"),
                        )
                    })?,
            ),
        };
        let stop_after_round = self
            .integer(
                rules,
                "rules.stopTabulationEarlyAfterRound",
                1,
                i64::from(i32::MAX),
                false,
            )?
            .map(|n| n as u32);
        let minimum = self.string(rules, "rules.minimumVoteThreshold")?;
        if !minimum.is_empty() && decimal::parse(&minimum).map(|d| !d.is_zero()).unwrap_or(true) {
            return Err(unsupported(
                file,
                "rules.minimumVoteThreshold",
                &format!("{minimum:?}"),
                "RCTab 2 no longer applies a minimum vote threshold; set it to 0",
            ));
        }
        let flag = |key: &str| self.boolean(rules.get(key), &format!("rules.{key}"));
        let r = Rules {
            tiebreak,
            random_seed,
            overvote,
            winner_mode,
            number_of_winners,
            bottoms_up_percentage: None,
            decimal_places,
            max_skipped_ranks,
            max_rankings,
            non_integer_threshold: flag("nonIntegerWinningThreshold")?,
            first_round_determines_threshold: flag("doesFirstRoundDetermineThreshold")?,
            hare_quota: flag("hareQuota")?,
            batch_elimination: flag("batchElimination")?,
            cutoff_elimination: flag("cutoffElimination")?,
            continue_until_two: flag("continueUntilTwoCandidatesRemain")?,
            stop_after_round,
            exhaust_on_duplicate: flag("exhaustOnDuplicateCandidate")?,
        };
        let bottoms_up_percentage = self.check_modes(rules, &r, candidates)?;
        Ok(Rules {
            bottoms_up_percentage,
            ..r
        })
    }

    /// RCTab's checks between the winner election mode and the other rules.
    fn check_modes(
        &self,
        rules: &Value,
        r: &Rules,
        _candidates: &[ConfigCandidate],
    ) -> Result<Option<Decimal>> {
        let file = self.file;
        let mode = "rules.winnerElectionMode";
        let mut percentage = None;
        if r.number_of_winners > 0 {
            if r.winner_mode == WinnerMode::BottomsUpPercentage {
                return Err(invalid(
                    file,
                    "rules.numberOfWinners",
                    "must be 0 when winnerElectionMode is bottomsUpUsingPercentageThreshold",
                ));
            }
            if r.number_of_winners > 1 {
                if r.continue_until_two {
                    return Err(invalid(
                        file,
                        "rules.continueUntilTwoCandidatesRemain",
                        "cannot be true in a multi-seat contest",
                    ));
                }
                if r.batch_elimination {
                    return Err(invalid(
                        file,
                        "rules.batchElimination",
                        "cannot be true in a multi-seat contest",
                    ));
                }
                if r.first_round_determines_threshold {
                    return Err(invalid(
                        file,
                        "rules.doesFirstRoundDetermineThreshold",
                        "cannot be true in a multi-seat contest",
                    ));
                }
            } else if r.winner_mode != WinnerMode::SingleWinnerMajority {
                return Err(invalid(
                    file,
                    mode,
                    "must be singleWinnerMajority when numberOfWinners is 1",
                ));
            }
        } else {
            if r.winner_mode != WinnerMode::BottomsUpPercentage {
                return Err(invalid(
                    file,
                    "rules.numberOfWinners",
                    "0 is only allowed with winnerElectionMode bottomsUpUsingPercentageThreshold",
                ));
            }
            let text = self.string(rules, "rules.multiSeatBottomsUpPercentageThreshold")?;
            let value = decimal::parse(&text)
                .filter(|v| *v >= Decimal::ONE && *v <= Decimal::ONE_HUNDRED)
                .ok_or_else(|| {
                    invalid(
                        file,
                        "rules.multiSeatBottomsUpPercentageThreshold",
                        format!("{text:?} must be a number from 1 to 100"),
                    )
                })?;
            let places = text.split('.').nth(1).map(|f| f.len() as u32).unwrap_or(0) + 2;
            percentage = Some(decimal::div(
                value,
                Decimal::ONE_HUNDRED,
                places,
                Rounding::HalfUp,
            )?);
            if r.batch_elimination {
                return Err(invalid(
                    file,
                    "rules.batchElimination",
                    "cannot be true with bottomsUpUsingPercentageThreshold",
                ));
            }
        }
        let multi = matches!(
            r.winner_mode,
            WinnerMode::MultiWinnerOnlyOnePerRound | WinnerMode::MultiWinnerMultiplePerRound
        );
        if !multi && r.non_integer_threshold {
            return Err(invalid(
                file,
                "rules.nonIntegerWinningThreshold",
                "is only allowed with the multiWinner… election modes",
            ));
        }
        if !multi && r.hare_quota {
            return Err(invalid(
                file,
                "rules.hareQuota",
                "is only allowed with the multiWinner… election modes",
            ));
        }
        if r.non_integer_threshold && r.hare_quota {
            return Err(invalid(
                file,
                "rules.hareQuota",
                "cannot be true together with nonIntegerWinningThreshold",
            ));
        }
        Ok(percentage)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(rules: &str) -> String {
        format!(
            r#"{{"outputSettings": {{"contestName": "C"}},
            "cvrFileSources": [{{"filePath": "x.json", "contestId": "C", "provider": "cdf"}}],
            "candidates": [{{"name": "A"}}, {{"name": "B"}}],
            "rules": {{"tiebreakMode": "useCandidateOrder", "overvoteRule": "exhaustImmediately",
              "winnerElectionMode": "singleWinnerMajority", "numberOfWinners": "1",
              "decimalPlacesForVoteArithmetic": "4", "maxSkippedRanksAllowed": "unlimited",
              "maxRankingsAllowed": "max" {rules}}}}}"#
        )
    }

    fn err(rules: &str) -> String {
        RctabConfig::parse(config(rules).as_bytes(), "c.json")
            .expect_err("refused")
            .to_string()
    }

    #[test]
    fn a_plain_config_reads() {
        let c = RctabConfig::parse(config("").as_bytes(), "c.json").expect("valid");
        assert_eq!(c.rules.max_rankings, None);
        assert_eq!(c.rules.max_skipped_ranks, None);
        assert_eq!(c.candidate_for("B"), Some(1));
    }

    #[test]
    fn unsupported_and_invalid_rules_name_their_field() {
        let e = err(r#", "winnerElectionMode": "multiPassIrv""#);
        assert!(
            e.contains("rules.winnerElectionMode") && e.contains("multiPassIrv"),
            "{e}"
        );
        let e = err(r#", "tiebreakMode": "coinFlip""#);
        assert!(e.contains("rules.tiebreakMode"), "{e}");
        let e = err(r#", "tiebreakMode": "random""#);
        assert!(e.contains("rules.randomSeed"), "{e}");
        let e = err(r#", "hareQuota": true"#);
        assert!(e.contains("rules.hareQuota"), "{e}");
        let e = err(r#", "decimalPlacesForVoteArithmetic": "20""#);
        assert!(e.contains("rules.decimalPlacesForVoteArithmetic"), "{e}");
        let e = err(r#", "minimumVoteThreshold": "10""#);
        assert!(e.contains("rules.minimumVoteThreshold"), "{e}");
    }

    #[test]
    fn bottoms_up_percentage_is_a_fraction_with_java_places() {
        let c = RctabConfig::parse(
            config(r#", "winnerElectionMode": "bottomsUpUsingPercentageThreshold", "numberOfWinners": "0", "multiSeatBottomsUpPercentageThreshold": "12.5""#)
                .as_bytes(),
            "c.json",
        )
        .expect("valid");
        assert_eq!(
            c.rules.bottoms_up_percentage.map(decimal::java_string),
            Some("0.125".to_string())
        );
    }
}
