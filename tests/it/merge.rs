//! The election office's side of results (issue 13), through the CLI as an
//! office runs it: `merge` against the trusted-keys file, signed with the
//! office signing key file; `office count` of a station's sealed export
//! with K trustees' shares. Each attack fails clearly and writes nothing:
//! K − 1 shares, shares of another ceremony, a test-key ballot slipped
//! into an official sealed export, a result re-signed with a fresh key.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use ed25519_dalek::SigningKey;
use rand::SeedableRng;
use serde_json::Value;
use zeroize::Zeroizing;

use votekiosk::export::b64;
use votekiosk::export::verify::{verify_bytes, Anchor, Collect, Discard, Options};
use votekiosk::keys::office::{self, Trustees};
use votekiosk::keys::{Evidence, Purpose, TrustedKeys, TrustedStation};

use crate::export::{office_key, resign, signing_key_of};
use crate::support::*;

pub const PASSPHRASES: [&str; 3] = [
    "alice trustee passphrase one",
    "bob trustee passphrase two",
    "carol trustee passphrase three",
];
const OFFICER: &str = "results officer passphrase";

fn secret(hex_text: &str) -> Zeroizing<[u8; 32]> {
    let mut out = Zeroizing::new([0u8; 32]);
    hex::decode_to_slice(hex_text, out.as_mut()).expect("hex");
    out
}

/// A 2-of-3 ceremony on the given secrets, written into `dir`.
fn ceremony(dir: &Path, encryption: &[u8; 32], signing: &[u8; 32], seed: u64) {
    let labels: Vec<String> = ["alice", "bob", "carol"].iter().map(|s| s.to_string()).collect();
    let passphrases: Vec<Zeroizing<String>> = PASSPHRASES
        .iter()
        .map(|p| Zeroizing::new(p.to_string()))
        .collect();
    let made = office::keygen_from_secrets(
        encryption,
        signing,
        &Trustees {
            threshold: 2,
            labels: &labels,
            passphrases: &passphrases,
        },
        OFFICER,
        "2026-10-01T09:00:00.000Z",
        &mut rand::rngs::StdRng::seed_from_u64(seed),
    )
    .expect("ceremony");
    std::fs::create_dir_all(dir).expect("dir");
    for (name, bytes) in &made.files {
        std::fs::write(dir.join(name), bytes).expect("write");
    }
}

/// The fixture election's ceremony (the definition's office keys).
pub fn fixture_ceremony(dir: &Path) {
    ceremony(
        dir,
        &secret(OFFICE_ENCRYPTION_SECRET),
        &secret(OFFICE_SIGNING_SECRET),
        21,
    );
}

pub fn share(dir: &Path, index: u8) -> PathBuf {
    dir.join(office::share_file_name(index, Purpose::OfficeEncryption))
}

fn vk(args: &[&std::ffi::OsStr], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_votekiosk"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run votekiosk");
    // The command may exit without reading (it refused before asking): a
    // closed pipe is then no failure of the test; any other error is.
    if let Err(e) = child.stdin.take().expect("stdin").write_all(stdin.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "stdin: {e}");
    }
    child.wait_with_output().expect("wait")
}

fn os(s: &str) -> &std::ffi::OsStr {
    s.as_ref()
}

/// A closed, counted station's result and sealed export, written in `dir`.
fn exported(fx: &mut Fixture, dir: &Path, n: usize) -> (PathBuf, PathBuf) {
    fx.open();
    fx.cast_and_close(n, |i| {
        sel(&[
            (
                "mayor",
                if i % 2 == 0 {
                    &["alvarez"]
                } else {
                    &["write-in:Zed Q"]
                },
            ),
            ("library-bond", &["yes"]),
        ])
    });
    fx.count();
    let w = fx.worker();
    let export = fx.station.export(&w, false, "results.jsonl").expect("export");
    let out = dir.join("results.jsonl");
    let written = votekiosk::export::write_files(&out, &export, fx.station.definition()).expect("write");
    (out, written.sealed)
}

