//! An official's session in the window: the name and Log out show in the
//! top bar; a dashboard left idle logs out by itself, and its token, read
//! off the page by a voter, no longer issues codes.

use std::time::{Duration, Instant};

use crate::support::*;

/// Runs `invoke(cmd, args)` through the page's own bridge, as a voter with
/// the page's console could, and returns the error code (or "ok").
async fn invoke_from_page(k: &Kiosk, cmd: &str, args: serde_json::Value) -> String {
    let answer = k
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.__TAURI__.core.invoke(arguments[0], arguments[1])
               .then(() => done('ok'), (e) => done((e && e.code) || String(e)));",
            vec![cmd.into(), args],
        )
        .await
        .expect("invoke from the page");
    answer.as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dashboard_left_idle_logs_out_and_its_token_issues_no_codes() {
    if !tools_ready() {
        return;
    }
    let _serial = crate::SERIAL.lock().await;
    // The shortest idle logout an admin may set.
    let day = demo_day("E2E-1", true, 0, |s| s.official_idle_logout_secs = 30);
    let k = day.kiosk().await;
    // What a curious voter could do with the page's console: watch the
    // messages the page sends the shell, and note any session token.
    k.client
        .execute(
            "const send = window.fetch;
             window.fetch = function (url, init) {
               try {
                 const body = init && typeof init.body === 'string' ? JSON.parse(init.body) : null;
                 if (body && body.token) window.__seenToken = body.token;
               } catch (_) { /* not JSON */ }
               return send.apply(this, arguments);
             };",
            vec![],
        )
        .await
        .expect("watch the page's messages");

    // An official logs in: their name and Log out are in the top bar.
    k.official_chord().await;
    k.wait_screen("login").await;
    k.type_into("#username", ADMIN).await;
    k.type_into("#password", ADMIN_PASSWORD).await;
    k.click("#login-submit").await;
    k.wait_screen("dashboard").await;
    k.wait_text("#official-name", ADMIN).await;
    assert!(k.el("#logout").await.is_displayed().await.expect("displayed"));
    k.click("#verify-audit").await;
    k.wait_text("#audit-result", "Audit chain OK").await;
    let token = k
        .client
        .execute("return window.__seenToken || ''", vec![])
        .await
        .expect("token");
    let token = token.as_str().unwrap_or_default().to_string();
    assert_eq!(
        token.len(),
        64,
        "the dashboard's session token was seen: {token:?}"
    );
    k.shot("16-dashboard-session").await;

    // The official walks away. Nothing is touched for the idle logout (30 s):
    // the window goes back to voter mode by itself.
    let walked_away = Instant::now();
    while k.screen().await != "welcome" {
        assert!(
            walked_away.elapsed() < Duration::from_secs(60),
            "the idle dashboard did not log out"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        walked_away.elapsed() >= Duration::from_secs(25),
        "logged out too early: {:?}",
        walked_away.elapsed()
    );
    assert!(!k
        .el("#official-bar")
        .await
        .is_displayed()
        .await
        .expect("displayed"));

    // A voter replays the dashboard's token, even with the right password:
    // the shell refuses every privileged command.
    let issue = serde_json::json!({
        "token": token, "password": ADMIN_PASSWORD, "count": 5, "printSlips": false,
    });
    assert_eq!(invoke_from_page(&k, "issue_codes", issue).await, "not_logged_in");
    let keep = serde_json::json!({ "token": token });
    assert_eq!(invoke_from_page(&k, "keep_alive", keep).await, "not_logged_in");
    let close = serde_json::json!({ "token": token, "action": "close_polls", "password": ADMIN_PASSWORD });
    assert_eq!(invoke_from_page(&k, "change_polls", close).await, "not_logged_in");
    k.stop().await;

    let st = votekiosk::Station::open(&day.station, PASSPHRASE, votekiosk::Options::default()).expect("open");
    let status = st.status().expect("status");
    assert_eq!(status.turnout.codes_issued, 0, "no code was issued");
    assert_eq!(status.mode, votekiosk::Mode::Open, "the polls are still open");
    let log = st.audit_log(1000).expect("audit log");
    assert!(
        log.iter().any(|e| e.kind == "logged_out" && e.actor == ADMIN),
        "the logout is audited"
    );
}
