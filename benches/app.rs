//! The kiosk app against the floor of its own stack: votekiosk-app (release
//! build) and hello-tauri (`benches/hello-tauri`, the smallest Tauri 2 app:
//! one window, one page, one command), on the same Tauri, WebKitGTK, Xvfb
//! and WebDriver, measured in the same run, alternately:
//!
//! - **cold start**: from asking tauri-driver for a new session (which
//!   starts the app) until the WebDriver sees the first screen's element
//!   rendered: hello's `#welcome`; the kiosk's unlock screen (a station
//!   file always starts locked), then, after the passphrase, its voter
//!   welcome screen;
//! - **a scripted session**: 200 voters (codes issued beforehand through
//!   the core) each going through welcome, code, five contests, review,
//!   cast and receipt with WebDriver clicks, against 200 IPC round trips
//!   in hello; then the peak resident memory (`VmHWM`) of the app process
//!   and of its WebKit processes (target: ≤ 1.5× hello's);
//! - **a leak check**: the same session goes on to 1,000 voters; the
//!   resident memory (`VmRSS`, app + WebKit) after voter 1,000 must be
//!   within 5 % of that after voter 200.
//!
//! `VOTEKIOSK_BENCH_VOTERS` (200), `VOTEKIOSK_BENCH_LEAK_VOTERS` (1000) and
//! `VOTEKIOSK_BENCH_STARTS` (5) set the sizes; `VOTEKIOSK_BENCH_KIOSK_ONLY=1`
//! runs the kiosk's session alone and prints its memory (for iterating on
//! the app's memory without the hello build; writes no report). With it,
//! `VOTEKIOSK_BENCH_IN_PAGE=1` drives each voter from inside the page (the
//! same screens and choices by the page's own clicks, ~5× faster), and
//! `VOTEKIOSK_BENCH_EXPERIMENT=file.js` runs that async WebDriver script
//! (`arguments[0]` a voter code) `VOTEKIOSK_BENCH_ROUNDS` times after the
//! unlock, printing the memory after each round: how the web process's
//! growth per voter was traced to WebKit's own memory (BENCHMARKS.md).
//!
//! Needs Xvfb, tauri-driver and WebKitWebDriver (scripts/setup) and the
//! hello binary (scripts/bench builds it into `target/hello-tauri`). Runs
//! only under `cargo bench -p votekiosk-app --bench app`; under `cargo
//! test` it does nothing. Writes `target/bench-results/app.md`.

use std::fmt::Write as _;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

const PASSPHRASE: &str = "bench election passphrase";
const ADMIN: &str = "admin";
const ADMIN_PASSWORD: &str = "bench-admin-password";

fn full_mode() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

// ---- statistics ---------------------------------------------------------

struct Samples(Vec<f64>);

impl Samples {
    fn new(d: &[Duration]) -> Samples {
        assert!(!d.is_empty(), "no samples");
        let mut v: Vec<f64> = d.iter().map(Duration::as_secs_f64).collect();
        v.sort_by(f64::total_cmp);
        Samples(v)
    }
    fn median(&self) -> f64 {
        let n = self.0.len();
        if n % 2 == 1 {
            self.0[n / 2]
        } else {
            (self.0[n / 2 - 1] + self.0[n / 2]) / 2.0
        }
    }
    fn p99(&self) -> f64 {
        let n = self.0.len();
        self.0[((0.99 * n as f64).ceil() as usize).clamp(1, n) - 1]
    }
    fn range(&self) -> String {
        format!("{}–{}", human(self.0[0]), human(self.0[self.0.len() - 1]))
    }
}

fn human(secs: f64) -> String {
    if secs >= 1.0 {
        format!("{secs:.2} s")
    } else {
        format!("{:.0} ms", secs * 1e3)
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.0} MiB", bytes as f64 / (1024.0 * 1024.0))
}

// ---- processes ------------------------------------------------------------

/// Every process as (pid, parent, name).
fn processes() -> Vec<(u32, u32, String)> {
    let mut out = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for entry in dir.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // "pid (comm) state ppid ...": the name may hold spaces and parentheses.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let name = stat[open + 1..close].to_string();
        let ppid = stat[close + 1..]
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        out.push((pid, ppid, name));
    }
    out
}

/// The processes below `root`, with their names.
fn descendants(root: u32) -> Vec<(u32, String)> {
    let all = processes();
    let mut found = Vec::new();
    let mut frontier = vec![root];
    while let Some(p) = frontier.pop() {
        for (pid, ppid, name) in &all {
            if *ppid == p {
                found.push((*pid, name.clone()));
                frontier.push(*pid);
            }
        }
    }
    found
}

