//! Keys and who holds them (issue 13): the office key ceremony, trustees'
//! share files, re-sharing, the trusted-keys file and poll workers' share
//! slips, each played as an attack. Every Argon2id run costs about a
//! second (256 MiB), so one 2-of-3 ceremony on the fixture office keys is
//! made once (seeded) and copied into each test's folder.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use ed25519_dalek::SigningKey;
use rand::SeedableRng;
use serde_json::Value;
use zeroize::Zeroizing;

use votekiosk::crypto::seal::SealKeyPair;
use votekiosk::crypto::shares::{self, Share};
use votekiosk::keys::office::{self, Trustees};
use votekiosk::keys::share::rebuild;
use votekiosk::keys::slip::{station_tag, Slip, SlipHeader};
use votekiosk::keys::{CeremonyRecord, Purpose, SecretKeyFile, ShareFile, ShareInfo, TrustedKeys};
use votekiosk::Error;

use crate::support;

const PASSPHRASES: [&str; 3] = [
    "alice trustee passphrase one",
    "bob trustee passphrase two",
    "carol trustee passphrase three",
];
const OFFICER: &str = "results officer passphrase";
const LABELS: [&str; 3] = ["alice", "bob", "carol"];

fn secret(hex_text: &str) -> Zeroizing<[u8; 32]> {
    let mut out = Zeroizing::new([0u8; 32]);
    hex::decode_to_slice(hex_text, out.as_mut()).expect("hex");
    out
}

fn labels() -> Vec<String> {
    LABELS.iter().map(|s| s.to_string()).collect()
}

fn passphrases() -> Vec<Zeroizing<String>> {
    PASSPHRASES
        .iter()
        .map(|p| Zeroizing::new(p.to_string()))
        .collect()
}

/// A ceremony's record and its files, `(name, bytes)`.
type Made = (CeremonyRecord, Vec<(String, Vec<u8>)>);

/// One 2-of-3 ceremony on the fixture office keys (support.rs), made once.
fn ceremony() -> &'static Made {
    static CEREMONY: OnceLock<Made> = OnceLock::new();
    CEREMONY.get_or_init(|| {
        let labels = labels();
        let passphrases = passphrases();
        let made = office::keygen_from_secrets(
            &secret(support::OFFICE_ENCRYPTION_SECRET),
            &secret(support::OFFICE_SIGNING_SECRET),
            &Trustees {
                threshold: 2,
                labels: &labels,
                passphrases: &passphrases,
            },
            OFFICER,
            "2026-10-01T09:00:00.000Z",
            &mut rand::rngs::StdRng::seed_from_u64(13),
        )
        .expect("ceremony");
        (made.record, made.files)
    })
}

/// A folder holding a copy of the ceremony's files.
fn ceremony_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, bytes) in &ceremony().1 {
        std::fs::write(dir.path().join(name), bytes).expect("write");
    }
    dir
}

fn share_path(dir: &Path, index: u8, purpose: Purpose) -> PathBuf {
    dir.join(office::share_file_name(index, purpose))
}

/// The files of a folder and their bytes, to show that nothing changed.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries {
            let entry = entry.expect("entry");
            if entry.path().is_file() {
                out.insert(
                    entry.file_name().to_string_lossy().into_owned(),
                    std::fs::read(entry.path()).expect("read"),
                );
            } else {
                out.insert(format!("{}/", entry.file_name().to_string_lossy()), Vec::new());
            }
        }
    }
    out
}

/// Runs `votekiosk --json ARGS` with `stdin` (one passphrase per line).
fn run(args: &[&str], stdin: &str) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_votekiosk"));
    cmd.arg("--json")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for var in ["VOTEKIOSK_PASSPHRASE", "VOTEKIOSK_STATION"] {
        cmd.env_remove(var);
    }
    let mut child = cmd.spawn().expect("run votekiosk");
    let mut input = child.stdin.take().expect("stdin");
    let _ = input.write_all(stdin.as_bytes());
    drop(input);
    child.wait_with_output().expect("output")
}

