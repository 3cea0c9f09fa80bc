//! `verify.html`: a self-contained page, written next to a signed result,
//! that answers "is my receipt in this signed result?" offline, and only
//! after checking that the result is signed (docs/formats.md, "verify.html").
//!
//! [`verify_page`] reads a `votekiosk-result/2` or `votekiosk-merge/2` file
//! and embeds, verbatim, its header and signature lines, its definition line,
//! its inputs section (a combined result) and its receipts section: never
//! the records. The page (`assets/verify/`: the template, its style, its
//! script and its en/es strings) checks the Ed25519 signature with WebCrypto
//! in a secure context, or gives no answer; refuses S ≥ ℓ and small-order
//! keys; recomputes the Merkle root; compares the signing key's fingerprint
//! with the one on the receipt (`VK2` payloads); only then says "included"
//! or "not found". Its CSP allows no fetch and runs only the page's own
//! script and style (by hash), whatever the embedded text holds.
//!
//! [`verify_page_v1`] is the `votekiosk-result/1` page (no signature check),
//! kept until the v1 export goes.

use std::io::BufRead;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

use super::format::ResultFile;

/// Escapes text for HTML element content and attribute values.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The `votekiosk-result/1` page: a receipt list without a signature check.
pub fn verify_page_v1(file: &ResultFile) -> String {
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

const TEMPLATE: &str = include_str!("../../assets/verify/page.html");
const STYLE: &str = include_str!("../../assets/verify/page.css");
const STRINGS: &str = include_str!("../../assets/verify/strings.js");
const SCRIPT: &str = include_str!("../../assets/verify/verify.js");

/// The longest header line a page embeds: what the verifier reads.
pub const MAX_HEADER_LINE: usize = crate::signed::MAX_HEADER_LINE;
/// The longest signature line.
const MAX_SIGNATURE_LINE: usize = 1024;
/// The longest definition line.
pub const MAX_DEFINITION_LINE: usize = 4 << 20;
/// The longest line of a combined result's inputs section.
const MAX_INPUT_LINE: usize = 4096;
/// At most this many receipts (a page of about 25 MB).
pub const MAX_RECEIPTS: u64 = 1_000_000;
/// At most this many inputs of a combined result.
const MAX_INPUTS: u64 = 100_000;

fn bad(what: impl std::fmt::Display) -> Error {
    Error::InvalidInput(format!("cannot make verify.html: {what}"))
}

/// One line of the file, without its LF: UTF-8, no CR, at most `max` bytes.
fn read_line(file: &mut impl BufRead, max: usize, what: &str) -> Result<String> {
    let mut line = Vec::new();
    std::io::Read::take(&mut *file, max as u64 + 1)
        .read_until(b'\n', &mut line)
        .map_err(|e| bad(format!("reading {what}: {e}")))?;
    if line.pop() != Some(b'\n') {
        return Err(bad(format!("{what} is missing or longer than {max} bytes")));
    }
    if line.contains(&b'\r') {
        return Err(bad(format!("{what} holds a carriage return")));
    }
    String::from_utf8(line).map_err(|_| bad(format!("{what} is not UTF-8")))
}

/// A count from the header, within `max`.
fn count(header: &serde_json::Value, section: &str, max: u64) -> Result<u64> {
    header[section]["count"]
        .as_u64()
        .filter(|n| *n <= max)
        .ok_or_else(|| bad(format!("the header's {section}.count is missing or above {max}")))
}

/// The election's title in its first language, for the page's `<title>`.
fn title_of(definition: &serde_json::Value) -> String {
    let titles = &definition["title"];
    definition["languages"][0]["code"]
        .as_str()
        .and_then(|code| titles[code].as_str())
        .or_else(|| {
            titles
                .as_object()
                .and_then(|t| t.values().find_map(|v| v.as_str()))
        })
        .unwrap_or("Election")
        .to_string()
}

/// The `verify.html` of a signed `votekiosk-result/2` or `votekiosk-merge/2`
/// file, read from `file` up to the end of its receipts section (the
/// records are never read). Fails on a file of another format or whose
/// lines are not where its header says.
pub fn verify_page(file: &mut impl BufRead) -> Result<String> {
    let header_line = read_line(file, MAX_HEADER_LINE, "the header (line 1)")?;
    let signature_line = read_line(file, MAX_SIGNATURE_LINE, "the signature (line 2)")?;
    let header: serde_json::Value =
        serde_json::from_str(&header_line).map_err(|e| bad(format!("the header is not JSON: {e}")))?;
    let merge = match header["format"].as_str() {
        Some("votekiosk-result/2") => false,
        Some("votekiosk-merge/2") => true,
        other => {
            return Err(bad(format!(
                "it reads votekiosk-result/2 and votekiosk-merge/2 files, not {}",
                other.unwrap_or("this file")
            )))
        }
    };
    let definition_line = read_line(file, MAX_DEFINITION_LINE, "the definition (line 3)")?;
    let definition: serde_json::Value = serde_json::from_str(&definition_line)
        .map_err(|e| bad(format!("the definition is not JSON: {e}")))?;
    let mut lines = vec![header_line, signature_line, definition_line];
    if merge {
        for i in 0..count(&header, "inputs", MAX_INPUTS)? {
            lines.push(read_line(file, MAX_INPUT_LINE, &format!("input {}", i + 1))?);
        }
    }
    for i in 0..count(&header, "receipts", MAX_RECEIPTS)? {
        // A receipt line is a JSON string of 19 characters.
        lines.push(read_line(file, 64, &format!("receipt {}", i + 1))?);
    }
    Ok(page(&title_of(&definition), &lines))
}

/// Fills the template: `{{NAME}}` markers replaced in one pass, so that no
/// embedded text is ever read as a marker.
fn page(title: &str, lines: &[String]) -> String {
    let script = format!("{STRINGS}\n{SCRIPT}");
    let mut embedded = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
    for line in lines {
        embedded.push_str(&esc_text(line));
        embedded.push('\n');
    }
    // FILE is filled below, without a copy.
    let value = |name: &str| -> String {
        match name {
            "TITLE" => esc(title),
            "STYLE" => STYLE.to_string(),
            "STYLE_HASH" => csp_hash(STYLE),
            "SCRIPT" => script.clone(),
            "SCRIPT_HASH" => csp_hash(&script),
            _ => String::new(),
        }
    };
    let mut out = String::with_capacity(TEMPLATE.len() + STYLE.len() + script.len() + embedded.len());
    let mut rest = TEMPLATE;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let name = &after[..end];
        if name == "FILE" {
            out.push_str(&embedded);
        } else {
            out.push_str(&value(name));
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// Escapes text for element content: what the HTML parser would read
/// otherwise (`&`, `<`, `>`). The page reads it back with `textContent`.
fn esc_text(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A CSP source for an inline element's exact text: `'sha256-<base64>'`.
fn csp_hash(text: &str) -> String {
    format!("sha256-{}", base64(&Sha256::digest(text.as_bytes())))
}

/// Standard base64 with padding (RFC 4648 §4).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (input, output) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), output);
        }
    }

    #[test]
    fn the_page_script_cannot_be_ended_by_its_own_text() {
        for asset in [SCRIPT, STRINGS, STYLE] {
            assert!(!asset.to_ascii_lowercase().contains("</script"));
            assert!(!asset.to_ascii_lowercase().contains("</style"));
            assert!(!asset.contains("{{"), "a template marker in an asset");
        }
    }

    #[test]
    fn embedded_text_is_never_markup_nor_a_marker() {
        let lines = vec![
            r#"{"format":"votekiosk-result/2","x":"</pre><script>alert(1)</script>{{SCRIPT}}&amp;"}"#
                .to_string(),
        ];
        let html = page("<b>{{FILE}}</b>", &lines);
        assert!(html.contains("&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;{{SCRIPT}}&amp;amp;"));
        assert!(html.contains("<title>&lt;b&gt;{{FILE}}&lt;/b&gt;</title>"));
        assert_eq!(html.matches("<script>").count(), 1, "only the page's own script");
        let script = format!("{STRINGS}\n{SCRIPT}");
        assert!(html.contains(&format!("script-src '{}'", csp_hash(&script))));
    }
}
