//! `verify.html` in a real WebKit: WebKitGTK's WebDriver (`WebKitWebDriver`)
//! drives its `MiniBrowser` on an Xvfb display, on pages that
//! `export::html::verify_page` made from signed `votekiosk-result/2` and
//! `votekiosk-merge/2` files built here from the layout of docs/formats.md
//! (header, signature over `"votekiosk-signature/2" ‖ 0x00 ‖ header`,
//! definition, inputs, receipts, records). Each attack is a file an
//! attacker could publish: a changed signature, a header signed over a
//! wrong root, a result signed by a fresh key, S ≥ ℓ, a small-order key,
//! and a browser without Ed25519. The page must never say "Included" for
//! any of them. Skipped (with a message) where the tools are missing,
//! except in CI.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ed25519_dalek::{Signer, SigningKey};
use rand::SeedableRng;
use serde_json::{json, Value};
use sha2::{Digest, Sha256, Sha512};
use votekiosk::canonical::to_canonical_string;
use votekiosk::export::{html, merkle};
use votekiosk::receipt::{KeyFingerprint, ReceiptId};
use votekiosk::signed;

// ---- signed files, as docs/formats.md lays them out -----------------------

/// The fixture office signing key (`support::OFFICE_SIGNING_SECRET`, the
/// test definition's `office.signing`).
fn office_key() -> SigningKey {
    let mut seed = [0u8; 32];
    hex::decode_to_slice(crate::support::OFFICE_SIGNING_SECRET, &mut seed).expect("seed");
    SigningKey::from_bytes(&seed)
}

fn station_key() -> SigningKey {
    SigningKey::from_bytes(&[0x11; 32])
}

