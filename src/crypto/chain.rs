//! The audit hash chain.
//!
//! Entry `i` stores `prev` (the hash of entry `i-1`, 32 zero bytes for the
//! first) and `mac = HMAC-SHA256(audit_key, hash_i)`, where
//! `hash_i = SHA-256("votekiosk-audit/1" ‖ prev ‖ seq ‖ at ‖ actor ‖ kind ‖ detail)`
//! with every field length-prefixed (8-byte big-endian). Changing any field
//! breaks that entry's MAC; recomputing the MAC (with the key) still breaks
//! the next entry's `prev`.

use sha2::{Digest, Sha256};

pub const GENESIS: [u8; 32] = [0u8; 32];
const DOMAIN: &[u8] = b"votekiosk-audit/1";

/// The fields of one audit entry that the chain covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryFields<'a> {
    pub seq: i64,
    pub at: &'a str,
    pub actor: &'a str,
    pub kind: &'a str,
    pub detail: &'a str,
}

pub fn entry_hash(prev: &[u8; 32], f: &EntryFields<'_>) -> [u8; 32] {
    let mut h = Sha256::new();
    let seq = f.seq.to_be_bytes();
    for part in [
        DOMAIN,
        prev.as_slice(),
        seq.as_slice(),
        f.at.as_bytes(),
        f.actor.as_bytes(),
        f.kind.as_bytes(),
        f.detail.as_bytes(),
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    h.finalize().into()
}
