//! Trustee share files, `votekiosk-share/2` (`docs/formats.md`): one
//! trustee's Feldman share of an office secret, locked under Argon2id of
//! that trustee's passphrase with ChaCha20-Poly1305, the whole public part
//! as AAD. `rebuild` combines K unlocked shares of one ceremony and
//! generation and checks the result against the published public key.

use std::path::Path;

use serde_json::{json, Value};
use zeroize::Zeroizing;

use super::{argon2id, check_passphrase, read_small, Cipher, Fields, KdfParams, MAX_KEY_FILE_BYTES};
use crate::canonical::to_canonical_string;
use crate::crypto::shares::{self, Commitments, Share, MAX_SHARES};
use crate::error::{Error, Result};
use crate::signed::{fingerprint, line, parse_line, Lines, MAX_INTEGER};

pub const FORMAT: &str = "votekiosk-share/2";
pub const SCHEME: &str = "feldman-ristretto255/2";

/// What a share rebuilds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Purpose {
    /// The office's HPKE key (opens sealed ballots).
    OfficeEncryption,
    /// A backup of the office signing key's seed.
    OfficeSigningBackup,
}

impl Purpose {
    pub fn name(self) -> &'static str {
        match self {
            Purpose::OfficeEncryption => "office-encryption",
            Purpose::OfficeSigningBackup => "office-signing-backup",
        }
    }

    fn parse(text: &str) -> Option<Purpose> {
        match text {
            "office-encryption" => Some(Purpose::OfficeEncryption),
            "office-signing-backup" => Some(Purpose::OfficeSigningBackup),
            _ => None,
        }
    }

    /// The public key the secret `s` makes for this purpose.
    pub fn public_key(self, secret: &[u8; 32]) -> [u8; 32] {
        match self {
            Purpose::OfficeEncryption => super::encryption_public_key(secret),
            Purpose::OfficeSigningBackup => super::signing_public_key(secret),
        }
    }
}

/// The public part of a share file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareInfo {
    pub purpose: Purpose,
    pub public_key: [u8; 32],
    pub threshold: u8,
    pub trustees: u8,
    pub generation: u64,
    pub index: u8,
    pub trustee: String,
    pub commitments: Commitments,
    pub created_at: String,
}

impl ShareInfo {
    /// The rules every share file keeps: 2 ≤ K ≤ N − 1 (one lost share
    /// never loses the key), N ≤ 32, 1 ≤ index ≤ N, a label of 1–64
    /// characters, K valid commitments.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Error::InvalidInput(m);
        check_bounds(self.threshold, self.trustees)?;
        if self.index == 0 || self.index > self.trustees {
            return Err(bad(format!(
                "share index {} is not between 1 and {}",
                self.index, self.trustees
            )));
        }
        if self.generation == 0 || self.generation > MAX_INTEGER {
            return Err(bad("the generation starts at 1".into()));
        }
        check_label(&self.trustee)?;
        if self.commitments.threshold() != self.threshold {
            return Err(bad(format!(
                "{} commitments for a threshold of {}",
                self.commitments.0.len(),
                self.threshold
            )));
        }
        self.commitments.validate()
    }

    /// The fingerprint of the public key.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.public_key)
    }

    fn header(&self, kdf: &KdfParams) -> Value {
        json!({
            "format": FORMAT,
            "purpose": self.purpose.name(),
            "public_key": hex::encode(self.public_key),
            "fingerprint": self.fingerprint(),
            "scheme": SCHEME,
            "threshold": self.threshold,
            "trustees": self.trustees,
            "generation": self.generation,
            "index": self.index,
            "trustee": self.trustee,
            "commitments": self.commitments.0.iter().map(hex::encode).collect::<Vec<_>>(),
            "commitments_digest": hex::encode(self.commitments.digest()),
            "created_at": self.created_at,
            "kdf": kdf.to_json(),
        })
    }
}

/// K and N of an office key: 2 ≤ K, K + 1 ≤ N ≤ 32.
pub fn check_bounds(threshold: u8, trustees: u8) -> Result<()> {
    if threshold < 2 || trustees < threshold.saturating_add(1) || trustees > MAX_SHARES {
        return Err(Error::InvalidInput(format!(
            "an office key needs 2 ≤ threshold and threshold + 1 ≤ trustees ≤ {MAX_SHARES} \
             (so one lost share never loses the election); {threshold} of {trustees} is not allowed"
        )));
    }
    Ok(())
}

