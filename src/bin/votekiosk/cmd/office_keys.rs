//! The election office's key commands (`docs/office-keys.md`): `office
//! keygen` (the key ceremony), `office share check` (a trustee checks
//! their share, writing nothing), `office reshare` (replace trustees, same
//! public keys) and `office trust add` (pin a station's keys in the signed
//! trusted-keys file). Passphrases come from a hidden prompt (new ones
//! typed twice) or, when standard input is not a terminal, one line each
//! from standard input; never from argv.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;
use zeroize::Zeroizing;

use votekiosk::crypto::shares::Share;
use votekiosk::keys::office::{self, CeremonyFiles, Trustees};
use votekiosk::keys::share::{check_together, rebuild};
use votekiosk::keys::{Evidence, Purpose, SecretKeyFile, ShareFile, ShareInfo, TrustedKeys, TrustedStation};
use votekiosk::signed::fingerprint;
use votekiosk::{ElectionDefinition, Error, Result};

use super::Ctx;
use crate::args::{OfficeCommand, ShareCommand, TrustCommand};
use crate::output::Outcome;

pub fn run(ctx: &Ctx, command: &OfficeCommand) -> Result<Outcome> {
    match command {
        OfficeCommand::Count {
            sealed,
            shares,
            signing_key,
            out,
        } => super::office::count(ctx, sealed, shares, signing_key, out),
        OfficeCommand::Keygen {
            trustees,
            threshold,
            out,
            labels,
        } => keygen(ctx, *trustees, *threshold, out, labels),
        OfficeCommand::Share {
            command: ShareCommand::Check { file, definition },
        } => share_check(ctx, file, definition.as_deref()),
        OfficeCommand::Reshare {
            shares,
            trustees,
            threshold,
            out,
            labels,
        } => reshare(ctx, shares, *trustees, *threshold, out, labels),
        OfficeCommand::Trust {
            command:
                TrustCommand::Add {
                    trusted_keys,
                    definition,
                    station_id,
                    public_key,
                    closing_key,
                    evidence,
                    signing_key,
                },
        } => trust_add(
            ctx,
            &TrustAdd {
                trusted_keys,
                definition,
                station_id,
                public_key,
                closing_key,
                evidence: match evidence {
                    crate::args::EvidenceArg::ZeroReport => Evidence::ZeroReport,
                    crate::args::EvidenceArg::OfficeSetup => Evidence::OfficeSetup,
                },
                signing_key,
            },
        ),
    }
}

/// Passphrases, one per call: a hidden prompt on a terminal, else the next
/// line of standard input.
pub struct Secrets {
    terminal: bool,
}

impl Secrets {
    pub fn new() -> Secrets {
        Secrets {
            terminal: std::io::stdin().is_terminal(),
        }
    }

    pub fn ask(&self, prompt: &str, new: bool) -> Result<Zeroizing<String>> {
        if !self.terminal {
            let mut line = Zeroizing::new(String::new());
            let n = std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| Error::InvalidInput(format!("cannot read standard input: {e}")))?;
            if n == 0 {
                return Err(Error::InvalidInput(format!(
                    "{prompt}: standard input ended; give one passphrase per line"
                )));
            }
            return Ok(Zeroizing::new(line.trim_end_matches(['\r', '\n']).to_string()));
        }
        let read = |p: &str| {
            rpassword::prompt_password(format!("{p}: "))
                .map(Zeroizing::new)
                .map_err(|e| Error::InvalidInput(format!("cannot read {p}: {e}")))
        };
        let first = read(prompt)?;
        if new {
            votekiosk::keys::check_passphrase(&first)?;
            if *read(&format!("{prompt} (again)"))? != *first {
                return Err(Error::InvalidInput("the two entries differ".into()));
            }
        }
        Ok(first)
    }
}

fn now_stamp() -> String {
    votekiosk::clock::stamp(chrono::Utc::now())
}

fn labels_for(labels: &[String], trustees: u8) -> Result<Vec<String>> {
    if labels.is_empty() {
        return Ok((1..=trustees).map(|i| format!("trustee {i}")).collect());
    }
    if labels.len() != trustees as usize {
        return Err(Error::InvalidInput(format!(
            "--labels gives {} labels for {trustees} trustees",
            labels.len()
        )));
    }
    Ok(labels.to_vec())
}

/// Asks each new trustee's passphrase (checked as it comes).
fn new_passphrases(secrets: &Secrets, labels: &[String]) -> Result<Vec<Zeroizing<String>>> {
    labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let p = secrets.ask(&format!("New passphrase for trustee {} ({label})", i + 1), true)?;
            votekiosk::keys::check_passphrase(&p)?;
            Ok(p)
        })
        .collect()
}

#[derive(Serialize)]
struct KeyOut {
    public_key: String,
    fingerprint: String,
    commitment: String,
    commitments_digest: String,
}

