//! A whole election day in the real window.

use std::collections::BTreeMap;

use crate::support::*;

async fn login(k: &Kiosk) {
    k.official_chord().await;
    k.wait_screen("login").await;
    k.type_into("#username", ADMIN).await;
    k.type_into("#password", ADMIN_PASSWORD).await;
    k.click("#login-submit").await;
    k.wait_screen("dashboard").await;
}

/// The payloads of the closing-key slips the station printed (saved in its
/// print folder, in slip order), read off their QR codes as a scanner would.
fn closing_slips(station: &std::path::Path, count: usize) -> Vec<String> {
    let folder = station.with_file_name("station-printed");
    (1..=count)
        .map(|n| {
            let name = if n == 1 {
                "votekiosk-closing-key-slip.pdf".to_string()
            } else {
                format!("votekiosk-closing-key-slip-{n}.pdf")
            };
            let payload = qr_payloads(&folder.join(name))
                .into_iter()
                .find(|p| p.starts_with("VKS2:"))
                .unwrap_or_else(|| panic!("slip {n} has no VKS2 QR code"));
            payload
        })
        .collect()
}

async fn enter_code(k: &Kiosk, code: &str) {
    k.wait_screen("welcome").await;
    k.click("#start").await;
    k.wait_screen("code").await;
    k.type_into("#code", code).await;
    k.click("#code-submit").await;
}

/// Votes by mouse: `picks` per contest, in the ballot's order.
async fn vote_by_mouse(k: &Kiosk, code: &str, picks: &[&[&str]], shots: Option<&str>) -> String {
    enter_code(k, code).await;
    for (i, contest) in picks.iter().enumerate() {
        k.wait_screen("contest").await;
        let ranked = k
            .el("#contest-title")
            .await
            .attr("data-contest")
            .await
            .expect("attr")
            .as_deref()
            == Some("school-board");
        for (rank, choice) in contest.iter().enumerate() {
            if ranked {
                k.click(&format!(
                    "button[data-candidate='{choice}'][data-rank='{}']",
                    rank + 1
                ))
                .await;
            } else if let Some(name) = choice.strip_prefix("write-in:") {
                k.click("#write-in").await;
                k.wait_screen("write-in").await;
                k.type_into("#write-in-name", name).await;
                if let Some(prefix) = shots {
                    k.shot(&format!("{prefix}-write-in")).await;
                }
                k.click("#write-in-done").await;
                k.wait_screen("contest").await;
            } else {
                k.click(&format!("button[data-choice='{choice}']")).await;
            }
        }
        if let Some(prefix) = shots {
            k.shot(&format!("{prefix}-contest-{}", i + 1)).await;
        }
        k.click("#next").await;
    }
    k.wait_screen("review").await;
    if let Some(prefix) = shots {
        k.shot(&format!("{prefix}-review")).await;
    }
    // The demo election prints ballot cards: read the card, then cast.
    k.click("#cast").await;
    k.wait_screen("card").await;
    k.click("#card-cast").await;
    k.wait_screen("receipt").await;
    if let Some(prefix) = shots {
        k.shot(&format!("{prefix}-receipt")).await;
    }
    let receipt = k.text("#receipt-id").await;
    k.click("#receipt-done").await;
    k.wait_screen("welcome").await;
    receipt
}

