//! Sealed ballot records (docs/formats.md, "Sealed ballot records"): each
//! ballot is encrypted at cast under a fresh 32-byte data key, and that key
//! is wrapped with HPKE to the office key and to the station's closing key,
//! bound to the election, the station and the test flag. The station file
//! holds only these records; opening one takes the office key (K
//! trustees) or the closing key (K poll workers' slips).
//!
//! `plaintext` is the fixed-length ballot encoding inside a record, so that
//! every record of an election has the same length.

pub mod card;
pub mod plaintext;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::ChaCha20Poly1305;
use hkdf::Hkdf;
use rand_core::CryptoRngCore;
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use crate::ballot::{Ballot, Choice};
use crate::crypto::seal::{self as hpke_seal, SealKeyPair, TEST_PUBLIC_KEY};
use crate::definition::ElectionDefinition;
use crate::error::{Error, Result};

pub use plaintext::{plaintext_length, CARD_ID_LEN};

/// The version label of the binding, the `info` and the record.
pub const LABEL: &[u8] = b"votekiosk-seal/2";
/// The HKDF `info` of a record's public id.
pub const RECORD_ID_INFO: &[u8] = b"votekiosk-record-id/2";
/// The record's first four bytes.
pub const MAGIC: &[u8; 4] = b"VK2S";
/// Bytes 0-11: magic, kind, test, two zero bytes, L.
pub const HEADER_LEN: usize = 12;
/// Bytes 12-171: the two wraps (enc ‖ wrapped key, office then closing).
pub const WRAPS_END: usize = HEADER_LEN + 2 * (32 + 48);
/// A record is `OVERHEAD + L` bytes (header, wraps, the body's tag).
pub const OVERHEAD: usize = WRAPS_END + 16;

/// What a sealed record holds (`B(kind)` and the record's kind byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Ballot,
    SpoiledCard,
    AuditManifest,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Ballot => "ballot",
            Kind::SpoiledCard => "spoiled-card",
            Kind::AuditManifest => "audit-manifest",
        }
    }

    /// The record's kind byte (the audit manifest is no record).
    fn byte(self) -> u8 {
        match self {
            Kind::Ballot => 1,
            Kind::SpoiledCard => 2,
            Kind::AuditManifest => 3,
        }
    }
}

/// Who a wrap is for: the `r` byte of `info`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient {
    Office,
    Closing,
}

impl Recipient {
    fn byte(self) -> u8 {
        match self {
            Recipient::Office => 1,
            Recipient::Closing => 2,
        }
    }
    /// The wrap's offset in the record.
    fn offset(self) -> usize {
        match self {
            Recipient::Office => HEADER_LEN,
            Recipient::Closing => HEADER_LEN + 80,
        }
    }
}

fn lp(hash: &mut Sha256, bytes: &[u8]) {
    hash.update((bytes.len() as u64).to_be_bytes());
    hash.update(bytes);
}

/// `B(kind) = SHA-256(LP("votekiosk-seal/2") ‖ LP(D) ‖ LP(I) ‖ LP(P) ‖ LP([T]) ‖ LP(kind))`.
pub fn binding(
    kind: Kind,
    definition_hash: &[u8; 32],
    station_id: &str,
    station_public_key: &[u8; 32],
    test: bool,
) -> [u8; 32] {
    let mut hash = Sha256::new();
    lp(&mut hash, LABEL);
    lp(&mut hash, definition_hash);
    lp(&mut hash, station_id.as_bytes());
    lp(&mut hash, station_public_key);
    lp(&mut hash, &[u8::from(test)]);
    lp(&mut hash, kind.as_str().as_bytes());
    hash.finalize().into()
}

/// `info(kind, r) = "votekiosk-seal/2" ‖ B(kind) ‖ [r]`: 49 bytes.
pub fn info(binding: &[u8; 32], recipient: Recipient) -> [u8; 49] {
    let mut out = [0u8; 49];
    out[..16].copy_from_slice(LABEL);
    out[16..48].copy_from_slice(binding);
    out[48] = recipient.byte();
    out
}

