//! The README's command-line walk-through, run as written: every ```sh
//! block of its "Using the command line" section, in order, as one bash
//! script (`set -euo pipefail`) in an empty folder, with the built
//! `votekiosk` first on the PATH. Secrets come the way the README shows
//! (the environment); nothing else is set up beforehand.

use std::path::Path;
use std::process::{Command, Stdio};

const README: &str = include_str!("../../README.md");
const SECTION: &str = "## Using the command line";

/// The shell blocks of the walk-through section, joined in order.
fn walk_through() -> String {
    let start = README
        .find(SECTION)
        .unwrap_or_else(|| panic!("README.md has no {SECTION:?} section"));
    let section = &README[start + SECTION.len()..];
    let section = section.find("\n## ").map_or(section, |end| &section[..end]);
    let mut script = String::new();
    let mut in_block = false;
    let mut blocks = 0;
    for line in section.lines() {
        let fence = line.trim_start();
        if !in_block && fence.starts_with("```") {
            assert_eq!(
                fence, "```sh",
                "every code block of the walk-through is a shell block: {line:?}"
            );
            in_block = true;
            blocks += 1;
        } else if in_block && fence.starts_with("```") {
            in_block = false;
        } else if in_block {
            script.push_str(line);
            script.push('\n');
        }
    }
    assert!(!in_block, "an unclosed code block in the walk-through");
    assert!(blocks >= 2, "the walk-through has {blocks} shell blocks");
    script
}

#[test]
fn the_readme_command_line_walk_through_runs_as_written() {
    let script = walk_through();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let bin = dir.join("bin");
    std::fs::create_dir(&bin).expect("bin");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_votekiosk"), bin.join("votekiosk")).expect("symlink");
    let work = dir.join("work");
    std::fs::create_dir(&work).expect("work");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into())
    );
    let mut cmd = Command::new("bash");
    cmd.arg("-c")
        .arg(format!("set -euo pipefail\n{script}"))
        .current_dir(&work)
        .env("PATH", path)
        .stdin(Stdio::null());
    for (var, _) in std::env::vars() {
        if var.starts_with("VOTEKIOSK_") {
            cmd.env_remove(var);
        }
    }
    let out = cmd.output().expect("run bash");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the walk-through stopped:\n--- script\n{script}--- stdout\n{stdout}--- stderr\n{stderr}"
    );
    assert!(!stderr.contains("warning:"), "the walk-through warned:\n{stderr}");
    // What the walk-through says happened, happened.
    for says in [
        "Ballot cast",
        "Recorded",
        "Code revoked",
        "Audit chain OK",
        "PASS",
        "Included",
    ] {
        assert!(
            stdout.contains(says),
            "the walk-through never said {says:?}:\n{stdout}"
        );
    }
    assert!(Path::new(&work.join("results.jsonl")).is_file());
    assert!(Path::new(&work.join("results.sealed.jsonl")).is_file());
}
