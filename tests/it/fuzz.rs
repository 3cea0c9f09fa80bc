//! Bounded fuzzing (proptest, stable Rust) of everything that reads outside
//! input: the definition parser and validator, the voter-code parser, the
//! receipt payload parser, the v2 result verifier (mutated real exports)
//! and the merge. Each target must never panic, never hang, and never accept an
//! invalid input.
//!
//! In CI each target runs a fixed number of cases (its own, from 4,096 for
//! the export verifier and the merge to 65,536 for the code and receipt
//! parsers, a few seconds each; `VOTEKIOSK_FUZZ_CASES` sets them all) from
//! fixed seeds, in batches of 64 with seeds `VOTEKIOSK_FUZZ_SEED` (default
//! 0), +1, +2...: the same inputs on every run, so the suite's outcome
//! never depends on the draw or on the machine's speed. To search for
//! new failures, give a time budget and a fresh seed, e.g.
//! `VOTEKIOSK_FUZZ_SECS=600 VOTEKIOSK_FUZZ_SEED=random` (at most 200,000
//! cases per target). A failure is shrunk and printed as its minimal input
//! with its batch's seed, to be kept in `regressions` below.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use serde_json::{json, Value};
use votekiosk::export::merge::{merge, MergeSettings};
use votekiosk::export::verify::{verify_bytes, Anchor, Discard, Options};

use crate::export::{office_key, resign, signing_key_of, Trusted};
use votekiosk::{receipt, ElectionDefinition, Error, ReceiptId, VoterCode};

use crate::support::*;

const BATCH: u32 = 64;
const MAX_CASES: u64 = 200_000;
/// The most CPU time any one input may take: far above what any input
/// needs (milliseconds), so only a hang or a blow-up reaches it. CPU time
/// of the fuzzing thread, not wall time, so a loaded machine cannot fail it.
const SLOW: Duration = Duration::from_secs(5);

/// What a fuzz run covers: a number of cases, or a time budget.
enum Budget {
    Cases(u64),
    Time(Duration),
}

/// `cases` (the target's own count), unless the environment says otherwise.
fn budget(cases: u64) -> Budget {
    let env = |name| std::env::var(name).ok().and_then(|v| v.parse().ok());
    match (env("VOTEKIOSK_FUZZ_SECS"), env("VOTEKIOSK_FUZZ_CASES")) {
        (Some(secs), _) => Budget::Time(Duration::from_secs(secs)),
        (None, n) => Budget::Cases(n.unwrap_or(cases).min(MAX_CASES)),
    }
}

/// The first batch's seed: `VOTEKIOSK_FUZZ_SEED`, a number or `random`.
fn first_seed() -> u64 {
    match std::env::var("VOTEKIOSK_FUZZ_SEED").ok().as_deref() {
        None | Some("") => 0,
        Some("random") => rand::random(),
        Some(v) => v.parse().expect("VOTEKIOSK_FUZZ_SEED: a number or `random`"),
    }
}

/// CPU time used by the calling thread so far (Linux; wall time elsewhere).
fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the command name (which may hold spaces): state is
    // field 3, utime and stime are fields 14 and 15, in clock ticks.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on every Linux architecture Rust supports.
    Some(Duration::from_millis(ticks * 10))
}

