//! The trusted-keys file, `votekiosk-trusted-keys/2`: the stations whose
//! signing keys the office has pinned (typed or scanned from each zero
//! report), in the two-line signed form, signed by the office signing key
//! of the definition. `verify` and `merge` accept a station's result only
//! if its key is here under the same station id.

use std::path::Path;

use ed25519_dalek::SigningKey;
use serde_json::{json, Value};

use super::{read_small, Fields};
use crate::error::{Error, Result};
use crate::signed::{fingerprint, read_two_line_file, two_line_file, MAX_INTEGER};

pub const FORMAT: &str = "votekiosk-trusted-keys/2";

/// The largest trusted-keys file read: about 20,000 stations.
pub const MAX_TRUSTED_KEYS_BYTES: u64 = 8 * 1024 * 1024;

/// How the office learned a station's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// Typed or scanned from the station's printed zero report.
    ZeroReport,
    /// The station was prepared at the office.
    OfficeSetup,
}

impl Evidence {
    pub fn name(self) -> &'static str {
        match self {
            Evidence::ZeroReport => "zero-report",
            Evidence::OfficeSetup => "office-setup",
        }
    }

    pub fn parse(text: &str) -> Option<Evidence> {
        match text {
            "zero-report" => Some(Evidence::ZeroReport),
            "office-setup" => Some(Evidence::OfficeSetup),
            _ => None,
        }
    }
}

/// One pinned station.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedStation {
    pub station_id: String,
    /// The station's Ed25519 signing key.
    pub public_key: [u8; 32],
    /// The station's HPKE closing key.
    pub closing_public_key: [u8; 32],
    pub added_at: String,
    pub evidence: Evidence,
}

impl TrustedStation {
    fn to_json(&self) -> Value {
        json!({
            "station_id": self.station_id,
            "public_key": hex::encode(self.public_key),
            "fingerprint": fingerprint(&self.public_key),
            "closing_public_key": hex::encode(self.closing_public_key),
            "added_at": self.added_at,
            "evidence": self.evidence.name(),
        })
    }
}

/// A station id: 1–64 ASCII letters, digits, `.`, `_` or `-`.
pub fn check_station_id(id: &str) -> Result<()> {
    if !(1..=64).contains(&id.len())
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    {
        return Err(Error::InvalidInput(format!(
            "invalid station id {id:?}: use 1-64 letters, digits, '.', '_' or '-'"
        )));
    }
    Ok(())
}

/// The pinned station keys of one election.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedKeys {
    pub definition_hash: [u8; 32],
    pub serial: u64,
    pub issued_at: String,
    /// Sorted by station id; ids and keys unique.
    pub stations: Vec<TrustedStation>,
}

impl TrustedKeys {
    /// An empty list for an election (serial 0: the first issue is 1).
    pub fn empty(definition_hash: [u8; 32]) -> TrustedKeys {
        TrustedKeys {
            definition_hash,
            serial: 0,
            issued_at: String::new(),
            stations: Vec::new(),
        }
    }

    /// Reads the file and checks its signature by the office signing key
    /// of the definition (`office_signing_key`); any other signer,
    /// however valid its signature, is refused.
    pub fn load(path: &Path, office_signing_key: &[u8; 32]) -> Result<TrustedKeys> {
        let bytes = read_small(path, MAX_TRUSTED_KEYS_BYTES)?;
        TrustedKeys::parse(&bytes, office_signing_key)
    }

