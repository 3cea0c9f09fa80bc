//! The result of a count, as a file format: `votekiosk-tally/1` (embedded
//! in the signed result file, `votekiosk-result/1`).
//!
//! These types are what the CLI prints with `tally --json`, what the
//! printed results report shows, and what the signed export embeds, so
//! their field names are stable (documented in `docs/formats.md`, section
//! 9): fields may be added, never renamed or removed. Lists are in a fixed
//! order (candidates in definition order) so the same ballots always give
//! the same bytes.

use serde::{Deserialize, Serialize};

use crate::definition::format::RankedRulesDoc;
use crate::turnout::Turnout;

/// The value of `ElectionResult::format`.
pub const RESULT_FORMAT: &str = "votekiosk-tally/1";

/// Every contest's result, with turnout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElectionResult {
    /// Always `"votekiosk-tally/1"`.
    pub format: String,
    /// The definition hash (64 hex digits).
    pub definition_hash: String,
    pub station_id: String,
    /// The station's mode when this was counted (`test`, `setup`, `open`,
    /// `paused`, `closed`): anything but `closed` is provisional.
    pub mode: String,
    /// Whether these are test ballots (logic and accuracy testing).
    pub test: bool,
    /// Voter codes and ballots (official or test, as `test` says).
    /// Visible to anyone at any time.
    pub turnout: Turnout,
    /// One per contest, in definition order.
    pub contests: Vec<ContestResult>,
}

/// The result of one contest, tagged by its `kind`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum ContestResult {
    #[serde(rename = "candidate")]
    Candidate(CandidateResult),
    #[serde(rename = "yesno")]
    YesNo(YesNoResult),
    #[serde(rename = "approval")]
    Approval(ApprovalResult),
    #[serde(rename = "ranked")]
    Ranked(RankedResult),
}

impl ContestResult {
    /// The contest id.
    pub fn id(&self) -> &str {
        match self {
            ContestResult::Candidate(r) => &r.id,
            ContestResult::YesNo(r) => &r.id,
            ContestResult::Approval(r) => &r.id,
            ContestResult::Ranked(r) => &r.id,
        }
    }

    /// The contest kind, as in the definition.
    pub fn kind(&self) -> &'static str {
        match self {
            ContestResult::Candidate(_) => "candidate",
            ContestResult::YesNo(_) => "yesno",
            ContestResult::Approval(_) => "approval",
            ContestResult::Ranked(_) => "ranked",
        }
    }

    /// Ballots with no mark at all in this contest.
    pub fn blank(&self) -> u64 {
        match self {
            ContestResult::Candidate(r) => r.blank,
            ContestResult::YesNo(r) => r.blank,
            ContestResult::Approval(r) => r.blank,
            ContestResult::Ranked(r) => r.blank,
        }
    }
}

/// A candidate (or the write-in line) and its votes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Votes {
    pub candidate: String,
    pub votes: u64,
}

/// The id that stands for all write-ins together among the winners.
pub const WRITE_IN_LINE: &str = "write-in";

/// Vote for up to `seats`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CandidateResult {
    pub id: String,
    pub seats: u32,
    /// Ballots counted (every ballot cast, blank ones included).
    pub ballots: u64,
    /// Ballots that marked nobody in this contest.
    pub blank: u64,
    /// Unused votes: the sum over ballots of `seats` minus the marks made
    /// (a blank ballot gives `seats` under-votes).
    pub undervotes: u64,
    /// Ballots with more marks than seats. Always 0: the cast refuses them,
    /// and the count checks it.
    pub overvotes: u64,
    /// Every listed candidate, in definition order.
    pub tallies: Vec<Votes>,
    /// Absent when the contest takes no write-ins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_ins: Option<WriteIns>,
    /// Elected outright: candidate ids, or `"write-in"` when the write-in
    /// line as a whole places among them (the names must then be resolved
    /// by hand). Most votes first.
    pub winners: Vec<String>,
    /// Tied for the last seats: never broken by the count.
    pub tied: Vec<String>,
    /// How many seats the `tied` candidates are tied for (0 when none).
    pub tied_seats: u32,
}