/// Runs `test` on `cases` inputs from `strategy` (or the budget the
/// environment gives).
fn fuzz<S>(name: &str, cases: u64, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S: Strategy,
    S::Value: std::fmt::Debug,
{
    let started = Instant::now();
    let budget = budget(cases);
    let seed = first_seed();
    let timed = |value: S::Value| {
        let (t, cpu) = (Instant::now(), thread_cpu_time());
        let result = test(value);
        let took = match (cpu, thread_cpu_time()) {
            (Some(a), Some(b)) => b.saturating_sub(a),
            _ => t.elapsed(),
        };
        prop_assert!(took < SLOW, "one input took {:?} of CPU time", took);
        result
    };
    let mut run = 0u64;
    for batch in 0.. {
        let more = match budget {
            Budget::Cases(n) => run < n,
            Budget::Time(d) => started.elapsed() < d && run < MAX_CASES,
        };
        if !more {
            break;
        }
        let batch_seed = seed.wrapping_add(batch);
        let mut runner = TestRunner::new(Config {
            cases: BATCH,
            failure_persistence: None,
            max_shrink_time: 20_000,
            rng_seed: RngSeed::Fixed(batch_seed),
            ..Config::default()
        });
        if let Err(e) = runner.run(&strategy, timed) {
            panic!(
                "fuzz {name}: {e}\n(replay: VOTEKIOSK_FUZZ_SEED={batch_seed} VOTEKIOSK_FUZZ_CASES={BATCH})"
            );
        }
        run += u64::from(BATCH);
    }
    eprintln!(
        "fuzz {name}: {run} cases from seed {seed} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

// ---- mutations -------------------------------------------------------------

/// One byte-level edit at a relative position.
#[derive(Debug, Clone)]
enum ByteEdit {
    Flip(Index, u8),
    Set(Index, u8),
    Insert(Index, u8),
    Delete(Index, usize),
    Truncate(Index),
    Splice(Index, Index, usize),
}

fn byte_edits() -> impl Strategy<Value = Vec<ByteEdit>> {
    let edit = prop_oneof![
        (any::<Index>(), 1u8..=255).prop_map(|(i, b)| ByteEdit::Flip(i, b)),
        (
            any::<Index>(),
            prop::sample::select(b"{}[]\",:0123456789-eE. \\nulltrue".to_vec())
        )
            .prop_map(|(i, b)| ByteEdit::Set(i, b)),
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| ByteEdit::Insert(i, b)),
        (any::<Index>(), 1usize..64).prop_map(|(i, n)| ByteEdit::Delete(i, n)),
        any::<Index>().prop_map(ByteEdit::Truncate),
        (any::<Index>(), any::<Index>(), 1usize..200).prop_map(|(a, b, n)| ByteEdit::Splice(a, b, n)),
    ];
    prop::collection::vec(edit, 1..4)
}

fn apply_bytes(original: &[u8], edits: &[ByteEdit]) -> Vec<u8> {
    let mut b = original.to_vec();
    for e in edits {
        if b.is_empty() {
            break;
        }
        match e {
            ByteEdit::Flip(i, x) => {
                let i = i.index(b.len());
                b[i] ^= x;
            }
            ByteEdit::Set(i, x) => {
                let i = i.index(b.len());
                b[i] = *x;
            }
            ByteEdit::Insert(i, x) => {
                let i = i.index(b.len() + 1);
                b.insert(i, *x);
            }
            ByteEdit::Delete(i, n) => {
                let i = i.index(b.len());
                let end = (i + n).min(b.len());
                b.drain(i..end);
            }
            ByteEdit::Truncate(i) => {
                let i = i.index(b.len());
                b.truncate(i);
            }
            ByteEdit::Splice(from, to, n) => {
                // Copy a span of the document over another place: plausible
                // JSON in the wrong spot.
                let from = from.index(b.len());
                let end = (from + n).min(b.len());
                let span = b[from..end].to_vec();
                let to = to.index(b.len());
                b.splice(to..(to + span.len()).min(b.len()), span);
            }
        }
    }
    b
}

/// One structural edit of a JSON document.
#[derive(Debug, Clone)]
enum JsonEdit {
    Replace(Index, Value),
    Remove(Index),
    Duplicate(Index),
    Swap(Index, Index),
}

fn small_string() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "",
            " ",
            "yes",
            "no",
            "en",
            "fr",
            "write-in",
            "write-in:",
            "write-in:Zed",
            "alvarez",
            "mayor",
            "votekiosk/1",
            "votekiosk/2",
            "station_id",
            "votekiosk-result/1",
            "votekiosk-merge/1",
            "2026-11-03",
            "2026-11-03T07:00:00-05:00",
            "0000",
            "ffffffffffffffff",
            "candidate",
            "ranked",
            "yesno",
            "approval",
            "hmac-sha256",
            "ed25519",
            "\u{0}",
            "\u{202e}",
            "é",
        ])
        .prop_map(str::to_string),
        prop::collection::vec(any::<char>(), 0..12).prop_map(|v| v.into_iter().collect()),
    ]
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (0u64..6).prop_map(|n| json!(n)),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        Just(json!(1.5)),
        Just(json!(-1)),
        small_string().prop_map(Value::String),
        Just(json!([])),
        Just(json!({})),
        Just(json!([["x"]])),
    ]
}

fn json_edits() -> impl Strategy<Value = Vec<JsonEdit>> {
    let edit = prop_oneof![
        4 => (any::<Index>(), json_leaf()).prop_map(|(i, v)| JsonEdit::Replace(i, v)),
        2 => any::<Index>().prop_map(JsonEdit::Remove),
        1 => any::<Index>().prop_map(JsonEdit::Duplicate),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| JsonEdit::Swap(a, b)),
    ];
    prop::collection::vec(edit, 1..4)
}