impl KeyOut {
    fn of(key: &votekiosk::keys::ceremony::CeremonyKey) -> KeyOut {
        KeyOut {
            public_key: hex::encode(key.public_key),
            fingerprint: key.fingerprint(),
            commitment: hex::encode(key.commitments.c0()),
            commitments_digest: hex::encode(key.commitments.digest()),
        }
    }
}

#[derive(Serialize)]
struct Ceremony {
    out: String,
    files: Vec<String>,
    generation: u64,
    threshold: u8,
    trustees: u8,
    encryption: KeyOut,
    signing: KeyOut,
    recovery_drill: &'static str,
    office: Value,
}

fn report(ctx: &Ctx, dir: &Path, made: &CeremonyFiles, written: &[PathBuf]) {
    let r = &made.record;
    let answer = Ceremony {
        out: dir.display().to_string(),
        files: written.iter().map(|p| p.display().to_string()).collect(),
        generation: r.generation,
        threshold: r.threshold,
        trustees: r.trustees,
        encryption: KeyOut::of(&r.encryption),
        signing: KeyOut::of(&r.signing),
        recovery_drill: "passed",
        office: r.office_block(),
    };
    ctx.out.emit(&answer, || {
        let office = serde_json::to_string_pretty(&answer.office).unwrap_or_default();
        format!(
            "Office keys, generation {}: {} of {} trustees rebuild each key.\n\
             Recovery drill: passed (K shares rebuilt both keys; a test message opened and a signature verified).\n\
             Encryption key  {}\n  fingerprint   {}\n  commitments   {}  (every trustee compares this aloud)\n\
             Signing key     {}\n  fingerprint   {}\n  commitments   {}\n\
             Wrote {} files into {}:\n  {}\n\
             Paste this `office` block into the votekiosk/2 definition:\n{office}",
            answer.generation,
            answer.threshold,
            answer.trustees,
            answer.encryption.public_key,
            answer.encryption.fingerprint,
            answer.encryption.commitments_digest,
            answer.signing.public_key,
            answer.signing.fingerprint,
            answer.signing.commitments_digest,
            answer.files.len(),
            answer.out,
            answer.files.join("\n  "),
        )
    });
}

/// `office keygen`: the key ceremony.
pub fn keygen(ctx: &Ctx, trustees: u8, threshold: u8, out: &Path, labels: &[String]) -> Result<Outcome> {
    votekiosk::keys::share::check_bounds(threshold, trustees)?;
    let labels = labels_for(labels, trustees)?;
    for label in &labels {
        votekiosk::keys::share::check_label(label)?;
    }
    refuse_targets(out, trustees, true)?;
    let secrets = Secrets::new();
    let passphrases = new_passphrases(&secrets, &labels)?;
    let officer = secrets.ask("New passphrase for the results officer's signing key file", true)?;
    let group = Trustees {
        threshold,
        labels: &labels,
        passphrases: &passphrases,
    };
    let _spinner = ctx
        .out
        .spinner("making and locking the keys (about a second per file)");
    let made = office::keygen(&group, &officer, &now_stamp(), &mut rand::rngs::OsRng)?;
    let written = made.write(out)?;
    drop(_spinner);
    report(ctx, out, &made, &written);
    Ok(Outcome::Done)
}

/// Refuses an output folder that already holds any file a ceremony writes.
fn refuse_targets(dir: &Path, trustees: u8, key_file: bool) -> Result<()> {
    let mut names = vec![office::RECORD_FILE.to_string()];
    if key_file {
        names.push(office::SIGNING_KEY_FILE.to_string());
    }
    for i in 1..=trustees {
        for purpose in [Purpose::OfficeEncryption, Purpose::OfficeSigningBackup] {
            names.push(office::share_file_name(i, purpose));
        }
    }
    for name in names {
        super::refuse_existing(&dir.join(name))?;
    }
    Ok(())
}

#[derive(Serialize)]
struct Checked {
    file: String,
    purpose: &'static str,
    index: u8,
    trustee: String,
    threshold: u8,
    trustees: u8,
    generation: u64,
    public_key: String,
    fingerprint: String,
    commitment: String,
    commitments_digest: String,
    definition: Option<String>,
}

/// The definition's office key of `purpose`.
fn definition_key(definition: &Path, purpose: Purpose) -> Result<(ElectionDefinition, [u8; 32], [u8; 32])> {
    let def = ElectionDefinition::from_file(definition)?;
    let key = match purpose {
        Purpose::OfficeEncryption => def.office.encryption,
        Purpose::OfficeSigningBackup => def.office.signing,
    };
    Ok((def, key.public_key, key.commitment))
}

