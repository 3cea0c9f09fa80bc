//! Election definitions (`votekiosk/2`): parse the JSON, validate it into
//! domain types, and compute its canonical hash.
//!
//! A definition is accepted whole or not at all: every problem found is
//! reported with the JSON path of the field at fault, e.g.
//! `contests[2].candidates[0].id: duplicate id "alice"`.
//!
//! `strict` reads the JSON (refusing repeated keys and inexact numbers),
//! `format` mirrors it, `validate` checks it into the domain types of this
//! file and `office` (the office keys, `demo`, `cards`). Each enum's JSON
//! names are one `strum` table, read by validation and written back by
//! `RankedRules::to_doc`. `upgrade` turns a `votekiosk/1` definition into
//! this format: the only place that still reads v1.

pub mod format;
mod office;
mod strict;
pub mod upgrade;
mod validate;
pub mod vx;

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use strum::{EnumDiscriminants, EnumString, IntoStaticStr, VariantNames};

pub use crate::error::{DefinitionError, Issue};
use crate::error::{Error, Result};
use format::DefinitionDoc;
pub use office::{
    fingerprint, Cards, OfficeKey, OfficeKeys, DEMO_SIGNING_COMMITMENT, DEMO_SIGNING_PUBLIC_KEY,
    MAX_SPOILS_PER_CODE, SUITE, TEST_COMMITMENT, TEST_PUBLIC_KEY,
};
pub use strict::MAX_INTEGER;

/// The only definition format this version reads.
pub const FORMAT: &str = "votekiosk/2";
/// The previous format, read only by `upgrade`.
pub const V1_FORMAT: &str = "votekiosk/1";
/// The most seats of a candidate contest with write-ins (each seat is a
/// fixed-size write-in slot in a sealed ballot).
pub const MAX_WRITE_IN_SEATS: u32 = 32;
/// Definitions larger than this are refused before parsing.
pub const MAX_DEFINITION_BYTES: u64 = 1024 * 1024;
const MAX_TEXT_CHARS: usize = 1000;
const MAX_CONTESTS: usize = 200;
const MAX_CANDIDATES: usize = 200;
const MAX_LANGUAGES: usize = 30;

/// SHA-256 of the canonical definition: the election's identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DefinitionHash(pub [u8; 32]);

impl DefinitionHash {
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
    /// The first 16 hex digits, as printed on receipts.
    pub fn short(&self) -> String {
        hex::encode(&self.0[..8])
    }
}

impl fmt::Display for DefinitionHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

string_id!(
    /// A contest's id, unique in its definition.
    ContestId
);
string_id!(
    /// A candidate's id, unique in its contest.
    CandidateId
);
string_id!(
    /// A language code such as `en` or `es-MX`.
    LangCode
);

/// A voter-facing string in every language of the election.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text(BTreeMap<LangCode, String>);

impl Text {
    /// The text in `lang`; every language is present after validation.
    pub fn get(&self, lang: &LangCode) -> &str {
        self.0.get(lang).map(String::as_str).unwrap_or_else(|| {
            // Validation guarantees every language; fall back rather than panic.
            self.0.values().next().map(String::as_str).unwrap_or("")
        })
    }
    pub fn iter(&self) -> impl Iterator<Item = (&LangCode, &str)> {
        self.0.iter().map(|(k, v)| (k, v.as_str()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumString, IntoStaticStr, VariantNames)]
#[strum(serialize_all = "lowercase")]
pub enum Direction {
    Ltr,
    Rtl,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Language {
    pub code: LangCode,
    pub name: String,
    pub direction: Direction,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: CandidateId,
    pub name: Text,
    pub party: Option<Text>,
}

/// The share of yes votes (of yes + no) a measure needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Threshold {
    pub numerator: u32,
    pub denominator: u32,
}

/// A contest's kind with its settings. Its JSON name (`kind`) is
/// `KindName`'s one `strum` table: `candidate`, `yesno`, `approval`, `ranked`.
#[derive(Debug, Clone, PartialEq, Eq, EnumDiscriminants)]
#[strum_discriminants(
    name(KindName),
    derive(EnumString, IntoStaticStr, VariantNames),
    strum(serialize_all = "lowercase")
)]
pub enum ContestKind {
    /// Vote for up to `seats` of the candidates, optionally writing names in.
    Candidate {
        seats: u32,
        candidates: Vec<Candidate>,
        write_ins: bool,
    },
    /// A measure answered yes or no.
    YesNo {
        yes_label: Option<Text>,
        no_label: Option<Text>,
        threshold: Threshold,
    },
    /// Approve any number of candidates, up to `max_approvals` when set.
    Approval {
        candidates: Vec<Candidate>,
        max_approvals: Option<u32>,
    },
    /// Rank up to `max_rankings` candidates; counted by instant runoff
    /// under `rules`.
    Ranked {
        candidates: Vec<Candidate>,
        max_rankings: u32,
        rules: RankedRules,
    },
}

