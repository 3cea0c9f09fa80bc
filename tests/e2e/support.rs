//! Starts Xvfb, tauri-driver and a WebDriver session on the app, with
//! small helpers that act the way a person does (click, type, Tab, Enter).

#![allow(dead_code)]

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

pub const PASSPHRASE: &str = "e2e election passphrase";
pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "e2e-admin-password";

/// Whether the window tools exist. In CI their absence is a failure.
pub fn tools_ready() -> bool {
    let missing: Vec<&str> = ["Xvfb", "tauri-driver", "WebKitWebDriver"]
        .into_iter()
        .filter(|tool| {
            !std::env::var_os("PATH")
                .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
                .unwrap_or(false)
        })
        .collect();
    if missing.is_empty() {
        return true;
    }
    let msg = format!("window tests need {} (run scripts/setup)", missing.join(", "));
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{msg}");
    }
    eprintln!("SKIPPED: {msg}");
    false
}

/// Two distinct free ports on loopback: both are held while the second is
/// chosen, so the system cannot hand out the same port twice.
fn two_free_ports() -> (u16, u16) {
    let bind = || TcpListener::bind("127.0.0.1:0").expect("bind");
    let (a, b) = (bind(), bind());
    let port = |l: &TcpListener| l.local_addr().expect("addr").port();
    (port(&a), port(&b))
}

pub fn app_binary() -> PathBuf {
    std::env::var_os("VOTEKIOSK_APP_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_votekiosk-app")))
}

pub fn shots_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-shots");
    std::fs::create_dir_all(&dir).expect("shots dir");
    dir
}

/// Whether a WebDriver error says the element went away (the screen was
/// rebuilt), so that acting on it did nothing.
fn is_stale(e: &fantoccini::error::CmdError) -> bool {
    let text = e.to_string();
    text.contains("was not found") || text.contains("stale element")
}

/// A running kiosk app in its own X display, with a WebDriver session.
pub struct Kiosk {
    pub client: Client,
    xvfb: Child,
    driver: Child,
}

impl Kiosk {
    /// Starts the app on `station` with `home` as its data and runtime folder.
    pub async fn start(station: &Path, home: &Path) -> Kiosk {
        Kiosk::start_with_args(&[station.to_str().expect("path")], home).await
    }

