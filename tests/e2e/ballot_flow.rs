//! Status that cannot be missed: before the polls open the voter sees
//! "The polls are closed" and no Start; test mode is a full-width banner on
//! official and voter screens alike; opening for real asks first with the
//! test counts it deletes, and the banner goes; paused polls say so.

use crate::support::*;

async fn login(k: &Kiosk) {
    k.official_chord().await;
    k.wait_screen("login").await;
    k.type_into("#username", ADMIN).await;
    k.type_into("#password", ADMIN_PASSWORD).await;
    k.click("#login-submit").await;
    k.wait_screen("dashboard").await;
}

/// Whether the test banner shows, and its width as a share of the window's.
async fn banner(k: &Kiosk) -> (bool, f64) {
    let v = k
        .client
        .execute(
            "const b = document.getElementById('test-banner');
             return [!b.hidden && b.getClientRects().length > 0, b.getBoundingClientRect().width / window.innerWidth];",
            vec![],
        )
        .await
        .expect("banner");
    (v[0].as_bool().unwrap_or(false), v[1].as_f64().unwrap_or(0.0))
}

async fn start_shown(k: &Kiosk) -> bool {
    k.client
        .execute("return !!document.getElementById('start')", vec![])
        .await
        .expect("start")
        .as_bool()
        == Some(true)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_polls_status_and_test_mode_cannot_be_missed() {
    if !tools_ready() {
        return;
    }
    let _serial = crate::SERIAL.lock().await;
    // Not opened: the closing key made, the polls still closed.
    let day = demo_day("E2E-STATUS", false, 0, |_| {});
    let k = day.kiosk().await;

    // Not open yet: no Start, and the voter is told why.
    k.wait_text("#polls-shut", "The polls are closed").await;
    assert!(!start_shown(&k).await);
    assert!(!banner(&k).await.0);
    k.shot("26-polls-closed").await;

    // Test mode: the banner on the dashboard, the width of the window.
    login(&k).await;
    k.click("#polls-test").await;
    k.wait_text("#stat-mode", "TEST").await;
    let (shown, width) = banner(&k).await;
    assert!(shown, "the test banner shows on the dashboard");
    assert!(width > 0.99, "full width: {width}");
    k.wait_text("#test-banner", "TEST MODE").await;
    k.type_into("#code-count", "2").await;
    k.click("#issue-codes").await;
    k.confirm_password(ADMIN_PASSWORD).await;
    k.wait_text("#issued-codes", "-").await;
    k.shot("27-test-banner-dashboard").await;

    // ... and on the voter's screens, where Start is offered.
    k.click("#to-voter").await;
    k.wait_screen("welcome").await;
    let (shown, width) = banner(&k).await;
    assert!(
        shown && width > 0.99,
        "the test banner on the welcome screen: {width}"
    );
    assert!(start_shown(&k).await);
    k.click("#start").await;
    k.wait_screen("code").await;
    assert!(banner(&k).await.0, "and on the code screen");
    k.shot("28-test-banner-voter").await;
    k.click("#code-cancel").await;
    k.wait_screen("welcome").await;

    // Opening for real asks first, naming the test codes it deletes;
    // Cancel leaves test mode as it was.
    login(&k).await;
    k.click("#polls-open").await;
    k.wait_text(
        "#confirm-body",
        "The 0 test ballots and 2 test codes will be deleted",
    )
    .await;
    k.click("#confirm-cancel").await;
    k.wait_text("#stat-mode", "TEST").await;
    k.click("#polls-open").await;
    k.click("#confirm-ok").await;
    k.wait_text("#stat-mode", "OPEN").await;
    assert!(!banner(&k).await.0, "no banner once the polls are open for real");

    // Paused: the voter is told, and no Start.
    k.click("#polls-pause").await;
    k.wait_text("#stat-mode", "PAUSED").await;
    k.click("#to-voter").await;
    k.wait_screen("welcome").await;
    k.wait_text("#polls-shut", "The polls are paused").await;
    assert!(!start_shown(&k).await);
    k.shot("29-polls-paused").await;
    k.stop().await;

    let st = votekiosk::Station::open(&day.station, PASSPHRASE, votekiosk::Options::default()).expect("open");
    let status = st.status().expect("status");
    assert_eq!(status.mode, votekiosk::Mode::Paused);
    assert_eq!(status.test_turnout.codes_issued, 0, "the test codes were deleted");
}
