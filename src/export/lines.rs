//! The line layout of every signed v2 file (design §4.1) as the export
//! reads it: `crate::signed` writes and signs the lines (`line`, `sign`,
//! `message` are its); this module adds what the verifier needs on top,
//! a failure *name* for every refused line (`not_canonical` for a
//! spelling fault, `malformed` for what is not JSON at all) and a reader
//! that streams a large file with those names.

use std::io::{BufRead, Read};

use serde_json::Value;

pub use crate::signed::{line, message, sign, MAX_INTEGER};
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

/// Parses one line's bytes (without its LF) and checks they are the
/// canonical spelling of what they hold (`crate::signed::parse_line`:
/// duplicate keys, non-integers and integers past 2^53 − 1 refused too).
pub fn parse_line(bytes: &[u8], line_no: u64) -> Result<Value, LineError> {
    if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
        return Err(if e.is_eof() {
            // A value cut short at the line's end: pretty-printed, or split.
            LineError::NotCanonical(format!(
                "line {line_no} is not one whole JSON value (a pretty-printed file?)"
            ))
        } else {
            LineError::Malformed(format!("line {line_no}: {e}"))
        });
    }
    crate::signed::parse_line(bytes, line_no).map_err(|e| LineError::NotCanonical(e.to_string()))
}

/// Checks a signature line's value over a header line (strict Ed25519),
/// and that its key is `expected` when given; returns the key.
pub fn verify(header: &[u8], signature: &Value, expected: Option<&[u8; 32]>) -> Result<[u8; 32], String> {
    crate::signed::verify(header, signature, expected).map_err(|e| e.to_string())
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

    /// The reader (positioned after the last line read).
    pub fn into_inner(self) -> R {
        self.reader
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
        let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        let header = br#"{"format":"x"}"#;
        let sig = sign(&key, header);
        let pk = key.verifying_key().to_bytes();
        assert_eq!(verify(header, &sig, Some(&pk)), Ok(pk));
        assert!(verify(br#"{"format":"y"}"#, &sig, None).is_err());
        assert!(verify(header, &sig, Some(&[1; 32])).is_err());
    }
}
