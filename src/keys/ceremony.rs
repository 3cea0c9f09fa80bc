//! The ceremony record, `votekiosk-key-ceremony/2` (`office-key.json`):
//! the public outcome of a key ceremony or re-share (both office public
//! keys, K, N, the generation, every commitment, the trustee labels), in
//! the two-line signed form, signed by the office signing key it names.
//! Trustees compare its `commitments_digest` with their share files; a
//! record of generation g makes every older generation's shares void.

use std::path::Path;

use ed25519_dalek::SigningKey;
use serde_json::{json, Value};

use super::share::{check_bounds, check_label, Purpose};
use super::{read_small, Fields, MAX_KEY_FILE_BYTES};
use crate::crypto::seal::SUITE;
use crate::crypto::shares::Commitments;
use crate::error::{Error, Result};
use crate::signed::{fingerprint, read_two_line_file, two_line_file, MAX_INTEGER};

pub const FORMAT: &str = "votekiosk-key-ceremony/2";

/// One office key as the record states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CeremonyKey {
    pub public_key: [u8; 32],
    pub commitments: Commitments,
}

impl CeremonyKey {
    fn to_json(&self, suite: Option<&str>) -> Value {
        let mut v = json!({
            "public_key": hex::encode(self.public_key),
            "fingerprint": fingerprint(&self.public_key),
            "commitments": self.commitments.0.iter().map(hex::encode).collect::<Vec<_>>(),
            "commitments_digest": hex::encode(self.commitments.digest()),
        });
        if let Some(suite) = suite {
            v["suite"] = json!(suite);
        }
        v
    }

    fn from_json(
        value: Option<&Value>,
        name: &str,
        suite: bool,
        bad: &dyn Fn(String) -> Error,
    ) -> Result<CeremonyKey> {
        let f = Fields::new(value, name, bad)?;
        let mut fields = vec!["commitments", "commitments_digest", "fingerprint", "public_key"];
        if suite {
            fields.push("suite");
            if f.str("suite")? != SUITE {
                return Err(bad(format!("`{name}.suite` must be {SUITE}")));
            }
        }
        f.exactly(&fields)?;
        let key = CeremonyKey {
            public_key: f.hex("public_key")?,
            commitments: Commitments(f.hex_list("commitments")?),
        };
        key.commitments.validate().map_err(|e| bad(e.to_string()))?;
        if f.str("fingerprint")? != fingerprint(&key.public_key) {
            return Err(bad(format!("`{name}.fingerprint` is not the public key's")));
        }
        if f.hex::<32>("commitments_digest")? != key.commitments.digest() {
            return Err(bad(format!(
                "`{name}.commitments_digest` is not the digest of its commitments"
            )));
        }
        Ok(key)
    }

    /// The fingerprint of the public key.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.public_key)
    }
}

/// The public record of one ceremony (generation 1) or re-share (g > 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CeremonyRecord {
    pub created_at: String,
    pub generation: u64,
    pub threshold: u8,
    pub trustees: u8,
    /// Trustee `i`'s label is `trustee_labels[i - 1]`.
    pub trustee_labels: Vec<String>,
    pub encryption: CeremonyKey,
    pub signing: CeremonyKey,
}

impl CeremonyRecord {
    /// The key of one purpose.
    pub fn key(&self, purpose: Purpose) -> &CeremonyKey {
        match purpose {
            Purpose::OfficeEncryption => &self.encryption,
            Purpose::OfficeSigningBackup => &self.signing,
        }
    }

    fn validate(&self) -> Result<()> {
        check_bounds(self.threshold, self.trustees)?;
        if self.generation == 0 || self.generation > MAX_INTEGER {
            return Err(Error::InvalidInput("the generation starts at 1".into()));
        }
        if self.trustee_labels.len() != self.trustees as usize {
            return Err(Error::InvalidInput(format!(
                "{} trustee labels for {} trustees",
                self.trustee_labels.len(),
                self.trustees
            )));
        }
        for label in &self.trustee_labels {
            check_label(label)?;
        }
        for key in [&self.encryption, &self.signing] {
            key.commitments.validate()?;
            if key.commitments.threshold() != self.threshold {
                return Err(Error::InvalidInput(
                    "the commitments do not match the threshold".into(),
                ));
            }
        }
        Ok(())
    }

