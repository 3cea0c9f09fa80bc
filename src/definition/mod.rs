//! Election definitions (`votekiosk/1`): parse the JSON, validate it into
//! domain types, and compute its canonical hash.
//!
//! A definition is accepted whole or not at all: every problem found is
//! reported with the JSON path of the field at fault, e.g.
//! `contests[2].candidates[0].id: duplicate id "alice"`.

pub mod format;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::Read;
use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use sha2::{Digest, Sha256};

use crate::canonical::to_canonical_string;
use crate::error::{Error, Result};
use format::{CandidateDoc, ContestDoc, DefinitionDoc, TextDoc};

/// The only definition format this version reads.
pub const FORMAT: &str = "votekiosk/1";
/// Definitions larger than this are refused before parsing.
pub const MAX_DEFINITION_BYTES: u64 = 1024 * 1024;
const MAX_TEXT_CHARS: usize = 1000;
const MAX_CONTESTS: usize = 200;
const MAX_CANDIDATES: usize = 200;
const MAX_LANGUAGES: usize = 30;

/// One problem found in a definition, at a JSON path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub path: String,
    pub message: String,
}

/// Every problem found in a definition. Never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionError {
    pub issues: Vec<Issue>,
}

impl DefinitionError {
    fn one(path: impl Into<String>, message: impl Into<String>) -> Self {
        DefinitionError {
            issues: vec![Issue {
                path: path.into(),
                message: message.into(),
            }],
        }
    }
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, issue) in self.issues.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", issue.path, issue.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for DefinitionError {}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// Whether tallies may be shown while the polls are open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultsVisibility {
    AfterClose,
    Live,
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

#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TieBreak {
    /// Fewest votes in the most recent earlier round where the tied
    /// candidates differ; a seeded draw if they never differ.
    PreviousRoundThenDraw,
    /// A seeded draw straight away.
    Draw,
}

/// When an instant runoff stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopRule {
    /// As soon as a candidate has more than half of the continuing ballots.
    Majority,
    /// Only when two candidates remain (the winner is the same; the
    /// published rounds go on to the final pair).
    TwoRemaining,
}

/// What a rank marked for several candidates does (ballots from outside
/// the kiosk only: the kiosk refuses such ballots).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OvervoteRule {
    /// The ballot stops counting when it reaches that rank.
    Exhaust,
    /// The rank is passed over; the ballot goes on to the next rank.
    SkipRank,
}

/// What a candidate ranked a second time does (ballots from outside the
/// kiosk only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
            tie_break: match self.tie_break {
                TieBreak::PreviousRoundThenDraw => "previous_round_then_draw",
                TieBreak::Draw => "draw",
            }
            .into(),
            stop: match self.stop {
                StopRule::Majority => "majority",
                StopRule::TwoRemaining => "two_remaining",
            }
            .into(),
            overvote: match self.overvote {
                OvervoteRule::Exhaust => "exhaust",
                OvervoteRule::SkipRank => "skip_rank",
            }
            .into(),
            skipped_rank_limit: self.skipped_rank_limit,
            duplicate_ranking: match self.duplicate_ranking {
                DuplicateRule::SkipDuplicate => "skip_duplicate",
                DuplicateRule::Exhaust => "exhaust",
            }
            .into(),
        }
    }
}

impl ContestKind {
    pub fn name(&self) -> &'static str {
        match self {
            ContestKind::Candidate { .. } => "candidate",
            ContestKind::YesNo { .. } => "yesno",
            ContestKind::Approval { .. } => "approval",
            ContestKind::Ranked { .. } => "ranked",
        }
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
    pub station_id: String,
    pub opens: DateTime<FixedOffset>,
    pub closes: DateTime<FixedOffset>,
    pub languages: Vec<Language>,
    pub results_visibility: ResultsVisibility,
    pub receipt_verification_url: Option<String>,
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
        let de = &mut serde_json::Deserializer::from_slice(json);
        let doc: DefinitionDoc = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let path = if path == "." { "$".to_string() } else { path };
            DefinitionError::one(path, e.into_inner().to_string())
        })?;
        validate(doc)
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