    /// Starts the app with `args` (e.g. `--kiosk`, then the station file).
    pub async fn start_with_args(args: &[&str], home: &Path) -> Kiosk {
        // Xvfb picks a free display itself and writes its number on
        // stdout once it accepts connections (-displayfd): no guessed
        // number that another X server could hold.
        let mut xvfb = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x900x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb");
        let display = {
            use std::io::BufRead;
            let stdout = xvfb.stdout.take().expect("Xvfb stdout");
            let mut line = String::new();
            std::io::BufReader::new(stdout)
                .read_line(&mut line)
                .expect("read Xvfb's display number");
            let display: u32 = line
                .trim()
                .parse()
                .unwrap_or_else(|_| panic!("Xvfb said {line:?}"));
            display
        };
        let (port, native) = two_free_ports();
        let driver = Command::new("tauri-driver")
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .env("DISPLAY", format!(":{display}"))
            .env("XDG_RUNTIME_DIR", home)
            .env("XDG_DATA_HOME", home)
            .env("VOTEKIOSK_WINDOWED", "1")
            // `--kiosk` turns WebKit's GPU compositing off; without it,
            // WebKitWebDriver's screenshots stop answering (WebKitGTK
            // 2.50), and every window test takes them. Kept on here only.
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "0")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("start tauri-driver");
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({
                "application": app_binary(),
                "args": args,
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let t = Instant::now();
        let client = loop {
            match ClientBuilder::native()
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(c) => break c,
                Err(e) if t.elapsed() < Duration::from_secs(30) => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(300)).await;
                }
                Err(e) => panic!("no WebDriver session: {e}"),
            }
        };
        Kiosk { client, xvfb, driver }
    }

    /// Ends the WebDriver session (the app's window closes), then the
    /// processes (see `Drop`).
    pub async fn stop(self) {
        let _ = self.client.clone().close().await;
    }

    pub async fn el(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css} on screen {:?}: {e}", futures_block(self)))
    }

    /// Clicks the element `css` names. The screen may be rebuilt between
    /// finding the element and clicking it (a status event re-renders the
    /// dashboard, say); the click then fails on a node that no longer
    /// exists and did not happen, so it is retried on the new node.
    pub async fn click(&self, css: &str) {
        let mut tries = 0;
        loop {
            // As a person waits for the control, scrolls it to the middle
            // of the screen (the action bar stays over the bottom edge)
            // and lets the screen settle before touching it.
            let e = self.el(css).await;
            self.centre(&e).await;
            match e.click().await {
                Ok(_) => return,
                Err(e) if tries < 20 && is_stale(&e) => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("click {css}: {e:?}; {}", self.where_is(css).await),
            }
        }
    }

    /// Scrolls `e` to the middle of the screen and waits two frames. Found
    /// first, then scrolled: a new voter's page may still be loading when
    /// asked, and a control scrolled before it exists is clicked wherever
    /// WebDriver's own scroll leaves it (under the action bar, say).
    async fn centre(&self, e: &Element) {
        let Ok(e) = serde_json::to_value(e) else {
            return;
        };
        let _ = self
            .client
            .execute_async(
                "const [e, done] = [arguments[0], arguments[arguments.length - 1]];
                 e.scrollIntoView({ block: 'center' });
                 requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                vec![e],
            )
            .await;
    }

    /// Where the element `css` names is and what covers its middle: said
    /// when a click on it fails.
    pub async fn where_is(&self, css: &str) -> String {
        self.client
            .execute(
                "const e = document.querySelector(arguments[0]); if (!e) return 'not on screen';
                 const r = e.getBoundingClientRect(); const x = r.left + r.width / 2, y = r.top + r.height / 2;
                 const hit = document.elementFromPoint(x, y); const app = document.getElementById('app');
                 const bar = document.querySelector('.action-bar');
                 return JSON.stringify({ screen: app.dataset.screen, box: [r.left, r.top, r.width, r.height],
                   window: [innerWidth, innerHeight], bar: bar ? bar.getBoundingClientRect().top : null,
                   scroll: [app.scrollTop, document.scrollingElement.scrollTop],
                   covered_by: hit ? hit.outerHTML.slice(0, 160) : null,
                   focus: document.activeElement ? document.activeElement.outerHTML.slice(0, 120) : null });",
                vec![css.into()],
            )
            .await
            .map(|v| v.to_string())
            .unwrap_or_else(|e| format!("(could not ask: {e})"))
    }

    /// Types `text` into the field `css` names (retried, like `click`, if
    /// the screen was rebuilt under it).
    pub async fn type_into(&self, css: &str, text: &str) {
        let mut tries = 0;
        loop {
            let e = self.el(css).await;
            self.centre(&e).await;
            let typed = match e.clear().await {
                Ok(()) => e.send_keys(text).await,
                Err(err) => Err(err),
            };
            match typed {
                Ok(()) => return,
                Err(err) if tries < 20 && is_stale(&err) => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(err) => panic!("type into {css}: {err}"),
            }
        }
    }

    pub async fn text(&self, css: &str) -> String {
        self.el(css).await.text().await.expect("text")
    }

    /// Waits until an element's text contains `needle`; returns the text.
    pub async fn wait_text(&self, css: &str, needle: &str) -> String {
        let t = Instant::now();
        loop {
            // The screen may re-render between finding and reading: retry.
            let text = match self.client.find(Locator::Css(css)).await {
                Ok(e) => e.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if text.contains(needle) {
                return text;
            }
            if t.elapsed() > Duration::from_secs(15) {
                panic!("{css} says {text:?}, expected {needle:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The screen shown, or "" while there is none: a new voter's page
    /// is loading (the old one is gone, the new one has no screen yet).
    pub async fn screen(&self) -> String {
        let v = self
            .client
            .execute(
                "const app = document.getElementById('app'); return (app && app.dataset.screen) || ''",
                vec![],
            )
            .await;
        match v {
            Ok(v) => v.as_str().unwrap_or("").to_string(),
            Err(_) => String::new(),
        }
    }

    pub async fn wait_screen(&self, name: &str) {
        self.wait_screen_for(name, 20).await;
    }

    /// Like `wait_screen`, for a step that takes long (the closing key's
    /// Argon2 work per slip, on a loaded machine).
    pub async fn wait_screen_for(&self, name: &str, secs: u64) {
        let t = Instant::now();
        loop {
            if self.screen().await == name {
                return;
            }
            if t.elapsed() > Duration::from_secs(secs) {
                panic!("expected screen {name:?}, on {:?}", self.screen().await);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn shot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(shots_dir().join(format!("{name}.png")), png).expect("write screenshot");
    }

    /// Types keys into whatever has the focus, as a keyboard does.
    pub async fn keys(&self, keys: &str) {
        let active = self.client.active_element().await.expect("active element");
        active.send_keys(keys).await.expect("send keys");
    }

    /// Presses Tab until the focus is on `css` (keyboard-only navigation).
    pub async fn tab_to(&self, css: &str) {
        for _ in 0..80 {
            let on = self
                .client
                .execute(
                    "return document.activeElement.matches(arguments[0])",
                    vec![css.into()],
                )
                .await
                .expect("focus check");
            if on.as_bool() == Some(true) {
                return;
            }
            self.keys(TAB).await;
        }
        panic!("Tab never reached {css}");
    }

    /// Waits until the focus is on `css` and that control is pressed
    /// (chosen): a choice keeps the focus where the voter made it.
    pub async fn wait_focus_pressed(&self, css: &str) {
        let t = Instant::now();
        loop {
            let v = self
                .client
                .execute(
                    "const a = document.activeElement;
                     return [a.matches(arguments[0]), a.getAttribute('aria-pressed'), a.outerHTML.slice(0, 120)];",
                    vec![css.into()],
                )
                .await
                .expect("focus check");
            if v[0].as_bool() == Some(true) && v[1].as_str() == Some("true") {
                return;
            }
            if t.elapsed() > Duration::from_secs(10) {
                panic!("the focus is on {}, not on a pressed {css}", v[2]);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Whether the focus is on `css`.
    pub async fn focused(&self, css: &str) -> bool {
        self.client
            .execute(
                "return document.activeElement.matches(arguments[0])",
                vec![css.into()],
            )
            .await
            .expect("focus check")
            .as_bool()
            == Some(true)
    }

    /// Presses `key` until the focus is on `css`, at most `limit` times;
    /// returns how many presses it took.
    pub async fn press_to(&self, key: &str, css: &str, limit: usize) -> usize {
        for n in 0..=limit {
            if self.focused(css).await {
                return n;
            }
            self.keys(key).await;
        }
        panic!("{limit} presses of {key:?} never reached {css}");
    }

    /// Types the official's password into the "type your password again"
    /// prompt (issuing codes, closing the polls) and confirms.
    pub async fn confirm_password(&self, password: &str) {
        self.type_into("#reauth-password", password).await;
        self.click("#reauth-ok").await;
    }

    /// The poll-worker chord, Ctrl+Alt+P.
    pub async fn official_chord(&self) {
        self.keys(&format!("{CTRL}{ALT}p{NULL}")).await;
    }
}

impl Drop for Kiosk {
    /// tauri-driver starts WebKitWebDriver, which starts the app: all of
    /// them are in tauri-driver's own process group and end with it, also
    /// when a test panics, so no test leaves a driver or an app behind.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.driver.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = self.xvfb.kill();
        let _ = self.xvfb.wait();
    }
}

fn futures_block(_k: &Kiosk) -> &'static str {
    "see screenshot"
}

pub const TAB: &str = "\u{E004}";
pub const ENTER: &str = "\u{E007}";
pub const SPACE: &str = " ";
pub const CTRL: &str = "\u{E009}";
pub const ALT: &str = "\u{E00A}";
pub const NULL: &str = "\u{E000}";

/// A definition file whose voting window is open now.
pub fn write_definition(dir: &Path) -> PathBuf {
    let def = votekiosk::demo::definition(chrono::Utc::now()).expect("definition");
    let path = dir.join("election.json");
    std::fs::write(&path, def.canonical_json()).expect("write definition");
    path
}

/// Every QR code on the first page of `pdf`, read as a scanner would:
/// rasterised by `pdftoppm`, decoded by `zbarimg` (both from scripts/setup).
pub fn qr_payloads(pdf: &Path) -> Vec<String> {
    let png = pdf.with_extension("png");
    let prefix = pdf.with_extension("");
    let status = Command::new("pdftoppm")
        .args(["-r", "200", "-png", "-singlefile", "-f", "1", "-l", "1"])
        .arg(pdf)
        .arg(&prefix)
        .status()
        .expect("run pdftoppm (poppler-utils)");
    assert!(status.success(), "pdftoppm {}", pdf.display());
    let out = Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(&png)
        .output()
        .expect("run zbarimg (zbar-tools)");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Makes a station's closing key through the core (two of three poll
/// workers, PINs `PINS`), as an admin does before opening the polls; returns
/// the slips' payloads in slip order.
pub fn make_closing_key(st: &mut votekiosk::Station, admin: &votekiosk::Official) -> Vec<String> {
    let workers: Vec<(String, zeroize::Zeroizing<String>)> = WORKERS
        .iter()
        .zip(PINS)
        .map(|(w, p)| (w.to_string(), zeroize::Zeroizing::new(p.to_string())))
        .collect();
    st.init_closing_key(admin, &workers, 2)
        .expect("closing key")
        .iter()
        .map(|s| s.payload.to_string())
        .collect()
}

/// The poll workers who hold the closing key's slips, and their PINs.
pub const WORKERS: [&str; 3] = ["pw-alma", "pw-bruno", "pw-cora"];
pub const PINS: [&str; 3] = ["24681357", "13572468", "11223344"];

/// A station ready for election day, as an admin leaves it: created on
/// `def` with the admin `ADMIN`, its closing key made (two of three poll
/// workers), the kiosk settings changed by `settings`, the polls opened
/// when `open`, and `codes` voter codes issued. Returns the codes as
/// printed on the slips.
pub fn election_day_station(
    station: &Path,
    def: &votekiosk::ElectionDefinition,
    id: &str,
    open: bool,
    codes: usize,
    settings: impl FnOnce(&mut votekiosk::KioskSettings),
) -> Vec<String> {
    let mut st = votekiosk::Station::create(
        station,
        def,
        id,
        PASSPHRASE,
        ADMIN,
        ADMIN_PASSWORD,
        votekiosk::Options::default(),
    )
    .expect("create");
    let admin = st.login(ADMIN, ADMIN_PASSWORD).expect("login");
    make_closing_key(&mut st, &admin);
    let mut kiosk = st.kiosk_settings().expect("settings");
    settings(&mut kiosk);
    st.set_kiosk_settings(&admin, &kiosk).expect("settings");
    if open {
        st.open_polls(&admin).expect("open");
    }
    if codes == 0 {
        return Vec::new();
    }
    st.issue_codes(&admin, codes)
        .expect("codes")
        .codes
        .iter()
        .map(|c| c.display())
        .collect()
}

/// One window test's election day on the demo election: a temporary
/// home, the station in it (`election_day_station`), the definition and
/// the voter codes issued.
pub struct DemoDay {
    pub home: tempfile::TempDir,
    pub station: PathBuf,
    pub def: votekiosk::ElectionDefinition,
    pub codes: Vec<String>,
}

/// The demo election's day for station `id` (see `election_day_station`).
pub fn demo_day(
    id: &str,
    open: bool,
    codes: usize,
    settings: impl FnOnce(&mut votekiosk::KioskSettings),
) -> DemoDay {
    let home = tempfile::tempdir().expect("tempdir");
    let station = home.path().join("station.vkstation");
    let def = votekiosk::demo::definition(chrono::Utc::now()).expect("definition");
    let codes = election_day_station(&station, &def, id, open, codes, settings);
    DemoDay {
        home,
        station,
        def,
        codes,
    }
}

impl DemoDay {
    /// The app started on this station and unlocked: the welcome screen.
    pub async fn kiosk(&self) -> Kiosk {
        Kiosk::start_unlocked(&self.station, self.home.path()).await
    }
}

impl Kiosk {
    /// Starts the app on `station` and unlocks it with the election
    /// passphrase, as the poll worker does in the morning: the welcome
    /// screen shows.
    pub async fn start_unlocked(station: &Path, home: &Path) -> Kiosk {
        let k = Kiosk::start(station, home).await;
        k.wait_screen("unlock").await;
        k.type_into("#passphrase", PASSPHRASE).await;
        k.click("#unlock-submit").await;
        k.wait_screen("welcome").await;
        k
    }

    /// Logs the admin in with the poll-worker chord: the dashboard shows.
    pub async fn admin_login(&self) {
        self.official_chord().await;
        self.wait_screen("login").await;
        self.type_into("#username", ADMIN).await;
        self.type_into("#password", ADMIN_PASSWORD).await;
        self.click("#login-submit").await;
        self.wait_screen("dashboard").await;
    }

    /// A value of `<html>`'s dataset (`theme`, `textSize`, `audioRate`…).
    pub async fn root_data(&self, key: &str) -> String {
        self.client
            .execute(
                "return document.documentElement.dataset[arguments[0]] || ''",
                vec![key.into()],
            )
            .await
            .expect("dataset")
            .as_str()
            .unwrap_or("")
            .to_string()
    }
}

/// The text of `pdf`, as `pdftotext` (poppler-utils) reads it.
pub fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run pdftotext (poppler-utils)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The PDFs the station saved into its print folder (demo election, no
/// printer) whose name contains `kind`, oldest first.
pub fn printed_pdfs(station: &Path, kind: &str) -> Vec<PathBuf> {
    let folder = station.with_file_name("station-printed");
    let mut found: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(&folder)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.contains(kind) && n.ends_with(".pdf"))
                })
                .map(|p| {
                    (
                        std::fs::metadata(&p).and_then(|m| m.modified()).expect("mtime"),
                        p,
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found.into_iter().map(|(_, p)| p).collect()
}

impl Kiosk {
    /// Presses Next on a contest and waits for the next contest (or the
    /// review) before returning.
    pub async fn next_contest(&self) {
        let here = "const h = document.getElementById('contest-title');
                    return document.getElementById('app').dataset.screen + ':' + (h ? h.dataset.contest : '')";
        let before = self.client.execute(here, vec![]).await.expect("screen");
        self.click("#next").await;
        let t = Instant::now();
        while self.client.execute(here, vec![]).await.expect("screen") == before {
            assert!(t.elapsed() < Duration::from_secs(15), "Next did nothing");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// From a ballot's first contest: Next on every contest with no
    /// choice, Cast on the review, Cast on the printed card; ends on the
    /// receipt screen and returns the receipt id.
    pub async fn cast_blank_ballot(&self) -> String {
        let t = Instant::now();
        loop {
            let screen = self.screen().await;
            if screen == "review" {
                break;
            }
            assert!(t.elapsed() < Duration::from_secs(60), "stuck on {screen:?}");
            if screen != "contest" {
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
            self.next_contest().await;
        }
        self.click("#cast").await;
        self.wait_screen("card").await;
        self.click("#card-cast").await;
        self.wait_screen("receipt").await;
        self.text("#receipt-id").await
    }
}