/// `office share check`: unlock one share file and check it; writes nothing.
pub fn share_check(ctx: &Ctx, file: &Path, definition: Option<&Path>) -> Result<Outcome> {
    let name = file.display().to_string();
    let share_file = ShareFile::read(file)?;
    let info = &share_file.info;
    // Against the definition first: no passphrase is asked for a share of another election.
    let definition_hash = match definition {
        None => None,
        Some(path) => {
            let (def, public_key, commitment) = definition_key(path, info.purpose)?;
            if commitment != info.commitments.c0() || public_key != info.public_key {
                return Err(Error::KeyMismatch(format!(
                    "{name} is a share of key {} (commitment {}), but the definition's office {} key is {} (commitment {})",
                    info.fingerprint(),
                    hex::encode(info.commitments.c0()),
                    if info.purpose == Purpose::OfficeEncryption { "encryption" } else { "signing" },
                    fingerprint(&public_key),
                    hex::encode(commitment)
                )));
            }
            Some(def.hash().to_hex())
        }
    };
    let passphrase = Secrets::new().ask(&format!("Passphrase of {name}"), false)?;
    let share = share_file.unlock(&passphrase, &name)?;
    drop(share);
    let answer = Checked {
        file: name,
        purpose: info.purpose.name(),
        index: info.index,
        trustee: info.trustee.clone(),
        threshold: info.threshold,
        trustees: info.trustees,
        generation: info.generation,
        public_key: hex::encode(info.public_key),
        fingerprint: info.fingerprint(),
        commitment: hex::encode(info.commitments.c0()),
        commitments_digest: hex::encode(info.commitments.digest()),
        definition: definition_hash,
    };
    ctx.out.emit(&answer, || {
        format!(
            "OK: share {} of {} ({}, {}), generation {}, unlocks and matches its commitments.\n\
             Key fingerprint      {}\nCommitments digest   {}\n{}\
             Compare both with the ceremony record (office-key.json) read aloud at the ceremony.",
            answer.index,
            answer.trustees,
            answer.trustee,
            answer.purpose,
            answer.generation,
            answer.fingerprint,
            answer.commitments_digest,
            match &answer.definition {
                Some(hash) => format!("It is the office key of the definition {hash}.\n"),
                None => String::new(),
            }
        )
    });
    Ok(Outcome::Done)
}

/// `office reshare`: rebuild both office secrets from K trustees' share
/// files and deal them again to new trustees, at generation + 1.
pub fn reshare(
    ctx: &Ctx,
    share_paths: &[PathBuf],
    trustees: u8,
    threshold: u8,
    out: &Path,
    labels: &[String],
) -> Result<Outcome> {
    votekiosk::keys::share::check_bounds(threshold, trustees)?;
    let labels = labels_for(labels, trustees)?;
    for label in &labels {
        votekiosk::keys::share::check_label(label)?;
    }
    refuse_targets(out, trustees, false)?;
    let mut files: Vec<(String, ShareFile)> = Vec::new();
    for path in share_paths {
        files.push((path.display().to_string(), ShareFile::read(path)?));
    }
    // Every refusal that needs no passphrase comes first.
    let mut by_purpose: BTreeMap<Purpose, Vec<&ShareInfo>> = BTreeMap::new();
    for (_, f) in &files {
        by_purpose.entry(f.info.purpose).or_default().push(&f.info);
    }
    let generations: Vec<u64> = files.iter().map(|(_, f)| f.info.generation).collect();
    if generations.iter().any(|g| *g != generations[0]) {
        return Err(Error::KeyMismatch(format!(
            "the share files are of different generations ({generations:?}): use only the newest re-share's files"
        )));
    }
    for purpose in [Purpose::OfficeEncryption, Purpose::OfficeSigningBackup] {
        let infos = by_purpose.get(&purpose).map(Vec::as_slice).unwrap_or(&[]);
        check_together(infos.iter().copied())?;
        let need = infos.first().map(|i| i.threshold).unwrap_or(2);
        if infos.len() < need as usize {
            return Err(Error::TooFewShares {
                have: infos.len(),
                need,
            });
        }
    }
    let old_generation = generations[0];
    // One passphrase per trustee index: it unlocks that trustee's files.
    let secrets = Secrets::new();
    let mut indices: Vec<(u8, String)> = files
        .iter()
        .map(|(_, f)| (f.info.index, f.info.trustee.clone()))
        .collect();
    indices.sort();
    indices.dedup_by_key(|(i, _)| *i);
    let mut unlocked: BTreeMap<Purpose, Vec<(ShareInfo, Share)>> = BTreeMap::new();
    for (index, label) in &indices {
        let passphrase = secrets.ask(&format!("Passphrase of trustee {index} ({label})"), false)?;
        for (name, f) in files.iter().filter(|(_, f)| f.info.index == *index) {
            let share = f.unlock(&passphrase, name)?;
            unlocked
                .entry(f.info.purpose)
                .or_default()
                .push((f.info.clone(), share));
        }
    }
    let empty = Vec::new();
    let encryption = rebuild(unlocked.get(&Purpose::OfficeEncryption).unwrap_or(&empty), None)?;
    let signing = rebuild(
        unlocked.get(&Purpose::OfficeSigningBackup).unwrap_or(&empty),
        None,
    )?;
    drop(unlocked);
    let passphrases = new_passphrases(&secrets, &labels)?;
    let group = Trustees {
        threshold,
        labels: &labels,
        passphrases: &passphrases,
    };
    let _spinner = ctx.out.spinner("re-sharing and locking the new shares");
    let made = office::reshare(
        &encryption,
        &signing,
        old_generation,
        &group,
        &now_stamp(),
        &mut rand::rngs::OsRng,
    )?;
    let written = made.write(out)?;
    drop(_spinner);
    report(ctx, out, &made, &written);
    Ok(Outcome::Done)
}