fn trusted_by_station(fx: &Fixture) -> (TrustedKeys, Vec<u8>) {
    let key = fx.station.public_key().expect("key");
    TrustedKeys::empty(fx.station.definition().hash().0)
        .with_station(TrustedStation {
            station_id: fx.station.station_id().to_string(),
            public_key: key,
            closing_public_key: [9; 32],
            added_at: "2026-11-02T10:00:00.000Z".into(),
            evidence: Evidence::ZeroReport,
        })
        .expect("station")
        .reissue(&office_key(), "2026-11-02T10:00:00.000Z")
        .expect("signed trusted keys")
}

#[test]
fn the_office_count_with_k_shares_equals_the_station_count_record_by_record() {
    let mut fx = Fixture::seeded(31);
    let dir = fx.dir.path().join("usb");
    std::fs::create_dir(&dir).expect("usb");
    let (result, sealed) = exported(&mut fx, &dir, 5);
    let keys = fx.dir.path().join("office");
    fixture_ceremony(&keys);
    let signing_key = keys.join(office::SIGNING_KEY_FILE);
    let out = dir.join("office-results.jsonl");

    // K − 1 = 1 share: refused, nothing written.
    let o = vk(
        &[
            os("office"),
            os("count"),
            sealed.as_os_str(),
            os("--share"),
            share(&keys, 1).as_os_str(),
            os("--signing-key"),
            signing_key.as_os_str(),
            os("--out"),
            out.as_os_str(),
        ],
        &format!("{OFFICER}\n{}\n", PASSPHRASES[0]),
    );
    assert!(!o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("shares"), "{stderr}");
    assert!(!out.exists(), "nothing written with K - 1 shares");

    // K = 2 shares (trustees 1 and 3).
    let o = vk(
        &[
            os("office"),
            os("count"),
            sealed.as_os_str(),
            os("--share"),
            share(&keys, 1).as_os_str(),
            os("--share"),
            share(&keys, 3).as_os_str(),
            os("--signing-key"),
            signing_key.as_os_str(),
            os("--out"),
            out.as_os_str(),
        ],
        &format!("{OFFICER}\n{}\n{}\n", PASSPHRASES[0], PASSPHRASES[2]),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (trusted, _) = trusted_by_station(&fx);
    let options = Options {
        anchor: Anchor::Trusted(&trusted),
        ..Options::default()
    };
    let (mut by_station, mut by_office) = (Collect::default(), Collect::default());
    let station_bytes = std::fs::read(&result).expect("result");
    let office_bytes = std::fs::read(&out).expect("office result");
    assert!(verify_bytes(&station_bytes, &options, &mut by_station).passed());
    let report = verify_bytes(&office_bytes, &options, &mut by_office);
    assert!(report.passed(), "{:?}", report.failures);
    assert_eq!(report.counted_by.as_deref(), Some("office"));
    assert_eq!(by_station.record_ids, by_office.record_ids);
    assert_eq!(by_station.receipts, by_office.receipts);
    // Record by record: the same lines after the header and signature.
    let tail = |b: &[u8]| {
        b.split(|&c| c == b'\n')
            .skip(2)
            .map(<[u8]>::to_vec)
            .collect::<Vec<_>>()
    };
    assert_eq!(tail(&station_bytes), tail(&office_bytes));
}

#[test]
fn shares_of_another_ceremony_give_a_clear_error_and_write_nothing() {
    let mut fx = Fixture::seeded(32);
    let dir = fx.dir.path().join("usb");
    std::fs::create_dir(&dir).expect("usb");
    let (_, sealed) = exported(&mut fx, &dir, 2);
    let keys = fx.dir.path().join("office");
    fixture_ceremony(&keys);
    let other = fx.dir.path().join("other-ceremony");
    ceremony(&other, &[3; 32], &secret(OFFICE_SIGNING_SECRET), 22);
    let out = dir.join("office-results.jsonl");
    let before: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("e").file_name())
        .collect();
    let o = vk(
        &[
            os("office"),
            os("count"),
            sealed.as_os_str(),
            os("--share"),
            share(&other, 1).as_os_str(),
            os("--share"),
            share(&other, 2).as_os_str(),
            os("--signing-key"),
            keys.join(office::SIGNING_KEY_FILE).as_os_str(),
            os("--out"),
            out.as_os_str(),
            os("--json"),
        ],
        "",
    );
    assert!(!o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("wrong_office_key") || stderr.contains("another key ceremony"),
        "{stderr}"
    );
    let after: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("e").file_name())
        .collect();
    assert_eq!(before, after, "nothing written");
}

