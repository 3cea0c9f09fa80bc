//! Unit tests of the key files. Each Argon2id run costs about a second
//! (256 MiB), so only a few tests unlock anything.

use ed25519_dalek::SigningKey;
use rand::SeedableRng;
use serde_json::Value;

use super::share::rebuild;
use super::*;
use crate::crypto::seal::label_secret;
use crate::crypto::shares;
use crate::error::Error;

const PASS: &str = "correct horse battery staple";

fn rng(seed: u64) -> rand::rngs::StdRng {
    rand::rngs::StdRng::seed_from_u64(seed)
}

fn info_for(
    secret: &[u8; 32],
    purpose: Purpose,
    r: &mut rand::rngs::StdRng,
) -> (Vec<(ShareInfo, shares::Share)>, ShareInfo) {
    let (parts, commitments) = shares::split(secret, 2, 3, r).expect("split");
    let base = ShareInfo {
        purpose,
        public_key: purpose.public_key(secret),
        threshold: 2,
        trustees: 3,
        generation: 1,
        index: 1,
        trustee: "alice".into(),
        commitments,
        created_at: "2026-10-01T09:00:00.000Z".into(),
    };
    let all = parts
        .into_iter()
        .map(|s| {
            let mut info = base.clone();
            info.index = s.index;
            (info, s)
        })
        .collect();
    (all, base)
}

#[test]
fn a_share_file_round_trips_and_refuses_a_wrong_passphrase_or_a_flipped_byte() {
    let mut r = rng(1);
    let secret = label_secret("votekiosk test fixture: office encryption secret");
    let (parts, _) = info_for(&secret, Purpose::OfficeEncryption, &mut r);
    let (info, share) = &parts[0];
    let file = ShareFile::create(info.clone(), share, PASS, &mut r).expect("create");
    let bytes = file.to_bytes();
    assert_eq!(bytes.last(), Some(&b'\n'));
    let read = ShareFile::parse(&bytes, "t.vkshare").expect("parse");
    assert_eq!(read, file);
    assert_eq!(
        *read.unlock(PASS, "t.vkshare").expect("unlock").value,
        *share.value
    );
    assert!(matches!(
        read.unlock("a wrong passphrase here", "t.vkshare"),
        Err(Error::WrongKeyPassphrase(_))
    ));
    // Edit the trustee label (canonical, fields valid): the AAD no longer matches.
    let text = String::from_utf8(bytes)
        .expect("utf-8")
        .replace("\"alice\"", "\"mallory\"");
    let edited = ShareFile::parse(text.as_bytes(), "t.vkshare").expect("still well-formed");
    assert!(matches!(
        edited.unlock(PASS, "t.vkshare"),
        Err(Error::WrongKeyPassphrase(_))
    ));
}

#[test]
fn weaker_key_derivation_is_refused_before_any_passphrase() {
    let mut r = rng(2);
    let secret = shares::random_secret(&mut r);
    let (parts, _) = info_for(&secret, Purpose::OfficeEncryption, &mut r);
    let (info, share) = &parts[1];
    let file = ShareFile::create(info.clone(), share, PASS, &mut r).expect("create");
    let text = String::from_utf8(file.to_bytes()).expect("utf-8");
    for (from, to) in [
        ("\"memory_kib\":262144", "\"memory_kib\":65536"),
        ("\"iterations\":3", "\"iterations\":1"),
        ("\"algorithm\":\"argon2id\"", "\"algorithm\":\"argon2i\""),
        ("\"version\":19", "\"version\":16"),
    ] {
        let weak = text.replace(from, to);
        assert_ne!(weak, text);
        assert!(
            matches!(
                ShareFile::parse(weak.as_bytes(), "w"),
                Err(Error::KeyFileInvalid { .. })
            ),
            "{to}"
        );
    }
    // Pretty-printed or with a second LF: not canonical.
    let value: Value = serde_json::from_str(&text).expect("json");
    let pretty = serde_json::to_string_pretty(&value).expect("pretty") + "\n";
    assert!(ShareFile::parse(pretty.as_bytes(), "p").is_err());
    assert!(ShareFile::parse(format!("{text}\n").as_bytes(), "p").is_err());
    // Short passphrases are refused when writing.
    assert!(matches!(
        ShareFile::create(info.clone(), share, "too short", &mut r),
        Err(Error::WeakPassphrase { min: 16 })
    ));
}

