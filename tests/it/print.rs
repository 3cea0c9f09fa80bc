//! Printed documents through a real renderer and a real decoder: every PDF
//! is rasterised by `pdftoppm` and every QR on it read back by `zbarimg`;
//! text is checked with `pdftotext`. Also the printers: a CUPS-PDF queue
//! (in CI), an unknown queue, a fake `lp`, the folder printer; the reprint
//! of the session's last receipt and the printer setting.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use rand::SeedableRng;
use votekiosk::definition::LangCode;
use votekiosk::print::{
    code_slips, code_slips_in, receipt_slip, sample_receipt, CodeSlipLayout, FolderPrinter, LpPrinter,
    PrintOutcome, Printer, SlipKind,
};
use votekiosk::{receipt, CastReceipt, Error, ReceiptStatus, Station, VoterCode};

use crate::card_print::reading;
use crate::support::{definition_value, full_ballot, key, sel, snapshot, Fixture, STATION_ID};

// ---- helpers -------------------------------------------------------------

/// Rasterises every page of `pdf` at `dpi`; returns the PNGs in page order.
fn render(pdf: &Path, dpi: u32) -> Vec<PathBuf> {
    let prefix = pdf.with_extension("");
    let out = Command::new("pdftoppm")
        .args(["-r", &dpi.to_string(), "-png"])
        .arg(pdf)
        .arg(&prefix)
        .output()
        .expect("run pdftoppm (Debian package poppler-utils; scripts/setup installs it)");
    assert!(
        out.status.success(),
        "pdftoppm {}: {}",
        pdf.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let stem = prefix
        .file_name()
        .and_then(|s| s.to_str())
        .expect("stem")
        .to_string();
    let mut pages: Vec<PathBuf> = fs::read_dir(pdf.parent().expect("dir"))
        .expect("read dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            let name = p.file_name().and_then(|s| s.to_str()).unwrap_or("");
            name.starts_with(&format!("{stem}-")) && name.ends_with(".png")
        })
        .collect();
    pages.sort();
    assert!(!pages.is_empty(), "pdftoppm made no page for {}", pdf.display());
    pages
}

/// Every QR symbol zbarimg finds in `png`.
/// Renders one region of page `page` (1-based) of `pdf`, `x`, `y`, `w`, `h`
/// in millimetres from the top left, as a PNG at `dpi`: what a scanner sees
/// of one slip once the sheet is cut.
fn render_region(pdf: &Path, page: usize, dpi: u32, [x, y, w, h]: [f64; 4], out: &Path) -> PathBuf {
    let px = |mm: f64| ((mm / 25.4 * f64::from(dpi)).round() as i64).to_string();
    let page = page.to_string();
    let status = Command::new("pdftoppm")
        .args([
            "-r",
            &dpi.to_string(),
            "-png",
            "-singlefile",
            "-f",
            &page,
            "-l",
            &page,
        ])
        .args(["-x", &px(x), "-y", &px(y), "-W", &px(w), "-H", &px(h)])
        .arg(pdf)
        .arg(out)
        .status()
        .expect("run pdftoppm (poppler-utils)");
    assert!(status.success(), "pdftoppm region of {}", pdf.display());
    out.with_extension("png")
}

fn decode(png: &Path) -> Vec<String> {
    let out = Command::new("zbarimg")
        .args(["--raw", "-q", "-Sdisable", "-Sqrcode.enable"])
        .arg(png)
        .output()
        .expect("run zbarimg (Debian package zbar-tools; scripts/setup installs it)");
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// The text of `pdf`, by pdftotext (layout kept).
fn text_of(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run pdftotext (poppler-utils)");
    assert!(out.status.success(), "pdftotext {}", pdf.display());
    String::from_utf8(out.stdout).expect("utf-8")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, bytes).expect("write pdf");
    path
}

/// Runs `f` over `items` on a few threads (pdftoppm is the slow part).
fn parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(2, 8);
    let chunk = items.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(|| part.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker"))
            .collect()
    })
}

/// Every candidate name of the definition, in every language.
fn candidate_names(station: &Station) -> BTreeSet<String> {
    station
        .definition()
        .contests
        .iter()
        .flat_map(|c| c.kind.candidates())
        .flat_map(|c| c.name.iter().map(|(_, n)| n.to_string()).collect::<Vec<_>>())
        .collect()
}

fn lang(code: &str) -> LangCode {
    let def = crate::support::definition();
    def.languages
        .iter()
        .find(|l| l.code.as_str() == code)
        .expect("language")
        .code
        .clone()
}

/// Collapses runs of whitespace (pdftotext spaces words out in -layout).
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---- receipts --------------------------------------------------------------

struct Slip {
    cast: CastReceipt,
    kind: SlipKind,
    language: &'static str,
    pdf: PathBuf,
}

#[test]
fn fifty_receipts_round_trip_through_pdftoppm_and_zbarimg() {
    let mut f = Fixture::seeded(4);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut slips = Vec::new();
    let slip = |f: &mut Fixture, cast: CastReceipt, kind: SlipKind, n: usize| {
        let language = if n.is_multiple_of(3) { "es" } else { "en" };
        let bytes =
            receipt_slip(f.station.definition(), STATION_ID, &lang(language), &cast, kind).expect("slip");
        let pdf = write(dir.path(), &format!("receipt-{n:02}.pdf"), &bytes);
        Slip {
            cast,
            kind,
            language,
            pdf,
        }
    };

    // Logic-and-accuracy testing: test receipts, some reprinted. They are
    // checked before the polls open (which deletes test ballots).
    let admin = f.admin();
    f.station.enter_test_mode(&admin).expect("test mode");
    let codes = f.codes(10);
    for (i, code) in codes.iter().enumerate() {
        let cast = f.station.cast_ballot(code, &full_ballot(), &key()).expect("cast");
        assert!(cast.test);
        let n = slips.len();
        slips.push(slip(&mut f, cast, SlipKind::Original, n));
        if i % 3 == 0 {
            let worker = f.worker();
            let again = f.station.reprint_last_receipt(&worker).expect("reprint");
            let n = slips.len();
            slips.push(slip(&mut f, again, SlipKind::Reprint, n));
        }
    }
    check_receipts(&f.station, &slips);
    let test_slips = slips.len();

    f.open();
    let codes = f.codes(50 - test_slips - 4);
    for (i, code) in codes.iter().enumerate() {
        let cast = f.station.cast_ballot(code, &full_ballot(), &key()).expect("cast");
        assert!(!cast.test);
        let n = slips.len();
        slips.push(slip(&mut f, cast, SlipKind::Original, n));
        if i % 8 == 0 {
            let worker = f.worker();
            let again = f.station.reprint_last_receipt(&worker).expect("reprint");
            let n = slips.len();
            slips.push(slip(&mut f, again, SlipKind::Reprint, n));
        }
    }
    assert_eq!(slips.len(), 50, "fifty slips in all");
    check_receipts(&f.station, &slips[test_slips..]);
    assert!(slips.iter().any(|s| s.kind == SlipKind::Reprint && s.cast.test));
    assert!(slips.iter().any(|s| s.kind == SlipKind::Reprint && !s.cast.test));
}

