//! The office tools at the scale of a jurisdiction: 100 stations' signed
//! result files of 10,000 ballots each (a million ballots), sealed, then
//! verified one by one and merged, against `sha256sum` over the same files
//! (reading and hashing every byte once: the floor of any check).
//!
//! The station files are synthesised, not cast (a million casts are a
//! million fsyncs): each is a real `votekiosk-result/2` file written by
//! `export::write_result`, as `Station::export` writes it, from random
//! 128-bit record ids, valid ballots of the demo election (all four
//! contest kinds, write-ins, under-votes), random receipt ids and
//! consistent counts, signed with its own Ed25519 key. The stations are
//! trusted by a trusted-keys list in memory, the merge is signed with the
//! test fixture's office signing key.
//!
//! `cargo bench --bench office` runs it in full and writes
//! `target/bench-results/office.md`; under `cargo test --benches` it runs
//! three small stations.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};

use common::*;
use votekiosk::export::format::{AuditHead, Cards, CountedBy, Polls, StationHeader, Threshold};
use votekiosk::export::merge::{merge, MergeSettings};
use votekiosk::export::verify::{verify_bytes, Anchor, Discard, Options, TrustedStations};
use votekiosk::export::{self, ResultContent};
use votekiosk::{demo, Ballot, ElectionDefinition, ReceiptId, SelectionsInput, Turnout};

struct Sizes {
    stations: usize,
    ballots: usize,
    runs: usize,
}

fn sizes() -> Sizes {
    if full_mode() {
        Sizes {
            stations: env_usize("VOTEKIOSK_BENCH_STATIONS", 100),
            ballots: env_usize("VOTEKIOSK_BENCH_BALLOTS", 10_000),
            runs: 3,
        }
    } else {
        Sizes {
            stations: 3,
            ballots: 40,
            runs: 1,
        }
    }
}

const WRITE_INS: [&str; 4] = ["Jane Doe", "Zed Q", "Ana María Ruiz", "Pat O'Neil"];

/// `k` distinct picks from `options`, in random order.
fn distinct(rng: &mut StdRng, options: &[&str], k: usize) -> Vec<String> {
    let mut left: Vec<&str> = options.to_vec();
    (0..k.min(left.len()))
        .map(|_| left.swap_remove(rng.gen_range(0..left.len())).to_string())
        .collect()
}

/// A random valid ballot of the demo election.
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
    s
}

/// The stations' keys, trusted under their ids.
struct Trusted {
    hash: [u8; 32],
    keys: BTreeMap<String, [u8; 32]>,
}

impl TrustedStations for Trusted {
    fn definition_hash(&self) -> [u8; 32] {
        self.hash
    }
    fn station_key(&self, station_id: &str) -> Option<[u8; 32]> {
        self.keys.get(station_id).copied()
    }
}

/// The test fixture's office signing key.
fn office_key() -> ed25519_dalek::SigningKey {
    let mut seed = [0u8; 32];
    hex::decode_to_slice(
        "1e82bfdac7828caace4891acfb7be6720fddb5153d4f135963af3192d00e8b08",
        &mut seed,
    )
    .expect("hex");
    ed25519_dalek::SigningKey::from_bytes(&seed)
}

