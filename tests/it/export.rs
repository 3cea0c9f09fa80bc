//! What leaves the station: the signed result file verifies with no
//! secret, every tampering is caught by name, receipts prove inclusion,
//! and stations merge (only when they should).

use rand::{Rng, SeedableRng};
use serde_json::Value;
use votekiosk::export::format::ResultFile;
use votekiosk::export::merge::{merge, Input};
use votekiosk::export::verify::{find_receipt, verify, Inclusion, Parsed};

use crate::support::*;

/// A closed station with `n` ballots; returns it, its export, and the receipts.
fn closed_station(n: usize) -> (Fixture, String, Vec<String>) {
    let mut fx = Fixture::new();
    fx.open();
    let codes = fx.codes(n + 1);
    let mut receipts = Vec::new();
    let picks: [&[&str]; 3] = [&["lopez", "kim"], &["kim"], &["moore", "nguyen", "lopez"]];
    for (i, code) in codes.iter().take(n).enumerate() {
        let s = sel(&[
            (
                "mayor",
                if i % 2 == 0 {
                    &["alvarez"]
                } else {
                    &["write-in:Zed Q"]
                },
            ),
            ("library-bond", if i % 3 == 0 { &["yes"] } else { &["no"] }),
            ("school-board", picks[i % 3]),
        ]);
        receipts.push(
            fx.station
                .cast_ballot(code, &s, &key())
                .expect("cast")
                .receipt
                .to_string(),
        );
    }
    let w = fx.worker();
    fx.station.revoke_code(&w, &codes[n]).expect("revoke");
    fx.station.close_polls(&w).expect("close");
    fx.count();
    let text = fx.station.export(&w, false).expect("export");
    (fx, text, receipts)
}

fn failure_names(bytes: &[u8], key: Option<&str>) -> Vec<&'static str> {
    verify(bytes, key, None)
        .0
        .failures
        .iter()
        .map(|f| f.name())
        .collect()
}

fn public_key(text: &str) -> String {
    let v: Value = serde_json::from_str(text).expect("json");
    v["station"]["public_key"].as_str().expect("key").to_string()
}

/// Edits the JSON document and writes it back canonically (as a forger would).
fn edit(text: &str, f: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut v: Value = serde_json::from_str(text).expect("json");
    f(&mut v);
    votekiosk::canonical::to_canonical_string(&v).into_bytes()
}

#[test]
fn a_closed_station_exports_a_file_anyone_can_verify() {
    let (fx, text, receipts) = closed_station(12);
    let key = public_key(&text);
    assert_eq!(key, hex::encode(fx.station.public_key().expect("key")));
    let (report, parsed) = verify(text.as_bytes(), Some(&key), None);
    assert!(report.passed(), "{:?}", report.failures);
    assert_eq!(
        (report.ballots, report.test, report.station_id.as_deref()),
        (12, false, Some("RIVERSIDE-01"))
    );
    // With the passphrase the HMAC is checked too; a wrong one fails it.
    assert!(verify(text.as_bytes(), None, Some(PASSPHRASE)).0.passed());
    assert_eq!(failure_names(text.as_bytes(), None), Vec::<&str>::new());
    let wrong = verify(text.as_bytes(), None, Some("not the passphrase")).0;
    assert_eq!(
        wrong.failures.iter().map(|f| f.name()).collect::<Vec<_>>(),
        vec!["mac"]
    );

    let file: ResultFile = serde_json::from_str(&text).expect("typed");
    assert_eq!(file.counts.ballots, 12);
    assert_eq!(
        (
            file.counts.codes_issued,
            file.counts.codes_used,
            file.counts.codes_revoked
        ),
        (13, 12, 1)
    );
    // One count throughout: the file's counts are its result's turnout and
    // the station's, and they add up.
    assert_eq!(file.result.turnout, file.counts);
    assert_eq!(fx.station.status().expect("status").turnout, file.counts);
    assert!(file.counts.adds_up(), "{:?}", file.counts.discrepancies());
    let mut sorted = receipts.clone();
    sorted.sort();
    assert_eq!(
        file.receipts.ids, sorted,
        "receipts are the sorted list, separate from the records"
    );
    assert!(file.cast_vote_records.windows(2).all(|w| w[0].id < w[1].id));
    assert!(
        !text.contains("\"at\"") && !text.contains("opened_at\":null"),
        "no per-ballot timestamps"
    );
    // The stated result is the station's own tally.
    assert_eq!(file.result.contests, fx.station.tally().expect("tally").contests);

    // Every receipt is included, with a path to the root; others are not.
    let parsed = parsed.expect("parsed");
    for r in &receipts {
        match find_receipt(&parsed, r).expect("receipt") {
            Inclusion::Included { index, path } => {
                let root = votekiosk::export::merkle::root_from_path(r, &path);
                assert_eq!(hex::encode(root), file.receipts.merkle_root, "leaf {index}");
            }
            other => panic!("{r}: {other:?}"),
        }
    }
    assert_eq!(
        find_receipt(&parsed, "0000-0000-0000-0000").expect("parse"),
        Inclusion::NotFound
    );
    assert!(matches!(
        find_receipt(&parsed, "VK1:0123456789abcdef:0000-0000-0000-0000").expect("parse"),
        Inclusion::OtherElection { .. }
    ));
    // The export is audited.
    let kinds: Vec<String> = fx
        .station
        .audit_log(500)
        .expect("audit")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(kinds.iter().any(|k| k == "exported"));
}

