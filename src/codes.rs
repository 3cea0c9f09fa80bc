//! Voter codes: one-time secrets that let one voter cast one ballot.
//!
//! A code is 12 random Crockford base32 symbols (60 bits) and one Luhn mod 32
//! check symbol, shown as `XXXX-XXXX-XXXX-C`. The check symbol lets the kiosk
//! tell a typo ("check each character") from a code that does not exist.
//! The code-slip QR carries `VKC1:<code>`; `VoterCode::parse` accepts that
//! too, so a keyboard-wedge scanner can type it.
//!
//! Codes are never stored: the station keeps `HMAC-SHA256(code_key, code)`
//! (see `store::codes`). The clear text lives only in `VoterCode`, which is
//! wiped from memory when dropped.

use std::fmt;

use zeroize::Zeroizing;

use crate::crypto::base32;
use crate::error::{Error, Result};

pub const DATA_SYMBOLS: usize = 12;
pub const QR_PREFIX: &str = "VKC1:";

/// A batch of freshly issued codes (`Station::issue_codes`): the only place
/// the clear codes exist, for the official who issued them to print.
#[derive(Debug)]
pub struct IssuedBatch {
    pub batch: i64,
    pub test: bool,
    pub codes: Vec<VoterCode>,
}

/// A voter code in canonical form (13 symbols, no dashes).
#[derive(Clone, PartialEq, Eq)]
pub struct VoterCode(Zeroizing<String>);

impl VoterCode {
    pub fn random(rng: &mut dyn rand::RngCore) -> Self {
        let mut values = Zeroizing::new(base32::random_values(rng, DATA_SYMBOLS));
        let check = base32::luhn_check(&values);
        values.push(check);
        VoterCode(Zeroizing::new(base32::encode_values(&values)))
    }

    /// Parses a typed or scanned code: any case, dashes and spaces ignored,
    /// `O`/`I`/`L` read as `0`/`1`, optionally prefixed by `VKC1:`.
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        if text.len() > 64 {
            return Err(Error::CodeMalformed);
        }
        let body = match text.get(..QR_PREFIX.len()) {
            Some(p) if p.eq_ignore_ascii_case(QR_PREFIX) => &text[QR_PREFIX.len()..],
            _ => text,
        };
        let values = Zeroizing::new(base32::decode_lenient(body).ok_or(Error::CodeMalformed)?);
        if values.len() != DATA_SYMBOLS + 1 {
            return Err(Error::CodeMalformed);
        }
        if base32::luhn_check(&values[..DATA_SYMBOLS]) != values[DATA_SYMBOLS] {
            return Err(Error::CodeTypo);
        }
        Ok(VoterCode(Zeroizing::new(base32::encode_values(&values))))
    }

    /// The 13 canonical symbols, as fed to the HMAC.
    pub fn canonical(&self) -> &str {
        &self.0
    }

    /// The grouped form printed on slips: `XXXX-XXXX-XXXX-C`.
    pub fn display(&self) -> String {
        base32::group(&self.0)
    }

    /// The QR payload printed on the code slip.
    pub fn qr_payload(&self) -> String {
        format!("{QR_PREFIX}{}", self.display())
    }
}

impl fmt::Debug for VoterCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VoterCode(<secret>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn random_codes_round_trip_in_every_form() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        for _ in 0..200 {
            let code = VoterCode::random(&mut rng);
            assert_eq!(code.display().len(), 16);
            assert_eq!(VoterCode::parse(&code.display()).expect("grouped"), code);
            assert_eq!(VoterCode::parse(&code.qr_payload()).expect("qr"), code);
            assert_eq!(
                VoterCode::parse(&code.canonical().to_lowercase()).expect("lower"),
                code
            );
        }
    }

    #[test]
    fn typo_is_told_apart_from_malformed() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(2);
        let code = VoterCode::random(&mut rng);
        let mut chars: Vec<char> = code.canonical().chars().collect();
        chars[3] = if chars[3] == 'A' { 'B' } else { 'A' };
        let typo: String = chars.into_iter().collect();
        assert!(matches!(VoterCode::parse(&typo), Err(Error::CodeTypo)));
        assert!(matches!(VoterCode::parse("ABCD-EFGH"), Err(Error::CodeMalformed)));
        assert!(matches!(
            VoterCode::parse("ABCD-EFGH-JKMN-*"),
            Err(Error::CodeMalformed)
        ));
        assert!(matches!(VoterCode::parse(""), Err(Error::CodeMalformed)));
    }

    #[test]
    fn debug_never_shows_the_code() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let code = VoterCode::random(&mut rng);
        assert!(!format!("{code:?}").contains(code.canonical()));
    }
}
