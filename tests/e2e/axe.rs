//! Automated accessibility checks in the real window: axe-core (the npm
//! package scripts/setup installs into `.tools/`) is injected through
//! WebDriver and run on every screen a voter or an official reaches, in
//! every theme and every text size; any violation fails the test, named by
//! its rule id, the elements it found and the screen, theme and size.
//! Each screen is reached once and the themes and sizes are switched in
//! place with the top bar's own buttons.
//!
//! The same window checks the text sizes physically: with the panel
//! declared at 0.25 mm per pixel, a capital letter drawn at each of the four
//! sizes is as many pixels high as VVSG 2.0 7.1-G asks (read back from a
//! screenshot, not from the style sheet).

use std::path::PathBuf;

use crate::support::*;

/// The panel the station declares for this test (µm per pixel).
const PITCH_UM: u32 = 250;

/// VVSG 2.0 7.1-G: the capital-letter heights of the four text sizes (mm).
const SIZES: [(&str, f64, f64); 4] = [
    ("small", 3.5, 4.2),
    ("standard", 4.8, 5.6),
    ("large", 6.4, 7.1),
    ("largest", 8.5, 9.0),
];
const THEMES: [&str; 2] = ["standard", "high-contrast"];

/// axe-core's browser build: `VOTEKIOSK_AXE_JS`, or where scripts/setup
/// installs it.
fn axe_path() -> PathBuf {
    std::env::var_os("VOTEKIOSK_AXE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.tools/node_modules/axe-core/axe.min.js")
        })
}

/// The violations found so far, one line each.
#[derive(Default)]
pub struct Findings {
    pub lines: Vec<String>,
    pub runs: usize,
}

impl Findings {
    /// Fails, listing every violation, if there is one.
    pub fn assert_none(&self) {
        eprintln!("axe-core: {} runs", self.runs);
        assert!(
            self.lines.is_empty(),
            "axe-core found {} violations:\n{}",
            self.lines.len(),
            self.lines.join("\n")
        );
    }
}

/// axe-core's source, or `None` (the test is skipped, said why; in CI
/// its absence fails).
pub fn axe_source() -> Option<String> {
    let axe = axe_path();
    match std::fs::read_to_string(&axe) {
        Ok(js) => Some(js),
        Err(_) => {
            let msg = format!("axe-core is not at {} (run scripts/setup)", axe.display());
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("{msg}");
            }
            eprintln!("SKIPPED: {msg}");
            None
        }
    }
}

/// Puts axe-core into the page (`check` puts it in again after a new
/// voter's page has replaced the one it was in).
pub async fn inject(k: &Kiosk, axe_js: &str) {
    let injected = k
        .client
        .execute(&format!("{axe_js}\n;return typeof window.axe;"), vec![])
        .await
        .expect("inject axe-core");
    assert_eq!(injected.as_str(), Some("object"), "axe-core did not load");
}

/// Sets the theme and text size with the top bar's buttons (clicked in the
/// page, so that a screen scrolled at the largest size still reaches them).
pub async fn set_display(k: &Kiosk, theme: &str, size: &str) {
    for (button, attr, want) in [("contrast", "theme", theme), ("text-size", "textSize", size)] {
        let mut clicks = 0;
        loop {
            let now = k
                .client
                .execute(
                    "return document.documentElement.dataset[arguments[0]] || ''",
                    vec![attr.into()],
                )
                .await
                .expect("display state");
            if now.as_str() == Some(want) {
                break;
            }
            assert!(clicks < 8, "#{button} never reached {want}");
            k.client
                .execute(
                    "document.getElementById(arguments[0]).click()",
                    vec![button.into()],
                )
                .await
                .expect("click a display tool");
            clicks += 1;
        }
    }
}