#[test]
fn export_is_refused_before_close_and_test_exports_are_marked() {
    let mut fx = Fixture::new();
    let admin = fx.admin();
    fx.station.enter_test_mode(&admin).expect("test mode");
    let codes = fx.codes(2);
    fx.station
        .cast_ballot(&codes[0], &full_ballot(), &key())
        .expect("test ballot");
    let w = fx.worker();
    assert_eq!(
        fx.station
            .export(&w, false)
            .expect_err("official export in test mode")
            .code(),
        "export_refused"
    );
    let text = fx.station.export(&w, true).expect("test export");
    let (report, _) = verify(text.as_bytes(), None, None);
    assert!(report.passed(), "{:?}", report.failures);
    assert!(report.test);
    let file: ResultFile = serde_json::from_str(&text).expect("typed");
    assert!(file.test && file.result.test);
    fx.open();
    let before = snapshot(&fx.station);
    assert_eq!(
        fx.station.export(&w, false).expect_err("open").code(),
        "export_refused"
    );
    assert_eq!(
        fx.station.export(&w, true).expect_err("open").code(),
        "export_refused"
    );
    assert_eq!(snapshot(&fx.station), before);
    // A test export is never merged as an official result.
    let e = merge(
        &[Input {
            name: "test.json".into(),
            bytes: text.into_bytes(),
        }],
        &mut |_, _, _| {},
    )
    .expect_err("test export");
    assert!(e.to_string().contains("test export"), "{e}");
}

#[test]
fn flipping_any_single_byte_is_caught() {
    let (_fx, text, _) = closed_station(6);
    let key = public_key(&text);
    let bytes = text.as_bytes();
    let mut rng = rand::rngs::StdRng::seed_from_u64(2026);
    for _ in 0..200 {
        let pos = rng.gen_range(0..bytes.len());
        let mut tampered = bytes.to_vec();
        let mut b = rng.gen::<u8>();
        while b == bytes[pos] {
            b = rng.gen();
        }
        tampered[pos] = b;
        let names = failure_names(&tampered, Some(&key));
        assert!(!names.is_empty(), "byte {pos} changed to {b:#04x} went unnoticed");
        assert!(
            names
                .iter()
                .any(|n| ["signature", "malformed", "unknown_format"].contains(n)),
            "byte {pos}: {names:?}"
        );
    }
}

