//! The bad-input table for the `votekiosk` binary: every subcommand with
//! malformed arguments, missing, unreadable, wrong-kind and huge files gets
//! a clear message and a non-zero exit, and writes nothing. Then secrets
//! hygiene: everything the CLI prints over a whole election day, the audit
//! log and the exported files hold no voter code, passphrase, password or
//! key.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use votekiosk::store::{read_salt, FileKey};

const DEMO_PASS: &str = "demo passphrase - not secret";
const DEMO_ADMIN_PW: &str = "demo-admin-password";

/// The closing-key slip PINs of the day walked through below.
const PIN_A: &str = "31415926";
const PIN_B: &str = "27182818";

fn run(dir: &Path, station: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    run_with_stdin(dir, station, args, env, "")
}

/// Runs votekiosk with `stdin` as its standard input (a voter code, say).
fn run_with_stdin(dir: &Path, station: &Path, args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_votekiosk"));
    cmd.current_dir(dir)
        .arg("--station")
        .arg(station)
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
    cmd.envs(env.iter().copied());
    let mut child = cmd.spawn().expect("run votekiosk");
    let mut input = child.stdin.take().expect("stdin");
    // The command may exit without reading: a closed pipe is fine.
    let _ = input.write_all(stdin.as_bytes());
    drop(input);
    child.wait_with_output().expect("votekiosk output")
}

/// Every file in `dir` (small ones by content, big ones by size).
fn listing(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let entry = entry.expect("entry");
        let meta = entry.metadata().expect("metadata");
        let name = entry.file_name().to_string_lossy().into_owned();
        let content = if meta.is_dir() {
            b"<dir>".to_vec()
        } else if meta.len() > 1 << 20 {
            meta.len().to_string().into_bytes()
        } else {
            std::fs::read(entry.path()).expect("read")
        };
        out.insert(name, content);
    }
    out
}