fn check_receipts(station: &Station, slips: &[Slip]) {
    let names = candidate_names(station);
    let hash = station.definition().hash().to_hex();
    let election = receipt::group_hex(&hash[..32]);
    let key = receipt::KeyFingerprint::of(&station.public_key().expect("key"));
    let decoded = parallel(slips, |s| {
        let pages = render(&s.pdf, 200);
        assert_eq!(pages.len(), 1, "a receipt is one page");
        (decode(&pages[0]), text_of(&s.pdf))
    });
    for (s, (payloads, text)) in slips.iter().zip(decoded) {
        let name = s.pdf.display();
        assert_eq!(
            payloads,
            vec![s.cast.payload.clone()],
            "{name}: exactly the receipt's QR"
        );
        let parsed = receipt::parse(&payloads[0]).expect("decoded payload parses");
        assert_eq!(parsed.id, s.cast.receipt, "{name}");
        assert_eq!(
            payloads[0],
            format!("VK2:{}:{}:{}", &hash[..32], key.to_hex(), s.cast.receipt),
            "{name}: a v2 payload with the election and the station key"
        );
        assert_eq!(parsed.station_key, Some(key), "{name}");
        assert_eq!(
            station.check_receipt(&payloads[0]).expect("check"),
            ReceiptStatus::Recorded { test: s.cast.test },
            "{name}: the station finds the ballot's receipt"
        );
        let flat = squash(&text);
        assert!(flat.contains(&election), "{name}: election part, grouped");
        let grouped = key.grouped();
        let (first, second) = grouped.split_at(19);
        assert!(
            flat.contains(first) && flat.contains(second.trim()),
            "{name}: the station key in 8 groups (two lines of 4): {flat}"
        );
        let key_label = if s.language == "es" {
            "Clave de la estación"
        } else {
            "Station key"
        };
        assert!(flat.contains(key_label), "{name}: {key_label}");
        assert!(flat.contains("RIVERSIDE-01"), "{name}: station id");
        let date = if s.language == "es" {
            "3 de noviembre de 2026"
        } else {
            "3 November 2026"
        };
        assert!(
            flat.contains(date),
            "{name}: election date in the voter's language: {flat}"
        );
        for group in s.cast.receipt.as_str().split('-') {
            assert!(flat.contains(group), "{name}: receipt id group {group}");
        }
        assert_eq!(
            flat.contains("TEST BALLOT"),
            s.cast.test,
            "{name}: TEST iff a test ballot"
        );
        assert_eq!(
            flat.contains("REPRINT"),
            s.kind == SlipKind::Reprint,
            "{name}: REPRINT iff reprinted"
        );
        let title = if s.language == "es" {
            "Elección Municipal de Riverside"
        } else {
            "Riverside Municipal Election"
        };
        assert!(flat.contains(title), "{name}: title in the voter's language");
        for candidate in &names {
            assert!(
                !flat.contains(candidate.as_str()),
                "{name}: names candidate {candidate}"
            );
        }
        // The file's own dates say nothing either (the Unix epoch).
        let bytes = fs::read(&s.pdf).expect("pdf");
        let dates: Vec<&[u8]> = bytes
            .windows(17)
            .filter(|w| w.starts_with(b"(D:") && w[3..].iter().all(u8::is_ascii_digit))
            .collect();
        assert!(
            !dates.is_empty() && dates.iter().all(|w| w.starts_with(b"(D:1970")),
            "{name}: PDF dates"
        );
        // No time of day anywhere (hh:mm).
        assert!(
            !flat.as_bytes().windows(5).any(|w| w[0].is_ascii_digit()
                && w[1].is_ascii_digit()
                && w[2] == b':'
                && w[3].is_ascii_digit()
                && w[4].is_ascii_digit()),
            "{name}: a time of day"
        );
    }
}

#[test]
fn a_sample_slip_says_so_and_its_qr_decodes() {
    let f = Fixture::seeded(4);
    let dir = tempfile::tempdir().expect("tempdir");
    let def = f.station.definition();
    let key = receipt::KeyFingerprint::of(&f.station.public_key().expect("key"));
    let cast = sample_receipt(def, key, &mut rand::rngs::StdRng::seed_from_u64(4));
    let pdf = write(
        dir.path(),
        "sample.pdf",
        &receipt_slip(def, STATION_ID, def.default_language(), &cast, SlipKind::Sample).expect("slip"),
    );
    let pages = render(&pdf, 200);
    assert_eq!(decode(&pages[0]), vec![cast.payload.clone()]);
    assert!(squash(&text_of(&pdf)).contains("SAMPLE - NOT A RECEIPT"));
    assert_eq!(
        f.station.check_receipt(&cast.payload).expect("check"),
        ReceiptStatus::NotFound
    );
}

#[test]
fn a_receipt_with_a_verification_url_carries_it_in_the_qr() {
    let mut json = definition_value();
    let url = format!("https://riverside.example/verify/{}", "x".repeat(150));
    json["receipt_verification_url"] = serde_json::Value::String(url.clone());
    let def = votekiosk::ElectionDefinition::parse(json.to_string().as_bytes()).expect("definition");
    let key = receipt::KeyFingerprint::of(&[9; 32]);
    let cast = sample_receipt(&def, key, &mut rand::rngs::StdRng::seed_from_u64(5));
    assert!(cast.payload.starts_with(&format!("{url}#VK2:")));
    let dir = tempfile::tempdir().expect("tempdir");
    let pdf = write(
        dir.path(),
        "url.pdf",
        &receipt_slip(&def, STATION_ID, def.default_language(), &cast, SlipKind::Sample).expect("slip"),
    );
    let payloads = decode(&render(&pdf, 200)[0]);
    assert_eq!(payloads, vec![cast.payload.clone()]);
    assert_eq!(receipt::parse(&payloads[0]).expect("parse").id, cast.receipt);
    assert!(squash(&text_of(&pdf)).contains("Verify at: https://riverside.example/verify/"));
}

// ---- voter-code slips ------------------------------------------------------

#[test]
fn code_slips_decode_to_codes_that_cast() {
    let mut f = Fixture::seeded(4);
    f.open();
    let dir = tempfile::tempdir().expect("tempdir");
    let worker = f.worker();
    let batch = f.station.issue_codes(&worker, 13).expect("issue");
    let issued: BTreeSet<String> = batch.codes.iter().map(|c| c.display()).collect();
    let def = f.station.definition().clone();

    let a4 = write(
        dir.path(),
        "codes-a4.pdf",
        &code_slips(&def, STATION_ID, &batch, CodeSlipLayout::A4).expect("a4"),
    );
    let pages = render(&a4, 200);
    assert_eq!(
        pages.len(),
        2,
        "13 slips: ten on the first page, three on the second"
    );
    // Each slip is scanned on its own, as it is once the sheet is cut: one
    // 105 x 59.4 mm cell of the 2 x 5 grid, read row by row. (zbarimg on a
    // whole sheet of ten symbols misses one on about one sheet in eleven,
    // whatever the codes, while every cut slip reads: so the whole-sheet
    // count made this test fail by chance.)
    // Every cell of both sheets: the 13 slips, then the 7 empty cells of
    // the second sheet, which must hold no code.
    let cells: Vec<(usize, usize)> = (0..20).map(|i| (1 + i / 10, i % 10)).collect();
    let per_slip: Vec<Vec<String>> = parallel(&cells, |&(page, cell)| {
        let (row, col) = (cell / 2, cell % 2);
        let region = [col as f64 * 105.0, row as f64 * 59.4, 105.0, 59.4];
        let out = dir.path().join(format!("slip-{page}-{cell}"));
        decode(&render_region(&a4, page, 200, region, &out))
    });
    let (per_slip, empty) = per_slip.split_at(13);
    assert!(
        empty.iter().all(Vec::is_empty),
        "the rest of the second sheet is blank: {empty:?}"
    );
    let decoded: BTreeSet<String> = per_slip
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, mut payloads)| {
            assert_eq!(payloads.len(), 1, "slip {i} holds one readable QR code");
            let payload = payloads.remove(0);
            assert!(payload.starts_with("VKC1:"), "{payload}");
            VoterCode::parse(&payload).expect("a voter code").display()
        })
        .collect();
    assert_eq!(
        decoded, issued,
        "every slip's QR is one of the batch's codes, each once"
    );

    let text = squash(&text_of(&a4));
    assert!(text.contains(&format!("Batch {}", batch.batch)));
    for code in &issued {
        assert!(text.contains(code.as_str()), "code {code} in large type");
    }
    assert!(!text.contains("TEST CODE"));

    let roll = write(
        dir.path(),
        "codes-roll.pdf",
        &code_slips(&def, STATION_ID, &batch, CodeSlipLayout::Roll).expect("roll"),
    );
    let pages = render(&roll, 200);
    assert_eq!(pages.len(), 13, "one roll page per slip");
    let roll_codes: BTreeSet<String> = parallel(&pages, |p| decode(p))
        .into_iter()
        .map(|mut v| {
            assert_eq!(v.len(), 1);
            VoterCode::parse(&v.remove(0)).expect("code").display()
        })
        .collect();
    assert_eq!(roll_codes, issued);

    // A decoded code casts a ballot.
    let scanned = decoded.iter().next().expect("a code");
    let qr_text = format!("VKC1:{scanned}");
    let cast = f
        .station
        .cast_ballot(&qr_text, &full_ballot(), &key())
        .expect("cast with a scanned code");
    assert!(!cast.test);
}

