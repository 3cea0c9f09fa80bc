//! The office tools at national scale on one machine: 1,000 stations'
//! signed result files of 10,000 ballots each (ten million ballots),
//! checked and combined by the real `votekiosk` CLI an official runs,
//! each command a child process: `verify` of every file, `merge` of all
//! of them into one, `tabulate --definition … --result MERGED`. Each is
//! measured for wall time, MB/s, × `sha256sum` of the same bytes in the
//! same run (reading and hashing every byte once: the floor of any
//! check), and the child's peak resident memory (`ru_maxrss` from
//! `wait4`). The same commands over the first 200 files (two million
//! ballots) show whether memory is flat in the number of ballots.
//!
//! The station files are synthesised, not cast (ten million casts are ten
//! million fsyncs): each is a real `votekiosk-result/2` file written by
//! `export::write_result`, as `Station::export` writes it, from random
//! 128-bit record ids, valid ballots of the bench election (the demo
//! election's five contests, so every contest kind with write-ins and
//! under-votes, plus a ranked contest of 8 candidates with a realistic
//! spread of rankings), random receipt ids and consistent counts, signed
//! with the station's own Ed25519 key. The files are written on every
//! core straight into a temporary folder, removed at the end. A signed
//! trusted-keys file lists the stations; the office signing key file
//! (Argon2id-locked, as `office keygen` writes it) signs the merge.
//!
//! `cargo bench --bench office` runs it in full and writes
//! `target/bench-results/office.md` (sizes from `VOTEKIOSK_BENCH_STATIONS`,
//! `VOTEKIOSK_BENCH_BALLOTS`, `VOTEKIOSK_BENCH_FLAT_STATIONS`,
//! `VOTEKIOSK_BENCH_OFFICE_RUNS`); under `cargo test --benches` it runs
//! four small stations through the same commands.

mod common;

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};

use common::*;
use votekiosk::export::format::{AuditHead, Cards, CountedBy, Polls, StationHeader, Threshold};
use votekiosk::export::{self, ResultContent};
use votekiosk::keys::{Evidence, SecretKeyFile, TrustedKeys, TrustedStation};
use votekiosk::{demo, Ballot, ElectionDefinition, ReceiptId, SelectionsInput, Turnout};

struct Sizes {
    stations: usize,
    ballots: usize,
    /// The smaller run for memory flatness (its first `flat` files).
    flat: usize,
    runs: usize,
}

fn sizes() -> Sizes {
    let s = if full_mode() {
        Sizes {
            stations: env_usize("VOTEKIOSK_BENCH_STATIONS", 1000),
            ballots: env_usize("VOTEKIOSK_BENCH_BALLOTS", 10_000),
            flat: env_usize("VOTEKIOSK_BENCH_FLAT_STATIONS", 200),
            runs: env_usize("VOTEKIOSK_BENCH_OFFICE_RUNS", 1).max(1),
        }
    } else {
        Sizes {
            stations: 4,
            ballots: 40,
            flat: 2,
            runs: 1,
        }
    };
    Sizes {
        flat: s.flat.clamp(1, s.stations),
        ..s
    }
}

/// The merge's open-file limit (issue 17: 1,000 inputs under 256).
const OPEN_FILES: u64 = 256;
const OFFICER: &str = "results officer passphrase";
const TARGET_VERIFY: f64 = 3.0;
const TARGET_MERGE: f64 = 5.0;
const TARGET_RSS: u64 = 256_000_000;
const TARGET_FLAT: f64 = 0.10;

const WRITE_INS: [&str; 4] = ["Jane Doe", "Zed Q", "Ana María Ruiz", "Pat O'Neil"];

/// The ranked contest's candidates and how popular each is as a choice.
const RANKED: [(&str, &str, u32); 8] = [
    ("abara", "Ngozi Abara", 24),
    ("baptiste", "Luc Baptiste", 20),
    ("castillo", "Inés Castillo", 16),
    ("dubois", "Claire Dubois", 12),
    ("eriksen", "Mats Eriksen", 10),
    ("farouk", "Samir Farouk", 8),
    ("gallo", "Rita Gallo", 6),
    ("haddad", "Omar Haddad", 4),
];
/// How many candidates a voter ranks: blank 2%, then 1 to 8 (weights).
const RANK_LENGTHS: [u32; 9] = [2, 22, 20, 16, 12, 9, 7, 5, 7];

/// The fixture office keys (tests/it/support.rs): a real, non-demo
/// election whose office signing key the bench holds.
const OFFICE_SIGNING_SECRET: &str = "1e82bfdac7828caace4891acfb7be6720fddb5153d4f135963af3192d00e8b08";

fn office_json() -> serde_json::Value {
    serde_json::json!({
        "encryption": {
            "suite": "x25519-hkdf-sha256/hkdf-sha256/chacha20-poly1305",
            "public_key": "6549e6c27abe90a08c8380456398c22e9a7c25c01713216faa2710c198772532",
            "fingerprint": "175b 30c6 8678 5048 c7fe 3707 5c2e 4023",
            "commitment": "2ed0bc0274d88532333adb94860aac535e60766d11a0800bbb7af8721dc9f115"
        },
        "signing": {
            "public_key": "0ed83111c897c4f7b119d556bb37c73112e2f32d23e09b4aa71ddb7f39a47529",
            "fingerprint": "548b 1b5f 6f13 db33 2e58 deb6 854d 692c",
            "commitment": "5a7f777d6e229f137635e7eafcca3cdd0728067c3f136912b4ef89de30383044"
        }
    })
}