    fn header(&self) -> Value {
        json!({
            "format": FORMAT,
            "created_at": self.created_at,
            "generation": self.generation,
            "void_generations_before": self.generation,
            "threshold": self.threshold,
            "trustees": self.trustees,
            "trustee_labels": self.trustee_labels,
            "encryption": self.encryption.to_json(Some(SUITE)),
            "signing": self.signing.to_json(None),
        })
    }

    /// The signed file, by `key`, which must be the record's signing key.
    pub fn to_bytes(&self, key: &SigningKey) -> Result<Vec<u8>> {
        self.validate()?;
        if key.verifying_key().to_bytes() != self.signing.public_key {
            return Err(Error::KeyMismatch(
                "a ceremony record is signed by the office signing key it names".into(),
            ));
        }
        Ok(two_line_file(&self.header(), key))
    }

    pub fn read(path: &Path, expected_signing_key: Option<&[u8; 32]>) -> Result<CeremonyRecord> {
        let bytes = read_small(path, MAX_KEY_FILE_BYTES)?;
        CeremonyRecord::parse(&bytes, &path.display().to_string(), expected_signing_key)
    }

    /// Reads a record: canonical, signed by the signing key it names (and,
    /// if given, that key must be `expected_signing_key`).
    pub fn parse(
        bytes: &[u8],
        name: &str,
        expected_signing_key: Option<&[u8; 32]>,
    ) -> Result<CeremonyRecord> {
        let bad = |reason: String| Error::KeyFileInvalid {
            path: name.to_string(),
            reason,
        };
        let (header, signer) = read_two_line_file(bytes, expected_signing_key)?;
        let f = Fields::new(Some(&header), "record", &bad)?;
        if f.str("format").ok() != Some(FORMAT) {
            return Err(bad(format!("not a {FORMAT} file")));
        }
        f.exactly(&[
            "created_at",
            "encryption",
            "format",
            "generation",
            "signing",
            "threshold",
            "trustee_labels",
            "trustees",
            "void_generations_before",
        ])?;
        let labels = f
            .get("trustee_labels")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("`trustee_labels` is not a list".into()))?
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| bad("`trustee_labels` holds a non-string".into()))?;
        let record = CeremonyRecord {
            created_at: f.stamp("created_at")?,
            generation: f.uint("generation")?,
            threshold: f.u8("threshold")?,
            trustees: f.u8("trustees")?,
            trustee_labels: labels,
            encryption: CeremonyKey::from_json(f.get("encryption"), "encryption", true, &bad)?,
            signing: CeremonyKey::from_json(f.get("signing"), "signing", false, &bad)?,
        };
        if f.uint("void_generations_before")? != record.generation {
            return Err(bad("`void_generations_before` must equal `generation`".into()));
        }
        record.validate().map_err(|e| bad(e.to_string()))?;
        if signer != record.signing.public_key {
            return Err(Error::BadSignature(
                "the record is not signed by the office signing key it names".into(),
            ));
        }
        Ok(record)
    }

    /// The `office` block of a votekiosk/2 definition for these keys.
    pub fn office_block(&self) -> Value {
        json!({
            "encryption": {
                "suite": SUITE,
                "public_key": hex::encode(self.encryption.public_key),
                "fingerprint": self.encryption.fingerprint(),
                "commitment": hex::encode(self.encryption.commitments.c0()),
            },
            "signing": {
                "public_key": hex::encode(self.signing.public_key),
                "fingerprint": self.signing.fingerprint(),
                "commitment": hex::encode(self.signing.commitments.c0()),
            },
        })
    }
}
