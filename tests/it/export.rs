//! What leaves the station: the signed `votekiosk-result/2` and the sealed
//! export beside it verify against a pinned key or the office's trusted
//! keys, and against nothing else; every tampering is caught by name;
//! receipts prove inclusion; exports are reproducible byte for byte; and
//! the attacks of issue 13 fail (a fresh key, a forged merge, a
//! non-canonical or non-final file, the storage ids a file diff reveals).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use serde_json::Value;
use votekiosk::export::merge::{merge, MergeSettings};
use votekiosk::export::verify::{
    find_receipt, verify_bytes, verify_path, Anchor, Collect, Discard, FindReceipt, Inclusion, Options,
    Parsed, TrustedStations,
};
use votekiosk::export::{lines, Export};
use votekiosk::store::{read_salt, FileKey};

use crate::support::*;

/// The office's trusted keys, in memory (the trusted-keys file's reader
/// gives the same answers).
pub struct Trusted {
    pub hash: [u8; 32],
    pub stations: BTreeMap<String, [u8; 32]>,
}

impl TrustedStations for Trusted {
    fn definition_hash(&self) -> [u8; 32] {
        self.hash
    }
    fn station_key(&self, station_id: &str) -> Option<[u8; 32]> {
        self.stations.get(station_id).copied()
    }
}

/// The test fixture's office signing key (the definition's `office.signing`).
pub fn office_key() -> SigningKey {
    let mut seed = [0u8; 32];
    hex::decode_to_slice(
        "1e82bfdac7828caace4891acfb7be6720fddb5153d4f135963af3192d00e8b08",
        &mut seed,
    )
    .expect("hex");
    SigningKey::from_bytes(&seed)
}

fn station_id(fx: &Fixture) -> String {
    fx.station.station_id().to_string()
}

/// A closed station with `n` ballots (seeded), exported.
fn closed_station(seed: u64, n: usize) -> (Fixture, Export, Vec<String>) {
    let mut fx = Fixture::seeded(seed);
    fx.open();
    let picks: [&[&str]; 3] = [&["lopez", "kim"], &["kim"], &["moore", "nguyen", "lopez"]];
    let receipts = fx.cast_and_close(n, |i| {
        sel(&[
            (
                "mayor",
                if i % 2 == 0 {
                    &["alvarez"]
                } else {
                    &["write-in:Zed Q"]
                },
            ),
            ("council", &["gupta", "diaz"]),
            ("library-bond", if i % 3 == 0 { &["yes"] } else { &["no"] }),
            ("school-board", picks[i % 3]),
        ])
    });
    fx.count();
    let w = fx.worker();
    let export = fx.station.export(&w, false, "results.jsonl").expect("export");
    (fx, export, receipts)
}

fn pinned(fx: &Fixture) -> Options<'static> {
    Options {
        anchor: Anchor::PublicKey(fx.station.public_key().expect("key")),
        ..Options::default()
    }
}