#[test]
fn test_code_slips_are_marked_test() {
    let mut f = Fixture::seeded(4);
    let admin = f.admin();
    f.station.enter_test_mode(&admin).expect("test");
    let batch = f.station.issue_codes(&admin, 2).expect("issue");
    let dir = tempfile::tempdir().expect("tempdir");
    let def = f.station.definition().clone();
    for layout in [CodeSlipLayout::A4, CodeSlipLayout::Roll] {
        let pdf = write(
            dir.path(),
            "t.pdf",
            &code_slips(&def, STATION_ID, &batch, layout).expect("slips"),
        );
        assert!(squash(&text_of(&pdf)).contains("TEST CODE"), "{layout:?}");
    }
}

// ---- right to left, and the screen's words ----------------------------------

#[test]
fn an_arabic_receipt_is_shaped_right_to_left_and_its_qr_decodes() {
    let def = crate::card_print::arabic_definition();
    let ar = def.require_language("ar").expect("ar").clone();
    let key = receipt::KeyFingerprint::of(&[7; 32]);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    for (n, kind) in [SlipKind::Original, SlipKind::Reprint].into_iter().enumerate() {
        let cast = sample_receipt(&def, key, &mut rng);
        let pdf = write(
            dir.path(),
            &format!("receipt-ar-{n}.pdf"),
            &receipt_slip(&def, STATION_ID, &ar, &cast, kind).expect("slip"),
        );
        let pages = render(&pdf, 200);
        assert_eq!(pages.len(), 1);
        assert_eq!(decode(&pages[0]), vec![cast.payload.clone()], "the QR reads");
        let text = reading(&text_of(&pdf));
        for words in [
            "انتخابات ريفرسايد البلدية",
            "تجريبية",
            "إيصال الاقتراع",
            "التاريخ",
            "3 نوفمبر 2026",
            "المحطة",
            "مفتاح المحطة",
            "للتحقق من احتساب صوتك",
            "هذا الإيصال لا يبين كيف صوتت",
            "RIVERSIDE-01",
        ] {
            assert!(text.contains(&reading(words)), "{words:?} in {text}");
        }
        for group in cast.receipt.as_str().split('-') {
            assert!(text.contains(group), "receipt id group {group}");
        }
        assert_eq!(text.contains("REPRINT"), kind == SlipKind::Reprint, "{text}");
        assert_eq!(
            text.contains(&reading("إعادة طباعة")),
            kind == SlipKind::Reprint,
            "{text}"
        );
    }
}

#[test]
fn code_slips_print_in_the_chosen_language_right_to_left_and_decode() {
    let def = crate::card_print::arabic_definition();
    let ar = def.require_language("ar").expect("ar").clone();
    let mut rng = rand::rngs::StdRng::seed_from_u64(12);
    let batch = votekiosk::codes::IssuedBatch {
        batch: 7,
        test: true,
        codes: (0..3).map(|_| VoterCode::random(&mut rng)).collect(),
    };
    let issued: BTreeSet<String> = batch.codes.iter().map(|c| c.display()).collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let a4 = write(
        dir.path(),
        "codes-ar.pdf",
        &code_slips_in(&def, STATION_ID, &batch, CodeSlipLayout::A4, &ar).expect("a4"),
    );
    // Right to left: the first slip is the top right cell.
    let cells = [(1.0, 0.0), (0.0, 0.0), (1.0, 1.0), (0.0, 1.0)];
    let read: Vec<Vec<String>> = parallel(&cells, |&(col, row)| {
        let out = dir.path().join(format!("ar-{col}-{row}"));
        decode(&render_region(
            &a4,
            1,
            200,
            [col * 105.0, row * 59.4, 105.0, 59.4],
            &out,
        ))
    });
    assert_eq!(read[0], vec![batch.codes[0].qr_payload()], "slip 1 top right");
    assert_eq!(read[1], vec![batch.codes[1].qr_payload()], "slip 2 top left");
    assert_eq!(read[2], vec![batch.codes[2].qr_payload()], "slip 3 below slip 1");
    assert!(read[3].is_empty(), "no fourth slip");
    let text = reading(&text_of(&a4));
    for words in [
        "انتخابات ريفرسايد البلدية",
        "رمز الناخب",
        "يصلح مرة واحدة فقط",
        "الدفعة",
        "RIVERSIDE-01",
        "TEST CODE - TESTING ONLY",
    ] {
        assert!(text.contains(&reading(words)), "{words:?} in {text}");
    }
    for code in &issued {
        assert!(text.contains(code.as_str()), "{code} left to right");
    }
    let roll = write(
        dir.path(),
        "codes-ar-roll.pdf",
        &code_slips_in(&def, STATION_ID, &batch, CodeSlipLayout::Roll, &ar).expect("roll"),
    );
    let pages = render(&roll, 200);
    let decoded: BTreeSet<String> = parallel(&pages, |p| decode(p))
        .into_iter()
        .flatten()
        .map(|p| VoterCode::parse(&p).expect("code").display())
        .collect();
    assert_eq!(decoded, issued);
    // The default stays the election's first language.
    let en = write(
        dir.path(),
        "codes-en.pdf",
        &code_slips(&def, STATION_ID, &batch, CodeSlipLayout::Roll).expect("roll"),
    );
    let text = squash(&text_of(&en));
    assert!(text.contains("Voter code") && !text.contains("رمز"), "{text}");
}

/// The strings table of the screen for `lang` (`ui/js/strings/<lang>.js`),
/// key to text, or `None` when the table does not exist (yet).
fn screen_strings(lang: &str) -> Option<std::collections::BTreeMap<String, String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("ui/js/strings/{lang}.js"));
    let source = fs::read_to_string(path).ok()?;
    let mut table = std::collections::BTreeMap::new();
    for line in source.lines() {
        let line = line.trim();
        let Some((key, rest)) = line.split_once(": ") else {
            continue;
        };
        let rest = rest.trim_end_matches(',');
        for quote in ['\'', '"', '`'] {
            if rest.len() >= 2 && rest.starts_with(quote) && rest.ends_with(quote) {
                let text = rest[1..rest.len() - 1].replace(&format!("\\{quote}"), &quote.to_string());
                table.insert(key.to_string(), text);
            }
        }
    }
    Some(table)
}

#[test]
fn paper_says_what_the_screen_says() {
    use votekiosk::print::labels::labels;
    let def = crate::card_print::arabic_definition();
    let code_of = |code: &str| def.require_language(code).expect("language").clone();
    let mut checked = 0;
    for code in ["en", "es", "ar"] {
        let Some(screen) = screen_strings(code) else {
            // The Arabic screen table comes with the interface's Arabic.
            assert_eq!(code, "ar", "ui/js/strings/{code}.js is missing");
            continue;
        };
        let word = |key: &str| {
            screen
                .get(key)
                .unwrap_or_else(|| panic!("{code}.js has no {key}"))
                .clone()
        };
        let paper = labels(&code_of(code));
        assert_eq!(paper.receipt_id, word("receipt_id"), "{code}: receipt");
        assert_eq!(paper.voter_code, word("code_label"), "{code}: voter code");
        assert_eq!(paper.test_ballot, word("test_ballot"), "{code}: test ballot");
        assert_eq!(paper.yes, word("yes"), "{code}");
        assert_eq!(paper.no, word("no"), "{code}");
        assert!(
            paper.card_box.contains(&word("card_cast")),
            "{code}: the cast button's name"
        );
        assert!(
            paper.card_wrong.contains(&word("card_wrong")),
            "{code}: the wrong-card button's name"
        );
        assert!(
            paper
                .receipt
                .to_lowercase()
                .contains(&word("receipt_id").to_lowercase()),
            "{code}: the slip's title says receipt as the screen does"
        );
        checked += 1;
    }
    assert!(checked >= 2);
    // Spanish "receipt" is one word, "recibo", on paper as on screen.
    let es = labels(&code_of("es"));
    for text in [
        es.receipt,
        es.receipt_id,
        es.verify,
        es.no_choices,
        es.sample,
        es.card_secret,
    ] {
        assert!(!text.contains("omprobante"), "{text}");
    }
}

