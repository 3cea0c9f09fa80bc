//! The `votekiosk` binary end to end: an election day from the command
//! line, JSON output, secrets from the environment only, clear failures.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const DEMO_PASS: &str = "demo passphrase - not secret";
const DEMO_ADMIN_PW: &str = "demo-admin-password";

struct Cli {
    _dir: tempfile::TempDir,
    station: PathBuf,
}

impl Cli {
    fn new() -> Cli {
        let dir = tempfile::tempdir().expect("tempdir");
        let station = dir.path().join("demo.vkstation");
        Cli { _dir: dir, station }
    }

    fn dir(&self) -> &Path {
        self._dir.path()
    }

    /// Runs votekiosk with the demo secrets in the environment and no stdin.
    fn run(&self, args: &[&str]) -> Output {
        self.run_env(
            args,
            &[
                ("VOTEKIOSK_PASSPHRASE", DEMO_PASS),
                ("VOTEKIOSK_OFFICIAL_PASSWORD", DEMO_ADMIN_PW),
            ],
        )
    }

    fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        self.run_full(args, env, "")
    }

    /// Runs votekiosk with the demo secrets and `stdin` on standard input
    /// (where a voter code goes).
    fn run_stdin(&self, args: &[&str], stdin: &str) -> Output {
        self.run_full(
            args,
            &[
                ("VOTEKIOSK_PASSPHRASE", DEMO_PASS),
                ("VOTEKIOSK_OFFICIAL_PASSWORD", DEMO_ADMIN_PW),
            ],
            stdin,
        )
    }

    fn run_full(&self, args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_votekiosk"));
        cmd.arg("--station")
            .arg(&self.station)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for var in [
            "VOTEKIOSK_PASSPHRASE",
            "VOTEKIOSK_OFFICIAL_PASSWORD",
            "VOTEKIOSK_NEW_PASSWORD",
            "VOTEKIOSK_STATION",
        ] {
            cmd.env_remove(var);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("run votekiosk");
        let mut input = child.stdin.take().expect("stdin");
        // The command may exit without reading: a closed pipe is fine.
        let _ = input.write_all(stdin.as_bytes());
        drop(input);
        child.wait_with_output().expect("votekiosk output")
    }

    fn json(&self, args: &[&str]) -> Value {
        self.json_stdin(args, "")
    }

    /// Makes the closing key (2 of 2: ana and ben, PINs on standard
    /// input), its slips' payloads written into `slips/`.
    fn closing_key(&self) {
        let slips = self.dir().join("slips");
        let made = self.json_stdin(
            &[
                "closing-key",
                "init",
                "--workers",
                "ana,ben",
                "--threshold",
                "2",
                "--slips-out",
                slips.to_str().expect("path"),
                "--official",
                "admin",
            ],
            "12345678\n87654321\n",
        );
        assert_eq!(made["slips"].as_array().expect("slips").len(), 2);
    }

    /// `count` with both slips (their PINs on standard input) and `extra` arguments.
    fn count(&self, extra: &[&str]) -> Value {
        let slips = self.dir().join("slips");
        let (a, b) = (slips.join("slip-1-ana.txt"), slips.join("slip-2-ben.txt"));
        let mut args = vec![
            "count",
            "--slip-file",
            a.to_str().expect("path"),
            "--slip-file",
            b.to_str().expect("path"),
            "--official",
            "admin",
        ];
        args.extend_from_slice(extra);
        self.json_stdin(&args, "12345678\n87654321\n")
    }

    /// `json`, with `stdin` on standard input.
    fn json_stdin(&self, args: &[&str], stdin: &str) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.run_stdin(&all, stdin);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("json output")
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn an_election_day_from_the_command_line() {
    let cli = Cli::new();
    let demo = cli.json(&["demo"]);
    assert_eq!(demo["created"], true);
    assert_eq!(cli.json(&["status"])["mode"], "setup");
    let refused = cli.run(&["--json", "polls", "open", "--official", "admin"]);
    assert!(!refused.status.success(), "no closing key yet");
    assert!(
        stderr(&refused).contains("closing-key init"),
        "{}",
        stderr(&refused)
    );
    cli.closing_key();
    assert_eq!(
        cli.json(&["polls", "open", "--official", "admin"])["mode"],
        "open"
    );
    let batch = cli.json(&["codes", "issue", "--count", "3", "--official", "admin"]);
    let codes: Vec<String> = batch["codes"]
        .as_array()
        .expect("codes")
        .iter()
        .map(|c| c.as_str().expect("code").to_string())
        .collect();
    assert_eq!(codes.len(), 3);

    // The voter code comes on standard input, never on the command line.
    let cast = cli.json_stdin(
        &[
            "cast",
            "--choice",
            "mayor=chen",
            "--choice",
            "school-board=moore,kim",
            "--choice",
            "library-bond=no",
        ],
        &format!("{}\n", codes[0]),
    );
    let receipt = cast["receipt"].as_str().expect("receipt").to_string();
    assert!(cast["payload"].as_str().expect("payload").ends_with(&receipt));

    // Same code again: refused with its stable code, nothing added.
    let again = cli.run_stdin(&["--json", "cast", "--choice", "mayor=brooks"], &codes[0]);
    assert!(!again.status.success());
    let err: Value = serde_json::from_slice(&again.stdout).expect("json error");
    assert_eq!(err["error"]["code"], "code_used");
    assert!(stderr(&again).contains("already been used"));

    // A bad choice: refused, and the code is still usable afterwards.
    let code_file = cli.dir().join("code.txt");
    std::fs::write(&code_file, format!("{}\n", codes[1])).expect("code file");
    let code_file = code_file.to_str().expect("path");
    let bad = cli.run(&[
        "cast",
        "--code-file",
        code_file,
        "--choice",
        "mayor=alvarez,brooks",
    ]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("too many choices"), "{}", stderr(&bad));

    // Results hidden while open; turnout visible.
    let hidden = cli.run(&["--json", "tally"]);
    assert!(!hidden.status.success());
    assert_eq!(
        serde_json::from_slice::<Value>(&hidden.stdout).expect("json")["error"]["code"],
        "results_hidden"
    );
    let status = cli.json(&["status"]);
    assert_eq!(
        (status["ballots"].as_u64(), status["codes"]["used"].as_u64()),
        (Some(1), Some(1))
    );

    assert_eq!(cli.json(&["receipt", "check", &receipt])["recorded"], true);
    assert_eq!(
        cli.json_stdin(&["codes", "revoke", "--official", "admin"], &codes[2])["revoked"],
        true
    );
    // The code of the refused choice still casts, from its file.
    assert_eq!(
        cli.json(&["cast", "--code-file", code_file, "--choice", "mayor=alvarez"])["test"],
        false
    );
    assert_eq!(
        cli.json(&["polls", "close", "--official", "admin"])["mode"],
        "closed"
    );

    // Nothing is counted until the slips unseal the ballots.
    let uncounted = cli.run(&["--json", "tally"]);
    assert_eq!(
        serde_json::from_slice::<Value>(&uncounted.stdout).expect("json")["error"]["code"],
        "count_first"
    );
    let counted = cli.count(&[]);
    assert_eq!(
        (counted["ballots"].as_u64(), counted["test"].as_bool()),
        (Some(2), Some(false))
    );
    let tally = &counted["result"];
    let mayor = &tally["contests"].as_array().expect("contests")[0];
    assert_eq!(mayor["id"], "mayor");
    let chen = mayor["tallies"]
        .as_array()
        .expect("tallies")
        .iter()
        .find(|m| m["candidate"] == "chen")
        .expect("chen");
    assert_eq!(chen["votes"], 1);
    let audit = cli.json(&["audit", "verify"]);
    assert_eq!(audit["ok"], true);
    assert!(audit["length"].as_u64().expect("length") >= 8);
    let status = cli.json(&["status"]);
    assert_eq!(status["codes"]["revoked"], 1);
    assert_eq!(status["codes"]["unused"], 0);
    assert_eq!(status["ballots"], 2);
}

#[test]
fn a_test_deck_casts_under_one_unlock_and_reports_each_line() {
    let cli = Cli::new();
    cli.json(&["demo"]);
    cli.json(&["polls", "test", "--official", "admin"]);
    let batch = cli.json(&["codes", "issue", "--count", "2", "--official", "admin"]);
    assert_eq!(batch["test"], true);
    let codes = batch["codes"].as_array().expect("codes");
    let deck = cli.dir().join("deck.jsonl");
    let lines = [
        serde_json::json!({"code": codes[0], "selections": {"mayor": ["alvarez"], "school-board": ["kim", "lopez"]}}),
        serde_json::json!({"code": codes[0], "selections": {"mayor": ["brooks"]}}),
        serde_json::json!({"code": codes[1], "selections": {"library-bond": ["yes"]}}),
    ];
    std::fs::write(&deck, lines.iter().map(|l| format!("{l}\n")).collect::<String>()).expect("deck");
    let receipts = cli.dir().join("receipts.jsonl");
    let out = cli.run(&[
        "cast",
        "--deck",
        deck.to_str().expect("path"),
        "--receipts-out",
        receipts.to_str().expect("path"),
    ]);
    assert!(!out.status.success(), "a refused line makes the deck fail");
    assert!(stderr(&out).contains("line 2"), "{}", stderr(&out));
    let written = std::fs::read_to_string(&receipts).expect("receipts");
    let results: Vec<Value> = written
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(results.len(), 3);
    assert_eq!(results[0]["test"], true);
    assert_eq!(results[1]["error"]["code"], "code_used");
    assert!(results[2]["receipt"].is_string());
    let tally = cli.json(&["tally"]);
    assert_eq!(tally["test"], true);
    assert_eq!(cli.json(&["status"])["test"]["ballots"], 2);
}

#[test]
fn secrets_only_from_prompt_file_or_environment() {
    let cli = Cli::new();
    cli.json(&["demo"]);
    // No passphrase and no terminal: a clear error, not a hang.
    let out = cli.run_env(&["status"], &[]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("VOTEKIOSK_PASSPHRASE"), "{}", stderr(&out));
    // A passphrase file works.
    let pass = cli.dir().join("pass.txt");
    std::fs::write(&pass, format!("{DEMO_PASS}\n")).expect("write");
    let out = cli.run_env(
        &["status", "--passphrase-file", pass.to_str().expect("path")],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // There is no flag that takes a secret on the command line.
    let help = Command::new(env!("CARGO_BIN_EXE_votekiosk"))
        .arg("--help")
        .output()
        .expect("help");
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("--passphrase-file"));
    assert!(!help.contains("--passphrase ") && !help.contains("--password"));
    // Nor one that takes a voter code.
    for command in [&["cast", "--help"][..], &["codes", "revoke", "--help"]] {
        let help = Command::new(env!("CARGO_BIN_EXE_votekiosk"))
            .args(command)
            .output()
            .expect("help");
        let help = String::from_utf8_lossy(&help.stdout);
        assert!(help.contains("--code-file"), "{help}");
        assert!(!help.contains("--code ") && !help.contains("<CODE>"), "{help}");
    }
}

#[test]
fn clear_failures_that_change_nothing() {
    let cli = Cli::new();
    // Missing station: not created.
    let out = cli.run(&["--json", "status"]);
    assert!(!out.status.success());
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).expect("json")["error"]["code"],
        "file_not_found"
    );
    assert!(!cli.station.exists());

    // An invalid definition: the path of the problem, and no file.
    let def = cli.dir().join("bad.json");
    std::fs::write(&def, r#"{"format": "votekiosk/2", "title": {"en": "x"}}"#).expect("write");
    let out = cli.run_env(
        &[
            "init",
            "--definition",
            def.to_str().expect("path"),
            "--station-id",
            "K1",
        ],
        &[
            ("VOTEKIOSK_PASSPHRASE", DEMO_PASS),
            ("VOTEKIOSK_NEW_PASSWORD", DEMO_ADMIN_PW),
        ],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("missing field"), "{}", stderr(&out));
    assert!(!cli.station.exists());

    // Wrong passphrase: the fixed message, file unchanged.
    cli.json(&["demo"]);
    let before = std::fs::read(&cli.station).expect("read");
    let out = cli.run_env(
        &["--json", "status"],
        &[("VOTEKIOSK_PASSPHRASE", "not the passphrase")],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("wrong passphrase or not a votekiosk file"));
    assert_eq!(std::fs::read(&cli.station).expect("read"), before);

    // A wrong official password: refused, mode unchanged.
    let out = cli.run_env(
        &["polls", "open", "--official", "admin"],
        &[
            ("VOTEKIOSK_PASSPHRASE", DEMO_PASS),
            ("VOTEKIOSK_OFFICIAL_PASSWORD", "wrong-password"),
        ],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("wrong username or password"));
    assert_eq!(cli.json(&["status"])["mode"], "setup");

    // Bad arguments: usage error from the parser.
    let out = cli.run(&["codes", "issue", "--count", "many", "--official", "admin"]);
    assert_eq!(out.status.code(), Some(2));
    // Issuing zero codes: refused, nothing issued.
    let out = cli.run(&["codes", "issue", "--count", "0", "--official", "admin"]);
    assert!(!out.status.success());
    assert_eq!(cli.json(&["status"])["codes"]["issued"], 0);
}