/// Every node's JSON pointer (the root excluded).
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                pointers(child, p, out);
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                pointers(child, p, out);
            }
        }
        _ => {}
    }
}

fn split_pointer(p: &str) -> (&str, String) {
    let (parent, last) = p.rsplit_once('/').expect("a pointer below the root");
    (parent, last.replace("~1", "/").replace("~0", "~"))
}

fn apply_json(original: &Value, edits: &[JsonEdit]) -> Value {
    let mut doc = original.clone();
    for e in edits {
        let mut all = Vec::new();
        pointers(&doc, String::new(), &mut all);
        if all.is_empty() {
            break;
        }
        match e {
            JsonEdit::Replace(i, v) => {
                if let Some(node) = doc.pointer_mut(&all[i.index(all.len())]) {
                    *node = v.clone();
                }
            }
            JsonEdit::Remove(i) | JsonEdit::Duplicate(i) => {
                let (parent, last) = split_pointer(&all[i.index(all.len())]);
                let duplicate = matches!(e, JsonEdit::Duplicate(_));
                match doc.pointer_mut(parent) {
                    Some(Value::Object(m)) if !duplicate => {
                        m.remove(&last);
                    }
                    Some(Value::Array(a)) => {
                        let k: usize = last.parse().expect("index");
                        if duplicate {
                            let copy = a[k].clone();
                            a.insert(k, copy);
                        } else {
                            a.remove(k);
                        }
                    }
                    _ => {}
                }
            }
            JsonEdit::Swap(a, b) => {
                let (pa, pb) = (&all[a.index(all.len())], &all[b.index(all.len())]);
                if pa.starts_with(pb.as_str()) || pb.starts_with(pa.as_str()) {
                    continue;
                }
                let va = doc.pointer(pa).cloned();
                let vb = doc.pointer(pb).cloned();
                if let (Some(va), Some(vb)) = (va, vb) {
                    *doc.pointer_mut(pa).expect("a") = vb;
                    *doc.pointer_mut(pb).expect("b") = va;
                }
            }
        }
    }
    doc
}

// ---- the definition ---------------------------------------------------------

const DEMO: &[u8] = include_bytes!("../../examples/demo-election.json");

/// What every accepted definition must satisfy, checked independently.
fn check_accepted(def: &ElectionDefinition) -> Result<(), TestCaseError> {
    let again = ElectionDefinition::parse(def.canonical_json().as_bytes())
        .map_err(|e| TestCaseError::fail(format!("the canonical form is refused: {e}")))?;
    prop_assert_eq!(
        again.hash(),
        def.hash(),
        "the canonical form re-hashes differently"
    );
    prop_assert_eq!(again.canonical_json(), def.canonical_json());
    prop_assert!(!def.contests.is_empty() && def.contests.len() <= 200);
    prop_assert!(!def.languages.is_empty() && def.languages.len() <= 30);
    prop_assert_eq!(
        def.demo,
        def.office.encryption.public_key == votekiosk::definition::TEST_PUBLIC_KEY,
        "demo is true exactly on the published test key"
    );
    prop_assert!(def.cards.max_spoils_per_code <= votekiosk::definition::MAX_SPOILS_PER_CODE);
    prop_assert!(def.opens < def.closes, "the window is empty");
    let canonical: Value = serde_json::from_str(def.canonical_json()).expect("canonical JSON");
    prop_assert_eq!(&canonical["format"], &json!("votekiosk/2"));
    prop_assert_eq!(
        &canonical["office"]["encryption"]["fingerprint"],
        &json!(def.office.encryption.fingerprint())
    );
    prop_assert!(canonical.get("station_id").is_none() && canonical.get("demo") != Some(&json!(false)));
    Ok(())
}

#[test]
fn fuzz_the_definition_parser() {
    let original: Value = serde_json::from_slice(DEMO).expect("demo JSON");
    let input = prop_oneof![
        3 => byte_edits().prop_map(|e| apply_bytes(DEMO, &e)),
        4 => json_edits().prop_map(move |e| serde_json::to_vec(&apply_json(&original, &e)).expect("json")),
        1 => prop::collection::vec(any::<u8>(), 0..256),
    ];
    fuzz("definition", 16_384, input, |bytes| {
        if let Ok(def) = ElectionDefinition::parse(&bytes) {
            check_accepted(&def)?;
        }
        Ok(())
    });
}

// ---- voter codes and receipts ------------------------------------------------