#[test]
fn every_subcommand_refuses_bad_arguments_and_files_clearly_and_writes_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let station = dir.join("demo.vkstation");
    let env = [
        ("VOTEKIOSK_PASSPHRASE", DEMO_PASS),
        ("VOTEKIOSK_OFFICIAL_PASSWORD", DEMO_ADMIN_PW),
        ("VOTEKIOSK_NEW_PASSWORD", DEMO_ADMIN_PW),
    ];
    assert!(run(dir, &station, &["demo"], &env).status.success());

    // The files of the table.
    std::fs::write(dir.join("definition.json"), crate::support::definition_json()).expect("def");
    std::fs::write(dir.join("empty.json"), b"").expect("empty");
    std::fs::write(dir.join("garbage.bin"), [0xffu8, 0x00, 0x13, 0x37].repeat(1000)).expect("garbage");
    std::fs::write(
        dir.join("pdf.pdf"),
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
    )
    .expect("pdf");
    std::fs::create_dir(dir.join("a-folder")).expect("folder");
    // Sparse: nothing is written to disk, but the size is real.
    let huge = std::fs::File::create(dir.join("huge.json")).expect("huge");
    huge.set_len(200 << 20).expect("200 MB");
    let giant = std::fs::File::create(dir.join("giant-result.json")).expect("giant");
    giant.set_len(3 << 30).expect("3 GB");

    // (arguments, exit code, what the output must say)
    let table: &[(&[&str], Option<i32>, &str)] = &[
        // Malformed arguments: the parser's usage error, exit 2.
        (&["frobnicate"], Some(2), "unrecognized subcommand"),
        (&["init"], Some(2), "--definition"),
        (&["validate"], Some(2), "<FILE>"),
        (
            &[
                "official",
                "add",
                "carol",
                "--role",
                "king",
                "--official",
                "admin",
            ],
            Some(2),
            "king",
        ),
        (&["polls", "explode", "--official", "admin"], Some(2), "explode"),
        (&["polls", "open"], Some(2), "--official"),
        (
            &["codes", "issue", "--count", "-1", "--official", "admin"],
            Some(2),
            "-1",
        ),
        (
            &[
                "codes",
                "issue",
                "--count",
                "99999999999999999999999",
                "--official",
                "admin",
            ],
            Some(2),
            "count",
        ),
        (
            &["codes", "revoke", "--official", "admin"],
            Some(1),
            "no voter code",
        ),
        (
            &["codes", "revoke", "ABCD-EFGH-JKMN-P", "--official", "admin"],
            Some(1),
            "never taken from the command line",
        ),
        (&["unlock"], Some(2), "--official"),
        (&["cast"], Some(1), "no voter code"),
        (
            &["cast", "--code", "ABCD-EFGH-JKMN-P", "--choice", "mayor=chen"],
            Some(1),
            "never taken from the command line",
        ),
        (
            &["cast", "--code", "X", "--deck", "deck.jsonl"],
            Some(2),
            "cannot be used with",
        ),
        (&["cast", "--receipts-out", "r.jsonl"], Some(2), "--deck"),
        (&["tally", "--what"], Some(2), "--what"),
        (&["audit", "show", "--limit", "lots"], Some(2), "lots"),
        (&["receipt", "check"], Some(2), "<RECEIPT>"),
        (&["receipt", "verify", "definition.json"], Some(2), "<RECEIPT>"),
        (&["print", "receipt"], Some(2), "--sample"),
        (&["print", "printer", "--set", "q"], Some(2), "--official"),
        (&["export", "--official", "admin"], Some(2), "--out"),
        (&["verify"], Some(2), "<FILE>"),
        (&["merge", "--out", "m.json"], Some(2), "<FILE>"),
        (&["status", "--passphrase"], Some(2), "--passphrase"),
        // Missing files.
        (&["validate", "missing.json"], Some(1), "missing.json"),
        (
            &["init", "--definition", "missing.json", "--station-id", "K1"],
            Some(1),
            "missing.json",
        ),
        (
            &["init", "--definition", "definition.json", "--station-id", "K 1"],
            Some(1),
            "invalid station id \"K 1\"",
        ),
        (
            &["init", "--definition", "definition.json"],
            Some(2),
            "--station-id",
        ),
        (&["cast", "--deck", "missing.jsonl"], Some(1), "missing.jsonl"),
        (&["cast", "--code-file", "missing.txt"], Some(1), "missing.txt"),
        (
            &[
                "codes",
                "revoke",
                "--code-file",
                "missing.txt",
                "--official",
                "admin",
            ],
            Some(1),
            "missing.txt",
        ),
        (&["verify", "missing.json"], Some(1), "missing.json"),
        (
            &[
                "merge",
                "missing.json",
                "--out",
                "m.json",
                "--trusted-keys",
                "t.json",
                "--signing-key",
                "k.vkkey",
            ],
            Some(1),
            "missing.json",
        ),
        (
            &["receipt", "verify", "missing.json", "0000-0000-0000-0000"],
            Some(1),
            "missing.json",
        ),
        (
            &["status", "--passphrase-file", "missing.txt"],
            Some(1),
            "missing.txt",
        ),
        // Unreadable files (a folder where a file should be: even root cannot read it).
        (&["validate", "a-folder"], Some(1), "a-folder"),
        (&["cast", "--deck", "a-folder"], Some(1), "a-folder"),
        (&["cast", "--code-file", "a-folder"], Some(1), "a-folder"),
        (&["verify", "a-folder"], Some(1), "a-folder"),
        (
            &[
                "merge",
                "a-folder",
                "--out",
                "m.json",
                "--trusted-keys",
                "t.json",
                "--signing-key",
                "k.vkkey",
            ],
            Some(1),
            "a-folder",
        ),
        (&["status", "--passphrase-file", "a-folder"], Some(1), "a-folder"),
        // Files of the wrong kind.
        (&["validate", "demo.vkstation"], Some(1), "definition is invalid"),
        (&["validate", "pdf.pdf"], Some(1), "definition is invalid"),
        (&["validate", "empty.json"], Some(1), "definition is invalid"),
        (
            &["init", "--definition", "garbage.bin", "--station-id", "K1"],
            Some(1),
            "definition is invalid",
        ),
        (&["verify", "demo.vkstation"], Some(1), "malformed"),
        (&["verify", "definition.json"], Some(1), "FAIL"),
        (
            &[
                "merge",
                "definition.json",
                "--out",
                "m.json",
                "--trusted-keys",
                "t.json",
                "--signing-key",
                "k.vkkey",
            ],
            Some(1),
            "definition.json",
        ),
        (
            &["receipt", "verify", "pdf.pdf", "0000-0000-0000-0000"],
            Some(1),
            "does not verify",
        ),
        (&["cast", "--deck", "garbage.bin"], Some(1), "garbage.bin"),
        // Huge files: refused from their size, before reading.
        (&["validate", "huge.json"], Some(1), "too large"),
        (
            &["init", "--definition", "huge.json", "--station-id", "K1"],
            Some(1),
            "too large",
        ),
        // A result or merge is read as a stream (issue 17: a national
        // merge is over 2 GiB), so no size refuses it: it is refused at its
        // first line, by the per-line limit, having read no more than that.
        (&["verify", "giant-result.json"], Some(1), "longer than"),
        (
            &[
                "merge",
                "giant-result.json",
                "--out",
                "m.json",
                "--trusted-keys",
                "t.json",
                "--signing-key",
                "k.vkkey",
            ],
            Some(1),
            "not a v2 result",
        ),
    ];
    let mut wrong_station: Vec<(&Path, &str)> = vec![
        (
            Path::new("definition.json"),
            "wrong passphrase or not a votekiosk file",
        ),
        (Path::new("pdf.pdf"), "wrong passphrase or not a votekiosk file"),
        (
            Path::new("empty.json"),
            "wrong passphrase or not a votekiosk file",
        ),
        (Path::new("a-folder"), "not found"),
        (Path::new("missing.vkstation"), "not found"),
    ];
    let before = listing(dir);
    let mut checked = 0;
    let mut mismatches = Vec::new();
    for (args, code, says) in table {
        let started = Instant::now();
        // `init` needs a station file that does not exist yet.
        let target = if args[0] == "init" {
            dir.join("new.vkstation")
        } else {
            station.clone()
        };
        let out = run(dir, &target, args, &env);
        let stderr = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(!out.status.success(), "{args:?} succeeded");
        if let Some(code) = code {
            assert_eq!(out.status.code(), Some(*code), "{args:?}: {stderr}");
        }
        if !stderr.contains(says) {
            mismatches.push(format!("{args:?}: stderr does not say {says:?}: {stderr}"));
        }
        assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
        // A guard against a command that hangs (waiting on a prompt, say),
        // not a speed check: each takes about a second.
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "{args:?} took {:?}",
            started.elapsed()
        );
        assert_eq!(listing(dir), before, "{args:?} wrote something");
        checked += 1;
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    for (path, says) in wrong_station.drain(..) {
        let out = run(dir, &dir.join(path), &["--json", "status"], &env);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{path:?}: {stderr}");
        assert!(stderr.contains(says), "{path:?}: {stderr}");
        let json: Value = serde_json::from_slice(&out.stdout).expect("a JSON error");
        assert!(json["error"]["code"].is_string(), "{json}");
        assert_eq!(listing(dir), before, "{path:?} as a station wrote something");
        checked += 1;
    }
    // A huge definition is refused from its size, not parsed into memory.
    let out = run(dir, &station, &["--json", "validate", "huge.json"], &env);
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["error"]["code"], "too_large");
    // An endless definition (a pipe that never ends) can be refused only
    // by a reader that stops at the limit: one that read to the end would
    // never answer.
    let fifo_dir = tempfile::tempdir().expect("tempdir");
    let fifo = fifo_dir.path().join("endless.json");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success(), "mkfifo");
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            use std::io::Write;
            let mut pipe = std::fs::OpenOptions::new()
                .write(true)
                .open(&fifo)
                .expect("open fifo");
            let chunk = [b' '; 64 * 1024];
            let mut sent: u64 = 0;
            // Stops when the reader closes its end (EPIPE).
            while pipe.write_all(&chunk).is_ok() {
                sent += chunk.len() as u64;
            }
            sent
        })
    };
    let out = run(
        dir,
        &station,
        &["--json", "validate", fifo.to_str().expect("path")],
        &env,
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["error"]["code"], "too_large", "{json}");
    let sent = writer.join().expect("writer");
    assert!(
        sent <= votekiosk::definition::MAX_DEFINITION_BYTES + 2 * 1024 * 1024,
        "the reader took {sent} bytes of an endless definition"
    );
    assert!(checked > 50);
}