#[test]
fn both_reports_print_the_running_programs_version_commit_and_sha256() {
    use sha2::Digest;
    let exe = std::env::current_exe().expect("the test program");
    let sha = hex::encode(sha2::Sha256::digest(
        fs::read(&exe).expect("read the test program"),
    ));
    let f = closed_election();
    let dir = tempfile::tempdir().expect("tempdir");
    let zero = f
        .station
        .zero_report(crate::support::election_noon())
        .expect("zero");
    let results = f
        .station
        .results_report(crate::support::election_noon())
        .expect("results");
    for (name, bytes) in [
        ("zero", zero.to_pdf().expect("pdf")),
        ("results", results.to_pdf().expect("pdf")),
    ] {
        let text = squash(&text_of(&write(dir.path(), &format!("{name}.pdf"), &bytes)));
        assert!(
            text.contains(&format!("Program SHA-256 {sha}")),
            "{name}: the SHA-256 of the running program ({}): {text}",
            exe.display()
        );
        let sw = votekiosk::export::software();
        assert!(
            text.contains(&format!("Version votekiosk {}", env!("CARGO_PKG_VERSION"))),
            "{name}: {text}"
        );
        assert!(
            text.contains(&format!("Source commit {}", sw.commit)),
            "{name}: {text}"
        );
    }
}

// ---- reports ---------------------------------------------------------------

#[test]
fn zero_report_shows_the_definition_hash_zero_ballots_and_the_chain_head() {
    let mut f = Fixture::seeded(4);
    f.open();
    let dir = tempfile::tempdir().expect("tempdir");
    let report = f
        .station
        .zero_report(crate::support::election_noon())
        .expect("gather");
    let pdf = write(dir.path(), "zero.pdf", &report.to_pdf().expect("pdf"));
    let text = squash(&text_of(&pdf));
    let chain = f.station.verify_audit_chain().expect("chain");
    assert!(text.contains(&f.station.definition().hash().to_hex()), "{text}");
    assert!(text.contains(&chain.head), "chain head");
    assert!(text.contains("Official ballots in the station 0"), "{text}");
    assert!(text.contains("Mode open"));
    assert!(text.contains("RIVERSIDE-01"));
    let fingerprint = f
        .station
        .public_key_fingerprint()
        .expect("every new station has a signing key");
    assert!(
        squash(&text).contains(&squash(&fingerprint)),
        "the signing key's fingerprint: {text}"
    );
    assert!(!text.contains("no signing key yet"));
    assert!(
        text.contains("2026-11-03 12:00:00 (UTC-05:00)"),
        "printed time in the election's offset"
    );
    assert!(text.contains("Official 1") && text.contains("Official 2"));
    assert!(!text.contains("WARNING"));
    // One QR: the station's two keys, for the office.
    let closing = f
        .station
        .closing_key()
        .expect("closing key")
        .expect("the polls opened with a closing key");
    let qrs: Vec<String> = render(&pdf, 150).iter().flat_map(|p| decode(p)).collect();
    assert_eq!(
        qrs,
        vec![votekiosk::print::station_keys_payload(
            crate::support::STATION_ID,
            &f.station.public_key().expect("key"),
            &closing.public_key
        )]
    );
    assert!(
        text.contains(&hex::encode(closing.public_key)),
        "closing key in full"
    );
}

/// The office reads both station keys off the zero report: the QR holds the
/// station id and both public keys, and the text shows them in full and as
/// fingerprints. Without a closing key the report says so and has no QR.
#[test]
fn the_zero_report_prints_both_station_keys_in_full_and_in_one_qr() {
    let mut f = Fixture::seeded(4);
    f.open();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut report = f
        .station
        .zero_report(crate::support::election_noon())
        .expect("gather");
    let signing = f.station.public_key().expect("key");
    let signing_fp = receipt::KeyFingerprint::of(&signing);

    report.station.closing_public_key = None;
    let pdf = write(dir.path(), "no-closing.pdf", &report.to_pdf().expect("pdf"));
    let text = squash(&text_of(&pdf));
    assert!(
        text.contains(&hex::encode(signing)),
        "signing key in full: {text}"
    );
    assert!(text.contains(&signing_fp.grouped()), "its fingerprint");
    assert!(text.contains("no closing key yet"), "{text}");
    assert!(
        render(&pdf, 150).iter().all(|p| decode(p).is_empty()),
        "no QR without both keys"
    );

    let closing = [0x5a; 32];
    report.station.closing_public_key = Some(closing);
    let pdf = write(dir.path(), "zero.pdf", &report.to_pdf().expect("pdf"));
    let text = squash(&text_of(&pdf));
    assert!(
        text.contains(&hex::encode(signing)),
        "signing key in full: {text}"
    );
    assert!(text.contains(&hex::encode(closing)), "closing key in full");
    assert!(text.contains(&receipt::KeyFingerprint::of(&closing).grouped()));
    assert!(!text.contains("no closing key yet"));
    let qrs: Vec<String> = render(&pdf, 150).iter().flat_map(|p| decode(p)).collect();
    let expected = format!(
        "VKK2:RIVERSIDE-01:{}:{}",
        hex::encode(signing),
        hex::encode(closing)
    );
    assert_eq!(qrs, vec![expected.clone()], "one QR with both keys");
    assert_eq!(
        votekiosk::print::station_keys_payload("RIVERSIDE-01", &signing, &closing),
        expected
    );
}

#[test]
fn a_zero_report_with_ballots_says_it_is_not_zero() {
    let mut f = Fixture::seeded(4);
    f.open();
    let code = f.codes(1).remove(0);
    f.station
        .cast_ballot(&code, &full_ballot(), &key())
        .expect("cast");
    let dir = tempfile::tempdir().expect("tempdir");
    let report = f
        .station
        .zero_report(crate::support::election_noon())
        .expect("gather");
    let pdf = write(dir.path(), "zero.pdf", &report.to_pdf().expect("pdf"));
    let text = squash(&text_of(&pdf));
    assert!(text.contains("Official ballots in the station 1"), "{text}");
    assert!(text.contains("WARNING: this station already holds 1 official ballots"));
}

/// A closed station with ten ballots: a ranked contest that needs three
/// rounds (a tie for last place broken by the earlier round), write-ins.
fn closed_election() -> Fixture {
    let mut f = Fixture::seeded(4);
    f.open();
    let codes = f.codes(10);
    let ranked: [&[&str]; 10] = [
        &["kim", "lopez"],
        &["kim", "lopez"],
        &["kim", "lopez"],
        &["kim"],
        &["lopez", "kim"],
        &["lopez", "kim"],
        &["lopez"],
        &["moore", "lopez"],
        &["moore", "lopez"],
        &["nguyen", "moore"],
    ];
    let mayor: [&[&str]; 10] = [
        &["alvarez"],
        &["alvarez"],
        &["alvarez"],
        &["alvarez"],
        &["brooks"],
        &["brooks"],
        &["chen"],
        &["write-in:Zoë Quinn"],
        &[],
        &["alvarez"],
    ];
    for (i, code) in codes.iter().enumerate() {
        let bond: &[&str] = if i < 7 { &["yes"] } else { &["no"] };
        let ballot = sel(&[
            ("mayor", mayor[i]),
            ("council", &["diaz", "gupta"]),
            ("library-bond", bond),
            ("parks-board", &["hill", "jones"][..(i % 3)]),
            ("school-board", ranked[i]),
        ]);
        f.station.cast_ballot(code, &ballot, &key()).expect("cast");
    }
    let worker = f.worker();
    f.station.close_polls(&worker).expect("close");
    f.count();
    f
}