/// Runs axe-core on the page as it is, in every theme and size; records
/// what it finds under `screen`, takes the high-contrast, largest-size
/// picture, and leaves the display standard again.
pub async fn check(k: &Kiosk, screen: &str, found: &mut Findings) {
    let present = k
        .client
        .execute("return typeof window.axe;", vec![])
        .await
        .expect("axe-core in the page?");
    if present.as_str() != Some("object") {
        inject(k, &axe_source().expect("axe-core")).await;
    }
    for theme in THEMES {
        for (size, _, _) in SIZES {
            set_display(k, theme, size).await;
            if theme == "high-contrast" && size == "largest" {
                k.shot(&format!("40-hc-largest-{screen}")).await;
            }
            let result = k
                .client
                .execute_async(
                    "const done = arguments[arguments.length - 1];
                     axe.run(document, { resultTypes: ['violations'] })
                       .then((r) => done(r.violations.map((v) => ({
                         id: v.id, impact: v.impact, help: v.help,
                         targets: v.nodes.slice(0, 6).map((n) => n.target.join(' ')
                           + (n.failureSummary ? ' [' + n.failureSummary.replace(/\\s+/g, ' ') + ']' : '')),
                       }))))
                       .catch((e) => done([{ id: 'axe-error', impact: 'error', help: String(e), targets: [] }]));",
                    vec![],
                )
                .await
                .expect("run axe");
            found.runs += 1;
            for v in result.as_array().expect("violations") {
                found.lines.push(format!(
                    "{screen} / {theme} / {size}: {} ({}): {} — {}",
                    v["id"].as_str().unwrap_or("?"),
                    v["impact"].as_str().unwrap_or("?"),
                    v["help"].as_str().unwrap_or(""),
                    v["targets"]
                        .as_array()
                        .map(|t| t.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>().join("; "))
                        .unwrap_or_default()
                ));
            }
        }
    }
    // Reset: the standard theme and size, as the Reset button sets them.
    k.client
        .execute("document.getElementById('display-reset').click()", vec![])
        .await
        .expect("reset");
    let now = k
        .client
        .execute(
            "return [document.documentElement.dataset.theme, document.documentElement.dataset.textSize]",
            vec![],
        )
        .await
        .expect("display");
    assert_eq!(
        now,
        serde_json::json!(["standard", "standard"]),
        "Reset goes back to standard"
    );
}

/// The height in pixels of a capital letter drawn in the page's text at the
/// current size: a probe of capitals is added to the screen, its picture
/// taken, and the rows holding dark ink counted.
async fn cap_height_px(k: &Kiosk, name: &str) -> u32 {
    k.client
        .execute(
            "const old = document.getElementById('cap-probe'); if (old) old.remove();
             const p = document.createElement('p');
             p.id = 'cap-probe';
             p.textContent = 'HEHTEH';
             p.style.color = '#000000';
             p.style.background = '#ffffff';
             p.style.fontWeight = 'normal';
             p.style.padding = '4px';
             p.style.margin = '0';
             p.style.display = 'inline-block';
             document.getElementById('app').prepend(p);",
            vec![],
        )
        .await
        .expect("probe");
    // Two frames later the probe is painted.
    k.client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 50)));",
            vec![],
        )
        .await
        .expect("wait for a paint");
    // The whole window's picture (what the panel shows), cut to the probe.
    let (x, y, w, h) = k
        .el("#cap-probe")
        .await
        .rectangle()
        .await
        .expect("probe rectangle");
    let png = k.client.screenshot().await.expect("screenshot");
    k.client
        .execute("document.getElementById('cap-probe').remove()", vec![])
        .await
        .expect("remove probe");
    std::fs::write(shots_dir().join(format!("probe-{name}.png")), &png).expect("write probe");
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().expect("png");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("frame");
    let channels = info.color_type.samples();
    let (x0, y0) = (x.max(0.0).round() as usize, y.max(0.0).round() as usize);
    let x1 = ((x + w).round() as usize).min(info.width as usize);
    let y1 = ((y + h).round() as usize).min(info.height as usize);
    assert!(x1 > x0 && y1 > y0, "the probe is off the screen: {x} {y} {w} {h}");
    let mut rows = 0;
    for y in y0..y1 {
        let row = &buf[y * info.line_size + x0 * channels..y * info.line_size + x1 * channels];
        let inked = row.chunks(channels).any(|px| {
            let lum = if channels >= 3 {
                (u32::from(px[0]) * 2126 + u32::from(px[1]) * 7152 + u32::from(px[2]) * 722) / 10_000
            } else {
                u32::from(px[0])
            };
            lum < 128
        });
        if inked {
            rows += 1;
        }
    }
    rows
}

