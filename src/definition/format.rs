//! The `votekiosk/2` election definition as it appears in JSON.
//!
//! These types only mirror the file; `super::validate` turns them into the
//! domain types. Unknown fields are refused so that a typo in a field name
//! is an error, not a silently ignored setting (and a field a later
//! version adds is refused by this one: it fails closed). Every optional
//! field is an `Option` that is skipped when absent, so that validation can
//! drop the fields equal to their default before the canonical form is
//! hashed.

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
    pub window: WindowDoc,
    pub languages: Vec<LanguageDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_verification_url: Option<String>,
    /// The office's public keys (required).
    pub office: OfficeDoc,
    /// True exactly when the office encryption key is the published test key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub demo: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cards: Option<CardsDoc>,
    pub contests: Vec<ContestDoc>,
}

/// `office`: the public halves of the office's keys.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficeDoc {
    pub encryption: EncryptionKeyDoc,
    pub signing: SigningKeyDoc,
}

/// `office.encryption`: the HPKE key every ballot is sealed to.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncryptionKeyDoc {
    pub suite: String,
    pub public_key: String,
    pub fingerprint: String,
    pub commitment: String,
}

/// `office.signing`: the Ed25519 key that signs merges and trusted keys.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningKeyDoc {
    pub public_key: String,
    pub fingerprint: String,
    pub commitment: String,
}

/// `cards`: the paper ballot cards (issue 14 fills in their look).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardsDoc {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_spoils_per_code: Option<u32>,
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
    /// `candidate`: number of seats (vote for N); `ranked`: seats to fill.
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
    pub rules: Option<RulesDoc>,
}

/// A ranked contest's `rules` in the definition (see `docs/tabulation.md`).
/// A missing field takes its default; validation drops the fields equal to
/// their default before hashing, so stating a default changes nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesDoc {
    /// Eliminate at once every candidate who cannot win (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_elimination: Option<bool>,
    /// `"previous_round_then_draw"` (default) or `"draw"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tie_break: Option<String>,
    /// `"majority"` (default) or `"two_remaining"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<String>,
    /// Ballots from outside the kiosk: `"exhaust"` (default) or `"skip_rank"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overvote: Option<String>,
    /// Ballots from outside the kiosk: absent or null (default, no limit)
    /// or the most consecutive empty ranks a ballot may skip and still go on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped_rank_limit: Option<u32>,
    /// Ballots from outside the kiosk: `"skip_duplicate"` (default) or `"exhaust"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_ranking: Option<String>,
}

impl RulesDoc {
    /// No rule stated: every rule is its default.
    pub fn is_empty(&self) -> bool {
        *self == RulesDoc::default()
    }
}

/// The rules of an instant-runoff count with every field written out, as
/// a result file shows them (`RankedRules::to_doc`). The definition itself
/// states only the rules that differ from their default (`RulesDoc`).
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