/// The bench election: the demo's five contests on the fixture office
/// keys (not a demo election), plus a ranked contest of 8 candidates.
fn definition_json() -> String {
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-03T12:00:00Z")
        .expect("time")
        .with_timezone(&chrono::Utc);
    let mut v: serde_json::Value =
        serde_json::from_str(&demo::definition_json(now).expect("demo definition")).expect("json");
    let doc = v.as_object_mut().expect("object");
    doc.remove("demo");
    doc.insert("office".into(), office_json());
    doc.insert("cards".into(), serde_json::json!({"enabled": false}));
    let candidates: Vec<serde_json::Value> = RANKED
        .iter()
        .map(|(id, name, _)| serde_json::json!({"id": id, "name": {"en": name, "es": name}}))
        .collect();
    doc["contests"].as_array_mut().expect("contests").push(serde_json::json!({
        "id": "regional-council",
        "kind": "ranked",
        "title": {"en": "Regional Council", "es": "Consejo Regional"},
        "description": {"en": "Rank as many candidates as you like.", "es": "Clasifique a tantos candidatos como quiera."},
        "max_rankings": 8,
        "candidates": candidates,
    }));
    serde_json::to_string_pretty(&v).expect("json")
}

/// `k` distinct picks from `options`, in random order.
fn distinct(rng: &mut StdRng, options: &[&str], k: usize) -> Vec<String> {
    let mut left: Vec<&str> = options.to_vec();
    (0..k.min(left.len()))
        .map(|_| left.swap_remove(rng.gen_range(0..left.len())).to_string())
        .collect()
}

