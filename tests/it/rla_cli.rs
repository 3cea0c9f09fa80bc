//! The risk-limiting audit at the office through the `votekiosk` binary
//! (`rla start|plan|sample|record|status`, docs/rla.md). Bad input is
//! refused clearly and leaves the workspace byte for byte as it was: a
//! seed that is not 20 digits, a card not in the sample, a reading for a
//! contest not on the ballot, a wrong audit passphrase. An audit whose
//! paper agrees with the records completes; one whose paper disagrees
//! escalates and never says "complete".
//!
//! The workspace of these tests is built by the library from a known
//! station day (`workflow::start` on its records and manifest), so that
//! the test knows which card lies at each position of each box, as the
//! audit board finds it by pulling the card.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use rand::SeedableRng;
use serde_json::Value;

use votekiosk::rla::workflow::{self, AuditedResult, StartParams, StationManifest, StationSide};
use votekiosk::rla::workspace::{self, AuditKey, ResultRef};
use votekiosk::seal::card::CardId;

use crate::support::definition;

const AUDIT_PASSPHRASE: &str = "audit board passphrase for the tests";
const SEED: &str = "12345678901234567890";

/// One card in a box: its id and what is printed on it.
#[derive(Clone)]
struct PaperCard {
    card: CardId,
    mayor: &'static str,
    bond: &'static str,
}

/// A known audit: two stations, boxes with cards in a known order.
struct Known {
    dir: tempfile::TempDir,
    workspace: PathBuf,
    /// (station, box) → the cards from the top of the box.
    boxes: BTreeMap<(String, String), Vec<PaperCard>>,
}

fn card(station: u8, i: usize) -> CardId {
    let mut bytes = [0u8; 10];
    bytes[0] = station;
    bytes[8..].copy_from_slice(&(i as u16 + 1).to_be_bytes());
    CardId::from_bytes(bytes).expect("not zero")
}

/// Station 1: boxes A (12 cards) and B (8); station 2: box A (10).
/// Mayor: alvarez 21, brooks 9 of 30; library bond: yes 24, no 6.
fn known() -> Known {
    let def = definition();
    let dir = tempfile::tempdir().expect("tempdir");
    let layout: [(&str, &str, usize, u8); 3] = [
        ("RIVERSIDE-01", "A", 12, 1),
        ("RIVERSIDE-01", "B", 8, 1),
        ("HILLTOP-02", "A", 10, 2),
    ];
    let mut boxes = BTreeMap::new();
    let mut results = Vec::new();
    let mut manifests: BTreeMap<String, StationManifest> = BTreeMap::new();
    let mut records: BTreeMap<String, BTreeMap<String, BTreeMap<String, Vec<String>>>> = BTreeMap::new();
    let mut n = 0usize;
    for (station, box_id, count, tag) in layout {
        let mut cards = Vec::new();
        for _ in 0..count {
            let mayor = if n % 10 < 7 { "alvarez" } else { "brooks" };
            let bond = if n % 5 == 4 { "no" } else { "yes" };
            let id = card(tag, n);
            let record = format!("{:032x}", n + 1);
            let selections: BTreeMap<String, Vec<String>> = def
                .contests
                .iter()
                .map(|c| {
                    let v = match c.id.as_str() {
                        "mayor" => vec![mayor.to_string()],
                        "library-bond" => vec![bond.to_string()],
                        _ => vec![],
                    };
                    (c.id.as_str().to_string(), v)
                })
                .collect();
            records
                .entry(station.to_string())
                .or_default()
                .insert(record.clone(), selections);
            let m = manifests
                .entry(station.to_string())
                .or_insert_with(|| StationManifest {
                    file: format!("{station}.audit"),
                    definition_hash: def.hash().0,
                    station_id: station.to_string(),
                    station_public_key: [tag; 32],
                    records_sha512: [tag; 64],
                    boxes: Vec::new(),
                    cards: Vec::new(),
                    spoiled: Vec::new(),
                });
            let mut record_bytes = [0u8; 16];
            hex::decode_to_slice(&record, &mut record_bytes).expect("hex");
            m.cards.push((id, record_bytes));
            cards.push(PaperCard {
                card: id,
                mayor,
                bond,
            });
            n += 1;
        }
        manifests
            .get_mut(station)
            .expect("made above")
            .boxes
            .push((box_id.to_string(), count as u64));
        boxes.insert((station.to_string(), box_id.to_string()), cards);
    }
    // A spoiled card of station 1 (never cast, so never a record).
    manifests
        .get_mut("RIVERSIDE-01")
        .expect("station 1")
        .spoiled
        .push(card(9, 999));
    for (station, recs) in &records {
        let tag = if station == "RIVERSIDE-01" { 1 } else { 2 };
        let mut stations = BTreeMap::new();
        stations.insert(
            station.clone(),
            StationSide {
                public_key: [tag; 32],
                records_sha512: Some([tag; 64]),
                ballots: recs.len() as u64,
                header: None,
            },
        );
        results.push(AuditedResult {
            reference: ResultRef {
                file: format!("{station}.jsonl"),
                sha256: "00".repeat(32),
                format: "votekiosk-result/2".into(),
                stations: vec![station.clone()],
            },
            definition: def.clone(),
            stations,
            records: recs.clone(),
        });
    }
    let manifests: Vec<StationManifest> = manifests.into_values().collect();
    let params = StartParams {
        seed: SEED.into(),
        risk_limit_percent: 5.0,
        contests: vec!["mayor".into(), "library-bond".into()],
        created_at: "2026-11-05T10:00:00.000Z".into(),
    };
    let (public, confidential) = workflow::start(&results, &manifests, &params).expect("start");
    let mut rng = rand::rngs::StdRng::seed_from_u64(14);
    let key = AuditKey::new(AUDIT_PASSPHRASE, &mut rng).expect("key");
    let path = dir.path().join("audit.vkrla");
    workspace::create(&path, &public, &confidential, &key, &mut rng).expect("create");
    Known {
        dir,
        workspace: path,
        boxes,
    }
}

