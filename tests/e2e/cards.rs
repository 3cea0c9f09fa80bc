//! Ballot cards in the window: a voter prints the card, says it is wrong
//! (it is spoiled and they hand it over), prints again and casts; the
//! printed cards carry their QR, and the dashboard shows 2 printed, 1
//! spoiled, 1 cast. After close and count, the hand count of box "1"
//! shows a mismatch as reported, not adjusted.

use crate::support::*;

#[tokio::test(flavor = "multi_thread")]
async fn a_voter_spoils_a_wrong_card_prints_again_and_casts() {
    if !tools_ready() {
        return;
    }
    let _serial = crate::SERIAL.lock().await;
    let home = tempfile::tempdir().expect("tempdir");
    let station = home.path().join("station.vkstation");
    let def = votekiosk::demo::definition(chrono::Utc::now()).expect("definition");
    assert!(def.cards.enabled, "the demo election prints ballot cards");
    let mut st = votekiosk::Station::create(
        &station,
        &def,
        "E2E-CARDS",
        PASSPHRASE,
        ADMIN,
        ADMIN_PASSWORD,
        votekiosk::Options::default(),
    )
    .expect("create");
    let admin = st.login(ADMIN, ADMIN_PASSWORD).expect("login");
    let slips = make_closing_key(&mut st, &admin);
    st.open_polls(&admin).expect("open");
    let code = st.issue_codes(&admin, 1).expect("codes").codes[0].display();
    drop(st);

    let k = Kiosk::start(&station, home.path()).await;
    k.wait_screen("unlock").await;
    k.type_into("#passphrase", PASSPHRASE).await;
    k.click("#unlock-submit").await;
    k.wait_screen("welcome").await;

    // The voter marks two contests and leaves the rest blank.
    k.click("#start").await;
    k.wait_screen("code").await;
    k.type_into("#code", &code).await;
    k.click("#code-submit").await;
    k.wait_screen("contest").await;
    k.click("button[data-choice='brooks']").await;
    k.click("#next").await;
    for _ in 1..def.contests.len() {
        k.wait_screen("contest").await;
        if k.el("#contest-title")
            .await
            .attr("data-contest")
            .await
            .expect("attr")
            .as_deref()
            == Some("library-bond")
        {
            k.click("button[data-choice='no']").await;
        }
        k.click("#next").await;
    }
    k.wait_screen("review").await;
    k.wait_text("#cast", "Print my ballot card").await;

    // First card: the voter reads it and finds it wrong.
    k.click("#cast").await;
    k.wait_screen("card").await;
    k.wait_text("h1", "Read your ballot card").await;
    k.shot("20-card").await;
    k.click("#card-wrong").await;
    k.wait_screen("card-spoiled").await;
    k.wait_text("h1", "Give the card to a poll worker").await;
    k.shot("21-card-spoiled").await;
    k.click("#card-back-review").await;

    // Second card, from the same choices: cast.
    k.wait_screen("review").await;
    k.click("#cast").await;
    k.wait_screen("card").await;
    k.click("#card-cast").await;
    k.wait_screen("receipt").await;
    k.wait_text("#receipt-card", "ballot box").await;
    k.click("#receipt-done").await;
    k.wait_screen("welcome").await;

    // Both cards printed, each with its own card QR.
    let pdfs = printed_pdfs(&station, "ballot-card");
    assert_eq!(pdfs.len(), 2, "{pdfs:?}");
    let payloads: Vec<String> = pdfs
        .iter()
        .flat_map(|p| qr_payloads(p))
        .filter(|p| p.starts_with("VKC2:"))
        .collect();
    assert_eq!(payloads.len(), 2, "{payloads:?}");
    assert_ne!(payloads[0], payloads[1], "a new card gets a new card id");

    // The dashboard counts them.
    k.official_chord().await;
    k.wait_screen("login").await;
    k.type_into("#username", ADMIN).await;
    k.type_into("#password", ADMIN_PASSWORD).await;
    k.click("#login-submit").await;
    k.wait_screen("dashboard").await;
    k.wait_text("#stat-cards-printed", "2").await;
    assert_eq!(k.text("#stat-cards-printed").await, "2");
    assert_eq!(k.text("#stat-cards-spoiled").await, "1");
    assert_eq!(k.text("#stat-cards-cast").await, "1");
    assert_eq!(k.text("#stat-ballots").await, "1");
    k.shot("22-dashboard-cards").await;

    // Close and count with two slips; then the poll workers enter the
    // hand count of box "1": two cards for one ballot is a mismatch,
    // reported and not adjusted; entered again as one, it matches.
    k.click("#polls-close").await;
    k.wait_text("#confirm-body", "Ballots cast: 1.").await;
    k.click("#confirm-ok").await;
    k.confirm_password(ADMIN_PASSWORD).await;
    k.wait_screen("count").await;
    for (i, (slip, pin)) in slips.iter().zip(PINS).take(2).enumerate() {
        k.type_into(&format!("#slip-{}", i + 1), slip).await;
        k.type_into(&format!("#pin-{}", i + 1), pin).await;
    }
    k.click("#count-submit").await;
    k.wait_screen_for("count-done", 120).await;
    assert_eq!(
        k.el("#hc-box-1")
            .await
            .prop("value")
            .await
            .expect("box")
            .as_deref(),
        Some("1")
    );
    k.type_into("#hc-cards-1", "2").await;
    k.click("#hc-save").await;
    k.wait_text("#hc-mismatch", "MISMATCH: reported, not adjusted")
        .await;
    k.wait_text("#hc-result", "difference +1").await;
    k.shot("23-hand-count").await;
    k.type_into("#hc-cards-1", "1").await;
    k.click("#hc-save").await;
    k.wait_text("#hc-match", "matches").await;
    k.stop().await;
}