/// Where records are sealed and opened: the election, the station and
/// whether the records are test records. Each binding is computed from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub definition_hash: [u8; 32],
    pub station_id: String,
    pub station_public_key: [u8; 32],
    pub test: bool,
}

impl Scope {
    pub fn binding(&self, kind: Kind) -> [u8; 32] {
        binding(
            kind,
            &self.definition_hash,
            &self.station_id,
            &self.station_public_key,
            self.test,
        )
    }

    /// The same station with the other test flag.
    fn with_test(&self, test: bool) -> Scope {
        Scope { test, ..self.clone() }
    }
}

/// A record's length for `definition`: `188 + L`.
pub fn record_length(definition: &ElectionDefinition) -> usize {
    OVERHEAD + plaintext_length(definition)
}

/// `record_id = HKDF-SHA256(salt = B("ballot"), IKM = k, "votekiosk-record-id/2", 16)`.
pub fn record_id(binding: &[u8; 32], data_key: &[u8; 32]) -> [u8; 16] {
    let mut out = [0u8; 16];
    // 16 bytes are far below HKDF-SHA256's limit of 255 * 32.
    Hkdf::<Sha256>::new(Some(binding), data_key)
        .expand(RECORD_ID_INFO, &mut out)
        .unwrap_or_else(|_| unreachable!("16 bytes is a valid HKDF-SHA256 output length"));
    out
}

/// The body's AEAD: ChaCha20-Poly1305 under the data key, nonce zero (the
/// key is used once), AAD = header ‖ wraps ‖ B(kind).
fn body_aad(record: &[u8], binding: &[u8; 32]) -> Vec<u8> {
    let mut aad = Vec::with_capacity(WRAPS_END + 32);
    aad.extend_from_slice(&record[..WRAPS_END]);
    aad.extend_from_slice(binding);
    aad
}

/// Seals a plaintext of `kind` to the two public keys (in test mode, pass
/// the test key for both: `scope.test` must say so).
pub fn seal_plaintext(
    kind: Kind,
    scope: &Scope,
    office: &[u8; 32],
    closing: &[u8; 32],
    plaintext: &[u8],
    rng: &mut (impl CryptoRngCore + ?Sized),
) -> Result<Vec<u8>> {
    Prepared::new(kind, scope, office, closing, plaintext.len(), rng)?.finish(plaintext)
}

/// A record's first part, made before its plaintext is known: a fresh data
/// key, the header and the two HPKE wraps of that key (the four X25519
/// operations, nearly all of a seal's cost). `finish` adds the body and
/// consumes it, so one data key seals one record; the key is wiped when
/// the value is dropped, used or not.
pub struct Prepared {
    kind: Kind,
    scope: Scope,
    office: [u8; 32],
    closing: [u8; 32],
    length: usize,
    data_key: Zeroizing<[u8; 32]>,
    /// Header and wraps: `WRAPS_END` bytes, public once written.
    head: Vec<u8>,
}

impl Prepared {
    /// Draws the data key and wraps it to `office` and `closing` under
    /// `scope`'s binding of `kind`, for a plaintext of `length` bytes.
    pub fn new(
        kind: Kind,
        scope: &Scope,
        office: &[u8; 32],
        closing: &[u8; 32],
        length: usize,
        rng: &mut (impl CryptoRngCore + ?Sized),
    ) -> Result<Prepared> {
        let l = u32::try_from(length)
            .map_err(|_| Error::InvalidInput("a sealed plaintext is too long".into()))?;
        let b = scope.binding(kind);
        let mut data_key = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(data_key.as_mut());
        let mut head = Vec::with_capacity(WRAPS_END);
        head.extend_from_slice(MAGIC);
        head.extend_from_slice(&[kind.byte(), u8::from(scope.test), 0, 0]);
        head.extend_from_slice(&l.to_be_bytes());
        for (recipient, public) in [(Recipient::Office, office), (Recipient::Closing, closing)] {
            let (enc, wrapped) = hpke_seal::seal(public, &info(&b, recipient), b"", data_key.as_ref(), rng)?;
            head.extend_from_slice(&enc);
            head.extend_from_slice(&wrapped);
        }
        if head.len() != WRAPS_END {
            return Err(Error::InvalidInput(
                "an HPKE wrap has an unexpected length".into(),
            ));
        }
        Ok(Prepared {
            kind,
            scope: scope.clone(),
            office: *office,
            closing: *closing,
            length,
            data_key,
            head,
        })
    }

