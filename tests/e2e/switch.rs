//! A two-switch voter: with only the two keys a switch interface sends
//! (Tab: switch 1, move; Enter: switch 2, select), the voter turns on
//! scanning, types the voter code on the on-screen keypad, writes in a
//! name on the on-screen keyboard, votes every contest kind (vote for 1
//! with a write-in, vote for 2 with an overvote refused, yes/no, approval,
//! ranked with a rank moved and closed up), reviews, casts and gets a
//! receipt; the printed ballot card holds what was chosen; the next voter
//! starts with scanning off.

use crate::support::*;

/// How many switch-1 presses reach any control at most (the screen's
/// controls and the top bar's, fewer than this on every voter screen).
const SCAN_LIMIT: usize = 80;

/// The text of the ballot card the station printed (saved as a PDF in its
/// print folder), read back with pdftotext.
pub fn card_text(station: &std::path::Path) -> String {
    let cards = printed_pdfs(station, "ballot-card");
    pdf_text(cards.first().expect("a ballot card was printed"))
}

/// The contest on screen.
pub async fn contest_id(k: &Kiosk) -> String {
    k.el("#contest-title")
        .await
        .attr("data-contest")
        .await
        .expect("attr")
        .unwrap_or_default()
}

/// What the live regions said last (polite and assertive together).
pub async fn announced(k: &Kiosk) -> String {
    // The region is emptied, then filled 30 ms later.
    tokio::time::sleep(std::time::Duration::from_millis(120)).await;
    k.client
        .execute(
            "return document.getElementById('live-polite').textContent + ' | ' + document.getElementById('live-assertive').textContent",
            vec![],
        )
        .await
        .expect("live regions")
        .as_str()
        .unwrap_or("")
        .to_string()
}

/// Switch 1 until the highlight is on `css`, then switch 2.
async fn scan_select(k: &Kiosk, css: &str) {
    k.press_to(TAB, css, SCAN_LIMIT).await;
    k.keys(ENTER).await;
}

