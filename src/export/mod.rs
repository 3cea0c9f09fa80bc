//! What leaves the polling station and the office, in the v2 formats
//! (design §4–§7, `docs/formats.md`): the signed result of one station
//! (`votekiosk-result/2`), the sealed export beside it for the office
//! (`votekiosk-sealed/2`), the office's signed merge of stations
//! (`votekiosk-merge/2`), the public one-pass verifier, the office count,
//! and the static `verify.html`.
//!
//! Every v2 file is lines (`lines.rs`): a canonical header, its Ed25519
//! signature, then sections the header counts and digests. No MAC: the
//! passphrase derives nothing that leaves the station. v1 result files
//! are only verified, read-only (`legacy.rs`).

pub mod b64;
mod build;
pub mod format;
pub mod html;
mod in_place;
pub mod legacy;
pub mod legacy_format;
pub mod lines;
pub mod manifest;
pub mod merge;
pub mod merkle;
pub mod office;
pub mod sealed;
pub mod verify;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use crate::definition::ElectionDefinition;
use crate::error::{Error, Result};
pub use build::{normal_form, records_sha512, write_result, ResultContent};
use format::Software;

/// The largest file read *whole* into memory (`read_file`): a legacy v1
/// file (one JSON document), a file a NIST export is built from (the
/// export is one JSON document in memory), a sealed export or audit
/// manifest. Files read as a stream (`verify`, `merge`, `tabulate
/// --result`, `receipt verify`) have no size limit, only a limit per line
/// (`lines::MAX_LINE`): a national merge (10 M ballots, ~2.5 GB) is over
/// this and must still verify.
pub const MAX_EXPORT_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// A public key's fingerprint: the first 128 bits of SHA-256 of the key,
/// in 8 groups of four hex digits.
pub fn fingerprint(public_key: &[u8; 32]) -> String {
    let digest = Sha256::digest(public_key);
    hex::encode(&digest[..16])
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The running binary, as a result's `software` names it: the commit
/// from `VOTEKIOSK_COMMIT` at build time (else `unknown`), and the
/// SHA-256 of the executable (read once, as a stream).
pub fn software() -> Software {
    static BINARY: OnceLock<String> = OnceLock::new();
    let binary_sha256 = BINARY
        .get_or_init(|| {
            std::env::current_exe()
                .and_then(|exe| file_sha256(&exe))
                .map(hex::encode)
                .unwrap_or_else(|_| "0".repeat(64))
        })
        .clone();
    let commit = option_env!("VOTEKIOSK_COMMIT")
        .filter(|c| c.len() == 40 && c.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        .unwrap_or("unknown");
    Software {
        name: "votekiosk".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        commit: commit.into(),
        binary_sha256,
        target: env!("VOTEKIOSK_TARGET").into(),
    }
}

/// SHA-256 of a file, read as a stream (an executable of tens of MB is
/// never held whole).
pub fn file_sha256(path: &Path) -> std::io::Result<[u8; 32]> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher)?;
    Ok(hasher.finalize().into())
}

/// Whether the definition is the published demo election.
/// Adapter: `definition.demo` once the v2 definition lands.
pub(crate) fn is_demo(_definition: &ElectionDefinition) -> bool {
    false
}

/// The definition's office signing key (`office.signing.public_key`).
/// Adapter: until the v2 definition lands, the test fixture's office key.
pub(crate) fn office_signing_key(_definition: &ElectionDefinition) -> [u8; 32] {
    let mut k = [0u8; 32];
    let _ = hex::decode_to_slice(
        "0ed83111c897c4f7b119d556bb37c73112e2f32d23e09b4aa71ddb7f39a47529",
        &mut k,
    );
    k
}

/// The sealed export's file name beside a result named `result`:
/// `results.jsonl` → `results.sealed.jsonl`.
pub fn sealed_name_for(result: &str) -> String {
    let stem = result.strip_suffix(".jsonl").unwrap_or(result);
    format!("{stem}.sealed.jsonl")
}