/// One station's signed result file, its id and key, and how long writing took.
fn station_file(
    definition: &ElectionDefinition,
    station: usize,
    n: usize,
) -> (Vec<u8>, String, [u8; 32], Duration) {
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
    let mut head = [0u8; 32];
    rng.fill_bytes(&mut head);
    let public_key = signing.verifying_key().to_bytes();
    let id = format!("STATION-{station:03}");
    let t = Instant::now();
    let bytes = export::write_result(
        ResultContent {
            definition,
            test: false,
            station: StationHeader {
                id: id.clone(),
                public_key: hex::encode(public_key),
                fingerprint: export::fingerprint(&public_key),
                closing_public_key: hex::encode(head),
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
    (bytes, id, public_key, t.elapsed())
}

fn sha256sum(paths: &[PathBuf]) -> Duration {
    let t = Instant::now();
    let out = Command::new("sha256sum")
        .args(paths)
        .output()
        .expect("run sha256sum");
    let d = t.elapsed();
    assert!(out.status.success(), "sha256sum failed");
    d
}

/// A process's peak resident memory so far (`VmHWM`), in bytes.
fn peak_rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse::<u64>()
        .ok()?;
    Some(kb * 1024)
}

/// Runs the real `votekiosk` CLI and follows its peak memory (read every
/// few milliseconds until it exits; the peak only grows). Returns the
/// wall time and the last peak seen.
fn cli_peak(args: &[&std::ffi::OsStr]) -> (Duration, u64) {
    let t = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_votekiosk"))
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run votekiosk");
    let mut peak = 0;
    loop {
        if let Some(p) = peak_rss(child.id()) {
            peak = peak.max(p);
        }
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "votekiosk {args:?} failed");
            return (t.elapsed(), peak);
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn merge_s_median(times: &[Duration]) -> f64 {
    Samples::from_durations(times).median()
}

fn main() {
    let sz = sizes();
    let load_before = load_average();
    let dir = tempfile::tempdir().expect("tempdir");
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-03T12:00:00Z")
        .expect("time")
        .with_timezone(&chrono::Utc);
    let definition = demo::definition(now).expect("demo definition");

    // ---- synthesise and seal ------------------------------------------------
    let mut seal_t = Vec::with_capacity(sz.stations);
    let mut paths = Vec::with_capacity(sz.stations);
    let mut total_bytes = 0u64;
    let mut trusted = Trusted {
        hash: definition.hash().0,
        keys: BTreeMap::new(),
    };
    let t = Instant::now();
    for s in 0..sz.stations {
        let (text, id, key, sealed) = station_file(&definition, s, sz.ballots);
        trusted.keys.insert(id, key);
        let path = dir.path().join(format!("station-{s:03}.jsonl"));
        std::fs::write(&path, &text).expect("write station file");
        total_bytes += text.len() as u64;
        seal_t.push(sealed);
        paths.push(path);
    }
    eprintln!(
        "synthesised {} stations × {} ballots ({}) in {:.1} s",
        sz.stations,
        sz.ballots,
        mb(total_bytes),
        t.elapsed().as_secs_f64()
    );
    let seal_s = Samples::from_durations(&seal_t);
    let seal_total: f64 = seal_t.iter().map(Duration::as_secs_f64).sum();

    // ---- floor, verify, merge: interleaved runs ---------------------------
    let (mut sha_t, mut verify_t, mut merge_t, mut per_file_t) = (vec![], vec![], vec![], vec![]);
    let merged_path = dir.path().join("merged.jsonl");
    let anchor = Options {
        anchor: Anchor::Trusted(&trusted),
        ..Options::default()
    };
    let office = office_key();
    let settings = MergeSettings {
        trusted: &trusted,
        signing: &office,
        merged_at: "2026-11-04T08:00:00.000Z".into(),
        software: export::software(),
    };
    let mut merged_len = 0u64;
    for run in 0..sz.runs {
        sha_t.push(sha256sum(&paths));

        let t = Instant::now();
        for p in &paths {
            let t1 = Instant::now();
            let bytes = export::read_file(p).expect("read");
            let report = verify_bytes(&bytes, &anchor, &mut Discard);
            assert!(report.passed(), "{}: {:?}", p.display(), report.failures);
            if run == 0 {
                per_file_t.push(t1.elapsed());
            }
        }
        verify_t.push(t.elapsed());

        let t = Instant::now();
        let merged = merge(&paths, &settings, &mut |_, _, _| {}).expect("merge");
        let _ = std::fs::remove_file(&merged_path);
        std::fs::write(&merged_path, &merged).expect("write merged");
        merge_t.push(t.elapsed());
        merged_len = merged.len() as u64;
    }
    // The merged file verifies too (a million records recounted).
    let (verify_merged, report) = time(|| {
        let bytes = export::read_file(&merged_path).expect("read merged");
        verify_bytes(&bytes, &anchor, &mut Discard)
    });
    assert!(report.passed(), "merged: {:?}", report.failures);
    assert_eq!(report.ballots, (sz.stations * sz.ballots) as u64);
    let sha_merged = sha256sum(std::slice::from_ref(&merged_path));
    // Peak memory, from the CLI an official runs, one run each.
    let first_key = hex::encode(trusted.keys.values().next().expect("a station"));
    let (cli_verify_t, verify_peak) = cli_peak(&[
        "verify".as_ref(),
        paths[0].as_os_str(),
        "--public-key".as_ref(),
        first_key.as_ref(),
    ]);
    let hash = definition.hash().to_hex();
    let (cli_verify_merged_t, verify_merged_peak) = cli_peak(&[
        "verify".as_ref(),
        merged_path.as_os_str(),
        "--definition-hash".as_ref(),
        hash.as_ref(),
    ]);
    // The CLI merge needs a trusted-keys file and the office key file: its
    // time is that of the library's merge above.
    let (cli_merge_t, merge_peak) = (Duration::from_secs_f64(merge_s_median(&merge_t)), 0u64);
    // To compare outputs across changes: VOTEKIOSK_BENCH_KEEP=DIR keeps the files.
    if let Some(keep) = std::env::var_os("VOTEKIOSK_BENCH_KEEP") {
        let keep = PathBuf::from(keep);
        std::fs::create_dir_all(&keep).expect("keep dir");
        for p in paths.iter().chain([&merged_path]) {
            std::fs::copy(p, keep.join(p.file_name().expect("name"))).expect("keep");
        }
    }
    let load_after = load_average();

    let sha_s = Samples::from_durations(&sha_t);
    let verify_s = Samples::from_durations(&verify_t);
    let merge_s = Samples::from_durations(&merge_t);
    let per_file_s = Samples::from_durations(&per_file_t);
    for (name, s) in [
        ("sha256sum all", &sha_s),
        ("verify all", &verify_s),
        ("merge all", &merge_s),
        ("verify one", &per_file_s),
        ("seal one", &seal_s),
    ] {
        eprintln!("{}", s.summary(name));
    }

    let total = sz.stations * sz.ballots;
    let mut md = String::new();
    md.push_str(&format!(
        "## Office scale: export, verify, merge (`benches/office.rs`)\n\n\
         **Command**: `cargo bench --bench office` (run by `scripts/bench`). \
         {} station result files of {} ballots each ({} ballots, {} on disk, \
         {} per file), written by `export::write_result` as `Station::export` \
         writes them (random 128-bit record ids, valid ballots of the demo \
         election's five contests, random receipt ids, the result from \
         `tabulate`, consistent counts) and signed with {} different Ed25519 keys. \
         {} runs of each step, interleaved; load average {load_before} \
         before, {load_after} after.\n\n\
         **Baseline (floor)**: `sha256sum` (the coreutils command, one process) \
         over the same {} files: reading and hashing every byte once.\n\n",
        sz.stations,
        sz.ballots,
        total,
        mb(total_bytes),
        mb(total_bytes / sz.stations as u64),
        sz.stations,
        sz.runs,
        sz.stations
    ));
    md.push_str(&table(
        &[
            "What",
            "Median (min–max)",
            "× sha256sum",
            "`votekiosk` CLI: time, peak RSS",
        ],
        &[
            vec![
                format!("floor: `sha256sum` over the {} files", sz.stations),
                sha_s.median_range(),
                "1".into(),
                "—".into(),
            ],
            vec![
                format!("write (count, serialise, sign), per {}-ballot file", sz.ballots),
                seal_s.median_range(),
                "—".into(),
                "—".into(),
            ],
            vec![
                format!("seal, all {} files (sum)", sz.stations),
                human(seal_total),
                ratio(seal_total, sha_s.median()),
                "—".into(),
            ],
            vec![
                format!("verify one {}-ballot file (read, check, recount)", sz.ballots),
                per_file_s.median_range(),
                "—".into(),
                format!("{}, {}", human(cli_verify_t.as_secs_f64()), mb(verify_peak)),
            ],
            vec![
                format!("**verify all {} files**, one after another", sz.stations),
                format!("**{}**", verify_s.median_range()),
                format!("**{}**", ratio(verify_s.median(), sha_s.median())),
                "—".into(),
            ],
            vec![
                format!(
                    "**merge all {}** (read, verify each, combine, recount {} ballots, write {})",
                    sz.stations,
                    total,
                    mb(merged_len)
                ),
                format!("**{}**", merge_s.median_range()),
                format!("**{}**", ratio(merge_s.median(), sha_s.median())),
                format!("{}, {}", human(cli_merge_t.as_secs_f64()), mb(merge_peak)),
            ],
            vec![
                "verify the merged file (one run)".into(),
                human(verify_merged.as_secs_f64()),
                format!(
                    "{} `sha256sum` of it ({})",
                    ratio(verify_merged.as_secs_f64(), sha_merged.as_secs_f64()),
                    human(sha_merged.as_secs_f64())
                ),
                format!(
                    "{}, {}",
                    human(cli_verify_merged_t.as_secs_f64()),
                    mb(verify_merged_peak)
                ),
            ],
        ],
    ));
    md.push('\n');
    print!("{md}");
    write_fragment("office", &md);
    write_summary(
        "office",
        &[
            [
                format!("Verify {} stations × {} ballots", sz.stations, sz.ballots),
                "seconds for a million (SPEC)".into(),
                format!(
                    "{} ({} `sha256sum` of the same files)",
                    human(verify_s.median()),
                    ratio(verify_s.median(), sha_s.median())
                ),
                "reported".into(),
            ],
            [
                format!("Merge {} stations × {} ballots", sz.stations, sz.ballots),
                "seconds for a million (SPEC)".into(),
                format!(
                    "{} ({} `sha256sum`), peak {}",
                    human(merge_s.median()),
                    ratio(merge_s.median(), sha_s.median()),
                    mb(merge_peak)
                ),
                "reported".into(),
            ],
        ],
    );
}
