//! The audio ballot in the window: two voters who listen, one in English
//! and one in Spanish with the screen off, go through every voter screen
//! (welcome, code, every contest kind, review, the ballot card read back,
//! the receipt spelled out); each screen, each focused choice with its
//! state, help and repeat produced real eSpeak NG speech, checked by its
//! length and loudness (RMS) computed from the WAV in the window. The
//! test reads only those numbers (body's data-speech-*), never the words.

use std::time::{Duration, Instant};

use crate::support::*;

/// What the window says about its last utterance.
#[derive(Debug, Clone, PartialEq)]
struct Heard {
    seq: u64,
    kind: String,
    screen: String,
    lang: String,
    segments: u64,
    ms: u64,
    rms: f64,
}

async fn last_heard(k: &Kiosk) -> Heard {
    let v = k
        .client
        .execute(
            "const d = document.body.dataset; return [d.speechSeq || '0', d.speechKind || '', \
             d.speechScreen || '', d.speechLang || '', d.speechSegments || '0', d.speechMs || '0', \
             d.speechRms || '0', d.speechError || ''];",
            vec![],
        )
        .await
        .expect("speech data");
    let s: Vec<String> = v
        .as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_str().unwrap_or("").to_string())
        .collect();
    assert!(s[7].is_empty(), "the audio ballot failed: {}", s[7]);
    Heard {
        seq: s[0].parse().unwrap_or(0),
        kind: s[1].clone(),
        screen: s[2].clone(),
        lang: s[3].clone(),
        segments: s[4].parse().unwrap_or(0),
        ms: s[5].parse().unwrap_or(0),
        rms: s[6].parse().unwrap_or(0.0),
    }
}

