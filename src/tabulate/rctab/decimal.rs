//! Vote arithmetic exactly as RCTab does it with Java's `BigDecimal`:
//! values carry a scale (digits after the point) that the operations keep
//! as Java keeps it (sums take the larger scale, products the sum of the
//! scales), and the only rounding is truncation (`RoundingMode.DOWN`) to
//! the configured `decimalPlacesForVoteArithmetic` where RCTab rounds.
//! Values are stored as `rust_decimal::Decimal` (mantissa and scale); the
//! operations are computed on the exact 128-bit mantissas, so nothing is
//! rounded behind RCTab's back. [`java_string`] prints a value as Java's
//! `BigDecimal.toString` does (the reports compare as text).

use std::cmp::Ordering;

use rust_decimal::Decimal;

use crate::error::{Error, Result};

/// The largest `decimalPlacesForVoteArithmetic` counted exactly here: a
/// product of two fractions needs twice the places in 128 bits.
pub const MAX_DECIMAL_PLACES: u32 = 18;

fn overflow() -> Error {
    Error::TabulationStopped {
        round: 0,
        message: "a vote total is too large for exact decimal arithmetic".into(),
    }
}

fn pow10(exp: u32) -> Result<i128> {
    10i128.checked_pow(exp).ok_or_else(overflow)
}

fn make(mantissa: i128, scale: u32) -> Result<Decimal> {
    Decimal::try_from_i128_with_scale(mantissa, scale).map_err(|_| overflow())
}

/// `BigDecimal.ZERO` (scale 0).
pub fn zero() -> Decimal {
    Decimal::ZERO
}

/// `BigDecimal.ONE` (scale 0).
pub fn one() -> Decimal {
    Decimal::ONE
}

/// A whole number with scale 0 (`new BigDecimal(n)`).
pub fn whole(n: i64) -> Decimal {
    Decimal::from(n)
}

/// Both mantissas at the larger scale.
fn aligned(a: Decimal, b: Decimal) -> Result<(i128, i128, u32)> {
    let scale = a.scale().max(b.scale());
    let am = a
        .mantissa()
        .checked_mul(pow10(scale - a.scale())?)
        .ok_or_else(overflow)?;
    let bm = b
        .mantissa()
        .checked_mul(pow10(scale - b.scale())?)
        .ok_or_else(overflow)?;
    Ok((am, bm, scale))
}

/// `a.add(b)`: exact, at the larger scale.
pub fn add(a: Decimal, b: Decimal) -> Result<Decimal> {
    let (am, bm, scale) = aligned(a, b)?;
    make(am.checked_add(bm).ok_or_else(overflow)?, scale)
}

/// `a.subtract(b)`: exact, at the larger scale.
pub fn sub(a: Decimal, b: Decimal) -> Result<Decimal> {
    let (am, bm, scale) = aligned(a, b)?;
    make(am.checked_sub(bm).ok_or_else(overflow)?, scale)
}

/// `a.multiply(b)`: exact, scale the sum of the scales.
pub fn mul_exact(a: Decimal, b: Decimal) -> Result<Decimal> {
    let m = a.mantissa().checked_mul(b.mantissa()).ok_or_else(overflow)?;
    make(m, a.scale() + b.scale())
}

/// `mantissa / 10^(from - to)` truncated toward zero, or padded with zeros.
fn rescale_down(mantissa: i128, from: u32, to: u32) -> Result<i128> {
    if from >= to {
        Ok(mantissa / pow10(from - to)?)
    } else {
        mantissa.checked_mul(pow10(to - from)?).ok_or_else(overflow)
    }
}

/// `a.multiply(b).setScale(places, RoundingMode.DOWN)` (RCTab's
/// `ContestConfig.multiply`).
pub fn mul_trunc(a: Decimal, b: Decimal, places: u32) -> Result<Decimal> {
    let m = a.mantissa().checked_mul(b.mantissa()).ok_or_else(overflow)?;
    make(rescale_down(m, a.scale() + b.scale(), places)?, places)
}

/// `a.setScale(places, RoundingMode.DOWN)`.
pub fn set_scale_down(a: Decimal, places: u32) -> Result<Decimal> {
    make(rescale_down(a.mantissa(), a.scale(), places)?, places)
}