/// Collects issues while walking the document.
struct Checker {
    issues: Vec<Issue>,
    languages: Vec<String>,
}

impl Checker {
    fn fail(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.issues.push(Issue {
            path: path.into(),
            message: message.into(),
        });
    }

    /// Validates a translated text, trimming it in place so that the
    /// canonical form (and the hash) holds the trimmed text.
    fn text(&mut self, path: &str, doc: &mut TextDoc) -> Text {
        for v in doc.values_mut() {
            *v = v.trim().to_string();
        }
        for lang in doc.keys() {
            if !self.languages.contains(lang) {
                self.fail(
                    format!("{path}.{lang}"),
                    format!("language {lang:?} is not declared in languages"),
                );
            }
        }
        for lang in self.languages.clone() {
            match doc.get(&lang) {
                None => self.fail(path, format!("missing translation for {lang:?}")),
                Some(s) => self.plain_text(&format!("{path}.{lang}"), s),
            }
        }
        Text(
            doc.iter()
                .map(|(k, v)| (LangCode(k.clone()), v.trim().to_string()))
                .collect(),
        )
    }

    fn plain_text(&mut self, path: &str, s: &str) {
        if s.trim().is_empty() {
            self.fail(path, "must not be empty");
        } else if s.chars().count() > MAX_TEXT_CHARS {
            self.fail(path, format!("longer than {MAX_TEXT_CHARS} characters"));
        } else if s.chars().any(|c| c.is_control() && c != '\n') {
            self.fail(path, "contains control characters");
        }
    }

