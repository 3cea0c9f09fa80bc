//! Risk-limiting audits (issue 14; docs/rla.md): ballot-comparison audits
//! of the kiosk's cast vote records against the voter-verified cards.
//!
//! - `sampler::sample`: which cards to pull (Rivest's consistent sampler);
//! - `assertion`: SHANGRLA's assertions and assorters;
//! - `risk`: the Kaplan–Markov P-value, sample sizes, escalation;
//! - `raire`: RAIRE's NEB/NEN assertions for an IRV contest
//!   (`raire_assertions`) and their check (`check_coverage`);
//! - `audit::ContestAudit`: one contest's assertions and margins
//!   (`new`/`from_ballots`), its initial sample size (`plan`), its
//!   measured risk and what to do next (`measure`);
//! - `engine`: the workflow's one door to the mathematics; `workflow`: the
//!   office's steps (start, plan, sample, record, status) over the
//!   `workspace` file; `inputs` reads verified results and the stations'
//!   audit manifests; `reading` checks the audit board's readings;
//!   `pull_list` prints the public pull list.

pub mod assertion;
pub mod audit;
pub mod engine;
pub mod inputs;
pub mod pull_list;
pub mod raire;
pub mod reading;
pub mod risk;
pub mod sampler;
pub mod workflow;
pub mod workspace;

#[cfg(test)]
mod tests;