fn ok(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

/// The error code of a refused command (exit 1, `{"error": {code, ...}}`).
fn refused(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(1),
        "not refused: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json error");
    v["error"]["code"].as_str().expect("code").to_string()
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn unlock(dir: &Path, index: u8, purpose: Purpose) -> (ShareInfo, Share) {
    let path = share_path(dir, index, purpose);
    let file = ShareFile::read(&path).expect("read");
    let share = file
        .unlock(PASSPHRASES[index as usize - 1], &path.display().to_string())
        .expect("unlock");
    (file.info, share)
}

#[test]
fn k_minus_one_share_files_cannot_rebuild_the_office_key_and_every_k_subset_can() {
    let dir = ceremony_dir();
    let all: Vec<(ShareInfo, Share)> = (1..=3)
        .map(|i| unlock(dir.path(), i, Purpose::OfficeEncryption))
        .collect();
    let office_key = support::definition().office.encryption.public_key;
    let expected = secret(support::OFFICE_ENCRYPTION_SECRET);
    for pair in [[0, 1], [0, 2], [1, 2]] {
        let subset: Vec<_> = pair.iter().map(|&i| all[i].clone()).collect();
        let rebuilt = rebuild(&subset, Some(&ceremony().0)).expect("K shares rebuild");
        assert_eq!(*rebuilt, *expected);
        assert_eq!(SealKeyPair::derive(&rebuilt).public(), office_key);
    }
    for one in &all {
        // The tool refuses K - 1 shares...
        let attempt = rebuild(std::slice::from_ref(one), None);
        assert!(matches!(attempt, Err(Error::TooFewShares { have: 1, need: 2 })));
        // ...and an attacker who interpolates K - 1 shares by hand gets a
        // value that makes some other key, not the office key.
        let guess = one.1.value.clone();
        assert_ne!(*guess, *expected);
        assert_ne!(SealKeyPair::derive(&guess).public(), office_key);
    }
    // The signing backup too: every pair rebuilds the office signing key.
    let backups: Vec<_> = (1..=3)
        .map(|i| unlock(dir.path(), i, Purpose::OfficeSigningBackup))
        .collect();
    for pair in [[0, 1], [0, 2], [1, 2]] {
        let subset: Vec<_> = pair.iter().map(|&i| backups[i].clone()).collect();
        let seed = rebuild(&subset, None).expect("rebuild");
        assert_eq!(
            SigningKey::from_bytes(&seed).verifying_key().to_bytes(),
            support::definition().office.signing.public_key
        );
    }
}

#[test]
fn a_trustee_checks_their_share_against_the_definition_and_a_wrong_one_fails() {
    let dir = ceremony_dir();
    let before = snapshot(dir.path());
    let defs = tempfile::tempdir().expect("tempdir");
    let good = defs.path().join("good.json");
    std::fs::write(&good, support::definition_json()).expect("write");
    let share = share_path(dir.path(), 2, Purpose::OfficeEncryption);
    let answer = ok(&run(
        &["office", "share", "check", s(&share), "--definition", s(&good)],
        &format!("{}\n", PASSPHRASES[1]),
    ));
    assert_eq!(answer["index"], 2);
    assert_eq!(answer["trustee"], "bob");
    assert_eq!(answer["fingerprint"], "175b 30c6 8678 5048 c7fe 3707 5c2e 4023");
    assert_eq!(
        answer["commitments_digest"],
        hex::encode(ceremony().0.encryption.commitments.digest())
    );
    assert_eq!(answer["definition"], support::definition().hash().to_hex());

    // The same public key, but another commitment in the definition: the
    // share does not belong to that election's key. Refused, no passphrase read.
    let mut other = support::definition_value();
    other["office"]["encryption"]["commitment"] =
        Value::String("28b40c855947eaeb39dbb667969672723a90847a6dbe824d4d39ea236ccfb44f".into());
    let bad = defs.path().join("other-commitment.json");
    std::fs::write(&bad, serde_json::to_string(&other).expect("json")).expect("write");
    let out = run(
        &["office", "share", "check", s(&share), "--definition", s(&bad)],
        "",
    );
    assert_eq!(refused(&out), "key_mismatch");
    assert_eq!(snapshot(dir.path()), before, "share check writes nothing");
}

#[test]
fn a_flipped_byte_or_a_wrong_passphrase_is_a_clear_error_and_nothing_is_written() {
    let dir = ceremony_dir();
    let share = share_path(dir.path(), 1, Purpose::OfficeEncryption);
    let original = std::fs::read(&share).expect("read");

    let out = run(
        &["office", "share", "check", s(&share)],
        "not alice's passphrase at all\n",
    );
    assert_eq!(refused(&out), "wrong_key_passphrase");

    // One hex digit of the ciphertext changed: it no longer opens.
    let text = String::from_utf8(original.clone()).expect("utf-8");
    let at = text.find("\"ciphertext\":\"").expect("ciphertext") + 14;
    let mut flipped = text.clone().into_bytes();
    flipped[at] = if flipped[at] == b'0' { b'1' } else { b'0' };
    std::fs::write(&share, &flipped).expect("write");
    let out = run(
        &["office", "share", "check", s(&share)],
        &format!("{}\n", PASSPHRASES[0]),
    );
    assert_eq!(refused(&out), "wrong_key_passphrase");

    // The index changed from 1 to 2 (still well-formed): the AAD no longer matches.
    let moved = text.replace("\"index\":1,", "\"index\":2,");
    assert_ne!(moved, text);
    std::fs::write(&share, moved.as_bytes()).expect("write");
    let out = run(
        &["office", "share", "check", s(&share)],
        &format!("{}\n", PASSPHRASES[0]),
    );
    assert_eq!(refused(&out), "wrong_key_passphrase");

    // A byte that breaks the form: refused before any passphrase.
    let mut broken = original.clone();
    broken[0] = b'[';
    std::fs::write(&share, &broken).expect("write");
    let out = run(&["office", "share", "check", s(&share)], "");
    assert!(matches!(
        refused(&out).as_str(),
        "not_canonical" | "key_file_invalid"
    ));

    // A re-share from a damaged file, or with a wrong passphrase, writes nothing.
    std::fs::write(&share, &flipped).expect("write");
    let before = snapshot(dir.path());
    let out_dir = dir.path().join("new");
    let args = reshare_args(dir.path(), &[1, 2], &out_dir);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&args, &format!("{}\n{}\n", PASSPHRASES[0], PASSPHRASES[1]));
    assert_eq!(refused(&out), "wrong_key_passphrase");
    std::fs::write(&share, &original).expect("write");
    let out = run(&args, &format!("{}\nnot bob's passphrase here\n", PASSPHRASES[0]));
    assert_eq!(refused(&out), "wrong_key_passphrase");
    assert!(!out_dir.exists());
    let mut after = snapshot(dir.path());
    after.insert(
        office::share_file_name(1, Purpose::OfficeEncryption),
        flipped.clone(),
    );
    assert_eq!(after, before, "nothing written or changed");
}

