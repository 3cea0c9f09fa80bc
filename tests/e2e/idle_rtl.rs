//! The idle timeout clears an unfinished ballot without using up the code,
//! and a right-to-left ballot language turns the whole screen around.

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

#[tokio::test(flavor = "multi_thread")]
async fn idle_timeout_forgets_the_ballot_and_rtl_turns_the_layout() {
    if !tools_ready() {
        return;
    }
    let _serial = crate::SERIAL.lock().await;
    let home = tempfile::tempdir().expect("tempdir");
    let station = home.path().join("station.vkstation");
    let def = rtl_definition();
    let mut st = votekiosk::Station::create(
        &station,
        &def,
        "E2E-1",
        PASSPHRASE,
        ADMIN,
        ADMIN_PASSWORD,
        votekiosk::Options::default(),
    )
    .expect("create");
    let admin = st.login(ADMIN, ADMIN_PASSWORD).expect("login");
    make_closing_key(&mut st, &admin);
    st.open_polls(&admin).expect("open");
    // The shortest idle timeout an admin may set (the range is enforced
    // here as everywhere: the test waits the real two minutes).
    st.set_kiosk_settings(
        &admin,
        &votekiosk::KioskSettings {
            idle_timeout_secs: 120,
            default_language: "en".into(),
            official_idle_logout_secs: 60,
        },
    )
    .expect("settings");
    let code = st
        .issue_codes(&admin, 1)
        .expect("codes")
        .codes
        .remove(0)
        .display();
    drop(st);

    let k = Kiosk::start(&station, home.path()).await;
    k.wait_screen("unlock").await;
    k.type_into("#passphrase", PASSPHRASE).await;
    k.click("#unlock-submit").await;
    k.wait_screen("welcome").await;

    // Right to left: choosing Arabic turns the document around.
    k.click("button[data-lang='ar']").await;
    let dir = k
        .client
        .execute("return document.documentElement.dir", vec![])
        .await
        .expect("dir");
    assert_eq!(dir.as_str(), Some("rtl"));
    k.click("#start").await;
    k.wait_screen("code").await;
    k.type_into("#code", &code).await;
    k.click("#code-submit").await;
    k.wait_screen("contest").await;
    // The page itself notes the screen on which the idle warning first
    // appears (a MutationObserver runs inside the page, so how long a
    // WebDriver round trip or a screenshot takes cannot make us miss it).
    k.client
        .execute(
            "window.__idleWarnedOn = null;
             new MutationObserver(() => {
               const box = document.getElementById('idle');
               if (window.__idleWarnedOn === null && box && !box.hidden)
                 window.__idleWarnedOn = document.getElementById('app').dataset.screen;
             }).observe(document.body, { attributes: true, childList: true, subtree: true });",
            vec![],
        )
        .await
        .expect("observe the idle warning");
    k.click("button[data-choice='alvarez']").await;
    k.shot("14-rtl-contest").await;

    // Walk away: a warning for the last 30 of the 120 s, then the ballot is
    // gone. Take the warning's picture while it shows.
    let t = std::time::Instant::now();
    let mut pictured = false;
    while k.screen().await != "welcome" {
        assert!(
            t.elapsed() < std::time::Duration::from_secs(200),
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
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let warned_on = k
        .client
        .execute("return window.__idleWarnedOn", vec![])
        .await
        .expect("idle record");
    assert_eq!(
        warned_on.as_str(),
        Some("contest"),
        "the idle warning showed on the contest screen before the ballot was cleared"
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