fn vk(args: &[&str], stdin: &str) -> Output {
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

/// Runs `votekiosk --json rla …` and returns its JSON answer.
fn rla(args: &[&str], stdin: &str) -> (bool, Value) {
    let mut all = vec!["--json", "rla"];
    all.extend_from_slice(args);
    let out = vk(&all, stdin);
    let text = String::from_utf8_lossy(&out.stdout);
    let value: Value = serde_json::from_str(text.trim()).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {text}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.success(), value)
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn pass() -> String {
    format!("{AUDIT_PASSPHRASE}\n")
}

/// Asserts a refusal with `code`, and that the workspace did not change.
fn refused(known: &Known, args: &[&str], stdin: &str, code: &str) -> Value {
    let before = std::fs::read(&known.workspace).expect("read");
    let (ok, out) = rla(args, stdin);
    assert!(!ok, "{args:?} must be refused: {out}");
    assert_eq!(out["error"]["code"], code, "{args:?}: {out}");
    assert_eq!(
        std::fs::read(&known.workspace).expect("read"),
        before,
        "{args:?}: a refused command leaves the workspace byte for byte as it was"
    );
    let leftovers: Vec<_> = std::fs::read_dir(known.dir.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary file is left behind");
    out
}

fn sample(known: &Known, size: Option<u64>) -> Value {
    let ws = s(&known.workspace);
    let size_text = size.map(|n| n.to_string());
    let mut args = vec!["sample", ws];
    if let Some(n) = &size_text {
        args.extend(["--size", n]);
    }
    let (ok, out) = rla(&args, &pass());
    assert!(ok, "sample: {out}");
    out
}

/// The card the board finds at a pull-list position.
fn at<'a>(known: &'a Known, item: &Value) -> &'a PaperCard {
    let station = item["station"].as_str().expect("station").to_string();
    let box_id = item["box"].as_str().expect("box").to_string();
    let position = item["position"].as_u64().expect("position") as usize;
    &known.boxes[&(station, box_id)][position - 1]
}

