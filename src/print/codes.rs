//! Voter-code slips: one slip per code of a freshly issued batch, each with
//! the code in large type, its QR (`VKC1:<code>`), the election title and
//! the batch number (the batch's, never a number per code). A4 sheets of
//! ten slips with dashed cut lines, or one 80 mm roll page per slip.
//!
//! The words are in the language the official chooses ([`code_slips_in`];
//! the election's first language by default), laid out right to left for a
//! right-to-left language (the QR then sits on the slip's right).
//!
//! The bytes hold voter codes in clear: print them or save them readable by
//! their owner only (`files::write_private`), and never keep them longer.

use super::labels::{self, with_english};
use super::pdf::{self, line_height, Align, Face, Sheet, A4, ROLL_WIDTH};
use super::qr::Qr;
use crate::codes::IssuedBatch;
use crate::definition::{ElectionDefinition, LangCode};
use crate::error::{Error, Result};

/// Paper for code slips.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeSlipLayout {
    /// A4 portrait, 2 x 5 slips of 105 x 59.4 mm, dashed cut lines.
    A4,
    /// An 80 mm thermal roll, one page (and cut) per slip.
    Roll,
}

const COLUMNS: usize = 2;
const ROWS: usize = 5;
/// The QR symbol's smallest width, without its quiet zone.
const CODE_QR_MM: f32 = 26.0;

/// The slips for every code of `batch`, as one PDF, in the election's first
/// language.
pub fn code_slips(
    definition: &ElectionDefinition,
    station_id: &str,
    batch: &IssuedBatch,
    layout: CodeSlipLayout,
) -> Result<Vec<u8>> {
    code_slips_in(
        definition,
        station_id,
        batch,
        layout,
        definition.default_language(),
    )
}

/// The slips for every code of `batch`, as one PDF, in `language` (the
/// official's choice; a language without a table of printed words gets
/// English words, and the title in the first language the fonts can draw).
pub fn code_slips_in(
    definition: &ElectionDefinition,
    station_id: &str,
    batch: &IssuedBatch,
    layout: CodeSlipLayout,
    language: &LangCode,
) -> Result<Vec<u8>> {
    let sheets = slip_sheets(definition, station_id, batch, layout, language)?;
    pdf::render("votekiosk voter codes", &sheets)
}

/// The pages of [`code_slips_in`], before they become PDF bytes (the
/// measurements that chose `pdf::DEFLATE_LEVEL` render them at each level).
#[doc(hidden)]
pub fn slip_sheets(
    definition: &ElectionDefinition,
    station_id: &str,
    batch: &IssuedBatch,
    layout: CodeSlipLayout,
    language: &LangCode,
) -> Result<Vec<Sheet>> {
    if batch.codes.is_empty() {
        return Err(Error::BadCount("the batch holds no codes".into()));
    }
    let lang = language;
    let rtl = labels::labels(lang).rtl;
    let footer = batch_line(lang, station_id, batch);
    // Every symbol first, on every core: the payloads hold the codes in
    // clear and are wiped when dropped.
    let payloads: Vec<zeroize::Zeroizing<String>> = batch
        .codes
        .iter()
        .map(|c| zeroize::Zeroizing::new(c.qr_payload()))
        .collect();
    let refs: Vec<&str> = payloads.iter().map(|p| p.as_str()).collect();
    let symbols = Qr::encode_many(&refs)?;
    let mut sheets = Vec::new();
    match layout {
        CodeSlipLayout::A4 => {
            let (w, h) = (A4.0 / COLUMNS as f32, A4.1 / ROWS as f32);
            let per_page = COLUMNS * ROWS;
            for (page, qrs) in batch.codes.chunks(per_page).zip(symbols.chunks(per_page)) {
                let mut sheet = Sheet::new(A4.0, A4.1);
                sheet.rtl = rtl;
                for (i, (code, qr)) in page.iter().zip(qrs).enumerate() {
                    let (col, row) = (i % COLUMNS, i / COLUMNS);
                    a4_slip(
                        &mut sheet,
                        definition,
                        lang,
                        batch,
                        &footer,
                        &code.display(),
                        qr,
                        col as f32 * w,
                        row as f32 * h,
                    );
                }
                // Cut lines between slips (the page edges need none).
                for c in 1..COLUMNS {
                    let x = c as f32 * w;
                    sheet.dashed((x, 0.0), (x, A4.1), 0.5);
                }
                for r in 1..ROWS {
                    let y = r as f32 * h;
                    sheet.dashed((0.0, y), (A4.0, y), 0.5);
                }
                sheets.push(sheet);
            }
        }
        CodeSlipLayout::Roll => {
            for (code, qr) in batch.codes.iter().zip(&symbols) {
                sheets.push(roll_slip(definition, lang, batch, &footer, &code.display(), qr));
            }
        }
    }
    Ok(sheets)
}

fn batch_line(lang: &LangCode, station_id: &str, batch: &IssuedBatch) -> String {
    let words = labels::labels(lang);
    format!("{} {} · {station_id}", words.batch, batch.batch)
}

