//! `office count`: the election office opens a station's sealed export
//! with K trustees' shares (each passphrase from a prompt or standard
//! input), counts it and writes a result signed by the office signing
//! key. Nothing is written unless the whole count succeeds.

use std::path::{Path, PathBuf};

use serde::Serialize;

use votekiosk::crypto::seal::SealKeyPair;
use votekiosk::keys::share::rebuild;
use votekiosk::keys::{Purpose, ShareFile};
use votekiosk::seal::{open_record, Recipient, Scope};

use votekiosk::export::office::office_count;
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
/// `office`. Shares of another key are refused before anyone types;
/// `before` runs after that check and before the trustees' passphrases
/// (`office count` unlocks the signing key there).
pub fn office_key_from_shares<T>(
    shares: &[PathBuf],
    office: &[u8; 32],
    before: impl FnOnce() -> Result<T>,
) -> Result<(SealKeyPair, T)> {
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
    let extra = before()?;
    let secrets = super::office_keys::Secrets::new();
    let mut unlocked = Vec::with_capacity(files.len());
    for (name, file) in &files {
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
    Ok((pair, extra))
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
    let (pair, signing) = office_key_from_shares(shares, &office, || {
        let signing = load_signing_key(signing_key)?;
        if signing.verifying_key().to_bytes() != definition.office.signing.public_key {
            return Err(Error::WrongOfficeKey(
                "the signing key file is not this election's office signing key".into(),
            ));
        }
        Ok(signing)
    })?;
    let scope = Scope {
        definition_hash: definition.hash().0,
        station_id: export.header.station.id.clone(),
        station_public_key: export.station_key,
        test: false,
    };
    let mut open = |position: usize, blob: &[u8]| -> Result<([u8; 16], votekiosk::Ballot)> {
        let record =
            open_record(blob, definition, &scope, &pair, Recipient::Office).map_err(|f| f.at(position))?;
        Ok((record.record_id, record.ballot.clone()))
    };
    let result = office_count(
        &export,
        &mut open,
        &signing,
        now_stamp(),
        votekiosk::export::software(),
    )?;
    write_atomically(out, &result)?;
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