    /// Whether this record would be what sealing a `length`-byte plaintext
    /// of `kind` with `sealer` makes now: the same scope (election,
    /// station, test flag) and the same two keys.
    pub fn is_for(&self, kind: Kind, sealer: &Sealer, length: usize) -> bool {
        self.kind == kind
            && self.length == length
            && self.scope == sealer.scope
            && self.office == sealer.office
            && self.closing == sealer.closing
    }

    /// The whole record: the body is `plaintext` under the data key
    /// (ChaCha20-Poly1305, nonce zero, AAD = header ‖ wraps ‖ B(kind)).
    pub fn finish(self, plaintext: &[u8]) -> Result<Vec<u8>> {
        if plaintext.len() != self.length {
            return Err(Error::InvalidInput(
                "the plaintext is not the length the record was prepared for".into(),
            ));
        }
        let b = self.scope.binding(self.kind);
        let cipher = ChaCha20Poly1305::new(self.data_key.as_ref().into());
        let body = cipher
            .encrypt(
                &[0u8; 12].into(),
                Payload {
                    msg: plaintext,
                    aad: &body_aad(&self.head, &b),
                },
            )
            .map_err(|_| Error::InvalidInput("cannot encrypt a sealed record".into()))?;
        let mut record = Vec::with_capacity(OVERHEAD + plaintext.len());
        record.extend_from_slice(&self.head);
        record.extend_from_slice(&body);
        Ok(record)
    }
}

/// The keys a station seals its ballots to: in test mode both are the
/// published test key, whatever is passed.
pub struct Sealer {
    pub scope: Scope,
    pub office: [u8; 32],
    pub closing: [u8; 32],
}

impl Sealer {
    pub fn new(scope: Scope, office: [u8; 32], closing: [u8; 32]) -> Sealer {
        let (office, closing) = if scope.test {
            (TEST_PUBLIC_KEY, TEST_PUBLIC_KEY)
        } else {
            (office, closing)
        };
        Sealer {
            scope,
            office,
            closing,
        }
    }

    /// Seals one validated ballot with its card id (zeros without cards):
    /// a fresh data key, wrapped to both keys; the body under it.
    pub fn seal_ballot(
        &self,
        definition: &ElectionDefinition,
        ballot: &Ballot,
        card_id: &[u8; CARD_ID_LEN],
        rng: &mut (impl CryptoRngCore + ?Sized),
    ) -> Result<Vec<u8>> {
        self.seal_ballot_prepared(definition, ballot, card_id, None, rng)
    }

    /// Prepares the next ballot record of this election before its ballot
    /// is known (`Prepared`): the slow part of `seal_ballot`, made while
    /// the voter still reads their ballot.
    pub fn prepare_ballot(
        &self,
        definition: &ElectionDefinition,
        rng: &mut (impl CryptoRngCore + ?Sized),
    ) -> Result<Prepared> {
        Prepared::new(
            Kind::Ballot,
            &self.scope,
            &self.office,
            &self.closing,
            plaintext_length(definition),
            rng,
        )
    }

    /// `seal_ballot` finishing `prepared` if it was made for this sealer
    /// (`Prepared::is_for`); otherwise, or without one, sealing afresh
    /// (`prepared` is dropped, its key wiped, either way).
    pub fn seal_ballot_prepared(
        &self,
        definition: &ElectionDefinition,
        ballot: &Ballot,
        card_id: &[u8; CARD_ID_LEN],
        prepared: Option<Prepared>,
        rng: &mut (impl CryptoRngCore + ?Sized),
    ) -> Result<Vec<u8>> {
        let plaintext = plaintext::encode(definition, ballot, card_id)
            .map_err(|plaintext::Invalid(why)| Error::InvalidSelection(why))?;
        let prepared = match prepared {
            Some(p) if p.is_for(Kind::Ballot, self, plaintext.len()) => p,
            _ => Prepared::new(
                Kind::Ballot,
                &self.scope,
                &self.office,
                &self.closing,
                plaintext.len(),
                rng,
            )?,
        };
        prepared.finish(&plaintext)
    }
}

