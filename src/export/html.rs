//! `verify.html`: a self-contained page, written next to each export, that
//! answers "is my receipt in this signed result?" offline. No network, no
//! external script: its CSP forbids every fetch. It reads a typed or
//! scanned receipt, or one in the page's URL fragment
//! (`verify.html#VK1:<election>:<receipt>`), so a QR holding a verification
//! URL opens straight into the answer.

use super::format::ResultFile;

/// Escapes text for HTML element content and attribute values.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

pub fn verify_page(file: &ResultFile) -> String {
    let title = file
        .definition
        .get("title")
        .and_then(|t| t.as_object())
        .and_then(|t| t.values().next())
        .and_then(|v| v.as_str())
        .unwrap_or("Election");
    // Receipt ids are base32 with dashes: nothing in them can end a script.
    let data = serde_json::json!({
        "definition_short": &file.definition_hash[..16.min(file.definition_hash.len())],
        "station": file.station.id,
        "test": file.test,
        "receipts": file.receipts.ids,
    })
    .to_string()
    .replace("</", "<\\/");
    let mut page = String::from(PAGE);
    page = page.replace("{{TITLE}}", &esc(title));
    page = page.replace("{{STATION}}", &esc(&file.station.id));
    page = page.replace("{{HASH}}", &esc(&file.definition_hash));
    page = page.replace("{{KEY}}", &esc(&file.station.public_key));
    page = page.replace("{{COUNT}}", &file.receipts.ids.len().to_string());
    page = page.replace("{{ROOT}}", &esc(&file.receipts.merkle_root));
    page = page.replace(
        "{{TEST}}",
        if file.test {
            "<p class=\"test\">TEST RESULT: not an official count.</p>"
        } else {
            ""
        },
    );
    page.replace("{{DATA}}", &data)
}

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Check your receipt: {{TITLE}}</title>
<style>
body { font-family: sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #1b1f24; }
input { font: inherit; font-size: 1.3rem; width: 100%; padding: 0.5rem; box-sizing: border-box; font-family: monospace; }
button { font: inherit; font-size: 1.1rem; padding: 0.5rem 1.5rem; margin-top: 0.5rem; }
#answer { font-weight: bold; font-size: 1.2rem; padding: 0.8rem 1rem; margin-top: 1rem; border-left: 6px solid #999; }
#answer.yes { border-color: #1e6b34; color: #1e6b34; } #answer.no { border-color: #a11b1b; color: #a11b1b; }
#answer:empty { display: none; }
.facts { font-size: 0.85rem; color: #4b5563; word-break: break-all; }
.test { background: #ffd54f; padding: 0.5rem; font-weight: bold; }
</style>
</head>
<body>
<h1>Check your receipt</h1>
<p>{{TITLE}}. Station {{STATION}}.</p>
{{TEST}}
<form id="form">
<label for="receipt">Receipt code (or scan its QR code)</label>
<input id="receipt" autocomplete="off" spellcheck="false" autofocus>
<button type="submit">Check</button>
</form>
<p id="answer" role="status" aria-live="polite"></p>
<p class="facts">This page works offline. It checks the receipt against the {{COUNT}} receipts in the signed result file next to it
(Merkle root {{ROOT}}). Verify that file first with <code>votekiosk verify</code> and the station's public key {{KEY}}.
Election definition {{HASH}}.</p>
<script type="application/json" id="data">{{DATA}}</script>
<script>
'use strict';
(function () {
  var data = JSON.parse(document.getElementById('data').textContent);
  var set = new Set(data.receipts);
  function answer(text, ok) {
    var a = document.getElementById('answer');
    a.textContent = text;
    a.className = ok === true ? 'yes' : (ok === false ? 'no' : '');
  }
  function check(raw) {
    var text = String(raw || '').trim();
    if (!text) { answer('', null); return; }
    var hash = text.indexOf('#');
    if (hash >= 0) text = text.slice(hash + 1);
    try { text = decodeURIComponent(text); } catch (e) { /* keep as is */ }
    var parts = text.split(':');
    var id = parts[parts.length - 1];
    if (parts.length === 3) {
      if (parts[0].toUpperCase() !== 'VK1') { answer('This is not a votekiosk receipt.', false); return; }
      if (parts[1].toLowerCase() !== data.definition_short) { answer('This receipt belongs to another election.', false); return; }
    } else if (parts.length !== 1) { answer('This is not a votekiosk receipt.', false); return; }
    var s = id.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
    if (!/^[0-9A-HJKMNP-TV-Z]{16}$/.test(s)) { answer('A receipt code has 16 letters and digits, like ABCD-EFGH-JKMN-PQRS.', false); return; }
    var grouped = s.match(/.{4}/g).join('-');
    if (set.has(grouped)) {
      answer('Included: receipt ' + grouped + ' is in the signed result of station ' + data.station + (data.test ? ' (a TEST result).' : '.'), true);
    } else {
      answer('Not found: receipt ' + grouped + ' is not in this result. Check the code, or ask the election office.', false);
    }
  }
  document.getElementById('form').addEventListener('submit', function (e) { e.preventDefault(); check(document.getElementById('receipt').value); });
  if (location.hash.length > 1) { document.getElementById('receipt').value = location.hash.slice(1); check(location.hash); }
})();
</script>
</body>
</html>
"#;
