//! Unit tests of the v2 writer, verifier, merge and office count on
//! hand-made files: every attack rewrites bytes the way a forger would
//! (editing the header and re-signing with the key they hold) and fails
//! by its stable name.

use std::collections::BTreeMap;

use ed25519_dalek::SigningKey;
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use serde_json::Value;

use super::format::*;
use super::lines;
use super::merge::{merge, MergeSettings};
use super::office::office_count;
use super::sealed::{read_sealed, write_sealed, SealedContent};
use super::verify::*;
use super::{write_result, ResultContent};
use crate::ballot::Ballot;
use crate::definition::ElectionDefinition;
use crate::receipt::ReceiptId;
use crate::turnout::Turnout;

fn definition() -> ElectionDefinition {
    ElectionDefinition::parse(include_bytes!("../../examples/demo-election.json")).expect("demo")
}

/// The test fixture's office signing key (brief: LE32(t) is the seed).
fn office_key() -> SigningKey {
    let mut seed = [0u8; 32];
    hex::decode_to_slice(
        "1e82bfdac7828caace4891acfb7be6720fddb5153d4f135963af3192d00e8b08",
        &mut seed,
    )
    .expect("hex");
    SigningKey::from_bytes(&seed)
}

fn station_key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

struct Trusted {
    hash: [u8; 32],
    stations: BTreeMap<String, [u8; 32]>,
}

impl TrustedStations for Trusted {
    fn definition_hash(&self) -> [u8; 32] {
        self.hash
    }
    fn station_key(&self, station_id: &str) -> Option<[u8; 32]> {
        self.stations.get(station_id).copied()
    }
}

fn trusted(stations: &[(&str, &SigningKey)]) -> Trusted {
    Trusted {
        hash: definition().hash().0,
        stations: stations
            .iter()
            .map(|(id, k)| (id.to_string(), k.verifying_key().to_bytes()))
            .collect(),
    }
}

fn software() -> Software {
    Software {
        name: "votekiosk".into(),
        version: "0.1.0".into(),
        commit: "unknown".into(),
        binary_sha256: "ab".repeat(32),
        target: "x86_64-unknown-linux-gnu".into(),
    }
}

fn station_header(id: &str, key: &SigningKey) -> StationHeader {
    let pk = key.verifying_key().to_bytes();
    StationHeader {
        id: id.into(),
        public_key: hex::encode(pk),
        fingerprint: super::fingerprint(&pk),
        closing_public_key: "cd".repeat(32),
        closing_threshold: Threshold { k: 2, n: 3 },
    }
}

/// `n` ballots of the demo election with seeded ids and receipts.
fn ballots(seed: u64, n: usize) -> (Vec<([u8; 16], Ballot)>, Vec<String>) {
    let def = definition();
    let mut rng = StdRng::seed_from_u64(seed);
    let mayor = [["alvarez"], ["brooks"], ["write-in:Zoë  Q"]];
    let mut records = Vec::new();
    for i in 0..n {
        let mut input = BTreeMap::new();
        input.insert("mayor".to_string(), vec![mayor[i % 3][0].to_string()]);
        // Marked out of definition order: the writer puts it in normal form.
        input.insert(
            "council".to_string(),
            vec!["gupta".to_string(), "diaz".to_string()],
        );
        input.insert(
            "school-board".to_string(),
            vec!["moore".to_string(), "kim".to_string()],
        );
        let mut id = [0u8; 16];
        rng.fill_bytes(&mut id);
        records.push((id, Ballot::validate(&def, &input).expect("ballot")));
    }
    let receipts = (0..n)
        .map(|_| ReceiptId::random(&mut rng).as_str().to_string())
        .collect();
    (records, receipts)
}

fn content<'a>(
    def: &'a ElectionDefinition,
    id: &str,
    key: &SigningKey,
    seed: u64,
    n: usize,
) -> ResultContent<'a> {
    let (records, receipts) = ballots(seed, n);
    ResultContent {
        definition: def,
        test: false,
        station: station_header(id, key),
        counted_by: CountedBy {
            role: "station".into(),
            sealed_sha256: None,
        },
        polls: Polls {
            opened_at: Some("2026-11-03T12:00:00.000Z".into()),
            closed_at: Some("2026-11-04T01:00:00.000Z".into()),
        },
        exported_at: "2026-11-04T01:05:00.000Z".into(),
        counts: Turnout::from_states(n as u64, 1, 2, n as u64),
        cards: Cards::default(),
        records,
        receipts,
        audit: AuditHead {
            head: "0".repeat(64),
            length: 9,
        },
        attachments: Vec::new(),
        software: software(),
    }
}

