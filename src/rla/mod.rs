//! Risk-limiting audits (issue 14; docs/rla.md): ballot-comparison audits
//! of the kiosk's cast vote records against the voter-verified cards.
//!
//! - `sampler::sample`: which cards to pull (Rivest's consistent sampler);
//! - `assertion`: SHANGRLA's assertions and assorters;
//! - `risk`: the Kaplan–Markov P-value, sample sizes, escalation;
//! - `audit::ContestAudit`: one contest's assertions and margins
//!   (`new`/`from_ballots`), its initial sample size (`plan`), its
//!   measured risk and what to do next (`measure`).

pub mod assertion;
pub mod audit;
pub mod risk;
pub mod sampler;

#[cfg(test)]
mod tests;