#[tokio::test(flavor = "multi_thread")]
async fn a_poll_worker_and_three_voters_run_an_election_day() {
    if !tools_ready() {
        return;
    }
    let _serial = crate::SERIAL.lock().await;
    let home = tempfile::tempdir().expect("tempdir");
    let station = home.path().join("station.vkstation");
    let definition = write_definition(home.path());
    let k = Kiosk::start(&station, home.path()).await;

    // Create the election from its definition.
    k.wait_screen("setup").await;
    k.shot("01-setup").await;
    k.type_into("#setup-def", definition.to_str().expect("path"))
        .await;
    k.type_into("#setup-station", "RIVERSIDE-01").await;
    k.type_into("#setup-pass", PASSPHRASE).await;
    k.type_into("#setup-pass2", PASSPHRASE).await;
    k.type_into("#setup-admin", ADMIN).await;
    k.type_into("#setup-admin-pw", ADMIN_PASSWORD).await;
    k.click("#setup-create").await;
    k.wait_screen("welcome").await;

    // The polls do not open without a closing key. Opening asks first,
    // with the counts: Cancel changes nothing.
    login(&k).await;
    k.click("#polls-open").await;
    k.wait_text("#confirm-body", "Test ballots to delete: 0.").await;
    k.click("#confirm-cancel").await;
    k.wait_text("#stat-mode", "SETUP").await;
    assert_eq!(k.text("#dash-error").await, "", "Cancel changed nothing");
    k.click("#polls-open").await;
    k.click("#confirm-ok").await;
    k.wait_text("#dash-error", "no closing key").await;

    // The admin makes it: three poll workers, two needed at close; each
    // types a PIN twice (the first mistypes the second copy once).
    k.wait_text("#ck-none", "no closing key").await;
    k.click("#closing-setup").await;
    k.wait_screen("closing").await;
    k.type_into("#ck-workers", &WORKERS.join(", ")).await;
    k.type_into("#ck-threshold", "2").await;
    k.click("#ck-next").await;
    for (i, pin) in PINS.iter().enumerate() {
        k.wait_screen("closing-pin").await;
        k.wait_text("h1", WORKERS[i]).await;
        k.type_into("#ck-pin", pin).await;
        k.type_into("#ck-pin2", if i == 0 { "00000000" } else { pin })
            .await;
        k.click("#ck-pin-next").await;
        if i == 0 {
            k.wait_text("#ck-error", "The two PINs differ").await;
            k.type_into("#ck-pin", pin).await;
            k.type_into("#ck-pin2", pin).await;
            k.click("#ck-pin-next").await;
        }
    }
    k.wait_screen_for("closing-done", 120).await;
    let holders = k.text("#ck-holders").await;
    for (i, name) in WORKERS.iter().enumerate() {
        assert!(
            holders.contains(&format!("Slip {} of 3: {name}", i + 1)),
            "{holders}"
        );
    }
    k.shot("17-closing-key-holders").await;
    let slips = closing_slips(&station, WORKERS.len());
    k.click("#ck-done").await;
    k.wait_screen("dashboard").await;

    // Poll worker: open the polls and issue codes.
    k.click("#polls-open").await;
    k.shot("24-confirm-open").await;
    k.click("#confirm-ok").await;
    k.wait_text("#stat-mode", "OPEN").await;
    k.click("#print-zero").await;
    k.wait_text("#print-result", "Zero report saved to").await;
    k.type_into("#code-count", "6").await;
    k.click("#print-slips").await;
    k.click("#issue-codes").await;
    k.confirm_password(ADMIN_PASSWORD).await;
    k.wait_text("#codes-printed", "saved to").await;
    let list = k.el("#issued-codes").await;
    let codes: Vec<String> = {
        let mut v = Vec::new();
        for li in list
            .find_all(fantoccini::Locator::Css("code"))
            .await
            .expect("codes")
        {
            v.push(li.text().await.expect("code"));
        }
        v
    };
    assert_eq!(codes.len(), 6, "{codes:?}");
    k.shot("02-dashboard-codes").await;
    k.click("#to-voter").await;
    k.wait_screen("welcome").await;
    k.shot("03-welcome").await;

    // Voter 1, by mouse, in English.
    let r1 = vote_by_mouse(
        &k,
        &codes[0],
        &[
            &["alvarez"],
            &["diaz", "gupta"],
            &["yes"],
            &["hill", "jones"],
            &["lopez", "kim"],
        ],
        Some("04-en"),
    )
    .await;

    // No printer is configured: the receipt slip was saved as a PDF for the
    // poll worker, holding the receipt id and no choice.
    let printed_dir = home.path().join("station-printed");
    let pdfs: Vec<_> = std::fs::read_dir(&printed_dir)
        .expect("print folder")
        .filter_map(|e| e.ok())
        .collect();
    assert!(pdfs.len() >= 3, "zero report, code slips and a receipt: {pdfs:?}");

    // Voter 2, in Spanish, with a write-in.
    k.click("button[data-lang='es']").await;
    k.wait_text("#start", "Comenzar").await;
    k.shot("05-welcome-es").await;
    let r2 = vote_by_mouse(
        &k,
        &codes[1],
        &[&["write-in:Jane Doe"], &["evans"], &["no"], &[], &["kim"]],
        Some("06-es"),
    )
    .await;

    // Voter 3, keyboard only: Tab to a control, Enter or Space to use it.
    // After each choice the focus is still on the option chosen, so the
    // next Tab goes on from there.
    k.wait_screen("welcome").await;
    k.tab_to("#start").await;
    k.keys(ENTER).await;
    k.wait_screen("code").await;
    k.keys(&codes[2]).await;
    k.keys(ENTER).await;
    let keyboard_picks: [&[&str]; 5] = [&["brooks"], &["fischer"], &["yes"], &["ito"], &[]];
    for picks in keyboard_picks {
        k.wait_screen("contest").await;
        for choice in picks {
            let option = format!("button[data-choice='{choice}']");
            k.tab_to(&option).await;
            k.keys(SPACE).await;
            k.wait_focus_pressed(&option).await;
        }
        k.tab_to("#next").await;
        k.keys(ENTER).await;
    }
    k.wait_screen("review").await;
    k.tab_to("#cast").await;
    k.keys(ENTER).await;
    k.wait_screen("card").await;
    k.tab_to("#card-cast").await;
    k.keys(ENTER).await;
    k.wait_screen("receipt").await;
    let r3 = k.text("#receipt-id").await;
    k.tab_to("#receipt-done").await;
    k.keys(ENTER).await;

    // A used code is refused in plain words.
    enter_code(&k, &codes[0]).await;
    k.wait_text("#code-error", "already been used").await;
    k.shot("07-used-code").await;
    k.click("#code-cancel").await;

    // Five unknown codes lock voting; a poll worker unlocks.
    let mut rng = rand_like(7);
    for _ in 0..5 {
        enter_code(&k, &random_code(&mut rng)).await;
        k.wait_text("#code-error", "not known").await;
        k.click("#code-cancel").await;
    }
    enter_code(&k, &codes[3]).await;
    k.wait_text("#code-error", "unlock the kiosk").await;
    k.shot("08-locked").await;
    k.click("#code-cancel").await;
    login(&k).await;
    k.wait_text("#stat-locked", "LOCKED").await;
    k.click("#unlock-voting").await;
    k.wait_text("#stat-locked", "not locked").await;
    k.click("#to-voter").await;
    let r4 = vote_by_mouse(
        &k,
        &codes[3],
        &[&["chen"], &[], &[], &[], &["moore", "nguyen", "kim"]],
        None,
    )
    .await;

    // Close the polls (final, confirmed).
    login(&k).await;
    k.wait_text("#stat-ballots", "4").await;
    k.click("#polls-close").await;
    k.wait_text(
        "#confirm-body",
        "Ballots cast: 4. Codes issued: 6, used: 4, unused: 2",
    )
    .await;
    k.shot("25-confirm-close").await;
    k.click("#confirm-ok").await;
    k.confirm_password(ADMIN_PASSWORD).await;

    // The count: two of the three poll workers (the third and the first)
    // scan their slips and type their PINs; a mistyped PIN is named first.
    k.wait_screen("count").await;
    k.type_into("#slip-1", &slips[2]).await;
    k.type_into("#pin-1", "99999999").await;
    k.type_into("#slip-2", &slips[0]).await;
    k.type_into("#pin-2", PINS[0]).await;
    k.click("#count-submit").await;
    let t = std::time::Instant::now();
    while !k.text("#count-error").await.contains("Wrong PIN for slip 3") {
        assert!(t.elapsed().as_secs() < 120, "no wrong-PIN message");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    k.shot("18-count-wrong-pin").await;
    k.type_into("#pin-1", PINS[2]).await;
    k.type_into("#pin-2", PINS[0]).await;
    k.click("#count-submit").await;
    k.wait_screen_for("count-done", 120).await;
    k.wait_text("#count-result", "4 ballots counted").await;
    k.click("#count-print").await;
    k.wait_text("#count-printed", "saved to").await;
    k.shot("19-counted").await;
    k.click("#count-dashboard").await;
    k.wait_screen("dashboard").await;
    k.wait_text("#stat-mode", "CLOSED").await;
    k.click("#verify-audit").await;
    k.wait_text("#audit-result", "Audit chain OK").await;
    k.click("#print-results").await;
    k.wait_text("#print-result", "Results report saved to").await;
    k.shot("09-dashboard-closed").await;

    // Export the signed result to a folder (a USB stick on the day).
    let usb = home.path().join("usb");
    std::fs::create_dir(&usb).expect("usb folder");
    k.type_into("#export-folder", usb.to_str().expect("path")).await;
    k.click("#export-result").await;
    k.wait_text("#export-done", "Station key fingerprint").await;
    k.shot("12-exported").await;

    // The verify screen now also answers "included in the signed result".
    k.click("#to-voter").await;
    k.wait_screen("welcome").await;
    k.click("#verify-link").await;
    k.wait_screen("verify").await;
    k.type_into("#receipt-input", &r2).await;
    k.click("#verify-submit").await;
    k.wait_text("#verify-result", "included in the signed result")
        .await;
    k.shot("13-verify-included").await;
    k.stop().await;

    // The exported file verifies with no secret against the station's key,
    // and its count is the voters' choices.
    let export = usb.join("RIVERSIDE-01-results.jsonl");
    let key = {
        let st = votekiosk::Station::open(&station, PASSPHRASE, votekiosk::Options::default()).expect("open");
        st.public_key().expect("key")
    };
    let options = votekiosk::export::verify::Options {
        anchor: votekiosk::export::verify::Anchor::PublicKey(key),
        attachments: Some(&usb),
        ..Default::default()
    };
    let report =
        votekiosk::export::verify::verify_path(&export, &options, &mut votekiosk::export::verify::Discard)
            .expect("read export");
    assert!(report.passed(), "{:?}", report.failures);
    assert_eq!(report.ballots, 4);
    assert!(usb.join("verify.html").is_file());

    // The file holds exactly what the voters chose.
    let st = votekiosk::Station::open(&station, PASSPHRASE, votekiosk::Options::default()).expect("open");
    assert_eq!(st.status().expect("status").turnout.ballots, 4);
    for r in [&r1, &r2, &r3, &r4] {
        assert_eq!(
            st.check_receipt(r).expect("receipt"),
            votekiosk::ReceiptStatus::Recorded { test: false },
            "receipt {r} shown on screen is recorded"
        );
    }
    let mut seen: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
    // The file holds them sealed: read them from the counted export's
    // record lines (after the header, signature, definition and receipts).
    let bytes = std::fs::read(&export).expect("export written");
    let records: Vec<serde_json::Value> = bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .skip(3 + report.ballots as usize)
        .map(|l| serde_json::from_slice(l).expect("record line"))
        .collect();
    for cvr in &records {
        for (contest, choices) in cvr["selections"].as_object().expect("selections") {
            let choices = choices
                .as_array()
                .expect("choices")
                .iter()
                .map(|c| c.as_str().expect("choice").to_string())
                .collect();
            seen.entry(contest.clone()).or_default().push(choices);
        }
    }
    let mut mayor: Vec<Vec<String>> = seen["mayor"].clone();
    mayor.sort();
    assert_eq!(
        mayor,
        vec![
            vec!["alvarez".to_string()],
            vec!["brooks".into()],
            vec!["chen".into()],
            vec!["write-in:Jane Doe".into()]
        ]
    );
    let ranked = &seen["school-board"];
    assert!(
        ranked.contains(&vec!["lopez".to_string(), "kim".into()]),
        "{ranked:?}"
    );
    assert!(
        ranked.contains(&vec!["moore".to_string(), "nguyen".into(), "kim".into()]),
        "{ranked:?}"
    );
    let mut council: Vec<Vec<String>> = seen["council"]
        .iter()
        .map(|v| {
            let mut v = v.clone();
            v.sort();
            v
        })
        .collect();
    council.sort();
    assert_eq!(
        council,
        vec![
            vec![],
            vec!["diaz".to_string(), "gupta".into()],
            vec!["evans".into()],
            vec!["fischer".into()]
        ]
    );
    let bond: Vec<&Vec<String>> = seen["library-bond"].iter().filter(|v| !v.is_empty()).collect();
    assert_eq!(bond.iter().filter(|v| v[0] == "yes").count(), 2);
    assert_eq!(bond.iter().filter(|v| v[0] == "no").count(), 1);
}

/// A tiny deterministic generator for well-formed but unknown codes.
fn rand_like(seed: u64) -> u64 {
    seed
}

fn random_code(state: &mut u64) -> String {
    use rand::{RngCore, SeedableRng};
    *state += 1;
    let mut rng = rand::rngs::StdRng::seed_from_u64(*state ^ 0x5eed);
    let _ = rng.next_u32();
    votekiosk::VoterCode::random(&mut rng).display()
}
