//! The office key ceremony and re-share (`docs/office-keys.md`): make the
//! office encryption and signing secrets (or take them rebuilt from K
//! shares), split both K-of-N, run the recovery drill in memory, and lock
//! every share under its trustee's passphrase. Nothing is written here:
//! `CeremonyFiles::write` writes the whole set into a folder, refusing to
//! overwrite anything, after every file has been made.

use std::path::{Path, PathBuf};

use ed25519_dalek::{Signer, SigningKey, Verifier};
use zeroize::Zeroizing;

use super::ceremony::{CeremonyKey, CeremonyRecord};
use super::share::{check_bounds, check_label, Purpose, ShareFile, ShareInfo};
use super::{check_passphrase, SecretKeyFile};
use crate::crypto::seal::{self, SealKeyPair};
use crate::crypto::shares::{self, Share};
use crate::error::{Error, Result};

/// What a ceremony makes.
pub struct CeremonyFiles {
    pub record: CeremonyRecord,
    /// `(file name, bytes)` of every file, in writing order.
    pub files: Vec<(String, Vec<u8>)>,
}

/// The file name of trustee `index`'s share of `purpose`.
pub fn share_file_name(index: u8, purpose: Purpose) -> String {
    match purpose {
        Purpose::OfficeEncryption => format!("trustee-{index}.encryption.vkshare"),
        Purpose::OfficeSigningBackup => format!("trustee-{index}.signing-backup.vkshare"),
    }
}

pub const SIGNING_KEY_FILE: &str = "office-signing.vkkey";
pub const RECORD_FILE: &str = "office-key.json";

/// Who receives shares, and with which passphrases (one per trustee, in
/// index order; each at least 16 characters).
pub struct Trustees<'a> {
    pub threshold: u8,
    pub labels: &'a [String],
    pub passphrases: &'a [Zeroizing<String>],
}

impl Trustees<'_> {
    fn check(&self) -> Result<u8> {
        let count =
            u8::try_from(self.labels.len()).map_err(|_| Error::InvalidInput("too many trustees".into()))?;
        check_bounds(self.threshold, count)?;
        for label in self.labels {
            check_label(label)?;
        }
        if self.passphrases.len() != self.labels.len() {
            return Err(Error::InvalidInput(format!(
                "{} passphrases for {} trustees",
                self.passphrases.len(),
                self.labels.len()
            )));
        }
        for p in self.passphrases {
            check_passphrase(p)?;
        }
        Ok(count)
    }
}

/// A new office key pair set (generation 1): both secrets drawn from `rng`.
pub fn keygen(
    trustees: &Trustees,
    officer_passphrase: &str,
    created_at: &str,
    rng: &mut (impl rand_core::CryptoRngCore + ?Sized),
) -> Result<CeremonyFiles> {
    trustees.check()?;
    check_passphrase(officer_passphrase)?;
    let encryption = shares::random_secret(rng);
    let signing = shares::random_secret(rng);
    deal(
        &encryption,
        &signing,
        1,
        trustees,
        Some(officer_passphrase),
        created_at,
        rng,
    )
}

/// A ceremony (generation 1) on given secrets: for the tests' fixture
/// keys and the published demo keys, whose secrets are public. A real
/// election uses `keygen`.
pub fn keygen_from_secrets(
    encryption: &[u8; 32],
    signing: &[u8; 32],
    trustees: &Trustees,
    officer_passphrase: &str,
    created_at: &str,
    rng: &mut (impl rand_core::CryptoRngCore + ?Sized),
) -> Result<CeremonyFiles> {
    trustees.check()?;
    check_passphrase(officer_passphrase)?;
    deal(
        encryption,
        signing,
        1,
        trustees,
        Some(officer_passphrase),
        created_at,
        rng,
    )
}

/// A re-share (generation + 1) of secrets rebuilt from the old shares: the
/// same public keys and `C_0`, new shares for the new trustees. No new
/// signing key file (the results officer's file stays valid).
pub fn reshare(
    encryption: &[u8; 32],
    signing: &[u8; 32],
    old_generation: u64,
    trustees: &Trustees,
    created_at: &str,
    rng: &mut (impl rand_core::CryptoRngCore + ?Sized),
) -> Result<CeremonyFiles> {
    trustees.check()?;
    let generation = old_generation
        .checked_add(1)
        .ok_or_else(|| Error::InvalidInput("the generation is at its maximum".into()))?;
    deal(encryption, signing, generation, trustees, None, created_at, rng)
}