/// An index drawn with the given weights.
fn weighted(rng: &mut StdRng, weights: &[u32]) -> usize {
    let mut x = rng.gen_range(0..weights.iter().sum::<u32>());
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

/// A ranking of the 8 candidates: its length drawn from `RANK_LENGTHS`,
/// each next choice drawn by popularity among those not yet ranked (so
/// rankings spread over tens of thousands of distinct orders, the popular
/// ones repeating).
fn ranking(rng: &mut StdRng) -> Vec<String> {
    let k = weighted(rng, &RANK_LENGTHS);
    let mut left: Vec<(&str, u32)> = RANKED.iter().map(|(id, _, w)| (*id, *w)).collect();
    (0..k)
        .map(|_| {
            let weights: Vec<u32> = left.iter().map(|(_, w)| *w).collect();
            left.remove(weighted(rng, &weights)).0.to_string()
        })
        .collect()
}

/// A random valid ballot of the bench election.
fn random_selections(rng: &mut StdRng) -> SelectionsInput {
    let mut s = BTreeMap::new();
    let mayor = match rng.gen_range(0..100) {
        0..=2 => vec![],
        3..=7 => vec![format!(
            "write-in:{}",
            WRITE_INS[rng.gen_range(0..WRITE_INS.len())]
        )],
        _ => distinct(rng, &["alvarez", "brooks", "chen"], 1),
    };
    s.insert("mayor".to_string(), mayor);
    let k = rng.gen_range(0..=2);
    s.insert(
        "council".to_string(),
        distinct(rng, &["diaz", "evans", "fischer", "gupta"], k),
    );
    let bond = match rng.gen_range(0..10) {
        0 => vec![],
        1..=5 => vec!["yes".to_string()],
        _ => vec!["no".to_string()],
    };
    s.insert("library-bond".to_string(), bond);
    let k = rng.gen_range(0..=3);
    s.insert(
        "parks-board".to_string(),
        distinct(rng, &["hill", "ito", "jones"], k),
    );
    let k = rng.gen_range(0..=3);
    s.insert(
        "school-board".to_string(),
        distinct(rng, &["kim", "lopez", "moore", "nguyen"], k),
    );
    s.insert("regional-council".to_string(), ranking(rng));
    s
}

fn office_key() -> ed25519_dalek::SigningKey {
    let mut seed = [0u8; 32];
    hex::decode_to_slice(OFFICE_SIGNING_SECRET, &mut seed).expect("hex");
    ed25519_dalek::SigningKey::from_bytes(&seed)
}

/// One station's file, written.
struct StationFile {
    path: PathBuf,
    id: String,
    public_key: [u8; 32],
    closing_key: [u8; 32],
    bytes: u64,
    /// Time in `export::write_result` (count, serialise, sign).
    write: Duration,
}

/// Synthesises station `station`'s signed result file into `dir`.
fn station_file(definition: &ElectionDefinition, dir: &Path, station: usize, n: usize) -> StationFile {
    let mut rng = StdRng::seed_from_u64(0x5eed_0000 + station as u64);
    let mut ballots = Vec::with_capacity(n);
    for _ in 0..n {
        let mut id = [0u8; 16];
        rng.fill_bytes(&mut id);
        let ballot = Ballot::validate(definition, &random_selections(&mut rng)).expect("valid ballot");
        ballots.push((id, ballot));
    }
    let receipts: Vec<String> = (0..n)
        .map(|_| ReceiptId::random(&mut rng).as_str().to_string())
        .collect();
    let (revoked, unused) = (n as u64 / 100, n as u64 / 20);
    let mut seed = [0u8; 32];
    rng.fill_bytes(&mut seed);
    let signing = ed25519_dalek::SigningKey::from_bytes(&seed);
    let mut closing_key = [0u8; 32];
    rng.fill_bytes(&mut closing_key);
    let mut head = [0u8; 32];
    rng.fill_bytes(&mut head);
    let public_key = signing.verifying_key().to_bytes();
    let id = format!("STATION-{station:04}");
    let t = Instant::now();
    let bytes = export::write_result(
        ResultContent {
            definition,
            test: false,
            station: StationHeader {
                id: id.clone(),
                public_key: hex::encode(public_key),
                fingerprint: export::fingerprint(&public_key),
                closing_public_key: hex::encode(closing_key),
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
            counts: Turnout::from_states(n as u64, revoked, unused, n as u64),
            cards: Cards::default(),
            records: ballots,
            receipts,
            audit: AuditHead {
                head: hex::encode(head),
                length: n as u64 + 40,
            },
            attachments: Vec::new(),
            software: export::software(),
        },
        &signing,
    )
    .expect("result file");
    let write = t.elapsed();
    let path = dir.join(format!("station-{station:04}.jsonl"));
    std::fs::write(&path, &bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    StationFile {
        path,
        id,
        public_key,
        closing_key,
        bytes: bytes.len() as u64,
        write,
    }
}

/// Every station's file, on every core (files are independent).
fn synthesise(definition: &ElectionDefinition, dir: &Path, stations: usize, n: usize) -> Vec<StationFile> {
    let threads = std::thread::available_parallelism().map_or(2, |c| c.get());
    let next = AtomicUsize::new(0);
    let mut files: Vec<(usize, StationFile)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= stations {
                            return mine;
                        }
                        mine.push((i, station_file(definition, dir, i, n)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("generator thread"))
            .collect()
    });
    files.sort_by_key(|(i, _)| *i);
    files.into_iter().map(|(_, f)| f).collect()
}

/// Runs `sha256sum` over `paths` (one process, as an official would).
fn sha256sum(paths: &[PathBuf]) -> Duration {
    let t = Instant::now();
    let out = Command::new("sha256sum")
        .args(paths)
        .stderr(Stdio::inherit())
        .output()
        .expect("run sha256sum");
    let d = t.elapsed();
    assert!(out.status.success(), "sha256sum failed");
    d
}

fn sha256sum_version() -> String {
    Command::new("sha256sum")
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// A process's current resident memory (`VmRSS`), in bytes.
fn rss_now(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse::<u64>()
        .ok()?;
    Some(kb * 1024)
}

/// One run of the CLI as a child process.
struct Child {
    wall: Duration,
    /// `ru_maxrss` of the child from `wait4`, in bytes.
    peak: u64,
    /// `VmRSS` sampled every 5 ms, in bytes.
    series: Vec<u64>,
}

impl Child {
    /// The peak after the Argon2id unlock of a key file: the highest
    /// sample once resident memory has fallen by 128 MiB from its running
    /// maximum (Argon2id's 256 MiB given back) and reached its trough; the
    /// whole peak if it never fell so.
    fn peak_after_unlock(&self) -> u64 {
        let s = &self.series;
        let mut max = 0;
        for i in 0..s.len() {
            max = max.max(s[i]);
            if max - s[i] >= 128 << 20 {
                let mut j = i;
                while j + 1 < s.len() && s[j + 1] <= s[j] {
                    j += 1;
                }
                return s[j..].iter().copied().max().unwrap_or(s[j]);
            }
        }
        self.peak
    }
}

/// Set in the spawner process (this bench, run again): run the command
/// after `--`, write `wall_ns max_rss_kib` into this file.
const SPAWN_ENV: &str = "VOTEKIOSK_BENCH_SPAWN_REPORT";
const NOFILE_ENV: &str = "VOTEKIOSK_BENCH_SPAWN_NOFILE";
const AS_ENV: &str = "VOTEKIOSK_BENCH_SPAWN_AS";

/// The spawner: a fresh small process that starts the command and reaps
/// it with `wait4`. Why not from the bench itself: Linux carries the
/// peak RSS of the process that forks into its child's `ru_maxrss` (the
/// forked copy's high-water mark survives `exec`), and the bench holds
/// hundreds of MB; this process holds a few.
fn spawner(report: &OsStr) -> ! {
    let args: Vec<OsString> = std::env::args_os().skip_while(|a| a != "--").skip(1).collect();
    if let Some(limit) = std::env::var(NOFILE_ENV).ok().and_then(|v| v.parse::<u64>().ok()) {
        let l = libc::rlimit {
            rlim_cur: limit,
            rlim_max: limit,
        };
        // SAFETY: a plain system call on a valid struct.
        assert_eq!(
            unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &l) },
            0,
            "setrlimit"
        );
    }
    if let Some(limit) = std::env::var(AS_ENV).ok().and_then(|v| v.parse::<u64>().ok()) {
        let l = libc::rlimit {
            rlim_cur: limit,
            rlim_max: limit,
        };
        // SAFETY: a plain system call on a valid struct.
        assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_AS, &l) }, 0, "setrlimit");
    }
    let t = Instant::now();
    let child = Command::new(&args[0])
        .args(&args[1..])
        .env_remove(SPAWN_ENV)
        .env_remove(NOFILE_ENV)
        .env_remove(AS_ENV)
        .spawn()
        .expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: a zeroed rusage is valid; wait4 fills it.
    let mut rusage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, never waited on through `child`.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut rusage) };
    assert_eq!(r, pid, "wait4: {}", std::io::Error::last_os_error());
    let wall = t.elapsed();
    std::mem::forget(child);
    std::fs::write(report, format!("{} {}\n", wall.as_nanos(), rusage.ru_maxrss)).expect("report");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    std::process::exit(code);
}

