//! The line layout of every signed v2 file (design §4.1), as the export
//! needs it: canonical JSON lines, the signed message, the Ed25519
//! signature line, and a reader that enforces one LF per line, no CR, no
//! empty line and exactly one trailing LF.
//!
//! Adapter: the `keys` slice's `crate::signed` will own this layout; this
//! module keeps the same names so the switch is a change of import.

use std::io::{BufRead, Read};

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use serde_json::Value;

use crate::canonical::to_canonical_string;

/// The prefix of every signed message.
pub const SIGNATURE_DOMAIN: &[u8] = b"votekiosk-signature/2";
/// The largest integer a v2 format holds (JavaScript and Python read it exactly).
pub const MAX_INTEGER: u64 = (1 << 53) - 1;
/// The longest line a reader accepts before it gives up (a definition or a
/// header is a few hundred KB at most).
pub const MAX_LINE: usize = 16 * 1024 * 1024;

/// Why a line was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineError {
    /// Not the canonical spelling of its value (whitespace, key order,
    /// escapes, a repeated key, a number that is not a small integer).
    NotCanonical(String),
    /// Not JSON, or a line break out of place.
    Malformed(String),
}

/// A value's line: its canonical JSON and one LF.
pub fn line(value: &Value) -> Vec<u8> {
    let mut out = to_canonical_string(value).into_bytes();
    out.push(b'\n');
    out
}

/// Parses one line's bytes (without its LF) and checks they are the
/// canonical spelling of what they hold.
pub fn parse_line(bytes: &[u8], line_no: u64) -> Result<Value, LineError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        if e.is_eof() {
            // A value cut short at the line's end: pretty-printed, or split.
            LineError::NotCanonical(format!(
                "line {line_no} is not one whole JSON value (a pretty-printed file?)"
            ))
        } else {
            LineError::Malformed(format!("line {line_no}: {e}"))
        }
    })?;
    if let Some(why) = bad_number(&value) {
        return Err(LineError::NotCanonical(format!("line {line_no}: {why}")));
    }
    // A repeated key parses (the last wins) but never re-serialises to the
    // same bytes: the comparison below refuses it with everything else.
    if to_canonical_string(&value).as_bytes() != bytes {
        return Err(LineError::NotCanonical(format!(
            "line {line_no} is not in canonical form"
        )));
    }
    Ok(value)
}

fn bad_number(value: &Value) -> Option<String> {
    match value {
        Value::Number(n) => match n.as_i64() {
            Some(v) if v.unsigned_abs() <= MAX_INTEGER => None,
            _ => Some(format!("{n} is not an integer of at most 2^53 - 1")),
        },
        Value::Array(items) => items.iter().find_map(bad_number),
        Value::Object(map) => map.values().find_map(bad_number),
        _ => None,
    }
}

/// The signed message of a header line (without its LF).
pub fn message(header: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(SIGNATURE_DOMAIN.len() + 1 + header.len());
    m.extend_from_slice(SIGNATURE_DOMAIN);
    m.push(0);
    m.extend_from_slice(header);
    m
}

/// The signature line's value for a header line (without its LF).
pub fn sign(key: &SigningKey, header: &[u8]) -> Value {
    let signature = key.sign(&message(header));
    serde_json::json!({
        "algorithm": "ed25519",
        "public_key": hex::encode(key.verifying_key().to_bytes()),
        "value": hex::encode(signature.to_bytes()),
    })
}

/// Checks a signature line's value over a header line (strict Ed25519),
/// and that its key is `expected` when given; returns the key.
pub fn verify(header: &[u8], signature: &Value, expected: Option<&[u8; 32]>) -> Result<[u8; 32], String> {
    let obj = signature
        .as_object()
        .filter(|o| o.len() == 3 && o.get("algorithm").and_then(Value::as_str) == Some("ed25519"))
        .ok_or("the signature line is not {algorithm: ed25519, public_key, value}")?;
    let key = obj
        .get("public_key")
        .and_then(Value::as_str)
        .and_then(|k| lower_hex::<32>(k))
        .ok_or("the signature's public key is not 64 lowercase hex digits")?;
    let value = obj
        .get("value")
        .and_then(Value::as_str)
        .and_then(|v| lower_hex::<64>(v))
        .ok_or("the signature is not 128 lowercase hex digits")?;
    if let Some(expected) = expected {
        if expected != &key {
            return Err("signed by another key than the one this file names".into());
        }
    }
    let verifying = VerifyingKey::from_bytes(&key).map_err(|_| "the public key is not a curve point")?;
    verifying
        .verify_strict(&message(header), &ed25519_dalek::Signature::from_bytes(&value))
        .map_err(|_| "the signature does not match the header".to_string())?;
    Ok(key)
}