#[test]
fn each_kind_of_tampering_fails_for_its_own_reason() {
    let (_fx, text, _) = closed_station(6);
    let key = public_key(&text);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "reordered records",
            edit(&text, |v| {
                v["cast_vote_records"].as_array_mut().expect("cvrs").swap(0, 1)
            }),
            "cvr_order",
        ),
        (
            "dropped record",
            edit(&text, |v| {
                v["cast_vote_records"].as_array_mut().expect("cvrs").pop();
            }),
            "counts",
        ),
        (
            "added record",
            edit(&text, |v| {
                let cvrs = v["cast_vote_records"].as_array_mut().expect("cvrs");
                let mut extra = cvrs[0].clone();
                extra["id"] = "ffffffffffffffffffffffffffffffff".into();
                cvrs.push(extra);
            }),
            "counts",
        ),
        (
            "dropped receipt",
            edit(&text, |v| {
                v["receipts"]["ids"].as_array_mut().expect("ids").pop();
            }),
            "merkle_root",
        ),
        (
            "changed count",
            edit(&text, |v| v["counts"]["ballots"] = 7.into()),
            "counts",
        ),
        (
            "changed vote",
            edit(&text, |v| {
                v["cast_vote_records"][0]["selections"]["mayor"] = serde_json::json!(["brooks"])
            }),
            "tally",
        ),
        (
            "changed result",
            edit(&text, |v| v["result"]["contests"][2]["yes"] = 99.into()),
            "tally",
        ),
        (
            "invalid record",
            edit(&text, |v| {
                v["cast_vote_records"][0]["selections"]["mayor"] = serde_json::json!(["alvarez", "brooks"])
            }),
            "cvr",
        ),
        (
            "swapped public key",
            edit(&text, |v| v["station"]["public_key"] = "11".repeat(32).into()),
            "signature",
        ),
        (
            "removed signature",
            edit(&text, |v| {
                v.as_object_mut().expect("obj").remove("signature");
            }),
            "signature",
        ),
    ];
    for (name, bytes, expected) in cases {
        let names = failure_names(&bytes, Some(&key));
        assert!(
            names.contains(&expected),
            "{name}: expected {expected}, got {names:?}"
        );
        assert!(
            names.contains(&"signature") || name == "removed signature",
            "{name}: signature still valid? {names:?}"
        );
    }
    // A forger who re-signs with their own key passes the signature, but
    // not the station's published key.
    let mut file: ResultFile = serde_json::from_str(&text).expect("typed");
    file.counts.codes_issued += 4;
    file.counts.codes_unused += 4;
    file.result.turnout.codes_issued += 4;
    file.result.turnout.codes_unused += 4;
    let forger = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    file.station.public_key = hex::encode(forger.verifying_key().to_bytes());
    let resealed = votekiosk::export::seal(file, &forger, &[0u8; 32], &[0u8; 16]).expect("reseal");
    assert!(
        verify(resealed.as_bytes(), None, None).0.passed(),
        "self-consistent forgery"
    );
    assert_eq!(failure_names(resealed.as_bytes(), Some(&key)), vec!["public_key"]);
    assert_eq!(
        verify(resealed.as_bytes(), None, Some(PASSPHRASE))
            .0
            .failures
            .iter()
            .map(|f| f.name())
            .collect::<Vec<_>>(),
        vec!["mac"]
    );
}

