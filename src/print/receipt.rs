//! The receipt slip: 80 mm thermal roll, as tall as it needs to be.
//!
//! It carries the election title in the voter's language, the election
//! date, the station id, the election part of the definition hash (32 hex
//! digits), the receipt id in large grouped characters, the station key's
//! fingerprint in 8 groups (the key that must sign the result this receipt
//! is looked up in), its QR code (the v2 payload of `receipt.rs`), and how
//! to verify, in the voter's language (right to left for Arabic: the
//! layout is mirrored, `Sheet::rtl`). Never the voter's choices, never a time of day: the only
//! date is the election's, from the definition.

use super::labels::{self, with_english};
use super::pdf::{self, line_height, Align, Face, Sheet, ROLL_WIDTH};
use super::qr::Qr;
use crate::definition::{ElectionDefinition, LangCode};
use crate::error::Result;
use crate::receipt::{self, CastReceipt, KeyFingerprint, ReceiptId};

/// Which copy of a receipt slip this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlipKind {
    /// Printed when the ballot is cast.
    Original,
    /// The poll worker's reprint of the session's last receipt.
    Reprint,
    /// A printer test: a random receipt id that belongs to no ballot.
    Sample,
}

/// The smallest width of the QR symbol itself, without its quiet zone.
pub const RECEIPT_QR_MM: f32 = 34.0;
const MARGIN: f32 = 5.0;
const MIN_MODULE_MM: f32 = 0.5;

/// A receipt for no ballot of the station whose signing key has fingerprint
/// `station_key`, for `SlipKind::Sample` slips.
pub fn sample_receipt(
    definition: &ElectionDefinition,
    station_key: KeyFingerprint,
    rng: &mut dyn rand::RngCore,
) -> CastReceipt {
    let receipt = ReceiptId::random(rng);
    let payload = receipt.payload(
        definition.hash(),
        &station_key,
        definition.receipt_verification_url.as_deref(),
    );
    CastReceipt {
        receipt,
        payload,
        test: false,
        station_key,
    }
}

