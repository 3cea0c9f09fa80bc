//! The definition's trust settings: the office's public keys (`office`),
//! the demo flag and the ballot cards (`cards`), with the published test
//! keys a demo election uses.
//!
//! The office keys are checked as far as a definition alone allows: hex of
//! the right length, a key that decodes, a fingerprint that is the key's,
//! a commitment that is a ristretto255 point. Whether the commitment and
//! the key come from the same secret is the ceremony's recovery drill
//! (`docs/formats.md`), not something a public value can show.

use curve25519_dalek::ristretto::CompressedRistretto;
use curve25519_dalek::traits::IsIdentity;
use sha2::{Digest, Sha256};

use super::format::{CardsDoc, EncryptionKeyDoc, OfficeDoc, SigningKeyDoc};
use super::Issue;

/// The HPKE suite every v2 ballot is sealed with (RFC 9180 base mode,
/// DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305). The same
/// value as `crypto::seal::SUITE` (and `TEST_PUBLIC_KEY` as its key): this
/// module sits below `crypto` in the layers, so it keeps copies, and
/// `tests/it/formats.rs` checks that they are equal and that every key
/// below comes from its label.
pub const SUITE: &str = "x25519-hkdf-sha256/hkdf-sha256/chacha20-poly1305";

/// The published test key (X25519): test mode and demo elections seal to
/// it. Its private key follows from a published label, so it protects
/// nothing. Label `votekiosk/2 published test key: it seals test ballots only`.
pub const TEST_PUBLIC_KEY: [u8; 32] =
    hex32("838518497256fa5193592162762c37dcf37da95b019df7dadefa0288bdcae163");
/// The test key's commitment `C_0 = s·B`.
pub const TEST_COMMITMENT: [u8; 32] =
    hex32("28b40c855947eaeb39dbb667969672723a90847a6dbe824d4d39ea236ccfb44f");
/// The demo election's office signing key (Ed25519, public like the test
/// key). Label `votekiosk/2 published test signing key: it signs demo files only`.
pub const DEMO_SIGNING_PUBLIC_KEY: [u8; 32] =
    hex32("2a873ee97037625be57e0160b587e44b3b85f3314e98b379ff489598372f0ec7");
/// The demo signing key's commitment `C_0 = t·B`.
pub const DEMO_SIGNING_COMMITMENT: [u8; 32] =
    hex32("18df2cfb7f3ded8090958d894ef09f82cf3d792ef93ed1ea102aff16b86ba73c");

/// 64 lowercase hex digits to 32 bytes, at compile time.
const fn hex32(s: &str) -> [u8; 32] {
    const fn digit(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("not a lowercase hex digit"),
        }
    }
    let b = s.as_bytes();
    assert!(b.len() == 64, "64 hex digits");
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = digit(b[2 * i]) * 16 + digit(b[2 * i + 1]);
        i += 1;
    }
    out
}

/// A 32-byte public key's fingerprint: the first 128 bits of its SHA-256,
/// as 8 groups of 4 hex digits (`9f3a 1c2b …`).
pub fn fingerprint(public_key: &[u8; 32]) -> String {
    let digest = Sha256::digest(public_key);
    hex::encode(&digest[..16])
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// One of the office's public keys with its commitment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfficeKey {
    /// X25519 (encryption) or Ed25519 (signing) public key.
    pub public_key: [u8; 32],
    /// `C_0`, the Feldman commitment to the secret behind the key.
    pub commitment: [u8; 32],
}

impl OfficeKey {
    /// The key's fingerprint, as the definition and every printout show it.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.public_key)
    }
}

/// `office`: the keys of the election office, pinned by the definition hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfficeKeys {
    /// Every ballot is sealed to it (HPKE, `SUITE`).
    pub encryption: OfficeKey,
    /// Signs merged results, office counts and trusted-keys files.
    pub signing: OfficeKey,
}

impl OfficeKeys {
    /// The demo election's keys: the published test key and demo signing key.
    pub fn demo() -> OfficeKeys {
        OfficeKeys {
            encryption: OfficeKey {
                public_key: TEST_PUBLIC_KEY,
                commitment: TEST_COMMITMENT,
            },
            signing: OfficeKey {
                public_key: DEMO_SIGNING_PUBLIC_KEY,
                commitment: DEMO_SIGNING_COMMITMENT,
            },
        }
    }

    /// The `office` block of a definition for these keys.
    pub fn to_doc(&self) -> OfficeDoc {
        OfficeDoc {
            encryption: EncryptionKeyDoc {
                suite: SUITE.to_string(),
                public_key: hex::encode(self.encryption.public_key),
                fingerprint: self.encryption.fingerprint(),
                commitment: hex::encode(self.encryption.commitment),
            },
            signing: SigningKeyDoc {
                public_key: hex::encode(self.signing.public_key),
                fingerprint: self.signing.fingerprint(),
                commitment: hex::encode(self.signing.commitment),
            },
        }
    }

    /// Whether the encryption key is the published test key.
    pub fn is_test_key(&self) -> bool {
        self.encryption.public_key == TEST_PUBLIC_KEY
    }
}