fn deal(
    encryption: &[u8; 32],
    signing: &[u8; 32],
    generation: u64,
    trustees: &Trustees,
    officer_passphrase: Option<&str>,
    created_at: &str,
    rng: &mut (impl rand_core::CryptoRngCore + ?Sized),
) -> Result<CeremonyFiles> {
    let count = trustees.check()?;
    let k = trustees.threshold;
    let (enc_shares, enc_commitments) = shares::split(encryption, k, count, rng)?;
    let (sig_shares, sig_commitments) = shares::split(signing, k, count, rng)?;
    let record = CeremonyRecord {
        created_at: created_at.to_string(),
        generation,
        threshold: k,
        trustees: count,
        trustee_labels: trustees.labels.to_vec(),
        encryption: CeremonyKey {
            public_key: Purpose::OfficeEncryption.public_key(encryption),
            commitments: enc_commitments,
        },
        signing: CeremonyKey {
            public_key: Purpose::OfficeSigningBackup.public_key(signing),
            commitments: sig_commitments,
        },
    };
    recovery_drill(&record, &enc_shares, &sig_shares, rng)?;

    let signing_key = SigningKey::from_bytes(signing);
    let mut files = Vec::new();
    for (purpose, parts) in [
        (Purpose::OfficeEncryption, &enc_shares),
        (Purpose::OfficeSigningBackup, &sig_shares),
    ] {
        let key = record.key(purpose);
        for share in parts.iter() {
            let i = share.index as usize;
            let info = ShareInfo {
                purpose,
                public_key: key.public_key,
                threshold: k,
                trustees: count,
                generation,
                index: share.index,
                trustee: trustees.labels[i - 1].clone(),
                commitments: key.commitments.clone(),
                created_at: created_at.to_string(),
            };
            let file = ShareFile::create(info, share, &trustees.passphrases[i - 1], rng)?;
            files.push((share_file_name(share.index, purpose), file.to_bytes()));
        }
    }
    if let Some(passphrase) = officer_passphrase {
        let key_file = SecretKeyFile::create(signing, passphrase, rng)?;
        files.push((SIGNING_KEY_FILE.to_string(), key_file.to_bytes()));
    }
    files.push((RECORD_FILE.to_string(), record.to_bytes(&signing_key)?));
    Ok(CeremonyFiles { record, files })
}

/// The recovery drill (formats.md): every share checks against the
/// commitments; the first K and the last K shares each rebuild both
/// secrets; a test message sealed to the encryption public key opens with
/// the rebuilt key, and one signed with the rebuilt signing key verifies
/// under the signing public key. Feldman alone cannot show that the
/// dealer committed to the secret behind the published key; this does.
pub fn recovery_drill(
    record: &CeremonyRecord,
    encryption_shares: &[Share],
    signing_shares: &[Share],
    rng: &mut (impl rand_core::CryptoRngCore + ?Sized),
) -> Result<()> {
    let k = record.threshold as usize;
    let drill_failed = |what: &str| Error::KeyMismatch(format!("the recovery drill failed: {what}"));
    for (parts, key) in [
        (encryption_shares, &record.encryption),
        (signing_shares, &record.signing),
    ] {
        if parts.len() < k {
            return Err(drill_failed("fewer shares than the threshold"));
        }
        for share in parts {
            shares::check(share, &key.commitments)?;
        }
    }
    let message = b"votekiosk recovery drill: K trustees open what was sealed to the office key";
    let (enc, sealed) = seal::seal(
        &record.encryption.public_key,
        b"votekiosk-drill/2",
        b"",
        message,
        rng,
    )?;
    let verifying = ed25519_dalek::VerifyingKey::from_bytes(&record.signing.public_key)
        .map_err(|_| drill_failed("the signing public key is not a point"))?;
    let n = encryption_shares.len();
    for range in [0..k, n - k..n] {
        let secret = shares::combine(&encryption_shares[range.clone()], &record.encryption.commitments)?;
        let pair = SealKeyPair::derive(&secret);
        if pair.public() != record.encryption.public_key {
            return Err(drill_failed("the shares rebuild another encryption key"));
        }
        let opened = seal::open(&pair, &enc, b"votekiosk-drill/2", b"", &sealed)?;
        if opened.as_slice() != message {
            return Err(drill_failed("the test message did not open"));
        }
        let seed = shares::combine(&signing_shares[range], &record.signing.commitments)?;
        let key = SigningKey::from_bytes(&seed);
        verifying
            .verify(message, &key.sign(message))
            .map_err(|_| drill_failed("the rebuilt signing key does not sign for the public key"))?;
    }
    Ok(())
}

impl CeremonyFiles {
    /// The paths the files would take in `dir`.
    pub fn paths(&self, dir: &Path) -> Vec<PathBuf> {
        self.files.iter().map(|(name, _)| dir.join(name)).collect()
    }

    /// Writes every file into `dir` (created if missing), owner-only.
    /// Refuses before writing anything if any of them exists already.
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>> {
        let paths = self.paths(dir);
        if let Some(existing) = paths.iter().find(|p| p.exists()) {
            return Err(Error::FileExists(existing.display().to_string()));
        }
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        for ((_, bytes), path) in self.files.iter().zip(&paths) {
            crate::files::write_private(path, bytes)?;
        }
        Ok(paths)
    }
}
