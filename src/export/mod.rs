//! What leaves the polling station: the signed result file
//! (`votekiosk-result/1`), its public verifier, receipt inclusion, the
//! static `verify.html` written next to it, and merging stations.
//!
//! The file is one canonical JSON document (`crate::canonical`). The HMAC
//! covers the canonical bytes of the document without its `signature` and
//! `mac` members; the Ed25519 signature covers the canonical bytes without
//! `signature` alone, so the MAC is signed too and no byte goes
//! unprotected (`seal`). Verification needs no secret; the passphrase only
//! adds the HMAC check.

mod build;
pub mod format;
pub mod html;
pub mod merge;
pub mod merkle;
pub mod verify;

use std::path::{Path, PathBuf};

use ed25519_dalek::{Signer, SigningKey};
use sha2::{Digest, Sha256};

use crate::canonical::to_canonical_string;
use crate::error::{Error, Result};
pub use build::{build_result_file, StationExport};
use format::{Mac, ResultFile, Signature};

/// The largest export the verifier reads (a million ballots is ~150 MB).
pub const MAX_EXPORT_BYTES: u64 = 2 * 1024 * 1024 * 1024;
const MAC_DOMAIN: &[u8] = b"votekiosk-export-mac/1";

pub fn software() -> String {
    format!("votekiosk {}", env!("CARGO_PKG_VERSION"))
}

/// A station's signing key fingerprint: the first 128 bits of SHA-256 of
/// the public key, in groups of four hex digits.
pub fn fingerprint(public_key: &[u8; 32]) -> String {
    let digest = Sha256::digest(public_key);
    hex::encode(&digest[..16])
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A JSON object's members, each value already in canonical form. The
/// canonical text of the object (or of the object without some members)
/// is then put together from them: the same bytes as `to_canonical_string`
/// of the whole object, without cloning a document of a million records
/// or building it as one `Value`.
pub(crate) struct Members(Vec<(String, String)>);

impl Members {
    pub(crate) fn of(doc: &serde_json::Value) -> Result<Members> {
        let obj = doc
            .as_object()
            .ok_or_else(|| Error::InvalidInput("a result file is a JSON object".into()))?;
        Ok(Members(
            obj.iter()
                .map(|(k, v)| (k.clone(), to_canonical_string(v)))
                .collect(),
        ))
    }

    /// Sets member `key` to a value given in canonical form.
    pub(crate) fn set(&mut self, key: &str, canonical: String) {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some(member) => member.1 = canonical,
            None => self.0.push((key.to_string(), canonical)),
        }
    }

    /// The object's members in canonical order (sorted by the bytes of
    /// their key, as `canonical` sorts them), leaving out those in `skip`:
    /// each as the text before its value (`,` and the key) and its value.
    fn pieces(&self, skip: &[&str]) -> Vec<(String, &str)> {
        let mut kept: Vec<(&str, &str)> = self
            .0
            .iter()
            .filter(|(k, _)| !skip.contains(&k.as_str()))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        kept.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        kept.iter()
            .enumerate()
            .map(|(i, (key, value))| {
                let key = to_canonical_string(&serde_json::Value::String((*key).to_string()));
                (format!("{}{key}:", if i > 0 { "," } else { "" }), *value)
            })
            .collect()
    }

    /// The object's canonical text, leaving out the members in `skip`.
    pub(crate) fn text_without(&self, skip: &[&str]) -> String {
        let pieces = self.pieces(skip);
        let size: usize = pieces.iter().map(|(p, v)| p.len() + v.len()).sum();
        let mut out = String::with_capacity(size + 2);
        out.push('{');
        for (prefix, value) in pieces {
            out.push_str(&prefix);
            out.push_str(value);
        }
        out.push('}');
        out
    }

    /// Whether `bytes` are exactly the object's canonical text (without
    /// writing that text out: it can be as large as the file).
    pub(crate) fn is_text_of(&self, bytes: &[u8]) -> bool {
        let Some(mut rest) = bytes.strip_prefix(b"{") else {
            return false;
        };
        for (prefix, value) in self.pieces(&[]) {
            match rest
                .strip_prefix(prefix.as_bytes())
                .and_then(|r| r.strip_prefix(value.as_bytes()))
            {
                Some(r) => rest = r,
                None => return false,
            }
        }
        rest == b"}"
    }
}

