//! Unlocking in the window: a wrong passphrase is refused in plain words
//! and nothing crashes; the right one opens the kiosk; the verify screen
//! answers for a receipt.

use crate::support::*;

#[tokio::test(flavor = "multi_thread")]
async fn wrong_then_right_passphrase_then_verify_a_receipt() {
    if !tools_ready() {
        return;
    }
    let _serial = crate::SERIAL.lock().await;
    let home = tempfile::tempdir().expect("tempdir");
    let station = home.path().join("station.vkstation");
    // A station with one ballot cast through the core.
    let def = votekiosk::demo::definition(chrono::Utc::now()).expect("definition");
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
    let code = st
        .issue_codes(&admin, 1)
        .expect("codes")
        .codes
        .remove(0)
        .display();
    let selections = [("mayor".to_string(), vec!["brooks".to_string()])]
        .into_iter()
        .collect();
    // The demo election has ballot cards: the card is printed, then cast.
    st.print_card(&code, &selections).expect("card");
    let receipt = st.cast_ballot(&code, &selections, "e2e-request-1").expect("cast");
    drop(st);

    let k = Kiosk::start(&station, home.path()).await;
    k.wait_screen("unlock").await;
    k.type_into("#passphrase", "not the passphrase").await;
    k.click("#unlock-submit").await;
    k.wait_text("#unlock-error", "wrong passphrase or not a votekiosk file")
        .await;
    k.shot("10-unlock-wrong").await;
    k.type_into("#passphrase", PASSPHRASE).await;
    k.click("#unlock-submit").await;
    k.wait_screen("welcome").await;

    // Verify mode, with the QR payload a scanner would type.
    k.click("#verify-link").await;
    k.wait_screen("verify").await;
    k.type_into("#receipt-input", &receipt.payload).await;
    k.click("#verify-submit").await;
    k.wait_text("#verify-result", "Recorded").await;
    k.shot("11-verify").await;
    k.type_into("#receipt-input", "0000-0000-0000-0000").await;
    k.click("#verify-submit").await;
    k.wait_text("#verify-result", "Not found").await;
    k.stop().await;
}