fn reshare_args(dir: &Path, trustees: &[u8], out: &Path) -> Vec<String> {
    let mut args: Vec<String> = vec!["office".into(), "reshare".into()];
    for &i in trustees {
        for purpose in [Purpose::OfficeEncryption, Purpose::OfficeSigningBackup] {
            args.push("--share".into());
            args.push(share_path(dir, i, purpose).display().to_string());
        }
    }
    for a in [
        "--trustees",
        "3",
        "--threshold",
        "2",
        "--labels",
        "alice,dave,carol",
        "--out",
    ] {
        args.push(a.into());
    }
    args.push(out.display().to_string());
    args
}

#[test]
fn a_share_from_another_ceremony_is_refused_before_any_passphrase() {
    let dir = ceremony_dir();
    // Another office's ceremony: one share file of another key.
    let mut r = rand::rngs::StdRng::seed_from_u64(21);
    let other = shares::random_secret(&mut r);
    let (parts, commitments) = shares::split(&other, 2, 3, &mut r).expect("split");
    let info = ShareInfo {
        purpose: Purpose::OfficeEncryption,
        public_key: Purpose::OfficeEncryption.public_key(&other),
        threshold: 2,
        trustees: 3,
        generation: 1,
        index: 2,
        trustee: "bob".into(),
        commitments,
        created_at: "2026-10-01T09:00:00.000Z".into(),
    };
    let foreign = ShareFile::create(info, &parts[1], PASSPHRASES[1], &mut r).expect("create");
    std::fs::write(
        share_path(dir.path(), 2, Purpose::OfficeEncryption),
        foreign.to_bytes(),
    )
    .expect("write");
    let before = snapshot(dir.path());
    let out_dir = dir.path().join("new");
    let args = reshare_args(dir.path(), &[1, 2], &out_dir);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&args, "");
    assert_eq!(refused(&out), "key_mismatch");
    assert!(String::from_utf8_lossy(&out.stderr).contains("another ceremony"));
    assert!(!out_dir.exists());
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn reshare_keeps_the_public_keys_and_old_and_new_shares_do_not_mix() {
    let dir = ceremony_dir();
    let out_dir = dir.path().join("generation-2");
    let args = reshare_args(dir.path(), &[1, 3], &out_dir);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let new_passphrases = [
        "alice new passphrase 2026",
        "dave the new trustee pass",
        "carol new passphrase 2026",
    ];
    let stdin = format!(
        "{}\n{}\n{}\n{}\n{}\n",
        PASSPHRASES[0], PASSPHRASES[2], new_passphrases[0], new_passphrases[1], new_passphrases[2]
    );
    let answer = ok(&run(&args, &stdin));
    assert_eq!(answer["generation"], 2);
    let old = &ceremony().0;
    assert_eq!(
        answer["encryption"]["public_key"],
        hex::encode(old.encryption.public_key)
    );
    assert_eq!(
        answer["signing"]["public_key"],
        hex::encode(old.signing.public_key)
    );
    assert_eq!(
        answer["office"],
        old.office_block(),
        "the definition needs no change"
    );
    assert_ne!(
        answer["encryption"]["commitments_digest"],
        hex::encode(old.encryption.commitments.digest())
    );
    let record = CeremonyRecord::read(&out_dir.join(office::RECORD_FILE), Some(&old.signing.public_key))
        .expect("signed by the same office signing key");
    assert_eq!(record.trustee_labels, ["alice", "dave", "carol"]);
    assert!(
        !out_dir.join(office::SIGNING_KEY_FILE).exists(),
        "the officer's key file stays"
    );

    // Dave's new share and Carol's new share rebuild the same office key.
    let new_share = |i: u8| {
        let path = share_path(&out_dir, i, Purpose::OfficeEncryption);
        let file = ShareFile::read(&path).expect("read");
        assert_eq!(file.info.generation, 2);
        let share = file
            .unlock(new_passphrases[i as usize - 1], "new")
            .expect("unlock");
        (file.info, share)
    };
    let fresh = vec![new_share(2), new_share(3)];
    let rebuilt = rebuild(&fresh, Some(&record)).expect("rebuild");
    assert_eq!(*rebuilt, *secret(support::OFFICE_ENCRYPTION_SECRET));

    // An old share with a new one: refused, whether by the library...
    let old_alice = unlock(dir.path(), 1, Purpose::OfficeEncryption);
    let mixed = vec![old_alice.clone(), fresh[0].clone()];
    assert!(matches!(rebuild(&mixed, None), Err(Error::KeyMismatch(m)) if m.contains("generation")));
    // ...by the ceremony record, which makes generation 1 void...
    let old_pair = vec![old_alice, unlock(dir.path(), 2, Purpose::OfficeEncryption)];
    assert!(matches!(rebuild(&old_pair, Some(&record)), Err(Error::KeyMismatch(m)) if m.contains("void")));
    // ...or by the command line, before any passphrase, writing nothing.
    std::fs::copy(
        share_path(&out_dir, 2, Purpose::OfficeEncryption),
        dir.path().join("dave.encryption.vkshare"),
    )
    .expect("copy");
    let before = snapshot(dir.path());
    let mixed_dir = dir.path().join("mixed");
    let mut args = reshare_args(dir.path(), &[1], &mixed_dir);
    args.insert(2, "--share".into());
    args.insert(
        3,
        dir.path().join("dave.encryption.vkshare").display().to_string(),
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&args, "");
    assert_eq!(refused(&out), "key_mismatch");
    assert!(!mixed_dir.exists());
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn a_trusted_keys_file_re_signed_with_a_fresh_key_is_refused() {
    let dir = ceremony_dir();
    let definition = dir.path().join("definition.json");
    std::fs::write(&definition, support::definition_json()).expect("write");
    let trusted = dir.path().join("trusted-keys.jsonl");
    let signing_key = dir.path().join(office::SIGNING_KEY_FILE);
    let station_key = |seed: u8| hex::encode(SigningKey::from_bytes(&[seed; 32]).verifying_key().to_bytes());
    let closing_key = |seed: u8| hex::encode(SealKeyPair::derive(&[seed; 32]).public());
    let add = |id: &str, seed: u8, stdin: &str| {
        run(
            &[
                "office",
                "trust",
                "add",
                "--trusted-keys",
                s(&trusted),
                "--definition",
                s(&definition),
                "--station-id",
                id,
                "--public-key",
                &station_key(seed),
                "--closing-key",
                &closing_key(seed),
                "--evidence",
                "zero-report",
                "--signing-key",
                s(&signing_key),
            ],
            stdin,
        )
    };
    let first = ok(&add("RIVERSIDE-01", 1, &format!("{OFFICER}\n")));
    assert_eq!(first["serial"], 1);
    let second = ok(&add("LAKEVIEW-02", 2, &format!("{OFFICER}\n")));
    assert_eq!(second["serial"], 2);
    let office_key = support::definition().office.signing.public_key;
    let keys = TrustedKeys::load(&trusted, &office_key).expect("load");
    assert_eq!(keys.stations.len(), 2);
    assert!(keys.station("RIVERSIDE-01").is_some());
    keys.require_definition(&support::definition().hash().0)
        .expect("same election");
    let signed = std::fs::read(&trusted).expect("read");

    // Refused, file unchanged: a station id or a key already listed, a wrong passphrase.
    assert_eq!(
        refused(&add("RIVERSIDE-01", 3, &format!("{OFFICER}\n"))),
        "trusted_keys_refused"
    );
    assert_eq!(
        refused(&add("ASHFORD-03", 1, &format!("{OFFICER}\n"))),
        "trusted_keys_refused"
    );
    assert_eq!(
        refused(&add("ASHFORD-03", 3, "not the officer passphrase\n")),
        "wrong_key_passphrase"
    );
    assert_eq!(std::fs::read(&trusted).expect("read"), signed);

    // The attack: someone adds their own station and re-signs the file
    // with a fresh key. Every reader refuses it.
    let fresh = SigningKey::from_bytes(&[0x5a; 32]);
    let forged_list = keys
        .with_station(votekiosk::keys::TrustedStation {
            station_id: "ROGUE-99".into(),
            public_key: SigningKey::from_bytes(&[9u8; 32]).verifying_key().to_bytes(),
            closing_public_key: SealKeyPair::derive(&[9u8; 32]).public(),
            added_at: "2026-11-03T12:00:00.000Z".into(),
            evidence: votekiosk::keys::Evidence::ZeroReport,
        })
        .expect("add");
    let (_, forged) = forged_list
        .reissue(&fresh, "2026-11-03T12:00:00.000Z")
        .expect("sign");
    std::fs::write(&trusted, &forged).expect("write");
    assert!(matches!(
        TrustedKeys::load(&trusted, &office_key),
        Err(Error::TrustedKeysRefused(m)) if m.contains("office signing key")
    ));
    assert_eq!(
        refused(&add("ASHFORD-03", 3, &format!("{OFFICER}\n"))),
        "trusted_keys_refused"
    );
    assert_eq!(std::fs::read(&trusted).expect("read"), forged, "nothing changed");
    // The original, with one station's key edited under the old signature: refused too.
    let edited =
        String::from_utf8(signed.clone())
            .expect("utf-8")
            .replacen(&station_key(1), &station_key(9), 1);
    std::fs::write(&trusted, edited.as_bytes()).expect("write");
    assert!(TrustedKeys::load(&trusted, &office_key).is_err());
}

#[test]
fn a_slip_with_a_wrong_pin_fails_and_the_right_pins_open_the_closing_key() {
    let mut r = rand::rngs::StdRng::seed_from_u64(31);
    let closing = shares::random_secret(&mut r);
    let closing_public = SealKeyPair::derive(&closing).public();
    let (parts, commitments) = shares::split(&closing, 2, 3, &mut r).expect("split");
    let station = station_tag(&[7u8; 32]);
    let pins = ["20261103", "31415926", "27182818"];
    let peppers: Vec<[u8; 32]> = (0..3).map(|i| [i as u8 + 1; 32]).collect();
    let payloads: Vec<String> = parts
        .iter()
        .zip(pins.iter().zip(&peppers))
        .take(2)
        .map(|(share, (pin, pepper))| {
            let header = SlipHeader {
                index: share.index,
                threshold: 2,
                count: 3,
                generation: 1,
                station,
            };
            Slip::seal(header, share, pepper, pin, &mut r)
                .expect("seal")
                .payload()
        })
        .collect();
    // A stolen slip and a guessed PIN: refused, by slip index.
    let slip = Slip::parse(&payloads[0]).expect("parse");
    assert!(matches!(
        slip.open(&peppers[0], "20261104"),
        Err(Error::WrongPin { index: 1 })
    ));
    // The right PINs open both shares, which rebuild the closing key.
    let opened: Vec<Share> = payloads
        .iter()
        .zip(pins.iter().zip(&peppers))
        .map(|(p, (pin, pepper))| Slip::parse(p).expect("parse").open(pepper, pin).expect("open"))
        .collect();
    let rebuilt = shares::combine(&opened, &commitments).expect("combine");
    assert_eq!(SealKeyPair::derive(&rebuilt).public(), closing_public);
    // One slip alone is not enough.
    assert!(shares::combine(&opened[..1], &commitments).is_err());
}

#[test]
fn office_keygen_writes_the_ceremony_and_refuses_bad_parameters_writing_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("keys");
    let stdin = format!(
        "{}\n{}\n{}\n{OFFICER}\n",
        PASSPHRASES[0], PASSPHRASES[1], PASSPHRASES[2]
    );
    // N < K + 1, K < 2, a short passphrase, too few passphrases: refused, nothing written.
    for (args, input) in [
        (vec!["--trustees", "2", "--threshold", "2"], stdin.clone()),
        (vec!["--trustees", "3", "--threshold", "1"], stdin.clone()),
        (
            vec!["--trustees", "3", "--threshold", "2"],
            format!("short\n{stdin}"),
        ),
        (
            vec!["--trustees", "3", "--threshold", "2"],
            format!("{}\n", PASSPHRASES[0]),
        ),
        (
            vec!["--trustees", "3", "--threshold", "2", "--labels", "a,b"],
            stdin.clone(),
        ),
    ] {
        let mut all = vec!["office", "keygen", "--out", s(&out)];
        all.extend(args);
        let answer = run(&all, &input);
        assert!(
            matches!(refused(&answer).as_str(), "invalid_input" | "weak_passphrase"),
            "{all:?}"
        );
        assert!(!out.exists(), "{all:?} wrote something");
    }

    let answer = ok(&run(
        &[
            "office",
            "keygen",
            "--trustees",
            "3",
            "--threshold",
            "2",
            "--out",
            s(&out),
            "--labels",
            "alice,bob,carol",
        ],
        &stdin,
    ));
    assert_eq!(answer["recovery_drill"], "passed");
    assert_eq!(answer["files"].as_array().expect("files").len(), 8);
    let record = CeremonyRecord::read(&out.join(office::RECORD_FILE), None).expect("record");
    assert_eq!(answer["office"], record.office_block());
    assert_eq!(
        answer["encryption"]["commitments_digest"],
        hex::encode(record.encryption.commitments.digest())
    );
    // The office block is what a votekiosk/2 definition takes.
    let mut def = support::definition_value();
    def["office"] = answer["office"].clone();
    let parsed = votekiosk::ElectionDefinition::parse(serde_json::to_string(&def).expect("json").as_bytes())
        .expect("a definition with the new office block");
    assert_eq!(parsed.office.encryption.public_key, record.encryption.public_key);
    // The officer's key file unlocks to the office signing key.
    let key_file = SecretKeyFile::read(&out.join(office::SIGNING_KEY_FILE)).expect("key file");
    assert_eq!(key_file.public_key, record.signing.public_key);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for entry in std::fs::read_dir(&out).expect("dir") {
            let mode = entry
                .expect("entry")
                .metadata()
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
    // A second ceremony into the same folder overwrites nothing.
    let before = snapshot(&out);
    let again = run(
        &[
            "office",
            "keygen",
            "--trustees",
            "3",
            "--threshold",
            "2",
            "--out",
            s(&out),
        ],
        &stdin,
    );
    assert_eq!(refused(&again), "file_exists");
    assert_eq!(snapshot(&out), before);
}

/// The vectors of docs/formats.md sections 11 and 12, computed here and
/// found in the document.
#[test]
fn the_key_vectors_of_formats_md_are_reproduced() {
    use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as B;
    use curve25519_dalek::Scalar;
    const DOC: &str = include_str!("../../docs/formats.md");
    let found =
        |what: &str, value: &str| assert!(DOC.contains(value), "{what} {value} is not in docs/formats.md");

    // 12.2: f(x) = s + a_1·x with the fixture secrets.
    let scalar =
        |h: &str| Option::<Scalar>::from(Scalar::from_canonical_bytes(*secret(h))).expect("canonical");
    let s0 = scalar(support::OFFICE_ENCRYPTION_SECRET);
    let a1 = scalar(support::OFFICE_SIGNING_SECRET);
    let commitments = shares::Commitments(vec![
        (B * s0).compress().to_bytes(),
        (B * a1).compress().to_bytes(),
    ]);
    found("C_0", &hex::encode(commitments.0[0]));
    found("C_1", &hex::encode(commitments.0[1]));
    found("digest", &hex::encode(commitments.digest()));
    let mut all = Vec::new();
    for i in 1..=3u8 {
        let y = s0 + a1 * Scalar::from(i as u64);
        found("y_i", &hex::encode(y.to_bytes()));
        let share = Share {
            index: i,
            value: Zeroizing::new(y.to_bytes()),
        };
        shares::check(&share, &commitments).expect("the vector's shares check");
        all.push(share);
    }
    assert_eq!(
        *shares::combine(&all[1..], &commitments).expect("combine"),
        *secret(support::OFFICE_ENCRYPTION_SECRET)
    );

    // 12.7: a slip.
    let demo = SigningKey::from_bytes(&votekiosk::crypto::seal::label_secret(
        "votekiosk/2 published test signing key: it signs demo files only",
    ));
    let header = SlipHeader {
        index: 1,
        threshold: 2,
        count: 3,
        generation: 1,
        station: station_tag(&demo.verifying_key().to_bytes()),
    };
    found("station tag", &hex::encode(header.station));
    let key = votekiosk::keys::slip::slip_key(&[0x11; 32], "12345678", &[0x22; 16], 1).expect("slip key");
    found("slip key", &hex::encode(*key));
    let slip = Slip::seal_with_salt(header, &all[0], &[0x11; 32], "12345678", [0x22; 16]).expect("slip");
    found("payload", &slip.payload());
    let opened = Slip::parse(&slip.payload())
        .expect("parse")
        .open(&[0x11; 32], "12345678")
        .expect("open");
    assert_eq!(*opened.value, *all[0].value);

    // 11: a signed header.
    let header_line = votekiosk::signed::line(&serde_json::json!({"format": "votekiosk-example/2", "n": 1}));
    found("header", String::from_utf8_lossy(&header_line).trim_end());
    found("M", &hex::encode(votekiosk::signed::message(&header_line)));
    let signature = votekiosk::signed::sign(&demo, &header_line);
    found(
        "signature line",
        &votekiosk::canonical::to_canonical_string(&signature),
    );
    votekiosk::signed::verify(&header_line, &signature, Some(&demo.verifying_key().to_bytes()))
        .expect("verifies");
}

#[test]
fn bad_files_given_as_share_or_key_files_are_refused_clearly_and_nothing_is_written() {
    let dir = ceremony_dir();
    let d = dir.path();
    std::fs::write(d.join("empty.vkshare"), b"").expect("write");
    std::fs::write(d.join("garbage.vkshare"), [0xffu8, 0x00, 0x13, 0x37].repeat(100)).expect("write");
    std::fs::create_dir(d.join("a-folder")).expect("folder");
    let huge = std::fs::File::create(d.join("huge.vkshare")).expect("huge");
    huge.set_len(200 << 20).expect("sparse 200 MB");
    // A share file given where the signing key file goes, and the reverse.
    let before = snapshot(d);
    for (file, codes) in [
        ("missing.vkshare", &["file_not_found"][..]),
        ("empty.vkshare", &["key_file_invalid"]),
        ("garbage.vkshare", &["not_canonical"]),
        ("a-folder", &["io"]),
        ("huge.vkshare", &["too_large"]),
        (office::SIGNING_KEY_FILE, &["key_file_invalid"]),
        (office::RECORD_FILE, &["not_canonical", "key_file_invalid"]),
    ] {
        let path = d.join(file);
        let out = run(&["office", "share", "check", s(&path)], "");
        let code = refused(&out);
        assert!(codes.contains(&code.as_str()), "{file}: {code}");
    }
    assert_eq!(snapshot(d), before);
}
