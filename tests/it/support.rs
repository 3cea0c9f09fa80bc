//! Shared set-up: a station file for the demo-style test election in a
//! temporary folder, a clock inside its voting window, and helpers.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rand::SeedableRng;
use tempfile::TempDir;
use votekiosk::station::{ShareSlip, SlipUnlock};
use votekiosk::{ElectionDefinition, ManualClock, Official, Options, SelectionsInput, Station};
use zeroize::Zeroizing;

pub const PASSPHRASE: &str = "correct horse battery staple";
pub const ADMIN: &str = "alice";
pub const ADMIN_PASSWORD: &str = "alice-admin-password";
pub const WORKER: &str = "bob";
pub const WORKER_PASSWORD: &str = "bob-poll-worker-pw";
/// The poll workers who hold the fixture's closing-key slips, with their
/// PINs (2 of 2: the fewest slips, so the fewest PIN derivations).
pub const SLIP_HOLDERS: [(&str, &str); 2] = [("alice", "11112222"), ("bob", "33334444")];

/// The station id every fixture station is created with.
pub const STATION_ID: &str = "RIVERSIDE-01";

/// The test fixture office keys' secrets (`docs/formats.md`, test vectors):
/// `s` (encryption; IKM = LE32(s) for `DeriveKeyPair`) and `t` (signing;
/// the Ed25519 seed is LE32(t)), each SHA-512 of a published label mod ℓ.
/// The tests hold them so that they can open what a fixture station seals.
pub const OFFICE_ENCRYPTION_SECRET: &str = "3b15fd8c2e6831aaa7340019171f87e8b53888af5b341b6492693eff459d1b09";
pub const OFFICE_SIGNING_SECRET: &str = "1e82bfdac7828caace4891acfb7be6720fddb5153d4f135963af3192d00e8b08";

/// The `office` block of the fixture office keys (a real, non-demo election).
pub fn office_json() -> serde_json::Value {
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

/// The test election as a JSON value: the repository's demo definition
/// (window 2026-11-03 07:00-20:00, UTC-5) on the fixture office keys
/// instead of the published test keys, so not a demo election.
pub fn definition_value() -> serde_json::Value {
    let mut v: serde_json::Value =
        serde_json::from_slice(include_bytes!("../../examples/demo-election.json")).expect("demo json");
    let doc = v.as_object_mut().expect("object");
    doc.remove("demo");
    doc.insert("office".into(), office_json());
    // Without ballot cards: the voter's path of every test but
    // `cards` (which turns them on) is code → ballot → cast.
    doc.insert("cards".into(), serde_json::json!({"enabled": false}));
    v
}

/// The test election's definition as JSON text (see `definition_value`).
pub fn definition_json() -> String {
    serde_json::to_string_pretty(&definition_value()).expect("json")
}

/// The test election (see `definition_value`).
pub fn definition() -> ElectionDefinition {
    ElectionDefinition::parse(definition_json().as_bytes()).expect("test definition")
}

/// 12:00 local on election day: inside the window.
pub fn election_noon() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-03T12:00:00-05:00")
        .expect("time")
        .with_timezone(&Utc)
}

pub struct Fixture {
    pub dir: TempDir,
    pub path: PathBuf,
    pub clock: Arc<ManualClock>,
    pub station: Station,
    /// The closing-key slips, once `closing_key` (or `open`) made them.
    pub slips: Vec<ShareSlip>,
}

impl Fixture {
    /// A new station in setup mode, with an admin and a poll worker.
    pub fn new() -> Fixture {
        Fixture::with_rng(Box::new(rand::rngs::OsRng))
    }

    /// Like `new`, but every random value the station draws (file salt,
    /// keys, password salts, codes, ballot and receipt ids) comes from a
    /// generator seeded with `seed`: the same calls give the same values,
    /// and so the same page layout, on every run. For a test whose outcome
    /// depends on those values (key order, storage order).
    pub fn seeded(seed: u64) -> Fixture {
        Fixture::with_rng(Box::new(rand::rngs::StdRng::seed_from_u64(seed)))
    }