#[tokio::test(flavor = "multi_thread")]
async fn axe_finds_nothing_on_any_screen_theme_or_size_and_capitals_are_vvsg_high() {
    if !tools_ready() {
        return;
    }
    let Some(axe_js) = axe_source() else {
        return;
    };
    let _serial = crate::SERIAL.lock().await;
    let day = demo_day("E2E-AXE", true, 1, |s| s.pixel_pitch_um = PITCH_UM);
    let (def, code) = (&day.def, &day.codes[0]);

    let k = Kiosk::start(&day.station, day.home.path()).await;
    k.wait_screen("unlock").await;
    inject(&k, &axe_js).await;
    let mut found = Findings::default();

    check(&k, "unlock", &mut found).await;
    k.type_into("#passphrase", PASSPHRASE).await;
    k.click("#unlock-submit").await;
    k.wait_screen("welcome").await;

    // The four text sizes, measured on screen: a capital letter's height in
    // pixels times the declared pitch is inside VVSG's range for each.
    let mut measured = Vec::new();
    for (size, lo, hi) in SIZES {
        set_display(&k, "standard", size).await;
        let px = cap_height_px(&k, size).await;
        let mm = f64::from(px) * f64::from(PITCH_UM) / 1000.0;
        measured.push(format!("{size}: {px} px = {mm:.2} mm"));
        assert!(
            lo <= mm + 1e-9 && mm <= hi + 1e-9,
            "text size {size}: capitals {px} px high = {mm:.2} mm at {PITCH_UM} µm/px, VVSG asks {lo}–{hi} mm ({measured:?})"
        );
    }
    let ratio = k
        .client
        .execute("return document.documentElement.dataset.capRatio", vec![])
        .await
        .expect("cap ratio");
    eprintln!(
        "capital heights at {PITCH_UM} µm/px: {} (the font's measured cap-height ratio {})",
        measured.join(", "),
        ratio.as_str().unwrap_or("?")
    );
    // Every size and theme is labelled in the bar.
    set_display(&k, "high-contrast", "large").await;
    assert_eq!(k.text("#text-size").await, "Text size: large");
    assert_eq!(k.text("#contrast").await, "Contrast: high");
    k.click("#display-reset").await;
    assert_eq!(k.text("#text-size").await, "Text size: standard");
    assert_eq!(k.text("#contrast").await, "Contrast: standard");

    check(&k, "welcome", &mut found).await;
    k.click("#start").await;
    k.wait_screen("code").await;
    check(&k, "code", &mut found).await;
    k.type_into("#code", code).await;
    k.click("#code-submit").await;

    // Every contest (each kind), the write-in screen once, then review.
    let mut wrote_in = false;
    for _ in 0..def.contests.len() {
        k.wait_screen("contest").await;
        let id = k
            .el("#contest-title")
            .await
            .attr("data-contest")
            .await
            .expect("attr")
            .unwrap_or_default();
        let kind = def
            .contests
            .iter()
            .find(|c| c.id.to_string() == id)
            .map(|c| c.kind.name())
            .unwrap_or("?");
        check(&k, &format!("contest-{kind}-{id}"), &mut found).await;
        let write_in = k
            .client
            .execute("return !!document.getElementById('write-in')", vec![])
            .await
            .expect("write-in?");
        if !wrote_in && write_in.as_bool() == Some(true) {
            k.click("#write-in").await;
            k.wait_screen("write-in").await;
            check(&k, "write-in", &mut found).await;
            k.type_into("#write-in-name", "Rosa Parks").await;
            k.click("#write-in-done").await;
            k.wait_screen("contest").await;
            wrote_in = true;
        } else if kind == "ranked" {
            k.click("button.rank[data-rank='1']").await;
        } else {
            k.click("button[data-choice]").await;
        }
        // The contest once more, with a choice made.
        check(&k, &format!("contest-{kind}-{id}-chosen"), &mut found).await;
        k.click("#next").await;
    }
    assert!(wrote_in, "the demo has a contest with write-ins");
    k.wait_screen("review").await;
    check(&k, "review", &mut found).await;
    k.click("#cast").await;
    k.wait_screen("card").await;
    check(&k, "card", &mut found).await;
    k.click("#card-cast").await;
    k.wait_screen("receipt").await;
    check(&k, "receipt", &mut found).await;
    let receipt = k.text("#receipt-id").await;
    k.click("#receipt-done").await;
    k.wait_screen("welcome").await;
    k.click("#verify-link").await;
    k.wait_screen("verify").await;
    check(&k, "verify", &mut found).await;
    k.type_into("#receipt-input", &receipt).await;
    k.click("#verify-submit").await;
    k.wait_text("#verify-result", "Recorded").await;
    check(&k, "verify-result", &mut found).await;

    // The officials' screens.
    k.official_chord().await;
    k.wait_screen("login").await;
    check(&k, "login", &mut found).await;
    k.type_into("#username", ADMIN).await;
    k.type_into("#password", ADMIN_PASSWORD).await;
    k.click("#login-submit").await;
    k.wait_screen("dashboard").await;
    k.wait_text("#stat-ballots", "1").await;
    check(&k, "dashboard", &mut found).await;
    k.click("#polls-close").await;
    k.el("#confirm-ok").await;
    check(&k, "confirm-close", &mut found).await;
    k.click("#confirm-ok").await;
    k.el("#reauth-password").await;
    check(&k, "password-prompt", &mut found).await;
    k.confirm_password(ADMIN_PASSWORD).await;
    k.wait_screen("count").await;
    check(&k, "count", &mut found).await;
    k.stop().await;
    found.assert_none();
}