    pub fn parse(bytes: &[u8], office_signing_key: &[u8; 32]) -> Result<TrustedKeys> {
        let bad = |reason: String| Error::TrustedKeysRefused(reason);
        let (header, _) = read_two_line_file(bytes, Some(office_signing_key)).map_err(|e| match e {
            Error::BadSignature(reason) => Error::TrustedKeysRefused(format!(
                "not signed by this election's office signing key ({reason})"
            )),
            other => other,
        })?;
        let f = Fields::new(Some(&header), "trusted keys", &bad)?;
        if f.str("format").ok() != Some(FORMAT) {
            return Err(bad(format!("not a {FORMAT} file")));
        }
        f.exactly(&["definition_hash", "format", "issued_at", "serial", "stations"])?;
        let serial = f.uint("serial")?;
        if serial == 0 || serial > MAX_INTEGER {
            return Err(bad("`serial` starts at 1".into()));
        }
        let list = f
            .get("stations")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("`stations` is not a list".into()))?;
        let mut stations = Vec::with_capacity(list.len());
        for (i, item) in list.iter().enumerate() {
            let name = format!("stations[{i}]");
            let s = Fields::new(Some(item), &name, &bad)?;
            s.exactly(&[
                "added_at",
                "closing_public_key",
                "evidence",
                "fingerprint",
                "public_key",
                "station_id",
            ])?;
            let station = TrustedStation {
                station_id: s.str("station_id")?.to_string(),
                public_key: s.hex("public_key")?,
                closing_public_key: s.hex("closing_public_key")?,
                added_at: s.stamp("added_at")?,
                evidence: Evidence::parse(s.str("evidence")?)
                    .ok_or_else(|| bad(format!("`{name}.evidence` is not zero-report or office-setup")))?,
            };
            check_station_id(&station.station_id).map_err(|e| bad(e.to_string()))?;
            if s.str("fingerprint")? != fingerprint(&station.public_key) {
                return Err(bad(format!("`{name}.fingerprint` is not its key's")));
            }
            stations.push(station);
        }
        let keys = TrustedKeys {
            definition_hash: f.hex("definition_hash")?,
            serial,
            issued_at: f.stamp("issued_at")?,
            stations,
        };
        keys.check_unique()?;
        if keys
            .stations
            .windows(2)
            .any(|w| w[0].station_id >= w[1].station_id)
        {
            return Err(bad("`stations` must be sorted by station id".into()));
        }
        Ok(keys)
    }

    fn check_unique(&self) -> Result<()> {
        for (i, a) in self.stations.iter().enumerate() {
            for b in &self.stations[i + 1..] {
                if a.station_id == b.station_id {
                    return Err(Error::TrustedKeysRefused(format!(
                        "station {:?} is listed twice",
                        a.station_id
                    )));
                }
                let a_keys = [a.public_key, a.closing_public_key];
                if a_keys.contains(&b.public_key) || a_keys.contains(&b.closing_public_key) {
                    return Err(Error::TrustedKeysRefused(format!(
                        "stations {:?} and {:?} share a key",
                        a.station_id, b.station_id
                    )));
                }
            }
            if a.public_key == a.closing_public_key {
                return Err(Error::TrustedKeysRefused(format!(
                    "station {:?} gives one key as both its signing and its closing key",
                    a.station_id
                )));
            }
        }
        Ok(())
    }

    /// The station pinned under `id`.
    pub fn station(&self, id: &str) -> Option<&TrustedStation> {
        self.stations.iter().find(|s| s.station_id == id)
    }

    /// Whether any station's signing key is `key`.
    pub fn contains_key(&self, key: &[u8; 32]) -> bool {
        self.stations.iter().any(|s| &s.public_key == key)
    }

    /// The list with `station` added: refused if its id or either key is
    /// already listed. The result is unsigned until `to_bytes`.
    pub fn with_station(&self, station: TrustedStation) -> Result<TrustedKeys> {
        check_station_id(&station.station_id)?;
        if let Some(existing) = self.station(&station.station_id) {
            return Err(Error::TrustedKeysRefused(format!(
                "station {:?} is already listed (key {}); a station id is pinned once",
                station.station_id,
                fingerprint(&existing.public_key)
            )));
        }
        let mut next = self.clone();
        next.stations.push(station);
        next.stations.sort_by(|a, b| a.station_id.cmp(&b.station_id));
        next.check_unique()?;
        Ok(next)
    }

    /// The signed file at serial + 1, issued at `issued_at`, signed by
    /// the office signing key.
    pub fn reissue(&self, key: &SigningKey, issued_at: &str) -> Result<(TrustedKeys, Vec<u8>)> {
        let mut next = self.clone();
        next.serial = self
            .serial
            .checked_add(1)
            .filter(|s| *s <= MAX_INTEGER)
            .ok_or_else(|| Error::TrustedKeysRefused("the serial is at its maximum".into()))?;
        next.issued_at = issued_at.to_string();
        let header = json!({
            "format": FORMAT,
            "definition_hash": hex::encode(next.definition_hash),
            "serial": next.serial,
            "issued_at": next.issued_at,
            "stations": next.stations.iter().map(TrustedStation::to_json).collect::<Vec<_>>(),
        });
        let bytes = two_line_file(&header, key);
        Ok((next, bytes))
    }

    /// Refuses a file made for another election.
    pub fn require_definition(&self, definition_hash: &[u8; 32]) -> Result<()> {
        if &self.definition_hash != definition_hash {
            return Err(Error::TrustedKeysRefused(format!(
                "it is for another election (definition {}, expected {})",
                hex::encode(self.definition_hash),
                hex::encode(definition_hash)
            )));
        }
        Ok(())
    }
}