/// Waits for an utterance newer than `after` of this kind on this screen,
/// and checks it is speech a voter hears: at least `min_ms` long, not
/// silence, in `lang`.
async fn hear(k: &Kiosk, after: &Heard, kind: &str, screen: &str, lang: &str, min_ms: u64) -> Heard {
    let t = Instant::now();
    loop {
        let h = last_heard(k).await;
        if h.seq > after.seq && h.kind == kind && h.screen == screen {
            assert_eq!(h.lang, lang, "{kind} on {screen}");
            assert!(h.ms >= min_ms, "{kind} on {screen}: {} ms of speech", h.ms);
            assert!(h.rms > 0.02, "{kind} on {screen}: RMS {} is near silence", h.rms);
            eprintln!(
                "audio {lang} {screen:>12} {kind:>8}: {:>3} phrases, {:>6} ms, RMS {:.3}",
                h.segments, h.ms, h.rms
            );
            return h;
        }
        if t.elapsed() > Duration::from_secs(30) {
            panic!(
                "no {kind} speech on {screen} (last: {h:?}, on {:?})",
                k.screen().await
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn emit(k: &Kiosk, event: &str) {
    // What input.js's help and repeat keys dispatch.
    k.client
        .execute(
            "document.dispatchEvent(new CustomEvent(arguments[0], {detail: {}}));",
            vec![event.into()],
        )
        .await
        .expect("dispatch");
}

async fn pressed(k: &Kiosk, css: &str) -> bool {
    k.el(css)
        .await
        .attr("aria-pressed")
        .await
        .expect("attr")
        .as_deref()
        == Some("true")
}

/// One voter who listens, from the welcome screen to the receipt.
async fn audio_voter(k: &Kiosk, code: &str, lang: &str, contests: usize, screen_off: bool) {
    k.wait_screen("welcome").await;
    let mut h = last_heard(k).await;
    if lang != "en" {
        k.click(&format!("button[data-lang='{lang}']")).await;
        k.wait_text("#start", "Comenzar").await;
    }
    if pressed(k, "#audio-on").await {
        // Still on from the voter before (no reset on this screen yet):
        // off, then on again.
        k.click("#audio-on").await;
        assert!(!pressed(k, "#audio-on").await);
    }
    k.click("#audio-on").await;
    h = hear(k, &h, "announce", "welcome", lang, 1500).await;
    emit(k, "vk:help").await;
    h = hear(k, &h, "help", "welcome", lang, 1500).await;
    if screen_off {
        k.click("#audio-screen-off").await;
        h = hear(k, &h, "announce", "welcome", lang, 800).await;
        // Nothing shows, yet the screen is all there for the voter's keys.
        let off = k
            .client
            .execute(
                "return [document.documentElement.classList.contains('vk-screen-off'), \
                 getComputedStyle(document.getElementById('app')).opacity, \
                 !!document.querySelector('#start')];",
                vec![],
            )
            .await
            .expect("screen off");
        assert_eq!(off, serde_json::json!([true, "0", true]), "screen off");
        k.shot("audio-screen-off").await;
    }
    // Faster, then back: the speed is heard.
    k.click("#audio-faster").await;
    h = hear(k, &h, "announce", "welcome", lang, 400).await;
    k.click("#audio-slower").await;
    h = hear(k, &h, "announce", "welcome", lang, 400).await;

    k.click("#start").await;
    k.wait_screen("code").await;
    h = hear(k, &h, "screen", "code", lang, 1000).await;
    k.type_into("#code", code).await;
    k.click("#code-submit").await;
    for i in 0..contests {
        k.wait_screen("contest").await;
        h = hear(k, &h, "screen", "contest", lang, 1000).await;
        // The first choice with the focus: its name and "not selected".
        k.keys(TAB).await;
        h = hear(k, &h, "focus", "contest", lang, 300).await;
        let first = "button.rank, button.option[data-choice]";
        k.click(first).await;
        // Back on the chosen control, it says so.
        k.client
            .execute(
                "document.activeElement.blur(); \
                 document.querySelector(\"button.rank[aria-pressed='true'], button.option[aria-pressed='true']\").focus();",
                vec![],
            )
            .await
            .expect("focus the choice");
        let chosen = hear(k, &h, "focus", "contest", lang, 600).await;
        assert!(chosen.segments >= 2, "contest {i}: the name and its state");
        h = chosen;
        if i == 0 {
            emit(k, "vk:repeat").await;
            h = hear(k, &h, "repeat", "contest", lang, 1000).await;
        }
        k.click("#next").await;
    }
    k.wait_screen("review").await;
    let review = hear(k, &h, "screen", "review", lang, 3000).await;
    assert!(review.segments > contests as u64, "every review line is read");
    k.click("#cast").await;
    k.wait_screen("card").await;
    // The card as printed, read back: every contest with its choices.
    let card = hear(k, &review, "screen", "card", lang, 5000).await;
    assert!(
        card.segments >= 2 * contests as u64,
        "the card's {} phrases",
        card.segments
    );
    emit(k, "vk:help").await;
    h = hear(k, &card, "help", "card", lang, 2000).await;
    k.click("#card-cast").await;
    k.wait_screen("receipt").await;
    let receipt = hear(k, &h, "screen", "receipt", lang, 4000).await;
    let id = k.text("#receipt-id").await;
    let chars = id.chars().filter(|c| c.is_ascii_alphanumeric()).count() as u64;
    assert!(
        receipt.segments > chars,
        "the receipt id is spelled: {} phrases for {chars} characters",
        receipt.segments
    );
    k.shot(&format!("audio-receipt-{lang}")).await;
    k.click("#receipt-done").await;
    k.wait_screen("welcome").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_audio_voter_hears_every_screen_in_english_and_in_spanish() {
    if !tools_ready() {
        return;
    }
    let _serial = crate::SERIAL.lock().await;
    let day = demo_day("E2E-AUDIO", true, 2, |_| {});
    let (station, def, codes) = (&day.station, &day.def, &day.codes);
    let k = day.kiosk().await;
    k.shot("audio-welcome").await;

    // The cache warms on the welcome screen, before anyone asks.
    let t = Instant::now();
    let warm = loop {
        let v = k
            .client
            .execute(
                "const d = document.body.dataset; return [d.speechWarmMs || '', d.speechCacheEntries || '', \
                 d.speechCacheBytes || '', d.speechWarmError || '', d.speechWarmed || '0'];",
                vec![],
            )
            .await
            .expect("warm data");
        let s: Vec<String> = serde_json::from_value(v).expect("strings");
        assert!(s[3].is_empty(), "the warm-up failed: {}", s[3]);
        if s[4].parse::<usize>().unwrap_or(0) >= def.languages.len() {
            break s;
        }
        assert!(t.elapsed() < Duration::from_secs(60), "no warm-up");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    eprintln!(
        "audio warm-up: {} ms, {} phrases cached, {} bytes",
        warm[0], warm[1], warm[2]
    );
    let entries: usize = warm[1].parse().expect("entries");
    assert!(entries > 50, "the election's and the screens' phrases: {entries}");

    audio_voter(&k, &codes[0], "en", def.contests.len(), false).await;
    audio_voter(&k, &codes[1], "es", def.contests.len(), true).await;
    k.stop().await;

    // Two ballots were cast.
    let st = votekiosk::Station::open(station, PASSPHRASE, votekiosk::Options::default()).expect("reopen");
    assert_eq!(st.status().expect("status").turnout.ballots, 2);
}