/// Secrets hygiene over a whole election day on the command line.
#[test]
fn a_day_of_cli_output_audit_log_and_exports_holds_no_secret() {
    const PASS: &str = "hygiene-passphrase-7f3a9c";
    const ADMIN_PW: &str = "admin-password-51d2e8";
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let station = dir.join("day.vkstation");
    // The demo definition with its window around now (the demo: its codes
    // may be saved into files and it needs no printer; an official
    // election's are on paper only, see paper.rs).
    let now = chrono::Utc::now();
    let def: Value =
        serde_json::from_str(&votekiosk::demo::definition_json(now).expect("demo")).expect("json");
    std::fs::write(dir.join("def.json"), def.to_string()).expect("write def");
    let env = [
        ("VOTEKIOSK_PASSPHRASE", PASS),
        ("VOTEKIOSK_OFFICIAL_PASSWORD", ADMIN_PW),
        ("VOTEKIOSK_NEW_PASSWORD", ADMIN_PW),
    ];
    // Voter codes go in on standard input, as an official would pipe them.
    let said = std::cell::RefCell::new(String::new());
    let step_with_stdin = |args: &[&str], env: &[(&str, &str)], stdin: &str| -> Output {
        let out = run_with_stdin(dir, &station, args, env, stdin);
        let mut said = said.borrow_mut();
        said.push_str(&String::from_utf8_lossy(&out.stdout));
        said.push_str(&String::from_utf8_lossy(&out.stderr));
        out
    };
    let codes_of = |name: &str| -> Vec<String> {
        let v: Value = serde_json::from_slice(&std::fs::read(dir.join(name)).expect("codes")).expect("json");
        v["codes"]
            .as_array()
            .expect("codes")
            .iter()
            .map(|c| c.as_str().expect("code").to_string())
            .collect()
    };
    let step = |args: &[&str], env: &[(&str, &str)]| step_with_stdin(args, env, "");
    let ok = |out: &Output| assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    ok(&step(
        &["init", "--definition", "def.json", "--station-id", "DAY-1"],
        &env,
    ));
    ok(&step(&["polls", "test", "--official", "admin"], &env));
    ok(&step(
        &[
            "codes",
            "issue",
            "--count",
            "2",
            "--out",
            "test-codes.json",
            "--official",
            "admin",
        ],
        &env,
    ));
    let test_codes = codes_of("test-codes.json");
    ok(&step_with_stdin(
        &["cast", "--choice", "mayor=alvarez"],
        &env,
        &format!("{}\n", test_codes[0]),
    ));
    ok(&step_with_stdin(
        &[
            "closing-key",
            "init",
            "--workers",
            "ana,ben",
            "--threshold",
            "2",
            "--slips-out",
            "slips",
            "--official",
            "admin",
        ],
        &env,
        &format!("{PIN_A}\n{PIN_B}\n"),
    ));
    ok(&step(&["polls", "open", "--official", "admin"], &env));
    ok(&step(
        &[
            "codes",
            "issue",
            "--count",
            "6",
            "--out",
            "codes.json",
            "--official",
            "admin",
        ],
        &env,
    ));
    let codes = codes_of("codes.json");
    let typo = {
        let mut c: Vec<char> = codes[4].chars().collect();
        c[0] = if c[0] == 'A' { 'B' } else { 'A' };
        c.into_iter().collect::<String>()
    };
    let deck: String = [&codes[0], &codes[1], &codes[2], &codes[0], &typo, &test_codes[1]]
        .iter()
        .map(|c| {
            format!(
                "{}\n",
                serde_json::json!({"code": c, "selections": {"mayor": ["chen"]}})
            )
        })
        .collect();
    std::fs::write(dir.join("deck.jsonl"), deck).expect("deck");
    assert!(
        !step(&["cast", "--deck", "deck.jsonl"], &env).status.success(),
        "the deck has bad lines"
    );
    ok(&step_with_stdin(
        &["--json", "cast", "--choice", "library-bond=yes"],
        &env,
        &codes[3],
    ));
    std::fs::write(dir.join("spoiled.txt"), format!("{}\n", codes[5])).expect("code file");
    ok(&step(
        &[
            "codes",
            "revoke",
            "--code-file",
            "spoiled.txt",
            "--official",
            "admin",
        ],
        &env,
    ));
    assert!(!step_with_stdin(
        &["--json", "cast", "--code-file", "-", "--choice", "mayor=chen"],
        &env,
        &codes[5],
    )
    .status
    .success());
    assert!(!step(
        &["--json", "status"],
        &[("VOTEKIOSK_PASSPHRASE", "wrong passphrase here")]
    )
    .status
    .success());
    assert!(!step(
        &["polls", "pause", "--official", "admin"],
        &[
            ("VOTEKIOSK_PASSPHRASE", PASS),
            ("VOTEKIOSK_OFFICIAL_PASSWORD", "wrong-password-0000")
        ]
    )
    .status
    .success());
    assert!(
        !step(&["tally"], &env).status.success(),
        "results hidden while open"
    );
    ok(&step(&["polls", "close", "--official", "admin"], &env));
    ok(&step(&["--json", "status"], &env));
    assert!(!step(&["tally"], &env).status.success(), "count first");
    ok(&step(&["audit", "show", "--limit", "10000"], &env));
    ok(&step(&["--json", "audit", "show", "--limit", "10000"], &env));
    let counted = step_with_stdin(
        &[
            "--json",
            "count",
            "--slip-file",
            "slips/slip-1-ana.txt",
            "--slip-file",
            "slips/slip-2-ben.txt",
            "--export",
            "result.jsonl",
            "--official",
            "admin",
        ],
        &env,
        &format!("{PIN_A}\n{PIN_B}\n"),
    );
    ok(&counted);
    let counted: serde_json::Value = serde_json::from_slice(&counted.stdout).expect("count JSON");
    let key = counted["public_key"]
        .as_str()
        .expect("the station's key")
        .to_string();
    ok(&step(&["verify", "result.jsonl", "--public-key", &key], &env));
    let said = said.into_inner();
    assert!(said.contains("a ballot was cast"), "the audit log was shown");
    assert!(said.contains("PASS"), "{said}");

    // Every secret, in every form it could be printed in.
    let key = FileKey::derive(PASS, read_salt(&station).expect("salt")).expect("key");
    let conn = rusqlite::Connection::open(&station).expect("raw");
    conn.execute_batch(&format!(
        "PRAGMA key = \"x'{}{}'\"; PRAGMA cipher_compatibility = 4;",
        hex::encode(*key.key),
        hex::encode(key.salt)
    ))
    .expect("key");
    let mut stmt = conn.prepare("SELECT name, value FROM secrets").expect("secrets");
    let stored: Vec<(String, Vec<u8>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .collect::<rusqlite::Result<_>>()
        .expect("row");
    assert!(stored.len() >= 3, "{stored:?}");
    let mut secrets: Vec<(String, String)> = vec![
        ("passphrase".into(), PASS.into()),
        ("admin password".into(), ADMIN_PW.into()),
        ("file key".into(), hex::encode(*key.key)),
        ("slip PIN".into(), PIN_A.into()),
        ("slip PIN".into(), PIN_B.into()),
    ];
    for (name, value) in &stored {
        secrets.push((name.clone(), hex::encode(value)));
        secrets.push((format!("{name} (upper hex)"), hex::encode_upper(value)));
    }
    for code in codes.iter().chain(&test_codes).chain([&typo]) {
        secrets.push(("voter code".into(), code.clone()));
        secrets.push(("voter code".into(), code.replace('-', "")));
        secrets.push(("voter code".into(), code.replace('-', "").to_lowercase()));
    }
    // The result and the sealed export beside it.
    let result = std::fs::read_to_string(dir.join("result.jsonl")).expect("result")
        + &std::fs::read_to_string(dir.join("result.sealed.jsonl")).expect("sealed export");
    let html = std::fs::read_to_string(dir.join("result.verify.html"))
        .or_else(|_| std::fs::read_to_string(dir.join("verify.html")))
        .unwrap_or_default();
    for (name, secret) in &secrets {
        assert!(
            !said.contains(secret.as_str()),
            "the CLI printed the {name} {secret}"
        );
        assert!(
            !result.contains(secret.as_str()),
            "the result file holds the {name}"
        );
        assert!(!html.contains(secret.as_str()), "verify.html holds the {name}");
    }
}

/// A voter code typed on the command line would stay in the shell's
/// history and the process list: `cast --code CODE` and `codes revoke
/// CODE` are refused with a message that says where a code goes instead,
/// without echoing it, and the code stays usable.
#[test]
fn a_voter_code_on_the_command_line_is_refused_and_stays_usable() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let station = dir.join("demo.vkstation");
    let env = [
        ("VOTEKIOSK_PASSPHRASE", DEMO_PASS),
        ("VOTEKIOSK_OFFICIAL_PASSWORD", DEMO_ADMIN_PW),
    ];
    assert!(run(dir, &station, &["demo"], &env).status.success());
    assert!(run_with_stdin(
        dir,
        &station,
        &[
            "closing-key",
            "init",
            "--workers",
            "ana,ben",
            "--threshold",
            "2",
            "--official",
            "admin"
        ],
        &env,
        &format!("{PIN_A}\n{PIN_B}\n"),
    )
    .status
    .success());
    assert!(
        run(dir, &station, &["polls", "open", "--official", "admin"], &env)
            .status
            .success()
    );
    let out = run(
        dir,
        &station,
        &["--json", "codes", "issue", "--count", "1", "--official", "admin"],
        &env,
    );
    let batch: Value = serde_json::from_slice(&out.stdout).expect("json");
    let code = batch["codes"][0].as_str().expect("code").to_string();

    for args in [
        vec!["--json", "cast", "--code", &code, "--choice", "mayor=chen"],
        vec!["--json", "codes", "revoke", &code, "--official", "admin"],
    ] {
        let out = run(dir, &station, &args, &env);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("a voter code is never taken from the command line")
                && stderr.contains("--code-file"),
            "{args:?}: {stderr}"
        );
        let json: Value = serde_json::from_slice(&out.stdout).expect("a JSON error");
        assert_eq!(json["error"]["code"], "invalid_input");
        let said = format!("{stderr}{}", String::from_utf8_lossy(&out.stdout));
        assert!(!said.contains(&code), "the refusal echoed the code: {said}");
    }
    let status: Value =
        serde_json::from_slice(&run(dir, &station, &["--json", "status"], &env).stdout).expect("json");
    assert_eq!(status["codes"]["unused"], 1, "{status}");
    assert_eq!(status["ballots"], 0, "{status}");

    // The same code, piped in, casts.
    let out = run_with_stdin(
        dir,
        &station,
        &["--json", "cast", "--choice", "mayor=chen"],
        &env,
        &format!("{code}\n"),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let cast: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(cast["receipt"].is_string(), "{cast}");
}
