//! HPKE (RFC 9180) base mode, the one way votekiosk/2 seals data to a key:
//! DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305
//! (`docs/formats.md`, "Sealing"). Key pairs are never random X25519
//! scalars: they come from a 32-byte secret through `DeriveKeyPair`
//! (RFC 9180 §7.1.3), so the secret can be split with Shamir
//! (`crypto::shares`) and the key rebuilt from K shares.

use hpke::aead::ChaCha20Poly1305;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, Kem as _, OpModeR, OpModeS, Serializable};
use sha2::{Digest, Sha512};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

type Kem = X25519HkdfSha256;

/// The suite name written into definitions (`office.encryption.suite`).
pub const SUITE: &str = "x25519-hkdf-sha256/hkdf-sha256/chacha20-poly1305";

/// The label whose SHA-512 (mod ℓ) is the published test key's secret.
pub const TEST_KEY_LABEL: &str = "votekiosk/2 published test key: it seals test ballots only";

/// The published test key's public key (test mode seals to it; anyone can open).
pub const TEST_PUBLIC_KEY: [u8; 32] = [
    0x83, 0x85, 0x18, 0x49, 0x72, 0x56, 0xfa, 0x51, 0x93, 0x59, 0x21, 0x62, 0x76, 0x2c, 0x37, 0xdc, 0xf3,
    0x7d, 0xa9, 0x5b, 0x01, 0x9d, 0xf7, 0xda, 0xde, 0xfa, 0x02, 0x88, 0xbd, 0xca, 0xe1, 0x63,
];

/// The scalar `SHA-512(label) mod ℓ` as 32 bytes little-endian: how tests
/// and the demo turn a published label into a secret (never for real keys).
pub fn label_secret(label: &str) -> Zeroizing<[u8; 32]> {
    let wide: [u8; 64] = Sha512::digest(label.as_bytes()).into();
    Zeroizing::new(curve25519_dalek::Scalar::from_bytes_mod_order_wide(&wide).to_bytes())
}

/// An X25519 key pair made by `DeriveKeyPair`. The private key is held as
/// its 32 bytes and wiped when dropped; `Debug` never shows it.
pub struct SealKeyPair {
    private: Zeroizing<[u8; 32]>,
    public: [u8; 32],
}

impl std::fmt::Debug for SealKeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealKeyPair")
            .field("public", &hex::encode(self.public))
            .finish_non_exhaustive()
    }
}

impl SealKeyPair {
    /// RFC 9180 `DeriveKeyPair(ikm)` for DHKEM(X25519, HKDF-SHA256). In
    /// votekiosk `ikm` is `LE32(s)` for a secret scalar `s`.
    pub fn derive(ikm: &[u8; 32]) -> SealKeyPair {
        let (private, public) = Kem::derive_keypair(ikm);
        let mut bytes = Zeroizing::new([0u8; 32]);
        bytes.copy_from_slice(&private.to_bytes());
        let mut public_bytes = [0u8; 32];
        public_bytes.copy_from_slice(&public.to_bytes());
        SealKeyPair {
            private: bytes,
            public: public_bytes,
        }
    }

    /// The published test key (its secret is public: see `TEST_KEY_LABEL`).
    pub fn test() -> SealKeyPair {
        SealKeyPair::derive(&label_secret(TEST_KEY_LABEL))
    }

    /// The public key, 32 bytes.
    pub fn public(&self) -> [u8; 32] {
        self.public
    }
}

/// Seals `plaintext` to `public` (HPKE `SealBase`): returns the 32-byte
/// encapsulated key and the ciphertext with its 16-byte tag.
pub fn seal(
    public: &[u8; 32],
    info: &[u8],
    aad: &[u8],
    plaintext: &[u8],
    rng: &mut (impl rand_core::CryptoRngCore + ?Sized),
) -> Result<([u8; 32], Vec<u8>)> {
    let recipient = <Kem as hpke::Kem>::PublicKey::from_bytes(public)
        .map_err(|_| Error::InvalidInput("not an X25519 public key".into()))?;
    let (enc, ciphertext) = hpke::single_shot_seal::<ChaCha20Poly1305, HkdfSha256, Kem, _>(
        &OpModeS::Base,
        &recipient,
        info,
        plaintext,
        aad,
        &mut super::RngRef(rng),
    )
    .map_err(|e| Error::InvalidInput(format!("cannot seal to this public key: {e}")))?;
    let mut enc_bytes = [0u8; 32];
    enc_bytes.copy_from_slice(&enc.to_bytes());
    Ok((enc_bytes, ciphertext))
}

