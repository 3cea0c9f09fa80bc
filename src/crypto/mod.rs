//! Cryptography of the station: key derivation, official passwords, voter
//! codes, the audit chain, HPKE sealing (`seal`), Feldman-verified secret
//! shares (`shares`), and random values. Every random value comes from
//! the operating system's generator (through the station's injectable RNG).

pub mod base32;
pub mod chain;
pub mod kdf;
pub mod password;
pub mod seal;
pub mod shares;

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub type HmacSha256 = Hmac<Sha256>;

/// HMAC-SHA256 of the concatenated parts (each prefixed by its length, so
/// that part boundaries cannot shift).
pub fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    for p in parts {
        mac.update(&(p.len() as u64).to_be_bytes());
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// Constant-time comparison of two MACs.
pub fn mac_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}

/// Lets an unsized `CryptoRngCore` (the station's injected generator)
/// stand where `hpke` and `vsss-rs` want a sized one.
pub(crate) struct RngRef<'a, R: rand_core::CryptoRngCore + ?Sized>(&'a mut R);

impl<R: rand_core::CryptoRngCore + ?Sized> rand_core::RngCore for RngRef<'_, R> {
    fn next_u32(&mut self) -> u32 {
        self.0.next_u32()
    }
    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill_bytes(dest)
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> std::result::Result<(), rand_core::Error> {
        self.0.try_fill_bytes(dest)
    }
}

impl<R: rand_core::CryptoRngCore + ?Sized> rand_core::CryptoRng for RngRef<'_, R> {}
