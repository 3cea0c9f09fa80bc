//! A tactile-keypad voter (docs/accessibility.md: the arrows move, Enter
//! selects, Backspace goes back, h is help, r is repeat): the code on the
//! on-screen keypad; Back on the first contest asks before leaving the
//! ballot (the dialog holds the focus, and "stay" keeps the choice); a vote
//! for 1 replaced as its instruction says; focus on the chosen option after
//! every choice; the review screen's undervote summary and its links; the
//! cast; the receipt checked on the verify screen's keypad.

use crate::support::*;
use crate::switch::{announced, card_text, contest_id};

const DOWN: &str = "\u{E015}";
const UP: &str = "\u{E013}";
const BACKSPACE: &str = "\u{E003}";
/// Presses of an arrow that reach any control on a voter screen.
const LIMIT: usize = 80;

async fn select(k: &Kiosk, css: &str) {
    k.press_to(DOWN, css, LIMIT).await;
    k.keys(ENTER).await;
}

async fn choose(k: &Kiosk, css: &str) {
    select(k, css).await;
    k.wait_focus_pressed(css).await;
}

async fn keypad_type(k: &Kiosk, text: &str) {
    for ch in text.chars().filter(|c| *c != '-') {
        select(k, &format!(".keypad button[data-key='{ch}']")).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_keypad_voter_votes_a_full_ballot_and_checks_the_receipt() {
    if !tools_ready() {
        return;
    }
    let _serial = crate::SERIAL.lock().await;
    let day = demo_day("E2E-KEYPAD", true, 1, |_| {});
    let (station, code) = (&day.station, &day.codes[0]);

    let k = day.kiosk().await;
    // Help and repeat reach whoever listens (the audio ballot).
    k.client
        .execute(
            "window.__heard = [];
             document.addEventListener('vk:help', () => window.__heard.push('help'));
             document.addEventListener('vk:repeat', () => window.__heard.push('repeat'));",
            vec![],
        )
        .await
        .expect("listen");
    k.keys("h").await;
    k.keys("r").await;
    let heard = k
        .client
        .execute("return window.__heard.join(',')", vec![])
        .await
        .expect("heard");
    assert_eq!(heard.as_str(), Some("help,repeat"));

    select(&k, "#start").await;
    k.wait_screen("code").await;
    keypad_type(&k, code).await;
    select(&k, "#code-submit").await;

    // Mayor: Alvarez, then Brooks replaces her (vote for 1 says so).
    k.wait_screen("contest").await;
    assert_eq!(contest_id(&k).await, "mayor");
    k.wait_text("#contest-rule", "Choosing another replaces your choice")
        .await;
    choose(&k, "button[data-choice='alvarez']").await;
    assert!(announced(&k).await.contains("Maria Alvarez: selected"));

    // Back on the first contest asks; the dialog keeps the focus; staying
    // keeps the ballot as it was.
    k.keys(BACKSPACE).await;
    k.wait_text("#confirm-title", "Leave this ballot?").await;
    for _ in 0..5 {
        k.keys(DOWN).await;
        let inside = k
            .client
            .execute("return !!document.activeElement.closest('#confirm')", vec![])
            .await
            .expect("focus");
        assert_eq!(inside.as_bool(), Some(true), "the focus left the dialog");
    }
    k.keys(TAB).await;
    assert!(k.focused("#confirm button").await, "Tab stays in the dialog too");
    k.shot("36-keypad-leave-ballot").await;
    k.press_to(DOWN, "#confirm-cancel", 4).await;
    k.keys(ENTER).await;
    assert_eq!(k.screen().await, "contest");
    let alvarez = k
        .el("button[data-choice='alvarez']")
        .await
        .attr("aria-pressed")
        .await
        .expect("attr");
    assert_eq!(alvarez.as_deref(), Some("true"), "the choice is still there");

    choose(&k, "button[data-choice='brooks']").await;
    assert!(announced(&k).await.contains("replacing Maria Alvarez"));
    let alvarez = k
        .el("button[data-choice='alvarez']")
        .await
        .attr("aria-pressed")
        .await
        .expect("attr");
    assert_eq!(alvarez.as_deref(), Some("false"));
    select(&k, "#next").await;

    // Council: one of two (an undervote). The bond: left blank.
    k.wait_screen("contest").await;
    assert_eq!(contest_id(&k).await, "council");
    choose(&k, "button[data-choice='fischer']").await;
    k.wait_text("#contest-status", "You may still choose 1 more")
        .await;
    select(&k, "#next").await;
    k.wait_screen("contest").await;
    assert_eq!(contest_id(&k).await, "library-bond");
    select(&k, "#next").await;
    k.wait_screen("contest").await;
    assert_eq!(contest_id(&k).await, "parks-board");
    choose(&k, "button[data-choice='jones']").await;
    // Up goes back through the controls.
    k.press_to(UP, "button[data-choice='hill']", LIMIT).await;
    k.keys(ENTER).await;
    k.wait_focus_pressed("button[data-choice='hill']").await;
    select(&k, "#next").await;
    k.wait_screen("contest").await;
    assert_eq!(contest_id(&k).await, "school-board");
    for (rank, who) in ["moore", "nguyen", "kim"].iter().enumerate() {
        choose(
            &k,
            &format!("button[data-candidate='{who}'][data-rank='{}']", rank + 1),
        )
        .await;
    }
    k.wait_text("#contest-status", "You have ranked all 3 choices")
        .await;
    select(&k, "#next").await;

    // Review: two contests are short, each a link to its contest.
    k.wait_screen("review").await;
    k.wait_text("#undervote-summary", "2 contests have fewer choices than allowed")
        .await;
    let summary = k.text("#undervotes").await;
    assert!(summary.contains("you may still choose 1 more"), "{summary}");
    assert!(summary.contains("no choice made"), "{summary}");
    k.shot("37-review-undervotes").await;
    select(&k, "button.undervote[data-contest='library-bond']").await;
    k.wait_screen("contest").await;
    assert_eq!(contest_id(&k).await, "library-bond");
    choose(&k, "button[data-choice='no']").await;
    select(&k, "#next").await;
    k.wait_screen("review").await;
    k.wait_text("#undervote-summary", "1 contest has fewer choices than allowed")
        .await;
    select(&k, "#cast").await;
    k.wait_screen("card").await;
    select(&k, "#card-cast").await;
    k.wait_screen("receipt").await;
    let receipt = k.text("#receipt-id").await;
    select(&k, "#receipt-done").await;

    // The receipt, checked on the verify screen's keypad.
    k.wait_screen("welcome").await;
    select(&k, "#verify-link").await;
    k.wait_screen("verify").await;
    keypad_type(&k, &receipt).await;
    let typed = k.el("#receipt-input").await.prop("value").await.expect("value");
    assert_eq!(typed.as_deref(), Some(receipt.as_str()));
    select(&k, "#verify-submit").await;
    k.wait_text("#verify-result", "Recorded").await;
    k.shot("38-keypad-verify").await;
    k.stop().await;

    let card = card_text(station);
    for chosen in [
        "James Brooks",
        "Eva Fischer",
        "Grace Hill",
        "Pat Jones",
        "Dan Moore",
        "Bao Nguyen",
        "Sun Kim",
    ] {
        assert!(card.contains(chosen), "{chosen} on the card:\n{card}");
    }
    assert!(!card.contains("Maria Alvarez"), "replaced:\n{card}");
}
