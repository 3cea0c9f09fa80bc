//! The idle timeout clears an unfinished ballot without using up the code,
//! and a right-to-left language turns the whole screen around: Arabic,
//! whose interface table (ui/js/strings/ar.js) is complete, so every word
//! the screens say is Arabic, and the voter can change the language in the
//! middle of the ballot without losing a choice.

use crate::support::*;

/// The demo definition with a third, right-to-left language (Arabic), whose
/// texts are copies of the English ones (enough to test the layout).
fn rtl_definition() -> votekiosk::ElectionDefinition {
    let base = votekiosk::demo::definition(chrono::Utc::now()).expect("definition");
    let mut doc: serde_json::Value = serde_json::from_str(base.canonical_json()).expect("json");
    fn add_ar(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                if let Some(en) = map.get("en").and_then(|e| e.as_str()).map(String::from) {
                    if map.contains_key("es") {
                        map.insert("ar".into(), format!("{en} (ع)").into());
                    }
                }
                for (_, child) in map.iter_mut() {
                    add_ar(child);
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(add_ar),
            _ => {}
        }
    }
    add_ar(&mut doc);
    doc["languages"]
        .as_array_mut()
        .expect("languages")
        .push(serde_json::json!({
            "code": "ar", "name": "العربية", "direction": "rtl"
        }));
    votekiosk::ElectionDefinition::parse(doc.to_string().as_bytes()).expect("rtl definition")
}

/// Whether `text` is the screens' Arabic: Arabic letters, and none of the
/// English table's words (no key-by-key fallback to English).
fn arabic(text: &str) -> bool {
    let english = ["You", "choose", "choices", "seconds", "ballot", "Next"];
    text.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)) && !english.iter().any(|w| text.contains(w))
}

/// Whether the contest shows Alvarez as chosen ("true"/"false").
async fn alvarez_chosen(k: &Kiosk) -> serde_json::Value {
    k.client
        .execute(
            "return document.querySelector(\"[data-choice='alvarez']\").getAttribute('aria-pressed')",
            vec![],
        )
        .await
        .expect("chosen")
}

