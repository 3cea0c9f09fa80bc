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