/// `cards`: whether the kiosk prints a ballot card for each cast, and how
/// many cards one voter code may spoil.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cards {
    pub enabled: bool,
    /// 0 to `MAX_SPOILS_PER_CODE`.
    pub max_spoils_per_code: u8,
}

/// The most cards one code may spoil.
pub const MAX_SPOILS_PER_CODE: u8 = 5;

impl Default for Cards {
    fn default() -> Self {
        Cards {
            enabled: true,
            max_spoils_per_code: 2,
        }
    }
}

/// Collects the issues of the `office`, `demo` and `cards` fields.
pub(super) struct Checks<'a> {
    pub issues: &'a mut Vec<Issue>,
}

impl Checks<'_> {
    fn fail(&mut self, path: &str, message: impl Into<String>) {
        self.issues.push(Issue {
            path: path.to_string(),
            message: message.into(),
        });
    }

    fn hex32(&mut self, path: &str, value: &str) -> Option<[u8; 32]> {
        let ok = value.len() == 64
            && value
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        let bytes = ok.then(|| hex::decode(value).ok()).flatten();
        match bytes.and_then(|b| <[u8; 32]>::try_from(b).ok()) {
            Some(b) => Some(b),
            None => {
                self.fail(path, "must be 64 lowercase hex digits (32 bytes)");
                None
            }
        }
    }

    fn fingerprint(&mut self, path: &str, stated: &str, key: Option<&[u8; 32]>) {
        if let Some(key) = key {
            let expected = fingerprint(key);
            if stated != expected {
                self.fail(
                    path,
                    format!("{stated:?} is not the fingerprint of this public key (it is {expected:?}): the key or the fingerprint was copied wrong"),
                );
            }
        }
    }

    fn commitment(&mut self, path: &str, value: &str) -> Option<[u8; 32]> {
        let bytes = self.hex32(path, value)?;
        let point = CompressedRistretto(bytes).decompress();
        if point.is_none_or(|p| p.is_identity()) {
            self.fail(
                path,
                "is not a ristretto255 commitment (C_0 from the key ceremony)",
            );
            return None;
        }
        Some(bytes)
    }

    /// The `office` block into its keys (`None` after an issue).
    pub fn office(&mut self, doc: &OfficeDoc) -> Option<OfficeKeys> {
        let e = &doc.encryption;
        if e.suite != SUITE {
            self.fail(
                "office.encryption.suite",
                format!("{:?} is not supported: use {SUITE:?}", e.suite),
            );
        }
        let enc_key = self.hex32("office.encryption.public_key", &e.public_key);
        if enc_key == Some([0; 32]) {
            self.fail("office.encryption.public_key", "the all-zero key is not a key");
        }
        self.fingerprint("office.encryption.fingerprint", &e.fingerprint, enc_key.as_ref());
        let enc_commitment = self.commitment("office.encryption.commitment", &e.commitment);

        let s = &doc.signing;
        let sign_key = self.hex32("office.signing.public_key", &s.public_key);
        if let Some(k) = &sign_key {
            let weak = ed25519_dalek::VerifyingKey::from_bytes(k).map_or(true, |v| v.is_weak());
            if weak {
                self.fail("office.signing.public_key", "is not a usable Ed25519 public key");
            }
        }
        self.fingerprint("office.signing.fingerprint", &s.fingerprint, sign_key.as_ref());
        let sign_commitment = self.commitment("office.signing.commitment", &s.commitment);
        Some(OfficeKeys {
            encryption: OfficeKey {
                public_key: enc_key?,
                commitment: enc_commitment?,
            },
            signing: OfficeKey {
                public_key: sign_key?,
                commitment: sign_commitment?,
            },
        })
    }

    /// `demo` must say whether the encryption key is the published test key.
    pub fn demo(&mut self, stated: bool, office: Option<&OfficeKeys>) {
        let Some(office) = office else { return };
        match (stated, office.is_test_key()) {
            (true, false) => self.fail(
                "demo",
                "is true, but office.encryption.public_key is not the published test key: a demo election seals to the test key; remove \"demo\" for a real election",
            ),
            (false, true) => self.fail(
                "demo",
                "office.encryption.public_key is the published test key, which anyone can use to open the ballots: set \"demo\": true (a demo election is never official), or put the office key from `votekiosk office keygen`",
            ),
            _ => {}
        }
    }

    /// `cards`, with its defaults.
    pub fn cards(&mut self, doc: Option<&CardsDoc>) -> Cards {
        let default = Cards::default();
        let Some(doc) = doc else { return default };
        let spoils = doc
            .max_spoils_per_code
            .unwrap_or(u32::from(default.max_spoils_per_code));
        let max_spoils_per_code = match u8::try_from(spoils) {
            Ok(n) if n <= MAX_SPOILS_PER_CODE => n,
            _ => {
                self.fail(
                    "cards.max_spoils_per_code",
                    format!("{spoils} is not from 0 to {MAX_SPOILS_PER_CODE}"),
                );
                default.max_spoils_per_code
            }
        };
        Cards {
            enabled: doc.enabled.unwrap_or(default.enabled),
            max_spoils_per_code,
        }
    }
}
