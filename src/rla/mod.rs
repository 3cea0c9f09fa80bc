//! Risk-limiting audits (issue 14; docs/rla.md): ballot-comparison audits
//! of the kiosk's cast vote records against the voter-verified cards.

pub mod assertion;
pub mod audit;
pub mod risk;
pub mod sampler;

#[cfg(test)]
mod tests;