/// The plaintext of a spoiled-card record: the version byte and the card id.
const CARD_PLAINTEXT_LEN: usize = 1 + CARD_ID_LEN;

/// A spoiled-card record's length (a card id sealed like a ballot).
pub const CARD_RECORD_LEN: usize = OVERHEAD + CARD_PLAINTEXT_LEN;

impl Sealer {
    /// Seals a card id as a spoiled-card record (kind `spoiled-card`): how
    /// the station keeps a printed card's id, pending or spoiled, without
    /// holding it in clear.
    pub fn seal_card(&self, card: &card::CardId, rng: &mut (impl CryptoRngCore + ?Sized)) -> Result<Vec<u8>> {
        let mut plaintext = Zeroizing::new([0u8; CARD_PLAINTEXT_LEN]);
        plaintext[0] = plaintext::VERSION;
        plaintext[1..].copy_from_slice(card.bytes());
        seal_plaintext(
            Kind::SpoiledCard,
            &self.scope,
            &self.office,
            &self.closing,
            plaintext.as_ref(),
            rng,
        )
    }
}

/// Opens a spoiled-card record (`Sealer::seal_card`) with the office or
/// the closing key pair: the card id.
pub fn open_card(
    record: &[u8],
    scope: &Scope,
    key: &SealKeyPair,
    recipient: Recipient,
) -> std::result::Result<card::CardId, RecordFault> {
    if record.len() != CARD_RECORD_LEN
        || &record[..4] != MAGIC
        || record[4] != Kind::SpoiledCard.byte()
        || record[6..8] != [0, 0]
        || record[8..12] != (CARD_PLAINTEXT_LEN as u32).to_be_bytes()
    {
        return Err(RecordFault::Malformed("it is not a spoiled-card record".into()));
    }
    if record[5] != u8::from(scope.test) {
        return Err(RecordFault::Malformed(
            "its test flag is not that of this count".into(),
        ));
    }
    let data_key =
        open_data_key_of(Kind::SpoiledCard, record, scope, key, recipient).ok_or(RecordFault::WrongKey)?;
    let b = scope.binding(Kind::SpoiledCard);
    let cipher = ChaCha20Poly1305::new(data_key.as_ref().into());
    let plaintext = cipher
        .decrypt(
            &[0u8; 12].into(),
            Payload {
                msg: &record[WRAPS_END..],
                aad: &body_aad(record, &b),
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| RecordFault::WrongKey)?;
    if plaintext.len() != CARD_PLAINTEXT_LEN || plaintext[0] != plaintext::VERSION {
        return Err(RecordFault::Invalid("not a card id of this version".into()));
    }
    let mut bytes = [0u8; CARD_ID_LEN];
    bytes.copy_from_slice(&plaintext[1..]);
    card::CardId::from_bytes(bytes).ok_or_else(|| RecordFault::Invalid("the zero card id".into()))
}

/// An opened ballot record: its public id, the ballot (normal form) and
/// its card id. The choices are wiped from memory when it is dropped.
pub struct UnsealedBallot {
    pub record_id: [u8; 16],
    pub ballot: Ballot,
    pub card_id: [u8; CARD_ID_LEN],
}

impl Drop for UnsealedBallot {
    fn drop(&mut self) {
        for choices in self.ballot.contests.values_mut() {
            for choice in choices.iter_mut() {
                if let Choice::Candidate(s) | Choice::WriteIn(s) = choice {
                    s.zeroize();
                }
            }
        }
        self.record_id.zeroize();
        self.card_id.zeroize();
    }
}

/// Why a record did not open; `at(position)` names it for the count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordFault {
    /// Not a record of this layout or length.
    Malformed(String),
    /// The key does not open it (another station, election or key, or a
    /// changed byte).
    WrongKey,
    /// In an official count: it opens with the published test key.
    TestBallot,
    /// It opened, but its plaintext is no ballot of this election.
    Invalid(String),
}