    fn id(&mut self, path: &str, id: &str) {
        let ok = (1..=64).contains(&id.len())
            && id.bytes().enumerate().all(|(i, b)| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || (i > 0 && (b == b'-' || b == b'_'))
            });
        if !ok {
            self.fail(path, format!("invalid id {id:?}: use 1-64 lowercase letters, digits, '-' or '_', starting with a letter or digit"));
        }
        if matches!(id, "yes" | "no") || id.starts_with("write-in") {
            self.fail(path, format!("the id {id:?} is reserved"));
        }
    }

    fn candidates(&mut self, path: &str, list: Option<&mut Vec<CandidateDoc>>) -> Vec<Candidate> {
        let path = format!("{path}.candidates");
        let Some(list) = list else {
            self.fail(&path, "required for this kind of contest");
            return Vec::new();
        };
        if list.is_empty() {
            self.fail(&path, "must list at least one candidate");
        }
        if list.len() > MAX_CANDIDATES {
            self.fail(&path, format!("more than {MAX_CANDIDATES} candidates"));
        }
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for (i, c) in list.iter_mut().enumerate() {
            let p = format!("{path}[{i}]");
            self.id(&format!("{p}.id"), &c.id);
            if !seen.insert(c.id.clone()) {
                self.fail(format!("{p}.id"), format!("duplicate id {:?}", c.id));
            }
            let name = self.text(&format!("{p}.name"), &mut c.name);
            let party = c.party.as_mut().map(|t| self.text(&format!("{p}.party"), t));
            out.push(Candidate {
                id: CandidateId(c.id.clone()),
                name,
                party,
            });
        }
        out
    }

    fn forbid<T>(&mut self, path: &str, field: &str, value: &Option<T>, kind: &str) {
        if value.is_some() {
            self.fail(
                format!("{path}.{field}"),
                format!("not allowed in a {kind} contest"),
            );
        }
    }

    /// Reads a ranked contest's rules; every field is already present
    /// (serde fills in the defaults, which the canonical form then shows).
    fn ranked_rules(&mut self, path: &str, doc: &format::RankedRulesDoc) -> RankedRules {
        let mut rules = RankedRules {
            batch_elimination: doc.batch_elimination,
            skipped_rank_limit: doc.skipped_rank_limit,
            ..RankedRules::default()
        };
        let mut one_of = |field: &str, value: &str, allowed: &[&str]| -> Option<usize> {
            let found = allowed.iter().position(|a| *a == value);
            if found.is_none() {
                let list: Vec<String> = allowed.iter().map(|a| format!("{a:?}")).collect();
                self.fail(
                    format!("{path}.rules.{field}"),
                    format!("{value:?} is not one of {}", list.join(", ")),
                );
            }
            found
        };
        match one_of("tie_break", &doc.tie_break, &["previous_round_then_draw", "draw"]) {
            Some(1) => rules.tie_break = TieBreak::Draw,
            _ => rules.tie_break = TieBreak::PreviousRoundThenDraw,
        }
        match one_of("stop", &doc.stop, &["majority", "two_remaining"]) {
            Some(1) => rules.stop = StopRule::TwoRemaining,
            _ => rules.stop = StopRule::Majority,
        }
        match one_of("overvote", &doc.overvote, &["exhaust", "skip_rank"]) {
            Some(1) => rules.overvote = OvervoteRule::SkipRank,
            _ => rules.overvote = OvervoteRule::Exhaust,
        }
        match one_of(
            "duplicate_ranking",
            &doc.duplicate_ranking,
            &["skip_duplicate", "exhaust"],
        ) {
            Some(1) => rules.duplicate_ranking = DuplicateRule::Exhaust,
            _ => rules.duplicate_ranking = DuplicateRule::SkipDuplicate,
        }
        rules
    }

    fn contest(&mut self, path: &str, doc: &mut ContestDoc) -> Option<Contest> {
        self.id(&format!("{path}.id"), &doc.id);
        let title = self.text(&format!("{path}.title"), &mut doc.title);
        let description = doc
            .description
            .as_mut()
            .map(|t| self.text(&format!("{path}.description"), t));
        let kind_name = doc.kind.clone();
        let k = kind_name.as_str();
        let kind = match k {
            "candidate" => {
                for (field, set) in [
                    ("max_approvals", doc.max_approvals.is_some()),
                    ("max_rankings", doc.max_rankings.is_some()),
                    ("threshold", doc.threshold.is_some()),
                    ("yes_label", doc.yes_label.is_some()),
                    ("no_label", doc.no_label.is_some()),
                    ("rules", doc.rules.is_some()),
                ] {
                    self.forbid(path, field, &set.then_some(()), k);
                }
                let candidates = self.candidates(path, doc.candidates.as_mut());
                let seats = *doc.seats.get_or_insert(1);
                let write_ins = *doc.write_ins.get_or_insert(false);
                if seats == 0 {
                    self.fail(format!("{path}.seats"), "must be at least 1");
                } else if !write_ins && seats as usize > candidates.len() {
                    self.fail(
                        format!("{path}.seats"),
                        format!("{seats} seats but only {} candidates", candidates.len()),
                    );
                }
                ContestKind::Candidate {
                    seats,
                    candidates,
                    write_ins,
                }
            }
            "yesno" => {
                for (field, set) in [
                    ("seats", doc.seats.is_some()),
                    ("write_ins", doc.write_ins.is_some()),
                    ("max_approvals", doc.max_approvals.is_some()),
                    ("max_rankings", doc.max_rankings.is_some()),
                    ("candidates", doc.candidates.is_some()),
                    ("rules", doc.rules.is_some()),
                ] {
                    self.forbid(path, field, &set.then_some(()), k);
                }
                let yes_label = doc
                    .yes_label
                    .as_mut()
                    .map(|t| self.text(&format!("{path}.yes_label"), t));
                let no_label = doc
                    .no_label
                    .as_mut()
                    .map(|t| self.text(&format!("{path}.no_label"), t));
                let t = doc.threshold.get_or_insert(format::ThresholdDoc {
                    numerator: 1,
                    denominator: 2,
                });
                let threshold = Threshold {
                    numerator: t.numerator,
                    denominator: t.denominator,
                };
                // 1/2 <= n/d < 1, i.e. d <= 2n and n < d.
                if t.denominator == 0
                    || t.numerator == 0
                    || t.numerator >= t.denominator
                    || t.denominator > 2 * t.numerator
                {
                    self.fail(
                        format!("{path}.threshold"),
                        format!(
                            "{}/{} is not a share from 1/2 up to (not including) 1",
                            t.numerator, t.denominator
                        ),
                    );
                }
                ContestKind::YesNo {
                    yes_label,
                    no_label,
                    threshold,
                }
            }
            "approval" => {
                for (field, set) in [
                    ("seats", doc.seats.is_some()),
                    ("write_ins", doc.write_ins.is_some()),
                    ("max_rankings", doc.max_rankings.is_some()),
                    ("threshold", doc.threshold.is_some()),
                    ("yes_label", doc.yes_label.is_some()),
                    ("no_label", doc.no_label.is_some()),
                    ("rules", doc.rules.is_some()),
                ] {
                    self.forbid(path, field, &set.then_some(()), k);
                }
                let candidates = self.candidates(path, doc.candidates.as_mut());
                if let Some(m) = doc.max_approvals {
                    if m == 0 || m as usize > candidates.len() {
                        self.fail(
                            format!("{path}.max_approvals"),
                            format!(
                                "must be from 1 to the number of candidates ({})",
                                candidates.len()
                            ),
                        );
                    }
                }
                ContestKind::Approval {
                    candidates,
                    max_approvals: doc.max_approvals,
                }
            }
            "ranked" => {
                for (field, set) in [
                    ("seats", doc.seats.is_some()),
                    ("write_ins", doc.write_ins.is_some()),
                    ("max_approvals", doc.max_approvals.is_some()),
                    ("threshold", doc.threshold.is_some()),
                    ("yes_label", doc.yes_label.is_some()),
                    ("no_label", doc.no_label.is_some()),
                ] {
                    self.forbid(path, field, &set.then_some(()), k);
                }
                let candidates = self.candidates(path, doc.candidates.as_mut());
                let max = *doc.max_rankings.get_or_insert(candidates.len() as u32);
                if max == 0 || max as usize > candidates.len() {
                    self.fail(
                        format!("{path}.max_rankings"),
                        format!(
                            "must be from 1 to the number of candidates ({})",
                            candidates.len()
                        ),
                    );
                }
                let rules = self.ranked_rules(path, doc.rules.get_or_insert_with(Default::default));
                ContestKind::Ranked {
                    candidates,
                    max_rankings: max,
                    rules,
                }
            }
            other => {
                self.fail(
                    format!("{path}.kind"),
                    format!("unknown contest kind {other:?}: use candidate, yesno, approval or ranked"),
                );
                return None;
            }
        };
        Some(Contest {
            id: ContestId(doc.id.clone()),
            title,
            description,
            kind,
        })
    }
}