#[tokio::test(flavor = "multi_thread")]
async fn idle_timeout_forgets_the_ballot_and_rtl_turns_the_layout() {
    if !tools_ready() {
        return;
    }
    let _serial = crate::SERIAL.lock().await;
    let home = tempfile::tempdir().expect("tempdir");
    let station = home.path().join("station.vkstation");
    let def = rtl_definition();
    // The shortest idle timeout an admin may set.
    let idle_secs = votekiosk::LIMITS.idle_timeout_min_secs;
    let code = election_day_station(&station, &def, "E2E-1", true, 1, |s| {
        s.idle_timeout_secs = idle_secs;
        s.default_language = "en".into();
        s.official_idle_logout_secs = 60;
    })
    .remove(0);
    let k = Kiosk::start_unlocked(&station, home.path()).await;

    // Right to left: choosing Arabic turns the document around, and the
    // screens speak Arabic (the ar table), the top bar's tools too.
    k.click("button[data-lang='ar']").await;
    let dir = k
        .client
        .execute("return document.documentElement.dir", vec![])
        .await
        .expect("dir");
    assert_eq!(dir.as_str(), Some("rtl"));
    assert_eq!(k.text("#start").await, "ابدأ");
    assert_eq!(k.text("#text-size").await, "حجم النص: عادي");
    assert_eq!(k.text("#contrast").await, "التباين: عادي");
    k.click("#start").await;
    k.wait_screen("code").await;
    assert_eq!(k.text("h1").await, "أدخل رمز الناخب");
    k.type_into("#code", &code).await;
    k.click("#code-submit").await;
    k.wait_screen("contest").await;
    // The page itself notes the screen on which the idle warning first
    // appears (a MutationObserver runs inside the page, so how long a
    // WebDriver round trip or a screenshot takes cannot make us miss it),
    // in sessionStorage: the next voter's page is a fresh one.
    k.client
        .execute(
            "sessionStorage.removeItem('e2eIdleWarnedOn');
             new MutationObserver(() => {
               const box = document.getElementById('idle');
               if (sessionStorage.getItem('e2eIdleWarnedOn') === null && box && !box.hidden)
                 sessionStorage.setItem('e2eIdleWarnedOn', document.getElementById('app').dataset.screen);
             }).observe(document.body, { attributes: true, childList: true, subtree: true });",
            vec![],
        )
        .await
        .expect("observe the idle warning");
    k.click("button[data-choice='alvarez']").await;
    assert_eq!(k.text("#next").await, "التالي");
    assert_eq!(k.text("#back").await, "رجوع");
    // Laid out right to left: Back, the first action, is at the right.
    let next_x = k.el("#next").await.rectangle().await.expect("rectangle").0;
    let back_x = k.el("#back").await.rectangle().await.expect("rectangle").0;
    assert!(
        next_x < back_x,
        "Next ({next_x}) is left of Back ({back_x}) in Arabic"
    );
    let status = k.text("#contest-status").await;
    assert!(arabic(&status), "the contest's status is in Arabic: {status:?}");
    k.shot("14-rtl-contest").await;

    // Mid-ballot, the voter switches the language (Arabic → English →
    // Spanish → Arabic with the bar's Language button): the same contest
    // in each, the choice kept, the direction following.
    for (next_label, dir_now) in [("Next", "ltr"), ("Siguiente", "ltr"), ("التالي", "rtl")] {
        k.click("#language").await;
        k.wait_text("#next", next_label).await;
        let dir = k
            .client
            .execute("return document.documentElement.dir", vec![])
            .await
            .expect("dir");
        assert_eq!(dir.as_str(), Some(dir_now), "{next_label}");
        assert_eq!(k.screen().await, "contest");
        assert_eq!(
            alvarez_chosen(&k).await.as_str(),
            Some("true"),
            "the choice survives the language change ({next_label})"
        );
    }

    // The write-in keyboard has the Arabic letters (before the Latin
    // ones); a name typed with them; Cancel keeps the choice.
    k.click("#write-in").await;
    k.wait_screen("write-in").await;
    for ch in ["ر", "و", "ز"] {
        k.click(&format!(".keyboard button[data-key='{ch}']")).await;
    }
    let typed = k.el("#write-in-name").await.prop("value").await.expect("value");
    assert_eq!(typed.as_deref(), Some("روز"));
    k.shot("16-rtl-write-in").await;
    k.click("#write-in-cancel").await;
    k.wait_screen("contest").await;
    assert_eq!(alvarez_chosen(&k).await.as_str(), Some("true"));

    // Walk away: a warning before the timeout, then the ballot is gone. Take the warning's picture while it shows.
    let t = std::time::Instant::now();
    let mut pictured = false;
    while k.screen().await != "welcome" {
        assert!(
            t.elapsed() < std::time::Duration::from_secs(u64::from(idle_secs) + 30),
            "the unfinished ballot was not cleared"
        );
        if !pictured {
            let showing = k
                .client
                .execute("return !document.getElementById('idle').hidden", vec![])
                .await
                .expect("idle");
            if showing.as_bool() == Some(true) {
                k.shot("15-idle-warning").await;
                pictured = true;
                // The warning speaks Arabic too.
                let body = k.text("#idle-body").await;
                assert!(arabic(&body), "the idle warning is in Arabic: {body:?}");
                // axe-core on the dialog, in every theme and size (switched
                // with the bar's buttons while it shows: they do not count
                // as activity), all within the warning's 30 s.
                if let Some(axe_js) = crate::axe::axe_source() {
                    let mut found = crate::axe::Findings::default();
                    crate::axe::inject(&k, &axe_js).await;
                    crate::axe::check(&k, "idle-warning", &mut found).await;
                    let still = k
                        .client
                        .execute("return !document.getElementById('idle').hidden", vec![])
                        .await
                        .expect("idle");
                    assert_eq!(
                        still.as_bool(),
                        Some(true),
                        "the warning showed for every axe run"
                    );
                    found.assert_none();
                }
                // The voter who walks away leaves the largest text and high
                // contrast (and Arabic) behind.
                crate::axe::set_display(&k, "high-contrast", "largest").await;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let warned_on = k
        .client
        .execute("return sessionStorage.getItem('e2eIdleWarnedOn')", vec![])
        .await
        .expect("idle record");
    assert_eq!(
        warned_on.as_str(),
        Some("contest"),
        "the idle warning showed on the contest screen before the ballot was cleared"
    );
    // The next voter starts with the station's defaults (VVSG 7.1-A).
    let display = k
        .client
        .execute(
            "const r = document.documentElement;
             return [r.dataset.theme, r.dataset.textSize, r.lang, r.dir,
                     document.getElementById('text-size').textContent,
                     document.getElementById('contrast').textContent];",
            vec![],
        )
        .await
        .expect("display");
    assert_eq!(
        display,
        serde_json::json!([
            "standard",
            "standard",
            "en",
            "ltr",
            "Text size: standard",
            "Contrast: standard"
        ]),
        "the settings reset after the idle timeout"
    );
    // Nothing was cast and the code still works.
    k.click("#start").await;
    k.wait_screen("code").await;
    k.type_into("#code", &code).await;
    k.click("#code-submit").await;
    k.wait_screen("contest").await;
    let chosen = k
        .client
        .execute(
            "return document.querySelectorAll('[aria-pressed=\"true\"][data-choice]').length",
            vec![],
        )
        .await
        .expect("chosen");
    assert_eq!(chosen.as_u64(), Some(0), "the new ballot starts empty");
    k.stop().await;

    let st = votekiosk::Station::open(&station, PASSPHRASE, votekiosk::Options::default()).expect("open");
    assert_eq!(st.status().expect("status").turnout.ballots, 0);
    assert_eq!(st.status().expect("status").turnout.codes_unused, 1);
}