    fn with_rng(rng: Box<dyn rand_core::CryptoRngCore + Send>) -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("station.vks");
        let clock = Arc::new(ManualClock::new(election_noon()));
        let options = Options {
            clock: clock.clone(),
            rng,
            printer: Some(Arc::new(Paper::default())),
        };
        let mut station = Station::create(
            &path,
            &definition(),
            STATION_ID,
            PASSPHRASE,
            ADMIN,
            ADMIN_PASSWORD,
            options,
        )
        .expect("create station");
        let admin = station.login(ADMIN, ADMIN_PASSWORD).expect("admin login");
        station
            .add_official(&admin, WORKER, votekiosk::Role::PollWorker, WORKER_PASSWORD)
            .expect("add worker");
        Fixture {
            dir,
            path,
            clock,
            station,
            slips: Vec::new(),
        }
    }

    /// The tests' options: their clock, the OS generator, and paper in
    /// memory for a printer (an official election opens its polls only
    /// with a printer; `printer: None` is the station's own choice).
    pub fn options_for(clock: &Arc<ManualClock>) -> Options {
        Options {
            clock: clock.clone(),
            rng: Box::new(rand::rngs::OsRng),
            printer: Some(Arc::new(Paper::default())),
        }
    }

    pub fn options(&self) -> Options {
        Fixture::options_for(&self.clock)
    }

    /// Options with a seeded RNG (reproducible codes and ids).
    pub fn seeded_options(&self, seed: u64) -> Options {
        Options {
            clock: self.clock.clone(),
            rng: Box::new(rand::rngs::StdRng::seed_from_u64(seed)),
            printer: Some(Arc::new(Paper::default())),
        }
    }

    pub fn admin(&mut self) -> Official {
        self.station.login(ADMIN, ADMIN_PASSWORD).expect("admin login")
    }

    pub fn worker(&mut self) -> Official {
        self.station.login(WORKER, WORKER_PASSWORD).expect("worker login")
    }

    /// Makes the station's closing key (2 of 2, `SLIP_HOLDERS`) unless it
    /// has one.
    pub fn closing_key(&mut self) {
        if !self.slips.is_empty() {
            return;
        }
        let admin = self.admin();
        let workers: Vec<(String, Zeroizing<String>)> = SLIP_HOLDERS
            .iter()
            .map(|(name, pin)| (name.to_string(), Zeroizing::new(pin.to_string())))
            .collect();
        self.slips = self
            .station
            .init_closing_key(&admin, &workers, 2)
            .expect("make the closing key");
    }

    /// Opens the polls for real (making the closing key first).
    pub fn open(&mut self) {
        self.closing_key();
        let w = self.worker();
        self.station.open_polls(&w).expect("open polls");
    }

    /// The fixture's slips with their PINs, as presented at the count.
    pub fn unlocks(&self) -> Vec<SlipUnlock> {
        self.slips
            .iter()
            .map(|slip| SlipUnlock {
                payload: slip.payload.to_string(),
                pin: Zeroizing::new(SLIP_HOLDERS[slip.index as usize - 1].1.to_string()),
            })
            .collect()
    }

    /// Counts: the official ballots with the slips once closed, the test
    /// ballots in test mode.
    pub fn count(&mut self) {
        let w = self.worker();
        let unlocks = self.unlocks();
        self.station.count(&w, &unlocks).expect("count");
    }

    /// Issues `n` codes and returns them in their printed form.
    pub fn codes(&mut self, n: usize) -> Vec<String> {
        let w = self.worker();
        self.station
            .issue_codes(&w, n)
            .expect("issue codes")
            .codes
            .iter()
            .map(|c| c.display())
            .collect()
    }

    /// Casts one ballot with each of `n` new codes (ballot `i` from
    /// `ballot(i)`, request key `key_for(i)`), then closes the polls and
    /// counts; returns the receipts in cast order.
    pub fn cast_and_close(&mut self, n: usize, ballot: impl Fn(usize) -> SelectionsInput) -> Vec<String> {
        let codes = self.codes(n);
        let receipts = codes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                self.station
                    .cast_ballot(c, &ballot(i), &key_for(i))
                    .expect("cast")
                    .receipt
                    .as_str()
                    .to_string()
            })
            .collect();
        let w = self.worker();
        self.station.close_polls(&w).expect("close");
        self.count();
        receipts
    }

    /// A station on another file, to stand in `fx.station` while the real
    /// one is elsewhere (racing in threads) or closed.
    pub fn stand_in(&self) -> Station {
        let path = self
            .dir
            .path()
            .join(format!("stand-in-{}.vks", rand::random::<u32>()));
        Station::create(
            &path,
            &definition(),
            STATION_ID,
            PASSPHRASE,
            ADMIN,
            ADMIN_PASSWORD,
            self.options(),
        )
        .expect("stand-in")
    }

    /// Runs `f` while no kiosk has the station file open (as another
    /// program would, between two runs of the kiosk: while it runs, the
    /// file is held exclusively), then opens it again (a new session).
    pub fn while_closed<T>(&mut self, f: impl FnOnce(&std::path::Path) -> T) -> T {
        self.stop();
        let out = f(&self.path);
        self.start();
        out
    }

    /// The kiosk program stops: the station file is closed (`fx.station`
    /// is then a stand-in on another file until `start`).
    pub fn stop(&mut self) {
        let stand_in = self.stand_in();
        drop(std::mem::replace(&mut self.station, stand_in));
    }

    /// The kiosk program starts again on the station file (a new session).
    pub fn start(&mut self) {
        self.station = Station::open(&self.path, PASSPHRASE, self.options()).expect("reopen");
    }

    /// Closes the station file and opens it again (as after a restart of
    /// the kiosk program: a new session, the checks of `open`). The file
    /// has one connection at a time, so this is `fx.station`, restarted.
    pub fn reopen(&mut self) -> &mut Station {
        let options = self.options();
        self.station.restart(options).expect("reopen");
        &mut self.station
    }
}

