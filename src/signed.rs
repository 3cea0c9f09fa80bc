//! The line layout every signed votekiosk/2 file shares (`docs/formats.md`,
//! "Signed files"): line 1 a canonical JSON header, line 2 its Ed25519
//! signature, then the sections; each line the canonical bytes of one JSON
//! value and one LF, nothing else. So each content has exactly one
//! spelling, and the SHA-256 of a file identifies its content.
//!
//! `line` writes a line; `parse_line` reads one and refuses any other
//! spelling (duplicate keys, whitespace, non-integers, integers beyond
//! 2^53 − 1); `Lines` streams a file's lines and enforces LF-only, no empty
//! line and exactly one trailing LF; `sign` and `verify` make and check the
//! signature line over `"votekiosk-signature/2" ‖ 0x00 ‖ header line`.

use std::fmt;
use std::io::{BufRead, Read};

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::canonical::to_canonical_string;
use crate::error::{Error, Result};

/// The domain-separation prefix of every votekiosk/2 signature.
pub const SIGNATURE_CONTEXT: &[u8] = b"votekiosk-signature/2";

/// The largest integer a votekiosk/2 file may hold (JavaScript's
/// `Number.MAX_SAFE_INTEGER`): every reader then reads it exactly.
pub const MAX_INTEGER: u64 = (1 << 53) - 1;

/// The longest header or signature line the small signed files allow
/// (trusted keys, ceremony records); result files choose their own limit.
pub const MAX_HEADER_LINE: usize = 1 << 20;

/// One line: the canonical JSON of `value` and one LF.
pub fn line(value: &Value) -> Vec<u8> {
    let mut out = to_canonical_string(value).into_bytes();
    out.push(b'\n');
    out
}