#[test]
fn rebuild_checks_ceremony_generation_and_key() {
    let mut r = rng(3);
    let secret = shares::random_secret(&mut r);
    let (parts, _) = info_for(&secret, Purpose::OfficeEncryption, &mut r);
    let two = &parts[..2];
    assert_eq!(*rebuild(two, None).expect("rebuild"), *secret);
    assert!(matches!(
        rebuild(&parts[..1], None),
        Err(Error::TooFewShares { have: 1, need: 2 })
    ));
    // A share of another ceremony (another key).
    let other = shares::random_secret(&mut r);
    let (foreign, _) = info_for(&other, Purpose::OfficeEncryption, &mut r);
    let mixed = vec![parts[0].clone(), foreign[1].clone()];
    assert!(matches!(rebuild(&mixed, None), Err(Error::KeyMismatch(m)) if m.contains("another office key")));
    // Mixed generations.
    let mut newer = parts[1].clone();
    newer.0.generation = 2;
    let mixed = vec![parts[0].clone(), newer];
    assert!(matches!(rebuild(&mixed, None), Err(Error::KeyMismatch(m)) if m.contains("generation")));
    // Honest commitments, but a public key that the secret does not make.
    let mut lying: Vec<_> = parts[..2].to_vec();
    for (info, _) in lying.iter_mut() {
        info.public_key = [9u8; 32];
    }
    assert!(matches!(rebuild(&lying, None), Err(Error::KeyMismatch(m)) if m.contains("another key")));
}

fn record(enc: &[u8; 32], sig: &[u8; 32], r: &mut rand::rngs::StdRng, generation: u64) -> CeremonyRecord {
    let (_, ce) = shares::split(enc, 2, 3, r).expect("split");
    let (_, cs) = shares::split(sig, 2, 3, r).expect("split");
    CeremonyRecord {
        created_at: "2026-10-01T09:00:00.000Z".into(),
        generation,
        threshold: 2,
        trustees: 3,
        trustee_labels: vec!["alice".into(), "bob".into(), "carol".into()],
        encryption: ceremony::CeremonyKey {
            public_key: encryption_public_key(enc),
            commitments: ce,
        },
        signing: ceremony::CeremonyKey {
            public_key: signing_public_key(sig),
            commitments: cs,
        },
    }
}

#[test]
fn a_ceremony_record_is_signed_by_the_key_it_names() {
    let mut r = rng(4);
    let enc = label_secret("votekiosk test fixture: office encryption secret");
    let sig = label_secret("votekiosk test fixture: office signing secret");
    let rec = record(&enc, &sig, &mut r, 1);
    let key = SigningKey::from_bytes(&sig);
    let bytes = rec.to_bytes(&key).expect("sign");
    let read = CeremonyRecord::parse(&bytes, "office-key.json", None).expect("parse");
    assert_eq!(read, rec);
    assert!(CeremonyRecord::parse(&bytes, "office-key.json", Some(&rec.signing.public_key)).is_ok());
    assert!(CeremonyRecord::parse(&bytes, "office-key.json", Some(&[1u8; 32])).is_err());
    assert!(rec.to_bytes(&SigningKey::from_bytes(&[3u8; 32])).is_err());
    let block = rec.office_block();
    assert_eq!(
        block["encryption"]["public_key"],
        "6549e6c27abe90a08c8380456398c22e9a7c25c01713216faa2710c198772532"
    );
    assert_eq!(
        block["signing"]["commitment"],
        "5a7f777d6e229f137635e7eafcca3cdd0728067c3f136912b4ef89de30383044"
    );
    // A record re-signed by a fresh key that names itself as the signer
    // verifies on its own, but not against the definition's key.
    let mut forged = rec.clone();
    let fresh = SigningKey::from_bytes(&[5u8; 32]);
    forged.signing.public_key = fresh.verifying_key().to_bytes();
    let forged_bytes = forged.to_bytes(&fresh).expect("sign");
    assert!(CeremonyRecord::parse(&forged_bytes, "f", Some(&rec.signing.public_key)).is_err());
}

