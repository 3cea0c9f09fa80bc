//! Start-up as the kiosk session runs it (`--kiosk`): a missing station
//! file and one that cannot be read each give the poll worker a screen
//! saying what is wrong and what to do, and the app stays up (no exit, so
//! no restart loop); once the file is in place, "Check again" goes on to
//! the unlock. The about screen shows the SHA-256 of the very binary
//! running, as `sha256sum` computes it. An official election whose printer
//! queue does not exist says so right after the unlock.

use std::path::Path;
use std::process::Command;

use crate::support::*;

fn demo_station(path: &Path) {
    let def = votekiosk::demo::definition(chrono::Utc::now()).expect("definition");
    votekiosk::Station::create(
        path,
        &def,
        "E2E-BOOT",
        PASSPHRASE,
        ADMIN,
        ADMIN_PASSWORD,
        votekiosk::Options::default(),
    )
    .expect("create");
}

/// Whether the app process below this test is still running.
fn app_running(binary: &Path) -> bool {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return false;
    };
    dir.flatten().any(|e| {
        std::fs::read_link(e.path().join("exe"))
            .map(|exe| exe == binary)
            .unwrap_or(false)
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_then_unreadable_station_file_says_what_to_do_and_recovers() {
    if !tools_ready() {
        return;
    }
    let _serial = crate::SERIAL.lock().await;
    let home = tempfile::tempdir().expect("tempdir");
    let station = home.path().join("election").join("station.vkstation");
    let path = station.to_str().expect("path");
    let k = Kiosk::start_with_args(&["--kiosk", path], home.path()).await;

    // Missing: the poll worker reads what is wrong, where, and what to do;
    // the kiosk offers no "create the election" form.
    k.wait_screen("boot-problem").await;
    k.shot("boot-station-missing").await;
    let message = k.text("#boot-problem-message").await;
    assert!(message.contains("no election file"), "{message}");
    assert_eq!(k.text("#boot-problem-path").await, path);
    let todo = k.text("#boot-problem-todo").await;
    assert!(
        todo.contains("Check again") && todo.contains("official"),
        "{todo}"
    );
    assert!(k
        .client
        .find(fantoccini::Locator::Css("#setup-create"))
        .await
        .is_err());
    // Checking again changes nothing while the file is still missing.
    k.click("#boot-retry").await;
    k.wait_screen("boot-problem").await;
    assert!(
        app_running(&app_binary().canonicalize().expect("binary")),
        "the app stays up"
    );

    // A folder where the file should be: unreadable, nothing created.
    std::fs::create_dir_all(&station).expect("a folder in the way");
    k.click("#boot-retry").await;
    k.wait_text("#boot-problem-message", "cannot be read").await;
    k.wait_text("#boot-problem-message", "folder").await;
    assert_eq!(
        std::fs::read_dir(&station).expect("folder").count(),
        0,
        "nothing written"
    );

    // The official puts the station file in place: on to the unlock.
    std::fs::remove_dir(&station).expect("remove the folder");
    demo_station(&station);
    k.click("#boot-retry").await;
    k.wait_screen("unlock").await;
    k.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_about_screen_shows_the_sha256_of_the_running_binary() {
    if !tools_ready() {
        return;
    }
    let _serial = crate::SERIAL.lock().await;
    let home = tempfile::tempdir().expect("tempdir");
    let station = home.path().join("station.vkstation");
    demo_station(&station);
    // What an observer runs on the installed file: coreutils' sha256sum.
    let out = Command::new("sha256sum")
        .arg(app_binary())
        .output()
        .expect("sha256sum");
    let expected = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .expect("a hash")
        .to_string();
    assert_eq!(expected.len(), 64);

    let k = Kiosk::start(&station, home.path()).await;
    k.wait_screen("unlock").await;
    k.click("#about-open").await;
    k.wait_screen("about").await;
    let shown = k.wait_text("#about-sha256", &expected[..8]).await;
    assert_eq!(
        shown, expected,
        "the about screen's hash is sha256sum of the binary"
    );
    assert_eq!(k.text("#about-version").await, env!("CARGO_PKG_VERSION"));
    let commit = k.text("#about-commit").await;
    assert!(commit == "unknown" || commit.len() == 40, "{commit}");
    k.shot("about").await;
    k.click("#about-back").await;
    k.wait_screen("unlock").await;
    k.stop().await;
}

/// An official election (not the demo): the demo definition on the test
/// fixture's office keys (tests/it/support.rs, `office_json`).
fn official_definition() -> votekiosk::ElectionDefinition {
    let base = votekiosk::demo::definition(chrono::Utc::now()).expect("definition");
    let mut v: serde_json::Value = serde_json::from_str(base.canonical_json()).expect("json");
    let doc = v.as_object_mut().expect("object");
    doc.remove("demo");
    doc.insert(
        "office".into(),
        serde_json::json!({
            "encryption": {
                "suite": "x25519-hkdf-sha256/hkdf-sha256/chacha20-poly1305",
                "public_key": "6549e6c27abe90a08c8380456398c22e9a7c25c01713216faa2710c198772532",
                "fingerprint": "175b 30c6 8678 5048 c7fe 3707 5c2e 4023",
                "commitment": "2ed0bc0274d88532333adb94860aac535e60766d11a0800bbb7af8721dc9f115"
            },
            "signing": {
                "public_key": "0ed83111c897c4f7b119d556bb37c73112e2f32d23e09b4aa71ddb7f39a47529",
                "fingerprint": "548b 1b5f 6f13 db33 2e58 deb6 854d 692c",
                "commitment": "5a7f777d6e229f137635e7eafcca3cdd0728067c3f136912b4ef89de30383044"
            }
        }),
    );
    let def = votekiosk::ElectionDefinition::parse(v.to_string().as_bytes()).expect("official definition");
    assert!(!def.demo);
    def
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_printer_is_named_after_the_unlock_with_what_to_do() {
    if !tools_ready() {
        return;
    }
    let _serial = crate::SERIAL.lock().await;
    let home = tempfile::tempdir().expect("tempdir");
    let station = home.path().join("station.vkstation");
    let queue = "votekiosk-e2e-no-such-printer";
    {
        let mut st = votekiosk::Station::create(
            &station,
            &official_definition(),
            "E2E-PRINTER",
            PASSPHRASE,
            ADMIN,
            ADMIN_PASSWORD,
            votekiosk::Options::default(),
        )
        .expect("create");
        let admin = st.login(ADMIN, ADMIN_PASSWORD).expect("login");
        st.set_printer(&admin, Some(queue))
            .expect("set the printer queue");
    }
    let k = Kiosk::start_with_args(&["--kiosk", station.to_str().expect("path")], home.path()).await;
    k.wait_screen("unlock").await;
    k.type_into("#passphrase", PASSPHRASE).await;
    k.click("#unlock-submit").await;
    k.wait_screen_for("printer-problem", 60).await;
    k.shot("boot-printer-missing").await;
    let problems = k.text("#printer-problems").await;
    assert!(problems.contains(queue), "{problems}");
    let todo = k.text("#printer-todo").await;
    assert!(todo.contains("paper") && todo.contains("Check again"), "{todo}");
    // Still missing: checking again asks CUPS again and shows the message
    // again (a new list: the old one is marked, and must be replaced).
    k.client
        .execute(
            "document.getElementById('printer-problems').dataset.old = '1'; return true;",
            vec![],
        )
        .await
        .expect("mark the list");
    k.click("#printer-retry").await;
    let t = std::time::Instant::now();
    loop {
        let fresh = k
            .client
            .execute(
                "const l = document.getElementById('printer-problems'); return !!l && !l.dataset.old;",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if fresh {
            break;
        }
        assert!(
            t.elapsed().as_secs() < 30,
            "Check again did not show the printer's problems again"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(k.screen().await, "printer-problem");
    k.wait_text("#printer-problems", queue).await;
    // The poll worker may go on (voters then get no receipt on paper).
    k.click("#printer-continue").await;
    k.wait_screen("welcome").await;
    k.stop().await;
}