#[test]
fn results_report_shows_counts_rounds_and_the_definition_hash() {
    let f = closed_election();
    let dir = tempfile::tempdir().expect("tempdir");
    let report = f
        .station
        .results_report(crate::support::election_noon())
        .expect("gather");
    let pdf = write(dir.path(), "results.pdf", &report.to_pdf().expect("pdf"));
    let text = squash(&text_of(&pdf));
    let chain = f.station.verify_audit_chain().expect("chain");
    assert!(text.contains(&f.station.definition().hash().to_hex()), "{text}");
    assert!(text.contains(&chain.head), "chain head");
    assert!(text.contains("Ballots cast 10"), "{text}");
    assert!(text.contains("10 issued, 10 used, 0 revoked, 0 unused"));
    for line in [
        "Maria Alvarez (Harbor Party) 5 55.6%",
        "James Brooks (Hill Party) 2 22.2%",
        "Lin Chen 1 11.1%",
        "Write-ins (all) 1 11.1%",
        "\"Zoë Quinn\": 1",
        "Elected: Maria Alvarez (Harbor Party)",
        "Ana Diaz 10 50.0%",
        "Elected: Ana Diaz, Ravi Gupta",
        "Yes 7 70.0%",
        "No 3 30.0%",
        "PASSED (needs 2/3",
        "Rosa Lopez 3 30.0%",
        "Elected: Rosa Lopez",
        "Round 1: eliminated Bao Nguyen",
        "Round 2: eliminated Dan Moore; tie for last place among Rosa Lopez, Dan Moore broken by the earlier rounds",
        "Round 3: Rosa Lopez elected",
        "Round 1 2 3",
        "Sun Kim 4 4 4",
        "Rosa Lopez 3 3 5",
        "Dan Moore 2 3 -",
        "Bao Nguyen 1 - -",
        "Continuing ballots 10 10 9",
        "Needed to win 6 6 5",
        "Exhausted 0 0 1",
        "Dan Moore's ballots: 2 to Rosa Lopez, 1 exhausted",
    ] {
        assert!(text.contains(line), "missing {line:?} in: {text}");
    }
    assert!(!text.contains("PROVISIONAL") && !text.contains("TEST BALLOTS"));
    assert!(text.contains("Official 1") && text.contains("Official 2"));
    assert!(text.contains("Result file not exported yet"), "{text}");
}

/// Once exported, the results report records what identifies the file:
/// the Merkle root verify.html shows and the SHA-256 of the file's bytes.
#[test]
fn the_results_report_prints_the_result_files_merkle_root_and_sha256() {
    let f = closed_election();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut report = f
        .station
        .results_report(crate::support::election_noon())
        .expect("gather");
    let identity = votekiosk::print::ResultIdentity {
        merkle_root: [0xe4; 32],
        file_sha256: [0x3c; 32],
    };
    report.identity = Some(identity);
    let pdf = write(dir.path(), "results.pdf", &report.to_pdf().expect("pdf"));
    let text = squash(&text_of(&pdf));
    assert!(
        text.contains(&format!("Merkle root of receipts {}", hex::encode([0xe4; 32]))),
        "{text}"
    );
    assert!(text.contains(&format!("File SHA-256 {}", hex::encode([0x3c; 32]))));
    assert!(!text.contains("not exported yet"));
}

#[test]
fn results_stay_hidden_while_the_polls_are_open() {
    let mut f = Fixture::seeded(4);
    f.open();
    assert!(matches!(
        f.station.results_report(crate::support::election_noon()),
        Err(Error::ResultsHidden)
    ));
}

#[test]
fn a_long_results_report_runs_over_several_pages() {
    use votekiosk::tabulate::{ContestResult, Votes};
    let f = closed_election();
    let mut report = f
        .station
        .results_report(crate::support::election_noon())
        .expect("gather");
    // Twelve copies of every contest: more than one page holds.
    let contests = report.result.contests.clone();
    for _ in 0..11 {
        report.result.contests.extend(contests.iter().cloned());
    }
    if let Some(ContestResult::Candidate(c)) = report.result.contests.first_mut() {
        c.tallies.push(Votes {
            candidate: "a-candidate-id-that-is-not-in-the-definition".into(),
            votes: 0,
        });
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let pdf = write(dir.path(), "long.pdf", &report.to_pdf().expect("pdf"));
    let pages = render(&pdf, 40);
    assert!(pages.len() >= 4, "{} pages", pages.len());
    let text = text_of(&pdf);
    assert!(text.contains(&format!("Page {} of {}", pages.len(), pages.len())));
    assert_eq!(
        text.matches("Elected: Rosa Lopez").count(),
        12,
        "no contest lost between pages"
    );
}

// ---- printers --------------------------------------------------------------

#[test]
fn folder_printer_never_overwrites() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = dir.path().join("printed");
    let printer = FolderPrinter::new(&folder);
    let first = printer
        .print("votekiosk receipt", b"%PDF-1 first")
        .expect("first");
    let second = printer
        .print("votekiosk receipt", b"%PDF-1 second")
        .expect("second");
    let (PrintOutcome::Saved { path: a }, PrintOutcome::Saved { path: b }) = (&first, &second) else {
        panic!("saved: {first:?} {second:?}");
    };
    assert_ne!(a, b);
    assert_eq!(fs::read(a).expect("a"), b"%PDF-1 first");
    assert_eq!(fs::read(b).expect("b"), b"%PDF-1 second");
    assert_eq!(
        a.file_name().and_then(|n| n.to_str()),
        Some("votekiosk-receipt.pdf")
    );
    assert_eq!(
        b.file_name().and_then(|n| n.to_str()),
        Some("votekiosk-receipt-2.pdf")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(a).expect("meta").permissions().mode();
        assert_eq!(mode & 0o077, 0, "owner only (code slips hold voter codes)");
    }
    // A file that is already there is left alone.
    fs::write(folder.join("zero-report.pdf"), b"keep me").expect("seed");
    printer.print("zero report", b"%PDF-1 new").expect("print");
    assert_eq!(
        fs::read(folder.join("zero-report.pdf")).expect("kept"),
        b"keep me"
    );
    assert_eq!(
        fs::read(folder.join("zero-report-2.pdf")).expect("new"),
        b"%PDF-1 new"
    );
}

/// A stand-in for `lp`: a shell script in `dir`.
fn fake_lp(dir: &Path, body: &str) -> PathBuf {
    let path = dir.join("lp");
    fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write fake lp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    path
}

#[test]
fn lp_printer_passes_the_queue_the_job_name_and_the_pdf_on_stdin() {
    let dir = tempfile::tempdir().expect("tempdir");
    let got = dir.path().join("got.pdf");
    let args = dir.path().join("args");
    let lp = fake_lp(
        dir.path(),
        &format!(
            "echo \"$@\" > '{}'; cat > '{}'; echo 'request id is thermal-7 (1 file(s))'",
            args.display(),
            got.display()
        ),
    );
    let printer = LpPrinter::with_program("thermal", &lp).expect("printer");
    let pdf = vec![b'x'; 300_000];
    let outcome = printer.print("votekiosk receipt", &pdf).expect("print");
    assert_eq!(
        outcome,
        PrintOutcome::Queued {
            queue: "thermal".into(),
            request: Some("thermal-7".into())
        }
    );
    assert_eq!(fs::read(&got).expect("stdin"), pdf);
    assert_eq!(
        fs::read_to_string(&args).expect("args").trim(),
        "-d thermal -t votekiosk receipt -"
    );
}