/// How [`div`] rounds the last digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    /// Toward zero (`RoundingMode.DOWN`).
    Down,
    /// Away from zero (`RoundingMode.UP`).
    Up,
    /// To nearest, ties away from zero (`RoundingMode.HALF_UP`).
    HalfUp,
}

/// `a.divide(b, places, rounding)`. `b` must not be zero.
pub fn div(a: Decimal, b: Decimal, places: u32, rounding: Rounding) -> Result<Decimal> {
    if b.is_zero() {
        return Err(Error::TabulationStopped {
            round: 0,
            message: "division by zero in vote arithmetic".into(),
        });
    }
    // a/b * 10^places = a.m * 10^(b.s - a.s + places) / b.m: long division,
    // one decimal digit at a time, so no intermediate grows past the result.
    let negative = (a.mantissa() < 0) != (b.mantissa() < 0);
    let (num, den) = (a.mantissa().unsigned_abs(), b.mantissa().unsigned_abs());
    let exp = i64::from(b.scale()) - i64::from(a.scale()) + i64::from(places);
    let (mut q, mut r, mut den) = (num / den, num % den, den);
    if exp < 0 {
        // More places in `a` than wanted: divide the denominator up instead.
        let widen = 10u128
            .checked_pow(exp.unsigned_abs() as u32)
            .ok_or_else(overflow)?;
        den = den.checked_mul(widen).ok_or_else(overflow)?;
        q = num / den;
        r = num % den;
    } else {
        for _ in 0..exp {
            r = r.checked_mul(10).ok_or_else(overflow)?;
            q = q
                .checked_mul(10)
                .ok_or_else(overflow)?
                .checked_add(r / den)
                .ok_or_else(overflow)?;
            r %= den;
        }
    }
    let round_up = match rounding {
        Rounding::Down => false,
        Rounding::Up => r != 0,
        Rounding::HalfUp => r.checked_mul(2).map(|twice| twice >= den).unwrap_or(true),
    };
    if round_up {
        q = q.checked_add(1).ok_or_else(overflow)?;
    }
    let q = i128::try_from(q).map_err(|_| overflow())?;
    make(if negative { -q } else { q }, places)
}

/// `10^-places` at scale `places` (`BigDecimal.ONE.divide(TEN.pow(places))`).
pub fn unit(places: u32) -> Result<Decimal> {
    make(1, places)
}

/// `a.signum()`.
pub fn signum(a: Decimal) -> i32 {
    match a.cmp(&Decimal::ZERO) {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    }
}

/// `a.toBigInteger()` (toward zero) as a whole number.
pub fn to_integer(a: Decimal) -> i128 {
    // scale ≤ 28, so 10^scale fits
    a.mantissa() / 10i128.pow(a.scale())
}

/// Parses a decimal as Java's `new BigDecimal(text)` would for plain
/// numbers (`-12.50` keeps its scale 2). `None` if it is not one.
pub fn parse(text: &str) -> Option<Decimal> {
    let t = text.trim();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    let ok = !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.matches('.').count() <= 1
        && digits.chars().any(|c| c.is_ascii_digit());
    if !ok {
        return None;
    }
    t.parse::<Decimal>().ok()
}

