//! Crockford base32 (alphabet `0123456789ABCDEFGHJKMNPQRSTVWXYZ`), used for
//! voter codes and receipt ids, with the Luhn mod 32 check character.
//!
//! Decoding follows Crockford: case-insensitive, `O` reads as `0`, `I` and
//! `L` read as `1`; `U` is not a symbol. The check character is Luhn mod N
//! over the same alphabet rather than Crockford's mod-37 symbol, so that a
//! code never contains `*~$=U` (hard to type on a kiosk keyboard). It
//! detects every single mistyped character and every swap of two adjacent
//! characters except between the values 0 and 31 ("0" and "Z").

pub const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The value of one symbol, with Crockford's lenient readings.
pub fn value(c: char) -> Option<u8> {
    let c = c.to_ascii_uppercase();
    let c = match c {
        'O' => '0',
        'I' | 'L' => '1',
        c => c,
    };
    ALPHABET.iter().position(|&a| a as char == c).map(|p| p as u8)
}

/// Encodes 5-bit values as symbols.
pub fn encode_values(values: &[u8]) -> String {
    values
        .iter()
        .map(|&v| ALPHABET[(v & 31) as usize] as char)
        .collect()
}

/// Random symbols: `n` symbols of 5 bits each from `rng`.
pub fn random_values(rng: &mut dyn rand::RngCore, n: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; n];
    rng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| b & 31).collect()
}

/// Luhn mod 32 check value over `values` (most significant first).
pub fn luhn_check(values: &[u8]) -> u8 {
    let n = 32u32;
    let mut factor = 2u32;
    let mut sum = 0u32;
    for &v in values.iter().rev() {
        let addend = factor * v as u32;
        sum += addend / n + addend % n;
        factor = if factor == 2 { 1 } else { 2 };
    }
    ((n - sum % n) % n) as u8
}

/// Splits symbols into dash-separated groups of four.
pub fn group(symbols: &str) -> String {
    let chars: Vec<char> = symbols.chars().collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Strips dashes and spaces and decodes; `None` if any other symbol is not base32.
pub fn decode_lenient(text: &str) -> Option<Vec<u8>> {
    text.chars()
        .filter(|c| *c != '-' && !c.is_whitespace())
        .map(value)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_detects_every_single_substitution() {
        let values: Vec<u8> = (0..12).map(|i| (i * 7 + 3) % 32).collect();
        let check = luhn_check(&values);
        for pos in 0..values.len() {
            for v in 0..32u8 {
                if v == values[pos] {
                    continue;
                }
                let mut typo = values.clone();
                typo[pos] = v;
                assert_ne!(
                    luhn_check(&typo),
                    check,
                    "substitution at {pos} to {v} undetected"
                );
            }
        }
    }

    #[test]
    fn luhn_detects_adjacent_swaps_except_zero_and_z() {
        for a in 0..32u8 {
            for b in 0..32u8 {
                if a == b {
                    continue;
                }
                let values = [5, a, b, 9, 17, 30];
                let swapped = [5, b, a, 9, 17, 30];
                let detected = luhn_check(&values) != luhn_check(&swapped);
                assert_eq!(detected, !matches!((a, b), (0, 31) | (31, 0)), "swap {a}<->{b}");
            }
        }
    }

    #[test]
    fn lenient_readings() {
        assert_eq!(decode_lenient("o-i l"), Some(vec![0, 1, 1]));
        assert_eq!(decode_lenient("U"), None);
    }
}