const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fn symbol_value(c: u8) -> Option<usize> {
    let c = match c.to_ascii_uppercase() {
        b'O' => b'0',
        b'I' | b'L' => b'1',
        c => c,
    };
    ALPHABET.iter().position(|&a| a == c)
}

#[derive(Debug, Clone)]
enum TextEdit {
    Replace(Index, char),
    Insert(Index, char),
    Delete(Index),
    SwapNext(Index),
    Case,
}

fn text_edits() -> impl Strategy<Value = Vec<TextEdit>> {
    let ch = prop_oneof![
        prop::sample::select(
            "0123456789ABCDEFGHJKMNPQRSTVWXYZabcdefxyzOoIiLlUu-: #/\t\u{0}é"
                .chars()
                .collect::<Vec<_>>()
        ),
        any::<char>(),
    ];
    let edit = prop_oneof![
        (any::<Index>(), ch.clone()).prop_map(|(i, c)| TextEdit::Replace(i, c)),
        (any::<Index>(), ch).prop_map(|(i, c)| TextEdit::Insert(i, c)),
        any::<Index>().prop_map(TextEdit::Delete),
        any::<Index>().prop_map(TextEdit::SwapNext),
        Just(TextEdit::Case),
    ];
    prop::collection::vec(edit, 0..4)
}

fn apply_text(original: &str, edits: &[TextEdit]) -> String {
    let mut c: Vec<char> = original.chars().collect();
    for e in edits {
        match e {
            TextEdit::Replace(i, x) if !c.is_empty() => {
                let i = i.index(c.len());
                c[i] = *x;
            }
            TextEdit::Insert(i, x) => {
                let i = i.index(c.len() + 1);
                c.insert(i, *x);
            }
            TextEdit::Delete(i) if !c.is_empty() => {
                let i = i.index(c.len());
                c.remove(i);
            }
            TextEdit::SwapNext(i) if c.len() > 1 => {
                let i = i.index(c.len() - 1);
                c.swap(i, i + 1);
            }
            TextEdit::Case => c = c.iter().flat_map(|x| x.to_lowercase()).collect(),
            _ => {}
        }
    }
    c.into_iter().collect()
}

#[test]
fn fuzz_the_voter_code_parser() {
    let input = (
        any::<u64>(),
        text_edits(),
        any::<bool>(),
        any::<Index>(),
        any::<u8>(),
    );
    fuzz("voter code", 65_536, input, |(seed, edits, qr, pos, sym)| {
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(seed);
        let code = VoterCode::random(&mut rng);
        let text = if qr { code.qr_payload() } else { code.display() };
        // Any text at all: never a panic; what is accepted is a valid code.
        if let Ok(c) = VoterCode::parse(&apply_text(&text, &edits)) {
            let canonical = c.canonical();
            prop_assert_eq!(canonical.len(), 13);
            prop_assert!(canonical.bytes().all(|b| ALPHABET.contains(&b)));
            let again = VoterCode::parse(canonical).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(again.canonical(), canonical);
            let shown = VoterCode::parse(&c.display())
                .map(|x| x.canonical().to_string())
                .ok();
            prop_assert_eq!(shown.as_deref(), Some(canonical));
        }
        // One wrong symbol is never read as another valid code.
        let canonical = code.canonical().as_bytes().to_vec();
        let i = pos.index(canonical.len());
        let mut typo = canonical.clone();
        typo[i] = ALPHABET[sym as usize % 32];
        let parsed = VoterCode::parse(std::str::from_utf8(&typo).expect("ascii"));
        if typo == canonical {
            prop_assert!(parsed.is_ok());
        } else {
            prop_assert!(
                matches!(parsed, Err(Error::CodeTypo)),
                "substitution at {} accepted",
                i
            );
        }
        // Nor is a swap of two neighbours, except 0 and Z (documented).
        if i + 1 < canonical.len() && canonical[i] != canonical[i + 1] {
            let mut swapped = canonical.clone();
            swapped.swap(i, i + 1);
            let pair = [canonical[i], canonical[i + 1]];
            if pair != *b"0Z" && pair != *b"Z0" {
                let parsed = VoterCode::parse(std::str::from_utf8(&swapped).expect("ascii"));
                prop_assert!(matches!(parsed, Err(Error::CodeTypo)), "swap at {} accepted", i);
            }
        }
        Ok(())
    });
}