fn record_args(item: &Value) -> Vec<String> {
    vec![
        "--station-id".into(),
        item["station"].as_str().expect("station").into(),
        "--box".into(),
        item["box"].as_str().expect("box").into(),
        "--position".into(),
        item["position"].as_u64().expect("position").to_string(),
    ]
}

fn record(known: &Known, item: &Value, card: &CardId, mayor: &str, bond: &str) -> Value {
    let mut args: Vec<String> = vec!["record".into(), s(&known.workspace).into()];
    args.extend(record_args(item));
    args.extend([
        "--card".into(),
        card.grouped(),
        "--choice".into(),
        format!("mayor={mayor}"),
        "--choice".into(),
        format!("library-bond={bond}"),
    ]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (ok, out) = rla(&refs, &pass());
    assert!(ok, "record: {out}");
    out
}

fn status(known: &Known) -> Value {
    let (ok, out) = rla(&["status", s(&known.workspace)], "");
    assert!(ok, "status: {out}");
    out
}

#[test]
fn rla_start_refuses_a_seed_that_is_not_20_digits_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("audit.vkrla");
    for seed in [
        "1234567890123456789",
        "123456789012345678901",
        "1234567890123456789x",
        "dice",
    ] {
        let (ok, answer) = rla(
            &[
                "start",
                "--result",
                "r.jsonl",
                "--manifest",
                "m.audit",
                "--share",
                "s1",
                "--seed",
                seed,
                "--contest",
                "mayor",
                "--out",
                s(&out),
            ],
            "",
        );
        assert!(!ok);
        assert_eq!(answer["error"]["code"], "rla_bad_seed", "{seed}: {answer}");
        assert!(
            answer["error"]["message"]
                .as_str()
                .expect("message")
                .contains("20 decimal digits"),
            "{answer}"
        );
        assert!(!out.exists(), "no workspace is written");
    }
}