/// A trustee label: 1–64 characters, no control characters.
pub fn check_label(label: &str) -> Result<()> {
    let n = label.chars().count();
    if !(1..=64).contains(&n) || label.chars().any(char::is_control) || label.trim() != label {
        return Err(Error::InvalidInput(format!(
            "invalid trustee label {label:?}: use 1-64 characters, no control characters or outer spaces"
        )));
    }
    Ok(())
}

/// A share file: its public part and the locked share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareFile {
    pub info: ShareInfo,
    kdf: KdfParams,
    cipher: Cipher,
}

impl ShareFile {
    /// Locks `share` under `passphrase` (at least 16 characters). The share
    /// must be the one `info` describes (checked against its commitments).
    pub fn create(
        info: ShareInfo,
        share: &Share,
        passphrase: &str,
        rng: &mut (impl rand_core::CryptoRngCore + ?Sized),
    ) -> Result<ShareFile> {
        check_passphrase(passphrase)?;
        info.validate()?;
        if share.index != info.index {
            return Err(Error::InvalidInput(
                "the share's index differs from the file's".into(),
            ));
        }
        shares::check(share, &info.commitments)?;
        let kdf = KdfParams::fresh(rng);
        let key = argon2id(passphrase.as_bytes(), &kdf.salt, &kdf)?;
        let aad = to_canonical_string(&info.header(&kdf));
        let cipher = Cipher::seal(&key, aad.as_bytes(), &share.value, rng)?;
        Ok(ShareFile { info, kdf, cipher })
    }

    /// The file's bytes: its canonical JSON and one LF.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut value = self.info.header(&self.kdf);
        value["cipher"] = self.cipher.to_json();
        line(&value)
    }

    /// Reads a share file (no passphrase needed for its public part).
    pub fn read(path: &Path) -> Result<ShareFile> {
        let bytes = read_small(path, MAX_KEY_FILE_BYTES)?;
        ShareFile::parse(&bytes, &path.display().to_string())
    }

    /// Parses a share file's bytes; `name` names it in errors.
    pub fn parse(bytes: &[u8], name: &str) -> Result<ShareFile> {
        let bad = |reason: String| Error::KeyFileInvalid {
            path: name.to_string(),
            reason,
        };
        let mut lines = Lines::new(bytes, MAX_KEY_FILE_BYTES as usize);
        let first = lines
            .next_line()?
            .ok_or_else(|| bad("the file is empty".into()))?;
        if lines.next_line()?.is_some() {
            return Err(bad("a share file is one line".into()));
        }
        let value = parse_line(&first, 1)?;
        let f = Fields::new(Some(&value), "share", &bad)?;
        if f.str("format").ok() != Some(FORMAT) {
            return Err(bad(format!("not a {FORMAT} file")));
        }
        f.exactly(&[
            "cipher",
            "commitments",
            "commitments_digest",
            "created_at",
            "fingerprint",
            "format",
            "generation",
            "index",
            "kdf",
            "public_key",
            "purpose",
            "scheme",
            "threshold",
            "trustee",
            "trustees",
        ])?;
        let purpose = Purpose::parse(f.str("purpose")?).ok_or_else(|| bad("unknown `purpose`".into()))?;
        if f.str("scheme")? != SCHEME {
            return Err(bad(format!("the scheme must be {SCHEME}")));
        }
        let info = ShareInfo {
            purpose,
            public_key: f.hex("public_key")?,
            threshold: f.u8("threshold")?,
            trustees: f.u8("trustees")?,
            generation: f.uint("generation")?,
            index: f.u8("index")?,
            trustee: f.str("trustee")?.to_string(),
            commitments: Commitments(f.hex_list("commitments")?),
            created_at: f.stamp("created_at")?,
        };
        info.validate().map_err(|e| bad(e.to_string()))?;
        if f.str("fingerprint")? != info.fingerprint() {
            return Err(bad("`fingerprint` is not the public key's".into()));
        }
        if f.hex::<32>("commitments_digest")? != info.commitments.digest() {
            return Err(bad(
                "`commitments_digest` is not the digest of `commitments`".into()
            ));
        }
        let kdf = KdfParams::from_json(f.get("kdf"), &bad)?;
        let cipher = Cipher::from_json(f.get("cipher"), &bad)?;
        Ok(ShareFile { info, kdf, cipher })
    }

    /// Unlocks the share with its trustee's passphrase and checks it
    /// against the file's commitments. `name` names the file in errors.
    pub fn unlock(&self, passphrase: &str, name: &str) -> Result<Share> {
        let key = argon2id(passphrase.as_bytes(), &self.kdf.salt, &self.kdf)?;
        let aad = to_canonical_string(&self.info.header(&self.kdf));
        let value = self
            .cipher
            .open(&key, aad.as_bytes())
            .ok_or_else(|| Error::WrongKeyPassphrase(name.to_string()))?;
        let share = Share {
            index: self.info.index,
            value,
        };
        shares::check(&share, &self.info.commitments)?;
        Ok(share)
    }
}

