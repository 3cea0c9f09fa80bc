//! The audit workspace file `votekiosk-rla/1` (docs/rla.md, "The
//! workspace file"): everything one risk-limiting audit knows, between
//! `rla start` and the last `rla status`.
//!
//! Two lines of JSON. Line 1 is the **clear part**, which observers may
//! read: the election's definition, the results audited, the seed, the
//! risk limit, the ballot manifest, the contests with their assertions,
//! the draws and, per reading, its outcome (matched, phantom, zombie) and
//! discrepancies. Line 2 is the **sealed part**: ChaCha20-Poly1305 under
//! a key made by Argon2id from the audit passphrase (the parameters of
//! share files, `keys::MEMORY_KIB`), with the exact bytes of line 1 as
//! associated data. It holds what must not be on disk in clear: the card
//! id → record mapping from the stations' audit manifests, the spoiled
//! card ids, the records, and the card ids and choices the audit board
//! read. Every write seals again with a fresh nonce, so a change to
//! either line is caught by the next command that opens the sealed part.
//!
//! Writes go to a temporary file beside the workspace, renamed over it at
//! the end, and only if the workspace still holds the bytes that were
//! read: a command that fails, or races another, changes nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::ChaCha20Poly1305;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::definition::ElectionDefinition;
use crate::error::{Error, Result};
use crate::keys::KdfParams;

/// The `format` of line 1.
pub const FORMAT: &str = "votekiosk-rla/1";
/// The largest workspace read (bytes).
pub const MAX_WORKSPACE_BYTES: u64 = 512 * 1024 * 1024;

/// A result file the audit rests on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultRef {
    pub file: String,
    /// SHA-256 of the file's bytes (64 hex).
    pub sha256: String,
    /// `votekiosk-result/2` or `votekiosk-merge/2`.
    pub format: String,
    /// The stations whose records it holds.
    pub stations: Vec<String>,
}

/// One box of the ballot manifest: the poll workers' hand count.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoxEntry {
    pub station: String,
    #[serde(rename = "box")]
    pub box_id: String,
    pub cards: u64,
}

/// An assertion, by candidate ids (readable, and rebuilt into
/// `assertion::Assertion` with the contest's indices).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssertionDoc {
    /// `pairwise`, `super_majority`, `not_eliminated_before`, `not_eliminated_next`.
    pub kind: String,
    pub winner: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loser: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fraction: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continuing: Option<Vec<String>>,
    /// One sentence ("alvarez beats brooks").
    pub text: String,
    /// The assorter margin over the ballot manifest's cards, `2·mean − 1`.
    pub margin: f64,
    /// The assorter's upper bound `u`.
    pub upper_bound: f64,
    /// `margin / u`, what the sample size and risk use.
    pub diluted_margin: f64,
}

/// How a contest is audited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// A ballot-comparison audit of its assertions.
    Comparison,
    /// No risk-limiting method applies (a tie, a multi-winner ranked
    /// contest, no assertion set found): the paper is counted by hand.
    FullHandCount,
}

/// One contest under audit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContestPlan {
    pub id: String,
    pub kind: String,
    pub method: Method,
    /// Why a full hand count, when it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The reported winners (candidate ids, `yes`/`no`).
    pub winners: Vec<String>,
    pub assertions: Vec<AssertionDoc>,
}

/// One draw of the consistent sampler.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrawDoc {
    /// 1-based, in ticket order.
    pub draw: u64,
    pub station: String,
    #[serde(rename = "box")]
    pub box_id: String,
    /// 1-based position in the box.
    pub position: u64,
    /// The SHA-256 ticket (decimal fraction as the sampler prints it).
    pub ticket: String,
}

/// What the board found at a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Found {
    /// A card whose record the manifest names.
    Matched,
    /// No card at that position: worst case.
    Phantom,
    /// A card with no record (not in any manifest, or spoiled): worst case.
    Zombie,
}

/// The discrepancies of one reading in one contest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContestDiscrepancy {
    pub contest: String,
    /// Per assertion (in the contest's order): the overstatement `ω/u`.
    pub overstatements: Vec<f64>,
    /// The largest: 2, 1 (vote overstatement), 0, −1, −2 (understatement).
    pub class: i8,
}

/// One reading, as observers may see it (no card id, no choices).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadingDoc {
    pub station: String,
    #[serde(rename = "box")]
    pub box_id: String,
    pub position: u64,
    pub found: Found,
    pub recorded_at: String,
    pub discrepancies: Vec<ContestDiscrepancy>,
}