/// How ties for last place in an instant runoff are broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumString, IntoStaticStr, VariantNames)]
#[strum(serialize_all = "snake_case")]
pub enum TieBreak {
    /// Fewest votes in the most recent earlier round where the tied
    /// candidates differ; a seeded draw if they never differ.
    PreviousRoundThenDraw,
    /// A seeded draw straight away.
    Draw,
}

/// When an instant runoff stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumString, IntoStaticStr, VariantNames)]
#[strum(serialize_all = "snake_case")]
pub enum StopRule {
    /// As soon as a candidate has more than half of the continuing ballots.
    Majority,
    /// Only when two candidates remain (the winner is the same; the
    /// published rounds go on to the final pair).
    TwoRemaining,
}

/// What a rank marked for several candidates does (ballots from outside
/// the kiosk only: the kiosk refuses such ballots).
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumString, IntoStaticStr, VariantNames)]
#[strum(serialize_all = "snake_case")]
pub enum OvervoteRule {
    /// The ballot stops counting when it reaches that rank.
    Exhaust,
    /// The rank is passed over; the ballot goes on to the next rank.
    SkipRank,
}

/// What a candidate ranked a second time does (ballots from outside the
/// kiosk only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumString, IntoStaticStr, VariantNames)]
#[strum(serialize_all = "snake_case")]
pub enum DuplicateRule {
    /// The repeated ranking is passed over.
    SkipDuplicate,
    /// The ballot stops counting when it reaches the repeated ranking.
    Exhaust,
}

/// The rule set of one ranked contest, stored in the definition (and so
/// pinned by its hash). Every rule is stated in `docs/tabulation.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RankedRules {
    pub batch_elimination: bool,
    pub tie_break: TieBreak,
    pub stop: StopRule,
    pub overvote: OvervoteRule,
    /// `None`: any number of empty ranks may be skipped.
    pub skipped_rank_limit: Option<u32>,
    pub duplicate_ranking: DuplicateRule,
}

impl Default for RankedRules {
    fn default() -> Self {
        RankedRules {
            batch_elimination: false,
            tie_break: TieBreak::PreviousRoundThenDraw,
            stop: StopRule::Majority,
            overvote: OvervoteRule::Exhaust,
            skipped_rank_limit: None,
            duplicate_ranking: DuplicateRule::SkipDuplicate,
        }
    }
}

impl RankedRules {
    /// The rules in the definition's JSON form (every field written out).
    pub fn to_doc(&self) -> format::RankedRulesDoc {
        format::RankedRulesDoc {
            batch_elimination: self.batch_elimination,
            tie_break: name(self.tie_break),
            stop: name(self.stop),
            overvote: name(self.overvote),
            skipped_rank_limit: self.skipped_rank_limit,
            duplicate_ranking: name(self.duplicate_ranking),
        }
    }
}

/// A definition enum's name in the JSON (the same table `EnumString` reads).
fn name(value: impl Into<&'static str>) -> String {
    value.into().to_string()
}