#[test]
fn stations_merge_once_each_and_only_for_one_election() {
    let (_a, text_a, receipts_a) = closed_station(5);
    let (_b, text_b, receipts_b) = closed_station(7);
    let inputs = [
        Input {
            name: "a.json".into(),
            bytes: text_a.clone().into_bytes(),
        },
        Input {
            name: "b.json".into(),
            bytes: text_b.clone().into_bytes(),
        },
    ];
    let mut seen = Vec::new();
    let merged = merge(&inputs, &mut |done, total, name| {
        seen.push((done, total, name.to_string()))
    })
    .expect("merge");
    assert_eq!(seen.len(), 2, "progress reported per input");
    let (report, parsed) = verify(merged.as_bytes(), None, None);
    assert!(report.passed(), "{:?}", report.failures);
    assert_eq!((report.kind, report.ballots), ("merge", 12));
    let parsed = parsed.expect("parsed");
    let Parsed::Merge(m) = &parsed else {
        panic!("not a merge")
    };
    assert_eq!(m.inputs.len(), 2);
    assert_eq!(m.counts.ballots, 12);
    for r in receipts_a.iter().chain(&receipts_b) {
        assert!(matches!(
            find_receipt(&parsed, r).expect("r"),
            Inclusion::Included { .. }
        ));
    }
    // Ranked contests are recounted from the union, not summed.
    let ranked = m.result.contest("school-board").expect("ranked");
    assert_eq!(ranked.kind(), "ranked");

    // The same station twice, another election, a tampered input: refused.
    let twice = [
        Input {
            name: "a.json".into(),
            bytes: text_a.clone().into_bytes(),
        },
        Input {
            name: "a-copy.json".into(),
            bytes: text_a.clone().into_bytes(),
        },
    ];
    assert!(merge(&twice, &mut |_, _, _| {})
        .expect_err("twice")
        .to_string()
        .contains("already included"));
    let other_def = {
        let dir = tempfile::tempdir().expect("tmp");
        let mut doc: Value = serde_json::from_str(definition().canonical_json()).expect("json");
        doc["title"]["en"] = "Another election".into();
        let def = votekiosk::ElectionDefinition::parse(doc.to_string().as_bytes()).expect("def");
        let clock = std::sync::Arc::new(votekiosk::ManualClock::new(election_noon()));
        let path = dir.path().join("other.vks");
        let mut st = votekiosk::Station::create(
            &path,
            &def,
            "OTHER-02",
            PASSPHRASE,
            ADMIN,
            ADMIN_PASSWORD,
            Fixture::options_for(&clock),
        )
        .expect("create");
        let admin = st.login(ADMIN, ADMIN_PASSWORD).expect("login");
        let pins = ["12345678", "87654321"];
        let workers: Vec<_> = ["ana", "ben"]
            .iter()
            .zip(pins)
            .map(|(n, p)| (n.to_string(), zeroize::Zeroizing::new(p.to_string())))
            .collect();
        let slips = st.init_closing_key(&admin, &workers, 2).expect("closing key");
        st.open_polls(&admin).expect("open");
        st.close_polls(&admin).expect("close");
        let unlocks: Vec<_> = slips
            .iter()
            .zip(pins)
            .map(|(s, p)| votekiosk::station::SlipUnlock {
                payload: s.payload.to_string(),
                pin: zeroize::Zeroizing::new(p.to_string()),
            })
            .collect();
        st.count(&admin, &unlocks).expect("count");
        st.export(&admin, false).expect("export")
    };
    let mixed = [
        Input {
            name: "a.json".into(),
            bytes: text_a.clone().into_bytes(),
        },
        Input {
            name: "other.json".into(),
            bytes: other_def.into_bytes(),
        },
    ];
    assert!(merge(&mixed, &mut |_, _, _| {})
        .expect_err("other election")
        .to_string()
        .contains("another election"));
    let tampered = edit(&text_b, |v| v["counts"]["ballots"] = 1.into());
    let bad = [
        Input {
            name: "a.json".into(),
            bytes: text_a.into_bytes(),
        },
        Input {
            name: "b.json".into(),
            bytes: tampered,
        },
    ];
    assert!(merge(&bad, &mut |_, _, _| {})
        .expect_err("tampered")
        .to_string()
        .contains("b.json fails verification"));
}

#[test]
fn verify_html_is_self_contained_and_holds_the_receipts() {
    let (_fx, text, receipts) = closed_station(3);
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("results.vkr.json");
    let written = votekiosk::export::write_files(&out, &text).expect("write");
    assert_eq!(std::fs::read_to_string(&out).expect("read"), text);
    let html = std::fs::read_to_string(&written.verify_html).expect("html");
    for r in &receipts {
        assert!(html.contains(r.as_str()), "{r} missing from verify.html");
    }
    assert!(html.contains("Content-Security-Policy") && html.contains("default-src 'none'"));
    assert!(
        !html.contains("src=") && !html.contains("href="),
        "no external resources"
    );
    assert!(
        html.contains("location.hash"),
        "reads a receipt from the URL fragment"
    );
    // Never overwrites a result file.
    assert_eq!(
        votekiosk::export::write_files(&out, &text)
            .expect_err("exists")
            .code(),
        "file_exists"
    );
}