#[test]
fn lp_errors_become_clear_messages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        (
            "echo 'lp: Error - The printer or class does not exist.' >&2; exit 1",
            "printer_not_found",
            "check the printer queue name",
        ),
        (
            "echo 'lp: Error - Scheduler Not Responding.' >&2; exit 1",
            "print_failed",
            "CUPS) is not running",
        ),
        (
            "echo 'lp: Destination \"thermal\" is not accepting jobs.' >&2; exit 1",
            "print_failed",
            "cupsenable",
        ),
        ("exit 3", "print_failed", "lp failed"),
    ];
    for (body, code, words) in cases {
        let lp = fake_lp(dir.path(), &format!("cat > /dev/null; {body}"));
        let err = LpPrinter::with_program("thermal", &lp)
            .expect("printer")
            .print("votekiosk receipt", b"%PDF")
            .expect_err(body);
        assert_eq!(err.code(), code, "{body}: {err}");
        assert!(err.to_string().contains(words), "{body}: {err}");
        assert!(err.to_string().contains("thermal"), "{err}");
    }
    let missing = LpPrinter::with_program("thermal", &dir.path().join("no-such-lp"))
        .expect("printer")
        .print("votekiosk receipt", b"%PDF")
        .expect_err("no lp");
    assert!(matches!(missing, Error::PrintUnavailable), "{missing}");
    assert!(LpPrinter::new("two words").is_err());
    assert!(LpPrinter::new("-o").is_err());
}

#[test]
fn printing_to_an_unknown_queue_fails_clearly_and_changes_nothing() {
    let _cups = crate::paper::cups_lock();
    let mut f = Fixture::seeded(4);
    f.open();
    let code = f.codes(1).remove(0);
    let cast = f
        .station
        .cast_ballot(&code, &full_ballot(), &key())
        .expect("cast");
    let before = snapshot(&f.station);
    let def = f.station.definition().clone();
    let slip = receipt_slip(
        &def,
        STATION_ID,
        def.default_language(),
        &cast,
        SlipKind::Original,
    )
    .expect("slip");
    let err = LpPrinter::new("votekiosk-no-such-queue")
        .expect("printer")
        .print("votekiosk receipt", &slip)
        .expect_err("no such queue");
    if cups_queue().is_some() {
        // CUPS runs here (CI): lp itself must say the queue does not exist.
        assert!(matches!(err, Error::PrinterNotFound(_)), "{err}");
    } else {
        assert!(
            matches!(
                err,
                Error::PrinterNotFound(_) | Error::PrintFailed { .. } | Error::PrintUnavailable
            ),
            "{err}"
        );
    }
    eprintln!("unknown queue: {err}");
    assert_eq!(snapshot(&f.station), before, "a failed print changes nothing");
    assert_eq!(
        f.station.check_receipt(&cast.payload).expect("check"),
        ReceiptStatus::Recorded { test: false },
        "the receipt is still there to show on screen"
    );
}

/// The CUPS-PDF queue and its output folder, from scripts/test. In CI they
/// must exist; elsewhere the CUPS test is skipped with a reason.
fn cups_queue() -> Option<(String, PathBuf)> {
    let queue = std::env::var("VOTEKIOSK_TEST_CUPS_QUEUE")
        .ok()
        .filter(|q| !q.is_empty());
    let out = std::env::var("VOTEKIOSK_TEST_CUPS_OUT")
        .ok()
        .filter(|q| !q.is_empty());
    match (queue, out) {
        (Some(q), Some(o)) => Some((q, PathBuf::from(o))),
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!(
                    "CI=true but VOTEKIOSK_TEST_CUPS_QUEUE / VOTEKIOSK_TEST_CUPS_OUT are not set: scripts/test must start cupsd and add the CUPS-PDF queue"
                );
            }
            None
        }
    }
}

fn pdfs_in(dir: &Path) -> BTreeSet<PathBuf> {
    fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_receipt_printed_through_cups_arrives_with_the_same_qr() {
    let Some((queue, out_dir)) = cups_queue() else {
        eprintln!(
            "skipped: set VOTEKIOSK_TEST_CUPS_QUEUE and VOTEKIOSK_TEST_CUPS_OUT (scripts/test does) to print through CUPS-PDF"
        );
        return;
    };
    let _cups = crate::paper::cups_lock();
    let mut f = Fixture::seeded(4);
    f.open();
    let code = f.codes(1).remove(0);
    let cast = f
        .station
        .cast_ballot(&code, &full_ballot(), &key())
        .expect("cast");
    let def = f.station.definition().clone();
    let slip = receipt_slip(
        &def,
        STATION_ID,
        def.default_language(),
        &cast,
        SlipKind::Original,
    )
    .expect("slip");
    let before = pdfs_in(&out_dir);
    // A job name of our own, so the file is told apart from other jobs.
    let job = format!("votekiosk-cups-test-{}", &key()[4..]);
    let outcome = LpPrinter::new(&queue)
        .expect("queue")
        .print(&job, &slip)
        .expect("lp accepted the job");
    assert!(matches!(outcome, PrintOutcome::Queued { .. }), "{outcome:?}");

    let deadline = Instant::now() + Duration::from_secs(90);
    let arrived = loop {
        let new: Vec<PathBuf> = pdfs_in(&out_dir)
            .difference(&before)
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.contains(&job))
            })
            .cloned()
            .collect();
        if let Some(path) = new.first() {
            // CUPS-PDF writes the file in place: wait until its size settles.
            let size = fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            std::thread::sleep(Duration::from_millis(500));
            if size > 0 && fs::metadata(path).map(|m| m.len()).unwrap_or(0) == size {
                break path.clone();
            }
            continue;
        }
        assert!(
            Instant::now() < deadline,
            "no PDF for job {job} arrived in {} ({outcome}); see /var/log/cups/error_log",
            out_dir.display()
        );
        std::thread::sleep(Duration::from_millis(250));
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("printed.pdf");
    fs::copy(&arrived, &copy).expect("copy printed pdf");
    let pages = render(&copy, 200);
    let payloads: Vec<String> = pages.iter().flat_map(|p| decode(p)).collect();
    assert_eq!(
        payloads,
        vec![cast.payload.clone()],
        "the printed QR decodes to the receipt"
    );
    let _ = fs::remove_file(&arrived);
}

// ---- reprint and the printer setting ----------------------------------------

#[test]
fn only_the_last_receipt_of_this_session_can_be_reprinted() {
    let mut f = Fixture::seeded(4);
    f.open();
    let worker = f.worker();
    assert!(matches!(
        f.station.reprint_last_receipt(&worker),
        Err(Error::NothingToReprint)
    ));
    let codes = f.codes(2);
    let first = f
        .station
        .cast_ballot(&codes[0], &full_ballot(), &key())
        .expect("cast");
    let second = f
        .station
        .cast_ballot(&codes[1], &full_ballot(), &key())
        .expect("cast");
    assert_ne!(first, second);
    let before = snapshot(&f.station);
    let again = f.station.reprint_last_receipt(&worker).expect("reprint");
    assert_eq!(again, second, "the last one, nothing else");
    assert_eq!(snapshot(&f.station), before, "a reprint casts nothing");
    let entry = f.station.audit_log(1).expect("audit").remove(0);
    assert_eq!(entry.kind, "receipt_reprinted");
    assert_eq!(entry.actor, crate::support::WORKER);
    assert!(
        !entry.detail.contains(second.receipt.as_str()),
        "no receipt id in the audit log"
    );
    for part in second.receipt.as_str().split('-') {
        assert!(!entry.detail.contains(part));
    }

    // Another session (a restarted kiosk) has nothing to reprint, and the
    // login of the session before it counts no more.
    let other = f.reopen();
    assert!(matches!(
        other.reprint_last_receipt(&worker),
        Err(Error::NotLoggedInHere)
    ));
    let official = other
        .login(crate::support::WORKER, crate::support::WORKER_PASSWORD)
        .expect("login");
    assert!(matches!(
        other.reprint_last_receipt(&official),
        Err(Error::NothingToReprint)
    ));
}