/// The screens an admin sees before the polls open: the closing key's
/// (the workers and K, a worker's PIN, who holds which share), in every
/// theme and size.
#[tokio::test(flavor = "multi_thread")]
async fn axe_finds_nothing_on_the_closing_key_screens() {
    if !tools_ready() {
        return;
    }
    let Some(axe_js) = axe_source() else {
        return;
    };
    let _serial = crate::SERIAL.lock().await;
    let home = tempfile::tempdir().expect("tempdir");
    let station = home.path().join("station.vkstation");
    let def = votekiosk::demo::definition(chrono::Utc::now()).expect("definition");
    // A new station: no closing key yet, the polls not open.
    votekiosk::Station::create(
        &station,
        &def,
        "E2E-AXE-CK",
        PASSPHRASE,
        ADMIN,
        ADMIN_PASSWORD,
        votekiosk::Options::default(),
    )
    .expect("create");
    let k = Kiosk::start_unlocked(&station, home.path()).await;
    inject(&k, &axe_js).await;
    let mut found = Findings::default();
    k.admin_login().await;
    k.el("#ck-none").await;
    k.click("#closing-setup").await;
    k.wait_screen("closing").await;
    check(&k, "closing-key", &mut found).await;
    k.type_into("#ck-workers", &WORKERS.join(", ")).await;
    k.type_into("#ck-threshold", "2").await;
    k.click("#ck-next").await;
    for (i, pin) in PINS.iter().enumerate() {
        k.wait_screen("closing-pin").await;
        k.wait_text("h1", WORKERS[i]).await;
        if i == 0 {
            check(&k, "closing-key-pin", &mut found).await;
        }
        k.type_into("#ck-pin", pin).await;
        k.type_into("#ck-pin2", pin).await;
        k.click("#ck-pin-next").await;
    }
    k.wait_screen_for("closing-done", 120).await;
    check(&k, "closing-key-done", &mut found).await;
    k.stop().await;
    found.assert_none();
}
