//! Turnout: voter codes by state and ballots cast, the one count of them
//! that the store reads, the status shows, the tally embeds and the result
//! files carry (`counts` and `result.turnout` in `docs/formats.md`).
//!
//! A leaf module: it depends on nothing in the crate, so every layer can
//! use it.

use serde::{Deserialize, Serialize, Serializer};

/// Voter codes and ballots, official or test (never both together).
/// Its serialised form is part of `votekiosk-result/1`,
/// `votekiosk-merge/1` and `votekiosk-tally/1`: the field names never
/// change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Turnout {
    /// Every code issued: used, revoked or unused.
    pub codes_issued: u64,
    /// Codes a voter cast a ballot with.
    pub codes_used: u64,
    /// Codes an official revoked before they were used.
    pub codes_revoked: u64,
    /// Codes still waiting for a voter.
    pub codes_unused: u64,
    /// Ballots cast (and counted).
    pub ballots: u64,
}

impl Turnout {
    /// The turnout of codes in each state and ballots: codes issued are
    /// the codes in any state.
    pub fn from_states(used: u64, revoked: u64, unused: u64, ballots: u64) -> Turnout {
        Turnout {
            codes_issued: used + revoked + unused,
            codes_used: used,
            codes_revoked: revoked,
            codes_unused: unused,
            ballots,
        }
    }

    /// The rule the numbers obey, stated once: every issued code is used,
    /// revoked or unused (issued = used + revoked + unused), and every
    /// used code cast exactly one ballot (used = ballots). Returns what is
    /// broken, in words; empty when they add up. Safe on any numbers (a
    /// file's may be absurd): the sum cannot overflow.
    pub fn discrepancies(&self) -> Vec<String> {
        let mut out = Vec::new();
        let states =
            u128::from(self.codes_used) + u128::from(self.codes_revoked) + u128::from(self.codes_unused);
        if u128::from(self.codes_issued) != states {
            out.push(format!(
                "codes issued ({}) is not used + revoked + unused ({} + {} + {})",
                self.codes_issued, self.codes_used, self.codes_revoked, self.codes_unused
            ));
        }
        if self.codes_used != self.ballots {
            out.push(format!(
                "{} codes used but {} ballots",
                self.codes_used, self.ballots
            ));
        }
        out
    }

    /// Whether the numbers obey the rule (see `discrepancies`).
    pub fn adds_up(&self) -> bool {
        self.discrepancies().is_empty()
    }

    /// The sum of two stations' turnouts, or `None` if a number overflows.
    pub fn checked_add(self, other: Turnout) -> Option<Turnout> {
        Some(Turnout {
            codes_issued: self.codes_issued.checked_add(other.codes_issued)?,
            codes_used: self.codes_used.checked_add(other.codes_used)?,
            codes_revoked: self.codes_revoked.checked_add(other.codes_revoked)?,
            codes_unused: self.codes_unused.checked_add(other.codes_unused)?,
            ballots: self.ballots.checked_add(other.ballots)?,
        })
    }
}

/// Serialises the codes alone, as `{"issued", "used", "revoked",
/// "unused"}`: the shape the status has in the CLI's `status --json`
/// (`docs/cli.md`) and in the app's status (read by `ui/`), where ballots
/// stand beside the codes. For `#[serde(serialize_with = ...)]`.
pub fn serialize_codes<S: Serializer>(turnout: &Turnout, serializer: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    let mut s = serializer.serialize_struct("Codes", 4)?;
    s.serialize_field("issued", &turnout.codes_issued)?;
    s.serialize_field("used", &turnout.codes_used)?;
    s.serialize_field("revoked", &turnout.codes_revoked)?;
    s.serialize_field("unused", &turnout.codes_unused)?;
    s.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_names_each_broken_part_and_survives_absurd_numbers() {
        let good = Turnout::from_states(5, 1, 4, 5);
        assert_eq!(good.codes_issued, 10);
        assert!(good.adds_up());
        let lost_code = Turnout {
            codes_issued: 11,
            ..good
        };
        assert_eq!(
            lost_code.discrepancies(),
            vec!["codes issued (11) is not used + revoked + unused (5 + 1 + 4)"]
        );
        let extra_ballot = Turnout { ballots: 6, ..good };
        assert_eq!(extra_ballot.discrepancies(), vec!["5 codes used but 6 ballots"]);
        let huge = Turnout {
            codes_issued: u64::MAX,
            codes_used: u64::MAX,
            codes_revoked: u64::MAX,
            codes_unused: u64::MAX,
            ballots: u64::MAX,
        };
        assert_eq!(huge.discrepancies().len(), 1);
        assert_eq!(huge.checked_add(good), None);
        assert_eq!(good.checked_add(good), Some(Turnout::from_states(10, 2, 8, 10)));
    }

    #[test]
    fn the_two_serialised_forms_keep_their_names() {
        let t = Turnout::from_states(3, 1, 2, 3);
        assert_eq!(
            serde_json::to_string(&t).expect("json"),
            r#"{"codes_issued":6,"codes_used":3,"codes_revoked":1,"codes_unused":2,"ballots":3}"#
        );
        let codes = serialize_codes(&t, serde_json::value::Serializer).expect("codes");
        assert_eq!(
            codes,
            serde_json::json!({"issued": 6, "used": 3, "revoked": 1, "unused": 2})
        );
    }
}