fn names(bytes: &[u8], options: &Options<'_>) -> Vec<&'static str> {
    verify_bytes(bytes, options, &mut Discard)
        .failures
        .iter()
        .map(|f| f.name)
        .collect()
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

/// What a forger holding `key` does: edit the header, sign it again.
pub fn resign(bytes: &[u8], key: &SigningKey, edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut lines = split(bytes);
    let mut header: Value = serde_json::from_slice(&lines[0]).expect("header");
    edit(&mut header);
    let line = lines::line(&header);
    lines[0] = line[..line.len() - 1].to_vec();
    let sig = lines::line(&lines::sign(key, &lines[0]));
    lines[1] = sig[..sig.len() - 1].to_vec();
    join(&lines)
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write");
    p
}

/// `receipt verify` finds a receipt in one pass over the file, keeping
/// only its path's sibling hashes (`FindReceipt`): the same index and path
/// as the lookup over the whole sorted list, for every receipt (first,
/// middle, last) of stations of odd and even sizes, and the same "not
/// found" and "other election" answers.
#[test]
fn the_one_pass_receipt_lookup_gives_the_same_inclusion_proof() {
    for (seed, n) in [(31, 1), (32, 5), (33, 8), (34, 11)] {
        let (fx, export, receipts) = closed_station(seed, n);
        let dir = tempfile::tempdir().expect("tmp");
        let out = dir.path().join("results.jsonl");
        votekiosk::export::write_files(&out, &export, fx.station.definition()).expect("write");
        let mut seen = Collect::default();
        let report = verify_path(&out, &pinned(&fx), &mut seen).expect("verify");
        assert!(report.passed(), "{:?}", report.failures);
        let parsed = Parsed::from_report(&report, seen.receipts.clone());
        let mut asked: Vec<String> = seen.receipts.clone();
        asked.push("ZZZZ-ZZZZ-ZZZZ-ZZZZ".into());
        for r in asked.iter().chain(&receipts) {
            let mut find = FindReceipt::new(r).expect("a receipt");
            let streamed = verify_path(&out, &pinned(&fx), &mut find).expect("verify");
            assert!(streamed.passed());
            let whole = find_receipt(&parsed, r).expect("receipt");
            assert_eq!(find.inclusion(&streamed), whole, "n={n} {r}");
        }
        let first = &seen.receipts[0];
        let mut find = FindReceipt::new(first).expect("a receipt");
        verify_path(&out, &pinned(&fx), &mut find).expect("verify");
        assert!(matches!(
            find.inclusion(&report),
            Inclusion::Included { index: 0, .. }
        ));
    }
}

/// A stream has no size limit (issue 17: a 10 M-ballot merge is ~2.5 GB):
/// a file past the old 2 GiB cap is read, line by line, and refused only
/// for what its first line is; only a file read whole (`read_file`) is
/// refused for its size. The file is sparse: nothing is written to disk,
/// and the verifier reads no more than one line's limit of it.
#[test]
fn a_streamed_verify_is_not_refused_for_its_size() {
    let dir = tempfile::tempdir().expect("tmp");
    let big = dir.path().join("national-merge.jsonl");
    let file = std::fs::File::create(&big).expect("create");
    file.set_len(votekiosk::export::MAX_EXPORT_BYTES + 1)
        .expect("a sparse file past the old limit");
    votekiosk::export::check_readable(&big).expect("a stream takes any size");
    let report = verify_path(&big, &Options::default(), &mut Discard).expect("read");
    assert!(!report.failed("too_large"), "{:?}", report.failures);
    assert!(report.failed("malformed"), "{:?}", report.failures);
    assert!(
        report.failures[0].message.contains("longer than"),
        "the per-line limit refused it: {:?}",
        report.failures
    );
    let e = votekiosk::export::read_file(&big).expect_err("too large to read whole");
    assert_eq!(e.code(), "too_large");
}

#[test]
fn a_closed_station_exports_a_result_and_a_sealed_export_verified_against_its_key() {
    let (fx, export, receipts) = closed_station(11, 6);
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("results.jsonl");
    let written = votekiosk::export::write_files(&out, &export, fx.station.definition()).expect("write");
    assert_eq!(written.sealed, dir.path().join("results.sealed.jsonl"));
    assert_eq!(std::fs::read(&out).expect("read"), export.result);
    let options = Options {
        attachments: Some(dir.path()),
        ..pinned(&fx)
    };
    let mut seen = Collect::default();
    let report = verify_path(&out, &options, &mut seen).expect("verify");
    assert!(report.passed(), "{:?}", report.failures);
    assert_eq!(
        (report.ballots, report.test, report.station_id.as_deref()),
        (6, false, Some("RIVERSIDE-01"))
    );
    let mut sorted = receipts.clone();
    sorted.sort();
    assert_eq!(seen.receipts, sorted);
    // Every receipt is found, with a path to the root the header signs.
    let parsed = Parsed::from_report(&report, seen.receipts);
    for r in &receipts {
        assert!(matches!(
            find_receipt(&parsed, r).expect("receipt"),
            Inclusion::Included { .. }
        ));
    }
    // The sealed export that changed after the result was signed fails as an attachment.
    let mut sealed = std::fs::read(&written.sealed).expect("sealed");
    let at = sealed.len() - 3;
    sealed[at] ^= 1;
    std::fs::write(&written.sealed, &sealed).expect("tamper");
    assert_eq!(
        verify_path(&out, &options, &mut Discard)
            .expect("verify")
            .failures
            .iter()
            .map(|f| f.name)
            .collect::<Vec<_>>(),
        ["attachment"]
    );
    // Never overwrites a result file.
    assert_eq!(
        votekiosk::export::write_files(&out, &export, fx.station.definition())
            .expect_err("exists")
            .code(),
        "file_exists"
    );
}

#[test]
fn verify_without_a_trust_anchor_fails_closed() {
    let (fx, export, _) = closed_station(12, 2);
    assert_eq!(names(&export.result, &Options::default()), ["untrusted_key"]);
    let report = verify_bytes(&export.result, &Options::default(), &mut Discard);
    assert!(!report.passed());
    // A trusted-keys file that names the station under another id does not help.
    let key = fx.station.public_key().expect("key");
    let elsewhere = Trusted {
        hash: fx.station.definition().hash().0,
        stations: [("HILLTOP-02".to_string(), key)].into(),
    };
    let options = Options {
        anchor: Anchor::Trusted(&elsewhere),
        ..Options::default()
    };
    assert_eq!(names(&export.result, &options), ["untrusted_key"]);
    let here = Trusted {
        hash: fx.station.definition().hash().0,
        stations: [(station_id(&fx), key)].into(),
    };
    let options = Options {
        anchor: Anchor::Trusted(&here),
        ..Options::default()
    };
    assert!(verify_bytes(&export.result, &options, &mut Discard).passed());
}

#[test]
fn exports_are_byte_reproducible_from_the_same_sealed_records() {
    let (fx, export, _) = closed_station(13, 5);
    // A copy of the file (taken once the kiosk is shut), opened at the
    // same time, exports the same bytes.
    let (path, options, options2) = (fx.path.clone(), fx.options(), fx.options());
    let unlocks = fx.unlocks();
    drop(fx.station);
    let copy = fx.dir.path().join("copy.vks");
    std::fs::copy(&path, &copy).expect("copy");
    let mut again = votekiosk::Station::open(&path, PASSPHRASE, options).expect("open");
    let mut twin = votekiosk::Station::open(&copy, PASSPHRASE, options2).expect("open copy");
    // The counted records live in memory only: each opening counts again.
    let w = again.login(WORKER, WORKER_PASSWORD).expect("login");
    again.count(&w, &unlocks).expect("count");
    let a = again.export(&w, false, "results.jsonl").expect("export");
    let w = twin.login(WORKER, WORKER_PASSWORD).expect("login");
    twin.count(&w, &unlocks).expect("count");
    let b = twin.export(&w, false, "results.jsonl").expect("export");
    assert_eq!(a, b);
    // Re-exported later, only the header moves (the audit head, the time): the records do not.
    let (first, second) = (split(&export.result), split(&a.result));
    assert_eq!(first[2..], second[2..]);
}

#[test]
fn export_is_refused_before_close_and_test_exports_are_marked() {
    let mut fx = Fixture::seeded(14);
    let w = fx.worker();
    assert_eq!(
        fx.station.export(&w, false, "r.jsonl").expect_err("setup").code(),
        "export_refused"
    );
    let a = fx.admin();
    fx.station.enter_test_mode(&a).expect("test mode");
    let code = fx.codes(1).remove(0);
    fx.station
        .cast_ballot(&code, &full_ballot(), &key_for(0))
        .expect("cast");
    let export = fx.station.export(&a, true, "test.jsonl").expect("test export");
    let report = verify_bytes(&export.result, &pinned(&fx), &mut Discard);
    assert!(report.passed(), "{:?}", report.failures);
    assert!(report.test);
    let header: Value = serde_json::from_slice(&split(&export.result)[0]).expect("header");
    assert_eq!(
        (header["mode"].as_str(), header["test"].as_bool()),
        (Some("test"), Some(true))
    );
    assert_eq!(
        fx.station
            .export(&a, false, "r.jsonl")
            .expect_err("test mode")
            .code(),
        "export_refused"
    );
}

#[test]
fn a_result_re_signed_with_a_fresh_key_fails_verify_and_merge() {
    let (fx, export, _) = closed_station(15, 4);
    let forger = SigningKey::from_bytes(&[66; 32]);
    let forged = resign(&export.result, &forger, |h| {
        let pk = forger.verifying_key().to_bytes();
        h["station"]["public_key"] = hex::encode(pk).into();
        h["station"]["fingerprint"] = votekiosk::export::fingerprint(&pk).into();
    });
    // Verified against the station's key, the trusted keys, or nothing: FAIL.
    assert_eq!(names(&forged, &pinned(&fx)), ["untrusted_key"]);
    assert_eq!(names(&forged, &Options::default()), ["untrusted_key"]);
    let trusted = Trusted {
        hash: fx.station.definition().hash().0,
        stations: [(station_id(&fx), fx.station.public_key().expect("key"))].into(),
    };
    let by_file = Options {
        anchor: Anchor::Trusted(&trusted),
        ..Options::default()
    };
    assert_eq!(names(&forged, &by_file), ["untrusted_key"]);
    // The merge refuses it and signs nothing.
    let dir = tempfile::tempdir().expect("tmp");
    let path = write(dir.path(), "forged.jsonl", &forged);
    let office = office_key();
    let settings = MergeSettings {
        trusted: &trusted,
        signing: &office,
        merged_at: "2026-11-04T08:00:00.000Z".into(),
        software: votekiosk::export::software(),
    };
    let err = merge(&[path], &settings, &mut |_, _, _| {}).expect_err("refused");
    assert_eq!(err.code(), "merge_refused");
    assert!(err.to_string().contains("untrusted_key"), "{err}");
}

#[test]
fn non_canonical_and_non_final_files_fail_by_name() {
    let (fx, export, _) = closed_station(16, 3);
    // The forger here holds the station's own signing seed (a passphrase
    // holder): re-signing is possible, yet the rules fail.
    let key = signing_key_of(&fx.path);
    let opts = pinned(&fx);
    let bytes = &export.result;
    // Pretty-printed.
    let mut lines = split(bytes);
    let header: Value = serde_json::from_slice(&lines[0]).expect("header");
    lines[0] = serde_json::to_vec_pretty(&header).expect("pretty");
    assert_eq!(names(&join(&lines), &opts), ["not_canonical"]);
    // A missing, then an extra trailing newline.
    assert_eq!(names(&bytes[..bytes.len() - 1], &opts), ["not_canonical"]);
    let mut extra = bytes.clone();
    extra.push(b'\n');
    assert_eq!(names(&extra, &opts), ["line_count"]);
    // CRLF.
    let crlf: Vec<u8> = bytes
        .iter()
        .flat_map(|&b| if b == b'\n' { vec![b'\r', b'\n'] } else { vec![b] })
        .collect();
    assert_eq!(names(&crlf, &opts), ["not_canonical"]);
    // A duplicate key, re-signed.
    let mut lines = split(bytes);
    lines[0] = [&b"{\"test\":true,"[..], &lines[0][1..]].concat();
    let sig = lines::line(&lines::sign(&key, &lines[0]));
    lines[1] = sig[..sig.len() - 1].to_vec();
    assert_eq!(names(&join(&lines), &opts), ["not_canonical"]);
    // A re-signed `paused`.
    let paused = resign(bytes, &key, |h| {
        h["mode"] = "paused".into();
        h["result"]["mode"] = "paused".into();
    });
    assert_eq!(names(&paused, &opts), ["mode"]);
    // Counts past 2^53 − 1, and counts that add up only modulo 2^64.
    let huge = resign(bytes, &key, |h| h["counts"]["codes_unused"] = u64::MAX.into());
    assert_eq!(names(&huge, &opts), ["not_canonical"]);
    let max = (1u64 << 53) - 1;
    let wrapping = resign(bytes, &key, |h| {
        for (k, v) in [
            ("codes_issued", 3u64),
            ("codes_revoked", max),
            ("codes_unused", max),
        ] {
            h["counts"][k] = v.into();
            h["result"]["turnout"][k] = v.into();
        }
    });
    assert_eq!(names(&wrapping, &opts), ["counts"]);
    // And the original passes.
    assert!(verify_bytes(bytes, &opts, &mut Discard).passed());
}

/// A copy of a station file opened with the passphrase, as an insider would.
fn insider(path: &Path) -> rusqlite::Connection {
    let copy = path.with_extension("insider-copy");
    std::fs::copy(path, &copy).expect("copy");
    let key = FileKey::derive(PASSPHRASE, read_salt(&copy).expect("salt")).expect("key");
    let conn = rusqlite::Connection::open(&copy).expect("open copy");
    conn.execute_batch(&format!(
        "PRAGMA key = \"x'{}{}'\"; PRAGMA cipher_compatibility = 4;",
        hex::encode(*key.key),
        hex::encode(key.salt)
    ))
    .expect("key");
    conn
}

/// The station's signing key, read from its file with the passphrase.
pub fn signing_key_of(path: &Path) -> SigningKey {
    let seed: Vec<u8> = insider(path)
        .query_row("SELECT value FROM secrets WHERE name = 'signing_key'", [], |r| {
            r.get(0)
        })
        .expect("signing seed");
    SigningKey::from_bytes(&seed.try_into().expect("32 bytes"))
}

/// The storage ids of a station file copy (what a passphrase holder reads).
fn storage_ids(path: &Path) -> BTreeSet<Vec<u8>> {
    let conn = insider(path);
    let table: String = conn
        .query_row(
            "SELECT name FROM sqlite_master WHERE name IN ('sealed_ballots', 'ballots') ORDER BY name DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("ballot table");
    let mut stmt = conn.prepare(&format!("SELECT id FROM {table}")).expect("query");
    let rows = stmt.query_map([], |r| r.get::<_, Vec<u8>>(0)).expect("rows");
    rows.collect::<rusqlite::Result<_>>().expect("ids")
}

#[test]
fn the_storage_id_a_file_diff_reveals_appears_in_no_export() {
    let mut fx = Fixture::seeded(17);
    fx.open();
    let codes = fx.codes(3);
    fx.station
        .cast_ballot(&codes[0], &full_ballot(), &key_for(0))
        .expect("cast");
    let before = fx.dir.path().join("before.vks");
    std::fs::copy(&fx.path, &before).expect("copy");
    fx.station
        .cast_ballot(&codes[1], &full_ballot(), &key_for(1))
        .expect("cast");
    let after = fx.dir.path().join("after.vks");
    std::fs::copy(&fx.path, &after).expect("copy");
    fx.station
        .cast_ballot(&codes[2], &full_ballot(), &key_for(2))
        .expect("cast");
    let new: Vec<Vec<u8>> = storage_ids(&after)
        .difference(&storage_ids(&before))
        .cloned()
        .collect();
    assert_eq!(new.len(), 1, "the diff finds the one cast's storage id");
    let w = fx.worker();
    fx.station.close_polls(&w).expect("close");
    fx.count();
    let export = fx.station.export(&w, false, "results.jsonl").expect("export");
    for id in storage_ids(&fx.path) {
        for (name, file) in [("result", &export.result), ("sealed export", &export.sealed)] {
            let text = String::from_utf8_lossy(file);
            for spelling in [hex::encode(&id), hex::encode_upper(&id)] {
                assert!(!text.contains(&spelling), "the {name} holds a storage id");
            }
            assert!(
                !file.windows(id.len()).any(|w| w == id.as_slice()),
                "the {name} holds a storage id's bytes"
            );
        }
    }
}

#[test]
fn a_forged_merge_fails() {
    let dir = tempfile::tempdir().expect("tmp");
    let (fx1, e1, _) = closed_station(18, 3);
    let (fx2, e2, _) = closed_station(19, 4);
    // Two stations of one election: the second under its own id.
    let hash = fx1.station.definition().hash().0;
    let trusted = Trusted {
        hash,
        stations: [
            (station_id(&fx1), fx1.station.public_key().expect("key")),
            ("RIVERSIDE-02".to_string(), fx2.station.public_key().expect("key")),
        ]
        .into(),
    };
    let k2 = signing_key_of(&fx2.path);
    let e2 = resign(&e2.result, &k2, |h| {
        h["station"]["id"] = "RIVERSIDE-02".into();
        h["result"]["station_id"] = "RIVERSIDE-02".into();
    });
    let paths = [
        write(dir.path(), "1.jsonl", &e1.result),
        write(dir.path(), "2.jsonl", &e2),
    ];
    let office = office_key();
    let settings = MergeSettings {
        trusted: &trusted,
        signing: &office,
        merged_at: "2026-11-04T08:00:00.000Z".into(),
        software: votekiosk::export::software(),
    };
    let merged = merge(&paths, &settings, &mut |_, _, _| {}).expect("merge");
    let pin = Options {
        definition_hash: Some(hash),
        ..Options::default()
    };
    let report = verify_bytes(&merged, &pin, &mut Discard);
    assert!(report.passed(), "{:?}", report.failures);
    assert_eq!(report.ballots, 7);
    let with_inputs = Options {
        anchor: Anchor::Trusted(&trusted),
        inputs: Some(dir.path()),
        ..Options::default()
    };
    assert!(verify_bytes(&merged, &with_inputs, &mut Discard).passed());
    // Without an anchor: FAIL.
    assert_eq!(names(&merged, &Options::default()), ["untrusted_key"]);
    // Signed by a fresh "office" key.
    let fresh = SigningKey::from_bytes(&[5; 32]);
    let forged = resign(&merged, &fresh, |h| h["counts"]["ballots"] = 8.into());
    assert_eq!(names(&forged, &pin), ["signature"]);
    // A changed count re-signed by a station's key.
    let by_station = resign(&merged, &k2, |h| h["counts"]["ballots"] = 8.into());
    assert_eq!(names(&by_station, &pin), ["signature"]);
    // An input replaced in the folder: --inputs finds it missing.
    std::fs::write(&paths[1], &e1.result).expect("replace");
    assert_eq!(names(&merged, &with_inputs), ["inputs"]);
}

#[test]
fn the_results_report_printed_after_the_export_names_the_files_root_and_sha256() {
    let mut fx = Fixture::seeded(19);
    fx.open();
    fx.cast_and_close(3, |_| sel(&[("mayor", &["alvarez"])]));
    fx.count();
    let now = chrono::Utc::now();
    // Before the export there is nothing to name.
    assert_eq!(fx.station.results_report(now).expect("report").identity, None);
    let w = fx.worker();
    let export = fx.station.export(&w, false, "results.jsonl").expect("export");
    let identity = fx
        .station
        .results_report(now)
        .expect("report")
        .identity
        .expect("identity");
    let header: Value = serde_json::from_slice(split(&export.result)[0].as_slice()).expect("header");
    assert_eq!(
        hex::encode(identity.merkle_root),
        header["receipts"]["merkle_root"].as_str().expect("root")
    );
    assert_eq!(
        identity.file_sha256,
        <[u8; 32]>::from(<sha2::Sha256 as sha2::Digest>::digest(&export.result))
    );
}