/// The text Java's `BigDecimal.toString()` gives: plain notation, keeping
/// trailing zeros of the scale (`2.3330`), and scientific notation when the
/// adjusted exponent is below -6 (`1E-7`, `0E-8`), as RCTab's reports do.
pub fn java_string(a: Decimal) -> String {
    let mantissa = a.mantissa();
    let scale = i64::from(a.scale());
    let coeff = mantissa.unsigned_abs().to_string();
    let sign = if mantissa < 0 { "-" } else { "" };
    if scale == 0 {
        return format!("{sign}{coeff}");
    }
    let len = coeff.len() as i64;
    let adjusted = -scale + (len - 1);
    if adjusted >= -6 {
        if len > scale {
            let (int, frac) = coeff.split_at((len - scale) as usize);
            format!("{sign}{int}.{frac}")
        } else {
            let zeros = "0".repeat((scale - len) as usize);
            format!("{sign}0.{zeros}{coeff}")
        }
    } else {
        let (first, rest) = coeff.split_at(1);
        let point = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let plus = if adjusted > 0 { "+" } else { "" };
        format!("{sign}{first}{point}E{plus}{adjusted}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        parse(s).expect("a decimal")
    }

    #[test]
    fn sums_keep_the_larger_scale_as_java() {
        assert_eq!(java_string(add(d("2"), d("0.1111")).unwrap()), "2.1111");
        assert_eq!(java_string(sub(d("1"), d("0.8889")).unwrap()), "0.1111");
        assert_eq!(java_string(sub(d("1.0000"), d("1.0000")).unwrap()), "0.0000");
        assert_eq!(java_string(add(d("2.3320"), d("0.0010")).unwrap()), "2.3330");
        assert_eq!(java_string(add(d("7"), d("0")).unwrap()), "7");
    }

    #[test]
    fn products_truncate_toward_zero_at_the_configured_places() {
        // 1 × 0.2258 = 0.2258; 0.1111 × 0.2258 = 0.02508638 → 0.0250
        assert_eq!(java_string(mul_trunc(d("1"), d("0.2258"), 4).unwrap()), "0.2258");
        assert_eq!(
            java_string(mul_trunc(d("0.1111"), d("0.2258"), 4).unwrap()),
            "0.0250"
        );
        assert_eq!(java_string(mul_trunc(d("3"), d("2"), 4).unwrap()), "6.0000");
        assert_eq!(
            java_string(mul_trunc(d("-0.99999"), d("1"), 4).unwrap()),
            "-0.9999"
        );
    }

    #[test]
    fn division_truncates_rounds_up_or_half_up_as_asked() {
        // surplus fraction 2.3333 / 10.3333 = 0.225804... → 0.2258
        assert_eq!(
            java_string(div(d("2.3333"), d("10.3333"), 4, Rounding::Down).unwrap()),
            "0.2258"
        );
        assert_eq!(
            java_string(div(d("1"), d("9"), 4, Rounding::Down).unwrap()),
            "0.1111"
        );
        // Droop: 29 / 4 → 7.2500 (then + 0.0001 = 7.2501)
        assert_eq!(
            java_string(div(d("29"), d("4"), 4, Rounding::Down).unwrap()),
            "7.2500"
        );
        assert_eq!(java_string(div(d("29"), d("4"), 0, Rounding::Down).unwrap()), "7");
        assert_eq!(java_string(div(d("29"), d("4"), 0, Rounding::Up).unwrap()), "8");
        assert_eq!(java_string(div(d("28"), d("4"), 0, Rounding::Up).unwrap()), "7");
        assert_eq!(
            java_string(div(d("25"), d("100"), 2, Rounding::HalfUp).unwrap()),
            "0.25"
        );
        assert_eq!(
            java_string(div(d("1"), d("8"), 2, Rounding::HalfUp).unwrap()),
            "0.13"
        );
        assert_eq!(
            java_string(div(d("12.34567"), d("1"), 2, Rounding::Down).unwrap()),
            "12.34"
        );
        assert!(div(d("1"), d("0"), 2, Rounding::Down).is_err());
    }

    #[test]
    fn printed_as_java_big_decimal_to_string() {
        assert_eq!(java_string(d("0.0003")), "0.0003");
        assert_eq!(java_string(d("0.000001")), "0.000001");
        assert_eq!(java_string(d("0.0000001")), "1E-7");
        assert_eq!(java_string(d("0.00000000")), "0E-8");
        assert_eq!(java_string(d("0.000000")), "0.000000");
        assert_eq!(java_string(d("-1.50")), "-1.50");
        assert_eq!(java_string(d("0.00000012")), "1.2E-7");
        assert_eq!(java_string(unit(4).unwrap()), "0.0001");
        assert_eq!(java_string(unit(0).unwrap()), "1");
    }

    #[test]
    fn parse_refuses_what_java_would_not_read() {
        assert!(parse("1e5").is_none());
        assert!(parse("").is_none());
        assert!(parse("1.2.3").is_none());
        assert!(parse(".").is_none());
        assert_eq!(parse("12.50").map(|x| x.scale()), Some(2));
    }
}