#[test]
fn a_test_receipt_cannot_be_reprinted_once_the_polls_open() {
    let mut f = Fixture::seeded(4);
    let admin = f.admin();
    f.station.enter_test_mode(&admin).expect("test");
    let code = f.codes(1).remove(0);
    f.station
        .cast_ballot(&code, &full_ballot(), &key())
        .expect("cast");
    f.open();
    let worker = f.worker();
    assert!(matches!(
        f.station.reprint_last_receipt(&worker),
        Err(Error::NothingToReprint)
    ));
}

#[test]
fn the_printer_queue_is_an_audited_admin_setting() {
    let mut f = Fixture::seeded(4);
    assert_eq!(f.station.printer_queue().expect("queue"), None);
    let worker = f.worker();
    assert!(matches!(
        f.station.set_printer(&worker, Some("thermal")),
        Err(Error::NotAllowed { .. })
    ));
    let admin = f.admin();
    for bad in ["", "two words", "a/b", "-d"] {
        assert!(f.station.set_printer(&admin, Some(bad)).is_err(), "{bad:?}");
    }
    assert_eq!(f.station.printer_queue().expect("queue"), None);
    f.station.set_printer(&admin, Some("thermal")).expect("set");
    assert_eq!(
        f.station.printer_queue().expect("queue").as_deref(),
        Some("thermal")
    );
    let entry = f.station.audit_log(1).expect("audit").remove(0);
    assert_eq!(
        (entry.kind.as_str(), entry.detail.as_str()),
        ("printer_set", "printer queue thermal")
    );
    assert_eq!(
        f.reopen().printer_queue().expect("queue").as_deref(),
        Some("thermal"),
        "kept in the file"
    );
    let admin = f.admin();
    f.station.set_printer(&admin, None).expect("clear");
    assert_eq!(f.station.printer_queue().expect("queue"), None);
}

/// A printer that keeps what it is given (job name, bytes).
#[derive(Default)]
struct Recorder(std::sync::Mutex<Vec<(String, Vec<u8>)>>);

impl Printer for Recorder {
    fn print(&self, job_name: &str, pdf: &[u8]) -> Result<PrintOutcome, Error> {
        let mut jobs = self.0.lock().expect("lock");
        jobs.push((job_name.to_string(), pdf.to_vec()));
        Ok(PrintOutcome::Queued {
            queue: "recorder".into(),
            request: Some(jobs.len().to_string()),
        })
    }
}

#[test]
fn the_station_prints_on_the_injected_printer_whatever_its_settings_say() {
    let mut f = Fixture::seeded(4);
    let admin = f.admin();
    // A queue that does not exist: only the injected printer may be used.
    f.station
        .set_printer(&admin, Some("votekiosk-no-such-queue"))
        .expect("set");
    let recorder = std::sync::Arc::new(Recorder::default());
    let options = votekiosk::Options {
        printer: Some(recorder.clone()),
        ..f.options()
    };
    f.station.restart(options).expect("restart");
    let station = &f.station;
    let pdf = station
        .zero_report(crate::support::election_noon())
        .expect("gather")
        .to_pdf()
        .expect("pdf");
    let outcome = station.print("votekiosk zero report", &pdf).expect("print");
    assert_eq!(outcome.to_string(), "sent to printer recorder (request 1)");
    let jobs = recorder.0.lock().expect("lock");
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].0, "votekiosk zero report");
    assert_eq!(jobs[0].1, pdf);
    assert!(
        !station.print_folder().exists(),
        "nothing was saved in the print folder"
    );
}

// ---- pictures for the README --------------------------------------------------

/// Writes a PNG of the first page of each document into
/// `$VOTEKIOSK_PRINT_SAMPLES` (the README's `docs/images/`):
/// `VOTEKIOSK_PRINT_SAMPLES=docs/images cargo test --test it -- --ignored print::samples`
#[test]
#[ignore = "writes the README's pictures; run by hand"]
fn samples() {
    let out = PathBuf::from(
        std::env::var("VOTEKIOSK_PRINT_SAMPLES").expect("set VOTEKIOSK_PRINT_SAMPLES to a folder"),
    );
    fs::create_dir_all(&out).expect("out dir");
    let mut f = Fixture::seeded(4);
    let admin = f.admin();
    f.station.enter_test_mode(&admin).expect("test");
    let def = f.station.definition().clone();
    let test_batch = f.station.issue_codes(&admin, 2).expect("issue");
    let test_code = test_batch.codes[0].display();
    let test_cast = f
        .station
        .cast_ballot(&test_code, &full_ballot(), &key())
        .expect("cast");
    f.open();
    let zero = f
        .station
        .zero_report(crate::support::election_noon())
        .expect("gather")
        .to_pdf()
        .expect("zero");
    let worker = f.worker();
    let batch = f.station.issue_codes(&worker, 10).expect("issue");
    let code = batch.codes[0].display();
    let cast = f
        .station
        .cast_ballot(&code, &full_ballot(), &key())
        .expect("cast");
    let arabic = crate::card_print::arabic_definition();
    let docs: Vec<(&str, Vec<u8>)> = vec![
        (
            "receipt-slip",
            receipt_slip(&def, STATION_ID, &lang("es"), &cast, SlipKind::Original).expect("slip"),
        ),
        (
            "receipt-slip-test-reprint",
            receipt_slip(&def, STATION_ID, &lang("en"), &test_cast, SlipKind::Reprint).expect("slip"),
        ),
        (
            "code-slips-a4",
            code_slips(&def, STATION_ID, &batch, CodeSlipLayout::A4).expect("a4"),
        ),
        (
            "code-slip-roll",
            code_slips(&def, STATION_ID, &test_batch, CodeSlipLayout::Roll).expect("roll"),
        ),
        (
            "receipt-slip-ar",
            receipt_slip(
                &arabic,
                STATION_ID,
                arabic.require_language("ar").expect("ar"),
                &sample_receipt(
                    &arabic,
                    cast.station_key,
                    &mut rand::rngs::StdRng::seed_from_u64(4),
                ),
                SlipKind::Original,
            )
            .expect("slip"),
        ),
        (
            "code-slips-a4-ar",
            code_slips_in(
                &arabic,
                STATION_ID,
                &batch,
                CodeSlipLayout::A4,
                arabic.require_language("ar").expect("ar"),
            )
            .expect("a4"),
        ),
        ("zero-report", zero),
        (
            "results-report",
            closed_election()
                .station
                .results_report(crate::support::election_noon())
                .expect("gather")
                .to_pdf()
                .expect("results"),
        ),
    ];
    let scratch = tempfile::tempdir().expect("tempdir");
    for (name, bytes) in docs {
        // VOTEKIOSK_PRINT_SAMPLES_PDF=1 keeps the PDFs too, next to the PNGs.
        let keep = std::env::var_os("VOTEKIOSK_PRINT_SAMPLES_PDF").is_some();
        let pdf = write(
            if keep { &out } else { scratch.path() },
            &format!("{name}.pdf"),
            &bytes,
        );
        let dpi = if name.contains("a4") || name.contains("report") {
            60
        } else {
            100
        };
        let pages = render(&pdf, dpi);
        fs::rename(&pages[0], out.join(format!("print-{name}.png"))).expect("rename");
        for extra in &pages[1..] {
            let _ = fs::remove_file(extra);
        }
        eprintln!("wrote {}", out.join(format!("print-{name}.png")).display());
    }
}

// ---- the command line -------------------------------------------------------------

/// Runs the `votekiosk` binary on `station` with the demo secrets.
fn cli(station: &Path, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_votekiosk"));
    cmd.arg("--station")
        .arg(station)
        .args(args)
        .stdin(std::process::Stdio::null())
        .env_remove("VOTEKIOSK_STATION")
        .env_remove("VOTEKIOSK_NEW_PASSWORD")
        .env("VOTEKIOSK_PASSPHRASE", votekiosk::demo::PASSPHRASE)
        .env("VOTEKIOSK_OFFICIAL_PASSWORD", votekiosk::demo::ADMIN_PASSWORD);
    cmd.output().expect("run votekiosk")
}