impl RecordFault {
    /// The error naming the record by its position in the count (the
    /// sealed export's order), never by storage id.
    pub fn at(self, position: usize) -> Error {
        match self {
            RecordFault::TestBallot => Error::TestBallotInOfficialCount { position },
            RecordFault::Malformed(why) | RecordFault::Invalid(why) => Error::SealedRecord {
                position,
                reason: why,
            },
            RecordFault::WrongKey => Error::SealedRecord {
                position,
                reason:
                    "it does not open with this key (another station, election or key, or a changed byte)"
                        .into(),
            },
        }
    }
}

/// Opens the data key of a record for `recipient` under `scope`.
fn open_data_key(
    record: &[u8],
    scope: &Scope,
    key: &SealKeyPair,
    recipient: Recipient,
) -> Option<Zeroizing<[u8; 32]>> {
    open_data_key_of(Kind::Ballot, record, scope, key, recipient)
}

/// Opens the data key of a record of `kind` for `recipient` under `scope`.
fn open_data_key_of(
    kind: Kind,
    record: &[u8],
    scope: &Scope,
    key: &SealKeyPair,
    recipient: Recipient,
) -> Option<Zeroizing<[u8; 32]>> {
    let b = scope.binding(kind);
    let at = recipient.offset();
    let enc: [u8; 32] = record[at..at + 32].try_into().ok()?;
    let wrapped = &record[at + 32..at + 80];
    let key_bytes = hpke_seal::open(key, &enc, &info(&b, recipient), b"", wrapped).ok()?;
    let data_key: [u8; 32] = key_bytes.as_slice().try_into().ok()?;
    Some(Zeroizing::new(data_key))
}

/// Opens a sealed ballot record with the office or the closing key pair:
/// unwraps the data key with `info("ballot", recipient)` under `scope`,
/// decrypts the body, decodes the ballot and derives its public id. In an
/// official scope, a record that the key does not open but the published
/// test key does is `RecordFault::TestBallot`.
pub fn open_record(
    record: &[u8],
    definition: &ElectionDefinition,
    scope: &Scope,
    key: &SealKeyPair,
    recipient: Recipient,
) -> std::result::Result<UnsealedBallot, RecordFault> {
    let expected = record_length(definition);
    if record.len() != expected {
        return Err(RecordFault::Malformed(format!(
            "it is {} bytes, this election's records are {expected}",
            record.len()
        )));
    }
    let length = (expected - OVERHEAD) as u32;
    if &record[..4] != MAGIC
        || record[4] != Kind::Ballot.byte()
        || record[6..8] != [0, 0]
        || record[8..12] != length.to_be_bytes()
    {
        return Err(RecordFault::Malformed(
            "its header is not that of a ballot record".into(),
        ));
    }
    let Some(data_key) = open_data_key(record, scope, key, recipient) else {
        if !scope.test {
            let test_key = SealKeyPair::test();
            for test in [true, false] {
                let other = scope.with_test(test);
                let opens = [Recipient::Office, Recipient::Closing]
                    .iter()
                    .any(|&r| open_data_key(record, &other, &test_key, r).is_some());
                if opens {
                    return Err(RecordFault::TestBallot);
                }
            }
        }
        return Err(RecordFault::WrongKey);
    };
    if record[5] != u8::from(scope.test) {
        return Err(RecordFault::Malformed(
            "its test flag disagrees with its binding".into(),
        ));
    }
    let b = scope.binding(Kind::Ballot);
    let cipher = ChaCha20Poly1305::new(data_key.as_ref().into());
    let plaintext = cipher
        .decrypt(
            &[0u8; 12].into(),
            Payload {
                msg: &record[WRAPS_END..],
                aad: &body_aad(record, &b),
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| RecordFault::WrongKey)?;
    let decoded = plaintext::decode(definition, &plaintext)
        .map_err(|plaintext::Invalid(why)| RecordFault::Invalid(why))?;
    Ok(UnsealedBallot {
        record_id: record_id(&b, &data_key),
        ballot: decoded.ballot,
        card_id: decoded.card_id,
    })
}

#[cfg(test)]
mod tests;