/// Line 1: the clear part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Public {
    pub format: String,
    pub created_at: String,
    pub definition_hash: String,
    /// The definition's canonical JSON (readings are checked against it).
    pub definition: String,
    pub results: Vec<ResultRef>,
    /// 20 decimal digits, from the public dice ceremony.
    pub seed: String,
    /// As a fraction (0.05 for 5 %).
    pub risk_limit: f64,
    /// The Kaplan–Markov error inflation γ.
    pub gamma: f64,
    /// The sample frame, sorted by station and box.
    pub ballot_manifest: Vec<BoxEntry>,
    /// The ballot manifest's total: N.
    pub cards: u64,
    /// The records behind it.
    pub records: u64,
    pub contests: Vec<ContestPlan>,
    /// Each round's sample size (cumulative draws), in order.
    pub rounds: Vec<u64>,
    pub draws: Vec<DrawDoc>,
    /// At most one per (station, box, position), in the order recorded.
    pub readings: Vec<ReadingDoc>,
}

/// A card of a station's audit manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardRecord {
    pub station: String,
    /// The public record id (32 hex).
    pub record: String,
}

/// What the board read at a position (sealed: the card id links it to a record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretReading {
    pub station: String,
    #[serde(rename = "box")]
    pub box_id: String,
    pub position: u64,
    /// The grouped card id, or none (no card at the position).
    pub card: Option<String>,
    /// The board's reading, contest → choices (wire form).
    pub choices: BTreeMap<String, Vec<String>>,
    /// How it was entered: `typed`, or `qr` (confirmed against the printed text).
    pub entered: String,
}

/// Line 2's plaintext: what must not be on disk in clear.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Confidential {
    /// Grouped card id → its station and record.
    pub cards: BTreeMap<String, CardRecord>,
    /// Grouped card ids of spoiled cards.
    pub spoiled: BTreeSet<String>,
    /// Record id → its selections (wire form), from the verified results.
    pub records: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    pub readings: Vec<SecretReading>,
}

/// Line 2 on disk.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SealedDoc {
    kdf: serde_json::Value,
    cipher: String,
    nonce: String,
    /// base64url of the ciphertext.
    ciphertext: String,
}

/// A workspace read from disk: its clear part, and its sealed part
/// still closed (`open` needs the audit passphrase).
pub struct Workspace {
    pub path: PathBuf,
    pub public: Public,
    /// The exact bytes read (a save replaces them only if still there).
    read_sha256: [u8; 32],
    /// Line 1 as read: the sealed part's associated data.
    public_line: String,
    sealed: SealedDoc,
}

/// The key of the sealed part, derived once per command.
pub struct AuditKey {
    key: Zeroizing<[u8; 32]>,
    kdf: KdfParams,
}

impl AuditKey {
    /// A new key for a new workspace: fresh salt, `keys` parameters.
    pub fn new(passphrase: &str, rng: &mut (impl rand_core::CryptoRngCore + ?Sized)) -> Result<AuditKey> {
        crate::keys::check_passphrase(passphrase)?;
        let kdf = KdfParams::fresh(rng);
        let key = crate::keys::argon2id(passphrase.as_bytes(), &kdf.salt, &kdf)?;
        Ok(AuditKey { key, kdf })
    }
}

fn damaged(path: &Path, why: impl std::fmt::Display) -> Error {
    Error::RlaWorkspace(format!("{}: {why}", path.display()))
}

impl Public {
    /// The election definition the audit is about.
    pub fn definition(&self) -> Result<ElectionDefinition> {
        let definition = ElectionDefinition::parse(self.definition.as_bytes())
            .map_err(|e| Error::RlaWorkspace(format!("its definition does not read: {e}")))?;
        if hex::encode(definition.hash().0) != self.definition_hash {
            return Err(Error::RlaWorkspace(
                "its definition does not match its definition hash".into(),
            ));
        }
        Ok(definition)
    }

    fn line(&self) -> Result<String> {
        serde_json::to_string(self)
            .map_err(|e| Error::RlaWorkspace(format!("cannot write the workspace: {e}")))
    }
}