/// Opens what `seal` made (HPKE `OpenBase`). Any mismatch (key, `info`,
/// `aad`, a changed byte) is `Error::SealOpen`, never a partial plaintext.
pub fn open(
    pair: &SealKeyPair,
    enc: &[u8; 32],
    info: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    let private =
        <Kem as hpke::Kem>::PrivateKey::from_bytes(pair.private.as_ref()).map_err(|_| Error::SealOpen)?;
    let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(enc).map_err(|_| Error::SealOpen)?;
    hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, Kem>(
        &OpModeR::Base,
        &private,
        &enc,
        info,
        ciphertext,
        aad,
    )
    .map(Zeroizing::new)
    .map_err(|_| Error::SealOpen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).expect("hex")
    }

    fn arr(s: &str) -> [u8; 32] {
        h(s).try_into().expect("32 bytes")
    }

    #[test]
    fn rfc9180_a1_derive_key_pair() {
        // RFC 9180 A.1 (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM): ikmR -> skRm, pkRm.
        let ikm = arr("6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037");
        let pair = SealKeyPair::derive(&ikm);
        assert_eq!(
            hex::encode(pair.private.as_ref()),
            "4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8"
        );
        assert_eq!(
            hex::encode(pair.public()),
            "3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d"
        );
    }

    #[test]
    fn s_equal_one_vector() {
        let mut ikm = [0u8; 32];
        ikm[0] = 1;
        assert_eq!(
            hex::encode(SealKeyPair::derive(&ikm).public()),
            "2a0526cfb927bdbc09555c9ac14b4661281a194f6780d33e73cd70fc0f411a0c"
        );
    }

    #[test]
    fn published_test_key_and_fixture_key() {
        let s = label_secret(TEST_KEY_LABEL);
        assert_eq!(
            hex::encode(s.as_ref()),
            "a389a44d77d7b4cda29a114b380cdbd3f80ce77c0588d6ae0b88db83fbc62302"
        );
        assert_eq!(SealKeyPair::test().public(), TEST_PUBLIC_KEY);
        assert_eq!(
            hex::encode(TEST_PUBLIC_KEY),
            "838518497256fa5193592162762c37dcf37da95b019df7dadefa0288bdcae163"
        );
        let fixture = label_secret("votekiosk test fixture: office encryption secret");
        assert_eq!(
            hex::encode(fixture.as_ref()),
            "3b15fd8c2e6831aaa7340019171f87e8b53888af5b341b6492693eff459d1b09"
        );
        assert_eq!(
            hex::encode(SealKeyPair::derive(&fixture).public()),
            "6549e6c27abe90a08c8380456398c22e9a7c25c01713216faa2710c198772532"
        );
    }

    #[test]
    fn seal_open_round_trip_and_every_mismatch_fails() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let pair = SealKeyPair::derive(&[5u8; 32]);
        let (enc, ct) = seal(&pair.public(), b"info", b"aad", b"the ballot", &mut rng).expect("seal");
        assert_eq!(ct.len(), 10 + 16);
        let pt = open(&pair, &enc, b"info", b"aad", &ct).expect("open");
        assert_eq!(pt.as_slice(), b"the ballot");

        let other = SealKeyPair::test();
        assert!(matches!(
            open(&other, &enc, b"info", b"aad", &ct),
            Err(Error::SealOpen)
        ));
        assert!(matches!(
            open(&pair, &enc, b"infx", b"aad", &ct),
            Err(Error::SealOpen)
        ));
        assert!(matches!(
            open(&pair, &enc, b"info", b"aax", &ct),
            Err(Error::SealOpen)
        ));
        let mut flipped = ct.clone();
        flipped[3] ^= 1;
        assert!(matches!(
            open(&pair, &enc, b"info", b"aad", &flipped),
            Err(Error::SealOpen)
        ));
        let mut enc2 = enc;
        enc2[0] ^= 1;
        assert!(matches!(
            open(&pair, &enc2, b"info", b"aad", &ct),
            Err(Error::SealOpen)
        ));
    }

    #[test]
    fn seal_takes_an_unsized_generator() {
        let mut boxed: Box<dyn rand_core::CryptoRngCore + Send> =
            Box::new(rand::rngs::StdRng::seed_from_u64(1));
        let pair = SealKeyPair::test();
        let (enc, ct) = seal(&pair.public(), b"", b"", b"x", boxed.as_mut()).expect("seal");
        assert_eq!(open(&pair, &enc, b"", b"", &ct).expect("open").as_slice(), b"x");
    }
}