/// A printer that keeps every job (name, bytes) in memory: the tests'
/// paper.
#[derive(Default)]
pub struct Paper(pub std::sync::Mutex<Vec<(String, Vec<u8>)>>);

impl votekiosk::print::Printer for Paper {
    fn print(&self, job_name: &str, pdf: &[u8]) -> votekiosk::Result<votekiosk::print::PrintOutcome> {
        let mut jobs = self.0.lock().expect("paper");
        jobs.push((job_name.to_string(), pdf.to_vec()));
        Ok(votekiosk::print::PrintOutcome::Queued {
            queue: "paper".into(),
            request: Some(jobs.len().to_string()),
        })
    }
}

/// The bytes of a file, read by another process (`cat`), as an outsider
/// would read them. A read from this process would drop the kiosk's lock
/// on a station file it holds: POSIX releases every lock a process has on
/// a file when the process closes any descriptor of it.
pub fn read_outside(path: &std::path::Path) -> Vec<u8> {
    let out = std::process::Command::new("cat")
        .arg(path)
        .output()
        .expect("run cat");
    assert!(
        out.status.success(),
        "cat {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The file key of the station file at `path` (its salt read from outside,
/// see `read_outside`), as someone holding the passphrase derives it.
pub fn file_key(path: &std::path::Path) -> votekiosk::store::FileKey {
    let mut salt = [0u8; 16];
    salt.copy_from_slice(&read_outside(path)[..16]);
    votekiosk::store::FileKey::derive(PASSPHRASE, salt).expect("file key")
}

/// Builds selections from `(contest, [choices])` pairs.
pub fn sel(pairs: &[(&str, &[&str])]) -> SelectionsInput {
    pairs
        .iter()
        .map(|(c, v)| (c.to_string(), v.iter().map(|s| s.to_string()).collect()))
        .collect()
}

/// A full valid ballot touching all four kinds.
pub fn full_ballot() -> SelectionsInput {
    sel(&[
        ("mayor", &["alvarez"]),
        ("council", &["diaz", "gupta"]),
        ("library-bond", &["yes"]),
        ("parks-board", &["hill", "jones"]),
        ("school-board", &["lopez", "kim", "moore"]),
    ])
}

/// A fresh idempotency key (random: where the keys must not vary from run
/// to run, use `key_for`).
pub fn key() -> String {
    format!("req-{}", hex::encode(rand::random::<[u8; 8]>()))
}

/// The idempotency key of the `i`-th cast of a test: the same on every run.
pub fn key_for(i: usize) -> String {
    format!("req-{i:08}")
}

/// What the tests compare before and after a refused action.
#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// The sealed records, in hex, sorted.
    pub ballots: Vec<String>,
    pub test_ballots: Vec<String>,
    pub codes: (u64, u64, u64, u64),
    pub test_codes: (u64, u64, u64, u64),
    pub receipts: (u64, u64),
    pub mode: &'static str,
}

pub fn snapshot(station: &Station) -> Snapshot {
    let s = station.status().expect("status");
    let list = |test| {
        station
            .sealed_records(test)
            .expect("sealed records")
            .iter()
            .map(hex::encode)
            .collect::<Vec<_>>()
    };
    let c = |t: votekiosk::Turnout| (t.codes_issued, t.codes_used, t.codes_revoked, t.codes_unused);
    Snapshot {
        ballots: list(false),
        test_ballots: list(true),
        codes: c(s.turnout),
        test_codes: c(s.test_turnout),
        receipts: (
            station.receipt_count(false).expect("receipts"),
            station.receipt_count(true).expect("receipts"),
        ),
        mode: s.mode.as_str(),
    }
}