/// The same for a choice: afterwards the focus is still on it, pressed.
async fn scan_choose(k: &Kiosk, css: &str) {
    scan_select(k, css).await;
    k.wait_focus_pressed(css).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_two_switch_voter_votes_every_contest_kind_with_two_keys() {
    if !tools_ready() {
        return;
    }
    let _serial = crate::SERIAL.lock().await;
    let day = demo_day("E2E-SWITCH", true, 1, |_| {});
    let (station, code) = (&day.station, &day.codes[0]);

    let k = day.kiosk().await;

    // From here on only two keys: Tab (switch 1) and Enter (switch 2).
    scan_select(&k, "#scan-toggle").await;
    k.wait_text("#scan-toggle", "on").await;
    let scanning = k
        .client
        .execute(
            "return document.documentElement.classList.contains('scanning')",
            vec![],
        )
        .await
        .expect("scanning");
    assert_eq!(scanning.as_bool(), Some(true));
    k.shot("30-switch-welcome").await;
    scan_select(&k, "#start").await;

    // The code, one symbol at a time on the keypad of the code alphabet.
    k.wait_screen("code").await;
    for ch in code.chars().filter(|c| *c != '-') {
        scan_select(&k, &format!(".keypad button[data-key='{ch}']")).await;
        // The key keeps the focus, so the next symbol is found from here.
        assert!(k.focused(&format!(".keypad button[data-key='{ch}']")).await);
    }
    let typed = k.el("#code").await.prop("value").await.expect("value");
    assert_eq!(
        typed.as_deref(),
        Some(code.as_str()),
        "typed on the keypad, grouped as printed"
    );
    k.shot("31-switch-code-keypad").await;
    scan_select(&k, "#code-submit").await;

    // Mayor (vote for 1): a write-in on the on-screen keyboard.
    k.wait_screen("contest").await;
    assert_eq!(contest_id(&k).await, "mayor");
    scan_select(&k, "#write-in").await;
    k.wait_screen("write-in").await;
    for ch in "ANN LEE".chars() {
        let key = if ch == ' ' {
            "#key-space".to_string()
        } else {
            format!(".keyboard button[data-key='{ch}']")
        };
        scan_select(&k, &key).await;
    }
    let name = k.el("#write-in-name").await.prop("value").await.expect("value");
    assert_eq!(name.as_deref(), Some("Ann Lee"), "capitals start each word");
    k.shot("32-switch-write-in").await;
    scan_select(&k, "#write-in-done").await;
    k.wait_screen("contest").await;
    let pressed = k
        .el("button[data-choice='write-in:Ann Lee']")
        .await
        .attr("aria-pressed")
        .await
        .expect("attr");
    assert_eq!(pressed.as_deref(), Some("true"));
    scan_select(&k, "#next").await;

    // Council (vote for 2): two choices, then a third is refused with the reason.
    k.wait_screen("contest").await;
    assert_eq!(contest_id(&k).await, "council");
    scan_choose(&k, "button[data-choice='diaz']").await;
    assert!(announced(&k).await.contains("1 of 2 chosen"));
    scan_choose(&k, "button[data-choice='evans']").await;
    assert!(announced(&k).await.contains("2 of 2 chosen"));
    scan_select(&k, "button[data-choice='gupta']").await;
    k.wait_text("#contest-notice", "first unselect one").await;
    assert!(
        k.focused("button[data-choice='gupta']").await,
        "the focus stays on the refused option"
    );
    let gupta = k
        .el("button[data-choice='gupta']")
        .await
        .attr("aria-pressed")
        .await
        .expect("attr");
    assert_eq!(gupta.as_deref(), Some("false"), "nothing happened");
    k.shot("33-switch-overvote").await;
    scan_select(&k, "#next").await;

    // The bond measure (yes/no) and the parks board (approval).
    k.wait_screen("contest").await;
    assert_eq!(contest_id(&k).await, "library-bond");
    scan_choose(&k, "button[data-choice='yes']").await;
    scan_select(&k, "#next").await;
    k.wait_screen("contest").await;
    assert_eq!(contest_id(&k).await, "parks-board");
    scan_choose(&k, "button[data-choice='hill']").await;
    scan_choose(&k, "button[data-choice='ito']").await;
    scan_select(&k, "#next").await;

    // School board (ranked): Kim 1, Lopez 2, then Kim moved to 3; the gap
    // at 1 closes up when the voter goes on, and they are told.
    k.wait_screen("contest").await;
    assert_eq!(contest_id(&k).await, "school-board");
    scan_choose(&k, "button[data-candidate='kim'][data-rank='1']").await;
    scan_choose(&k, "button[data-candidate='lopez'][data-rank='2']").await;
    scan_choose(&k, "button[data-candidate='kim'][data-rank='3']").await;
    assert!(announced(&k).await.contains("moved from choice 1 to choice 3"));
    scan_select(&k, "#next").await;
    k.wait_text("#contest-notice", "closed up").await;
    for (button, on) in [
        ("button[data-candidate='lopez'][data-rank='1']", "true"),
        ("button[data-candidate='kim'][data-rank='2']", "true"),
        ("button[data-candidate='kim'][data-rank='3']", "false"),
    ] {
        let pressed = k.el(button).await.attr("aria-pressed").await.expect("attr");
        assert_eq!(pressed.as_deref(), Some(on), "{button}");
    }
    assert!(
        k.focused("#next").await,
        "the voter stays on Next, to check and go on"
    );
    k.shot("34-switch-ranked-closed-up").await;
    scan_select(&k, "#next").await;

    // Review: the ranked contest has fewer choices than allowed.
    k.wait_screen("review").await;
    k.wait_text("#undervote-summary", "1 contest has fewer choices than allowed")
        .await;
    k.shot("35-switch-review").await;
    scan_select(&k, "#cast").await;
    k.wait_screen("card").await;
    scan_select(&k, "#card-cast").await;
    k.wait_screen("receipt").await;
    let receipt = k.text("#receipt-id").await;
    scan_select(&k, "#receipt-done").await;

    // The next voter starts with scanning off.
    k.wait_screen("welcome").await;
    k.wait_text("#scan-toggle", "off").await;
    k.stop().await;

    let card = card_text(station);
    for chosen in [
        "Ann Lee",
        "Ana Diaz",
        "Tom Evans",
        "Grace Hill",
        "Ken Ito",
        "Rosa Lopez",
        "Sun Kim",
    ] {
        assert!(card.contains(chosen), "{chosen} on the card:\n{card}");
    }
    for not_chosen in ["Ravi Gupta", "Maria Alvarez", "Pat Jones"] {
        assert!(!card.contains(not_chosen), "{not_chosen} on the card:\n{card}");
    }
    let lopez = card.find("Rosa Lopez").expect("lopez");
    let kim = card.find("Sun Kim").expect("kim");
    assert!(lopez < kim, "Lopez ranked first after the close-up:\n{card}");
    let st = votekiosk::Station::open(station, PASSPHRASE, votekiosk::Options::default()).expect("open");
    assert_eq!(
        st.check_receipt(&receipt).expect("receipt"),
        votekiosk::ReceiptStatus::Recorded { test: false }
    );
}