/// A field of `/proc/<pid>/status` in bytes (`VmHWM:`, `VmRSS:`).
fn status_bytes(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: u64 = status
        .lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// Memory of the app and its WebKit helpers, by kind.
#[derive(Default, Clone, Copy)]
struct Memory {
    app: u64,
    web: u64,
    network: u64,
}

impl Memory {
    fn total(&self) -> u64 {
        self.app + self.web + self.network
    }
    /// The app process and its web process: what a voter's session can grow.
    fn resident(&self) -> u64 {
        self.app + self.web
    }
}

/// `VmRSS` of the app and its WebKit processes, 2 s after the last click
/// (the same settling at every reading, so that a collection in progress
/// is not taken for growth).
async fn settled_rss(driver: u32, app_name: &str) -> Memory {
    tokio::time::sleep(Duration::from_secs(2)).await;
    memory(driver, app_name, "VmRSS:")
}

/// `VOTEKIOSK_BENCH_KIOSK_ONLY`: the kiosk's session alone, its memory on
/// stderr (peak after `voters`, resident as the voters go by).
async fn kiosk_memory_only(
    d: &Display,
    app: &Path,
    station: &Path,
    codes: &[String],
    voters: usize,
    leak_voters: usize,
) {
    let driver = d.driver.id();
    let mut sampler = Some(PeakSampler::start(driver, "votekiosk-app"));
    let (_, _, client) = kiosk_start(d, app, station).await;
    let show = |what: &str, m: Memory| {
        eprintln!(
            "{what}: app {} web {} network {} total {}",
            mib(m.app),
            mib(m.web),
            mib(m.network),
            mib(m.total())
        );
    };
    show("after unlock, peak", memory(driver, "votekiosk-app", "VmHWM:"));
    show(
        "after unlock, resident",
        settled_rss(driver, "votekiosk-app").await,
    );
    if let Some(script) = std::env::var_os("VOTEKIOSK_BENCH_EXPERIMENT") {
        let js = std::fs::read_to_string(script).expect("experiment script");
        for round in 0..env_usize("VOTEKIOSK_BENCH_ROUNDS", 10) {
            let v = client
                .execute_async(&js, vec![serde_json::json!(codes[0])])
                .await
                .expect("experiment");
            show(
                &format!("after round {round} ({v})"),
                settled_rss(driver, "votekiosk-app").await,
            );
        }
        return;
    }
    let t = Instant::now();
    let in_page = std::env::var_os("VOTEKIOSK_BENCH_IN_PAGE").is_some();
    for (i, code) in codes.iter().take(leak_voters).enumerate() {
        if in_page {
            vote_in_page(&client, code, i).await;
        } else {
            vote(&client, code, i).await;
        }
        if i + 1 == voters {
            show(
                &format!("after {} voters, peak", i + 1),
                memory(driver, "votekiosk-app", "VmHWM:"),
            );
            let most = sampler.take().map(PeakSampler::finish).unwrap_or(0);
            eprintln!("after {} voters, the most held at once: {}", i + 1, mib(most));
        }
        if (i + 1).is_multiple_of((voters / 4).max(1)) || i + 1 == leak_voters {
            show(
                &format!(
                    "after {} voters ({}), resident",
                    i + 1,
                    human(t.elapsed().as_secs_f64())
                ),
                settled_rss(driver, "votekiosk-app").await,
            );
        }
    }
    let _ = client.close().await;
}

/// `field` of the app process (named `app_name`, below `driver`) and of
/// the WebKit processes below it.
fn memory(driver: u32, app_name: &str, field: &str) -> Memory {
    let mut m = Memory::default();
    let below = descendants(driver);
    let Some((app, _)) = below.iter().find(|(_, n)| n == app_name) else {
        return m;
    };
    m.app = status_bytes(*app, field).unwrap_or(0);
    for (pid, name) in descendants(*app) {
        let v = status_bytes(pid, field).unwrap_or(0);
        if name.starts_with("WebKitWebProces") {
            m.web += v;
        } else if name.starts_with("WebKitNetworkPr") {
            m.network += v;
        }
    }
    m
}

/// The peak of the *sum* of the resident memory of the app and its WebKit
/// processes, read every 20 ms on a thread of its own (the processes are
/// looked up again every 200 ms, as WebKit starts them). Per-process
/// `VmHWM`s add peaks that need not coincide (Argon2id's buffer at the
/// unlock, the web process at the end of the day); this is the most the
/// machine held at once.
struct PeakSampler {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<u64>,
}

impl PeakSampler {
    fn start(driver: u32, app_name: &'static str) -> PeakSampler {
        use std::sync::atomic::{AtomicBool, Ordering};
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let (mut pids, mut scanned, mut peak) = (Vec::new(), None::<Instant>, 0u64);
            while !flag.load(Ordering::Relaxed) {
                if scanned.is_none_or(|t| t.elapsed() > Duration::from_millis(200)) {
                    let below = descendants(driver);
                    pids = match below.iter().find(|(_, n)| n == app_name) {
                        Some((app, _)) => std::iter::once(*app)
                            .chain(descendants(*app).into_iter().filter_map(|(pid, name)| {
                                (name.starts_with("WebKitWebProces") || name.starts_with("WebKitNetworkPr"))
                                    .then_some(pid)
                            }))
                            .collect(),
                        None => Vec::new(),
                    };
                    scanned = Some(Instant::now());
                }
                let total: u64 = pids.iter().map(|p| status_bytes(*p, "VmRSS:").unwrap_or(0)).sum();
                peak = peak.max(total);
                std::thread::sleep(Duration::from_millis(20));
            }
            peak
        });
        PeakSampler { stop, thread }
    }

    fn finish(self) -> u64 {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.thread.join().unwrap_or(0)
    }
}