/// `cli_json` with `stdin` on standard input (slip PINs), from `dir`.
fn cli_json_stdin(station: &Path, args: &[&str], stdin: &str) -> serde_json::Value {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_votekiosk"));
    let mut child = cmd
        .arg("--station")
        .arg(station)
        .arg("--json")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .env_remove("VOTEKIOSK_STATION")
        .env("VOTEKIOSK_PASSPHRASE", votekiosk::demo::PASSPHRASE)
        .env("VOTEKIOSK_OFFICIAL_PASSWORD", votekiosk::demo::ADMIN_PASSWORD)
        .spawn()
        .expect("run votekiosk");
    // A command that exits without reading leaves a closed pipe: no failure.
    if let Err(e) = std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), stdin.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "stdin: {e}");
    }
    let out = child.wait_with_output().expect("votekiosk ends");
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json output")
}

fn cli_json(station: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = cli(station, &all);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json output")
}

fn cli_error(station: &Path, args: &[&str]) -> (String, String) {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = cli(station, &all);
    assert!(!out.status.success(), "{args:?} should fail");
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json error");
    (
        value["error"]["code"].as_str().expect("code").to_string(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_poll_worker_prints_every_document_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let station = dir.path().join("demo.vkstation");
    let admin = votekiosk::demo::ADMIN;
    cli_json(&station, &["demo"]);
    let hash = cli_json(&station, &["status"])["definition_hash"]
        .as_str()
        .expect("hash")
        .to_string();

    // No printer configured: documents go into a folder next to the file.
    let shown = cli_json(&station, &["print", "printer"]);
    assert_eq!(shown["printer"], serde_json::Value::Null);
    let folder = dir.path().join("demo-printed");
    assert_eq!(shown["folder"], folder.display().to_string());
    let saved = cli_json(&station, &["print", "zero-report"]);
    assert_eq!(saved["document"], "zero report");
    let zero = PathBuf::from(saved["path"].as_str().expect("path"));
    assert_eq!(zero, folder.join("votekiosk-zero-report.pdf"));
    assert!(squash(&text_of(&zero)).contains(&hash));

    // A sample receipt, in Spanish, into a file of our choosing.
    let sample = dir.path().join("sample.pdf");
    cli_json(
        &station,
        &[
            "print",
            "receipt",
            "--sample",
            "--language",
            "es",
            "--out",
            sample.to_str().expect("path"),
        ],
    );
    let payloads = decode(&render(&sample, 200)[0]);
    assert_eq!(payloads.len(), 1);
    assert!(receipt::parse(&payloads[0]).is_ok());
    let text = squash(&text_of(&sample));
    assert!(
        text.contains("SAMPLE") && text.contains("Elección Municipal"),
        "{text}"
    );
    // --out never overwrites; no real receipt can be printed from here.
    let (code, _) = cli_error(
        &station,
        &[
            "print",
            "receipt",
            "--sample",
            "--out",
            sample.to_str().expect("path"),
        ],
    );
    assert_eq!(code, "file_exists");
    assert_eq!(
        cli(&station, &["print", "receipt"]).status.code(),
        Some(2),
        "--sample is required"
    );
    let (code, _) = cli_error(&station, &["print", "receipt", "--sample", "--language", "fr"]);
    assert_eq!(code, "invalid_input");

    // The closing key's slips print too (one per worker), then the polls open.
    let slip_dir = dir.path().join("slips");
    let made = cli_json_stdin(
        &station,
        &[
            "closing-key",
            "init",
            "--workers",
            "ana,ben",
            "--threshold",
            "2",
            "--slips-out",
            slip_dir.to_str().expect("path"),
            "--official",
            admin,
        ],
        "12345678\n87654321\n",
    );
    assert_eq!(made["slips"].as_array().expect("slips").len(), 2);
    // Voter codes: issued and printed in one go, and they vote.
    cli_json(&station, &["polls", "open", "--official", admin]);
    let slips = dir.path().join("codes.pdf");
    let issued = cli_json(
        &station,
        &[
            "print",
            "codes",
            "--count",
            "3",
            "--roll",
            "--official",
            admin,
            "--out",
            slips.to_str().expect("path"),
        ],
    );
    assert_eq!(
        (issued["count"].as_u64(), issued["test"].as_bool()),
        (Some(3), Some(false))
    );
    let codes: Vec<String> = render(&slips, 200).iter().flat_map(|p| decode(p)).collect();
    assert_eq!(codes.len(), 3);
    // The code from a file (never from argv).
    let code_file = dir.path().join("code.txt");
    std::fs::write(&code_file, &codes[0]).expect("code file");
    let cast = cli_json(
        &station,
        &[
            "cast",
            "--code-file",
            code_file.to_str().expect("path"),
            "--choice",
            "mayor=alvarez",
            "--choice",
            "school-board=lopez",
        ],
    );
    assert!(cast["receipt"].is_string());

    // Results stay hidden while the polls are open.
    let (code, _) = cli_error(&station, &["print", "results-report"]);
    assert_eq!(code, "results_hidden");

    // A printer queue that does not exist: a clear error; the codes printed
    // on it are revoked, never saved into the folder instead.
    cli_json(
        &station,
        &[
            "print",
            "printer",
            "--set",
            "votekiosk-no-such-queue",
            "--official",
            admin,
        ],
    );
    assert_eq!(
        cli_json(&station, &["print", "printer"])["printer"],
        "votekiosk-no-such-queue"
    );
    let (code, stderr) = cli_error(&station, &["print", "zero-report"]);
    assert!(
        ["printer_not_found", "print_failed", "print_unavailable"].contains(&code.as_str()),
        "{code}: {stderr}"
    );
    let before = pdfs_in(&folder).len();
    let issued = cli_json(&station, &["status"])["codes"]["issued"]
        .as_u64()
        .expect("issued");
    let (code, stderr) = cli_error(&station, &["print", "codes", "--count", "2", "--official", admin]);
    assert_eq!(code, "slips_not_printed", "{stderr}");
    assert!(stderr.contains("issue new codes"), "{stderr}");
    assert_eq!(pdfs_in(&folder).len(), before, "the slips are saved nowhere");
    let codes = &cli_json(&station, &["status"])["codes"];
    assert_eq!(codes["issued"].as_u64(), Some(issued + 2));
    assert_eq!(codes["revoked"].as_u64(), Some(2), "the batch is revoked");
    cli_json(&station, &["print", "printer", "--clear", "--official", admin]);

    cli_json(&station, &["polls", "close", "--official", admin]);
    let results = dir.path().join("results.pdf");
    let (code, _) = cli_error(&station, &["print", "results-report"]);
    assert_eq!(code, "count_first", "the ballots are sealed until counted");
    let (a, b) = (slip_dir.join("slip-1-ana.txt"), slip_dir.join("slip-2-ben.txt"));
    let done = cli_json_stdin(
        &station,
        &[
            "count",
            "--slip-file",
            a.to_str().expect("path"),
            "--slip-file",
            b.to_str().expect("path"),
            "--official",
            admin,
            "--report",
            "--out",
            results.to_str().expect("path"),
        ],
        "12345678\n87654321\n",
    );
    assert_eq!(done["ballots"], 1);
    assert!(
        done["report"].as_str().expect("report").contains("results.pdf"),
        "{done}"
    );
    let text = squash(&text_of(&results));
    assert!(text.contains(&hash) && text.contains("Ballots cast 1"), "{text}");

    if let Some((queue, _)) = cups_queue() {
        let _cups = crate::paper::cups_lock();
        let sent = cli_json(&station, &["print", "receipt", "--sample", "--printer", &queue]);
        assert_eq!(sent["queue"], queue.as_str());
        assert!(sent["request"].is_string(), "{sent}");
    }
}
