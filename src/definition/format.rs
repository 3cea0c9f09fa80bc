//! The `votekiosk/1` election definition as it appears in JSON.
//!
//! These types only mirror the file; `super::validate` turns them into the
//! domain types. Unknown fields are refused so that a typo in a field name
//! is an error, not a silently ignored setting.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A voter-facing string: language code → text, one entry per language.
pub type TextDoc = BTreeMap<String, String>;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefinitionDoc {
    pub format: String,
    pub title: TextDoc,
    pub date: String,
    pub station_id: String,
    pub window: WindowDoc,
    pub languages: Vec<LanguageDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results_visibility: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_verification_url: Option<String>,
    pub contests: Vec<ContestDoc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowDoc {
    pub opens: String,
    pub closes: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageDoc {
    pub code: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContestDoc {
    pub id: String,
    pub kind: String,
    pub title: TextDoc,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<TextDoc>,
    /// `candidate`: number of seats (vote for N).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seats: Option<u32>,
    /// `candidate`: whether voters may write in names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_ins: Option<bool>,
    /// `approval`: the most candidates a voter may approve (absent: any number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_approvals: Option<u32>,
    /// `ranked`: how many candidates a voter may rank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_rankings: Option<u32>,
    /// `yesno`: labels of the two answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yes_label: Option<TextDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_label: Option<TextDoc>,
    /// `yesno`: the share of yes votes (of yes + no) needed to pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<ThresholdDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidates: Option<Vec<CandidateDoc>>,
    /// `ranked`: the tabulation rules (every field has a default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<RankedRulesDoc>,
}

/// The rules of an instant-runoff count (see `docs/tabulation.md`). A
/// missing field takes its default, and validation writes the whole object
/// out before hashing, so the hash pins every rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RankedRulesDoc {
    /// Eliminate at once every candidate who cannot win (default false).
    pub batch_elimination: bool,
    /// `"previous_round_then_draw"` (default) or `"draw"`.
    pub tie_break: String,
    /// `"majority"` (default) or `"two_remaining"`.
    pub stop: String,
    /// Ballots from outside the kiosk: `"exhaust"` (default) or `"skip_rank"`.
    pub overvote: String,
    /// Ballots from outside the kiosk: null (default, no limit) or the most
    /// consecutive empty ranks a ballot may skip and still go on.
    pub skipped_rank_limit: Option<u32>,
    /// Ballots from outside the kiosk: `"skip_duplicate"` (default) or `"exhaust"`.
    pub duplicate_ranking: String,
}

impl Default for RankedRulesDoc {
    fn default() -> Self {
        super::RankedRules::default().to_doc()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdDoc {
    pub numerator: u32,
    pub denominator: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CandidateDoc {
    pub id: String,
    pub name: TextDoc,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<TextDoc>,
}