#[test]
fn fuzz_the_receipt_payload_parser() {
    let hash = definition().hash();
    let input = (any::<u64>(), 0u8..4, text_edits());
    fuzz("receipt payload", 65_536, input, move |(seed, form, edits)| {
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(seed);
        let id = ReceiptId::random(&mut rng);
        let text = match form {
            0 => id.as_str().to_string(),
            1 => id.payload(hash, None),
            2 => id.payload(hash, Some("https://example.org/verify")),
            _ => format!("{}#{}", id.payload(hash, Some("ftp://x")), id.as_str()),
        };
        let mutated = apply_text(&text, &edits);
        if let Ok(p) = receipt::parse(&mutated) {
            let s = p.id.as_str();
            prop_assert_eq!(s.len(), 19, "receipt id {:?}", s);
            for (k, b) in s.bytes().enumerate() {
                if k % 5 == 4 {
                    prop_assert_eq!(b, b'-');
                } else {
                    prop_assert!(ALPHABET.contains(&b), "receipt id {:?}", s);
                }
            }
            let again = ReceiptId::parse(s).ok();
            prop_assert_eq!(again.as_ref(), Some(&p.id));
            if let Some(short) = &p.definition_short {
                prop_assert!(
                    short.len() == 16
                        && short
                            .bytes()
                            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
                );
            }
            // The symbols read are the symbols typed, in order.
            let typed: Vec<usize> = mutated
                .rsplit(['#', ':'])
                .next()
                .unwrap_or("")
                .bytes()
                .filter_map(symbol_value)
                .collect();
            let read: Vec<usize> = s.bytes().filter_map(symbol_value).collect();
            prop_assert_eq!(typed, read);
        }
        Ok(())
    });
}

// ---- exports and the merge ----------------------------------------------------

struct Exports {
    a: Vec<u8>,
    b: Vec<u8>,
    trusted: Trusted,
}

/// Two closed stations of one election (the second named RIVERSIDE-02),
/// three ballots each, exported (seeded: the same bytes on every run, so
/// the same mutations too), and the office's trusted keys for both.
fn exports() -> &'static Exports {
    static EXPORTS: OnceLock<Exports> = OnceLock::new();
    EXPORTS.get_or_init(|| {
        let export = |seed: u64, ballots: &[SelectionsInputOwned]| {
            let mut fx = Fixture::seeded(seed);
            fx.open();
            let codes = fx.codes(ballots.len() + 1);
            for (i, (code, b)) in codes.iter().zip(ballots).enumerate() {
                fx.station.cast_ballot(code, b, &key_for(i)).expect("cast");
            }
            let w = fx.worker();
            fx.station.close_polls(&w).expect("close");
            fx.count();
            let w = fx.worker();
            let bytes = fx.station.export(&w, false, "r.jsonl").expect("export").result;
            (bytes, signing_key_of(&fx.path), fx.station.definition().hash().0)
        };
        let blankish = sel(&[("library-bond", &["no"]), ("school-board", &["kim"])]);
        let write_in = sel(&[("mayor", &["write-in:Zed Zee"]), ("parks-board", &["hill"])]);
        let (a, ka, hash) = export(1, &[full_ballot(), blankish.clone(), write_in.clone()]);
        let (b, kb, _) = export(2, &[write_in, full_ballot(), blankish]);
        let b = resign(&b, &kb, |h| {
            h["station"]["id"] = "RIVERSIDE-02".into();
            h["result"]["station_id"] = "RIVERSIDE-02".into();
        });
        let trusted = Trusted {
            hash,
            stations: [
                ("RIVERSIDE-01".to_string(), ka.verifying_key().to_bytes()),
                ("RIVERSIDE-02".to_string(), kb.verifying_key().to_bytes()),
            ]
            .into(),
        };
        Exports { a, b, trusted }
    })
}

type SelectionsInputOwned = votekiosk::SelectionsInput;

#[derive(Debug, Clone)]
enum Mutation {
    Bytes(Vec<ByteEdit>),
    /// JSON edits of the header line, written back canonically.
    Json(Vec<JsonEdit>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        byte_edits().prop_map(Mutation::Bytes),
        json_edits().prop_map(Mutation::Json),
    ]
}

fn mutate(bytes: &[u8], m: &Mutation) -> Vec<u8> {
    match m {
        Mutation::Bytes(e) => apply_bytes(bytes, e),
        Mutation::Json(e) => {
            let end = bytes.iter().position(|&b| b == b'\n').expect("a header line");
            let v: Value = serde_json::from_slice(&bytes[..end]).expect("header JSON");
            let header = votekiosk::canonical::to_canonical_string(&apply_json(&v, e));
            [header.as_bytes(), &bytes[end..]].concat()
        }
    }
}

