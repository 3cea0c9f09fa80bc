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
use votekiosk::export::merge::{merge, MergeSettings};
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

// ---- issue 17: the merge at scale, streamed ------------------------------------

/// A fixed `software` for synthetic files and merges (bytes that do not
/// depend on the binary under test).
fn fixed_software() -> votekiosk::export::format::Software {
    votekiosk::export::format::Software {
        name: "votekiosk".into(),
        version: "0.0.0-test".into(),
        commit: "unknown".into(),
        binary_sha256: "ab".repeat(32),
        target: "test".into(),
    }
}

/// A seeded valid ballot of the test election (every contest kind,
/// write-ins, under-votes).
fn synthetic_selections(rng: &mut rand::rngs::StdRng) -> votekiosk::SelectionsInput {
    use rand::seq::SliceRandom;
    use rand::Rng;
    let pick = |rng: &mut rand::rngs::StdRng, ids: &[&str], k: usize| -> Vec<String> {
        ids.choose_multiple(rng, k).map(|s| s.to_string()).collect()
    };
    let mayor = match rng.gen_range(0..10) {
        0 => vec![],
        1 => vec!["write-in:Zed Q".to_string()],
        _ => pick(rng, &["alvarez", "brooks", "chen"], 1),
    };
    let k = rng.gen_range(0..=2);
    let council = pick(rng, &["diaz", "evans", "fischer", "gupta"], k);
    let bond = match rng.gen_range(0..3) {
        0 => vec![],
        1 => vec!["yes".to_string()],
        _ => vec!["no".to_string()],
    };
    let k = rng.gen_range(0..=3);
    let parks = pick(rng, &["hill", "ito", "jones"], k);
    let k = rng.gen_range(0..=3);
    let school = pick(rng, &["kim", "lopez", "moore", "nguyen"], k);
    [
        ("mayor", mayor),
        ("council", council),
        ("library-bond", bond),
        ("parks-board", parks),
        ("school-board", school),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// `count` synthetic closed stations of `ballots` ballots each, written in
/// `dir` as `station-NNNN.jsonl` by the one writer of results
/// (`export::write_result`, as the benches do), each signed by its own
/// key; and the office's trusted-keys file for them (signed bytes).
fn synthetic_stations(dir: &Path, count: usize, ballots: usize, seed: u64) -> (Vec<PathBuf>, Vec<u8>) {
    use rand::{RngCore, SeedableRng};
    use votekiosk::export::format::{AuditHead, Cards, CountedBy, Polls, StationHeader, Threshold};
    use votekiosk::export::ResultContent;
    let definition = definition();
    std::fs::create_dir_all(dir).expect("dir");
    let mut trusted = TrustedKeys::empty(definition.hash().0);
    let mut paths = Vec::new();
    for s in 0..count {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed * 1_000_003 + s as u64);
        let records: Vec<([u8; 16], votekiosk::Ballot)> = (0..ballots)
            .map(|_| {
                let mut id = [0u8; 16];
                rng.fill_bytes(&mut id);
                let ballot = votekiosk::Ballot::validate(&definition, &synthetic_selections(&mut rng))
                    .expect("ballot");
                (id, ballot)
            })
            .collect();
        let receipts: Vec<String> = (0..ballots)
            .map(|_| votekiosk::ReceiptId::random(&mut rng).as_str().to_string())
            .collect();
        let mut key = [0u8; 32];
        rng.fill_bytes(&mut key);
        let signing = SigningKey::from_bytes(&key);
        let public_key = signing.verifying_key().to_bytes();
        let mut closing = [0u8; 32];
        rng.fill_bytes(&mut closing);
        let id = format!("STATION-{s:04}");
        let n = ballots as u64;
        let bytes = votekiosk::export::write_result(
            ResultContent {
                definition: &definition,
                test: false,
                station: StationHeader {
                    id: id.clone(),
                    public_key: hex::encode(public_key),
                    fingerprint: votekiosk::export::fingerprint(&public_key),
                    closing_public_key: hex::encode(closing),
                    closing_threshold: Threshold { k: 2, n: 3 },
                },
                counted_by: CountedBy {
                    role: "station".into(),
                    sealed_sha256: None,
                },
                polls: Polls {
                    opened_at: Some("2026-11-03T12:00:00.000Z".into()),
                    closed_at: Some("2026-11-04T01:00:00.000Z".into()),
                },
                exported_at: "2026-11-04T01:05:00.000Z".into(),
                counts: votekiosk::Turnout::from_states(n, 1, 2, n),
                cards: Cards::default(),
                records,
                receipts,
                audit: AuditHead {
                    head: hex::encode([3u8; 32]),
                    length: n + 4,
                },
                attachments: Vec::new(),
                software: fixed_software(),
            },
            &signing,
        )
        .expect("result file");
        let path = dir.join(format!("station-{s:04}.jsonl"));
        std::fs::write(&path, bytes).expect("write station");
        paths.push(path);
        trusted = trusted
            .with_station(TrustedStation {
                station_id: id,
                public_key,
                closing_public_key: closing,
                added_at: "2026-11-02T10:00:00.000Z".into(),
                evidence: Evidence::ZeroReport,
            })
            .expect("station");
    }
    let (_, bytes) = trusted
        .reissue(&office_key(), "2026-11-02T10:00:00.000Z")
        .expect("signed trusted keys");
    (paths, bytes)
}

/// `votekiosk merge` of `inputs` with at most 256 open files (`prlimit`).
fn merge_limited(inputs: &[PathBuf], trusted: &Path, signing_key: &Path, out: &Path) -> Output {
    let mut args: Vec<&std::ffi::OsStr> = vec![
        os("--nofile=256:256"),
        os("--"),
        os(env!("CARGO_BIN_EXE_votekiosk")),
        os("merge"),
    ];
    args.extend(inputs.iter().map(|p| p.as_os_str()));
    args.extend([
        os("--trusted-keys"),
        trusted.as_os_str(),
        os("--signing-key"),
        signing_key.as_os_str(),
        os("--out"),
        out.as_os_str(),
        os("--merged-at"),
        os("2026-11-04T08:00:00.000Z"),
    ]);
    let mut child = Command::new("prlimit")
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run prlimit votekiosk merge");
    if let Some(mut stdin) = child.stdin.take() {
        if let Err(e) = stdin.write_all(format!("{OFFICER}\n").as_bytes()) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "stdin: {e}");
        }
    }
    child.wait_with_output().expect("wait")
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    names
}