/// The spawner's child (the command), once it has started.
fn grandchild(spawner: u32) -> Option<u32> {
    std::fs::read_to_string(format!("/proc/{spawner}/task/{spawner}/children"))
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Runs `votekiosk ARGS` with `stdin` piped in, through the spawner,
/// following its memory; with `open_files`, under that `RLIMIT_NOFILE`;
/// always under `RLIMIT_AS` of `VOTEKIOSK_BENCH_MEMORY_LIMIT_MB` (default
/// 2000, eight times the 256 MB target), so that a command whose memory
/// grows with the ballots fails here instead of taking the shared
/// machine's memory. An error says how the command failed, with the end
/// of its standard error.
fn cli(args: &[OsString], stdin: &str, open_files: Option<u64>) -> Result<Child, String> {
    let tag = format!("votekiosk-office-bench-{}", std::process::id());
    let err_path = std::env::temp_dir().join(format!("{tag}.err"));
    let report_path = std::env::temp_dir().join(format!("{tag}.rusage"));
    let _ = std::fs::remove_file(&report_path);
    let err = std::fs::File::create(&err_path).expect("stderr file");
    let mut cmd = Command::new(std::env::current_exe().expect("this bench"));
    cmd.arg("--")
        .arg(env!("CARGO_BIN_EXE_votekiosk"))
        .args(args)
        .env(SPAWN_ENV, &report_path)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(err);
    if let Some(limit) = open_files {
        cmd.env(NOFILE_ENV, limit.to_string());
    }
    cmd.env(AS_ENV, (memory_limit_mb() * 1_000_000).to_string());
    let mut child = cmd.spawn().expect("run the spawner");
    let spawner_pid = child.id();
    let mut input = child.stdin.take().expect("stdin");
    if let Err(e) = input.write_all(stdin.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "stdin: {e}");
    }
    drop(input);
    let done = AtomicBool::new(false);
    let (status, series) = std::thread::scope(|s| {
        let sampler = s.spawn(|| {
            let mut series = Vec::new();
            let mut pid = None;
            while !done.load(Ordering::Relaxed) {
                pid = pid.or_else(|| grandchild(spawner_pid));
                if let Some(r) = pid.and_then(rss_now) {
                    series.push(r);
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            series
        });
        let status = child.wait().expect("wait for the spawner");
        done.store(true, Ordering::Relaxed);
        (status, sampler.join().expect("sampler"))
    });
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    let _ = std::fs::remove_file(&err_path);
    if !status.success() {
        let _ = std::fs::remove_file(&report_path);
        let tail: String = stderr
            .trim()
            .chars()
            .rev()
            .take(300)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let what = args
            .first()
            .map(|a| a.to_string_lossy().into_owned())
            .unwrap_or_default();
        eprintln!("votekiosk {what} failed ({status}): {stderr}");
        return Err(format!(
            "`votekiosk {what}` failed ({status}, under a {} MB address-space limit): {}",
            memory_limit_mb(),
            tail.replace('\n', " ").replace('|', "/")
        ));
    }
    let report = std::fs::read_to_string(&report_path).expect("the spawner's report");
    let _ = std::fs::remove_file(&report_path);
    let mut fields = report
        .split_whitespace()
        .map(|f| f.parse::<u64>().expect("number"));
    let (wall_ns, max_kib) = (fields.next().expect("wall"), fields.next().expect("rss"));
    Ok(Child {
        wall: Duration::from_nanos(wall_ns),
        peak: max_kib * 1024,
        series,
    })
}

fn memory_limit_mb() -> u64 {
    env_usize("VOTEKIOSK_BENCH_MEMORY_LIMIT_MB", 2000) as u64
}

fn os(s: impl AsRef<OsStr>) -> OsString {
    s.as_ref().to_os_string()
}

/// Whether this `votekiosk verify` takes several files in one run.
fn verify_takes_many() -> bool {
    Command::new(env!("CARGO_BIN_EXE_votekiosk"))
        .args(["verify", "--help"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("<FILE>..."))
        .unwrap_or(false)
}

/// Everything the office commands need.
struct Office {
    dir: PathBuf,
    definition: PathBuf,
    trusted: PathBuf,
    signing_key: PathBuf,
    many: bool,
}

/// One size's measurements.
struct Measured {
    files: usize,
    ballots: usize,
    bytes: u64,
    merged_bytes: u64,
    sha: Samples,
    sha_merged: Samples,
    verify: Samples,
    verify_peak: u64,
    verify_processes: usize,
    merge: Samples,
    merge_peak: u64,
    merge_own_peak: u64,
    tabulate: Samples,
    tabulate_peak: u64,
    /// Commands that failed (their samples are `Duration::MAX`).
    errors: Vec<String>,
}

impl Office {
    fn verify(&self, paths: &[PathBuf]) -> Result<(Duration, u64, usize), String> {
        let anchor = [os("--trusted-keys"), os(&self.trusted)];
        if self.many {
            let mut args = vec![os("verify")];
            args.extend(paths.iter().map(os));
            args.extend(anchor);
            let c = cli(&args, "", None)?;
            return Ok((c.wall, c.peak, 1));
        }
        // One process per file: the sum of their wall times (each from its
        // start to its reaping), the highest of their peaks.
        let (mut wall, mut peak) = (Duration::ZERO, 0);
        for p in paths {
            let mut args = vec![os("verify"), os(p)];
            args.extend(anchor.iter().cloned());
            let c = cli(&args, "", None)?;
            wall += c.wall;
            peak = peak.max(c.peak);
        }
        Ok((wall, peak, paths.len()))
    }

    fn merge(&self, paths: &[PathBuf], out: &Path) -> Result<Child, String> {
        let _ = std::fs::remove_file(out);
        let mut args = vec![os("merge")];
        args.extend(paths.iter().map(os));
        args.extend([
            os("--trusted-keys"),
            os(&self.trusted),
            os("--signing-key"),
            os(&self.signing_key),
            os("--out"),
            os(out),
            os("--merged-at"),
            os("2026-11-04T08:00:00.000Z"),
        ]);
        cli(&args, &format!("{OFFICER}\n"), Some(OPEN_FILES))
    }

    fn tabulate(&self, merged: &Path) -> Result<Child, String> {
        let out = self.dir.join("tally.json");
        let _ = std::fs::remove_file(&out);
        let c = cli(
            &[
                os("tabulate"),
                os("--definition"),
                os(&self.definition),
                os("--result"),
                os(merged),
                os("--trusted-keys"),
                os(&self.trusted),
                os("--out"),
                os(&out),
            ],
            "",
            None,
        );
        let _ = std::fs::remove_file(&out);
        c
    }

    /// Floor, verify, merge, tabulate over `files`, `runs` times interleaved.
    fn measure(&self, files: &[StationFile], ballots: usize, runs: usize) -> Measured {
        let paths: Vec<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
        let merged = self.dir.join(format!("merged-{}.jsonl", files.len()));
        let (mut sha, mut sha_merged, mut verify, mut merge, mut tabulate) =
            (vec![], vec![], vec![], vec![], vec![]);
        let (mut verify_peak, mut merge_peak, mut merge_own, mut tabulate_peak, mut processes) =
            (0, 0, 0, 0, 0);
        let mut errors: Vec<String> = Vec::new();
        let nan = Duration::MAX;
        for run in 0..runs {
            eprintln!(
                "  {} files, run {}: sha256sum, verify, merge, tabulate",
                files.len(),
                run + 1
            );
            sha.push(sha256sum(&paths));
            match self.verify(&paths) {
                Ok((t, peak, n)) => {
                    verify.push(t);
                    verify_peak = verify_peak.max(peak);
                    processes = n;
                }
                Err(e) => {
                    verify.push(nan);
                    errors.push(e);
                }
            }
            match self.merge(&paths, &merged) {
                Ok(m) => {
                    merge.push(m.wall);
                    merge_peak = merge_peak.max(m.peak);
                    merge_own = merge_own.max(m.peak_after_unlock());
                    sha_merged.push(sha256sum(std::slice::from_ref(&merged)));
                    match self.tabulate(&merged) {
                        Ok(c) => {
                            tabulate.push(c.wall);
                            tabulate_peak = tabulate_peak.max(c.peak);
                        }
                        Err(e) => {
                            tabulate.push(nan);
                            errors.push(e);
                        }
                    }
                }
                Err(e) => {
                    merge.push(nan);
                    sha_merged.push(nan);
                    tabulate.push(nan);
                    errors.push(e);
                    errors.push("tabulate: not run (no merged file)".into());
                }
            }
        }
        let merged_bytes = std::fs::metadata(&merged).map(|m| m.len()).unwrap_or(0);
        if let Some(keep) = std::env::var_os("VOTEKIOSK_BENCH_KEEP") {
            let keep = PathBuf::from(keep);
            std::fs::create_dir_all(&keep).expect("keep dir");
            std::fs::copy(&merged, keep.join(merged.file_name().expect("name"))).expect("keep");
        }
        let _ = std::fs::remove_file(&merged);
        Measured {
            files: files.len(),
            ballots: files.len() * ballots,
            bytes: files.iter().map(|f| f.bytes).sum(),
            merged_bytes,
            sha: Samples::from_durations(&sha),
            sha_merged: Samples::from_durations(&sha_merged),
            verify: Samples::from_durations(&verify),
            verify_peak,
            verify_processes: processes,
            merge: Samples::from_durations(&merge),
            merge_peak,
            merge_own_peak: merge_own,
            tabulate: Samples::from_durations(&tabulate),
            tabulate_peak,
            errors,
        }
    }
}

/// A long duration in minutes or hours.
fn long(secs: f64) -> String {
    if secs >= 3600.0 {
        format!("{:.1} h", secs / 3600.0)
    } else if secs >= 60.0 {
        format!("{:.1} min", secs / 60.0)
    } else {
        human(secs)
    }
}

fn mbps(bytes: u64, secs: f64) -> String {
    format!("{:.0} MB/s", bytes as f64 / 1e6 / secs)
}

fn verdict(ok: bool) -> String {
    if ok {
        "met".into()
    } else {
        "**missed**".into()
    }
}

/// Within 10 % of the smaller run.
fn flat(big: u64, small: u64) -> bool {
    (big as f64) <= small as f64 * (1.0 + TARGET_FLAT)
}

/// Whether every run of a step finished.
fn ran(s: &Samples) -> bool {
    s.max() < 1e15
}

fn shown(s: &Samples) -> String {
    if ran(s) {
        human(s.median())
    } else {
        "did not finish".into()
    }
}

fn range(s: &Samples) -> String {
    if ran(s) {
        s.median_range()
    } else {
        "did not finish (below)".into()
    }
}

fn times(a: &Samples, floor: &Samples) -> String {
    if ran(a) && ran(floor) {
        ratio(a.median(), floor.median())
    } else {
        "—".into()
    }
}

fn rate_of(bytes: u64, s: &Samples) -> String {
    if ran(s) {
        mbps(bytes, s.median())
    } else {
        "—".into()
    }
}

fn rows(m: &Measured, bold: bool) -> Vec<Vec<String>> {
    let b = |s: String| if bold { format!("**{s}**") } else { s };
    vec![
        vec![
            format!("floor: `sha256sum` over the {} files", m.files),
            m.sha.median_range(),
            mbps(m.bytes, m.sha.median()),
            "1".into(),
            "—".into(),
        ],
        vec![
            b(format!(
                "`votekiosk verify` of each of the {} files{}",
                m.files,
                if m.verify_processes > 1 {
                    format!(" ({} processes, one after another)", m.verify_processes)
                } else {
                    " (one process)".into()
                }
            )),
            b(range(&m.verify)),
            rate_of(m.bytes, &m.verify),
            b(times(&m.verify, &m.sha)),
            mb(m.verify_peak),
        ],
        vec![
            b(format!(
                "`votekiosk merge` of the {} files into one ({}), open files limited to {OPEN_FILES}",
                m.files,
                mb(m.merged_bytes)
            )),
            b(range(&m.merge)),
            rate_of(m.bytes, &m.merge),
            b(times(&m.merge, &m.sha)),
            format!(
                "{} ({} after the key's Argon2id unlock)",
                mb(m.merge_peak),
                mb(m.merge_own_peak)
            ),
        ],
        vec![
            format!("floor: `sha256sum` over the merged file ({})", mb(m.merged_bytes)),
            range(&m.sha_merged),
            rate_of(m.merged_bytes, &m.sha_merged),
            "1".into(),
            "—".into(),
        ],
        vec![
            b("`votekiosk tabulate --definition … --result MERGED` (verify, count)".to_string()),
            b(range(&m.tabulate)),
            rate_of(m.merged_bytes, &m.tabulate),
            b(if ran(&m.tabulate) {
                format!(
                    "{} `sha256sum` of the merged file",
                    times(&m.tabulate, &m.sha_merged)
                )
            } else {
                "—".into()
            }),
            if ran(&m.tabulate) {
                mb(m.tabulate_peak)
            } else {
                "—".into()
            },
        ],
    ]
}

fn main() {
    if let Some(report) = std::env::var_os(SPAWN_ENV) {
        spawner(&report);
    }
    let sz = sizes();
    let load_before = load_average();
    let sha_version = sha256sum_version();
    let commit = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "?".into());
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().to_path_buf();
    let definition_text = definition_json();
    let definition = ElectionDefinition::parse(definition_text.as_bytes()).expect("bench definition");
    let definition_path = dir.join("definition.json");
    std::fs::write(&definition_path, &definition_text).expect("definition");

    // ---- synthesise: station files, trusted keys, office key file ---------
    let t = Instant::now();
    let files = synthesise(&definition, &dir, sz.stations, sz.ballots);
    let synth = t.elapsed();
    let total_bytes: u64 = files.iter().map(|f| f.bytes).sum();
    eprintln!(
        "synthesised {} stations × {} ballots ({}) in {:.1} s",
        sz.stations,
        sz.ballots,
        mb(total_bytes),
        synth.as_secs_f64()
    );
    let mut trusted = TrustedKeys::empty(definition.hash().0);
    trusted.stations = files
        .iter()
        .map(|f| TrustedStation {
            station_id: f.id.clone(),
            public_key: f.public_key,
            closing_public_key: f.closing_key,
            added_at: "2026-11-02T10:00:00.000Z".into(),
            evidence: Evidence::ZeroReport,
        })
        .collect();
    trusted.stations.sort_by(|a, b| a.station_id.cmp(&b.station_id));
    let (_, trusted_bytes) = trusted
        .reissue(&office_key(), "2026-11-02T10:00:00.000Z")
        .expect("trusted keys");
    let trusted_path = dir.join("trusted-keys.json");
    std::fs::write(&trusted_path, &trusted_bytes).expect("trusted keys");
    let key_file = SecretKeyFile::create(&office_key().to_bytes(), OFFICER, &mut rand::rngs::OsRng)
        .expect("office signing key file");
    let key_path = dir.join("office-signing.vkkey");
    std::fs::write(&key_path, key_file.to_bytes()).expect("key file");
    let office = Office {
        dir: dir.clone(),
        definition: definition_path,
        trusted: trusted_path,
        signing_key: key_path,
        many: verify_takes_many(),
    };
    let write_s = Samples::from_durations(&files.iter().map(|f| f.write).collect::<Vec<_>>());

    // ---- the floor of the merge's memory: the key file's unlock ----------
    let unlock = office
        .merge(
            std::slice::from_ref(&files[0].path),
            &dir.join("merged-one.jsonl"),
        )
        .unwrap_or_else(|e| panic!("a merge of one file: {e}"));
    let _ = std::fs::remove_file(dir.join("merged-one.jsonl"));

    // ---- the smaller run, then the whole ----------------------------------
    let small = office.measure(&files[..sz.flat], sz.ballots, sz.runs);
    let big = office.measure(&files, sz.ballots, sz.runs);
    let load_after = load_average();
    drop(files);
    if std::env::var_os("VOTEKIOSK_BENCH_KEEP").is_some() {
        // For profiling one command by hand (perf, heaptrack) on the files.
        eprintln!(
            "kept the station files, keys and merged file in {}",
            tmp.keep().display()
        );
    } else {
        drop(tmp); // the files go before the report is written
    }
    for (name, s) in [
        ("sha256sum all", &big.sha),
        ("verify all", &big.verify),
        ("merge all", &big.merge),
        ("tabulate merged", &big.tabulate),
        ("write one", &write_s),
    ] {
        eprintln!("{}", s.summary(name));
    }

    // ---- report -------------------------------------------------------------
    let mut md = String::new();
    md.push_str(&format!(
        "## Office scale: verify, merge, tabulate (`benches/office.rs`)\n\n\
         **Command**: `cargo bench --bench office` (run by `scripts/bench`), \
         at commit {commit}. \
         {} station result files (`votekiosk-result/2`) of {} ballots each \
         ({} ballots, {} on disk, {} per file), written by `export::write_result` \
         as `Station::export` writes them and signed with {} different Ed25519 keys; \
         the election is the demo's five contests (candidate vote-for-1 with \
         write-ins, vote-for-2, a yes/no measure, approval, ranked of 4) plus a \
         ranked contest of 8 candidates (2% blank, rankings of 1 to 8 drawn by \
         popularity). Synthesised on {} threads in {} (median {} per file in \
         `write_result`). Each command is the release `votekiosk` binary as a \
         child process, its peak resident memory `ru_maxrss` from `wait4` (reaped \
         by a small spawner process: a child forked from the bench itself \
         would carry the bench's own peak in its `ru_maxrss`); \
         {} run(s) of each, interleaved, first over the first {} files ({} \
         ballots), then over all {}. Load average {load_before} before, \
         {load_after} after.\n\n\
         **Baseline (floor)**: `sha256sum` over the same bytes, measured in the \
         same run (`{sha_version}`: {} over the {} files): reading and hashing \
         every byte once.\n\n",
        sz.stations,
        sz.ballots,
        sz.stations * sz.ballots,
        mb(total_bytes),
        mb(total_bytes / sz.stations as u64),
        sz.stations,
        std::thread::available_parallelism().map_or(2, |c| c.get()),
        human(synth.as_secs_f64()),
        human(write_s.median()),
        sz.runs,
        sz.flat,
        sz.flat * sz.ballots,
        sz.stations,
        mbps(big.bytes, big.sha.median()),
        sz.stations,
    ));
    let header = [
        "What",
        "Median (min–max)",
        "MB/s",
        "× sha256sum",
        "Peak RSS (child)",
    ];
    md.push_str(&format!("### {} ballots ({} files)\n\n", big.ballots, big.files));
    md.push_str(&table(&header, &rows(&big, true)));
    md.push_str(&format!(
        "\n### {} ballots ({} files), for memory flatness\n\n",
        small.ballots, small.files
    ));
    md.push_str(&table(&header, &rows(&small, false)));
    for e in big.errors.iter().chain(&small.errors) {
        md.push_str(&format!("\n- Did not finish: {e}\n"));
    }
    md.push_str(&format!(
        "\nThe merge unlocks the office signing key file first: Argon2id at the \
         file's fixed cost (256 MiB, `docs/formats.md`; a security setting, not \
         lowered). A merge of one file peaks at {} ({}): that is the floor of \
         the merge's peak whatever it reads. \"After the unlock\" is the highest \
         `VmRSS` sampled every 5 ms once resident memory has dropped by 128 MiB \
         from its maximum (Argon2id's memory given back).\n",
        mb(unlock.peak),
        human(unlock.wall.as_secs_f64())
    ));

    // Memory flatness and the extrapolation.
    let rate = |secs: f64| big.ballots as f64 / secs;
    let at_150m = |secs: f64| {
        if secs < 1e15 {
            long(150e6 / rate(secs))
        } else {
            "— (did not finish here)".into()
        }
    };
    md.push_str(&format!(
        "\n### Memory, 2 M against 10 M, and 150 M ballots\n\n\
         Peak RSS, {} ballots ÷ {} ballots: verify {}, merge {} (after the \
         unlock: {}), tabulate {} (target: within ×{:.2}).\n\n\
         At the rates measured here ({} files of {} ballots; one machine, {} \
         cores), 150,000,000 ballots would take: verify {} ({:.0} ballots/s, \
         {}), merge {} ({:.0} ballots/s, {}), tabulate of the merged file {} \
         ({:.0} ballots/s). This rests on the rates above staying linear \
         (nothing in the commands is worse than linear in the ballots) and on \
         files of {} ballots; 150 M ballots from ~100,000 stations are files \
         of ~1,500, where the per-file work (opening, the header, a signature, \
         {}) weighs more. Memory: the peak does not grow with the ballots if \
         the flatness above holds, so the same peaks apply.\n\n",
        big.ballots,
        small.ballots,
        ratio(big.verify_peak as f64, small.verify_peak as f64),
        ratio(big.merge_peak as f64, small.merge_peak as f64),
        ratio(big.merge_own_peak as f64, small.merge_own_peak as f64),
        ratio(big.tabulate_peak as f64, small.tabulate_peak as f64),
        1.0 + TARGET_FLAT,
        big.files,
        sz.ballots,
        std::thread::available_parallelism().map_or(2, |c| c.get()),
        at_150m(big.verify.median()),
        rate(big.verify.median()),
        mbps(big.bytes, big.verify.median()),
        at_150m(big.merge.median()),
        rate(big.merge.median()),
        mbps(big.bytes, big.merge.median()),
        at_150m(big.tabulate.median()),
        rate(big.tabulate.median()),
        sz.ballots,
        if big.verify_processes > 1 {
            "and here one `verify` process per file"
        } else {
            "one verify process for all"
        }
    ));
    print!("{md}");
    write_fragment("office", &md);

    let verify_x = big.verify.median() / big.sha.median();
    let merge_x = big.merge.median() / big.sha.median();
    let tag = format!("{} × {} ballots", big.files, sz.ballots);
    write_summary(
        "office",
        &[
            [
                format!("Verify {tag}, ÷ `sha256sum` of the same files"),
                format!("≤ {TARGET_VERIFY}"),
                format!(
                    "×{verify_x:.2} ({} vs {}; `sha256sum` {})",
                    shown(&big.verify),
                    human(big.sha.median()),
                    mbps(big.bytes, big.sha.median())
                ),
                verdict(verify_x <= TARGET_VERIFY),
            ],
            [
                format!("Merge {tag}, ÷ `sha256sum` of the same files"),
                format!("≤ {TARGET_MERGE}"),
                format!("×{merge_x:.2} ({})", shown(&big.merge)),
                verdict(merge_x <= TARGET_MERGE),
            ],
            [
                format!("Tabulate the merged {} ballots", big.ballots),
                "reported".into(),
                if ran(&big.tabulate) {
                    format!(
                        "{} ({} `sha256sum` of the merged file)",
                        shown(&big.tabulate),
                        times(&big.tabulate, &big.sha_merged)
                    )
                } else {
                    shown(&big.tabulate)
                },
                "reported".into(),
            ],
            [
                format!("Peak RSS, {} ballots: verify, merge, tabulate", big.ballots),
                "≤ 256 MB each".into(),
                format!(
                    "{}, {} ({} after the Argon2id key unlock, whose floor is {}), {}",
                    mb(big.verify_peak),
                    mb(big.merge_peak),
                    mb(big.merge_own_peak),
                    mb(unlock.peak),
                    mb(big.tabulate_peak)
                ),
                {
                    // A command that did not finish has no peak to meet the target.
                    let finished = ran(&big.verify) && ran(&big.merge) && ran(&big.tabulate);
                    let own = finished
                        && [big.verify_peak, big.merge_own_peak, big.tabulate_peak]
                            .iter()
                            .all(|p| *p <= TARGET_RSS);
                    match (own, big.merge_peak <= TARGET_RSS) {
                        (true, true) => "met".into(),
                        (true, false) => {
                            "met but for the merge's key unlock (Argon2id, a security setting)".into()
                        }
                        _ => "**missed**".into(),
                    }
                },
            ],
            [
                format!("Peak RSS, {} ÷ {} ballots", big.ballots, small.ballots),
                "within 10 %".into(),
                format!(
                    "verify {}, merge {}, tabulate {}",
                    ratio(big.verify_peak as f64, small.verify_peak as f64),
                    ratio(big.merge_own_peak as f64, small.merge_own_peak as f64),
                    ratio(big.tabulate_peak as f64, small.tabulate_peak as f64)
                ),
                verdict(
                    flat(big.verify_peak, small.verify_peak)
                        && flat(big.merge_own_peak, small.merge_own_peak)
                        && flat(big.tabulate_peak, small.tabulate_peak),
                ),
            ],
        ],
    );
}
