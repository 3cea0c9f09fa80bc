//! Paper in the language the official picks on the dashboard: voter-code
//! slips (the first language by default, then Spanish), and the reprint of
//! the last receipt in the voter's language (the core does not record it
//! with the ballot, so the official picks it). Read back from the printed
//! PDFs with pdftotext.

use crate::support::*;

/// The newest PDF of `kind` in the print folder, once there are `n`.
async fn nth_pdf(station: &std::path::Path, kind: &str, n: usize) -> std::path::PathBuf {
    let t = std::time::Instant::now();
    loop {
        let pdfs = printed_pdfs(station, kind);
        if pdfs.len() >= n {
            return pdfs[n - 1].clone();
        }
        assert!(
            t.elapsed() < std::time::Duration::from_secs(20),
            "{n} {kind} PDFs were not printed: {pdfs:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Issues `count` printed codes with the slip language as it is picked.
async fn issue_printed(k: &Kiosk, count: &str) {
    k.type_into("#code-count", count).await;
    let print = k.el("#print-slips").await;
    if print.prop("checked").await.expect("checked").as_deref() != Some("true") {
        k.click("#print-slips").await;
    }
    k.click("#issue-codes").await;
    k.confirm_password(ADMIN_PASSWORD).await;
    k.el("#codes-printed").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn code_slips_and_receipt_reprints_print_in_the_language_picked() {
    if !tools_ready() {
        return;
    }
    let _serial = crate::SERIAL.lock().await;
    let day = demo_day("E2E-SLIPS", true, 1, |_| {});
    let (station, codes) = (&day.station, &day.codes);
    let k = day.kiosk().await;

    // A Spanish-speaking voter casts.
    k.click("button[data-lang='es']").await;
    k.click("#start").await;
    k.wait_screen("code").await;
    k.type_into("#code", &codes[0]).await;
    k.click("#code-submit").await;
    k.wait_screen("contest").await;
    let receipt = k.cast_blank_ballot().await;
    k.click("#receipt-done").await;
    k.wait_screen("welcome").await;

    k.admin_login().await;
    // The picker offers the election's languages, the first chosen.
    let offered = k
        .client
        .execute(
            "const s = document.getElementById('slip-language');
             return [s.value, Array.from(s.options).map((o) => o.value).join(',')]",
            vec![],
        )
        .await
        .expect("picker");
    assert_eq!(offered, serde_json::json!(["en", "en,es"]));

    // Default: English slips.
    issue_printed(&k, "1").await;
    let english = pdf_text(&nth_pdf(station, "voter-codes", 1).await);
    assert!(english.contains("Voter code"), "{english}");
    assert!(!english.contains("Código de votante"), "{english}");

    // Spanish picked: Spanish slips, two of them.
    k.el("#slip-language")
        .await
        .select_by_value("es")
        .await
        .expect("pick es");
    issue_printed(&k, "2").await;
    let spanish = pdf_text(&nth_pdf(station, "voter-codes", 2).await);
    assert!(spanish.contains("Código de votante"), "{spanish}");
    assert!(!spanish.contains("Voter code"), "{spanish}");
    let issued = k
        .client
        .execute(
            "return Array.from(document.querySelectorAll('#issued-codes li')).map((li) => li.textContent.trim())",
            vec![],
        )
        .await
        .expect("issued codes");
    let issued: Vec<&str> = issued
        .as_array()
        .expect("codes")
        .iter()
        .filter_map(|c| c.as_str())
        .collect();
    assert_eq!(issued.len(), 2, "{issued:?}");
    let flat = spanish.replace(char::is_whitespace, "");
    for code in issued {
        assert!(
            flat.contains(&code.replace(char::is_whitespace, "")),
            "{code} on the slips:\n{spanish}"
        );
    }

    // The receipt again, in the voter's language.
    let receipts_before = printed_pdfs(station, "receipt").len();
    k.el("#reprint-language")
        .await
        .select_by_value("es")
        .await
        .expect("pick es");
    k.click("#reprint").await;
    k.wait_text("#print-result", "Receipt reprint").await;
    let reprint = pdf_text(&nth_pdf(station, "receipt", receipts_before + 1).await);
    assert!(reprint.contains("Recibo"), "{reprint}");
    assert!(
        // Printed in two lines of two groups.
        reprint
            .replace(|c: char| c.is_whitespace() || c == '-', "")
            .contains(&receipt.replace(|c: char| c.is_whitespace() || c == '-', "")),
        "the receipt id {receipt} on the reprint:\n{reprint}"
    );
    k.stop().await;
}