/// 1,000 stations merge with at most 256 open files (merged in levels);
/// a truncated or corrupt file in the middle stops the merge with an
/// error naming it, exit 1, and leaves no output and no temporary file.
#[test]
fn a_thousand_stations_merge_under_256_open_files_and_a_broken_one_leaves_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let usb = dir.path().join("usb");
    let (inputs, trusted_bytes) = synthetic_stations(&usb, 1000, 3, 17);
    let keys = dir.path().join("office");
    fixture_ceremony(&keys);
    let signing_key = keys.join(office::SIGNING_KEY_FILE);
    let trusted = dir.path().join("trusted-keys.json");
    std::fs::write(&trusted, &trusted_bytes).expect("trusted keys");
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).expect("out dir");
    let merged = out_dir.join("merged.jsonl");

    let o = merge_limited(&inputs, &trusted, &signing_key, &merged);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(names_in(&out_dir), vec!["merged.jsonl"], "no temporary file left");
    let bytes = std::fs::read(&merged).expect("merged");
    let mut seen = Collect::default();
    let report = verify_bytes(
        &bytes,
        &Options {
            definition_hash: Some(definition().hash().0),
            ..Options::default()
        },
        &mut seen,
    );
    assert!(report.passed(), "{:?}", report.failures);
    assert_eq!(report.ballots, 3000);
    assert_eq!(seen.record_ids.len(), 3000);
    let header: Value = serde_json::from_slice(split(&bytes)[0].as_slice()).expect("header");
    assert_eq!(header["inputs"]["count"], 1000);
    std::fs::remove_file(&merged).expect("rm");

    // Truncated in the middle of a record, half way through the inputs.
    let victim = inputs[500].clone();
    let original = std::fs::read(&victim).expect("victim");
    std::fs::write(&victim, &original[..original.len() - 40]).expect("truncate");
    let o = merge_limited(&inputs, &trusted, &signing_key, &merged);
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("station-0500.jsonl"), "{stderr}");
    assert!(!merged.exists(), "no partial output");
    assert!(
        names_in(&out_dir).is_empty(),
        "no temporaries: {:?}",
        names_in(&out_dir)
    );
    std::fs::write(&victim, &original).expect("restore");

    // A record changed in place (one flipped answer): its digest fails at
    // the end of that file, after its records were merged into a run.
    let victim = inputs[700].clone();
    let original = std::fs::read(&victim).expect("victim");
    let text = String::from_utf8(original.clone()).expect("utf8");
    let at = text.rfind("\"library-bond\":[\"").expect("an answered measure");
    let mut changed = text.into_bytes();
    let answer = at + "\"library-bond\":[\"".len();
    let flipped: &[u8] = if changed[answer] == b'y' {
        b"no\"]"
    } else {
        b"yes\"]"
    };
    let end = answer + changed[answer..].iter().position(|&b| b == b']').expect("]") + 1;
    changed.splice(answer..end, flipped.iter().copied());
    std::fs::write(&victim, &changed).expect("corrupt");
    let o = merge_limited(&inputs, &trusted, &signing_key, &merged);
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("station-0700.jsonl"), "{stderr}");
    assert!(stderr.contains("records_digest"), "{stderr}");
    assert!(!merged.exists(), "no partial output");
    assert!(
        names_in(&out_dir).is_empty(),
        "no temporaries: {:?}",
        names_in(&out_dir)
    );
    assert_eq!(names_in(&usb).len(), 1000, "the inputs are untouched otherwise");
}