#[test]
fn opening_the_polls_warns_when_the_voting_window_is_not_today() {
    // examples/demo-election.json has a fixed window, on 2026-11-03.
    let cli = Cli::new();
    let init = cli.run_env(
        &[
            "init",
            "--definition",
            concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo-election.json"),
            "--station-id",
            "RIVERSIDE-01",
        ],
        &[
            ("VOTEKIOSK_PASSPHRASE", DEMO_PASS),
            ("VOTEKIOSK_NEW_PASSWORD", DEMO_ADMIN_PW),
        ],
    );
    assert!(init.status.success(), "{}", stderr(&init));
    cli.closing_key();
    let out = cli.run(&["--json", "polls", "open", "--official", "admin"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["mode"], "open");
    let window = "voting window (2026-11-03T07:00:00-05:00 to 2026-11-03T20:00:00-05:00)";
    let today = chrono::Utc::now().date_naive();
    let said = stderr(&out);
    if today > chrono::NaiveDate::from_ymd_opt(2026, 11, 3).expect("date") {
        assert!(
            said.contains(&format!("warning: the election's {window} has already ended")),
            "{said}"
        );
    } else if today < chrono::NaiveDate::from_ymd_opt(2026, 11, 3).expect("date") {
        assert!(
            said.contains(&format!(
                "warning: the election's {window} does not include today"
            )),
            "{said}"
        );
    }

    // The demo definition written by `demo --definition-out` is open now: no warning, and a ballot casts.
    let cli = Cli::new();
    let def = cli.dir().join("election.json");
    let def = def.to_str().expect("path");
    let written = cli.json(&["demo", "--definition-out", def]);
    assert_eq!(written["definition"], def);
    let again = cli.run(&["demo", "--definition-out", def]);
    assert!(!again.status.success(), "an existing file is never overwritten");
    let init = cli.run_env(
        &["init", "--definition", def, "--station-id", "RIVERSIDE-01"],
        &[
            ("VOTEKIOSK_PASSPHRASE", DEMO_PASS),
            ("VOTEKIOSK_NEW_PASSWORD", DEMO_ADMIN_PW),
        ],
    );
    assert!(init.status.success(), "{}", stderr(&init));
    cli.closing_key();
    let out = cli.run(&["polls", "open", "--official", "admin"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    let batch = cli.json(&["codes", "issue", "--count", "1", "--official", "admin"]);
    let code = batch["codes"][0].as_str().expect("code");
    let cast = cli.json_stdin(&["cast", "--choice", "mayor=chen"], code);
    assert_eq!(cast["test"], false);
}

/// `definition upgrade`: a v1 definition becomes a valid v2 file, with the
/// station id handed back for `init`; "live" results, a repeated key or an
/// existing output are refused and nothing is written; the old file is
/// never touched; and every other command refuses v1 with the way out.
#[test]
fn a_v1_definition_is_upgraded_into_a_new_file_and_refused_elsewhere() {
    let cli = Cli::new();
    let dir = cli.dir();
    let mut v1 = crate::support::definition_value();
    let doc = v1.as_object_mut().expect("object");
    doc.remove("office");
    doc.insert("format".into(), "votekiosk/1".into());
    doc.insert("station_id".into(), "LAKEVIEW-2".into());
    doc.insert("results_visibility".into(), "after_close".into());
    let v1_path = dir.join("v1.json");
    let v1_bytes = serde_json::to_vec_pretty(&v1).expect("json");
    std::fs::write(&v1_path, &v1_bytes).expect("write v1");
    let office = dir.join("office.json");
    let block = serde_json::json!({ "office": crate::support::office_json() });
    std::fs::write(&office, block.to_string()).expect("write office");
    let (v1s, offices) = (v1_path.to_str().expect("path"), office.to_str().expect("path"));
    let env = [
        ("VOTEKIOSK_PASSPHRASE", DEMO_PASS),
        ("VOTEKIOSK_NEW_PASSWORD", DEMO_ADMIN_PW),
    ];

    // Anywhere but `definition upgrade`, v1 is refused with the command to run.
    for args in [
        vec!["validate", v1s],
        vec!["init", "--definition", v1s, "--station-id", "LAKEVIEW-2"],
    ] {
        let out = cli.run_env(&args, &env);
        assert!(!out.status.success());
        assert!(
            stderr(&out)
                .contains("votekiosk definition upgrade FILE --office office-key.json --out NEW.json"),
            "{}",
            stderr(&out)
        );
    }
    assert!(!cli.station.exists());

    // The upgrade: a new, valid v2 file, every change listed.
    let v2 = dir.join("v2.json");
    let v2s = v2.to_str().expect("path");
    let out = cli.json(&["definition", "upgrade", v1s, "--office", offices, "--out", v2s]);
    assert_eq!(out["station_id"], "LAKEVIEW-2");
    assert_eq!(out["demo"], false);
    assert_eq!(
        out["definition_hash"],
        crate::support::definition().hash().to_hex(),
        "the same election as the fixture"
    );
    let changes = out["changes"].to_string();
    for said in [
        "station_id",
        "results_visibility removed",
        "office added",
        "votekiosk/1 -> votekiosk/2",
    ] {
        assert!(changes.contains(said), "{said}: {changes}");
    }
    assert_eq!(
        std::fs::read(&v1_path).expect("v1"),
        v1_bytes,
        "the old file is untouched"
    );
    let valid = cli.json(&["validate", v2s]);
    assert_eq!(valid["definition_hash"], out["definition_hash"]);
    let text = cli.run(&[
        "definition",
        "upgrade",
        v1s,
        "--demo",
        "--out",
        dir.join("demo.json").to_str().expect("p"),
    ]);
    assert!(text.status.success(), "{}", stderr(&text));
    assert!(
        String::from_utf8_lossy(&text.stdout).contains("votekiosk init --definition"),
        "the text names the next step"
    );
    let init = cli.run_env(&["init", "--definition", v2s, "--station-id", "LAKEVIEW-2"], &env);
    assert!(init.status.success(), "{}", stderr(&init));
    assert_eq!(cli.json(&["status"])["station_id"], "LAKEVIEW-2");

    // Refusals write nothing: an existing output (kept as it was), "live"
    // results, a repeated key, a broken office file, neither --office nor --demo.
    let before = std::fs::read(&v2).expect("v2");
    let out = cli.run(&["definition", "upgrade", v1s, "--office", offices, "--out", v2s]);
    assert!(!out.status.success());
    assert_eq!(std::fs::read(&v2).expect("v2"), before);
    let out = cli.run(&["definition", "upgrade", v1s, "--office", offices, "--out", v1s]);
    assert!(!out.status.success(), "never over the old file");
    assert_eq!(std::fs::read(&v1_path).expect("v1"), v1_bytes);

    let mut live = v1.clone();
    live["results_visibility"] = "live".into();
    let live_path = dir.join("live.json");
    std::fs::write(&live_path, live.to_string()).expect("write");
    let dup_path = dir.join("dup.json");
    let dup = String::from_utf8(v1_bytes.clone()).expect("utf8").replacen(
        "\"date\":",
        "\"date\": \"2026-11-04\", \"date\":",
        1,
    );
    std::fs::write(&dup_path, dup).expect("write");
    let bad_office = dir.join("bad-office.json");
    let mut broken = block.clone();
    broken["office"]["encryption"]["fingerprint"] = "0000 0000 0000 0000 0000 0000 0000 0000".into();
    std::fs::write(&bad_office, broken.to_string()).expect("write");
    let out_path = dir.join("never.json");
    let never = out_path.to_str().expect("path");
    let cases: [(Vec<&str>, &str); 4] = [
        (
            vec![
                "definition",
                "upgrade",
                live_path.to_str().expect("p"),
                "--office",
                offices,
                "--out",
                never,
            ],
            "counted only after the polls close",
        ),
        (
            vec![
                "definition",
                "upgrade",
                dup_path.to_str().expect("p"),
                "--office",
                offices,
                "--out",
                never,
            ],
            "appears twice",
        ),
        (
            vec![
                "definition",
                "upgrade",
                v1s,
                "--office",
                bad_office.to_str().expect("p"),
                "--out",
                never,
            ],
            "is not the fingerprint of this public key",
        ),
        (vec!["definition", "upgrade", v1s, "--out", never], "--office"),
    ];
    for (args, said) in cases {
        let out = cli.run(&args);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr(&out).contains(said), "{said}: {}", stderr(&out));
        assert!(!out_path.exists(), "{args:?} wrote a file");
    }
}

/// `definition upgrade --office office-key.json` reads the key ceremony's
/// signed record: its keys go into the definition, and a record altered
/// after signing (a key swapped in) is refused with nothing written.
#[test]
fn the_ceremony_record_gives_an_upgrade_its_office_keys() {
    use rand::SeedableRng;
    use votekiosk::crypto::seal::SealKeyPair;
    use votekiosk::crypto::shares;
    use votekiosk::keys::ceremony::CeremonyKey;
    use votekiosk::keys::CeremonyRecord;

    let secret = |hex_text: &str| -> [u8; 32] {
        let mut out = [0u8; 32];
        hex::decode_to_slice(hex_text, &mut out).expect("hex");
        out
    };
    let (s, t) = (
        secret(crate::support::OFFICE_ENCRYPTION_SECRET),
        secret(crate::support::OFFICE_SIGNING_SECRET),
    );
    let mut rng = rand::rngs::StdRng::seed_from_u64(21);
    let signing = ed25519_dalek::SigningKey::from_bytes(&t);
    let record = CeremonyRecord {
        created_at: "2026-10-01T09:00:00.000Z".into(),
        generation: 1,
        threshold: 2,
        trustees: 3,
        trustee_labels: vec!["alice".into(), "bob".into(), "carol".into()],
        encryption: CeremonyKey {
            public_key: SealKeyPair::derive(&s).public(),
            commitments: shares::split(&s, 2, 3, &mut rng).expect("split").1,
        },
        signing: CeremonyKey {
            public_key: signing.verifying_key().to_bytes(),
            commitments: shares::split(&t, 2, 3, &mut rng).expect("split").1,
        },
    };
    let signed = record.to_bytes(&signing).expect("record");

    let cli = Cli::new();
    let dir = cli.dir();
    let mut v1 = crate::support::definition_value();
    let doc = v1.as_object_mut().expect("object");
    doc.remove("office");
    doc.insert("format".into(), "votekiosk/1".into());
    doc.insert("station_id".into(), "LAKEVIEW-2".into());
    let v1_path = dir.join("v1.json");
    std::fs::write(&v1_path, v1.to_string()).expect("write");
    let office = dir.join("office-key.json");
    std::fs::write(&office, &signed).expect("write");
    let (v1s, offices) = (v1_path.to_str().expect("p"), office.to_str().expect("p"));
    let out = dir.join("v2.json");
    let done = cli.json(&[
        "definition",
        "upgrade",
        v1s,
        "--office",
        offices,
        "--out",
        out.to_str().expect("p"),
    ]);
    assert_eq!(
        done["definition_hash"],
        crate::support::definition().hash().to_hex()
    );

    // Someone swaps the encryption key in the record (to have ballots
    // sealed to a key they hold): the signature no longer matches.
    let text = String::from_utf8(signed).expect("utf8");
    let theirs = hex::encode(SealKeyPair::derive(&[7u8; 32]).public());
    let forged = text.replace(&hex::encode(record.encryption.public_key), &theirs);
    assert_ne!(forged, text);
    std::fs::write(&office, forged).expect("write");
    let never = dir.join("never.json");
    let refused = cli.run(&[
        "definition",
        "upgrade",
        v1s,
        "--office",
        offices,
        "--out",
        never.to_str().expect("p"),
    ]);
    assert!(!refused.status.success());
    assert!(!never.exists(), "nothing written");
}

// issue 18: package

fn sha256_file(path: &Path) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(std::fs::read(path).expect("read binary")))
}