/// The audit manifest's file name beside a result named `result`:
/// `results.jsonl` → `results.manifest.jsonl`.
pub fn manifest_name_for(result: &str) -> String {
    let stem = result.strip_suffix(".jsonl").unwrap_or(result);
    format!("{stem}.manifest.jsonl")
}

/// A station's export: the result file and the sealed export beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub result: Vec<u8>,
    pub sealed: Vec<u8>,
    /// The sealed export's file name, as the result lists it.
    pub sealed_name: String,
    /// The audit manifest and its file name, when the election has ballot
    /// cards (`manifest::write_manifest`).
    pub manifest: Option<(String, Vec<u8>)>,
    /// The receipts and root, for `verify.html` and receipt checks.
    pub receipts: verify::Parsed,
}

/// Where `write_files` put things.
#[derive(Debug, Clone)]
pub struct WrittenExport {
    pub result: PathBuf,
    pub sealed: PathBuf,
    /// The audit manifest, when the election has ballot cards.
    pub manifest: Option<PathBuf>,
    pub verify_html: PathBuf,
}

/// Creates `path` with `bytes` (never over an existing file), synced.
fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Error::FileExists(path.display().to_string())
            } else {
                Error::io(path, e)
            }
        })?;
    f.write_all(bytes).map_err(|e| Error::io(path, e))?;
    f.sync_all().map_err(|e| Error::io(path, e))
}

/// Writes the result at `out` and the sealed export (and the audit
/// manifest, with ballot cards) beside it (never over an existing file), and a `verify.html` for its receipts
/// (replacing an older one).
pub fn write_files(out: &Path, export: &Export, _definition: &ElectionDefinition) -> Result<WrittenExport> {
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let sealed = dir.join(&export.sealed_name);
    if sealed.exists() {
        return Err(Error::FileExists(sealed.display().to_string()));
    }
    let manifest = export.manifest.as_ref().map(|(name, _)| dir.join(name));
    if let Some(path) = manifest.as_ref().filter(|p| p.exists()) {
        return Err(Error::FileExists(path.display().to_string()));
    }
    write_new(out, &export.result)?;
    write_new(&sealed, &export.sealed)?;
    if let (Some(path), Some((_, bytes))) = (&manifest, &export.manifest) {
        write_new(path, bytes)?;
    }
    let html_path = dir.join("verify.html");
    let page = html::verify_page(&mut export.result.as_slice())?;
    std::fs::write(&html_path, page).map_err(|e| Error::io(&html_path, e))?;
    Ok(WrittenExport {
        result: out.to_path_buf(),
        sealed,
        manifest,
        verify_html: html_path,
    })
}

/// Whether a file can be read as a stream: it exists and is a file
/// (checked before any work starts). No size limit: a stream holds one
/// line at a time (see `MAX_EXPORT_BYTES`).
pub fn check_readable(path: &Path) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::FileNotFound(path.display().to_string())
        } else {
            Error::io(path, e)
        }
    })?;
    if !meta.is_file() {
        return Err(Error::io(path, std::io::Error::other("not a file")));
    }
    Ok(())
}

/// Reads a file whole, refusing one over `MAX_EXPORT_BYTES` before
/// reading (for files that are one document; streams use
/// `check_readable`).
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

    use super::legacy_format::Cvr;
    use super::legacy_format::{canonical_records, Members};
    use crate::canonical::to_canonical_string;

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
        // Each v2 record line is a record's canonical text, as the verifier checks.
        for (record, value) in records.iter().zip(value.as_array().expect("list")) {
            let record = super::format::Record {
                id: record.id.clone(),
                selections: record.selections.clone(),
            };
            assert_eq!(
                serde_json::to_string(&record).expect("line"),
                to_canonical_string(value)
            );
        }
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

#[cfg(test)]
mod tests_v2;