/// The streamed merge gives the bytes the merge of every input in memory
/// gave (before issue 17), pinned for a seeded set of stations merged in
/// two levels: everything but the header's `software` and the signature
/// over it (the old binary names itself there).
#[test]
fn the_streamed_merge_gives_the_bytes_of_the_in_memory_merge() {
    let dir = tempfile::tempdir().expect("tmp");
    let usb = dir.path().join("usb");
    let (inputs, trusted_bytes) = synthetic_stations(&usb, 12, 25, 5);
    if let Some(golden) = std::env::var_os("VOTEKIOSK_WRITE_MERGE_GOLDEN") {
        // Writes the inputs for the old binary (how the pins were made).
        let golden = PathBuf::from(golden);
        std::fs::create_dir_all(&golden).expect("golden dir");
        for p in &inputs {
            std::fs::copy(p, golden.join(p.file_name().expect("name"))).expect("copy");
        }
        std::fs::write(golden.join("trusted-keys.json"), &trusted_bytes).expect("trusted");
        fixture_ceremony(&golden.join("office"));
    }
    let trusted =
        TrustedKeys::parse(&trusted_bytes, &office_key().verifying_key().to_bytes()).expect("trusted keys");
    let key = office_key();
    let settings = MergeSettings {
        trusted: &trusted,
        signing: &key,
        merged_at: "2026-11-04T08:00:00.000Z".into(),
        software: fixed_software(),
    };
    let bytes = merge(&inputs, &settings, &mut |_, _, _| {}).expect("merge");
    let lines = split(&bytes);
    let mut header: Value = serde_json::from_slice(&lines[0]).expect("header");
    header.as_object_mut().expect("object").remove("software");
    let sha = |b: &[u8]| hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b));
    let header_text = votekiosk::canonical::to_canonical_string(&header);
    let body = join(&lines[2..]);
    assert_eq!(
        (sha(header_text.as_bytes()), sha(&body)),
        (GOLDEN_HEADER.to_string(), GOLDEN_BODY.to_string()),
        "the merge's header (but software) and sections differ from the in-memory merge's"
    );
}

const GOLDEN_HEADER: &str = "fa5782adada613e7c7b67dad998411d7a718c570ce2a79a485328f4e92a4fdb8";
const GOLDEN_BODY: &str = "2866854ad741105823eb3aa3366d98c6355390e7163ce593a8ee798003dc10d4";

/// Not a check: writes `VOTEKIOSK_MERGE_DATASET=DIR:FILES:BALLOTS`
/// synthetic stations, their trusted-keys file and the office key files
/// into DIR, to measure `votekiosk merge` / `verify` by hand (peak RSS
/// with `/usr/bin/time -v`). `cargo test --release --test it -- --ignored
/// write_a_merge_dataset`.
#[test]
#[ignore = "a tool for measuring by hand"]
fn write_a_merge_dataset() {
    let spec = std::env::var("VOTEKIOSK_MERGE_DATASET").expect("VOTEKIOSK_MERGE_DATASET=DIR:FILES:BALLOTS");
    let parts: Vec<&str> = spec.split(':').collect();
    let dir = PathBuf::from(parts[0]);
    let files: usize = parts[1].parse().expect("files");
    let ballots: usize = parts[2].parse().expect("ballots");
    let (_, trusted) = synthetic_stations(&dir.join("stations"), files, ballots, 99);
    std::fs::write(dir.join("trusted-keys.json"), trusted).expect("trusted keys");
    fixture_ceremony(&dir.join("office"));
}

