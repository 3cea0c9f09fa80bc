//! The test vectors of `docs/formats.md`, computed by the code and found in
//! the document, so that neither can drift from the other: write-in names,
//! strict Ed25519, `tie_breaks` and `after_previous_rounds`, the order of
//! winners and write-in names, marking order in records, inclusion paths,
//! and the result file's last byte.

use std::process::Command;

use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use serde_json::{json, Value};
use votekiosk::ballot::normalise_write_in;
use votekiosk::canonical::to_canonical_string;
use votekiosk::export::merkle;
use votekiosk::export::verify::{verify_bytes, Anchor, Discard, Options};
use votekiosk::{Ballot, ElectionDefinition, SelectionsInput};

use crate::support::*;

const FORMATS: &str = include_str!("../../docs/formats.md");

/// Fails unless `docs/formats.md` shows `text` exactly.
fn doc_shows(text: &str) {
    assert!(
        FORMATS.contains(text),
        "docs/formats.md no longer shows this test vector (update the document or the code):\n{text}"
    );
}

/// The write-in names of section 3, as the document lists them: the name
/// as typed (Rust escapes), then what is stored, or `refused`.
const WRITE_INS: &[(&str, &str, Option<&str>)] = &[
    (r#""  Jane   Doe ""#, "  Jane   Doe ", Some("Jane Doe")),
    (r#""Jane\u{a0}Doe""#, "Jane\u{a0}Doe", Some("Jane Doe")),
    (
        r#""Jane\u{2003}\u{3000}Doe""#,
        "Jane\u{2003}\u{3000}Doe",
        Some("Jane Doe"),
    ),
    (r#""Jane\u{2028}Doe""#, "Jane\u{2028}Doe", Some("Jane Doe")),
    (r#""Jane\u{200b}Doe""#, "Jane\u{200b}Doe", Some("Jane\u{200b}Doe")),
    (r#""Jose\u{301}""#, "Jose\u{301}", Some("Jos\u{e9}")),
    (r#""\u{202e}eoD""#, "\u{202e}eoD", Some("\u{202e}eoD")),
    (r#""Jane\tDoe""#, "Jane\tDoe", None),
    (r#""Jane\nDoe""#, "Jane\nDoe", None),
    (r#""Jane\u{85}Doe""#, "Jane\u{85}Doe", None),
    (r#""Jane Doe\u{7f}""#, "Jane Doe\u{7f}", None),
    (r#""\u{a0}\u{3000}""#, "\u{a0}\u{3000}", None),
];

/// Rust's escaped form of a stored name (what the document shows).
fn escaped(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c.to_string()
            } else {
                format!("\\u{{{:x}}}", c as u32)
            }
        })
        .collect()
}

#[test]
fn write_in_names_refuse_control_characters_and_collapse_unicode_whitespace() {
    for (shown, typed, stored) in WRITE_INS {
        let got = normalise_write_in("mayor", typed).ok();
        assert_eq!(got.as_deref(), *stored, "{shown}");
        let row = match stored {
            Some(s) => format!("| `{shown}` | `\"{}\"` |", escaped(s)),
            None => format!("| `{shown}` | refused |"),
        };
        doc_shows(&row);
    }
    // The length limit counts characters after normalisation: 60 é typed
    // as e + combining accent (120 characters) fit; 61 letters do not.
    assert!(normalise_write_in("mayor", &"e\u{301}".repeat(60)).is_ok());
    assert!(normalise_write_in("mayor", &"a".repeat(60)).is_ok());
    assert!(normalise_write_in("mayor", &"a".repeat(61)).is_err());
    doc_shows("counted in characters (Unicode scalar values) after normalisation");
}

/// A signature "by" the identity point: R = identity, S = 0, with the
/// identity as the public key. The cofactorless equation [S]B = R + [k]A
/// holds for every message (0 = 0 + [k]0), so a verifier without the
/// small-order checks accepts it; `verify_strict` and the result verifier
/// refuse it.
#[test]
fn strict_ed25519_refuses_the_identity_key_and_an_identity_r() {
    let identity = {
        let mut b = [0u8; 32];
        b[0] = 1;
        b
    };
    let mut signature = [0u8; 64];
    signature[..32].copy_from_slice(&identity);
    let key_hex = hex::encode(identity);
    let signature_hex = hex::encode(signature);
    doc_shows(&format!("`{key_hex}`"));
    doc_shows(&format!("`{signature_hex}`"));

    let key = VerifyingKey::from_bytes(&identity).expect("the identity is a curve point");
    let sig = Signature::from_bytes(&signature);
    let message = b"any message at all";
    assert!(key.verify(message, &sig).is_ok(), "non-strict Ed25519 accepts it");
    assert!(
        key.verify_strict(message, &sig).is_err(),
        "strict Ed25519 refuses it"
    );

    // The same pair put into a real export (the header names the identity
    // key, the signature line holds it and the identity R): the verifier
    // refuses it, for its signature alone, even with that key pinned.
    let text = exported(3).0;
    let mut lines: Vec<&[u8]> = text
        .strip_suffix(b"\n")
        .expect("LF")
        .split(|&b| b == b'\n')
        .collect();
    let mut header: Value = serde_json::from_slice(lines[0]).expect("header JSON");
    header["station"]["public_key"] = json!(key_hex);
    header["station"]["fingerprint"] = json!(votekiosk::export::fingerprint(&identity));
    let header = to_canonical_string(&header);
    let signature =
        to_canonical_string(&json!({"algorithm": "ed25519", "public_key": key_hex, "value": signature_hex}));
    lines[0] = header.as_bytes();
    lines[1] = signature.as_bytes();
    let forged: Vec<u8> = lines
        .iter()
        .flat_map(|l| l.iter().copied().chain([b'\n']))
        .collect();
    let options = Options {
        anchor: Anchor::PublicKey(identity),
        ..Options::default()
    };
    let report = verify_bytes(&forged, &options, &mut Discard);
    let names: Vec<&str> = report.failures.iter().map(|f| f.name()).collect();
    assert_eq!(names, ["signature"], "{:?}", report.failures);
}

/// A closed station (seeded: the same file on every run) with `n` ballots,
/// exported: the result's bytes and the receipts.
fn exported(n: usize) -> (Vec<u8>, Vec<String>, Fixture) {
    let mut fx = Fixture::seeded(7);
    fx.open();
    let receipts = fx.cast_and_close(n, |_| full_ballot());
    fx.count();
    let w = fx.worker();
    let export = fx.station.export(&w, false, "result.jsonl").expect("export");
    (export.result, receipts, fx)
}

#[test]
fn the_result_file_is_canonical_lines_each_ending_in_one_lf() {
    let (bytes, _, fx) = exported(2);
    let text = String::from_utf8(bytes.clone()).expect("UTF-8");
    assert!(text.ends_with('\n') && !text.ends_with("\n\n") && !text.contains('\r'));
    for line in text.strip_suffix('\n').expect("LF").split('\n') {
        let value: Value = serde_json::from_str(line).expect("each line is JSON");
        assert_eq!(line, to_canonical_string(&value), "each line is canonical JSON");
    }
    let key = fx.station.public_key().expect("key");
    let options = Options {
        anchor: Anchor::PublicKey(key),
        ..Options::default()
    };
    assert!(verify_bytes(&bytes, &options, &mut Discard).passed());
    // One spelling per content: a newline added by an editor, or the
    // header pretty-printed, fails.
    let mut extra = bytes.clone();
    extra.push(b'\n');
    assert!(!verify_bytes(&extra, &options, &mut Discard).passed());
    let end = text.find('\n').expect("header");
    let header: Value = serde_json::from_str(&text[..end]).expect("header");
    let pretty = format!(
        "{}{}",
        serde_json::to_string_pretty(&header).expect("pretty"),
        &text[end..]
    );
    assert!(!verify_bytes(pretty.as_bytes(), &options, &mut Discard).passed());
    doc_shows("a trailing newline is required, and a second one is an error");
}

/// The example election of section 9's vectors: one candidate contest
/// (vote for 3, write-ins) and one ranked contest under each tie rule.
const VECTOR_DEFINITION: &str = r#"{"contests":[{"candidates":[{"id":"zeta","name":{"en":"Zeta"}},{"id":"alpha","name":{"en":"Alpha"}},{"id":"mid","name":{"en":"Mid"}}],"id":"board","kind":"candidate","seats":3,"title":{"en":"Board"},"write_ins":true},{"candidates":[{"id":"a","name":{"en":"A"}},{"id":"b","name":{"en":"B"}},{"id":"c","name":{"en":"C"}},{"id":"d","name":{"en":"D"}},{"id":"e","name":{"en":"E"}}],"id":"runoff","kind":"ranked","title":{"en":"Runoff"}},{"candidates":[{"id":"a","name":{"en":"A"}},{"id":"b","name":{"en":"B"}},{"id":"c","name":{"en":"C"}},{"id":"d","name":{"en":"D"}},{"id":"e","name":{"en":"E"}}],"id":"runoff-draw","kind":"ranked","rules":{"tie_break":"draw"},"title":{"en":"Runoff by draw"}}],"date":"2026-11-03","format":"votekiosk/2","languages":[{"code":"en","name":"English"}],"office":{"encryption":{"commitment":"2ed0bc0274d88532333adb94860aac535e60766d11a0800bbb7af8721dc9f115","fingerprint":"175b 30c6 8678 5048 c7fe 3707 5c2e 4023","public_key":"6549e6c27abe90a08c8380456398c22e9a7c25c01713216faa2710c198772532","suite":"x25519-hkdf-sha256/hkdf-sha256/chacha20-poly1305"},"signing":{"commitment":"5a7f777d6e229f137635e7eafcca3cdd0728067c3f136912b4ef89de30383044","fingerprint":"548b 1b5f 6f13 db33 2e58 deb6 854d 692c","public_key":"0ed83111c897c4f7b119d556bb37c73112e2f32d23e09b4aa71ddb7f39a47529"}},"title":{"en":"Format vectors"},"window":{"closes":"2026-11-03T20:00:00Z","opens":"2026-11-03T07:00:00Z"}}"#;

/// The ballots of the vectors: `(board marks, ranking, how many)`.
const VECTOR_BALLOTS: &[(&[&str], &[&str], usize)] = &[
    (&["zeta", "write-in:Zoë", "alpha"], &["a"], 1),
    (&["zeta", "alpha", "write-in:ann"], &["a"], 1),
    (&["zeta", "alpha", "write-in:Ann"], &["a"], 1),
    (&["zeta", "alpha", "write-in:Émile"], &["a"], 1),
    (&["mid"], &["a"], 1),
    (&[], &["a"], 5),
    (&[], &["b"], 4),
    (&[], &["c"], 4),
    (&[], &["d"], 3),
    (&[], &["e", "d"], 1),
];

fn vector_ballots(def: &ElectionDefinition) -> Vec<Ballot> {
    let mut out = Vec::new();
    for (board, ranking, times) in VECTOR_BALLOTS {
        let list = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut input = SelectionsInput::new();
        input.insert("board".into(), list(board));
        input.insert("runoff".into(), list(ranking));
        input.insert("runoff-draw".into(), list(ranking));
        let ballot = Ballot::validate(def, &input).expect("valid ballot");
        out.extend(std::iter::repeat_n(ballot, *times));
    }
    out
}

fn contest(results: &[Value], id: &str) -> Value {
    results
        .iter()
        .find(|c| c["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("no contest {id}"))
}

#[test]
fn the_count_vectors_of_section_9() {
    let def = ElectionDefinition::parse(VECTOR_DEFINITION.as_bytes()).expect("vector definition");
    doc_shows(VECTOR_DEFINITION);
    let hash = def.hash().to_hex();
    eprintln!("vector definition hash {hash}");
    doc_shows(&format!("`{hash}`"));
    let ballots = vector_ballots(&def);
    assert_eq!(ballots.len(), 22);

    // Records keep the voter's marking order.
    let first = ballots[0].to_json();
    assert!(
        first.contains(r#""board":["zeta","write-in:Zoë","alpha"]"#),
        "{first}"
    );
    doc_shows(r#""board":["zeta","write-in:Zoë","alpha"]"#);

    let results: Vec<Value> = votekiosk::tabulate::tabulate(&def, &ballots)
        .iter()
        .map(|c| serde_json::to_value(c).expect("result JSON"))
        .collect();
    let show = |v: &Value| to_canonical_string(v);

    // Equal votes: definition order, the write-in line last; names by
    // votes, then bytewise.
    let board = contest(&results, "board");
    eprintln!("board {}", show(&board));
    for field in ["winners", "tied", "write_ins"] {
        doc_shows(&format!("`\"{field}\":{}`", show(&board[field])));
    }
    assert_eq!(board["winners"], json!(["zeta", "alpha", "write-in"]));
    let names: Vec<&str> = board["write_ins"]["names"]
        .as_array()
        .expect("names")
        .iter()
        .map(|n| n["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["Ann", "Zoë", "ann", "Émile"]);

    // A tie settled by the earlier round is counted in `tie_breaks`.
    let runoff = contest(&results, "runoff");
    eprintln!("runoff {}", show(&runoff));
    assert_eq!(runoff["tie_breaks"], json!(1));
    assert_eq!(runoff["rounds"][1]["tie_break"]["draw"], Value::Null);
    assert_eq!(
        runoff["rounds"][1]["tie_break"]["after_previous_rounds"],
        json!(["d"])
    );
    doc_shows(&format!(
        "`\"tie_break\":{}`",
        show(&runoff["rounds"][1]["tie_break"])
    ));
    doc_shows(&format!("`\"tie_breaks\":{}`", runoff["tie_breaks"]));

    // Under `draw`, nothing is settled by earlier rounds.
    let drawn = contest(&results, "runoff-draw");
    eprintln!("runoff-draw {}", show(&drawn));
    let tb = &drawn["rounds"][1]["tie_break"];
    assert_eq!(tb["after_previous_rounds"], tb["tied"]);
    assert_eq!(drawn["tie_breaks"], json!(1));
    doc_shows(&format!("`\"tie_break\":{}`", show(tb)));
}

#[test]
fn inclusion_paths_name_the_sibling_side_from_a_zero_based_index() {
    // The vector: three receipts, sorted.
    let ids: Vec<String> = [
        "1111-1111-1111-1111",
        "2222-2222-2222-2222",
        "3333-3333-3333-3333",
    ]
    .map(String::from)
    .to_vec();
    let leaves: Vec<[u8; 32]> = ids.iter().map(|r| merkle::leaf_hash(r)).collect();
    let left = merkle::node_hash(&leaves[0], &leaves[1]);
    let root = merkle::root(&ids);
    assert_eq!(root, merkle::node_hash(&left, &leaves[2]));
    for (name, hash) in [
        ("leaf 0", leaves[0]),
        ("leaf 1", leaves[1]),
        ("leaf 2", leaves[2]),
        ("node(leaf 0, leaf 1)", left),
        ("root", root),
    ] {
        eprintln!("{name}: {}", hex::encode(hash));
        doc_shows(&format!("| {name} | `{}` |", hex::encode(hash)));
    }
    let path = merkle::inclusion_path(&ids, 2);
    assert_eq!(path.len(), 1);
    assert_eq!((path[0].sibling, path[0].sibling_on_left), (left, true));
    let path = merkle::inclusion_path(&ids, 0);
    assert_eq!(
        path.iter()
            .map(|s| (s.sibling, s.sibling_on_left))
            .collect::<Vec<_>>(),
        [(leaves[1], false), (leaves[2], false)]
    );

    // What the CLI prints: `index` is the receipt's 0-based position in
    // `receipts.ids`, and each step's `side` is where the sibling sits.
    let (text, receipts, fx) = exported(3);
    let file = fx.dir.path().join("result.jsonl");
    std::fs::write(&file, &text).expect("write");
    // The receipts section: lines 4 to 3 + n, sorted.
    let sorted: Vec<String> = text
        .split(|&b| b == b'\n')
        .skip(3)
        .take(receipts.len())
        .map(|l| serde_json::from_slice::<String>(l).expect("a receipt line"))
        .collect();
    let key = hex::encode(fx.station.public_key().expect("key"));
    for receipt in &receipts {
        let out = Command::new(env!("CARGO_BIN_EXE_votekiosk"))
            .args(["--json", "receipt", "verify"])
            .arg(&file)
            .arg(receipt)
            .args(["--public-key", &key])
            .output()
            .expect("run votekiosk");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let answer: Value = serde_json::from_slice(&out.stdout).expect("JSON answer");
        let index = sorted.iter().position(|r| r == receipt).expect("listed");
        assert_eq!(answer["index"], json!(index), "{answer}");
        let expected: Vec<Value> = merkle::inclusion_path(&sorted, index)
            .iter()
            .map(|s| {
                json!({
                    "sibling": hex::encode(s.sibling),
                    "side": if s.sibling_on_left { "left" } else { "right" },
                })
            })
            .collect();
        assert_eq!(answer["path"], json!(expected), "{answer}");
    }
    doc_shows(r#"{"sibling": "<64 hex>", "side": "left"}"#);
}

/// The hashes of `votekiosk/2` definitions as votekiosk first computed
/// them (issue 13; the v1 hashes before were pinned since commit 62f46e1):
/// a refactor of parsing, defaults or canonical JSON that changed one byte
/// of the canonical form would change an election's identity, and every
/// receipt and result file that names it.
#[test]
fn definition_hashes_are_those_of_earlier_versions() {
    // Section 1's example, as the document shows it.
    let start = FORMATS
        .find("### Example\n\n```json\n")
        .expect("section 1's example")
        + "### Example\n\n```json\n".len();
    let end = start + FORMATS[start..].find("```").expect("end of the example");
    let example =
        ElectionDefinition::parse(&FORMATS.as_bytes()[start..end]).expect("section 1's example parses");
    assert_eq!(
        example.hash().to_hex(),
        "1d557af543856f57afad6df72ac6b9db87ae35b77a2a13ea4330c40c35d2b5fd"
    );
    doc_shows(&format!("```\n{}\n```", example.canonical_json()));
    // The example election every test starts from (on the fixture office
    // keys, without ballot cards since issue 14), and the demo (on the
    // published test keys).
    assert_eq!(
        definition().hash().to_hex(),
        "fb198ebec98f18fb1a98aa0c8cf51663026a45851de60417e773a673c4fcae41"
    );
    let demo = ElectionDefinition::parse(include_bytes!("../../examples/demo-election.json")).expect("demo");
    assert_eq!(
        demo.hash().to_hex(),
        "2b9e68b5ffeef24c0456036343dbf3913711e5cfd0898a8fa0341e70518b48ae"
    );
    // The vectors' definition is written in its canonical form.
    let vectors = ElectionDefinition::parse(VECTOR_DEFINITION.as_bytes()).expect("vectors");
    assert_eq!(vectors.canonical_json(), VECTOR_DEFINITION);
}

/// The keys a definition names by value (section 1) are those of their
/// published labels and secrets, computed with the crypto the station seals
/// and signs with: the suite, the test key and the demo signing key, and
/// the fixture office keys the tests hold the secrets of. `definition`
/// sits below `crypto` in the layers, so it keeps its own copies; this
/// keeps them equal.
#[test]
fn the_definitions_published_keys_come_from_their_labels() {
    use votekiosk::crypto::{seal, shares};
    use votekiosk::definition::{self as def, OfficeKeys};

    assert_eq!(def::SUITE, seal::SUITE);
    assert_eq!(def::TEST_PUBLIC_KEY, seal::TEST_PUBLIC_KEY);
    let demo = OfficeKeys::demo();
    // Encryption: IKM = LE32(s) -> DeriveKeyPair; commitment s·B.
    let s = seal::label_secret(seal::TEST_KEY_LABEL);
    assert_eq!(seal::SealKeyPair::derive(&s).public(), demo.encryption.public_key);
    assert_eq!(shares::commitment_of(&s).expect("C0"), demo.encryption.commitment);
    // Signing: the Ed25519 seed is LE32(t); commitment t·B.
    let signing = |t: &[u8; 32]| {
        ed25519_dalek::SigningKey::from_bytes(t)
            .verifying_key()
            .to_bytes()
    };
    let t = seal::label_secret("votekiosk/2 published test signing key: it signs demo files only");
    assert_eq!(signing(&t), demo.signing.public_key);
    assert_eq!(shares::commitment_of(&t).expect("C0"), demo.signing.commitment);

    // The fixture office keys of every test definition.
    let fixture = definition().office;
    let s = seal::label_secret("votekiosk test fixture: office encryption secret");
    assert_eq!(hex::encode(*s), OFFICE_ENCRYPTION_SECRET);
    assert_eq!(
        seal::SealKeyPair::derive(&s).public(),
        fixture.encryption.public_key
    );
    assert_eq!(
        shares::commitment_of(&s).expect("C0"),
        fixture.encryption.commitment
    );
    let t = seal::label_secret("votekiosk test fixture: office signing secret");
    assert_eq!(hex::encode(*t), OFFICE_SIGNING_SECRET);
    assert_eq!(signing(&t), fixture.signing.public_key);
    assert_eq!(shares::commitment_of(&t).expect("C0"), fixture.signing.commitment);
    assert!(!definition().demo);
    // One fingerprint rule everywhere.
    assert_eq!(
        def::fingerprint(&fixture.signing.public_key),
        votekiosk::signed::fingerprint(&fixture.signing.public_key)
    );
}