/// The members of `doc` in canonical form, its records (`records(doc)`)
/// put in canonical form one by one rather than serialised with the rest.
pub(crate) fn members_around_records<T: serde::Serialize>(
    doc: &mut T,
    records: fn(&mut T) -> &mut Vec<format::Cvr>,
) -> Result<Members> {
    let taken = std::mem::take(records(doc));
    let value = serde_json::to_value(&*doc);
    *records(doc) = taken;
    let value = value.map_err(|e| Error::InvalidInput(format!("result file: {e}")))?;
    let mut members = Members::of(&value)?;
    members.set("cast_vote_records", canonical_records(records(doc))?);
    Ok(members)
}

/// The canonical text of a list of records. A record serialises straight
/// into its canonical form: its two fields are declared in key order (`id`
/// before `selections`), its selections are a `BTreeMap` (sorted by the
/// bytes of the key; serde_json's `preserve_order` only concerns `Value`
/// maps), it holds only strings, and serde_json escapes a string exactly
/// as `canonical` does. The test `records_serialise_canonically` holds the
/// two to the same bytes. A tenth of the cost of a `Value` per record.
pub(crate) fn canonical_records(records: &[format::Cvr]) -> Result<String> {
    let mut out = Vec::with_capacity(records.len() * 200 + 2);
    out.push(b'[');
    for (i, record) in records.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut out, record)
            .map_err(|e| Error::InvalidInput(format!("cast vote record: {e}")))?;
    }
    out.push(b']');
    String::from_utf8(out).map_err(|e| Error::InvalidInput(format!("cast vote records: {e}")))
}

/// The records' canonical texts (see `canonical_records`) one after
/// another in one string, with where each lies in it.
pub(crate) fn canonical_record_texts(
    records: &[format::Cvr],
) -> Result<(String, Vec<std::ops::Range<usize>>)> {
    let mut out = Vec::with_capacity(records.len() * 200);
    let mut spans = Vec::with_capacity(records.len());
    for record in records {
        let start = out.len();
        serde_json::to_writer(&mut out, record)
            .map_err(|e| Error::InvalidInput(format!("cast vote record: {e}")))?;
        spans.push(start..out.len());
    }
    let text = String::from_utf8(out).map_err(|e| Error::InvalidInput(format!("cast vote records: {e}")))?;
    Ok((text, spans))
}

/// A list's canonical text from its items' canonical texts.
pub(crate) fn canonical_list<'a>(items: impl Iterator<Item = &'a str> + Clone) -> String {
    let size: usize = items.clone().map(|t| t.len() + 1).sum();
    let mut out = String::with_capacity(size + 2);
    out.push('[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(item);
    }
    out.push(']');
    out
}

/// The export MAC key from the station file key.
pub fn mac_key(file_key: &[u8; 32]) -> [u8; 32] {
    crate::crypto::hmac(file_key, &[MAC_DOMAIN])
}

/// MACs, then signs `file` (the signature covers the MAC) and returns
/// the canonical text to write.
pub fn seal(
    mut file: ResultFile,
    signing: &SigningKey,
    mac_key: &[u8; 32],
    salt: &[u8; 16],
) -> Result<String> {
    fn to_value(v: &impl serde::Serialize) -> Result<serde_json::Value> {
        serde_json::to_value(v).map_err(|e| Error::InvalidInput(format!("result file: {e}")))
    }
    file.signature = None;
    file.mac = None;
    // The records are nearly all of the file: put them in canonical form
    // once, record by record, and the small rest of the document around
    // them (`Members`), rather than serialising the whole file three times.
    let mut members = members_around_records(&mut file, |f| &mut f.cast_vote_records)?;
    // The HMAC covers the document without `signature` and `mac` (neither is set yet).
    let bytes = members.text_without(&[]);
    let mac = Mac {
        algorithm: "hmac-sha256".into(),
        salt: hex::encode(salt),
        value: hex::encode(crate::crypto::hmac(mac_key, &[bytes.as_bytes()])),
    };
    members.set("mac", to_canonical_string(&to_value(&mac)?));
    // The signature covers everything but itself, the MAC included.
    let bytes = members.text_without(&[]);
    let signature = Signature {
        algorithm: "ed25519".into(),
        value: hex::encode(signing.sign(bytes.as_bytes()).to_bytes()),
    };
    members.set("signature", to_canonical_string(&to_value(&signature)?));
    Ok(members.text_without(&[]))
}