impl ContestKind {
    /// The kind's JSON name (`"candidate"`, `"yesno"`, ...).
    pub fn name(&self) -> &'static str {
        KindName::from(self).into()
    }
    /// The listed candidates (none for a yes/no measure).
    pub fn candidates(&self) -> &[Candidate] {
        match self {
            ContestKind::Candidate { candidates, .. }
            | ContestKind::Approval { candidates, .. }
            | ContestKind::Ranked { candidates, .. } => candidates,
            ContestKind::YesNo { .. } => &[],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contest {
    pub id: ContestId,
    pub title: Text,
    pub description: Option<Text>,
    pub kind: ContestKind,
}

impl Contest {
    pub fn candidate(&self, id: &str) -> Option<&Candidate> {
        self.kind.candidates().iter().find(|c| c.id.as_str() == id)
    }
}

/// A validated election definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElectionDefinition {
    pub title: Text,
    pub date: NaiveDate,
    pub opens: DateTime<FixedOffset>,
    pub closes: DateTime<FixedOffset>,
    pub languages: Vec<Language>,
    pub receipt_verification_url: Option<String>,
    /// The office's public keys: ballots are sealed to `office.encryption`.
    pub office: OfficeKeys,
    /// The published demo election (sealed to the test key): never official.
    pub demo: bool,
    pub cards: Cards,
    pub contests: Vec<Contest>,
    canonical_json: String,
    hash: DefinitionHash,
}

impl ElectionDefinition {
    /// Parses and validates a definition from JSON bytes.
    pub fn parse(json: &[u8]) -> Result<Self, DefinitionError> {
        if json.len() as u64 > MAX_DEFINITION_BYTES {
            return Err(DefinitionError::one(
                "$",
                format!(
                    "definition is {} bytes, the limit is {MAX_DEFINITION_BYTES}",
                    json.len()
                ),
            ));
        }
        let value = strict::parse(json).map_err(|issues| DefinitionError { issues })?;
        match value.get("format").and_then(serde_json::Value::as_str) {
            Some(V1_FORMAT) => {
                return Err(DefinitionError::one(
                    "format",
                    format!(
                        "this is a {V1_FORMAT} definition, and this version reads {FORMAT}: \
                         convert it with `votekiosk definition upgrade FILE --office office-key.json --out NEW.json` \
                         (it writes a new file and tells you the station id to give `votekiosk init --station-id`)"
                    ),
                ))
            }
            Some(FORMAT) | None => {}
            Some(other) => {
                return Err(DefinitionError::one(
                    "format",
                    format!("unsupported format {other:?}: this version reads {FORMAT:?}"),
                ))
            }
        }
        Self::from_value(value)
    }

    /// Validates a definition already read by `strict::parse`. The fields
    /// v2 removed get their own explanation, reported with every other issue.
    fn from_value(mut value: serde_json::Value) -> Result<Self, DefinitionError> {
        let mut removed = Vec::new();
        if let Some(top) = value.as_object_mut() {
            if top.remove("station_id").is_some() {
                removed.push(Issue {
                    path: "station_id".into(),
                    message: format!(
                        "is not part of a {FORMAT} definition: one definition serves every station, \
                         and each station's id is given when its file is made (`votekiosk init --station-id ID`)"
                    ),
                });
            }
            if top.remove("results_visibility").is_some() {
                removed.push(Issue {
                    path: "results_visibility".into(),
                    message: format!(
                        "is not part of a {FORMAT} definition: results are counted only after the polls close \
                         (ballots are sealed; turnout is always shown)"
                    ),
                });
            }
        }
        let with_removed = |mut e: DefinitionError| {
            let mut issues = removed.clone();
            issues.append(&mut e.issues);
            DefinitionError { issues }
        };
        let doc: DefinitionDoc = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let path = if path == "." { "$".to_string() } else { path };
            with_removed(DefinitionError::one(path, e.into_inner().to_string()))
        })?;
        let definition = validate::validate(doc).map_err(with_removed)?;
        if !removed.is_empty() {
            return Err(DefinitionError { issues: removed });
        }
        Ok(definition)
    }

    /// Reads a definition file, refusing oversize files before reading them whole.
    pub fn from_file(path: &Path) -> Result<Self> {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let size = file.metadata().map_err(|e| Error::io(path, e))?.len();
        if size > MAX_DEFINITION_BYTES {
            return Err(Error::TooLarge {
                what: format!("definition {}", path.display()),
                size,
                limit: MAX_DEFINITION_BYTES,
            });
        }
        let mut bytes = Vec::new();
        file.take(MAX_DEFINITION_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(path, e))?;
        // A pipe or a file that grew has no size up front: the same refusal
        // once reading passes the limit.
        if bytes.len() as u64 > MAX_DEFINITION_BYTES {
            return Err(Error::TooLarge {
                what: format!("definition {} (read until past the limit)", path.display()),
                size: bytes.len() as u64,
                limit: MAX_DEFINITION_BYTES,
            });
        }
        Ok(Self::parse(&bytes)?)
    }

    /// The canonical JSON form (see `docs/formats.md`).
    pub fn canonical_json(&self) -> &str {
        &self.canonical_json
    }

    pub fn hash(&self) -> DefinitionHash {
        self.hash
    }

    pub fn default_language(&self) -> &LangCode {
        &self.languages[0].code
    }

    /// The election's language with this code, if it has one.
    pub fn language(&self, code: &str) -> Option<&Language> {
        self.languages.iter().find(|l| l.code.as_str() == code)
    }

    /// The language with this code, or an error that lists the election's
    /// languages. The one lookup of a language an official or voter chose.
    pub fn require_language(&self, code: &str) -> Result<&LangCode> {
        self.language(code).map(|l| &l.code).ok_or_else(|| {
            let known: Vec<&str> = self.languages.iter().map(|l| l.code.as_str()).collect();
            Error::InvalidInput(format!(
                "{code:?} is not a language of this election ({})",
                known.join(", ")
            ))
        })
    }

    /// The language with this code, or the election's default language.
    pub fn language_or_default(&self, code: &str) -> &LangCode {
        self.language(code)
            .map(|l| &l.code)
            .unwrap_or_else(|| self.default_language())
    }

    pub fn contest(&self, id: &str) -> Option<&Contest> {
        self.contests.iter().find(|c| c.id.as_str() == id)
    }

    /// Where `now` stands against the voting window (the day counted in
    /// the window's own time zone), for a warning when the polls open.
    pub fn window_position(&self, now: DateTime<Utc>) -> WindowPosition {
        let today = now.with_timezone(self.opens.offset()).date_naive();
        if now >= self.closes {
            WindowPosition::Ended
        } else if self.opens.date_naive() > today {
            WindowPosition::LaterDay
        } else {
            WindowPosition::Today
        }
    }
}

/// Where a moment stands against the voting window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowPosition {
    /// The window has closed: no official ballot can be cast any more.
    Ended,
    /// The window opens on a later day.
    LaterDay,
    /// The window is open, or opens later today.
    Today,
}

#[cfg(test)]
mod tests;