/// The slip for `receipt`, as PDF bytes.
pub fn receipt_slip(
    definition: &ElectionDefinition,
    station_id: &str,
    language: &LangCode,
    receipt: &CastReceipt,
    kind: SlipKind,
) -> Result<Vec<u8>> {
    let words = labels::labels(language);
    let en = labels::english();
    let width = ROLL_WIDTH - 2.0 * MARGIN;
    let centre = ROLL_WIDTH / 2.0;
    let mut sheet = Sheet::new(ROLL_WIDTH, 0.0);
    sheet.rtl = words.rtl;
    let mut y = 4.0;

    let mut banners = Vec::new();
    if kind == SlipKind::Sample {
        banners.push(with_english(en.sample, words.sample));
    }
    if receipt.test {
        banners.push(with_english(en.test_ballot, words.test_ballot));
    }
    if kind == SlipKind::Reprint {
        banners.push(with_english(en.reprint, words.reprint));
    }
    for banner in &banners {
        y = banner_box(&mut sheet, y, banner);
    }

    let title = labels::pick(definition, &definition.title, language);
    y = sheet.paragraph(MARGIN, y + 1.0, width, Face::Bold, 12.0, Align::Centre, title);
    y = sheet.paragraph(
        MARGIN,
        y + 0.5,
        width,
        Face::Regular,
        9.0,
        Align::Centre,
        words.receipt,
    );
    y += 2.0;
    sheet.line((MARGIN, y), (ROLL_WIDTH - MARGIN, y), 0.5);
    y += 1.0;

    let date = (words.long_date)(definition.date);
    for (label, value, face) in [
        (words.date, date.as_str(), Face::Regular),
        (words.station, station_id, Face::Regular),
    ] {
        y += line_height(9.0);
        sheet.text(MARGIN, y - 1.0, Face::Regular, 9.0, Align::Left, label);
        let value = pdf::fit(face, 9.0, value, width - Face::Regular.width(9.0, label) - 3.0);
        sheet.text(ROLL_WIDTH - MARGIN, y - 1.0, face, 9.0, Align::Right, &value);
    }
    // The election part of the payload, in groups like the key below.
    y = hex_block(
        &mut sheet,
        y,
        words.election,
        &receipt::group_hex(&receipt::election_part(definition.hash())),
    );
    y += 2.0;
    sheet.line((MARGIN, y), (ROLL_WIDTH - MARGIN, y), 0.5);

    // The receipt id, large, two groups per line.
    y += 5.0;
    sheet.text(centre, y, Face::Regular, 9.0, Align::Centre, words.receipt_id);
    let id = receipt.receipt.as_str();
    let groups: Vec<&str> = id.split('-').collect();
    for pair in groups.chunks(2) {
        y += line_height(22.0);
        sheet.text(centre, y - 1.0, Face::Mono, 22.0, Align::Centre, &pair.join("-"));
    }
    y += 1.5;

    // The key that must have signed the result: the voter compares it with
    // the one verify.html shows.
    y = hex_block(
        &mut sheet,
        y + 1.0,
        words.station_key,
        &receipt.station_key.grouped(),
    );
    y += 1.5;

    let qr = Qr::encode(&receipt.payload)?;
    // A long verification URL makes a dense symbol: keep modules at least
    // half a millimetre (4 printer dots) while the slip has room.
    let module = qr
        .module_for(RECEIPT_QR_MM)
        .max(MIN_MODULE_MM)
        .min((ROLL_WIDTH - 2.0) / (qr.modules() + 2 * super::qr::QUIET_ZONE) as f32);
    let outer = qr.outer_size(module);
    qr.draw(&mut sheet, centre - outer / 2.0, y, module);
    y += outer;

    y = sheet.paragraph(MARGIN, y, width, Face::Regular, 8.0, Align::Centre, words.verify);
    if let Some(url) = &definition.receipt_verification_url {
        y = sheet.paragraph(
            MARGIN,
            y + 1.0,
            width,
            Face::Regular,
            8.0,
            Align::Centre,
            &format!("{}: {url}", words.verify_at),
        );
    }
    y = sheet.paragraph(
        MARGIN,
        y + 1.0,
        width,
        Face::Bold,
        8.0,
        Align::Centre,
        words.no_choices,
    );
    y += 2.0;
    for banner in &banners {
        y = banner_box(&mut sheet, y, banner);
    }
    sheet.height = y + 6.0;
    pdf::render("votekiosk receipt", &[sheet])
}

/// A label on its own line, then 8 groups of 4 hex digits in two centred
/// lines of 4 (easy to compare aloud); returns the y below it.
fn hex_block(sheet: &mut Sheet, top: f32, label: &str, grouped: &str) -> f32 {
    let mut y = top + line_height(9.0);
    sheet.text(MARGIN, y - 1.0, Face::Regular, 9.0, Align::Left, label);
    let groups: Vec<&str> = grouped.split(' ').collect();
    for line in groups.chunks(4) {
        y += line_height(11.0);
        sheet.text(
            ROLL_WIDTH / 2.0,
            y - 1.0,
            Face::Mono,
            11.0,
            Align::Centre,
            &line.join(" "),
        );
    }
    y
}

/// White bold text on a black band across the slip; returns the y below it.
fn banner_box(sheet: &mut Sheet, top: f32, text: &str) -> f32 {
    let width = ROLL_WIDTH - 2.0 * MARGIN;
    let lines = pdf::wrap(Face::Bold, 11.0, text, width - 4.0);
    let height = lines.len() as f32 * line_height(11.0) + 2.5;
    sheet.fill(MARGIN, top, width, height, 0.0);
    let mut y = top + 1.25;
    for line in lines {
        y += line_height(11.0);
        sheet.text_grey(
            ROLL_WIDTH / 2.0,
            y - 1.0,
            Face::Bold,
            11.0,
            Align::Centre,
            &line,
            1.0,
        );
    }
    top + height + 2.0
}