fn anchored(ex: &Exports) -> Options<'_> {
    Options {
        anchor: Anchor::Trusted(&ex.trusted),
        ..Options::default()
    }
}

#[test]
fn fuzz_the_export_verifier() {
    let ex = exports();
    let report = verify_bytes(&ex.a, &anchored(ex), &mut Discard);
    assert!(
        report.passed(),
        "the unmutated export verifies: {:?}",
        report.failures
    );
    fuzz("export verifier", 4_096, mutation(), |m| {
        let bytes = mutate(&ex.a, &m);
        let report = verify_bytes(&bytes, &anchored(ex), &mut Discard);
        if report.passed() {
            // One spelling per content: only the very same bytes pass.
            prop_assert!(bytes == ex.a, "a changed export verified");
        }
        Ok(())
    });
}

#[test]
fn fuzz_the_merge() {
    let ex = exports();
    let office = office_key();
    let settings = MergeSettings {
        trusted: &ex.trusted,
        signing: &office,
        merged_at: "2026-11-04T08:00:00.000Z".into(),
        software: votekiosk::export::software(),
    };
    let pin = Options {
        definition_hash: Some(ex.trusted.hash),
        ..Options::default()
    };
    let dir = tempfile::tempdir().expect("tmp");
    let input = prop::collection::vec((any::<bool>(), prop::option::weighted(0.5, mutation())), 1..4);
    fuzz("merge", 1_024, input, |picks| {
        let inputs: Vec<Vec<u8>> = picks
            .iter()
            .map(|(b, m)| {
                let original = if *b { &ex.b } else { &ex.a };
                match m {
                    Some(m) => mutate(original, m),
                    None => original.clone(),
                }
            })
            .collect();
        let paths: Vec<std::path::PathBuf> = inputs
            .iter()
            .enumerate()
            .map(|(i, bytes)| {
                let p = dir.path().join(format!("input-{i}.jsonl"));
                std::fs::write(&p, bytes).expect("write");
                p
            })
            .collect();
        if let Ok(out) = merge(&paths, &settings, &mut |_, _, _| {}) {
            let report = verify_bytes(&out, &pin, &mut Discard);
            prop_assert!(
                report.passed(),
                "the merge does not verify: {:?}",
                report.failures
            );
            for i in &inputs {
                prop_assert!(i == &ex.a || i == &ex.b, "a changed input was merged");
            }
            prop_assert!(
                inputs.len() == 1 || inputs[0] != inputs[1],
                "a station was merged twice"
            );
            prop_assert_eq!(report.ballots, 3 * inputs.len() as u64);
        }
        Ok(())
    });
}

// ---- regressions and fixed hostile inputs ---------------------------------------

/// Inputs kept from fuzzing, and hostile shapes a random edit rarely makes.
#[test]
fn regressions() {
    let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n)).into_bytes();
    let deep_object = |n: usize| {
        let mut s = String::new();
        for _ in 0..n {
            s.push_str("{\"a\":");
        }
        s.push('1');
        s.push_str(&"}".repeat(n));
        s.into_bytes()
    };
    for bytes in [
        deep(100_000),
        deep_object(100_000),
        b"".to_vec(),
        b"\xff\xfe".to_vec(),
        b"null".to_vec(),
    ] {
        assert!(ElectionDefinition::parse(&bytes).is_err());
        let ex = exports();
        assert!(!verify_bytes(&bytes, &anchored(ex), &mut Discard).passed());
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("x.jsonl");
        std::fs::write(&path, &bytes).expect("write");
        let office = office_key();
        let settings = MergeSettings {
            trusted: &ex.trusted,
            signing: &office,
            merged_at: "2026-11-04T08:00:00.000Z".into(),
            software: votekiosk::export::software(),
        };
        assert!(merge(&[path], &settings, &mut |_, _, _| {}).is_err());
    }
    let long = "0".repeat(65);
    for text in [
        "",
        "VKC1:",
        "VKC1:VKC1:",
        "-------------",
        "\u{0}",
        long.as_str(),
        "ℵ",
    ] {
        assert!(VoterCode::parse(text).is_err(), "{text:?}");
    }
    let long = "A".repeat(3000);
    for text in [
        "#",
        "https://#",
        "VK1::",
        "::",
        "VK1:0000000000000000:",
        long.as_str(),
    ] {
        assert!(receipt::parse(text).is_err(), "{text:?}");
    }
}