/// Reads one line's bytes (without its LF) into a value, refusing anything
/// but the canonical spelling: invalid UTF-8, a duplicate key, a number
/// that is not an integer or is beyond ±(2^53 − 1), whitespace, another
/// key order or escape. `line_no` (1-based) goes into the error.
pub fn parse_line(bytes: &[u8], line_no: u64) -> Result<Value> {
    let refuse = |reason: String| Error::NotCanonical {
        line: line_no,
        reason,
    };
    if bytes.last() == Some(&b'\n') {
        return Err(refuse(
            "a line holds no LF (the reader strips the one that ends it)".into(),
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| refuse("not UTF-8".into()))?;
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Strict
        .deserialize(&mut de)
        .map_err(|e| refuse(format!("not valid JSON of a votekiosk/2 file: {e}")))?;
    de.end().map_err(|_| refuse("text after the JSON value".into()))?;
    if to_canonical_string(&value).as_bytes() != bytes {
        return Err(refuse(
            "the bytes differ from the canonical form (key order, whitespace or escapes)".into(),
        ));
    }
    Ok(value)
}

/// The signed message: `"votekiosk-signature/2" ‖ 0x00 ‖ header line`,
/// the header's canonical bytes without their LF (one trailing LF, if
/// given, is not part of the message).
pub fn message(header_line: &[u8]) -> Vec<u8> {
    let header = header_line.strip_suffix(b"\n").unwrap_or(header_line);
    let mut m = Vec::with_capacity(SIGNATURE_CONTEXT.len() + 1 + header.len());
    m.extend_from_slice(SIGNATURE_CONTEXT);
    m.push(0);
    m.extend_from_slice(header);
    m
}

/// The signature line's value for `header_line`:
/// `{"algorithm":"ed25519","public_key":hex 64,"value":hex 128}`.
pub fn sign(key: &SigningKey, header_line: &[u8]) -> Value {
    let signature = key.sign(&message(header_line));
    serde_json::json!({
        "algorithm": "ed25519",
        "public_key": hex::encode(key.verifying_key().to_bytes()),
        "value": hex::encode(signature.to_bytes()),
    })
}

/// Checks a signature line's value over `header_line` (strict RFC 8032:
/// canonical S, no small-order key or R) and returns the signer's public
/// key. With `expected_key`, a signature by any other key is refused too.
pub fn verify(header_line: &[u8], signature: &Value, expected_key: Option<&[u8; 32]>) -> Result<[u8; 32]> {
    let bad = |reason: &str| Error::BadSignature(reason.to_string());
    let object = signature
        .as_object()
        .ok_or_else(|| bad("the signature line is not an object"))?;
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    if keys != ["algorithm", "public_key", "value"] {
        return Err(bad(
            "the signature line has exactly `algorithm`, `public_key` and `value`",
        ));
    }
    if object.get("algorithm").and_then(Value::as_str) != Some("ed25519") {
        return Err(bad("the algorithm is not ed25519"));
    }
    let public: [u8; 32] = lower_hex(object.get("public_key"))
        .ok_or_else(|| bad("`public_key` is not 64 lowercase hex digits"))?;
    let value: [u8; 64] =
        lower_hex(object.get("value")).ok_or_else(|| bad("`value` is not 128 lowercase hex digits"))?;
    if let Some(expected) = expected_key {
        if expected != &public {
            return Err(Error::BadSignature(format!(
                "signed by key {}, not by the expected key {}",
                fingerprint(&public),
                fingerprint(expected)
            )));
        }
    }
    let key = VerifyingKey::from_bytes(&public).map_err(|_| bad("the public key is not an Ed25519 point"))?;
    key.verify_strict(&message(header_line), &Signature::from_bytes(&value))
        .map_err(|_| bad("the signature does not match the header (altered, or made with another key)"))?;
    Ok(public)
}

/// The fingerprint of a 32-byte public key: `SHA-256(key)[0..16]` as 8
/// groups of 4 hex digits.
pub fn fingerprint(key: &[u8; 32]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(key);
    hex::encode(&digest[..16])
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads `N` bytes from a JSON string of exactly `2N` lowercase hex digits.
pub fn lower_hex<const N: usize>(value: Option<&Value>) -> Option<[u8; N]> {
    let text = value?.as_str()?;
    if text.len() != 2 * N
        || !text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return None;
    }
    let mut out = [0u8; N];
    hex::decode_to_slice(text, &mut out).ok()?;
    Some(out)
}

/// A two-line signed file (header, signature), as bytes.
pub fn two_line_file(header: &Value, key: &SigningKey) -> Vec<u8> {
    let mut out = line(header);
    let signature = sign(key, &out);
    out.extend_from_slice(&line(&signature));
    out
}

/// Reads a two-line signed file: both lines canonical, nothing after the
/// signature, the signature valid (by `expected_key` if given). Returns
/// the header and the signer's key.
pub fn read_two_line_file(bytes: &[u8], expected_key: Option<&[u8; 32]>) -> Result<(Value, [u8; 32])> {
    let mut lines = Lines::new(bytes, MAX_HEADER_LINE);
    let header_line = lines.next_line()?.ok_or_else(|| Error::NotCanonical {
        line: 1,
        reason: "the file is empty".into(),
    })?;
    let header = parse_line(&header_line, 1)?;
    let signature_line = lines.next_line()?.ok_or_else(|| Error::NotCanonical {
        line: 2,
        reason: "the signature line is missing".into(),
    })?;
    let signature = parse_line(&signature_line, 2)?;
    if lines.next_line()?.is_some() {
        return Err(Error::NotCanonical {
            line: 3,
            reason: "this file has exactly two lines".into(),
        });
    }
    let key = verify(&header_line, &signature, expected_key)?;
    Ok((header, key))
}

/// Streams the lines of a signed file, each returned without its LF.
/// Refuses (with the line number) a CR anywhere, an empty line (so also a
/// second LF at the end), a last line without its LF, and a line longer
/// than the limit. `Ok(None)` marks the clean end, right after a LF.
pub struct Lines<R: BufRead> {
    reader: R,
    max_line: usize,
    line_no: u64,
    done: bool,
}

impl<R: BufRead> Lines<R> {
    /// A reader allowing lines of at most `max_line` bytes (without the LF).
    pub fn new(reader: R, max_line: usize) -> Lines<R> {
        Lines {
            reader,
            max_line,
            line_no: 0,
            done: false,
        }
    }

    /// The number of the last line returned (1-based; 0 before the first).
    pub fn line_number(&self) -> u64 {
        self.line_no
    }

    /// The next line's bytes without the LF, or `None` at the clean end.
    pub fn next_line(&mut self) -> Result<Option<Vec<u8>>> {
        if self.done {
            return Ok(None);
        }
        let number = self.line_no + 1;
        let refuse = |reason: String| Error::NotCanonical { line: number, reason };
        let mut buf = Vec::new();
        let limit = self.max_line as u64 + 1;
        (&mut self.reader)
            .take(limit)
            .read_until(b'\n', &mut buf)
            .map_err(|e| refuse(format!("cannot read: {e}")))?;
        if buf.is_empty() {
            self.done = true;
            return Ok(None);
        }
        if buf.last() != Some(&b'\n') {
            return Err(refuse(if buf.len() as u64 >= limit {
                format!("the line is longer than {} bytes", self.max_line)
            } else {
                "the file must end with exactly one LF after its last line".into()
            }));
        }
        buf.pop();
        if buf.is_empty() {
            return Err(refuse("an empty line (or a second LF at the end)".into()));
        }
        if buf.contains(&b'\r') {
            return Err(refuse("a CR: lines end with LF alone".into()));
        }
        self.line_no = number;
        Ok(Some(buf))
    }

    /// The next line parsed by `parse_line`, with its bytes.
    pub fn next_value(&mut self) -> Result<Option<(Vec<u8>, Value)>> {
        match self.next_line()? {
            None => Ok(None),
            Some(bytes) => {
                let value = parse_line(&bytes, self.line_no)?;
                Ok(Some((bytes, value)))
            }
        }
    }
}

/// A `serde_json::Value` that refuses duplicate keys and numbers that are
/// not integers within ±(2^53 − 1), while it is parsed.
struct Strict;

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> std::result::Result<Value, D::Error> {
        deserializer.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value with unique keys and safe integers")
    }

    fn visit_unit<E: de::Error>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> std::result::Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Value, E> {
        if v > MAX_INTEGER {
            return Err(E::custom(format!("the integer {v} is above 2^53 - 1")));
        }
        Ok(Value::from(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Value, E> {
        if v.unsigned_abs() > MAX_INTEGER {
            return Err(E::custom(format!("the integer {v} is beyond 2^53 - 1")));
        }
        Ok(Value::from(v))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> std::result::Result<Value, E> {
        Err(E::custom("a number that is not an integer (or too large)"))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Strict)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(de::Error::custom(format!("the key {key:?} appears twice")));
            }
            let value = map.next_value_seed(Strict)?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn refused(bytes: &[u8]) -> String {
        match parse_line(bytes, 7) {
            Err(Error::NotCanonical { line: 7, reason }) => reason,
            other => panic!(
                "{:?} was not refused as not canonical: {other:?}",
                String::from_utf8_lossy(bytes)
            ),
        }
    }

    #[test]
    fn a_canonical_line_round_trips() {
        let value = json!({"b": [1, -2, "x\ny", null, true], "a": {"é": 9007199254740991u64}});
        let bytes = line(&value);
        assert_eq!(bytes.last(), Some(&b'\n'));
        let parsed = parse_line(&bytes[..bytes.len() - 1], 1).expect("canonical");
        assert_eq!(parsed, value);
        assert_eq!(
            String::from_utf8(bytes).expect("utf-8"),
            "{\"a\":{\"é\":9007199254740991},\"b\":[1,-2,\"x\\ny\",null,true]}\n"
        );
    }

    #[test]
    fn every_other_spelling_is_refused_with_its_line_number() {
        assert!(refused(br#"{"a":1,"a":1}"#).contains("twice"));
        assert!(refused(br#"{"a":{"b":1,"b":2}}"#).contains("twice"));
        assert!(refused(br#"{"a":1.0}"#).contains("not an integer"));
        assert!(refused(br#"{"a":1e2}"#).contains("not an integer"));
        assert!(refused(br#"{"a":9007199254740992}"#).contains("2^53"));
        assert!(refused(br#"{"a":-9007199254740992}"#).contains("2^53"));
        assert!(refused(br#"{"a":18446744073709551616}"#).contains("not an integer"));
        assert!(refused(br#"{"b":1,"a":2}"#).contains("canonical"));
        assert!(refused(br#"{"a": 1}"#).contains("canonical"));
        assert!(refused(br#"{"a":"\u0041"}"#).contains("canonical"));
        refused(br#"{"a":-0}"#);
        assert!(refused(b"\xef\xbb\xbf{}").contains("JSON"));
        assert!(refused(b"{\"a\":\"\xff\"}").contains("UTF-8"));
        assert!(refused(b"{} {}").contains("after"));
        assert!(refused(b"{}\n").contains("LF"));
        assert!(refused(b"").contains("JSON"));
    }

    #[test]
    fn lines_enforce_one_lf_no_cr_no_empty_line() {
        let read_all = |bytes: &[u8]| -> Result<Vec<Vec<u8>>> {
            let mut lines = Lines::new(bytes, 16);
            let mut out = Vec::new();
            while let Some(l) = lines.next_line()? {
                out.push(l);
            }
            Ok(out)
        };
        assert_eq!(
            read_all(b"{}\n[]\n").expect("clean"),
            vec![b"{}".to_vec(), b"[]".to_vec()]
        );
        assert_eq!(read_all(b"").expect("empty input has no lines").len(), 0);
        let line_of = |bytes: &[u8]| match read_all(bytes) {
            Err(Error::NotCanonical { line, .. }) => line,
            other => panic!("{:?} accepted: {other:?}", String::from_utf8_lossy(bytes)),
        };
        assert_eq!(line_of(b"{}\n[]"), 2, "no trailing LF");
        assert_eq!(line_of(b"{}\n[]\n\n"), 3, "a second trailing LF");
        assert_eq!(line_of(b"{}\n\n[]\n"), 2, "an empty line");
        assert_eq!(line_of(b"{}\r\n"), 1, "CR LF");
        assert_eq!(line_of(b"{}\n{\"a\":\"\r\"}\n"), 2, "a CR inside");
        assert_eq!(line_of(b"{}\n[1,2,3,4,5,6,7,8,9]\n"), 2, "over the size limit");
        assert!(read_all(b"[1,2,3,4,5,6,7]\n").is_ok(), "exactly at the limit");
    }

    #[test]
    fn sign_and_verify_strictly() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let header = line(&json!({"format": "votekiosk-test/2", "n": 1}));
        let signature = sign(&key, &header);
        let public = key.verifying_key().to_bytes();
        assert_eq!(verify(&header, &signature, None).expect("valid"), public);
        assert_eq!(
            verify(&header, &signature, Some(&public)).expect("pinned"),
            public
        );
        // Without the LF, the same message.
        assert!(verify(&header[..header.len() - 1], &signature, Some(&public)).is_ok());

        let other = SigningKey::from_bytes(&[8u8; 32]);
        let other_public = other.verifying_key().to_bytes();
        assert!(matches!(
            verify(&header, &signature, Some(&other_public)),
            Err(Error::BadSignature(_))
        ));
        let altered = line(&json!({"format": "votekiosk-test/2", "n": 2}));
        assert!(matches!(
            verify(&altered, &signature, None),
            Err(Error::BadSignature(_))
        ));
        // A signature over the bare header (no context prefix) is refused.
        let bare = key.sign(&header[..header.len() - 1]);
        let mut wrong = signature.clone();
        wrong["value"] = json!(hex::encode(bare.to_bytes()));
        assert!(verify(&header, &wrong, None).is_err());
        // Uppercase hex, a missing or an extra field, another algorithm.
        let mut upper = signature.clone();
        upper["value"] = json!(signature["value"].as_str().expect("hex").to_uppercase());
        assert!(verify(&header, &upper, None).is_err());
        let mut extra = signature.clone();
        extra["note"] = json!("x");
        assert!(verify(&header, &extra, None).is_err());
        let mut algorithm = signature.clone();
        algorithm["algorithm"] = json!("ed25519ph");
        assert!(verify(&header, &algorithm, None).is_err());
        // S ≥ ℓ (S + ℓ is the same point for a lax verifier): refused.
        let mut sig = hex::decode(signature["value"].as_str().expect("hex")).expect("hex");
        let ell =
            hex::decode("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010").expect("hex");
        let mut carry = 0u16;
        for i in 0..32 {
            let sum = sig[32 + i] as u16 + ell[i] as u16 + carry;
            sig[32 + i] = sum as u8;
            carry = sum >> 8;
        }
        let mut malleable = signature.clone();
        malleable["value"] = json!(hex::encode(&sig));
        assert!(verify(&header, &malleable, None).is_err());
    }

    #[test]
    fn a_small_order_key_is_refused() {
        // The identity point as a key with R = identity, S = 0 "verifies"
        // under a lax check for every message.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let signature = json!({
            "algorithm": "ed25519",
            "public_key": hex::encode(identity),
            "value": hex::encode([identity, [0u8; 32]].concat()),
        });
        assert!(verify(b"{}", &signature, None).is_err());
    }

    #[test]
    fn two_line_files() {
        let key = SigningKey::from_bytes(&[9u8; 32]);
        let header = json!({"format": "votekiosk-test/2"});
        let file = two_line_file(&header, &key);
        let public = key.verifying_key().to_bytes();
        let (read, signer) = read_two_line_file(&file, Some(&public)).expect("valid");
        assert_eq!((read, signer), (header, public));
        let mut longer = file.clone();
        longer.extend_from_slice(b"{}\n");
        assert!(matches!(
            read_two_line_file(&longer, None),
            Err(Error::NotCanonical { line: 3, .. })
        ));
        let mut pretty = file.clone();
        pretty.insert(1, b' ');
        assert!(matches!(
            read_two_line_file(&pretty, None),
            Err(Error::NotCanonical { line: 1, .. })
        ));
        assert!(read_two_line_file(&file[..file.len() - 1], None).is_err());
    }

    #[test]
    fn fingerprint_groups() {
        let f = fingerprint(&[0u8; 32]);
        assert_eq!(f.split(' ').count(), 8);
        assert_eq!(f, "6668 7aad f862 bd77 6c8f c18b 8e9f 8e20");
    }
}
