//! What leaves the polling station: the signed result file
//! (`votekiosk-result/1`), its public verifier, receipt inclusion, the
//! static `verify.html` written next to it, and merging stations.
//!
//! The file is one canonical JSON document (`crate::canonical`). The
//! Ed25519 signature and the HMAC cover the canonical bytes of the document
//! without its `signature` and `mac` members. Verification needs no secret;
//! the passphrase only adds the HMAC check.

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

/// The bytes the HMAC covers: the canonical document without `signature`
/// and `mac`.
pub fn mac_bytes(doc: &serde_json::Value) -> Result<String> {
    without(doc, &["signature", "mac"])
}

/// The bytes the signature covers: the canonical document without
/// `signature` (so the MAC is signed too, and no byte goes unprotected).
pub fn signed_bytes(doc: &serde_json::Value) -> Result<String> {
    without(doc, &["signature"])
}

fn without(doc: &serde_json::Value, members: &[&str]) -> Result<String> {
    let mut doc = doc.clone();
    let obj = doc
        .as_object_mut()
        .ok_or_else(|| Error::InvalidInput("a result file is a JSON object".into()))?;
    for m in members {
        obj.remove(*m);
    }
    Ok(to_canonical_string(&doc))
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
    let to_value = |f: &ResultFile| {
        serde_json::to_value(f).map_err(|e| Error::InvalidInput(format!("result file: {e}")))
    };
    file.signature = None;
    file.mac = None;
    let bytes = mac_bytes(&to_value(&file)?)?;
    file.mac = Some(Mac {
        algorithm: "hmac-sha256".into(),
        salt: hex::encode(salt),
        value: hex::encode(crate::crypto::hmac(mac_key, &[bytes.as_bytes()])),
    });
    let bytes = signed_bytes(&to_value(&file)?)?;
    file.signature = Some(Signature {
        algorithm: "ed25519".into(),
        value: hex::encode(signing.sign(bytes.as_bytes()).to_bytes()),
    });
    Ok(to_canonical_string(&to_value(&file)?))
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
    std::fs::write(&html_path, html::verify_page(&file)).map_err(|e| Error::io(&html_path, e))?;
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