impl Workspace {
    /// Reads a workspace (its clear part; the sealed part stays closed).
    pub fn read(path: &Path) -> Result<Workspace> {
        let meta = std::fs::metadata(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::FileNotFound(path.display().to_string())
            } else {
                Error::io(path, e)
            }
        })?;
        if meta.len() > MAX_WORKSPACE_BYTES {
            return Err(damaged(path, "too large for an audit workspace"));
        }
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let text = std::str::from_utf8(&bytes).map_err(|_| damaged(path, "not UTF-8 text"))?;
        let mut lines = text.split('\n');
        let (Some(first), Some(second), Some(""), None) =
            (lines.next(), lines.next(), lines.next(), lines.next())
        else {
            return Err(damaged(
                path,
                "not a votekiosk-rla/1 workspace (two lines expected)",
            ));
        };
        let public: Public =
            serde_json::from_str(first).map_err(|e| damaged(path, format!("line 1 does not read: {e}")))?;
        if public.format != FORMAT {
            return Err(damaged(
                path,
                format!("format {:?}, expected {FORMAT}", public.format),
            ));
        }
        let sealed: SealedDoc =
            serde_json::from_str(second).map_err(|e| damaged(path, format!("line 2 does not read: {e}")))?;
        Ok(Workspace {
            path: path.to_path_buf(),
            public,
            read_sha256: Sha256::digest(&bytes).into(),
            public_line: first.to_string(),
            sealed,
        })
    }

    /// Derives the audit key from the passphrase and opens the sealed part.
    pub fn open(&self, passphrase: &str) -> Result<(AuditKey, Confidential)> {
        let bad = |why: String| damaged(&self.path, why);
        let kdf = KdfParams::from_json(Some(&self.sealed.kdf), &bad)?;
        if self.sealed.cipher != "chacha20-poly1305" {
            return Err(bad("line 2 must be chacha20-poly1305".into()));
        }
        let nonce: [u8; 12] = hex::decode(&self.sealed.nonce)
            .ok()
            .and_then(|n| n.try_into().ok())
            .ok_or_else(|| bad("line 2's nonce is not 24 hex digits".into()))?;
        let ciphertext = crate::export::b64::decode(&self.sealed.ciphertext)
            .ok_or_else(|| bad("line 2's ciphertext is not base64url".into()))?;
        let key = crate::keys::argon2id(passphrase.as_bytes(), &kdf.salt, &kdf)?;
        let aad = &self.public_line;
        let plain = Zeroizing::new(
            ChaCha20Poly1305::new(key.as_ref().into())
                .decrypt(
                    &nonce.into(),
                    Payload {
                        msg: &ciphertext,
                        aad: aad.as_bytes(),
                    },
                )
                .map_err(|_| {
                    Error::RlaWorkspace(format!(
                        "{}: the audit passphrase is wrong, or the workspace was changed outside votekiosk",
                        self.path.display()
                    ))
                })?,
        );
        let confidential: Confidential =
            serde_json::from_slice(&plain).map_err(|e| bad(format!("its sealed part does not read: {e}")))?;
        Ok((AuditKey { key, kdf }, confidential))
    }

    /// Replaces the workspace with `public` and `confidential`, sealed
    /// again; only if the file still holds the bytes read.
    pub fn save(
        &self,
        public: &Public,
        confidential: &Confidential,
        key: &AuditKey,
        rng: &mut (impl rand_core::CryptoRngCore + ?Sized),
    ) -> Result<()> {
        let bytes = to_bytes(public, confidential, key, rng)?;
        let now = std::fs::read(&self.path).map_err(|e| Error::io(&self.path, e))?;
        if <[u8; 32]>::from(Sha256::digest(&now)) != self.read_sha256 {
            return Err(damaged(
                &self.path,
                "it changed while this command ran (another rla command?): nothing was written; run the command again",
            ));
        }
        replace(&self.path, &bytes, true)
    }
}

/// Writes a new workspace; refuses an existing file.
pub fn create(
    path: &Path,
    public: &Public,
    confidential: &Confidential,
    key: &AuditKey,
    rng: &mut (impl rand_core::CryptoRngCore + ?Sized),
) -> Result<()> {
    let bytes = to_bytes(public, confidential, key, rng)?;
    replace(path, &bytes, false)
}

fn to_bytes(
    public: &Public,
    confidential: &Confidential,
    key: &AuditKey,
    rng: &mut (impl rand_core::CryptoRngCore + ?Sized),
) -> Result<Vec<u8>> {
    let line = public.line()?;
    let plain = Zeroizing::new(
        serde_json::to_vec(confidential)
            .map_err(|e| Error::RlaWorkspace(format!("cannot write the sealed part: {e}")))?,
    );
    let mut nonce = [0u8; 12];
    rng.fill_bytes(&mut nonce);
    let ciphertext = ChaCha20Poly1305::new(key.key.as_ref().into())
        .encrypt(
            &nonce.into(),
            Payload {
                msg: &plain,
                aad: line.as_bytes(),
            },
        )
        .map_err(|_| Error::RlaWorkspace("encryption failed".into()))?;
    let sealed = SealedDoc {
        kdf: key.kdf.to_json(),
        cipher: "chacha20-poly1305".into(),
        nonce: hex::encode(nonce),
        ciphertext: crate::export::b64::encode(&ciphertext),
    };
    let second = serde_json::to_string(&sealed)
        .map_err(|e| Error::RlaWorkspace(format!("cannot write the workspace: {e}")))?;
    Ok(format!("{line}\n{second}\n").into_bytes())
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over
/// `path` (`replace`) or into a place that must be free.
pub fn replace(path: &Path, bytes: &[u8], replace: bool) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| Error::InvalidInput(format!("{}: not a file name", path.display())))?;
    let tmp = dir.join(format!(".{}.tmp-{}", name.to_string_lossy(), std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    crate::files::write_private(&tmp, bytes)?;
    if !replace && path.exists() {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::FileExists(path.display().to_string()));
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}
