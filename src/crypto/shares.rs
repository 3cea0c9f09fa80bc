//! K-of-N secret sharing with Feldman commitments over ristretto255
//! (`docs/formats.md`, "Shares and commitments"): the office key's secret
//! and each station's closing-key secret are split so that any K holders
//! rebuild it, K − 1 learn nothing, and a wrong share is named.
//!
//! The field is `Z_ℓ` (ℓ the ristretto255 group order); scalars are 32
//! bytes little-endian and must be canonical (< ℓ). Splitting, checking a
//! share and Lagrange interpolation are done by the `vsss-rs` crate
//! (`feldman::split_secret`, `FeldmanVerifierSet::verify_share`,
//! `ReadableShareSet::combine`); this module fixes the encodings, the
//! bounds and the checks around it (`a_{K−1} ≠ 0`, `s·B = C_0`).

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use curve25519_dalek::ristretto::CompressedRistretto;
use curve25519_dalek::traits::IsIdentity;
use curve25519_dalek::Scalar;
use sha2::{Digest, Sha256};
use vsss_rs::curve25519::{WrappedRistretto, WrappedScalar};
use vsss_rs::{DefaultShare, FeldmanVerifierSet, IdentifierPrimeField, ReadableShareSet, ShareVerifierGroup};
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, Result};

type Field = IdentifierPrimeField<WrappedScalar>;
type VsssShare = DefaultShare<Field, Field>;
type Verifier = ShareVerifierGroup<WrappedRistretto>;

/// The most shares one secret is split into (indices 1..=32).
pub const MAX_SHARES: u8 = 32;