/// Waits until no process named `app_name` is left below `driver`.
async fn wait_gone(driver: u32, app_name: &str) {
    let t = Instant::now();
    while descendants(driver).iter().any(|(_, n)| n == app_name) && t.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

// ---- the X display and the driver ------------------------------------------

struct Display {
    xvfb: Child,
    driver: Child,
    port: u16,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Display {
    /// Xvfb and tauri-driver, with `home` as the apps' data and runtime folder.
    async fn start(home: &Path) -> Display {
        // Away from the window tests' displays (90 + pid % 400).
        let mut display = 500 + std::process::id() % 400;
        while Path::new(&format!("/tmp/.X11-unix/X{display}")).exists() {
            display += 1;
        }
        let xvfb = Command::new("Xvfb")
            .arg(format!(":{display}"))
            .args(["-screen", "0", "1280x900x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb");
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{display}"));
        let t = Instant::now();
        while !socket.exists() && t.elapsed() < Duration::from_secs(10) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let (port, native) = (free_port(), free_port());
        let driver = Command::new("tauri-driver")
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .env("DISPLAY", format!(":{display}"))
            .env("XDG_RUNTIME_DIR", home)
            .env("XDG_DATA_HOME", home)
            .env("VOTEKIOSK_WINDOWED", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tauri-driver");
        // Ready when it accepts connections: start-up is not the app's.
        let t = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                t.elapsed() < Duration::from_secs(20),
                "tauri-driver did not start"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Display { xvfb, driver, port }
    }

    /// Asks for a session on `app` with `args`: this starts the app.
    async fn session(&self, app: &Path, args: &[&Path]) -> Client {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app, "args": args }),
        );
        let url = format!("http://127.0.0.1:{}", self.port);
        let t = Instant::now();
        loop {
            match ClientBuilder::native()
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(c) => return c,
                Err(e) if t.elapsed() < Duration::from_secs(30) => {
                    eprintln!("session not ready yet: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("no WebDriver session on {}: {e}", app.display()),
            }
        }
    }
}

/// Stops tauri-driver, the WebKitWebDriver it started (which would outlive
/// it) and Xvfb, also when a measurement fails.
impl Drop for Display {
    fn drop(&mut self) {
        let children = descendants(self.driver.id());
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        for (pid, _) in children {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
        // SIGTERM, so that Xvfb removes its socket and lock file.
        let _ = Command::new("kill").arg(self.xvfb.id().to_string()).status();
        let _ = self.xvfb.wait();
    }
}

// ---- WebDriver helpers -------------------------------------------------------

/// Polls a script returning a boolean until it is true.
async fn wait_until(client: &Client, script: &str, args: Vec<serde_json::Value>, what: &str) {
    let t = Instant::now();
    loop {
        if let Ok(v) = client.execute(script, args.clone()).await {
            if v.as_bool() == Some(true) {
                return;
            }
        }
        if t.elapsed() > Duration::from_secs(30) {
            panic!("timed out waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The element `css` exists and is rendered (has a box on screen).
const RENDERED: &str =
    "const e = document.querySelector(arguments[0]); return !!e && e.getClientRects().length > 0;";
/// The kiosk shows `screen` (`#app[data-screen]`).
const ON_SCREEN: &str =
    "const a = document.getElementById('app'); return !!a && a.dataset.screen === arguments[0];";

async fn rendered(client: &Client, css: &str) {
    wait_until(client, RENDERED, vec![css.into()], css).await;
}

async fn screen(client: &Client, name: &str) {
    wait_until(client, ON_SCREEN, vec![name.into()], name).await;
}

async fn click(client: &Client, css: &str) {
    // Found first (a new voter's page may still be loading), then into the
    // middle of the screen, two frames later clicked: the ballot's action
    // bar stays fixed at the bottom and would take a click meant for a
    // choice under it (as the window tests' `Kiosk::centre`).
    let e = client
        .wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"));
    let arg = serde_json::to_value(&e).unwrap_or_else(|e| panic!("element {css}: {e}"));
    client
        .execute_async(
            "const [e, done] = [arguments[0], arguments[arguments.length - 1]];
             e.scrollIntoView({ block: 'center' });
             requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
            vec![arg],
        )
        .await
        .unwrap_or_else(|e| panic!("scroll to {css}: {e}"));
    e.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
}

async fn type_into(client: &Client, css: &str, text: &str) {
    let e = client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"));
    e.send_keys(text)
        .await
        .unwrap_or_else(|err| panic!("type into {css}: {err}"));
}

// ---- the measurements ------------------------------------------------------------

/// A station file in open mode with `voters` codes, made through the core.
fn station_with_codes(dir: &Path, voters: usize) -> (PathBuf, Vec<String>) {
    let path = dir.join("bench.vkstation");
    let definition = votekiosk::demo::definition(chrono::Utc::now()).expect("demo definition");
    let mut station = votekiosk::Station::create(
        &path,
        &definition,
        votekiosk::demo::STATION_ID,
        PASSPHRASE,
        ADMIN,
        ADMIN_PASSWORD,
        votekiosk::Options::default(),
    )
    .expect("create station");
    let admin = station.login(ADMIN, ADMIN_PASSWORD).expect("login");
    // The polls open only with a closing key: two poll workers of three.
    let workers: Vec<(String, zeroize::Zeroizing<String>)> = [
        ("pw-alma", "24681357"),
        ("pw-bruno", "13572468"),
        ("pw-cora", "11223344"),
    ]
    .iter()
    .map(|(w, pin)| (w.to_string(), zeroize::Zeroizing::new(pin.to_string())))
    .collect();
    station
        .init_closing_key(&admin, &workers, 2)
        .expect("closing key");
    station.open_polls(&admin).expect("open polls");
    // Issuing codes needs the password typed within 30 s; the closing
    // key's Argon2 work per slip can take longer on a loaded machine.
    let admin = station.login(ADMIN, ADMIN_PASSWORD).expect("login again");
    let codes = station
        .issue_codes(&admin, voters.max(1))
        .expect("codes")
        .codes
        .iter()
        .map(|c| c.display())
        .collect();
    (path, codes)
}

/// Cold start of the kiosk: (to the unlock screen, unlock to welcome).
async fn kiosk_start(d: &Display, app: &Path, station: &Path) -> (Duration, Duration, Client) {
    let t = Instant::now();
    // As the kiosk session starts it (packaging/kiosk): `--kiosk FILE`.
    let client = d.session(app, &[Path::new("--kiosk"), station]).await;
    screen(&client, "unlock").await;
    rendered(&client, "#passphrase").await;
    let first = t.elapsed();
    type_into(&client, "#passphrase", PASSPHRASE).await;
    let t = Instant::now();
    click(&client, "#unlock-submit").await;
    screen(&client, "welcome").await;
    rendered(&client, "#start").await;
    (first, t.elapsed(), client)
}

async fn hello_start(d: &Display, hello: &Path) -> (Duration, Client) {
    let t = Instant::now();
    let client = d.session(hello, &[]).await;
    rendered(&client, "#welcome").await;
    (t.elapsed(), client)
}

/// Notes, inside the page, when "Cast this ballot" is clicked and when the receipt
/// screen is in the document: the latency without WebDriver's round trips.
const CAST_PROBE: &str = "
    const app = document.getElementById('app');
    const probe = {};
    window.__cast = probe;
    document.getElementById('card-cast').addEventListener('click', () => { probe.click = performance.now(); },
        { capture: true, once: true });
    const watch = new MutationObserver(() => {
        if (app.dataset.screen === 'receipt' && probe.shown === undefined) {
            probe.shown = performance.now();
            watch.disconnect();
        }
    });
    watch.observe(app, { attributes: true, attributeFilter: ['data-screen'] });
    return true;";

/// One voter driven from inside the page (the same screens and choices as
/// `vote`, by the page's own clicks): `arguments[0]` the code, `[1]` the
/// voter's number. Answers `true` once the receipt shows, then presses
/// Done (the page reloads for the next voter), or says what it waited for
/// in vain.
const VOTE_IN_PAGE: &str = "
    const [code, picks, ranked, done] = [arguments[0], arguments[1], arguments[2], arguments[arguments.length - 1]];
    const app = document.getElementById('app');
    const until = (what, test) => new Promise((resolve, reject) => {
        const t0 = performance.now();
        const look = () => {
            const v = test();
            if (v) return resolve(v);
            if (performance.now() - t0 > 15000) return reject(what);
            setTimeout(look, 5);
        };
        look();
    });
    const on = (name) => until('screen ' + name, () => app.dataset.screen === name);
    const button = (css) => until(css, () => {
        const e = document.querySelector(css);
        return e && !e.disabled && e.getClientRects().length > 0 && e;
    });
    const press = async (css) => (await button(css)).click();
    (async () => {
        await press('#start');
        await on('code');
        const field = await until('#code', () => document.querySelector('#code'));
        field.value = code;
        field.dispatchEvent(new Event('input', { bubbles: true }));
        await press('#code-submit');
        for (const choices of picks) {
            for (const c of choices) await press(`button[data-choice='${c}']`);
            await press('#next');
        }
        for (const [k, c] of ranked.entries()) {
            await press(`button[data-candidate='${c}'][data-rank='${k + 1}']`);
        }
        await press('#next');
        await on('review');
        await press('#cast');
        await on('card');
        await press('#card-cast');
        await on('receipt');
        await until('#receipt-id', () => (document.querySelector('#receipt-id') || {}).textContent);
        return button('#receipt-done');
    })().then((b) => { done(true); setTimeout(() => b.click(), 0); }, (what) => done('waited in vain for ' + what));";

/// Voter `i`'s choices, the same by mouse and in the page: the options of
/// the four contests before the ranked one, then the ranked contest's
/// candidates in rank order (a first choice, for every other voter a second).
fn choices(i: usize) -> (Vec<Vec<&'static str>>, Vec<&'static str>) {
    let pick = |options: &[&'static str], k: usize| options[k % options.len()];
    let picks = vec![
        vec![pick(&["alvarez", "brooks", "chen"], i)],
        vec![pick(&["diaz", "evans"], i), pick(&["fischer", "gupta"], i / 2)],
        vec![pick(&["yes", "no"], i)],
        vec![pick(&["hill", "ito", "jones"], i)],
    ];
    let candidates = ["kim", "lopez", "moore", "nguyen"];
    let mut ranked = vec![pick(&candidates, i)];
    if i.is_multiple_of(2) {
        ranked.push(pick(&candidates, i + 1));
    }
    (picks, ranked)
}

/// One voter by `VOTE_IN_PAGE`, back to the welcome screen.
async fn vote_in_page(client: &Client, code: &str, i: usize) {
    let (picks, ranked) = choices(i);
    let v = client
        .execute_async(
            VOTE_IN_PAGE,
            vec![code.into(), serde_json::json!(picks), serde_json::json!(ranked)],
        )
        .await
        .unwrap_or_else(|e| panic!("a voter in the page: {e}"));
    assert_eq!(v, serde_json::json!(true), "a voter in the page: {v}");
    screen(client, "welcome").await;
}

/// One voter, by mouse, from the welcome screen back to it. Returns the
/// time from clicking "cast" to the receipt on screen as the WebDriver
/// sees it, and as the page itself measured it.
async fn vote(client: &Client, code: &str, i: usize) -> (Duration, Duration) {
    let (picks, ranked) = choices(i);
    click(client, "#start").await;
    screen(client, "code").await;
    type_into(client, "#code", code).await;
    click(client, "#code-submit").await;
    for choices in &picks {
        screen(client, "contest").await;
        for c in choices {
            click(client, &format!("button[data-choice='{c}']")).await;
        }
        click(client, "#next").await;
    }
    // The ranked contest: a first choice, sometimes a second.
    screen(client, "contest").await;
    for (k, c) in ranked.iter().enumerate() {
        click(
            client,
            &format!("button[data-candidate='{c}'][data-rank='{}']", k + 1),
        )
        .await;
    }
    click(client, "#next").await;
    screen(client, "review").await;
    // The demo election prints ballot cards: the review screen prints the
    // card, the voter reads it, and "Cast this ballot" casts (timed).
    click(client, "#cast").await;
    screen(client, "card").await;
    client.execute(CAST_PROBE, vec![]).await.expect("cast probe");
    let t = Instant::now();
    click(client, "#card-cast").await;
    screen(client, "receipt").await;
    rendered(client, "#receipt-id").await;
    let cast = t.elapsed();
    let in_page = client
        .execute("return window.__cast.shown - window.__cast.click;", vec![])
        .await
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(f64::NAN);
    click(client, "#receipt-done").await;
    screen(client, "welcome").await;
    (cast, Duration::from_secs_f64(in_page.max(0.0) / 1e3))
}

/// Starts counting animation frames in the window and the longest gap
/// between two: frames stop while the window's thread is blocked.
const FRAME_PROBE: &str = "
    window.__probe = { max: 0, last: performance.now(), frames: 0, on: true };
    const tick = (t) => {
        const p = window.__probe;
        if (!p.on) return;
        p.max = Math.max(p.max, t - p.last);
        p.last = t;
        p.frames += 1;
        requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    return true;";
const FRAME_READ: &str =
    "const p = window.__probe; p.on = false; return [p.max, p.frames, performance.now() - p.last];";

/// From the voter welcome screen: a poll worker logs in and issues `count`
/// codes with their slips from the dashboard while the frame probe runs.
/// Returns (command time, longest frame gap in ms, frames).
async fn issue_codes_in_window(client: &Client, count: usize) -> (Duration, f64, u64) {
    let active = client.active_element().await.expect("active element");
    active
        .send_keys("\u{E009}\u{E00A}p\u{E000}")
        .await
        .expect("Ctrl+Alt+P");
    screen(client, "login").await;
    type_into(client, "#username", ADMIN).await;
    type_into(client, "#password", ADMIN_PASSWORD).await;
    click(client, "#login-submit").await;
    screen(client, "dashboard").await;
    let field = client
        .find(Locator::Css("#code-count"))
        .await
        .expect("#code-count");
    field.clear().await.expect("clear");
    field.send_keys(&count.to_string()).await.expect("count");
    click(client, "#print-slips").await;
    client.execute(FRAME_PROBE, vec![]).await.expect("frame probe");
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Issuing asks for the official's password again; the clock starts
    // when it is confirmed, so the typing is not counted.
    click(client, "#issue-codes").await;
    type_into(client, "#reauth-password", ADMIN_PASSWORD).await;
    let t = Instant::now();
    click(client, "#reauth-ok").await;
    rendered(client, "#codes-printed").await;
    let took = t.elapsed();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let probe = client.execute(FRAME_READ, vec![]).await.expect("frame read");
    let max = probe[0]
        .as_f64()
        .unwrap_or(f64::NAN)
        .max(probe[2].as_f64().unwrap_or(0.0));
    (took, max, probe[1].as_u64().unwrap_or(0))
}

async fn run() {
    let tools: Vec<&str> = ["Xvfb", "tauri-driver", "WebKitWebDriver"]
        .into_iter()
        .filter(|tool| {
            !std::env::var_os("PATH")
                .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
                .unwrap_or(false)
        })
        .collect();
    assert!(
        tools.is_empty(),
        "the app bench needs {} (scripts/setup)",
        tools.join(", ")
    );
    let app = PathBuf::from(env!("CARGO_BIN_EXE_votekiosk-app"));
    let kiosk_only = std::env::var_os("VOTEKIOSK_BENCH_KIOSK_ONLY").is_some();
    let hello = std::env::var_os("VOTEKIOSK_BENCH_HELLO_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target/hello-tauri/release/hello-tauri"));
    assert!(
        kiosk_only || hello.is_file(),
        "no {}: build it with `cargo build --release --manifest-path benches/hello-tauri/Cargo.toml \
         --target-dir target/hello-tauri` (scripts/bench does)",
        hello.display()
    );
    let starts = env_usize("VOTEKIOSK_BENCH_STARTS", 5);
    let voters = env_usize("VOTEKIOSK_BENCH_VOTERS", 200);
    let leak_voters = env_usize("VOTEKIOSK_BENCH_LEAK_VOTERS", 1000).max(voters);
    let load_before = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();

    let home = tempfile::tempdir().expect("tempdir");
    let d = Display::start(home.path()).await;
    let driver = d.driver.id();
    let (station, codes) = station_with_codes(home.path(), leak_voters);
    if kiosk_only {
        return kiosk_memory_only(&d, &app, &station, &codes, voters, leak_voters).await;
    }

    // ---- cold starts, alternating, plus one warm-up of each ------------------
    let (mut hello_t, mut first_t, mut unlock_t) = (vec![], vec![], vec![]);
    for run in 0..=starts {
        let (h, client) = hello_start(&d, &hello).await;
        let _ = client.close().await;
        wait_gone(driver, "hello-tauri").await;
        let (first, unlock, client) = kiosk_start(&d, &app, &station).await;
        let _ = client.close().await;
        wait_gone(driver, "votekiosk-app").await;
        eprintln!(
            "start {run}: hello {}, kiosk {} + unlock {}",
            human(h.as_secs_f64()),
            human(first.as_secs_f64()),
            human(unlock.as_secs_f64())
        );
        if run > 0 {
            hello_t.push(h);
            first_t.push(first);
            unlock_t.push(unlock);
        }
    }

    // ---- hello: as many IPC round trips as voters, then its memory ---------
    let hello_sampler = PeakSampler::start(driver, "hello-tauri");
    let (_, client) = hello_start(&d, &hello).await;
    // The session alone, from the first screen on.
    let hello_voters_sampler = PeakSampler::start(driver, "hello-tauri");
    let hello_start_rss = memory(driver, "hello-tauri", "VmRSS:");
    let hello_start_peak = memory(driver, "hello-tauri", "VmHWM:");
    let mut ping_t = Vec::with_capacity(voters);
    let t = Instant::now();
    for i in 0..voters {
        let t1 = Instant::now();
        click(&client, "#ping").await;
        wait_until(
            &client,
            "return document.getElementById('count').textContent === arguments[0];",
            vec![(i + 1).to_string().into()],
            "the ping count",
        )
        .await;
        ping_t.push(t1.elapsed());
    }
    let hello_session = t.elapsed();
    let hello_peak = memory(driver, "hello-tauri", "VmHWM:");
    let hello_end_rss = memory(driver, "hello-tauri", "VmRSS:");
    let hello_peak_sum = hello_sampler.finish();
    let hello_voters_peak = hello_voters_sampler.finish();
    let _ = client.close().await;
    wait_gone(driver, "hello-tauri").await;

    // ---- the kiosk: a day of voters, then its memory ---------------------------
    let mut kiosk_sampler = Some(PeakSampler::start(driver, "votekiosk-app"));
    let mut kiosk_peak_sum = 0;
    let (_, _, client) = kiosk_start(&d, &app, &station).await;
    // The voters alone, from the welcome screen after the unlock on.
    let mut kiosk_voters_sampler = Some(PeakSampler::start(driver, "votekiosk-app"));
    let mut kiosk_voters_peak = 0;
    let kiosk_start_rss = memory(driver, "votekiosk-app", "VmRSS:");
    let kiosk_start_peak = memory(driver, "votekiosk-app", "VmHWM:");
    let (mut voter_t, mut cast_t, mut cast_page_t) = (vec![], vec![], vec![]);
    // Resident memory as the voters go by: growth would be a leak.
    let mut series = vec![(0, kiosk_start_rss)];
    let t = Instant::now();
    let (mut kiosk_session, mut kiosk_peak, mut kiosk_end_rss) =
        (Duration::ZERO, Memory::default(), Memory::default());
    for (i, code) in codes.iter().take(leak_voters).enumerate() {
        let t1 = Instant::now();
        let (cast, in_page) = vote(&client, code, i).await;
        if i < voters {
            cast_t.push(cast);
            cast_page_t.push(in_page);
            voter_t.push(t1.elapsed());
        }
        if (i + 1).is_multiple_of(25) {
            eprintln!("{} voters, {}", i + 1, human(t.elapsed().as_secs_f64()));
        }
        if i + 1 == voters {
            // The day's figures: the first `voters` voters.
            kiosk_session = t.elapsed();
            kiosk_peak = memory(driver, "votekiosk-app", "VmHWM:");
            kiosk_peak_sum = kiosk_sampler.take().map(PeakSampler::finish).unwrap_or(0);
            kiosk_voters_peak = kiosk_voters_sampler.take().map(PeakSampler::finish).unwrap_or(0);
            kiosk_end_rss = settled_rss(driver, "votekiosk-app").await;
            series.push((i + 1, kiosk_end_rss));
        } else if (i + 1).is_multiple_of((voters / 4).max(1)) && i + 1 < voters
            || i + 1 > voters && (i + 1).is_multiple_of(voters.max(1))
            || i + 1 == leak_voters
        {
            series.push((i + 1, settled_rss(driver, "votekiosk-app").await));
        }
    }
    let leak_end_rss = series.last().map(|(_, m)| *m).unwrap_or_default();
    let leak_growth = leak_end_rss.resident() as f64 / kiosk_end_rss.resident().max(1) as f64 - 1.0;
    let slips = 1000;
    let (slips_t, frame_gap, frames) = issue_codes_in_window(&client, slips).await;
    let _ = client.close().await;
    wait_gone(driver, "votekiosk-app").await;
    drop(d);

    // Every voter's ballot is in the file.
    let st = votekiosk::Station::open(&station, PASSPHRASE, votekiosk::Options::default()).expect("reopen");
    let ballots = st.status().expect("status").turnout.ballots;
    assert_eq!(
        ballots, leak_voters as u64,
        "every voter of the session (the leak check's too) cast"
    );
    let codes_issued = st.status().expect("status").turnout.codes_issued;
    let receipts_saved = std::fs::read_dir(home.path().join("bench-printed"))
        .map(|d| {
            d.flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with("votekiosk-receipt"))
                .count()
        })
        .unwrap_or(0);
    let load_after = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();

    // ---- the report -------------------------------------------------------------
    let (hello_s, first_s, unlock_s) = (
        Samples::new(&hello_t),
        Samples::new(&first_t),
        Samples::new(&unlock_t),
    );
    let welcome_t: Vec<Duration> = first_t.iter().zip(&unlock_t).map(|(a, b)| *a + *b).collect();
    let welcome_s = Samples::new(&welcome_t);
    let (voter_s, cast_s, ping_s) = (
        Samples::new(&voter_t),
        Samples::new(&cast_t),
        Samples::new(&ping_t),
    );
    let cast_page_s = Samples::new(&cast_page_t);
    let ratio = |a: f64, b: f64| format!("×{:.2}", a / b);
    let mut md = String::new();
    let _ = write!(
        md,
        "## The kiosk app (`benches/app.rs`)\n\n\
         **Command**: `cargo bench -p votekiosk-app --bench app` (run by \
         `scripts/bench`, after `cargo build --release --manifest-path \
         benches/hello-tauri/Cargo.toml --target-dir target/hello-tauri`). Both \
         apps are release builds from this run, on the same Tauri and WebKitGTK, \
         in one Xvfb display (1280×900) through one tauri-driver and \
         WebKitWebDriver, with a `fantoccini` client; load average {} before, \
         {} after. The kiosk runs as its kiosk session starts it \
         (`votekiosk-app --kiosk FILE`: WebKit without GPU compositing and \
         with the document-viewer cache model, `src-tauri/src/boot.rs`); \
         hello runs with WebKit's defaults.\n\n\
         **Baseline (floor)**: `benches/hello-tauri`, a Tauri 2 app with one \
         window of the kiosk's size, one static page and one command: what \
         this stack costs before any votekiosk code runs.\n\n\
         ### Cold start\n\n\
         From asking tauri-driver for a session (which starts the app) until \
         the WebDriver sees the element rendered. {starts} starts of each, \
         alternating, after one warm-up start each (so the page cache is warm: \
         these are process cold starts, not disk cold starts). A station file \
         always starts locked, so the kiosk's first interactive screen is the \
         passphrase; its voter welcome screen follows the unlock, which is \
         Argon2id by design (see the unlock figure above).\n\n",
        load_before.split_whitespace().next().unwrap_or("?"),
        load_after.split_whitespace().next().unwrap_or("?"),
    );
    let _ = writeln!(md, "| What | Median | Range | × hello |\n|---|---|---|---|");
    let _ = writeln!(
        md,
        "| floor: hello-tauri, session to `#welcome` rendered | {} | {} | 1 |",
        human(hello_s.median()),
        hello_s.range()
    );
    let _ = writeln!(
        md,
        "| **votekiosk-app, session to its first screen** (unlock, `#passphrase` rendered) | **{}** | {} | **{}** |",
        human(first_s.median()),
        first_s.range(),
        ratio(first_s.median(), hello_s.median())
    );
    let _ = writeln!(
        md,
        "| votekiosk-app, unlock (click to the voter welcome screen: Argon2id, integrity check, audit chain) | {} | {} | — |",
        human(unlock_s.median()),
        unlock_s.range()
    );
    let _ = writeln!(
        md,
        "| votekiosk-app, session to the voter welcome screen (`#start`), typing the passphrase included | {} | {} | {} |",
        human(welcome_s.median()),
        welcome_s.range(),
        ratio(welcome_s.median(), hello_s.median())
    );
    let _ = write!(
        md,
        "\n### A scripted session and peak memory\n\n\
         The kiosk: {voters} voters, one after another, each by mouse through \
         welcome, code, five contests (all four kinds), review, cast and receipt, \
         with codes issued beforehand through the core on a station in open \
         mode; no printer is configured, so each receipt slip is also saved as a \
         PDF ({receipts_saved} files). Hello: {voters} clicks, each one IPC \
         round trip. Memory is read from `/proc/<pid>/status` for the app \
         process and the WebKit processes it starts (found under \
         tauri-driver's process tree), counting shared pages once per \
         process. **The peak of the total over the voters** is the largest sum \
         of their `VmRSS`, read every 20 ms from the first screen (the \
         kiosk's welcome screen, after the unlock) to the last voter of the \
         {voters} (hello: the last click): the most the three processes held \
         at once while voters voted. The peak from the start adds the \
         morning's unlock, before any voter. The per-process rows are \
         `VmHWM` (each process's own peak) at that point; their sum adds \
         peaks that do not coincide: the kiosk's app process peaks during the \
         unlock (Argon2id's 256 MiB, a security setting, `docs/formats.md` \
         §3), its web process at the end of the day.\n\n"
    );
    let _ = writeln!(
        md,
        "| What | hello-tauri | votekiosk-app | × hello |\n|---|---|---|---|"
    );
    for (name, h, k) in [
        (
            "app process, peak RSS right after start (kiosk: after the unlock)",
            hello_start_peak.app,
            kiosk_start_peak.app,
        ),
        ("app process, peak RSS", hello_peak.app, kiosk_peak.app),
        ("WebKitWebProcess, peak RSS", hello_peak.web, kiosk_peak.web),
        (
            "WebKitNetworkProcess, peak RSS",
            hello_peak.network,
            kiosk_peak.network,
        ),
        (
            "**peak of the total RSS over the voters** (sampled every 20 ms from the first screen, the kiosk's welcome screen after the unlock: the most held at once)",
            hello_voters_peak,
            kiosk_voters_peak,
        ),
        (
            "peak of the total RSS from the start (the kiosk's unlock included)",
            hello_peak_sum,
            kiosk_peak_sum,
        ),
        (
            "sum of the three processes' peaks (`VmHWM`; peaks that need not coincide)",
            hello_peak.total(),
            kiosk_peak.total(),
        ),
        (
            "total RSS right after start",
            hello_start_rss.total(),
            kiosk_start_rss.total(),
        ),
        (
            "total RSS at the end",
            hello_end_rss.total(),
            kiosk_end_rss.total(),
        ),
    ] {
        let _ = writeln!(
            md,
            "| {name} | {} | {} | {} |",
            mib(h),
            mib(k),
            if h > 0 {
                ratio(k as f64, h as f64)
            } else {
                "—".into()
            }
        );
    }
    let _ = writeln!(
        md,
        "| session wall time | {} ({voters} clicks) | {} ({voters} voters) | — |",
        human(hello_session.as_secs_f64()),
        human(kiosk_session.as_secs_f64())
    );
    series.dedup_by_key(|(n, _)| *n);
    let _ = write!(
        md,
        "\n### Leak check\n\n\
         The same session went on to {leak_voters} voters. Resident memory \
         (`VmRSS`, app process + WebKitWebProcess, read on the welcome \
         screen after the voter, 2 s after the last click) after voter \
         {leak_voters}: {}, after voter {voters}: {}: **{:+.1} %** (target: \
         within 5 %, {}).\n",
        mib(leak_end_rss.resident()),
        mib(kiosk_end_rss.resident()),
        leak_growth * 100.0,
        if leak_growth.abs() <= 0.05 {
            "met"
        } else {
            "**missed**"
        },
    );
    let _ = writeln!(
        md,
        "\nResident memory of the kiosk as the voters go by (`VmRSS`: app process + WebKitWebProcess):\n"
    );
    let _ = writeln!(
        md,
        "| Voters | {} |\n|---|{}\n| app process | {} |\n| WebKitWebProcess | {} |",
        series
            .iter()
            .map(|(n, _)| n.to_string())
            .collect::<Vec<_>>()
            .join(" | "),
        "---|".repeat(series.len()),
        series
            .iter()
            .map(|(_, m)| mib(m.app))
            .collect::<Vec<_>>()
            .join(" | "),
        series
            .iter()
            .map(|(_, m)| mib(m.web))
            .collect::<Vec<_>>()
            .join(" | "),
    );
    let _ = write!(
        md,
        "\nPer step, as the WebDriver sees it (each includes WebDriver round \
         trips of a few milliseconds): one hello click to its answer on screen \
         {} median, {} p99; one voter from the welcome screen back to it {} \
         median, {} p99; \"cast\" clicked to the receipt on screen {} median, \
         {} p99. **Measured inside the page** (the click event to the receipt \
         screen in the document: IPC, the cast, the receipt slip PDF and its \
         save with fsync, the QR for the screen): **{} median, {} p99** \
         (range {}). All {ballots} ballots were in the station file \
         afterwards. The app process's peak right after the unlock includes \
         Argon2id's 256 MiB (by design, `docs/formats.md` §3); the {voters} \
         voters then raised it by {}.\n\n",
        human(ping_s.median()),
        human(ping_s.p99()),
        human(voter_s.median()),
        human(voter_s.p99()),
        human(cast_s.median()),
        human(cast_s.p99()),
        human(cast_page_s.median()),
        human(cast_page_s.p99()),
        cast_page_s.range(),
        mib(kiosk_peak.app.saturating_sub(kiosk_start_peak.app)),
    );
    let _ = write!(
        md,
        "### The window while a PDF is made\n\n\
         After the voters, a poll worker logged in (Ctrl+Alt+P) and issued \
         {slips} codes with their slips from the dashboard (the form's largest \
         batch; {codes_issued} codes in the file afterwards): the command took \
         {} from the click to the slips' line on screen, during which the \
         window drew {frames} animation frames with at most {frame_gap:.0} ms \
         between two (`requestAnimationFrame`; a blocked window thread would \
         show one gap as long as the command). Every command is `async`, so \
         the PDF is made on Tauri's async runtime, not on the window's \
         thread.\n\n",
        human(slips_t.as_secs_f64()),
    );
    print!("{md}");
    let out = std::env::var_os("VOTEKIOSK_BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target/bench-results"));
    std::fs::create_dir_all(&out).expect("results folder");
    std::fs::write(out.join("app.md"), md).expect("write app.md");
    let summary = format!(
        "| App cold start to the first screen, ÷ a hello Tauri window | reported | {} vs {} ({}) | reported |\n\
         | App peak RSS (app + WebKit, the most held at once) over {voters} voters after the unlock, ÷ hello over {voters} clicks | ≤ 1.5 | {} vs {} ({}); from the start, the unlock's Argon2id included: {} vs {} ({}) | {} |\n\
         | App RSS (app + WebKit) after voter {leak_voters} vs after voter {voters} | within 5 % | {} vs {} ({:+.1} %) | {} |\n",
        human(first_s.median()),
        human(hello_s.median()),
        ratio(first_s.median(), hello_s.median()),
        mib(kiosk_voters_peak),
        mib(hello_voters_peak),
        ratio(kiosk_voters_peak as f64, hello_voters_peak.max(1) as f64),
        mib(kiosk_peak_sum),
        mib(hello_peak_sum),
        ratio(kiosk_peak_sum as f64, hello_peak_sum.max(1) as f64),
        if kiosk_voters_peak as f64 <= 1.5 * hello_voters_peak as f64 { "met" } else { "**missed**" },
        mib(leak_end_rss.resident()),
        mib(kiosk_end_rss.resident()),
        leak_growth * 100.0,
        if leak_growth.abs() <= 0.05 { "met" } else { "**missed**" },
    );
    std::fs::write(out.join("app-summary.md"), summary).expect("write app-summary.md");
    eprintln!("wrote {}", out.join("app.md").display());
}

fn main() {
    if !full_mode() {
        // `cargo test --all-targets` runs benches once; this one needs a
        // display and two release apps, so it runs under `cargo bench` only.
        println!("app bench: skipped outside `cargo bench` (scripts/bench runs it)");
        return;
    }
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(run());
}