/// Write-ins: one line for all of them, then each distinct (normalised) name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WriteIns {
    pub votes: u64,
    /// Most votes first, then by name (bytewise).
    pub names: Vec<WriteInName>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WriteInName {
    pub name: String,
    pub votes: u64,
}

/// A measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YesNoResult {
    pub id: String,
    pub ballots: u64,
    pub blank: u64,
    pub yes: u64,
    pub no: u64,
    /// The share of yes votes (of yes + no) needed.
    pub threshold: ThresholdRecord,
    /// `yes × denominator ≥ numerator × (yes + no)` and `yes > no`.
    pub passed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdRecord {
    pub numerator: u32,
    pub denominator: u32,
}

/// Approval voting: one seat, most approvals wins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalResult {
    pub id: String,
    pub ballots: u64,
    /// Ballots that approved nobody.
    pub blank: u64,
    /// Approvals per candidate, in definition order.
    pub tallies: Vec<Votes>,
    pub winners: Vec<String>,
    pub tied: Vec<String>,
    pub tied_seats: u32,
}

/// Instant runoff, round by round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RankedResult {
    pub id: String,
    pub ballots: u64,
    /// Ballots that ranked nobody: in no round, not counted as exhausted.
    pub blank: u64,
    /// The rules applied, as the definition states them (defaults written out).
    pub rules: RankedRulesDoc,
    pub rounds: Vec<Round>,
    /// `None` only when no ballot counts for anyone in round 1.
    pub winner: Option<String>,
    /// Rounds in which a tie for last place had to be broken.
    pub tie_breaks: u32,
}

/// One round of an instant runoff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Round {
    /// 1, 2, 3, …
    pub round: u32,
    /// Every continuing candidate's votes, in definition order.
    pub tallies: Vec<Votes>,
    /// Ballots counting for a continuing candidate (the sum of `tallies`).
    pub continuing: u64,
    /// Votes needed to win this round: `continuing / 2 + 1` (integer
    /// division), i.e. more than half of the continuing ballots.
    pub threshold: u64,
    /// Ballots that have stopped counting, by the start of this round.
    pub exhausted: u64,
    pub exhausted_by: ExhaustedBy,
    /// The winner, on the last round.
    pub elected: Option<String>,
    /// Candidates eliminated at the end of this round (several under
    /// batch elimination).
    pub eliminated: Vec<String>,
    /// How a tie for last place was broken, if there was one.
    pub tie_break: Option<TieBreakRecord>,
    /// Where each eliminated candidate's ballots went.
    pub transfers: Vec<Transfer>,
}

/// Why ballots stopped counting (cumulative; the sum is `exhausted`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExhaustedBy {
    /// Every candidate ranked is eliminated.
    pub no_more_rankings: u64,
    /// Reached a rank marked for several candidates (`overvote: exhaust`).
    pub overvote: u64,
    /// Reached a rank after too many empty ranks (`skipped_rank_limit`).
    pub skipped_ranks: u64,
    /// Reached a candidate ranked a second time (`duplicate_ranking: exhaust`).
    pub duplicate_ranking: u64,
}

impl ExhaustedBy {
    pub fn total(&self) -> u64 {
        self.no_more_rankings + self.overvote + self.skipped_ranks + self.duplicate_ranking
    }
}

/// The ballots of one eliminated candidate, moved on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    pub from: String,
    /// To each continuing candidate (definition order; only non-zero).
    pub to: Vec<Votes>,
    /// Ballots that stopped counting instead.
    pub exhausted: u64,
}

/// A tie for last place and how it was broken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TieBreakRecord {
    /// The candidates tied for last place (definition order).
    pub tied: Vec<String>,
    /// Those still tied after comparing earlier rounds (the same as `tied`
    /// under the `draw` rule or in round 1); one candidate if the earlier
    /// rounds decided.
    pub after_previous_rounds: Vec<String>,
    /// The seeded draw among those, if one was needed.
    pub draw: Option<Draw>,
}

/// A replayable draw (see `docs/tabulation.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draw {
    /// The seed, 64 hex digits.
    pub seed: String,
    /// The drawn candidates by ascending key: the first is eliminated.
    pub order: Vec<String>,
}