#[test]
fn a_card_not_in_the_sample_is_refused_and_changes_nothing() {
    let known = known();
    let first = sample(&known, Some(6));
    let items = first["positions"].as_array().expect("positions").clone();
    let item = &items[0];
    let ws = s(&known.workspace);
    // A draw number beyond the sample.
    refused(
        &known,
        &[
            "record",
            ws,
            "--draw",
            "999",
            "--card",
            &at(&known, item).card.grouped(),
            "--choice",
            "mayor=alvarez",
            "--choice",
            "library-bond=yes",
        ],
        &pass(),
        "rla_not_in_sample",
    );
    // A position nobody drew.
    let drawn: Vec<(String, String, u64)> = items
        .iter()
        .map(|i| {
            (
                i["station"].as_str().expect("text").into(),
                i["box"].as_str().expect("text").into(),
                i["position"].as_u64().expect("number"),
            )
        })
        .collect();
    let undrawn = (1..=12u64)
        .find(|p| !drawn.contains(&("RIVERSIDE-01".into(), "A".into(), *p)))
        .expect("an undrawn position");
    let undrawn_text = undrawn.to_string();
    let out = refused(
        &known,
        &[
            "record",
            ws,
            "--station-id",
            "RIVERSIDE-01",
            "--box",
            "A",
            "--position",
            &undrawn_text,
            "--card",
            &known.boxes[&("RIVERSIDE-01".into(), "A".into())][undrawn as usize - 1]
                .card
                .grouped(),
            "--choice",
            "mayor=alvarez",
            "--choice",
            "library-bond=yes",
        ],
        &pass(),
        "rla_not_in_sample",
    );
    assert!(
        out["error"]["message"]
            .as_str()
            .expect("value")
            .contains("was not drawn"),
        "{out}"
    );
    // A card cast at the other station, read at a drawn position.
    let other_station = if item["station"] == "HILLTOP-02" {
        "RIVERSIDE-01"
    } else {
        "HILLTOP-02"
    };
    let other_box = if other_station == "HILLTOP-02" { "A" } else { "B" };
    let foreign = &known.boxes[&(other_station.to_string(), other_box.to_string())][0];
    let mut args: Vec<String> = vec!["record".into(), ws.into()];
    args.extend(record_args(item));
    args.extend([
        "--card".into(),
        foreign.card.grouped(),
        "--choice".into(),
        "mayor=alvarez".into(),
        "--choice".into(),
        "library-bond=yes".into(),
    ]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = refused(&known, &refs, &pass(), "rla_not_in_sample");
    assert!(
        out["error"]["message"]
            .as_str()
            .expect("value")
            .contains("another station"),
        "{out}"
    );
    // Nothing in the clear part names a card.
    let text = std::fs::read_to_string(&known.workspace).expect("read");
    for cards in known.boxes.values() {
        for c in cards {
            assert!(
                !text.contains(&c.card.grouped()),
                "no card id in clear in the workspace"
            );
        }
    }
}

#[test]
fn a_reading_for_a_contest_not_on_the_ballot_is_refused_and_changes_nothing() {
    let known = known();
    let first = sample(&known, Some(4));
    let item = &first["positions"][0];
    let paper = at(&known, item).clone();
    let ws = s(&known.workspace);
    let mut args: Vec<String> = vec!["record".into(), ws.into()];
    args.extend(record_args(item));
    args.extend([
        "--card".into(),
        paper.card.grouped(),
        "--choice".into(),
        format!("mayor={}", paper.mayor),
        "--choice".into(),
        format!("library-bond={}", paper.bond),
        "--choice".into(),
        "governor=smith".into(),
    ]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = refused(&known, &refs, &pass(), "rla_contest_not_on_ballot");
    assert!(
        out["error"]["message"]
            .as_str()
            .expect("text")
            .contains("governor"),
        "{out}"
    );
    // A wrong audit passphrase opens nothing and changes nothing.
    let mut args: Vec<String> = vec!["record".into(), ws.into()];
    args.extend(record_args(item));
    args.extend([
        "--card".into(),
        paper.card.grouped(),
        "--choice".into(),
        format!("mayor={}", paper.mayor),
        "--choice".into(),
        format!("library-bond={}", paper.bond),
    ]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    refused(
        &known,
        &refs,
        "not the audit passphrase at all\n",
        "rla_workspace",
    );
}

#[test]
fn an_audit_whose_paper_agrees_with_the_records_completes() {
    let known = known();
    let (ok, plan) = rla(&["plan", s(&known.workspace)], "");
    assert!(ok, "{plan}");
    let size = plan["sample_size"].as_u64().expect("size");
    assert!(size > 0 && size < 30, "{plan}");
    let mayor = &plan["contests"][0];
    assert_eq!(mayor["winners"], serde_json::json!(["alvarez"]));
    assert!(mayor["diluted_margin"].as_f64().expect("margin") > 0.0);
    let first = sample(&known, None);
    assert_eq!(first["draws"].as_u64(), Some(size));
    let pdf = known.dir.path().join("pull-list.pdf");
    // Before any reading the audit is in progress, never complete.
    assert_eq!(status(&known)["state"], "in_progress");
    let items = first["positions"].as_array().expect("positions").clone();
    for item in &items {
        let paper = at(&known, item).clone();
        let out = record(&known, item, &paper.card, paper.mayor, paper.bond);
        assert_eq!(out["found"], "matched", "{out}");
        assert!(
            out["discrepancies"]
                .as_array()
                .expect("value")
                .iter()
                .all(|d| d["class"] == 0),
            "{out}"
        );
    }
    let done = status(&known);
    assert_eq!(done["state"], "complete", "{done}");
    for c in done["contests"].as_array().expect("contests") {
        assert!(c["risk"].as_f64().expect("number") <= 0.05, "{c}");
    }
    // A second pull list cannot be drawn once complete, and the plan is unchanged.
    let (ok, _) = rla(&["sample", s(&known.workspace), "--pdf", s(&pdf)], &pass());
    assert!(!ok, "no further round once complete");
    assert!(!pdf.exists());
}

#[test]
fn an_audit_whose_paper_disagrees_escalates_and_never_stops_early() {
    let known = known();
    let first = sample(&known, None);
    let items = first["positions"].as_array().expect("positions").clone();
    // The kiosk recorded alvarez where the voters' cards say brooks: every
    // pulled alvarez card reads brooks (2-vote overstatements).
    for (i, item) in items.iter().enumerate() {
        let paper = at(&known, item).clone();
        let mayor = if paper.mayor == "alvarez" {
            "brooks"
        } else {
            paper.mayor
        };
        let out = record(&known, item, &paper.card, mayor, paper.bond);
        if i + 1 < items.len() {
            let now = status(&known);
            assert_ne!(
                now["state"], "complete",
                "never complete before the round is read: {now}"
            );
        }
        if paper.mayor == "alvarez" {
            assert_eq!(out["discrepancies"][0]["class"], 2, "{out}");
        }
    }
    let after = status(&known);
    assert!(
        after["state"] == "escalate" || after["state"] == "full_hand_count",
        "{after}"
    );
    assert_ne!(after["contests"][0]["meets_risk_limit"], true, "{after}");
    if after["state"] == "escalate" {
        let next = after["next_sample_size"].as_u64().expect("next");
        assert!(next > first["draws"].as_u64().expect("number"));
        let second = sample(&known, None);
        assert_eq!(second["draws"].as_u64(), Some(next));
        assert_eq!(second["round"], 2);
        // The first round's draws are kept; the new positions wait.
        assert_eq!(status(&known)["state"], "in_progress");
    }
}

#[test]
fn the_pull_list_pdf_shows_boxes_and_positions_never_card_ids() {
    let known = known();
    let pdf = known.dir.path().join("pull-list.pdf");
    let (ok, out) = rla(
        &["sample", s(&known.workspace), "--size", "8", "--pdf", s(&pdf)],
        &pass(),
    );
    assert!(ok, "{out}");
    let bytes = std::fs::read(&pdf).expect("pdf");
    assert!(bytes.starts_with(b"%PDF"));
    let text = Command::new("pdftotext")
        .args([s(&pdf), "-"])
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("pull list"), "{text}");
    assert!(text.contains(SEED), "the seed is on the list");
    for item in out["positions"].as_array().expect("positions") {
        assert!(text.contains(item["station"].as_str().expect("text")));
    }
    for cards in known.boxes.values() {
        for c in cards {
            assert!(!text.contains(&c.card.grouped()), "no card id on the pull list");
        }
    }
    // An existing PDF is never overwritten; the workspace stays as it was.
    refused(
        &known,
        &["sample", s(&known.workspace), "--size", "9", "--pdf", s(&pdf)],
        &pass(),
        "file_exists",
    );
}

#[test]
fn phantoms_and_zombies_count_as_the_worst_case() {
    let known = known();
    let first = sample(&known, Some(6));
    let items = first["positions"].as_array().expect("positions").clone();
    let ws = s(&known.workspace);
    // No card at the first position: a phantom.
    let mut args: Vec<String> = vec!["record".into(), ws.into()];
    args.extend(record_args(&items[0]));
    args.push("--no-card".into());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (ok, out) = rla(&refs, &pass());
    assert!(ok, "{out}");
    assert_eq!(out["found"], "phantom");
    assert!(
        out["discrepancies"]
            .as_array()
            .expect("value")
            .iter()
            .all(|d| d["class"] == 2),
        "{out}"
    );
    // A spoiled card found in the box: a zombie, whatever it says.
    let out = record(&known, &items[1], &card(9, 999), "alvarez", "yes");
    assert_eq!(out["found"], "zombie");
    assert!(
        out["discrepancies"]
            .as_array()
            .expect("value")
            .iter()
            .all(|d| d["class"] == 2),
        "{out}"
    );
    // The same card cannot be in two places.
    let paper = at(&known, &items[2]).clone();
    record(&known, &items[2], &paper.card, paper.mayor, paper.bond);
    let mut args: Vec<String> = vec!["record".into(), ws.into()];
    args.extend(record_args(&items[3]));
    args.extend([
        "--card".into(),
        paper.card.grouped(),
        "--choice".into(),
        format!("mayor={}", paper.mayor),
        "--choice".into(),
        format!("library-bond={}", paper.bond),
    ]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    refused(&known, &refs, &pass(), "rla_not_in_sample");
    // A position already recorded is not recorded again.
    let mut args: Vec<String> = vec!["record".into(), ws.into()];
    args.extend(record_args(&items[0]));
    args.push("--no-card".into());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    refused(&known, &refs, &pass(), "invalid_input");
    let now = status(&known);
    // Two-vote overstatements: one per draw of the phantom's and the
    // zombie's positions (a position drawn twice counts twice).
    let drawn = |item: &Value| item["draws"].as_array().expect("draws").len() as u64;
    assert_eq!(
        now["contests"][0]["overstatements"][1].as_u64(),
        Some(drawn(&items[0]) + drawn(&items[1])),
        "{now}"
    );
}

// ------------------------------------------------- a station day with cards

/// A cast card in a box: its id, its QR text, and the ballot printed on it.
struct CastCard {
    card: CardId,
    qr: String,
    mayor: String,
    bond: String,
}

/// A closed, counted, exported station day with ballot cards: 30 voters
/// (one of whom spoiled a card first), hand-counted into boxes A (18) and
/// B (12) in cast order; the office's key ceremony beside it.
struct Day {
    fx: crate::support::Fixture,
    result: PathBuf,
    manifest: PathBuf,
    keys: PathBuf,
    boxes: BTreeMap<String, Vec<CastCard>>,
    spoiled: CardId,
}

fn station_day() -> Day {
    use crate::support::*;
    use votekiosk::station::BoxCount;
    let mut value = definition_value();
    value["cards"] = serde_json::json!({"enabled": true});
    let def =
        votekiosk::ElectionDefinition::parse(value.to_string().as_bytes()).expect("definition with cards");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("station.vks");
    let clock = std::sync::Arc::new(votekiosk::ManualClock::new(election_noon()));
    let mut station = votekiosk::Station::create(
        &path,
        &def,
        STATION_ID,
        PASSPHRASE,
        ADMIN,
        ADMIN_PASSWORD,
        votekiosk::Options {
            clock: clock.clone(),
            rng: Box::new(rand::rngs::StdRng::seed_from_u64(1414)),
            printer: Some(std::sync::Arc::new(Paper::default())),
        },
    )
    .expect("create");
    let admin = station.login(ADMIN, ADMIN_PASSWORD).expect("admin");
    station
        .add_official(&admin, WORKER, votekiosk::Role::PollWorker, WORKER_PASSWORD)
        .expect("worker");
    let mut fx = Fixture {
        dir,
        path,
        clock,
        station,
        slips: Vec::new(),
    };
    fx.open();
    let codes = fx.codes(30);
    let mut cast = Vec::new();
    let mut spoiled = None;
    for (i, code) in codes.iter().enumerate() {
        let mayor = if i % 10 < 7 { "alvarez" } else { "brooks" };
        let bond = if i % 5 == 4 { "no" } else { "yes" };
        let ballot = sel(&[("mayor", &[mayor]), ("library-bond", &[bond])]);
        if i == 0 {
            // The first voter finds the card wrong once: spoiled, reprinted.
            let wrong = fx.station.print_card(code, &ballot).expect("print");
            fx.station.spoil_card(code).expect("spoil");
            spoiled = Some(wrong.card);
        }
        let printed = fx.station.print_card(code, &ballot).expect("print");
        fx.station.cast_ballot(code, &ballot, &key_for(i)).expect("cast");
        cast.push(CastCard {
            card: printed.card,
            qr: printed.qr,
            mayor: mayor.into(),
            bond: bond.into(),
        });
    }
    let w = fx.worker();
    fx.station.close_polls(&w).expect("close");
    fx.station
        .record_hand_count(
            &w,
            &[
                BoxCount {
                    box_id: "A".into(),
                    cards: 18,
                },
                BoxCount {
                    box_id: "B".into(),
                    cards: 12,
                },
            ],
        )
        .expect("hand count");
    fx.count();
    let w = fx.worker();
    let export = fx.station.export(&w, false, "results.jsonl").expect("export");
    let usb = fx.dir.path().join("usb");
    std::fs::create_dir(&usb).expect("usb");
    let written =
        votekiosk::export::write_files(&usb.join("results.jsonl"), &export, fx.station.definition())
            .expect("write");
    let keys = fx.dir.path().join("office");
    crate::merge::fixture_ceremony(&keys);
    let mut boxes = BTreeMap::new();
    let b = cast.split_off(18);
    boxes.insert("A".to_string(), cast);
    boxes.insert("B".to_string(), b);
    Day {
        result: written.result,
        manifest: written.manifest.expect("a manifest beside the result"),
        keys,
        boxes,
        spoiled: spoiled.expect("spoiled"),
        fx,
    }
}

fn station_key(day: &Day) -> String {
    hex::encode(day.fx.station.public_key().expect("key"))
}

/// `rla start` on the day, with two trustees' shares; stdin: their
/// passphrases, then the new audit passphrase.
fn start_day(day: &Day, manifest: &Path, out: &Path) -> (bool, Value) {
    let shares = [
        crate::merge::share(&day.keys, 1),
        crate::merge::share(&day.keys, 2),
    ];
    let key = station_key(day);
    let stdin = format!(
        "{}\n{}\n{AUDIT_PASSPHRASE}\n",
        crate::merge::PASSPHRASES[0],
        crate::merge::PASSPHRASES[1]
    );
    rla(
        &[
            "start",
            "--result",
            s(&day.result),
            "--public-key",
            &key,
            "--manifest",
            s(manifest),
            "--share",
            s(&shares[0]),
            "--share",
            s(&shares[1]),
            "--seed",
            SEED,
            "--contest",
            "mayor",
            "--contest",
            "library-bond",
            "--out",
            s(out),
        ],
        &stdin,
    )
}

#[test]
fn a_station_day_with_cards_audited_from_its_export_completes_when_the_paper_agrees() {
    let day = station_day();
    let ws = day.fx.dir.path().join("audit.vkrla");
    let (ok, started) = start_day(&day, &day.manifest, &ws);
    assert!(ok, "{started}");
    assert_eq!(started["cards"], 30);
    assert_eq!(started["records"], 30);
    // The workspace holds no card id in clear.
    let text = std::fs::read_to_string(&ws).expect("workspace");
    for c in day.boxes.values().flatten() {
        assert!(!text.contains(&c.card.grouped()), "no card id in clear");
    }
    let (ok, plan) = rla(&["plan", s(&ws)], "");
    assert!(ok, "{plan}");
    assert_eq!(plan["contests"][0]["winners"], serde_json::json!(["alvarez"]));
    let (ok, first) = rla(&["sample", s(&ws)], &pass());
    assert!(ok, "{first}");
    let items = first["positions"].as_array().expect("positions").clone();
    for (i, item) in items.iter().enumerate() {
        let b = item["box"].as_str().expect("box");
        let p = item["position"].as_u64().expect("position") as usize;
        let paper = &day.boxes[b][p - 1];
        let mut args: Vec<String> = vec!["record".into(), s(&ws).into()];
        args.extend(record_args(item));
        if i == 0 {
            // Scanned: the QR alone records nothing until the board
            // confirms the printed text.
            let before = std::fs::read(&ws).expect("read");
            let mut scan = args.clone();
            scan.extend(["--qr".into(), paper.qr.clone()]);
            let refs: Vec<&str> = scan.iter().map(String::as_str).collect();
            let (ok, shown) = rla(&refs, &pass());
            assert!(!ok, "{shown}");
            assert_eq!(shown["recorded"], false);
            assert_eq!(
                shown["card_text_to_confirm"]["mayor"],
                serde_json::json!([paper.mayor])
            );
            assert_eq!(std::fs::read(&ws).expect("read"), before);
            scan.push("--confirm-text".into());
            let refs: Vec<&str> = scan.iter().map(String::as_str).collect();
            let (ok, out) = rla(&refs, &pass());
            assert!(ok, "{out}");
            assert_eq!(out["found"], "matched", "{out}");
            continue;
        }
        args.extend([
            "--card".into(),
            paper.card.grouped(),
            "--choice".into(),
            format!("mayor={}", paper.mayor),
            "--choice".into(),
            format!("library-bond={}", paper.bond),
        ]);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (ok, out) = rla(&refs, &pass());
        assert!(ok, "{out}");
        assert_eq!(out["found"], "matched", "{out}");
        assert!(
            out["discrepancies"]
                .as_array()
                .expect("value")
                .iter()
                .all(|d| d["class"] == 0),
            "{out}"
        );
    }
    let (ok, done) = rla(&["status", s(&ws)], "");
    assert!(ok);
    assert_eq!(done["state"], "complete", "{done}");
    let _ = day.spoiled;
}

#[test]
fn a_manifest_sealed_to_another_office_key_is_refused_and_nothing_is_written() {
    use votekiosk::crypto::seal::SealKeyPair;
    use votekiosk::export::manifest::{open_manifest, write_manifest, ManifestContent};
    use votekiosk::seal::Scope;
    let mut day = station_day();
    // The station's own key signs a manifest sealed to a second office key
    // (a station set up for another office): genuine, and unreadable here.
    let station_pk = day.fx.station.public_key().expect("key");
    let signing = day.fx.while_closed(crate::export::signing_key_of);
    let mut office_secret = [0u8; 32];
    hex::decode_to_slice(crate::support::OFFICE_ENCRYPTION_SECRET, &mut office_secret).expect("hex");
    let bytes = std::fs::read(&day.manifest).expect("manifest");
    let opened = open_manifest(&bytes, &station_pk, &SealKeyPair::derive(&office_secret)).expect("open");
    let other_office = SealKeyPair::derive(&[3u8; 32]).public();
    let scope = Scope {
        definition_hash: opened.definition_hash,
        station_id: opened.station_id.clone(),
        station_public_key: opened.station_public_key,
        test: false,
    };
    let forged = write_manifest(
        ManifestContent {
            scope: &scope,
            counted_by: "station",
            records_sha512: opened.records_sha512,
            boxes: opened.boxes.clone(),
            cards: opened.cards.clone(),
            spoiled: opened.spoiled.clone(),
            office_public_key: other_office,
        },
        &signing,
        &mut rand::rngs::StdRng::seed_from_u64(3),
    )
    .expect("manifest");
    let path = day.fx.dir.path().join("other-office.audit");
    std::fs::write(&path, forged).expect("write");
    let ws = day.fx.dir.path().join("audit.vkrla");
    let (ok, out) = start_day(&day, &path, &ws);
    assert!(!ok);
    assert_eq!(out["error"]["code"], "manifest_refused", "{out}");
    assert!(
        out["error"]["message"]
            .as_str()
            .expect("value")
            .contains("not to this office key"),
        "{out}"
    );
    assert!(!ws.exists(), "no workspace is written");
    // A manifest of the same election that is not this result's (one card
    // fewer) is refused too.
    let mut fewer = opened.cards.clone();
    fewer.pop();
    let short = write_manifest(
        ManifestContent {
            scope: &scope,
            counted_by: "station",
            records_sha512: opened.records_sha512,
            boxes: opened.boxes.clone(),
            cards: fewer,
            spoiled: opened.spoiled.clone(),
            office_public_key: SealKeyPair::derive(&office_secret).public(),
        },
        &signing,
        &mut rand::rngs::StdRng::seed_from_u64(4),
    )
    .expect("manifest");
    std::fs::write(&path, short).expect("write");
    let (ok, out) = start_day(&day, &path, &ws);
    assert!(!ok, "{out}");
    assert!(!ws.exists(), "no workspace is written");
}
