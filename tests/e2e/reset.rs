//! Every voter starts afresh (VVSG 2.0 7.1-A): voter 1 turns everything
//! up (Spanish, the largest text, high contrast, two-switch scanning, the
//! audio ballot faster and softer with the keypad's audio keys) and casts;
//! voter 2's welcome screen has the station's defaults, and its labels say
//! so, on a freshly loaded page that holds nothing of voter 1's. On the
//! way, in scanning mode, the digits 1 and 2 typed into the code field
//! from a physical keyboard are text (they are in the code alphabet), not
//! switch presses.

use crate::support::*;

const LEFT: &str = "\u{E012}";

/// The display, language and input state a voter sees, in one line.
async fn voter_state(k: &Kiosk) -> serde_json::Value {
    k.client
        .execute(
            "const r = document.documentElement;
             const scan = document.getElementById('scan-toggle');
             return {
               theme: r.dataset.theme, size: r.dataset.textSize, lang: r.lang, dir: r.dir,
               sizeLabel: document.getElementById('text-size').textContent,
               contrastLabel: document.getElementById('contrast').textContent,
               scanning: r.classList.contains('scanning'),
               scanPressed: scan ? scan.getAttribute('aria-pressed') : null,
               audioOn: r.dataset.audioOn, rate: r.dataset.audioRate, volume: r.dataset.audioVolume,
               start: document.getElementById('start') ? document.getElementById('start').textContent : null,
             };",
            vec![],
        )
        .await
        .expect("voter state")
}

/// Clicks the top bar's `button` until `<html data-{attr}>` is `want`.
async fn cycle_to(k: &Kiosk, button: &str, attr: &str, want: &str) {
    for _ in 0..8 {
        if k.root_data(attr).await == want {
            return;
        }
        k.click(button).await;
    }
    panic!("{button} never reached {want}");
}

#[tokio::test(flavor = "multi_thread")]
async fn settings_reset_for_each_voter_and_digits_stay_text_while_scanning() {
    if !tools_ready() {
        return;
    }
    let _serial = crate::SERIAL.lock().await;
    let day = demo_day("E2E-RESET", true, 2, |_| {});
    let (station, codes) = (&day.station, &day.codes);
    let k = day.kiosk().await;

    let defaults = serde_json::json!({
        "theme": "standard", "size": "standard", "lang": "en", "dir": "ltr",
        "sizeLabel": "Text size: standard", "contrastLabel": "Contrast: standard",
        "scanning": false, "scanPressed": "false",
        "audioOn": "false", "rate": "3", "volume": "3", "start": "Start",
    });
    assert_eq!(voter_state(&k).await, defaults, "the first voter's defaults");

    // Voter 1 changes everything.
    k.click("button[data-lang='es']").await;
    k.wait_text("#start", "Comenzar").await;
    cycle_to(&k, "#text-size", "textSize", "largest").await;
    cycle_to(&k, "#contrast", "theme", "high-contrast").await;
    // The keypad's audio keys: faster twice, softer once (the focus on a
    // button, not in a text field).
    k.click("#audio-on").await;
    assert_eq!(k.root_data("audioOn").await, "true");
    k.keys("]").await;
    k.keys("]").await;
    k.keys("-").await;
    assert_eq!(k.root_data("audioRate").await, "5", "] twice: the fastest");
    assert_eq!(k.root_data("audioVolume").await, "2", "- once: softer");
    k.wait_text("#audio-rate", "5").await;
    k.keys("[").await;
    k.keys("=").await;
    k.keys("+").await;
    assert_eq!(k.root_data("audioRate").await, "4", "[ once: slower");
    assert_eq!(
        k.root_data("audioVolume").await,
        "4",
        "= and +: louder, the loudest"
    );
    k.click("#scan-toggle").await;
    let changed = voter_state(&k).await;
    assert_eq!(changed["size"], "largest");
    assert_eq!(changed["theme"], "high-contrast");
    assert_eq!(changed["lang"], "es");
    assert_eq!(changed["scanning"], true);
    assert_eq!(changed["sizeLabel"], "Tamaño del texto: muy grande", "{changed}");
    k.shot("50-voter1-settings").await;

    // Scanning is on; the code typed on a keyboard keeps its 1s and 2s.
    k.click("#start").await;
    k.wait_screen("code").await;
    k.type_into("#code", "12").await;
    let typed = k.el("#code").await.prop("value").await.expect("value");
    assert_eq!(typed.as_deref(), Some("12"), "1 and 2 are text in the code field");
    assert!(k.focused("#code").await, "the focus stayed in the code field");
    // Switch 1 (Tab) still moves on from the field; the arrows move the caret.
    k.keys(LEFT).await;
    assert!(k.focused("#code").await, "the left arrow moves the caret");
    k.keys(TAB).await;
    assert!(!k.focused("#code").await, "switch 1 moves on from the field");
    k.type_into("#code", &codes[0]).await;
    let typed = k.el("#code").await.prop("value").await.expect("value");
    assert_eq!(typed.as_deref(), Some(codes[0].as_str()));
    k.click("#code-submit").await;
    k.wait_screen("contest").await;
    // Still the voter's settings, mid-ballot.
    assert_eq!(k.root_data("textSize").await, "largest");
    assert_eq!(k.root_data("theme").await, "high-contrast");
    k.cast_blank_ballot().await;
    // Something of voter 1 the page could keep: their receipt id, held
    // by a script.
    let receipt = k
        .client
        .execute(
            "window.__voter1 = document.getElementById('receipt-id').textContent; return window.__voter1;",
            vec![],
        )
        .await
        .expect("mark the page");
    let receipt = receipt.as_str().expect("receipt id").to_string();
    assert!(receipt.len() >= 16, "a receipt id on screen: {receipt:?}");
    k.click("#receipt-done").await;

    // Voter 2: the station's defaults, the labels in English again.
    k.wait_screen("welcome").await;
    k.wait_text("#start", "Start").await;
    // On a freshly loaded page: nothing voter 1's page held remains.
    let left = k
        .client
        .execute(
            "return [typeof window.__voter1, document.documentElement.outerHTML.includes(arguments[0])];",
            vec![receipt.clone().into()],
        )
        .await
        .expect("read the page");
    assert_eq!(
        left,
        serde_json::json!(["undefined", false]),
        "voter 2's page is a fresh document without voter 1's receipt {receipt}"
    );
    assert_eq!(
        voter_state(&k).await,
        defaults,
        "voter 2 starts with the defaults"
    );
    k.shot("51-voter2-defaults").await;
    k.stop().await;

    let st = votekiosk::Station::open(station, PASSPHRASE, votekiosk::Options::default()).expect("open");
    assert_eq!(st.status().expect("status").turnout.ballots, 1);
}
