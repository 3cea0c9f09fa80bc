//! The pull list: a printable A4 PDF of the positions the audit board
//! pulls, sorted by station, box and position, for the board and for
//! observers. It shows where a card is (station, box, position from the
//! top of the box) and which draws chose it, with boxes for what was found
//! and the board's initials. Never a card id or a choice: it is public.

use crate::error::Result;
use crate::print::pdf::{self, line_height, Align, Face, Sheet, A4};

use super::workflow::PullItem;
use super::workspace::Public;

const LEFT: f32 = 16.0;
const RIGHT: f32 = A4.0 - 16.0;
const TOP: f32 = 16.0;
const BOTTOM: f32 = A4.1 - 20.0;
const ROW: f32 = 9.0;

/// Column left edges: station, box, position, draws, found, initials.
const COLUMNS: [f32; 6] = [
    LEFT,
    LEFT + 38.0,
    LEFT + 62.0,
    LEFT + 82.0,
    LEFT + 112.0,
    LEFT + 146.0,
];

/// The pull list of the current sample as PDF bytes.
pub fn pull_list_pdf(public: &Public, items: &[PullItem]) -> Result<Vec<u8>> {
    let title = public
        .definition()
        .ok()
        .map(|d| {
            d.languages
                .first()
                .map(|l| d.title.get(&l.code).to_string())
                .unwrap_or_default()
        })
        .unwrap_or_default();
    let mut sheets = vec![Sheet::new(A4.0, A4.1)];
    let mut y = TOP;
    {
        let sheet = &mut sheets[0];
        y += line_height(16.0);
        sheet.text(
            LEFT,
            y,
            Face::Bold,
            16.0,
            Align::Left,
            "Risk-limiting audit: pull list",
        );
        y += line_height(11.0) + 1.0;
        sheet.text(
            LEFT,
            y,
            Face::Regular,
            11.0,
            Align::Left,
            &pdf::fit(Face::Regular, 11.0, &title, RIGHT - LEFT),
        );
        let facts = [
            ("Seed", public.seed.clone()),
            (
                "Round",
                format!("{} (sample of {} draws)", public.rounds.len(), public.draws.len()),
            ),
            ("Risk limit", format!("{}%", public.risk_limit * 100.0)),
            ("Positions to pull", items.len().to_string()),
            ("Definition hash", public.definition_hash.clone()),
        ];
        y += 2.0;
        for (label, value) in facts {
            y += line_height(9.0);
            sheet.text(LEFT, y, Face::Regular, 9.0, Align::Left, label);
            let face = if label == "Definition hash" {
                Face::Mono
            } else {
                Face::Regular
            };
            let size = if face == Face::Mono { 7.5 } else { 9.0 };
            sheet.text(LEFT + 38.0, y, face, size, Align::Left, &value);
        }
        y += 2.0;
        let how = "Count each position from the top of the box (position 1 is the top card), without \
                   turning cards over on the way. Keep the card's place while the board reads it, and \
                   put it back where it was. Tick \"card\" or \"no card\" (position beyond the last card), \
                   and both members of the audit board initial the line.";
        y = sheet.paragraph(LEFT, y, RIGHT - LEFT, Face::Regular, 9.0, Align::Left, how) + 2.0;
    }
    y = header_row(
        sheets
            .last_mut()
            .unwrap_or_else(|| unreachable!("one sheet at least")),
        y,
    );
    for item in items {
        if y + ROW > BOTTOM {
            sheets.push(Sheet::new(A4.0, A4.1));
            let sheet = sheets.last_mut().unwrap_or_else(|| unreachable!("just pushed"));
            y = header_row(sheet, TOP);
        }
        let sheet = sheets
            .last_mut()
            .unwrap_or_else(|| unreachable!("one sheet at least"));
        let base = y + ROW - 3.0;
        let draws: Vec<String> = item.draws.iter().map(u64::to_string).collect();
        let cells = [
            pdf::fit(Face::Regular, 9.5, &item.station, COLUMNS[1] - COLUMNS[0] - 2.0),
            pdf::fit(Face::Bold, 9.5, &item.box_id, COLUMNS[2] - COLUMNS[1] - 2.0),
            item.position.to_string(),
            pdf::fit(
                Face::Regular,
                9.5,
                &draws.join(", "),
                COLUMNS[4] - COLUMNS[3] - 2.0,
            ),
        ];
        for (i, cell) in cells.iter().enumerate() {
            let face = if i == 1 || i == 2 {
                Face::Bold
            } else {
                Face::Regular
            };
            sheet.text(COLUMNS[i], base, face, 9.5, Align::Left, cell);
        }
        // Found: two tick boxes.
        sheet.frame(COLUMNS[4], base - 3.2, 3.5, 3.5, 0.6);
        sheet.text(COLUMNS[4] + 5.0, base, Face::Regular, 8.5, Align::Left, "card");
        sheet.frame(COLUMNS[4] + 14.0, base - 3.2, 3.5, 3.5, 0.6);
        sheet.text(
            COLUMNS[4] + 19.0,
            base,
            Face::Regular,
            8.5,
            Align::Left,
            "no card",
        );
        // Initials: two lines.
        sheet.line((COLUMNS[5], base + 0.5), (COLUMNS[5] + 14.0, base + 0.5), 0.5);
        sheet.line((COLUMNS[5] + 18.0, base + 0.5), (RIGHT, base + 0.5), 0.5);
        sheet.line((LEFT, y + ROW), (RIGHT, y + ROW), 0.2);
        y += ROW;
    }
    let n = sheets.len();
    for (i, sheet) in sheets.iter_mut().enumerate() {
        let at = A4.1 - 10.0;
        sheet.line((LEFT, at - 4.0), (RIGHT, at - 4.0), 0.3);
        sheet.text(
            LEFT,
            at,
            Face::Regular,
            7.5,
            Align::Left,
            "votekiosk rla: public pull list (no card ids, no choices)",
        );
        sheet.text(
            RIGHT,
            at,
            Face::Regular,
            7.5,
            Align::Right,
            &format!("Page {} of {n}", i + 1),
        );
    }
    pdf::render("Risk-limiting audit pull list", &sheets)
}

fn header_row(sheet: &mut Sheet, y: f32) -> f32 {
    let base = y + ROW - 3.0;
    let names = [
        "Station",
        "Box",
        "Position",
        "Draw(s)",
        "Found",
        "Initials (board)",
    ];
    for (i, name) in names.iter().enumerate() {
        sheet.text(COLUMNS[i], base, Face::Bold, 9.0, Align::Left, name);
    }
    sheet.line((LEFT, y + ROW), (RIGHT, y + ROW), 0.8);
    y + ROW
}