#[test]
fn a_test_key_ballot_in_an_official_sealed_export_stops_the_office_count() {
    // The same station, first in test mode: one test ballot, sealed to the test key.
    let mut fx = Fixture::seeded(33);
    let a = fx.admin();
    fx.closing_key();
    fx.station.enter_test_mode(&a).expect("test mode");
    let code = fx.codes(1).remove(0);
    fx.station
        .cast_ballot(&code, &full_ballot(), &key_for(90))
        .expect("test cast");
    let test_export = fx.station.export(&a, true, "test.jsonl").expect("test export");
    let test_blob = split(&test_export.sealed).last().cloned().expect("a test record");
    // Then the real day.
    let dir = fx.dir.path().join("usb");
    std::fs::create_dir(&dir).expect("usb");
    let (_, sealed) = exported(&mut fx, &dir, 2);
    // A passphrase holder slips the test record in and re-signs with the station key.
    let key = signing_key_of(&fx.path);
    let bytes = std::fs::read(&sealed).expect("sealed");
    let mut lines = split(&bytes);
    let header: Value = serde_json::from_slice(&lines[0]).expect("header");
    let receipts = header["receipts"]["count"].as_u64().expect("n") as usize;
    let first = 3 + receipts;
    let count = header["sealed"]["count"].as_u64().expect("n") as usize;
    let mut blobs: Vec<Vec<u8>> = lines[first..first + count]
        .iter()
        .chain([&test_blob])
        .map(|l| b64::decode(std::str::from_utf8(&l[1..l.len() - 1]).expect("utf8")).expect("b64"))
        .collect();
    blobs.sort();
    let section: Vec<Vec<u8>> = blobs
        .iter()
        .map(|b| format!("\"{}\"", b64::encode(b)).into_bytes())
        .collect();
    lines.splice(first..first + count, section.clone());
    // One more receipt and ballot, so that the counts agree.
    let extra = votekiosk::ReceiptId::random(&mut rand::rngs::StdRng::seed_from_u64(5));
    lines.insert(3, serde_json::to_vec(extra.as_str()).expect("receipt"));
    let mut receipt_ids: Vec<String> = lines[3..3 + receipts + 1]
        .iter()
        .map(|l| serde_json::from_slice(l).expect("receipt"))
        .collect();
    receipt_ids.sort();
    for (i, r) in receipt_ids.iter().enumerate() {
        lines[3 + i] = serde_json::to_vec(r).expect("line");
    }
    let digest = |ls: &[Vec<u8>]| {
        let mut all = Vec::new();
        for l in ls {
            all.extend_from_slice(l);
            all.push(b'\n');
        }
        hex::encode(<sha2::Sha512 as sha2::Digest>::digest(&all))
    };
    let sealed_sha = digest(&section);
    let root = hex::encode(votekiosk::export::merkle::root(&receipt_ids));
    let forged = resign(&join(&lines), &key, |h| {
        h["sealed"]["count"] = (count + 1).into();
        h["sealed"]["sha512"] = sealed_sha.into();
        h["receipts"]["count"] = (receipts + 1).into();
        h["receipts"]["merkle_root"] = root.into();
        for k in ["ballots", "codes_used", "codes_issued"] {
            let v = h["counts"][k].as_u64().expect("n") + 1;
            h["counts"][k] = v.into();
        }
    });
    let forged_path = dir.join("forged.sealed.jsonl");
    std::fs::write(&forged_path, &forged).expect("write");
    let keys = fx.dir.path().join("office");
    fixture_ceremony(&keys);
    let out = dir.join("office-results.jsonl");
    let o = vk(
        &[
            os("office"),
            os("count"),
            forged_path.as_os_str(),
            os("--share"),
            share(&keys, 1).as_os_str(),
            os("--share"),
            share(&keys, 2).as_os_str(),
            os("--signing-key"),
            keys.join(office::SIGNING_KEY_FILE).as_os_str(),
            os("--out"),
            out.as_os_str(),
        ],
        &format!("{OFFICER}\n{}\n{}\n", PASSPHRASES[0], PASSPHRASES[1]),
    );
    assert!(!o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("test"), "{stderr}");
    assert!(!out.exists(), "nothing written");
}