#[test]
fn the_cli_exports_verifies_merges_and_checks_receipts() {
    use std::process::Command;
    let (mut fx, _, receipts) = closed_station(4);
    let key = hex::encode(fx.station.public_key().expect("key"));
    // The command line is another kiosk program: the test's own is stopped.
    fx.stop();
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("results.vkr.json");
    let vk = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_votekiosk"))
            .arg("--station")
            .arg(&fx.path)
            .args(args)
            .env("VOTEKIOSK_PASSPHRASE", PASSPHRASE)
            .env("VOTEKIOSK_OFFICIAL_PASSWORD", WORKER_PASSWORD)
            .output()
            .expect("run votekiosk")
    };
    // After close the official export comes from a count: two slips, their
    // PINs on standard input.
    let mut count = Command::new(env!("CARGO_BIN_EXE_votekiosk"));
    count
        .arg("--station")
        .arg(&fx.path)
        .arg("count")
        .env("VOTEKIOSK_PASSPHRASE", PASSPHRASE)
        .env("VOTEKIOSK_OFFICIAL_PASSWORD", WORKER_PASSWORD)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut pins = String::new();
    for slip in &fx.slips {
        let file = dir.path().join(format!("slip-{}.txt", slip.index));
        std::fs::write(&file, slip.payload.as_bytes()).expect("slip file");
        count.arg("--slip-file").arg(file);
        pins.push_str(&format!("{}\n", SLIP_HOLDERS[slip.index as usize - 1].1));
    }
    let mut child = count
        .args(["--official", WORKER, "--export", out.to_str().expect("p")])
        .spawn()
        .expect("run votekiosk");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), pins.as_bytes()).expect("pins");
    let o = child.wait_with_output().expect("count");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(dir.path().join("verify.html").is_file());
    let o = vk(&[
        "verify",
        out.to_str().expect("p"),
        "--public-key",
        &key,
        "--with-passphrase",
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success() && stdout.starts_with("PASS"), "{stdout}");
    assert!(stdout.contains("HMAC checked"));
    let o = vk(&[
        "verify",
        out.to_str().expect("p"),
        "--public-key",
        &"ab".repeat(32),
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("[public_key]"));
    let o = vk(&[
        "receipt",
        "verify",
        out.to_str().expect("p"),
        &receipts[0],
        "--path",
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && stdout.contains("Included in the signed result of station RIVERSIDE-01"),
        "{stdout}"
    );
    assert!(stdout.contains("Merkle root"));
    let o = vk(&[
        "receipt",
        "verify",
        out.to_str().expect("p"),
        "0000-0000-0000-0000",
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("Not found"));
    // A tampered copy fails with its reasons and a non-zero exit.
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        edit(&std::fs::read_to_string(&out).expect("read"), |v| {
            v["counts"]["ballots"] = 9.into()
        }),
    )
    .expect("w");
    let o = vk(&["--json", "verify", bad.to_str().expect("p")]);
    assert!(!o.status.success());
    let report: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(report["passed"], false);
    let names: Vec<&str> = report["failures"]
        .as_array()
        .expect("f")
        .iter()
        .map(|f| f["name"].as_str().expect("n"))
        .collect();
    assert!(
        names.contains(&"signature") && names.contains(&"counts"),
        "{names:?}"
    );
    // Merging refuses the tampered input and writes nothing.
    let merged = dir.path().join("merged.json");
    let o = vk(&[
        "merge",
        out.to_str().expect("p"),
        bad.to_str().expect("p"),
        "--out",
        merged.to_str().expect("p"),
    ]);
    assert!(!o.status.success());
    assert!(!merged.exists());
    let o = vk(&[
        "merge",
        out.to_str().expect("p"),
        "--out",
        merged.to_str().expect("p"),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(vk(&["verify", merged.to_str().expect("p")]).status.success());
}