fn test_line(lang: &LangCode) -> String {
    let words = labels::labels(lang);
    with_english(labels::english().test_code, words.test_code)
}

/// One A4 slip with its top-left corner at (`x`, `y`): QR on the left,
/// words on the right.
#[allow(clippy::too_many_arguments)]
fn a4_slip(
    sheet: &mut Sheet,
    definition: &ElectionDefinition,
    lang: &LangCode,
    batch: &IssuedBatch,
    footer: &str,
    code: &str,
    qr: &Qr,
    x: f32,
    y: f32,
) {
    let (w, h) = (A4.0 / COLUMNS as f32, A4.1 / ROWS as f32);
    let words = labels::labels(lang);
    let module = qr.module_for(CODE_QR_MM);
    let outer = qr.outer_size(module);
    qr.draw(sheet, x + 2.0, y + (h - outer) / 2.0, module);

    let left = x + 2.0 + outer + 1.0;
    let width = x + w - 6.0 - left;
    let title = labels::pick(definition, &definition.title, lang);
    let mut title_lines = pdf::wrap(Face::Bold, 9.5, title, width);
    if title_lines.len() > 2 {
        let rest = title_lines[1..].join(" ");
        title_lines.truncate(1);
        title_lines.push(pdf::fit(Face::Bold, 9.5, &rest, width));
    }
    // Centre the words vertically (above the TEST band, if any).
    let use_lines = pdf::wrap(Face::Regular, 7.5, words.code_use, width).len();
    let block = title_lines.len() as f32 * line_height(9.5)
        + 4.5
        + line_height(15.0)
        + 1.0
        + use_lines as f32 * line_height(7.5)
        + 4.5;
    let room = if batch.test { h - 9.0 } else { h };
    let mut top = y + ((room - block) / 2.0).max(3.0);
    for line in &title_lines {
        top += line_height(9.5);
        sheet.text(left, top - 0.8, Face::Bold, 9.5, Align::Left, line);
    }
    top += 4.5;
    sheet.text(left, top, Face::Regular, 8.0, Align::Left, words.voter_code);
    top += line_height(15.0);
    sheet.text(left, top - 0.5, Face::Mono, 15.0, Align::Left, code);
    top = sheet.paragraph(
        left,
        top + 1.0,
        width,
        Face::Regular,
        7.5,
        Align::Left,
        words.code_use,
    );
    sheet.text(left, top + 3.5, Face::Regular, 7.5, Align::Left, footer);
    if batch.test {
        let band = y + h - 9.0;
        sheet.fill(left, band, width, 5.5, 0.0);
        let label = pdf::fit(Face::Bold, 8.0, &test_line(lang), width - 2.0);
        sheet.text_grey(
            left + width / 2.0,
            band + 4.0,
            Face::Bold,
            8.0,
            Align::Centre,
            &label,
            1.0,
        );
    }
}

/// One roll page: everything centred, the QR below the code.
fn roll_slip(
    definition: &ElectionDefinition,
    lang: &LangCode,
    batch: &IssuedBatch,
    footer: &str,
    code: &str,
    qr: &Qr,
) -> Sheet {
    const MARGIN: f32 = 5.0;
    let width = ROLL_WIDTH - 2.0 * MARGIN;
    let centre = ROLL_WIDTH / 2.0;
    let words = labels::labels(lang);
    let mut sheet = Sheet::new(ROLL_WIDTH, 0.0);
    sheet.rtl = words.rtl;
    let mut y = 4.0;
    if batch.test {
        sheet.fill(MARGIN, y, width, 6.5, 0.0);
        let label = pdf::fit(Face::Bold, 9.0, &test_line(lang), width - 2.0);
        sheet.text_grey(centre, y + 4.6, Face::Bold, 9.0, Align::Centre, &label, 1.0);
        y += 8.5;
    }
    let title = labels::pick(definition, &definition.title, lang);
    y = sheet.paragraph(MARGIN, y, width, Face::Bold, 11.0, Align::Centre, title);
    y += 4.5;
    sheet.text(centre, y, Face::Regular, 9.0, Align::Centre, words.voter_code);
    y += line_height(17.0);
    sheet.text(centre, y - 0.5, Face::Mono, 17.0, Align::Centre, code);
    let module = qr.module_for(CODE_QR_MM + 4.0);
    let outer = qr.outer_size(module);
    qr.draw(&mut sheet, centre - outer / 2.0, y + 1.0, module);
    y += outer + 1.0;
    y = sheet.paragraph(
        MARGIN,
        y,
        width,
        Face::Regular,
        8.5,
        Align::Centre,
        words.code_use,
    );
    sheet.text(centre, y + 4.0, Face::Regular, 8.0, Align::Centre, footer);
    y += 8.0;
    sheet.dashed((0.0, y), (ROLL_WIDTH, y), 0.5);
    sheet.height = y + 1.0;
    sheet
}