fn result(id: &str, key: &SigningKey, seed: u64, n: usize) -> Vec<u8> {
    let def = definition();
    write_result(content(&def, id, key, seed, n), key).expect("write")
}

fn pinned(key: &SigningKey) -> Options<'static> {
    Options {
        anchor: Anchor::PublicKey(key.verifying_key().to_bytes()),
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

/// The file's lines (without LF).
fn split(bytes: &[u8]) -> Vec<Vec<u8>> {
    let text = bytes.strip_suffix(b"\n").expect("trailing LF");
    text.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect()
}

fn join(lines: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for l in lines {
        out.extend_from_slice(l);
        out.push(b'\n');
    }
    out
}

/// A forger's edit: change the header, re-sign it with `key`.
fn resign(bytes: &[u8], key: &SigningKey, edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut lines = split(bytes);
    let mut header: Value = serde_json::from_slice(&lines[0]).expect("header");
    edit(&mut header);
    let header = lines::line(&header);
    lines[0] = header[..header.len() - 1].to_vec();
    let sig = lines::line(&lines::sign(key, &lines[0]));
    lines[1] = sig[..sig.len() - 1].to_vec();
    join(&lines)
}

#[test]
fn the_fixture_office_key_is_the_briefs() {
    assert_eq!(
        hex::encode(office_key().verifying_key().to_bytes()),
        "0ed83111c897c4f7b119d556bb37c73112e2f32d23e09b4aa71ddb7f39a47529"
    );
}

#[test]
fn a_written_result_verifies_against_a_pinned_key_or_a_trusted_station_and_never_without_one() {
    let key = station_key(1);
    let bytes = result("RIVERSIDE-01", &key, 1, 9);
    let mut seen = Collect::default();
    let report = verify_bytes(&bytes, &pinned(&key), &mut seen);
    assert!(report.passed(), "{:?}", report.failures);
    assert_eq!(
        (report.ballots, report.test, report.station_id.as_deref()),
        (9, false, Some("RIVERSIDE-01"))
    );
    assert_eq!((seen.receipts.len(), seen.record_ids.len()), (9, 9));
    let t = trusted(&[("RIVERSIDE-01", &key)]);
    let by_file = Options {
        anchor: Anchor::Trusted(&t),
        ..Options::default()
    };
    assert!(verify_bytes(&bytes, &by_file, &mut Discard).passed());
    // No anchor: fail closed.
    assert_eq!(names(&bytes, &Options::default()), ["untrusted_key"]);
    // Trusted, but under another station id.
    let other = trusted(&[("HILLTOP-02", &key)]);
    let by_other = Options {
        anchor: Anchor::Trusted(&other),
        ..Options::default()
    };
    assert_eq!(names(&bytes, &by_other), ["untrusted_key"]);
    // Another election pinned.
    let mut wrong = pinned(&key);
    wrong.definition_hash = Some([7; 32]);
    assert_eq!(names(&bytes, &wrong), ["definition"]);
}

#[test]
fn the_same_content_gives_the_same_bytes_records_in_normal_form_and_sorted() {
    let key = station_key(1);
    assert_eq!(result("S", &key, 3, 12), result("S", &key, 3, 12));
    let bytes = result("S", &key, 3, 12);
    let lines = split(&bytes);
    let records: Vec<Record> = lines[3 + 12..]
        .iter()
        .map(|l| serde_json::from_slice(l).expect("record"))
        .collect();
    assert_eq!(records.len(), 12);
    assert!(records.windows(2).all(|w| w[0].id < w[1].id));
    assert!(records
        .iter()
        .all(|r| r.selections["council"] == ["diaz", "gupta"]));
    // Ranked contests keep rank order.
    assert!(records
        .iter()
        .all(|r| r.selections["school-board"] == ["moore", "kim"]));
    assert!(!bytes.windows(5).any(|w| w == b"\"mac\""));
}

#[test]
fn a_result_re_signed_with_a_fresh_key_fails() {
    let key = station_key(1);
    let bytes = result("RIVERSIDE-01", &key, 1, 5);
    let forger = station_key(66);
    let forged = resign(&bytes, &forger, |h| {
        let pk = forger.verifying_key().to_bytes();
        h["station"]["public_key"] = hex::encode(pk).into();
        h["station"]["fingerprint"] = super::fingerprint(&pk).into();
        h["result"]["contests"][0]["tallies"][0]["votes"] = 1000.into();
    });
    assert!(names(&forged, &pinned(&key)).contains(&"untrusted_key"));
    let t = trusted(&[("RIVERSIDE-01", &key)]);
    assert!(names(
        &forged,
        &Options {
            anchor: Anchor::Trusted(&t),
            ..Options::default()
        }
    )
    .contains(&"untrusted_key"));
    assert!(names(&forged, &Options::default()).contains(&"untrusted_key"));
    // Signed by a key other than the one the header names.
    let swapped = resign(&bytes, &forger, |_| {});
    assert_eq!(names(&swapped, &pinned(&key)), ["signature"]);
}

#[test]
fn only_the_canonical_bytes_verify() {
    let key = station_key(1);
    let bytes = result("S", &key, 2, 4);
    let opts = pinned(&key);
    // Pretty-printed header.
    let mut lines = split(&bytes);
    let pretty = serde_json::to_vec_pretty(&serde_json::from_slice::<Value>(&lines[0]).expect("json"))
        .expect("pretty");
    lines[0] = pretty;
    assert!(names(&join(&lines), &opts).contains(&"not_canonical"));
    // CRLF, a missing or an extra trailing newline.
    let crlf: Vec<u8> = bytes
        .iter()
        .flat_map(|&b| if b == b'\n' { vec![b'\r', b'\n'] } else { vec![b] })
        .collect();
    assert_eq!(names(&crlf, &opts), ["not_canonical"]);
    assert_eq!(names(&bytes[..bytes.len() - 1], &opts), ["not_canonical"]);
    let mut extra = bytes.clone();
    extra.push(b'\n');
    assert_eq!(names(&extra, &opts), ["line_count"]);
    // A duplicate key in the header, re-signed.
    let mut lines = split(&bytes);
    let dup = [&b"{\"test\":false,"[..], &lines[0][1..]].concat();
    let sig = lines::line(&lines::sign(&key, &dup));
    lines[0] = dup;
    lines[1] = sig[..sig.len() - 1].to_vec();
    assert_eq!(names(&join(&lines), &opts), ["not_canonical"]);
    // A duplicate key in a record.
    let mut lines = split(&bytes);
    let last = lines.len() - 1;
    lines[last] = [&lines[last][..lines[last].len() - 1], &b",\"id\":\"00\"}"[..]].concat();
    assert!(!verify_bytes(&join(&lines), &opts, &mut Discard).passed());
    assert!(verify_bytes(&bytes, &opts, &mut Discard).passed());
}

#[test]
fn a_re_signed_paused_or_unstamped_result_is_no_final_result() {
    let key = station_key(1);
    let bytes = result("S", &key, 2, 3);
    let opts = pinned(&key);
    let paused = resign(&bytes, &key, |h| {
        h["mode"] = "paused".into();
        h["result"]["mode"] = "paused".into();
    });
    assert_eq!(names(&paused, &opts), ["mode"]);
    let open = resign(&bytes, &key, |h| h["polls"]["closed_at"] = Value::Null);
    assert_eq!(names(&open, &opts), ["stamps"]);
    let bad_stamp = resign(&bytes, &key, |h| h["exported_at"] = "2026-11-04 01:05".into());
    assert_eq!(names(&bad_stamp, &opts), ["stamps"]);
    let test_but_closed = resign(&bytes, &key, |h| {
        h["test"] = true.into();
        h["result"]["test"] = true.into();
    });
    assert!(names(&test_but_closed, &opts).contains(&"mode"));
    let upper_hex = resign(&bytes, &key, |h| h["audit"]["head"] = "A".repeat(64).into());
    assert_eq!(names(&upper_hex, &opts), ["malformed"]);
}

#[test]
fn counts_are_read_with_checked_arithmetic() {
    let key = station_key(1);
    let bytes = result("S", &key, 2, 3);
    let opts = pinned(&key);
    // Above 2^53 − 1: refused as a number no v2 file holds.
    let huge = resign(&bytes, &key, |h| h["counts"]["codes_issued"] = u64::MAX.into());
    assert_eq!(names(&huge, &opts), ["not_canonical"]);
    // Numbers that add up only if the sum wraps.
    let max = (1u64 << 53) - 1;
    let wrap = resign(&bytes, &key, |h| {
        for (k, v) in [("codes_issued", 5), ("codes_revoked", max), ("codes_unused", max)] {
            h["counts"][k] = v.into();
            h["result"]["turnout"][k] = v.into();
        }
    });
    assert_eq!(names(&wrap, &opts), ["counts"]);
    let cards = resign(&bytes, &key, |h| {
        h["cards"] = serde_json::json!({"enabled": true, "printed": 3, "cast": 3, "spoiled": 0,
            "abandoned": 0, "hand_count": max, "hand_count_difference": -1, "boxes": [{"box": "A", "cards": max}]});
    });
    assert_eq!(names(&cards, &opts), ["cards"]);
}

#[test]
fn a_changed_record_re_signed_by_the_station_key_fails_by_name() {
    let key = station_key(1);
    let bytes = result("S", &key, 2, 6);
    let opts = pinned(&key);
    let text = String::from_utf8(bytes.clone()).expect("utf8");
    let changed = text.replacen("[\"alvarez\"]", "[\"brooks\"]", 1).into_bytes();
    assert_ne!(changed, bytes);
    assert_eq!(names(&changed, &opts), ["records_digest"]);
    // The forger also fixes the digest: the recount differs.
    let lines = split(&changed);
    let mut section = Vec::new();
    for l in &lines[3 + 6..] {
        section.extend_from_slice(l);
        section.push(b'\n');
    }
    let sha = hex::encode(<sha2::Sha512 as sha2::Digest>::digest(&section));
    let fixed = resign(&changed, &key, |h| h["records"]["sha512"] = sha.into());
    assert_eq!(names(&fixed, &opts), ["tally"]);
    // A record moved out of order, a receipt dropped.
    let mut lines = split(&bytes);
    lines.swap(3 + 6, 3 + 7);
    assert!(names(&join(&lines), &opts).contains(&"cvr_order"));
    let mut lines = split(&bytes);
    lines.remove(3);
    assert!(names(&join(&lines), &opts).contains(&"merkle_root"));
}

fn merge_settings<'a>(t: &'a Trusted, signing: &'a SigningKey) -> MergeSettings<'a> {
    MergeSettings {
        trusted: t,
        signing,
        merged_at: "2026-11-04T08:00:00.000Z".into(),
        software: software(),
    }
}

fn write_tmp(dir: &std::path::Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write");
    p
}

#[test]
fn stations_merge_once_each_into_a_file_only_the_office_key_signs() {
    let dir = tempfile::tempdir().expect("tmp");
    let (k1, k2) = (station_key(1), station_key(2));
    let a = write_tmp(dir.path(), "a.jsonl", &result("A-1", &k1, 1, 5));
    let b = write_tmp(dir.path(), "b.jsonl", &result("B-2", &k2, 2, 7));
    let t = trusted(&[("A-1", &k1), ("B-2", &k2)]);
    let office = office_key();
    let merged = merge(
        &[a.clone(), b.clone()],
        &merge_settings(&t, &office),
        &mut |_, _, _| {},
    )
    .expect("merge");
    assert_eq!(
        merged,
        merge(
            &[b.clone(), a.clone()],
            &merge_settings(&t, &office),
            &mut |_, _, _| {}
        )
        .expect("again")
    );
    let pin = Options {
        definition_hash: Some(definition().hash().0),
        ..Options::default()
    };
    let report = verify_bytes(&merged, &pin, &mut Discard);
    assert!(report.passed(), "{:?}", report.failures);
    assert_eq!(report.ballots, 12);
    assert_eq!(names(&merged, &Options::default()), ["untrusted_key"]);
    let with_inputs = Options {
        anchor: Anchor::Trusted(&t),
        inputs: Some(dir.path()),
        ..Options::default()
    };
    assert!(verify_bytes(&merged, &with_inputs, &mut Discard).passed());
    // A forged merge: a fresh office key.
    let forger = station_key(99);
    let forged = resign(&merged, &forger, |h| h["counts"]["ballots"] = 13.into());
    assert_eq!(names(&forged, &pin), ["signature"]);
    // A changed count re-signed by a station key.
    let by_station = resign(&merged, &k1, |h| h["counts"]["ballots"] = 13.into());
    assert_eq!(names(&by_station, &pin), ["signature"]);
    // Refusals.
    let refuse = |inputs: &[std::path::PathBuf], t: &Trusted| match merge(
        inputs,
        &merge_settings(t, &office),
        &mut |_, _, _| {},
    ) {
        Ok(_) => panic!("merged {inputs:?}"),
        Err(e) => e.code(),
    };
    // The same file twice; a station id twice (the second file under
    // another key is not trusted); a key twice under two ids.
    assert_eq!(refuse(&[a.clone(), a.clone()], &t), "merge_refused");
    let a_again = write_tmp(dir.path(), "a2.jsonl", &result("A-1", &station_key(3), 4, 2));
    assert_eq!(refuse(&[a.clone(), a_again], &t), "merge_refused");
    let same_key = write_tmp(dir.path(), "k1.jsonl", &result("C-3", &k1, 6, 2));
    let t_same_key = trusted(&[("A-1", &k1), ("C-3", &k1)]);
    assert_eq!(refuse(&[a.clone(), same_key], &t_same_key), "merge_refused");
    // A station the trusted-keys file does not list; one re-signed with a fresh key.
    let only_a = trusted(&[("A-1", &k1)]);
    assert_eq!(refuse(&[a.clone(), b.clone()], &only_a), "merge_refused");
    let fresh = write_tmp(dir.path(), "c.jsonl", &result("B-2", &station_key(66), 2, 7));
    assert_eq!(refuse(&[a.clone(), fresh], &t), "merge_refused");
    // The same records and receipts under another station.
    let same_records = write_tmp(dir.path(), "d.jsonl", &result("C-3", &station_key(4), 1, 5));
    let t4 = trusted(&[("A-1", &k1), ("C-3", &station_key(4))]);
    assert_eq!(refuse(&[a.clone(), same_records], &t4), "merge_refused");
    match merge(&[a, b], &merge_settings(&t, &k1), &mut |_, _, _| {}) {
        Err(e) => assert_eq!(e.code(), "wrong_office_key"),
        Ok(_) => panic!("signed by a station key"),
    }
}

#[test]
fn the_office_count_of_a_sealed_export_gives_the_stations_records() {
    let def = definition();
    let key = station_key(1);
    let station_result = result("S", &key, 5, 6);
    let (records, receipts) = ballots(5, 6);
    // Stand-in blobs: the record id and the ballot's position, padded.
    let blobs: Vec<Vec<u8>> = records
        .iter()
        .enumerate()
        .map(|(i, (id, _))| [&id[..], &[i as u8; 16][..]].concat())
        .collect();
    let c = content(&def, "S", &key, 5, 6);
    let sealed = write_sealed(
        SealedContent {
            definition: &def,
            test: false,
            station: c.station.clone(),
            polls: c.polls.clone(),
            exported_at: c.exported_at.clone(),
            counts: c.counts,
            cards: c.cards.clone(),
            audit: c.audit.clone(),
            software: software(),
            record_length: 32,
            sealed: blobs,
            spoiled: Vec::new(),
            receipts,
        },
        &key,
    )
    .expect("sealed");
    let export = read_sealed(&sealed).expect("read");
    let mut open = |_: usize, blob: &[u8]| {
        let i = usize::from(blob[16]);
        Ok(records[i].clone())
    };
    let office_result = office_count(
        &export,
        &mut open,
        &office_key(),
        c.exported_at.clone(),
        software(),
    )
    .expect("count");
    let t = trusted(&[("S", &key)]);
    let opts = Options {
        anchor: Anchor::Trusted(&t),
        ..Options::default()
    };
    let (mut by_station, mut by_office) = (Collect::default(), Collect::default());
    assert!(verify_bytes(&station_result, &opts, &mut by_station).passed());
    let report = verify_bytes(&office_result, &opts, &mut by_office);
    assert!(report.passed(), "{:?}", report.failures);
    assert_eq!(report.counted_by.as_deref(), Some("office"));
    assert_eq!(by_station.record_ids, by_office.record_ids);
    assert_eq!(split(&station_result)[3..], split(&office_result)[3..]);
    // Pinned to the station key alone, the office's file has no anchor for the election.
    assert_eq!(names(&office_result, &pinned(&key)), ["untrusted_key"]);
    // Any record that fails to open stops the count.
    let mut refuse = |_: usize, _: &[u8]| {
        Err(crate::error::Error::OfficeCountRefused(
            "a test ballot in an official count".into(),
        ))
    };
    assert!(office_count(&export, &mut refuse, &office_key(), c.exported_at, software()).is_err());
    // A changed byte of the sealed export breaks the station's signature.
    let mut tampered = sealed.clone();
    let at = tampered.len() - 5;
    tampered[at] ^= 1;
    assert!(read_sealed(&tampered).is_err());
}

/// A `votekiosk-result/1` as the previous release wrote it (one canonical
/// JSON document, signed over itself without `signature`, with the MAC
/// member that is now ignored).
fn legacy_file(key: &SigningKey, n: usize) -> Vec<u8> {
    use super::legacy_format as v1;
    let mut doc: Value =
        serde_json::from_slice(include_bytes!("../../examples/demo-election.json")).expect("json");
    let obj = doc.as_object_mut().expect("object");
    obj.remove("office");
    obj.remove("demo");
    obj.insert("format".into(), "votekiosk/1".into());
    obj.insert("station_id".into(), "RIVERSIDE-01".into());
    let text = crate::canonical::to_canonical_string(&doc);
    let upgraded =
        crate::definition::upgrade::upgrade(text.as_bytes(), crate::definition::upgrade::Office::Demo)
            .expect("a v1 definition")
            .definition;
    let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(text.as_bytes()));
    let (records, mut receipts) = ballots(9, n);
    receipts.sort();
    let mut records: Vec<([u8; 16], Ballot)> = records;
    records.sort_by_key(|(id, _)| *id);
    let list: Vec<Ballot> = records.iter().map(|(_, b)| b.clone()).collect();
    let counts = Turnout::from_states(n as u64, 0, 0, n as u64);
    let mut result = crate::tabulate::ElectionResult::new(
        &upgraded,
        "RIVERSIDE-01",
        "closed",
        false,
        counts,
        crate::tabulate::tabulate(&upgraded, &list),
    );
    result.definition_hash = hash.clone();
    let file = v1::ResultFile {
        format: v1::RESULT_FILE_FORMAT.into(),
        software: "votekiosk 0.1.0".into(),
        test: false,
        definition: doc,
        definition_hash: hash,
        station: v1::StationInfo {
            id: "RIVERSIDE-01".into(),
            public_key: hex::encode(key.verifying_key().to_bytes()),
        },
        polls: v1::Polls {
            opened_at: Some("2026-11-03T12:00:00Z".into()),
            closed_at: Some("2026-11-04T01:00:00Z".into()),
        },
        counts,
        result,
        cast_vote_records: records.iter().map(|(id, b)| v1::Cvr::new(id, b)).collect(),
        receipts: v1::Receipts {
            merkle_root: hex::encode(super::merkle::root(&receipts)),
            ids: receipts,
        },
        audit: v1::AuditHead {
            head: "0".repeat(64),
            length: 3,
        },
        signature: None,
        mac: Some(v1::Mac {
            algorithm: "hmac-sha256".into(),
            salt: "00".repeat(16),
            value: "11".repeat(32),
        }),
    };
    let mut members = v1::Members::of(&serde_json::to_value(&file).expect("value")).expect("members");
    let signed = members.text_without(&["signature"]);
    let signature = ed25519_dalek::Signer::sign(key, signed.as_bytes());
    members.set(
        "signature",
        crate::canonical::to_canonical_string(&serde_json::json!({
            "algorithm": "ed25519",
            "value": hex::encode(signature.to_bytes()),
        })),
    );
    members.text_without(&[]).into_bytes()
}

