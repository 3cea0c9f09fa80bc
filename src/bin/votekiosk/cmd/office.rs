//! `office count`: the election office opens a station's sealed export
//! with K trustees' shares (each passphrase from a prompt or standard
//! input), counts it and writes a result signed by the office signing
//! key. Nothing is written unless the whole count succeeds.

use std::path::{Path, PathBuf};

use serde::Serialize;

use votekiosk::crypto::seal::SealKeyPair;
use votekiosk::keys::share::rebuild;
use votekiosk::keys::{Purpose, ShareFile};

use votekiosk::export::office::office_count_sealed;
use votekiosk::export::sealed::read_sealed;
use votekiosk::{Error, Result};

use super::{refuse_existing, Ctx};
use crate::output::Outcome;

#[derive(Serialize)]
struct Counted {
    out: String,
    station_id: String,
    ballots: u64,
}

/// Now, as a stamp.
pub fn now_stamp() -> String {
    votekiosk::clock::stamp(chrono::Utc::now())
}

/// Writes `bytes` to a temporary file beside `out`, then renames it into
/// place: `out` appears whole or not at all.
pub fn write_atomically(out: &Path, bytes: &[u8]) -> Result<()> {
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = out
        .file_name()
        .ok_or_else(|| Error::InvalidInput(format!("{}: not a file name", out.display())))?;
    let tmp = dir.join(format!(".{}.tmp-{}", name.to_string_lossy(), std::process::id()));
    votekiosk::files::write_private(&tmp, bytes)?;
    if out.exists() {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::FileExists(out.display().to_string()));
    }
    std::fs::rename(&tmp, out).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::InvalidInput(format!("cannot write {}: {e}", out.display()))
    })
}

/// Unlocks the office signing key file (`votekiosk-secret-key/2`), its
/// passphrase from a prompt or standard input.
pub fn load_signing_key(path: &Path) -> Result<ed25519_dalek::SigningKey> {
    let file = votekiosk::keys::SecretKeyFile::read(path)?;
    let name = path.display().to_string();
    let passphrase = super::office_keys::Secrets::new().ask(&format!("Passphrase of {name}"), false)?;
    file.unlock(&passphrase, &name)
}

/// Rebuilds the office encryption key pair from K trustees' share files
/// (each passphrase from a prompt or standard input) and checks it is
/// `office` (for `rla start`). Shares of another key are refused before
/// anyone types.
pub fn office_key_from_shares(shares: &[PathBuf], office: &[u8; 32]) -> Result<SealKeyPair> {
    let files = read_office_shares(shares, office)?;
    unlock_office_key(&files, office)
}

/// Reads the share files and refuses, before any passphrase is asked,
/// a share of another key than `office` (another key ceremony).
fn read_office_shares(shares: &[PathBuf], office: &[u8; 32]) -> Result<Vec<(String, ShareFile)>> {
    let files: Vec<(String, ShareFile)> = shares
        .iter()
        .map(|p| Ok((p.display().to_string(), ShareFile::read(p)?)))
        .collect::<Result<_>>()?;
    for (name, file) in &files {
        if file.info.purpose != Purpose::OfficeEncryption || file.info.public_key != *office {
            return Err(Error::WrongOfficeKey(format!(
                "{name} is a share of key {}, not of this election's office encryption key {} \
                 (a share of another key ceremony?)",
                votekiosk::export::fingerprint(&file.info.public_key),
                votekiosk::export::fingerprint(office)
            )));
        }
    }
    Ok(files)
}

/// Asks each trustee's passphrase, rebuilds the secret (zeroised once the
/// key pair is derived) and checks the pair is `office`.
fn unlock_office_key(files: &[(String, ShareFile)], office: &[u8; 32]) -> Result<SealKeyPair> {
    let secrets = super::office_keys::Secrets::new();
    let mut unlocked = Vec::with_capacity(files.len());
    for (name, file) in files {
        let passphrase = secrets.ask(&format!("Passphrase of {name}"), false)?;
        unlocked.push((file.info.clone(), file.unlock(&passphrase, name)?));
    }
    let secret = rebuild(&unlocked, None)?;
    drop(unlocked);
    let pair = SealKeyPair::derive(&secret);
    drop(secret);
    if pair.public() != *office {
        return Err(Error::WrongOfficeKey(
            "the shares rebuild another key than this election's office key".into(),
        ));
    }
    Ok(pair)
}

pub fn count(
    ctx: &Ctx,
    sealed: &Path,
    shares: &[PathBuf],
    signing_key: &Path,
    out: &Path,
) -> Result<Outcome> {
    refuse_existing(out)?;
    let bytes = votekiosk::export::read_file(sealed)?;
    let export = read_sealed(&bytes)?;
    let definition = &export.definition;
    let office = definition.office.encryption.public_key;
    // Every refusal that needs no passphrase first: shares of another
    // ceremony (another office key) are named before anyone types.
    let files = read_office_shares(shares, &office)?;
    let signing = load_signing_key(signing_key)?;
    if signing.verifying_key().to_bytes() != definition.office.signing.public_key {
        return Err(Error::WrongOfficeKey(
            "the signing key file is not this election's office signing key".into(),
        ));
    }
    let pair = unlock_office_key(&files, &office)?;
    // With ballot cards, the audit manifest goes beside the result.
    let out_name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "result.jsonl".into());
    let manifest_path = out.with_file_name(votekiosk::export::manifest_name_for(&out_name));
    if definition.cards.enabled {
        refuse_existing(&manifest_path)?;
    }
    let counted = office_count_sealed(
        &export,
        &pair,
        &signing,
        now_stamp(),
        votekiosk::export::software(),
        &votekiosk::export::manifest_name_for(&out_name),
        &mut rand::rngs::OsRng,
    )?;
    if let Some((_, manifest)) = &counted.manifest {
        write_atomically(&manifest_path, manifest)?;
    }
    write_atomically(out, &counted.result)?;
    let counted = Counted {
        out: out.display().to_string(),
        station_id: export.header.station.id.clone(),
        ballots: export.header.counts.ballots,
    };
    ctx.out.emit(&counted, || {
        format!(
            "Counted station {}'s sealed export: {} ballots. Wrote {}, signed by the office.",
            counted.station_id, counted.ballots, counted.out
        )
    });
    Ok(Outcome::Done)
}