/// Where `write_files` put things.
#[derive(Debug, Clone)]
pub struct WrittenExport {
    pub result: PathBuf,
    pub verify_html: PathBuf,
}

/// Writes the result file at `out` (never over an existing file) and a
/// `verify.html` for its receipts next to it (replacing an older one).
pub fn write_files(out: &Path, text: &str) -> Result<WrittenExport> {
    use std::io::Write;
    let file: ResultFile =
        serde_json::from_str(text).map_err(|e| Error::InvalidInput(format!("result file: {e}")))?;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(out)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Error::FileExists(out.display().to_string())
            } else {
                Error::io(out, e)
            }
        })?;
    f.write_all(text.as_bytes()).map_err(|e| Error::io(out, e))?;
    f.sync_all().map_err(|e| Error::io(out, e))?;
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let html_path = dir.join("verify.html");
    std::fs::write(&html_path, html::verify_page_v1(&file)).map_err(|e| Error::io(&html_path, e))?;
    Ok(WrittenExport {
        result: out.to_path_buf(),
        verify_html: html_path,
    })
}

/// Reads an export (or merge) file, refusing absurd sizes before reading.
pub fn read_file(path: &Path) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::FileNotFound(path.display().to_string())
        } else {
            Error::io(path, e)
        }
    })?;
    if meta.len() > MAX_EXPORT_BYTES {
        return Err(Error::TooLarge {
            what: path.display().to_string(),
            size: meta.len(),
            limit: MAX_EXPORT_BYTES,
        });
    }
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::format::Cvr;
    use super::*;

    #[test]
    fn records_serialise_canonically() {
        // Every ASCII character (controls, quotes, backslash, DEL), then
        // Latin, combining, CJK and astral characters, in ids, contest
        // keys (sorted by byte: "Z" < "a" < "é") and choices.
        let ascii: String = (0u8..=0x7f).map(char::from).collect();
        let texts = [
            ascii.as_str(),
            "",
            "write-in:Ana María Ruiz",
            "e\u{301}\u{2028}\u{2029}\u{feff}",
            "\u{4e2d}\u{6587} \u{1f5f3}\u{fe0f}",
            "\"quoted\" \\ back/slash",
        ];
        let mut records = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            let mut selections = BTreeMap::new();
            for key in ["a", "Z", "é", "school-board", text] {
                selections.insert(format!("{key}{i}"), vec![text.to_string(), "yes".into()]);
            }
            selections.insert("empty".into(), Vec::new());
            records.push(Cvr {
                id: format!("{text}{i:032x}"),
                selections,
            });
        }
        let value = serde_json::to_value(&records).expect("value");
        assert_eq!(
            canonical_records(&records).expect("records"),
            to_canonical_string(&value)
        );
        let (text, spans) = canonical_record_texts(&records).expect("records");
        assert_eq!(
            canonical_list(spans.iter().map(|s| &text[s.clone()])),
            to_canonical_string(&value)
        );
        assert_eq!(canonical_records(&[]).expect("none"), "[]");
    }

    #[test]
    fn members_put_together_the_canonical_text_and_recognise_only_it() {
        let doc = serde_json::json!({"b": [1, "x\n"], "a": {"z": null, "y": true}, "é": "é", "B": 2});
        let members = Members::of(&doc).expect("an object");
        let text = members.text_without(&[]);
        assert_eq!(text, to_canonical_string(&doc));
        assert!(members.is_text_of(text.as_bytes()));
        for bad in [
            format!("{text}\n"),
            format!(" {text}"),
            text[..text.len() - 1].to_string(),
            text.replace("true", "false"),
            "{}".to_string(),
            String::new(),
        ] {
            assert!(!members.is_text_of(bad.as_bytes()), "{bad:?}");
        }
        let without = serde_json::json!({"a": {"z": null, "y": true}, "é": "é"});
        assert_eq!(members.text_without(&["b", "B"]), to_canonical_string(&without));
        assert!(Members::of(&serde_json::json!([1])).is_err());
    }
}