/// Whether share files belong together, before any passphrase is asked:
/// one purpose, one public key, one generation, one set of commitments.
pub fn check_together<'a>(infos: impl IntoIterator<Item = &'a ShareInfo>) -> Result<()> {
    let mut infos = infos.into_iter();
    let Some(first) = infos.next() else {
        return Ok(());
    };
    for info in infos {
        if info.purpose != first.purpose {
            return Err(Error::KeyMismatch(format!(
                "share {} is an {} share, share {} an {} share",
                info.index,
                info.purpose.name(),
                first.index,
                first.purpose.name()
            )));
        }
        if info.public_key != first.public_key {
            return Err(Error::KeyMismatch(format!(
                "share {} belongs to another office key (fingerprint {}, not {}): it comes from another ceremony",
                info.index,
                info.fingerprint(),
                first.fingerprint()
            )));
        }
        if info.generation != first.generation {
            return Err(Error::KeyMismatch(format!(
                "shares of generation {} and {} cannot be combined: use only the share files of the newest re-share",
                first.generation, info.generation
            )));
        }
        if info.commitments != first.commitments {
            return Err(Error::KeyMismatch(format!(
                "share {} has other commitments (digest {}) than share {} (digest {}): they come from different ceremonies",
                info.index,
                hex::encode(info.commitments.digest()),
                first.index,
                hex::encode(first.commitments.digest())
            )));
        }
    }
    Ok(())
}

/// Rebuilds an office secret from unlocked shares: all of one purpose,
/// one public key, one generation and one set of commitments (so one
/// ceremony), at least K of them; with a ceremony record, not of a
/// generation it made void. The result must make the files' public key.
pub fn rebuild(
    unlocked: &[(ShareInfo, Share)],
    ceremony: Option<&super::CeremonyRecord>,
) -> Result<Zeroizing<[u8; 32]>> {
    let (first, _) = unlocked.first().ok_or(Error::TooFewShares { have: 0, need: 2 })?;
    check_together(unlocked.iter().map(|(info, _)| info))?;
    if let Some(record) = ceremony {
        let expected = record.key(first.purpose);
        if expected.public_key != first.public_key {
            return Err(Error::KeyMismatch(format!(
                "the shares belong to key {}, the ceremony record to {}",
                first.fingerprint(),
                fingerprint(&expected.public_key)
            )));
        }
        if first.generation < record.generation {
            return Err(Error::KeyMismatch(format!(
                "these shares are of generation {}, which the ceremony record of generation {} made void",
                first.generation, record.generation
            )));
        }
        if first.generation == record.generation && expected.commitments != first.commitments {
            return Err(Error::KeyMismatch(
                "the shares' commitments differ from the ceremony record's".into(),
            ));
        }
    }
    let shares: Vec<Share> = unlocked.iter().map(|(_, s)| s.clone()).collect();
    let secret = shares::combine(&shares, &first.commitments)?;
    if first.purpose.public_key(&secret) != first.public_key {
        return Err(Error::KeyMismatch("the shares rebuild another key".into()));
    }
    Ok(secret)
}