fn split(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes
        .strip_suffix(b"\n")
        .expect("LF")
        .split(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

fn join(lines: &[Vec<u8>]) -> Vec<u8> {
    lines
        .iter()
        .flat_map(|l| l.iter().copied().chain([b'\n']))
        .collect()
}

#[test]
fn the_office_merges_trusted_stations_only_and_signs_with_its_key_file() {
    let mut fx = Fixture::seeded(34);
    let dir = fx.dir.path().join("usb");
    std::fs::create_dir(&dir).expect("usb");
    let (result, _) = exported(&mut fx, &dir, 3);
    let keys = fx.dir.path().join("office");
    fixture_ceremony(&keys);
    let (_, trusted_bytes) = trusted_by_station(&fx);
    let trusted = fx.dir.path().join("trusted-keys.json");
    std::fs::write(&trusted, &trusted_bytes).expect("trusted keys");
    let signing_key = keys.join(office::SIGNING_KEY_FILE);

    // verify against the trusted-keys file; and with no anchor, FAIL.
    let o = vk(
        &[
            os("verify"),
            result.as_os_str(),
            os("--trusted-keys"),
            trusted.as_os_str(),
        ],
        "",
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let o = vk(&[os("--json"), os("verify"), result.as_os_str()], "");
    assert!(!o.status.success());
    let report: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(report["failures"][0]["name"], "untrusted_key");

    // A copy re-signed with a fresh key: verify and merge refuse it, nothing written.
    let fresh = SigningKey::from_bytes(&[77; 32]);
    let forged = resign(&std::fs::read(&result).expect("r"), &fresh, |h| {
        let pk = fresh.verifying_key().to_bytes();
        h["station"]["public_key"] = hex::encode(pk).into();
        h["station"]["fingerprint"] = votekiosk::export::fingerprint(&pk).into();
    });
    let forged_path = dir.join("forged.jsonl");
    std::fs::write(&forged_path, &forged).expect("forged");
    let o = vk(
        &[
            os("verify"),
            forged_path.as_os_str(),
            os("--trusted-keys"),
            trusted.as_os_str(),
        ],
        "",
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("[untrusted_key]"));
    let merged = dir.join("merged.jsonl");
    let o = vk(
        &[
            os("merge"),
            forged_path.as_os_str(),
            os("--trusted-keys"),
            trusted.as_os_str(),
            os("--signing-key"),
            signing_key.as_os_str(),
            os("--out"),
            merged.as_os_str(),
        ],
        &format!("{OFFICER}\n"),
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("untrusted_key"));
    assert!(!merged.exists());

    // The genuine file merges, signed by the office; verify checks it.
    let o = vk(
        &[
            os("merge"),
            result.as_os_str(),
            os("--trusted-keys"),
            trusted.as_os_str(),
            os("--signing-key"),
            signing_key.as_os_str(),
            os("--out"),
            merged.as_os_str(),
            os("--merged-at"),
            os("2026-11-04T08:00:00.000Z"),
        ],
        &format!("{OFFICER}\n"),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let hash = fx.station.definition().hash().to_hex();
    let inputs = dir.clone();
    std::fs::remove_file(&forged_path).expect("rm");
    let o = vk(
        &[
            os("verify"),
            merged.as_os_str(),
            os("--trusted-keys"),
            trusted.as_os_str(),
            os("--inputs"),
            inputs.as_os_str(),
        ],
        "",
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let o = vk(
        &[
            os("verify"),
            merged.as_os_str(),
            os("--definition-hash"),
            os(&hash),
        ],
        "",
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let merged_bytes = std::fs::read(&merged).expect("merged");
    assert!(verify_bytes(
        &merged_bytes,
        &Options {
            definition_hash: Some(fx.station.definition().hash().0),
            ..Options::default()
        },
        &mut Discard
    )
    .passed());
}
