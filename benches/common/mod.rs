//! What the custom-harness benches share: full or test mode, timing
//! statistics (median, p99, range), ratios, the baseline SQLCipher
//! connection, and where results go (`target/bench-results/`, read by
//! `scripts/bench` to write `BENCHMARKS.md`).

#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// `cargo bench` passes `--bench`; `cargo test --benches` does not, and
/// then every bench runs a small smoke version of itself.
pub fn full_mode() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// Where results go: `$VOTEKIOSK_BENCH_OUT`, or `target/bench-results`.
pub fn out_dir() -> PathBuf {
    let dir = std::env::var_os("VOTEKIOSK_BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-results"));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

/// Writes a Markdown fragment of `BENCHMARKS.md` (full mode only).
pub fn write_fragment(name: &str, markdown: &str) {
    if !full_mode() {
        return;
    }
    let path = out_dir().join(format!("{name}.md"));
    std::fs::write(&path, markdown).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    eprintln!("wrote {}", path.display());
}

/// Writes rows of the summary table at the top of `BENCHMARKS.md`
/// (`What | Target | This run | Verdict`), full mode only.
pub fn write_summary(name: &str, rows: &[[String; 4]]) {
    let md: String = rows.iter().map(|r| format!("| {} |\n", r.join(" | "))).collect();
    write_fragment(&format!("{name}-summary"), &md);
}

/// The 1-minute load average, for the record (the machines are shared).
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

pub fn time<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let t = Instant::now();
    let v = f();
    (t.elapsed(), v)
}

/// Samples of one measurement, in seconds.
#[derive(Debug, Clone, Default)]
pub struct Samples {
    sorted: Vec<f64>,
}

impl Samples {
    pub fn new(mut values: Vec<f64>) -> Samples {
        assert!(!values.is_empty(), "no samples");
        values.sort_by(f64::total_cmp);
        Samples { sorted: values }
    }

    pub fn from_durations(d: &[Duration]) -> Samples {
        Samples::new(d.iter().map(Duration::as_secs_f64).collect())
    }

    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    /// The nearest-rank quantile (`q` in 0..=1).
    pub fn quantile(&self, q: f64) -> f64 {
        let n = self.sorted.len();
        let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
        self.sorted[rank - 1]
    }

    pub fn median(&self) -> f64 {
        let n = self.sorted.len();
        if n % 2 == 1 {
            self.sorted[n / 2]
        } else {
            (self.sorted[n / 2 - 1] + self.sorted[n / 2]) / 2.0
        }
    }

    pub fn p99(&self) -> f64 {
        self.quantile(0.99)
    }

    pub fn min(&self) -> f64 {
        self.sorted[0]
    }

    pub fn max(&self) -> f64 {
        self.sorted[self.sorted.len() - 1]
    }

    /// `median (min–max)` in a fitting unit.
    pub fn median_range(&self) -> String {
        format!(
            "{} ({}–{})",
            human(self.median()),
            human(self.min()),
            human(self.max())
        )
    }

    pub fn summary(&self, name: &str) -> String {
        format!(
            "{name}: n={} median {} p99 {} min {} max {}",
            self.len(),
            human(self.median()),
            human(self.p99()),
            human(self.min()),
            human(self.max())
        )
    }
}

/// Seconds in a readable unit with three significant digits.
pub fn human(secs: f64) -> String {
    let (v, unit) = if secs >= 1.0 {
        (secs, "s")
    } else if secs >= 1e-3 {
        (secs * 1e3, "ms")
    } else {
        (secs * 1e6, "µs")
    };
    let digits = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    format!("{v:.digits$} {unit}")
}

/// `a / b` as `×1.23`.
pub fn ratio(a: f64, b: f64) -> String {
    format!("×{:.2}", a / b)
}

/// Bytes as MB (10^6) with one decimal.
pub fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// A Markdown table from a header and rows.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let _ = writeln!(
        out,
        "|{}|",
        header.iter().map(|_| "---").collect::<Vec<_>>().join("|")
    );
    for row in rows {
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
    out
}

/// A raw SQLCipher connection configured the way `store::Store` configures
/// a station file (`locking_mode = EXCLUSIVE`, raw key with explicit salt,
/// SQLCipher 4 defaults, WAL, `synchronous=FULL`, foreign keys, secure
/// delete, memory temp store, then a write that takes the exclusive lock
/// for good): the floor a cast is measured against. With `exclusive`
/// false, SQLite's default shared locking instead.
pub fn baseline_connection(path: &Path, exclusive: bool) -> rusqlite::Connection {
    use rand::RngCore;
    let conn = rusqlite::Connection::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut key = [0u8; 48];
    rand::rngs::OsRng.fill_bytes(&mut key);
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")
        .expect("cipher_log_level");
    if exclusive {
        conn.execute_batch("PRAGMA locking_mode = EXCLUSIVE;")
            .expect("locking mode");
    }
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", hex::encode(key)))
        .expect("key");
    conn.execute_batch("PRAGMA cipher_compatibility = 4;")
        .expect("compatibility");
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))
        .expect("first read");
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA secure_delete = ON;
         PRAGMA temp_store = MEMORY;",
    )
    .expect("pragmas");
    if exclusive {
        conn.execute_batch("BEGIN EXCLUSIVE; COMMIT;")
            .expect("exclusive lock");
    }
    conn
}

/// A size from the environment (`VOTEKIOSK_BENCH_*`), or `default`.
pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