#[derive(Serialize)]
struct Trusted {
    file: String,
    serial: u64,
    station_id: String,
    fingerprint: String,
    stations: usize,
}

fn key_arg(name: &str, text: &str) -> Result<[u8; 32]> {
    let lower = text.trim().to_ascii_lowercase();
    votekiosk::signed::lower_hex(Some(&Value::String(lower)))
        .ok_or_else(|| Error::InvalidInput(format!("{name}: give 64 hex digits")))
}

/// The arguments of `office trust add`.
pub struct TrustAdd<'a> {
    pub trusted_keys: &'a Path,
    pub definition: &'a Path,
    pub station_id: &'a str,
    pub public_key: &'a str,
    pub closing_key: &'a str,
    pub evidence: Evidence,
    pub signing_key: &'a Path,
}

/// `office trust add`: pin a station's keys; the file is made at serial 1
/// or reissued at serial + 1, signed by the office signing key.
pub fn trust_add(ctx: &Ctx, a: &TrustAdd) -> Result<Outcome> {
    let def = ElectionDefinition::from_file(a.definition)?;
    let office_key = def.office.signing.public_key;
    let public_key = key_arg("--public-key", a.public_key)?;
    let closing_key = key_arg("--closing-key", a.closing_key)?;
    let point = ed25519_dalek::VerifyingKey::from_bytes(&public_key)
        .map_err(|_| Error::InvalidInput("--public-key is not an Ed25519 public key".into()))?;
    if point.is_weak() {
        return Err(Error::InvalidInput("--public-key is a small-order point".into()));
    }
    if closing_key == [0u8; 32] {
        return Err(Error::InvalidInput("--closing-key is zero".into()));
    }
    let current = if a.trusted_keys.exists() {
        let keys = TrustedKeys::load(a.trusted_keys, &office_key)?;
        keys.require_definition(&def.hash().0)?;
        keys
    } else {
        TrustedKeys::empty(def.hash().0)
    };
    let now = now_stamp();
    let next = current.with_station(TrustedStation {
        station_id: a.station_id.to_string(),
        public_key,
        closing_public_key: closing_key,
        added_at: now.clone(),
        evidence: a.evidence,
    })?;
    let key_file = SecretKeyFile::read(a.signing_key)?;
    if key_file.public_key != office_key {
        return Err(Error::KeyMismatch(format!(
            "{} holds signing key {}, but the definition's office signing key is {}",
            a.signing_key.display(),
            fingerprint(&key_file.public_key),
            fingerprint(&office_key)
        )));
    }
    let name = a.signing_key.display().to_string();
    let passphrase = Secrets::new().ask(&format!("Passphrase of {name}"), false)?;
    let signing = key_file.unlock(&passphrase, &name)?;
    let (issued, bytes) = next.reissue(&signing, &now)?;
    replace_file(a.trusted_keys, &bytes)?;
    let answer = Trusted {
        file: a.trusted_keys.display().to_string(),
        serial: issued.serial,
        station_id: a.station_id.to_string(),
        fingerprint: fingerprint(&public_key),
        stations: issued.stations.len(),
    };
    ctx.out.emit(&answer, || {
        format!(
            "Trusted station {} (key {}). {} is now serial {} with {} station(s), signed by the office.",
            answer.station_id, answer.fingerprint, answer.file, answer.serial, answer.stations
        )
    });
    Ok(Outcome::Done)
}

/// Writes `bytes` beside `path` and renames it over `path`: the old file
/// stays whole until the new one is complete.
fn replace_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| Error::InvalidInput(format!("{}: not a file name", path.display())))?;
    let tmp = dir.join(format!(".{}.tmp-{}", name.to_string_lossy(), std::process::id()));
    votekiosk::files::write_private(&tmp, bytes)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::Io {
            path: path.display().to_string(),
            source: e,
        }
    })
}