/// `N` bytes from exactly `2N` lowercase hex digits.
pub fn lower_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    if text.len() != 2 * N || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    hex::decode(text).ok()?.try_into().ok()
}

/// A line break out of place is a spelling fault (`not_canonical`) in a
/// line that holds JSON, and a sign of another kind of file (`malformed`)
/// in one that does not.
fn classify(line: &[u8], why: String) -> LineError {
    let trimmed = line.strip_suffix(b"\r").unwrap_or(line);
    if serde_json::from_slice::<serde::de::IgnoredAny>(trimmed).is_ok() {
        LineError::NotCanonical(why)
    } else {
        LineError::Malformed(format!("not a v2 file of lines: {why}"))
    }
}

/// Reads a file line by line, each line's bytes without its LF; refuses a
/// CR, an empty line, a line over `MAX_LINE` and a last line without its LF.
pub struct Lines<R: BufRead> {
    reader: R,
    buf: Vec<u8>,
    /// Lines read so far (the number of the last one returned).
    pub number: u64,
    /// Bytes read so far.
    pub offset: u64,
}

impl<R: BufRead> Lines<R> {
    pub fn new(reader: R) -> Lines<R> {
        Lines {
            reader,
            buf: Vec::new(),
            number: 0,
            offset: 0,
        }
    }

    /// The next line, `Ok(None)` at the end of the file.
    pub fn next_line(&mut self) -> Result<Option<&[u8]>, LineError> {
        self.buf.clear();
        let n = std::io::Read::by_ref(&mut self.reader)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut self.buf)
            .map_err(|e| LineError::Malformed(format!("reading: {e}")))?;
        if n == 0 {
            return Ok(None);
        }
        self.number += 1;
        self.offset += n as u64;
        let no = self.number;
        if self.buf.last() != Some(&b'\n') {
            if n > MAX_LINE {
                return Err(LineError::Malformed(format!(
                    "line {no} is longer than {MAX_LINE} bytes"
                )));
            }
            return Err(classify(
                &self.buf,
                format!("line {no} does not end with a line feed"),
            ));
        }
        self.buf.pop();
        if self.buf.is_empty() {
            return Err(LineError::NotCanonical(format!("line {no} is empty")));
        }
        if self.buf.contains(&b'\r') {
            return Err(classify(&self.buf, format!("line {no} holds a carriage return")));
        }
        Ok(Some(&self.buf))
    }

    /// The bytes of the line last returned (without its LF).
    pub fn current(&self) -> &[u8] {
        &self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(bytes: &[u8]) -> Result<Vec<Vec<u8>>, LineError> {
        let mut lines = Lines::new(bytes);
        let mut out = Vec::new();
        while let Some(l) = lines.next_line()? {
            out.push(l.to_vec());
        }
        Ok(out)
    }

    #[test]
    fn only_canonical_lines_with_one_trailing_lf_are_read() {
        assert_eq!(
            read_all(b"{}\n[1]\n").expect("ok"),
            vec![b"{}".to_vec(), b"[1]".to_vec()]
        );
        for bad in [&b"{}\n[1]"[..], b"{}\n\n", b"{}\r\n", b"\n"] {
            assert!(read_all(bad).is_err(), "{bad:?}");
        }
        assert!(parse_line(br#"{"a":1,"b":[true,null]}"#, 1).is_ok());
        for bad in [
            &br#"{"b":1,"a":1}"#[..],
            br#"{"a":1,"a":2}"#,
            br#"{"a": 1}"#,
            br#"{"a":1.5}"#,
            br#"{"a":-9007199254740992}"#,
            br#"{"a":9007199254740992}"#,
            br#"{"a":"\u0041"}"#,
        ] {
            assert!(
                matches!(parse_line(bad, 1), Err(LineError::NotCanonical(_))),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        assert!(matches!(parse_line(b"{", 1), Err(LineError::NotCanonical(_))));
        assert!(matches!(parse_line(b"{]", 1), Err(LineError::Malformed(_))));
    }

    #[test]
    fn a_signature_verifies_only_over_its_header_and_key() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let header = br#"{"format":"x"}"#;
        let sig = sign(&key, header);
        let pk = key.verifying_key().to_bytes();
        assert_eq!(verify(header, &sig, Some(&pk)), Ok(pk));
        assert!(verify(br#"{"format":"y"}"#, &sig, None).is_err());
        assert!(verify(header, &sig, Some(&[1; 32])).is_err());
    }
}