/// `votekiosk verify` of many station files at once (two threads): each
/// file gets its own verdict in the order given, one altered file fails
/// alone and names itself, the answer is "no" (exit 1), and nothing is
/// written beside the files.
#[test]
fn verify_of_many_files_names_the_one_that_fails_and_passes_the_others() {
    let dir = tempfile::tempdir().expect("tmp");
    let usb = dir.path().join("usb");
    let (inputs, trusted_bytes) = synthetic_stations(&usb, 7, 5, 29);
    let trusted = dir.path().join("trusted-keys.json");
    std::fs::write(&trusted, &trusted_bytes).expect("trusted keys");
    let args = |files: &[PathBuf]| {
        let mut a: Vec<std::ffi::OsString> = vec!["--json".into(), "verify".into()];
        a.extend(files.iter().map(|f| f.clone().into_os_string()));
        a.extend(["--trusted-keys".into(), trusted.clone().into_os_string()]);
        a
    };
    let run = |files: &[PathBuf]| {
        let a = args(files);
        let refs: Vec<&std::ffi::OsStr> = a.iter().map(|s| s.as_os_str()).collect();
        vk(&refs, "")
    };

    let o = run(&inputs);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let all: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(all["passed"], true);
    let files = all["files"].as_array().expect("files");
    assert_eq!(files.len(), 7);
    for (f, path) in files.iter().zip(&inputs) {
        assert_eq!(f["file"], path.display().to_string(), "in the order given");
        assert_eq!(f["passed"], true);
        assert_eq!(f["ballots"], 5);
    }

    // One vote changed in the fourth file (the signature no longer holds).
    let before = names_in(&usb);
    let mut lines = split(&std::fs::read(&inputs[3]).expect("read"));
    let last = lines.len() - 1;
    let text = String::from_utf8(lines[last].clone()).expect("utf8");
    let changed = ["\"yes\"", "\"no\""]
        .iter()
        .zip(["\"no\"", "\"yes\""])
        .find_map(|(a, b)| text.contains(a).then(|| text.replacen(a, b, 1)))
        .unwrap_or_else(|| text.replacen("\"mayor\":[]", "\"mayor\":[\"chen\"]", 1));
    assert_ne!(changed, text, "the record was altered");
    lines[last] = changed.into_bytes();
    std::fs::write(&inputs[3], join(&lines)).expect("write");
    let o = run(&inputs);
    assert_eq!(o.status.code(), Some(1), "a failed file is a complete 'no'");
    let all: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(all["passed"], false);
    let verdicts: Vec<bool> = all["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["passed"] == true)
        .collect();
    assert_eq!(verdicts, vec![true, true, true, false, true, true, true]);
    assert!(!all["files"][3]["failures"]
        .as_array()
        .expect("failures")
        .is_empty());

    // The text form names the failing file and counts the failures.
    let mut plain: Vec<&std::ffi::OsStr> = vec![os("verify")];
    plain.extend(inputs.iter().map(|p| p.as_os_str()));
    plain.extend([os("--trusted-keys"), trusted.as_os_str()]);
    let o = vk(&plain, "");
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains(&format!("{}: FAIL", inputs[3].display())), "{text}");
    assert!(text.trim_end().ends_with("FAIL: 1 of 7 files"), "{text}");
    // Each file's line in the order given, as the verdicts are written out
    // while the others are still being verified.
    let order: Vec<usize> = text
        .lines()
        .filter_map(|l| {
            inputs
                .iter()
                .position(|p| l.starts_with(&format!("{}: ", p.display())))
        })
        .collect();
    assert_eq!(order, (0..7).collect::<Vec<_>>(), "{text}");

    // A file missing in the middle: its own error, in its place; the
    // others verified as before.
    let mut gone = inputs.clone();
    gone.insert(2, usb.join("no-such-station.json"));
    let o = run(&gone);
    assert_eq!(o.status.code(), Some(1));
    let all: Value = serde_json::from_slice(&o.stdout).expect("json");
    let files = all["files"].as_array().expect("files");
    assert_eq!(files.len(), 8);
    assert!(
        files[2]["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{}",
        files[2]
    );
    assert_eq!(files[2]["file"], gone[2].display().to_string());
    assert_eq!(files[4]["passed"], false, "the altered file, now fifth");
    assert_eq!(
        files.iter().filter(|f| f["passed"] == true).count(),
        6,
        "the six others pass"
    );

    // --inputs/--attachments check one result: refused with several files.
    let mut both = plain.clone();
    both.extend([os("--inputs"), usb.as_os_str()]);
    let o = vk(&both, "");
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("give one FILE"));
    assert_eq!(names_in(&usb), before, "verify writes nothing");
}