#[test]
fn a_legacy_v1_result_verifies_read_only_against_a_pinned_key_only() {
    let key = station_key(8);
    let bytes = legacy_file(&key, 4);
    let mut seen = Collect::default();
    let report = verify_bytes(&bytes, &pinned(&key), &mut seen);
    assert!(report.passed(), "{:?}", report.failures);
    assert!(report.legacy);
    assert_eq!(
        (report.format.as_str(), report.ballots),
        ("votekiosk-result/1", 4)
    );
    assert_eq!(seen.receipts.len(), 4);
    // No anchor, or another key: FAIL.
    assert_eq!(names(&bytes, &Options::default()), ["untrusted_key"]);
    assert_eq!(names(&bytes, &pinned(&station_key(9))), ["untrusted_key"]);
    // A changed count, still signed by nobody: the signature fails.
    let text = String::from_utf8(bytes).expect("utf8");
    let changed = text.replacen("\"ballots\":4", "\"ballots\":5", 1);
    assert!(names(changed.as_bytes(), &pinned(&key)).contains(&"signature"));
}

/// The verifier's allocation-free normal-form check gives the same answer
/// as building the normal form and comparing its wire form, for records in
/// normal form and for each way a record can miss it.
#[test]
fn the_fast_normal_form_check_agrees_with_building_the_normal_form() {
    // The demo, with write-ins allowed in the vote-for-2 contest too.
    let mut doc: Value =
        serde_json::from_slice(include_bytes!("../../examples/demo-election.json")).expect("demo");
    doc["contests"][1]["write_ins"] = Value::Bool(true);
    let def = ElectionDefinition::parse(&serde_json::to_vec(&doc).expect("json")).expect("definition");
    let wire = |pairs: &[(&str, &[&str])]| -> crate::ballot::SelectionsInput {
        def.contests
            .iter()
            .map(|c| {
                let raw = pairs
                    .iter()
                    .find(|(id, _)| *id == c.id.as_str())
                    .map(|(_, v)| *v)
                    .unwrap_or(&[]);
                (
                    c.id.as_str().to_string(),
                    raw.iter().map(|s| s.to_string()).collect(),
                )
            })
            .collect()
    };
    let normal = wire(&[
        ("mayor", &["brooks"]),
        ("council", &["diaz", "gupta"]),
        ("library-bond", &["no"]),
        ("parks-board", &["hill", "jones"]),
        ("school-board", &["moore", "kim", "lopez"]),
    ]);
    let reversed = wire(&[("council", &["gupta", "diaz"])]);
    let write_in_last = wire(&[("council", &["evans", "write-in:Zed"])]);
    let write_in_first = wire(&[("council", &["write-in:Zed", "evans"])]);
    let write_ins_unsorted = wire(&[("council", &["write-in:Zed", "write-in:Amy"])]);
    let write_ins_sorted = wire(&[("council", &["write-in:Amy", "write-in:Zed"])]);
    let spaced = wire(&[("mayor", &["write-in:  Ann   Lee "])]);
    let mut missing = normal.clone();
    missing.remove("library-bond");
    let mut cases = vec![
        (normal, true),
        (reversed, false),
        (write_in_last, true),
        (write_in_first, false),
        (write_ins_unsorted, false),
        (write_ins_sorted, true),
        (spaced, false),
    ];
    cases.push((wire(&[("council", &["diaz", "evans", "gupta"])]), false)); // too many: refused before the check
    for (selections, expected) in &cases {
        let Ok(ballot) = Ballot::validate(&def, selections) else {
            assert!(!expected, "{selections:?} should validate");
            continue;
        };
        let slow = super::normal_form(&def, &ballot).selections() == *selections;
        assert_eq!(
            super::build::is_normal_form(&def, &ballot, selections),
            slow,
            "{selections:?}"
        );
        assert_eq!(slow, *expected, "{selections:?}");
    }
    let ballot = Ballot::validate(&def, &missing).expect("a missing contest is an undervote");
    assert!(
        !super::build::is_normal_form(&def, &ballot, &missing),
        "every contest must be listed"
    );
    assert!(super::normal_form(&def, &ballot).selections() != missing);
}