/// `--version` identifies the binary: the SHA-256 it prints is that of the
/// file it runs from (what `sha256sum` says), computed when it runs, and
/// the commit is the one it was built from.
#[test]
fn version_prints_the_commit_and_the_sha256_of_the_running_binary() {
    let bin = Path::new(env!("CARGO_BIN_EXE_votekiosk"));
    let expected = sha256_file(bin);
    let sha256sum = Command::new("sha256sum").arg(bin).output().expect("sha256sum");
    let sha256sum = String::from_utf8_lossy(&sha256sum.stdout);
    assert_eq!(sha256sum.split_whitespace().next(), Some(expected.as_str()));
    let commit = option_env!("VOTEKIOSK_COMMIT")
        .filter(|c| c.len() == 40 && c.bytes().all(|b| b.is_ascii_hexdigit()))
        .unwrap_or("unknown");

    let out = Command::new(bin)
        .args(["--version", "--json"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(v["binary_sha256"], expected.as_str());
    assert_eq!(v["commit"], commit);
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["name"], "votekiosk");
    let path = v["path"].as_str().expect("path");
    assert_eq!(
        std::fs::canonicalize(path).expect("path exists"),
        std::fs::canonicalize(bin).expect("bin")
    );

    let out = Command::new(bin).arg("--version").output().expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(&format!("votekiosk {}\n", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    assert!(text.contains(&format!("commit: {commit}\n")), "{text}");
    assert!(text.contains(&format!("binary SHA-256: {expected}\n")), "{text}");
    // -V is the same.
    let short = Command::new(bin).arg("-V").output().expect("run");
    assert_eq!(short.stdout, out.stdout);

    // A changed copy (one byte appended: it still runs) prints its own hash,
    // not one compiled in.
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("votekiosk");
    let mut bytes = std::fs::read(bin).expect("read");
    bytes.push(0);
    std::fs::write(&copy, &bytes).expect("write copy");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let out = Command::new(&copy)
        .args(["--version", "--json"])
        .output()
        .expect("run copy");
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["binary_sha256"], sha256_file(&copy).as_str());
    assert_ne!(v["binary_sha256"], expected.as_str());
}

/// Without a command (and without --version), the usage error of any bad
/// arguments: exit 2, nothing run.
#[test]
fn no_command_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_votekiosk"))
        .arg("--json")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("a command is required"), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
}

/// The man pages and completions the office package installs come from the
/// command line's own definition: a page per command and subcommand, none
/// for the hidden ones, options as `--help` has them, and a bash completion
/// that completes them. An existing folder is refused and left as it was.
#[test]
fn man_pages_and_completions_come_from_the_command_line_itself() {
    let bin = env!("CARGO_BIN_EXE_votekiosk");
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("files");
    let out = Command::new(bin)
        .args(["package-files", "--json", "--out"])
        .arg(&out_dir)
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let pages: Vec<&str> = v["man_pages"]
        .as_array()
        .expect("man_pages")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for page in [
        "votekiosk.1",
        "votekiosk-init.1",
        "votekiosk-verify.1",
        "votekiosk-codes-issue.1",
        "votekiosk-codes-revoke.1",
        "votekiosk-office-trust-add.1",
        "votekiosk-rla-record.1",
    ] {
        assert!(pages.contains(&page), "no {page} in {pages:?}");
        assert!(out_dir.join("man/man1").join(page).is_file(), "{page}");
    }
    for hidden in ["votekiosk-package-files.1", "votekiosk-help.1"] {
        assert!(!pages.contains(&hidden), "{hidden} in {pages:?}");
    }
    // Every command `--help` lists has its page.
    let help = Command::new(bin).arg("--help").output().expect("help");
    let help = String::from_utf8_lossy(&help.stdout);
    let commands = help
        .split("Commands:\n")
        .nth(1)
        .expect("a Commands section")
        .lines()
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect::<Vec<_>>();
    assert!(commands.len() > 20, "{commands:?}");
    for c in &commands {
        assert!(
            pages.contains(&format!("votekiosk-{c}.1").as_str()),
            "no page for {c}"
        );
    }
    let verify = std::fs::read_to_string(out_dir.join("man/man1/votekiosk-verify.1")).expect("page");
    assert!(
        verify.starts_with(".ie") || verify.contains(".TH votekiosk-verify"),
        "{verify}"
    );
    assert!(verify.contains("software\\-hash"), "{verify}");

    // bash completes commands, subcommands and options from the same definition.
    let bash = out_dir.join("completions/bash/votekiosk.bash");
    let complete = |words: &str, cword: usize| -> String {
        let script = format!(
            "source '{}'; COMP_WORDS=({words}); COMP_CWORD={cword}; _votekiosk votekiosk \"${{COMP_WORDS[{cword}]}}\" \"${{COMP_WORDS[{}]}}\"; echo \"${{COMPREPLY[*]}}\"",
            bash.display(),
            cword - 1
        );
        let out = Command::new("bash").args(["-c", &script]).output().expect("bash");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let codes = complete("votekiosk codes ''", 2);
    let codes: Vec<&str> = codes.split_whitespace().collect();
    assert!(codes.contains(&"issue") && codes.contains(&"revoke"), "{codes:?}");
    let verify = complete("votekiosk verify --soft", 2);
    assert!(
        verify.split_whitespace().any(|w| w == "--software-hash"),
        "{verify}"
    );
    for shell in ["zsh/_votekiosk", "fish/votekiosk.fish"] {
        let text = std::fs::read_to_string(out_dir.join("completions").join(shell)).expect(shell);
        assert!(text.contains("software-hash"), "{shell}");
        assert!(
            !text.contains("package-files"),
            "{shell} offers the hidden command"
        );
    }
    assert!(!std::fs::read_to_string(&bash)
        .expect("bash")
        .contains("package-files"));

    // Again into the same folder: refused, nothing changed.
    let before = std::fs::read(out_dir.join("man/man1/votekiosk.1")).expect("page");
    let count = std::fs::read_dir(out_dir.join("man/man1")).expect("dir").count();
    let out = Command::new(bin)
        .args(["package-files", "--json", "--out"])
        .arg(&out_dir)
        .output()
        .expect("run");
    assert!(!out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["error"]["code"], "file_exists");
    assert_eq!(
        std::fs::read(out_dir.join("man/man1/votekiosk.1")).expect("page"),
        before
    );
    assert_eq!(
        std::fs::read_dir(out_dir.join("man/man1")).expect("dir").count(),
        count
    );
}