/// One holder's share: `y_i = f(i)` as a canonical 32-byte LE scalar.
pub struct Share {
    pub index: u8,
    pub value: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for Share {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Share")
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

impl Clone for Share {
    fn clone(&self) -> Share {
        Share {
            index: self.index,
            value: self.value.clone(),
        }
    }
}

/// Feldman commitments `C_0 … C_{K−1}` (`C_j = a_j·B`), compressed
/// ristretto255. `C_0 = s·B` identifies the secret; the count is K.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commitments(pub Vec<[u8; 32]>);

impl Commitments {
    /// `SHA-256(C_0 ‖ … ‖ C_{K−1})`: read aloud at the ceremony so that
    /// every trustee checks against the same commitments.
    pub fn digest(&self) -> [u8; 32] {
        let mut hash = Sha256::new();
        for c in &self.0 {
            hash.update(c);
        }
        hash.finalize().into()
    }

    /// `C_0 = s·B` (zeros if there are no commitments, which `validate` refuses).
    pub fn c0(&self) -> [u8; 32] {
        self.0.first().copied().unwrap_or([0u8; 32])
    }

    /// K, the number of shares that rebuild the secret.
    pub fn threshold(&self) -> u8 {
        u8::try_from(self.0.len()).unwrap_or(u8::MAX)
    }

    /// A valid set: 2 ≤ K ≤ 32 entries, each a ristretto255 encoding, the
    /// last not the identity (so K − 1 shares really are not enough).
    pub fn validate(&self) -> Result<()> {
        self.points().map(|_| ())
    }

    fn points(&self) -> Result<Vec<WrappedRistretto>> {
        let k = self.0.len();
        if !(2..=MAX_SHARES as usize).contains(&k) {
            return Err(Error::KeyMismatch(format!(
                "a commitment set has 2 to {MAX_SHARES} entries, this one has {k}"
            )));
        }
        let points = self
            .0
            .iter()
            .enumerate()
            .map(|(j, c)| {
                CompressedRistretto(*c)
                    .decompress()
                    .map(WrappedRistretto)
                    .ok_or_else(|| Error::KeyMismatch(format!("commitment {j} is not a ristretto255 point")))
            })
            .collect::<Result<Vec<_>>>()?;
        if points[k - 1].0.is_identity() {
            return Err(Error::KeyMismatch(
                "the last commitment is the identity: fewer shares than the threshold would rebuild the secret".into(),
            ));
        }
        Ok(points)
    }

    fn verifier_set(&self) -> Result<Vec<Verifier>> {
        let mut set = vec![Verifier::from(WrappedRistretto(RISTRETTO_BASEPOINT_POINT))];
        set.extend(self.points()?.into_iter().map(Verifier::from));
        Ok(set)
    }
}

/// Reads a canonical scalar (< ℓ); a non-canonical encoding is refused.
pub fn scalar(bytes: &[u8; 32]) -> Result<Scalar> {
    Option::from(Scalar::from_canonical_bytes(*bytes)).ok_or_else(|| {
        Error::InvalidInput("not a canonical scalar (it must be below the group order)".into())
    })
}

/// A fresh secret: 64 random bytes reduced mod ℓ, redrawn if zero.
pub fn random_secret(rng: &mut (impl rand_core::CryptoRngCore + ?Sized)) -> Zeroizing<[u8; 32]> {
    loop {
        let mut wide = Zeroizing::new([0u8; 64]);
        rng.fill_bytes(wide.as_mut());
        let mut s = Scalar::from_bytes_mod_order_wide(&wide);
        if s != Scalar::ZERO {
            let out = Zeroizing::new(s.to_bytes());
            s.zeroize();
            return out;
        }
    }
}

/// `C_0 = s·B`, compressed: the public commitment to a secret (it goes into
/// the definition next to the public key it makes).
pub fn commitment_of(secret: &[u8; 32]) -> Result<[u8; 32]> {
    let mut s = scalar(secret)?;
    let c = (RISTRETTO_BASEPOINT_POINT * s).compress().to_bytes();
    s.zeroize();
    Ok(c)
}

/// Splits `secret` into `count` shares (indices 1..=count), any `threshold`
/// of which rebuild it. 2 ≤ threshold ≤ count ≤ 32; the secret must be a
/// non-zero canonical scalar. The callers add their own bound (the office
/// needs count ≥ threshold + 1).
pub fn split(
    secret: &[u8; 32],
    threshold: u8,
    count: u8,
    rng: &mut (impl rand_core::CryptoRngCore + ?Sized),
) -> Result<(Vec<Share>, Commitments)> {
    if threshold < 2 || threshold > count || count > MAX_SHARES {
        return Err(Error::InvalidInput(format!(
            "a key is split K of N with 2 ≤ K ≤ N ≤ {MAX_SHARES}; {threshold} of {count} is not possible"
        )));
    }
    let s = scalar(secret)?;
    if s == Scalar::ZERO {
        return Err(Error::InvalidInput("the secret is zero".into()));
    }
    let field_secret = Field::from(WrappedScalar(s));
    loop {
        let (mut shares, verifiers) = vsss_rs::feldman::split_secret::<VsssShare, Verifier>(
            threshold as usize,
            count as usize,
            &field_secret,
            None,
            super::RngRef(&mut *rng),
        )
        .map_err(|e| Error::InvalidInput(format!("cannot split the secret: {e:?}")))?;
        let commitments = Commitments(
            FeldmanVerifierSet::<VsssShare, Verifier>::verifiers(&verifiers)
                .iter()
                .map(|v| v.0 .0.compress().to_bytes())
                .collect(),
        );
        let out: Vec<Share> = shares
            .iter()
            .zip(1u8..)
            .map(|(sh, i)| Share {
                index: i,
                value: Zeroizing::new(sh.value.0 .0.to_bytes()),
            })
            .collect();
        // Wipe vsss-rs's copies of the share values (its polynomial's
        // coefficients live and die inside `split_secret`).
        for sh in shares.iter_mut() {
            sh.value.0 .0.zeroize();
        }
        // a_{K−1} = 0 (probability 2^-252) would let K − 1 shares suffice: redraw.
        if commitments.validate().is_err() {
            continue;
        }
        debug_assert!(out.iter().zip(1u8..).all(|(s, i)| s.index == i));
        return Ok((out, commitments));
    }
}

fn to_vsss(share: &Share) -> Result<VsssShare> {
    if share.index == 0 || share.index > MAX_SHARES {
        return Err(Error::InvalidInput(format!(
            "share index {} is out of range (1 to {MAX_SHARES})",
            share.index
        )));
    }
    let value = scalar(&share.value).map_err(|_| Error::ShareMismatch { index: share.index })?;
    Ok(VsssShare {
        identifier: Field::from(WrappedScalar(Scalar::from(share.index as u64))),
        value: Field::from(WrappedScalar(value)),
    })
}

/// Checks one share against the commitments:
/// `y_i·B = Σ_j (i^j mod ℓ)·C_j`. A wrong share is named by its index.
pub fn check(share: &Share, commitments: &Commitments) -> Result<()> {
    let set = commitments.verifier_set()?;
    let mut v = to_vsss(share)?;
    let ok = set.verify_share(&v).is_ok();
    v.value.0 .0.zeroize();
    if ok {
        Ok(())
    } else {
        Err(Error::ShareMismatch { index: share.index })
    }
}

/// Rebuilds the secret from at least K shares with distinct indices, each
/// checked first (a bad one is named), then requires `s·B = C_0`.
pub fn combine(shares: &[Share], commitments: &Commitments) -> Result<Zeroizing<[u8; 32]>> {
    commitments.validate()?;
    let need = commitments.threshold();
    if shares.len() < need as usize {
        return Err(Error::TooFewShares {
            have: shares.len(),
            need,
        });
    }
    let mut seen = [false; MAX_SHARES as usize + 1];
    for share in shares {
        let slot = seen.get_mut(share.index as usize).ok_or_else(|| {
            Error::InvalidInput(format!(
                "share index {} is out of range (1 to {MAX_SHARES})",
                share.index
            ))
        })?;
        if *slot {
            return Err(Error::KeyMismatch(format!(
                "share {} is given twice: K different shares are needed",
                share.index
            )));
        }
        *slot = true;
        check(share, commitments)?;
    }
    let mut set = shares.iter().map(to_vsss).collect::<Result<Vec<_>>>()?;
    let combined = set.combine();
    for sh in set.iter_mut() {
        sh.value.0 .0.zeroize();
    }
    let mut secret = combined
        .map_err(|e| Error::KeyMismatch(format!("the shares cannot be combined: {e:?}")))?
        .0
         .0;
    let out = Zeroizing::new(secret.to_bytes());
    secret.zeroize();
    if commitment_of(&out)? != commitments.c0() {
        return Err(Error::KeyMismatch("the shares rebuild another key".into()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::seal::{label_secret, SealKeyPair};
    use rand::SeedableRng;

    fn rng(seed: u64) -> rand::rngs::StdRng {
        rand::rngs::StdRng::seed_from_u64(seed)
    }

    /// The brief's published and fixture keys: label → s → public key → C_0.
    #[test]
    fn label_vectors() {
        let cases = [
            (
                "votekiosk/2 published test key: it seals test ballots only",
                "a389a44d77d7b4cda29a114b380cdbd3f80ce77c0588d6ae0b88db83fbc62302",
                "838518497256fa5193592162762c37dcf37da95b019df7dadefa0288bdcae163",
                "28b40c855947eaeb39dbb667969672723a90847a6dbe824d4d39ea236ccfb44f",
                false,
            ),
            (
                "votekiosk/2 published test signing key: it signs demo files only",
                "d29b225d96e576c60168e5e09e4249a1b251b3c8341095b95f87a4adab513200",
                "2a873ee97037625be57e0160b587e44b3b85f3314e98b379ff489598372f0ec7",
                "18df2cfb7f3ded8090958d894ef09f82cf3d792ef93ed1ea102aff16b86ba73c",
                true,
            ),
            (
                "votekiosk test fixture: office encryption secret",
                "3b15fd8c2e6831aaa7340019171f87e8b53888af5b341b6492693eff459d1b09",
                "6549e6c27abe90a08c8380456398c22e9a7c25c01713216faa2710c198772532",
                "2ed0bc0274d88532333adb94860aac535e60766d11a0800bbb7af8721dc9f115",
                false,
            ),
            (
                "votekiosk test fixture: office signing secret",
                "1e82bfdac7828caace4891acfb7be6720fddb5153d4f135963af3192d00e8b08",
                "0ed83111c897c4f7b119d556bb37c73112e2f32d23e09b4aa71ddb7f39a47529",
                "5a7f777d6e229f137635e7eafcca3cdd0728067c3f136912b4ef89de30383044",
                true,
            ),
        ];
        for (label, s_hex, pk_hex, c0_hex, signing) in cases {
            let s = label_secret(label);
            assert_eq!(hex::encode(s.as_ref()), s_hex, "{label}");
            let pk = if signing {
                ed25519_dalek::SigningKey::from_bytes(&s)
                    .verifying_key()
                    .to_bytes()
            } else {
                SealKeyPair::derive(&s).public()
            };
            assert_eq!(hex::encode(pk), pk_hex, "{label}");
            assert_eq!(hex::encode(commitment_of(&s).expect("c0")), c0_hex, "{label}");
        }
    }

    /// The normative check of formats.md, written out with curve25519-dalek
    /// alone: an independent cross-check of what vsss-rs computes.
    fn check_by_hand(share: &Share, c: &Commitments) -> bool {
        let i = Scalar::from(share.index as u64);
        let mut power = Scalar::ONE;
        let mut rhs = curve25519_dalek::RistrettoPoint::default();
        for cj in &c.0 {
            rhs += CompressedRistretto(*cj).decompress().expect("point") * power;
            power *= i;
        }
        RISTRETTO_BASEPOINT_POINT * scalar(&share.value).expect("canonical") == rhs
    }

    fn combine_by_hand(shares: &[&Share]) -> [u8; 32] {
        let mut s = Scalar::ZERO;
        for a in shares {
            let i = Scalar::from(a.index as u64);
            let mut lambda = Scalar::ONE;
            for b in shares {
                if b.index != a.index {
                    let j = Scalar::from(b.index as u64);
                    lambda *= j * (j - i).invert();
                }
            }
            s += scalar(&a.value).expect("canonical") * lambda;
        }
        s.to_bytes()
    }

    fn subsets(n: usize, k: usize) -> Vec<Vec<usize>> {
        (0u32..(1 << n))
            .filter(|m| m.count_ones() as usize == k)
            .map(|m| (0..n).filter(|i| m & (1 << i) != 0).collect())
            .collect()
    }

    #[test]
    fn every_three_subset_of_five_rebuilds_and_no_two_subset_does() {
        let mut r = rng(1);
        let secret = random_secret(&mut r);
        let (shares, c) = split(&secret, 3, 5, &mut r).expect("split");
        assert_eq!(c.threshold(), 3);
        assert_eq!(c.c0(), commitment_of(&secret).expect("c0"));
        assert_eq!(
            shares.iter().map(|s| s.index).collect::<Vec<_>>(),
            vec![1, 2, 3, 4, 5]
        );
        for s in &shares {
            check(s, &c).expect("valid share");
            assert!(check_by_hand(s, &c));
        }
        for subset in subsets(5, 3) {
            let picked: Vec<Share> = subset.iter().map(|&i| shares[i].clone()).collect();
            let rebuilt = combine(&picked, &c).expect("K shares rebuild");
            assert_eq!(*rebuilt, *secret, "{subset:?}");
            let refs: Vec<&Share> = picked.iter().collect();
            assert_eq!(combine_by_hand(&refs), *secret);
        }
        for subset in subsets(5, 2) {
            let picked: Vec<Share> = subset.iter().map(|&i| shares[i].clone()).collect();
            assert!(
                matches!(
                    combine(&picked, &c),
                    Err(Error::TooFewShares { have: 2, need: 3 })
                ),
                "{subset:?}"
            );
            // Even interpolated by hand, two shares give some other value.
            let refs: Vec<&Share> = picked.iter().collect();
            assert_ne!(combine_by_hand(&refs), *secret);
        }
        // All five together also rebuild it.
        assert_eq!(*combine(&shares, &c).expect("all"), *secret);
    }

    #[test]
    fn a_tampered_share_is_named_by_its_index() {
        let mut r = rng(2);
        let secret = random_secret(&mut r);
        let (mut shares, c) = split(&secret, 2, 3, &mut r).expect("split");
        let mut v = scalar(&shares[1].value).expect("canonical");
        v += Scalar::ONE;
        shares[1].value = Zeroizing::new(v.to_bytes());
        assert!(matches!(
            check(&shares[1], &c),
            Err(Error::ShareMismatch { index: 2 })
        ));
        assert!(!check_by_hand(&shares[1], &c));
        assert!(matches!(
            combine(&shares[..2], &c),
            Err(Error::ShareMismatch { index: 2 })
        ));
        // A share carrying another index is wrong too.
        let mut moved = shares[0].clone();
        moved.index = 3;
        assert!(matches!(
            check(&moved, &c),
            Err(Error::ShareMismatch { index: 3 })
        ));
    }

    #[test]
    fn shares_of_another_secret_rebuild_another_key() {
        let mut r = rng(3);
        let (a, ca) = split(&random_secret(&mut r), 2, 3, &mut r).expect("split");
        let (_, cb) = split(&random_secret(&mut r), 2, 3, &mut r).expect("split");
        assert!(matches!(
            check(&a[0], &cb),
            Err(Error::ShareMismatch { index: 1 })
        ));
        // Forged commitments with the right C_1 but another C_0: every share
        // checks against C_1 only if C_0 matches, so they fail at check.
        let mut forged = ca.clone();
        forged.0[0] = cb.0[0];
        assert!(combine(&a[..2], &forged).is_err());
    }

    #[test]
    fn duplicate_indices_and_bad_bounds_are_refused() {
        let mut r = rng(4);
        let secret = random_secret(&mut r);
        let (shares, c) = split(&secret, 2, 3, &mut r).expect("split");
        let twice = vec![shares[0].clone(), shares[0].clone()];
        assert!(matches!(combine(&twice, &c), Err(Error::KeyMismatch(_))));
        assert!(split(&secret, 1, 3, &mut r).is_err());
        assert!(split(&secret, 4, 3, &mut r).is_err());
        assert!(split(&secret, 2, 33, &mut r).is_err());
        assert!(split(&[0u8; 32], 2, 3, &mut r).is_err());
        assert!(Commitments(vec![c.0[0]]).validate().is_err());
        let mut identity_last = c.clone();
        identity_last.0[1] = curve25519_dalek::RistrettoPoint::default().compress().to_bytes();
        assert!(identity_last.validate().is_err());
        let mut not_a_point = c.clone();
        not_a_point.0[0] = [0xff; 32];
        assert!(not_a_point.validate().is_err());
    }

    #[test]
    fn non_canonical_scalars_are_refused() {
        // ℓ itself, and 2^255 − 1: both ≥ ℓ.
        let mut ell = [0u8; 32];
        ell.copy_from_slice(
            &hex::decode("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010").expect("hex"),
        );
        assert!(scalar(&ell).is_err());
        assert!(commitment_of(&ell).is_err());
        assert!(commitment_of(&[0xff; 32]).is_err());
        let mut r = rng(5);
        assert!(split(&ell, 2, 3, &mut r).is_err());
        let secret = random_secret(&mut r);
        let (mut shares, c) = split(&secret, 2, 3, &mut r).expect("split");
        // y + ℓ encodes the same residue as y but is not canonical: refused, named.
        let y = scalar(&shares[0].value).expect("canonical");
        let small = Scalar::from(5u64);
        shares[0].value = Zeroizing::new(ell);
        assert!(matches!(
            check(&shares[0], &c),
            Err(Error::ShareMismatch { index: 1 })
        ));
        let mut ell_plus_5 = ell;
        ell_plus_5[0] += 5;
        assert_eq!(Scalar::from_bytes_mod_order(ell_plus_5), small);
        assert!(scalar(&ell_plus_5).is_err());
        assert_ne!(y, small);
    }

    #[test]
    fn a_split_from_a_fixed_generator_is_reproducible() {
        let secret = label_secret("votekiosk test fixture: office encryption secret");
        let (a, ca) = split(&secret, 2, 3, &mut rng(9)).expect("split");
        let (b, cb) = split(&secret, 2, 3, &mut rng(9)).expect("split");
        assert_eq!(ca, cb);
        assert_eq!(*a[2].value, *b[2].value);
        assert_eq!(ca.c0(), commitment_of(&secret).expect("c0"));
    }
}