fn parse_time(c: &mut Checker, path: &str, s: &str) -> Option<DateTime<FixedOffset>> {
    match DateTime::parse_from_rfc3339(s) {
        Ok(t) => Some(t),
        Err(_) => {
            c.fail(
                path,
                format!("{s:?} is not an RFC 3339 time with offset, e.g. 2026-11-03T07:00:00-05:00"),
            );
            None
        }
    }
}

fn valid_lang_code(code: &str) -> bool {
    let mut parts = code.split('-');
    let first = parts.next().unwrap_or("");
    (2..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn validate(mut doc: DefinitionDoc) -> Result<ElectionDefinition, DefinitionError> {
    let mut c = Checker {
        issues: Vec::new(),
        languages: Vec::new(),
    };
    if doc.format != FORMAT {
        c.fail(
            "format",
            format!(
                "unsupported format {:?}: this version reads {FORMAT:?}",
                doc.format
            ),
        );
    }

    // Languages first: every text is checked against them.
    if doc.languages.is_empty() {
        c.fail("languages", "declare at least one language");
    }
    if doc.languages.len() > MAX_LANGUAGES {
        c.fail("languages", format!("more than {MAX_LANGUAGES} languages"));
    }
    let mut languages = Vec::new();
    for (i, l) in doc.languages.iter_mut().enumerate() {
        let p = format!("languages[{i}]");
        if !valid_lang_code(&l.code) {
            c.fail(
                format!("{p}.code"),
                format!(
                    "invalid language code {:?}: use a code like \"en\" or \"es-MX\"",
                    l.code
                ),
            );
        }
        if c.languages.contains(&l.code) {
            c.fail(format!("{p}.code"), format!("duplicate language {:?}", l.code));
        }
        c.languages.push(l.code.clone());
        c.plain_text(&format!("{p}.name"), &l.name);
        let direction = match l.direction.get_or_insert_with(|| "ltr".into()).as_str() {
            "ltr" => Direction::Ltr,
            "rtl" => Direction::Rtl,
            other => {
                c.fail(
                    format!("{p}.direction"),
                    format!("{other:?} is not \"ltr\" or \"rtl\""),
                );
                Direction::Ltr
            }
        };
        languages.push(Language {
            code: LangCode(l.code.clone()),
            name: l.name.trim().to_string(),
            direction,
        });
    }

    let title = c.text("title", &mut doc.title);
    // Strictly YYYY-MM-DD: chrono alone would also take 2026-5-2.
    let date = match NaiveDate::parse_from_str(&doc.date, "%Y-%m-%d") {
        Ok(d) if d.format("%Y-%m-%d").to_string() == doc.date => Some(d),
        _ => {
            c.fail("date", format!("{:?} is not a date like 2026-11-03", doc.date));
            None
        }
    };
    let station_ok = (1..=64).contains(&doc.station_id.len())
        && doc
            .station_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if !station_ok {
        c.fail(
            "station_id",
            format!(
                "invalid station id {:?}: use 1-64 letters, digits, '.', '_' or '-'",
                doc.station_id
            ),
        );
    }
    let opens = parse_time(&mut c, "window.opens", &doc.window.opens);
    let closes = parse_time(&mut c, "window.closes", &doc.window.closes);
    if let (Some(o), Some(cl)) = (opens, closes) {
        if o >= cl {
            c.fail("window.closes", "must be after window.opens");
        }
    }
    let results_visibility = match doc
        .results_visibility
        .get_or_insert_with(|| "after_close".into())
        .as_str()
    {
        "after_close" => ResultsVisibility::AfterClose,
        "live" => ResultsVisibility::Live,
        other => {
            c.fail(
                "results_visibility",
                format!("{other:?} is not \"after_close\" or \"live\""),
            );
            ResultsVisibility::AfterClose
        }
    };
    if let Some(url) = &doc.receipt_verification_url {
        let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
        if !scheme_ok
            || url.contains('#')
            || url.len() > 500
            || url.chars().any(|ch| ch.is_whitespace() || ch.is_control())
        {
            c.fail(
                "receipt_verification_url",
                "must be an http(s) URL without spaces or a #fragment (the receipt goes in the fragment)",
            );
        }
    }

    if doc.contests.is_empty() {
        c.fail("contests", "list at least one contest");
    }
    if doc.contests.len() > MAX_CONTESTS {
        c.fail("contests", format!("more than {MAX_CONTESTS} contests"));
    }
    let mut contests = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, contest) in doc.contests.iter_mut().enumerate() {
        let p = format!("contests[{i}]");
        if !seen.insert(contest.id.clone()) {
            c.fail(format!("{p}.id"), format!("duplicate id {:?}", contest.id));
        }
        if let Some(k) = c.contest(&p, contest) {
            contests.push(k);
        }
    }

    if !c.issues.is_empty() {
        return Err(DefinitionError { issues: c.issues });
    }
    let (Some(date), Some(opens), Some(closes)) = (date, opens, closes) else {
        unreachable!("issues were recorded for every missing part");
    };
    // Canonical form of the normalised document (defaults made explicit).
    let value = serde_json::to_value(&doc).map_err(|e| DefinitionError::one("$", e.to_string()))?;
    let canonical_json = to_canonical_string(&value);
    let hash = DefinitionHash(Sha256::digest(canonical_json.as_bytes()).into());
    Ok(ElectionDefinition {
        title,
        date,
        station_id: doc.station_id,
        opens,
        closes,
        languages,
        results_visibility,
        receipt_verification_url: doc.receipt_verification_url,
        contests,
        canonical_json,
        hash,
    })
}

#[cfg(test)]
mod tests;