/// The test election's definition line: its canonical form, whose SHA-256
/// is the definition hash, naming the fixture office signing key.
fn definition_line() -> String {
    let definition = crate::support::definition();
    assert_eq!(
        definition.office.signing.public_key,
        office_key().verifying_key().to_bytes(),
        "the fixture office key signs for the test definition"
    );
    definition.canonical_json().to_string()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The message a v2 signature covers (`signed::message`, the verifier's).
fn message(header: &str) -> Vec<u8> {
    let m = signed::message(header.as_bytes());
    assert_eq!(
        m,
        [b"votekiosk-signature/2\0".as_slice(), header.as_bytes()].concat()
    );
    m
}

fn signature_line(public_key: &[u8; 32], value: &[u8; 64]) -> String {
    to_canonical_string(&json!({
        "algorithm": "ed25519",
        "public_key": hex::encode(public_key),
        "value": hex::encode(value),
    }))
}

fn receipts(seed: u64, n: usize) -> Vec<String> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut ids: Vec<String> = (0..n)
        .map(|_| ReceiptId::random(&mut rng).as_str().to_string())
        .collect();
    ids.sort();
    ids
}

/// A signed file: its header (a JSON object), signer and sections.
struct SignedFile {
    header: Value,
    /// Signs the header; `None` leaves `signature` as set.
    signer: Option<SigningKey>,
    signature: Option<(Vec<u8>, Vec<u8>)>,
    inputs: Vec<String>,
    receipts: Vec<String>,
}

const RECORD: &str =
    r#"{"id":"00112233445566778899aabbccddeeff","selections":{"mayor":["records-are-never-embedded"]}}"#;

impl SignedFile {
    /// A station's result over `receipts`, signed by `key`.
    fn result(key: &SigningKey, receipts: Vec<String>) -> SignedFile {
        let public = key.verifying_key().to_bytes();
        let definition = definition_line();
        let header = json!({
            "format": "votekiosk-result/2",
            "test": false,
            "mode": "closed",
            "definition_hash": sha256_hex(definition.as_bytes()),
            "demo": false,
            "station": {
                "id": "RIVERSIDE-01",
                "public_key": hex::encode(public),
                "fingerprint": KeyFingerprint::of(&public).grouped(),
            },
            "counted_by": {"role": "station"},
            "receipts": {"count": receipts.len(), "merkle_root": hex::encode(merkle::root(&receipts))},
            "records": {"count": 1, "sha512": hex::encode(Sha512::digest(format!("{RECORD}\n")))},
        });
        SignedFile {
            header,
            signer: Some(key.clone()),
            signature: None,
            inputs: Vec::new(),
            receipts,
        }
    }

    /// The office's combined result of `stations` (public keys), signed by
    /// the office key.
    fn merge(stations: &[[u8; 32]], receipts: Vec<String>) -> SignedFile {
        let definition = definition_line();
        let mut inputs: Vec<String> = stations
            .iter()
            .enumerate()
            .map(|(i, key)| {
                to_canonical_string(&json!({
                    "kind": "station",
                    "station_id": format!("K{i}"),
                    "public_key": hex::encode(key),
                    "counted_by": {"role": "station"},
                    "sha256": sha256_hex(key),
                    "ballots": 1,
                }))
            })
            .collect();
        inputs.sort_by_key(|line| serde_json::from_str::<Value>(line).expect("json")["sha256"].to_string());
        let section: String = inputs.iter().map(|l| format!("{l}\n")).collect();
        let header = json!({
            "format": "votekiosk-merge/2",
            "definition_hash": sha256_hex(definition.as_bytes()),
            "demo": false,
            "inputs": {"count": inputs.len(), "sha512": hex::encode(Sha512::digest(section.as_bytes()))},
            "receipts": {"count": receipts.len(), "merkle_root": hex::encode(merkle::root(&receipts))},
            "records": {"count": 1, "sha512": hex::encode(Sha512::digest(format!("{RECORD}\n")))},
        });
        SignedFile {
            header,
            signer: Some(office_key()),
            signature: None,
            inputs,
            receipts,
        }
    }

    /// The file's bytes.
    fn bytes(&self) -> Vec<u8> {
        let header = String::from_utf8(signed::line(&self.header)).expect("utf-8");
        let header = header.trim_end_matches('\n').to_string();
        let signature = match (&self.signer, &self.signature) {
            (_, Some((public, value))) => {
                let public: [u8; 32] = public.as_slice().try_into().expect("32 bytes");
                let value: [u8; 64] = value.as_slice().try_into().expect("64 bytes");
                signature_line(&public, &value)
            }
            (Some(key), None) => {
                // The writer's own signature line (crate::signed), which the
                // command-line verifier accepts.
                let value = signed::sign(key, header.as_bytes());
                let public = key.verifying_key().to_bytes();
                assert_eq!(
                    signed::verify(header.as_bytes(), &value, Some(&public)).expect("signed"),
                    public
                );
                let line = String::from_utf8(signed::line(&value)).expect("utf-8");
                line.trim_end_matches('\n').to_string()
            }
            (None, None) => panic!("a file needs a signer or a signature"),
        };
        let mut out = format!("{header}\n{signature}\n{}\n", definition_line());
        for line in &self.inputs {
            out.push_str(line);
            out.push('\n');
        }
        for id in &self.receipts {
            out.push_str(&format!("\"{id}\"\n"));
        }
        out.push_str(RECORD);
        out.push('\n');
        out.into_bytes()
    }

    /// Writes its verify.html into `dir` as `name`.
    fn page(&self, dir: &Path, name: &str) -> PathBuf {
        let bytes = self.bytes();
        let page = html::verify_page(&mut bytes.as_slice()).expect("verify page");
        assert!(
            !page.contains("records-are-never-embedded"),
            "a record in the page"
        );
        let path = dir.join(name);
        std::fs::write(&path, page).expect("write page");
        path
    }
}

fn vk2(public: &[u8; 32], id: &str) -> String {
    format!(
        "VK2:{}:{}:{id}",
        &sha256_hex(definition_line().as_bytes())[..32],
        KeyFingerprint::of(public).to_hex()
    )
}

// ---- a WebDriver client, just enough for these tests ----------------------

fn tool(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// WebKitGTK's MiniBrowser (Debian: package libwebkit2gtk-4.1-0).
fn minibrowser() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("VOTEKIOSK_MINIBROWSER") {
        return Some(PathBuf::from(path));
    }
    let lib = Path::new("/usr/lib");
    let mut dirs = vec![lib.to_path_buf()];
    if let Ok(entries) = std::fs::read_dir(lib) {
        dirs.extend(entries.flatten().map(|e| e.path()));
    }
    dirs.into_iter()
        .map(|d| d.join("webkit2gtk-4.1/MiniBrowser"))
        .find(|p| p.is_file())
}

/// Whether the tools exist. In CI their absence is a failure.
fn tools() -> Option<PathBuf> {
    let browser = minibrowser();
    let mut missing = Vec::new();
    for name in ["Xvfb", "WebKitWebDriver"] {
        if tool(name).is_none() {
            missing.push(name);
        }
    }
    if browser.is_none() {
        missing.push("MiniBrowser");
    }
    if missing.is_empty() {
        return browser;
    }
    let msg = format!(
        "verify.html tests need {} (run scripts/setup)",
        missing.join(", ")
    );
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{msg}");
    }
    eprintln!("SKIPPED: {msg}");
    None
}