fn station(id: &str, seed: u8) -> TrustedStation {
    TrustedStation {
        station_id: id.into(),
        public_key: SigningKey::from_bytes(&[seed; 32]).verifying_key().to_bytes(),
        closing_public_key: encryption_public_key(&[seed; 32]),
        added_at: "2026-11-02T10:00:00.000Z".into(),
        evidence: Evidence::ZeroReport,
    }
}

#[test]
fn trusted_keys_are_signed_by_the_office_key_and_unique() {
    let office = SigningKey::from_bytes(&label_secret("votekiosk test fixture: office signing secret"));
    let office_pk = office.verifying_key().to_bytes();
    let empty = TrustedKeys::empty([7u8; 32]);
    let one = empty.with_station(station("LAKEVIEW-2", 1)).expect("add");
    let (one, bytes) = one.reissue(&office, "2026-11-02T10:00:00.000Z").expect("sign");
    assert_eq!(one.serial, 1);
    let two = one.with_station(station("ASHFORD-1", 2)).expect("add");
    let (two, bytes2) = two.reissue(&office, "2026-11-02T11:00:00.000Z").expect("sign");
    assert_eq!(two.serial, 2);
    let read = TrustedKeys::parse(&bytes2, &office_pk).expect("load");
    assert_eq!(read, two);
    assert_eq!(read.stations[0].station_id, "ASHFORD-1", "sorted by id");
    assert!(read.station("LAKEVIEW-2").is_some());
    assert!(read.contains_key(&station("LAKEVIEW-2", 1).public_key));
    assert!(!read.contains_key(&[0u8; 32]));
    assert!(read.require_definition(&[7u8; 32]).is_ok());
    assert!(read.require_definition(&[8u8; 32]).is_err());
    assert!(TrustedKeys::parse(&bytes, &office_pk).is_ok());

    // Refused: a duplicate id, a duplicate key, a bad id.
    assert!(matches!(
        read.with_station(station("LAKEVIEW-2", 3)),
        Err(Error::TrustedKeysRefused(_))
    ));
    assert!(matches!(
        read.with_station(station("OTHER", 1)),
        Err(Error::TrustedKeysRefused(_))
    ));
    assert!(read.with_station(station("bad id", 4)).is_err());

    // The attack: the same list re-signed by a fresh key is refused.
    let fresh = SigningKey::from_bytes(&[42u8; 32]);
    let (_, forged) = two.reissue(&fresh, "2026-11-02T12:00:00.000Z").expect("sign");
    assert!(matches!(
        TrustedKeys::parse(&forged, &office_pk),
        Err(Error::TrustedKeysRefused(m)) if m.contains("office signing key")
    ));
    // An edited header under the original signature is refused.
    let edited =
        String::from_utf8(bytes2.clone())
            .expect("utf-8")
            .replacen("\"serial\":2", "\"serial\":9", 1);
    assert!(TrustedKeys::parse(edited.as_bytes(), &office_pk).is_err());
}

#[test]
fn the_signing_key_file_unlocks_to_its_key() {
    let mut r = rng(6);
    let seed = label_secret("votekiosk test fixture: office signing secret");
    let file = SecretKeyFile::create(&seed, PASS, &mut r).expect("create");
    let read = SecretKeyFile::parse(&file.to_bytes(), "k").expect("parse");
    assert_eq!(
        hex::encode(read.public_key),
        "0ed83111c897c4f7b119d556bb37c73112e2f32d23e09b4aa71ddb7f39a47529"
    );
    let key = read.unlock(PASS, "k").expect("unlock");
    assert_eq!(key.to_bytes(), *seed);
    assert!(matches!(
        read.unlock("not the passphrase!", "k"),
        Err(Error::WrongKeyPassphrase(_))
    ));
}