struct Browser {
    port: u16,
    session: String,
    xvfb: Child,
    driver: Child,
    _home: tempfile::TempDir,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// One HTTP/1.1 exchange with the driver on loopback; the JSON `value`.
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .map_err(|e| e.to_string())?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .map_err(|e| e.to_string())?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).map_err(|e| e.to_string())?;
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no HTTP header")?;
    let head = String::from_utf8_lossy(&response[..split]).to_ascii_lowercase();
    let mut payload = response[split + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        payload = unchunk(&payload);
    }
    let value: Value = serde_json::from_slice(&payload)
        .map_err(|e| format!("{e}: {}", String::from_utf8_lossy(&payload)))?;
    let value = value["value"].clone();
    if value.get("error").is_some() {
        return Err(value.to_string());
    }
    Ok(value)
}

fn unchunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&data[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 2 + size + 2..];
    }
    out
}

impl Browser {
    fn start(minibrowser: &Path) -> Browser {
        let home = tempfile::tempdir().expect("home");
        let mut xvfb = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1024x768x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb");
        let display = {
            use std::io::BufRead;
            let mut line = String::new();
            std::io::BufReader::new(xvfb.stdout.take().expect("stdout"))
                .read_line(&mut line)
                .expect("Xvfb's display");
            line.trim().to_string()
        };
        let port = free_port();
        let driver = Command::new("WebKitWebDriver")
            .arg(format!("--port={port}"))
            .env("DISPLAY", format!(":{display}"))
            .env("HOME", home.path())
            .env("XDG_RUNTIME_DIR", home.path())
            .env("XDG_DATA_HOME", home.path())
            .env("XDG_CACHE_HOME", home.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start WebKitWebDriver");
        let caps = json!({"capabilities": {"alwaysMatch": {"webkitgtk:browserOptions": {
            "binary": minibrowser, "args": ["--automation"]
        }}}});
        let started = Instant::now();
        let session = loop {
            match http(port, "POST", "/session", Some(&caps)) {
                Ok(v) => break v["sessionId"].as_str().expect("session id").to_string(),
                Err(e) if started.elapsed() < Duration::from_secs(30) => {
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(e) => panic!("no WebDriver session: {e}"),
            }
        };
        Browser {
            port,
            session,
            xvfb,
            driver,
            _home: home,
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        http(self.port, method, &path, body.as_ref()).unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    fn open(&self, page: &Path, fragment: Option<&str>) {
        let mut url = format!("file://{}", page.display());
        if let Some(f) = fragment {
            // A new document, not a fragment change of the one shown.
            self.call("POST", "/url", Some(json!({"url": "about:blank"})));
            url.push('#');
            url.push_str(f);
        }
        self.call("POST", "/url", Some(json!({"url": url})));
    }

    fn js(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    /// Runs `body` (an async function body) and returns what it returns.
    fn js_async(&self, body: &str) -> Value {
        let script = format!(
            "var done = arguments[arguments.length - 1]; (async () => {{ {body} }})().then(done, e => done('threw ' + e));"
        );
        self.call(
            "POST",
            "/execute/async",
            Some(json!({"script": script, "args": []})),
        )
    }

    /// Saves what the page shows as `target/verify-page-shots/<name>.png`.
    fn shot(&self, name: &str) {
        // Two frames, so the picture shows what the page holds now.
        self.js_async(
            "await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))); return null;",
        );
        std::thread::sleep(Duration::from_millis(300));
        let png = self.call("GET", "/screenshot", None);
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/verify-page-shots");
        std::fs::create_dir_all(&dir).expect("shots dir");
        let bytes = base64_decode(png.as_str().expect("base64 PNG"));
        std::fs::write(dir.join(format!("{name}.png")), bytes).expect("write shot");
    }

    /// Types `text` into the receipt box and presses Enter, as a voter
    /// does; returns the answer once the page has one.
    fn check(&self, text: &str) -> Answer {
        let found = self.call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": "#receipt"})),
        );
        let id = found
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .expect("element id")
            .to_string();
        self.call("POST", &format!("/element/{id}/clear"), Some(json!({})));
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({"text": format!("{text}\u{E007}")})),
        );
        self.answer()
    }

    /// The answer, once it is not "checking".
    fn answer(&self) -> Answer {
        let started = Instant::now();
        loop {
            let v = self.js(
                "var a = document.getElementById('answer'); return [a.dataset.outcome || '', a.textContent, \
                 Array.from(a.querySelectorAll('p')).map(p => p.className + '|' + getComputedStyle(p).color)];",
            );
            let outcome = v[0].as_str().unwrap_or("").to_string();
            if !outcome.is_empty() && outcome != "checking" {
                return Answer {
                    outcome,
                    text: v[1].as_str().unwrap_or("").to_string(),
                    styles: v[2]
                        .as_array()
                        .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
                        .unwrap_or_default(),
                };
            }
            assert!(started.elapsed() < Duration::from_secs(30), "no answer: {v}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = http(self.port, "DELETE", &format!("/session/{}", self.session), None);
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = self.xvfb.kill();
        let _ = self.xvfb.wait();
    }
}

#[derive(Debug)]
struct Answer {
    outcome: String,
    text: String,
    /// `class|computed colour` of each paragraph of the answer.
    styles: Vec<String>,
}

impl Answer {
    fn refused(&self, outcome: &str, says: &str) {
        assert_eq!(self.outcome, outcome, "{self:?}");
        assert!(self.text.contains(says), "{says:?} not in {self:?}");
        assert!(
            !self.text.contains("Included") && !self.text.contains("Not found"),
            "an answer after a failed check: {self:?}"
        );
    }
}

const RED: &str = "rgb(161, 27, 27)";

// ---- the tests -----------------------------------------------------------

/// RFC 8032 §7.1, test 1: the page's own Ed25519 check (WebCrypto behind the
/// page's S and small-order checks) accepts it, and rejects it with one
/// bit of the message or the signature changed.
const RFC8032_1_KEY: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
const RFC8032_1_SIG: &str = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

#[test]
fn verify_html_in_webkit() {
    let Some(minibrowser) = tools() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let browser = Browser::start(&minibrowser);
    let station = station_key();
    let station_public = station.verifying_key().to_bytes();
    let ids = receipts(1, 40);
    let honest = SignedFile::result(&station, ids.clone());
    let page = honest.page(dir.path(), "verify.html");

    // RFC 8032 test vector 1 through the page's verify function.
    browser.open(&page, None);
    let verdict = |message: &str, signature: &str| {
        browser.js_async(&format!(
            "return await window.votekioskVerify.ed25519('{RFC8032_1_KEY}', '{signature}', '{message}');"
        ))
    };
    assert_eq!(verdict("", RFC8032_1_SIG), "valid", "RFC 8032 test 1");
    assert_eq!(verdict("00", RFC8032_1_SIG), "invalid", "another message");
    let mut flipped = RFC8032_1_SIG.to_string();
    flipped.replace_range(0..1, "f");
    assert_eq!(verdict("", &flipped), "invalid", "another signature");

    // The honest result: the scanned receipt's key matches, and it is included.
    let answer = browser.check(&vk2(&station_public, &ids[7]));
    assert_eq!(answer.outcome, "included", "{answer:?}");
    assert!(answer.text.contains("matches your receipt"), "{answer:?}");
    assert!(answer
        .text
        .contains(&KeyFingerprint::of(&station_public).grouped()));
    assert!(answer.text.contains(&format!("Included: receipt {}", ids[7])));
    browser.shot("included");
    // A receipt of this kiosk that is not in the result.
    let missing = receipts(2, 1).remove(0);
    let answer = browser.check(&vk2(&station_public, &missing));
    assert_eq!(answer.outcome, "not-found", "{answer:?}");
    assert!(answer.text.contains("Not found"));
    // Typed: the page shows the key and asks the voter to compare.
    let answer = browser.check(&ids[0].to_lowercase().replace('-', " "));
    assert_eq!(answer.outcome, "included", "{answer:?}");
    assert!(answer.text.contains(&format!(
        "Compare this station key with the one printed on your receipt: {}",
        KeyFingerprint::of(&station_public).grouped()
    )));
    // Another election's receipt.
    let other = format!(
        "VK2:{}:{}:{}",
        "0".repeat(32),
        KeyFingerprint::of(&station_public).to_hex(),
        ids[0]
    );
    browser
        .check(&other)
        .refused("other-election", "another election");
    // From the URL fragment, as a QR with the verification URL opens it.
    browser.open(&page, Some(&vk2(&station_public, &ids[3])));
    assert_eq!(browser.answer().outcome, "included");

    // Attack: the signature changed by one bit.
    let mut forged = SignedFile::result(&station, ids.clone());
    let header = to_canonical_string(&forged.header);
    let mut value = station.sign(&message(&header)).to_bytes().to_vec();
    value[5] ^= 1;
    forged.signature = Some((station_public.to_vec(), value));
    browser.open(&forged.page(dir.path(), "bad-signature.html"), None);
    browser
        .check(&vk2(&station_public, &ids[7]))
        .refused("bad-signature", "does not verify");

    // Attack: a receipt dropped, the header signed over the wrong root (it
    // takes the station key: the page still refuses the root).
    let mut fewer = ids.clone();
    let dropped = fewer.remove(7);
    let mut wrong_root = SignedFile::result(&station, fewer);
    wrong_root.header["receipts"]["merkle_root"] = json!(hex::encode(merkle::root(&ids)));
    browser.open(&wrong_root.page(dir.path(), "bad-root.html"), None);
    browser
        .check(&vk2(&station_public, &dropped))
        .refused("bad-root", "Merkle root");

    // Attack: a result re-signed by a fresh key (the attacker's). It verifies
    // under its own key, but the receipt names the kiosk's: red.
    let fresh = SigningKey::from_bytes(&[0x22; 32]);
    let resigned = SignedFile::result(&fresh, ids.clone());
    browser.open(&resigned.page(dir.path(), "fresh-key.html"), None);
    let answer = browser.check(&vk2(&station_public, &ids[7]));
    answer.refused(
        "key-mismatch",
        "does not match your receipt: this result was not signed by your kiosk",
    );
    assert!(
        answer
            .styles
            .iter()
            .any(|s| s.starts_with("bad|") && s.ends_with(RED)),
        "the mismatch is red: {answer:?}"
    );
    browser.shot("key-mismatch");

    // Attack: S + ℓ (the same point equation, a non-canonical S).
    let mut malleable = SignedFile::result(&station, ids.clone());
    let header = to_canonical_string(&malleable.header);
    let value = station.sign(&message(&header)).to_bytes();
    malleable.signature = Some((station_public.to_vec(), add_order(&value)));
    browser.open(&malleable.page(dir.path(), "s-above-order.html"), None);
    browser
        .check(&vk2(&station_public, &ids[7]))
        .refused("bad-scalar", "strict form");

    // Attack: the identity as the public key and R, S = 0: it satisfies the
    // verification equation for every message (docs/formats.md §10).
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let mut weak = SignedFile::result(&station, ids.clone());
    weak.header["station"]["public_key"] = json!(hex::encode(identity));
    let mut value = vec![0u8; 64];
    value[0] = 1;
    weak.signature = Some((identity.to_vec(), value));
    browser.open(&weak.page(dir.path(), "small-order.html"), None);
    browser
        .check(&vk2(&identity, &ids[7]))
        .refused("weak-key", "weak key");

    // A browser without WebCrypto's Ed25519: no answer at all.
    browser.open(&page, None);
    assert_eq!(
        browser.js("delete Crypto.prototype.subtle; return typeof window.crypto.subtle;"),
        "undefined"
    );
    let answer = browser.check(&vk2(&station_public, &ids[7]));
    answer.refused(
        "cannot-check",
        "This browser cannot check the signature; no answer is given. Use votekiosk receipt verify.",
    );

    // The Merkle vectors of docs/formats.md §10: the page's tree is that one.
    let vectors: Vec<String> = ["1111", "2222", "3333"]
        .iter()
        .map(|g| [*g; 4].join("-"))
        .collect();
    let small = SignedFile::result(&station, vectors.clone());
    assert_eq!(
        small.header["receipts"]["merkle_root"],
        "e4ed67713e9900b63aaf4b28f78a7785cdeef0e6a4b97f7a280ca3b468ab4364"
    );
    browser.open(&small.page(dir.path(), "vectors.html"), None);
    for id in &vectors {
        assert_eq!(browser.check(&vk2(&station_public, id)).outcome, "included");
    }
    // Every size of tree up to 33 leaves, against merkle.rs.
    for n in [0usize, 1, 2, 5, 8, 9, 17, 33] {
        let ids = receipts(100 + n as u64, n);
        let file = SignedFile::result(&station, ids.clone());
        browser.open(&file.page(dir.path(), &format!("n{n}.html")), None);
        let probe = ids.first().cloned().unwrap_or_else(|| missing.clone());
        let answer = browser.check(&vk2(&station_public, &probe));
        let expected = if n == 0 { "not-found" } else { "included" };
        assert_eq!(answer.outcome, expected, "{n} receipts: {answer:?}");
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=') {
        let v = ALPHABET.iter().position(|a| *a == c).expect("base64") as u32;
        acc = acc << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// `signature` with S replaced by S + ℓ (little-endian addition).
fn add_order(signature: &[u8; 64]) -> Vec<u8> {
    const ORDER: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut out = signature.to_vec();
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(out[32 + i]) + u16::from(ORDER[i]) + carry;
        out[32 + i] = sum as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0, "S + ℓ fits in 32 bytes");
    out
}

/// A combined result, signed by the office key of the definition: a receipt
/// of one of its stations is included; one whose station key is not among
/// the inputs gets the red answer; a merge signed by another key is refused.
#[test]
fn verify_html_checks_a_combined_result_against_its_inputs() {
    let Some(minibrowser) = tools() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let browser = Browser::start(&minibrowser);
    let a = station_key().verifying_key().to_bytes();
    let b = SigningKey::from_bytes(&[0x33; 32]).verifying_key().to_bytes();
    let outsider = SigningKey::from_bytes(&[0x44; 32]).verifying_key().to_bytes();
    let ids = receipts(3, 12);
    let merge = SignedFile::merge(&[a, b], ids.clone());
    browser.open(&merge.page(dir.path(), "merge.html"), None);
    let answer = browser.check(&vk2(&b, &ids[4]));
    assert_eq!(answer.outcome, "included", "{answer:?}");
    assert!(answer.text.contains("Signed by the election office key"));
    assert!(answer
        .text
        .contains(&KeyFingerprint::of(&office_key().verifying_key().to_bytes()).grouped()));
    assert!(answer.text.contains("is one of the 2 stations"), "{answer:?}");
    let answer = browser.check(&vk2(&outsider, &ids[4]));
    answer.refused("not-input", "this result does not include your kiosk");
    assert!(answer
        .styles
        .iter()
        .any(|s| s.starts_with("bad|") && s.ends_with(RED)));

    // Attack: the same merge signed by a station key instead of the office's.
    let mut forged = SignedFile::merge(&[a, b], ids.clone());
    forged.signer = Some(station_key());
    browser.open(&forged.page(dir.path(), "merge-forged.html"), None);
    browser
        .check(&vk2(&b, &ids[4]))
        .refused("wrong-signer", "not signed by the key it names");
}

/// The page speaks the app's languages (en, es): both tables have the same
/// keys, a button switches, the answer follows, and every control is
/// labelled and reachable from the keyboard.
#[test]
fn verify_html_is_accessible_in_english_and_spanish() {
    let Some(minibrowser) = tools() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let browser = Browser::start(&minibrowser);
    let station = station_key();
    let public = station.verifying_key().to_bytes();
    let ids = receipts(4, 5);
    let page = SignedFile::result(&station, ids.clone()).page(dir.path(), "verify.html");
    browser.open(&page, None);
    let same_keys = browser.js("var s = window.votekioskVerify.strings; \
         return JSON.stringify(Object.keys(s.en).sort()) === JSON.stringify(Object.keys(s.es).sort());");
    assert_eq!(same_keys, true, "en and es have the same keys");
    let form = browser.js("var i = document.getElementById('receipt'); \
         return [document.activeElement === i, document.querySelector('label[for=receipt]').textContent, \
                 document.getElementById('answer').getAttribute('aria-live'), \
                 document.getElementById('answer').getAttribute('role'), document.documentElement.lang];");
    assert_eq!(form[0], true, "the receipt box has the focus");
    assert_eq!(form[1], "Receipt code");
    assert_eq!(form[2], "polite");
    assert_eq!(form[3], "status");
    assert_eq!(form[4], "en");
    let answer = browser.check(&vk2(&public, &ids[1]));
    assert_eq!(answer.outcome, "included");
    browser.js("document.querySelector('#languages button[data-lang=es]').click(); return null;");
    let answer = browser.answer();
    browser.shot("included-es");
    assert!(answer.text.contains("Incluido: el recibo"), "{answer:?}");
    assert!(answer.text.contains("coincide con su recibo"), "{answer:?}");
    let spanish = browser.js(
        "return [document.documentElement.lang, document.querySelector('label[for=receipt]').textContent, \
         document.getElementById('check').textContent];",
    );
    assert_eq!(spanish, json!(["es", "Código del recibo", "Comprobar"]));
}
