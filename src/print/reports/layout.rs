//! The page kit of the A4 reports: a cursor that moves down the page,
//! starts a new page with a running header when a block does not fit, and
//! draws rows, figures, bars, notes and signature blocks.

use super::super::pdf::{self, line_height, Align, Face, Sheet, A4};
use super::super::qr::Qr;
use crate::error::Result;

pub(super) const LEFT: f32 = 18.0;
pub(super) const RIGHT: f32 = A4.0 - 18.0;
const TOP: f32 = 16.0;
const BOTTOM: f32 = A4.1 - 18.0;
const LABEL_WIDTH: f32 = 50.0;

/// A multi-page A4 report: a cursor that moves down the page and starts a
/// new page (with a running header) when the next block does not fit.
pub(super) struct Report {
    sheets: Vec<Sheet>,
    pub y: f32,
    running_header: String,
    footer: String,
}

impl Report {
    pub fn new(running_header: String, footer: String) -> Report {
        Report {
            sheets: vec![Sheet::new(A4.0, A4.1)],
            y: TOP,
            running_header,
            footer,
        }
    }

    pub fn sheet(&mut self) -> &mut Sheet {
        let last = self.sheets.len() - 1;
        &mut self.sheets[last]
    }

    /// Starts a new page unless `height` mm still fit on this one.
    pub fn need(&mut self, height: f32) {
        if self.y + height <= BOTTOM {
            return;
        }
        self.sheets.push(Sheet::new(A4.0, A4.1));
        let header = self.running_header.clone();
        let header = pdf::fit(Face::Regular, 8.0, &header, RIGHT - LEFT);
        self.sheet()
            .text(LEFT, TOP, Face::Regular, 8.0, Align::Left, &header);
        self.sheet().line((LEFT, TOP + 1.5), (RIGHT, TOP + 1.5), 0.4);
        self.y = TOP + 7.0;
    }

    /// The report's big title.
    pub fn title(&mut self, text: &str, size: f32) {
        for line in pdf::wrap(Face::Bold, size, text, RIGHT - LEFT) {
            self.need(line_height(size));
            self.y += line_height(size);
            let y = self.y - 0.25 * size / pdf::PT_PER_MM;
            self.sheet().text(LEFT, y, Face::Bold, size, Align::Left, &line);
        }
        self.y += 1.5;
    }

    /// A section heading with a rule under it.
    pub fn heading(&mut self, text: &str) {
        self.need(16.0);
        self.y += 5.0;
        self.title(text, 12.0);
        let y = self.y - 0.5;
        self.sheet().line((LEFT, y), (RIGHT, y), 0.6);
        self.y += 1.5;
    }

    /// Wrapped text across the page.
    pub fn paragraph(&mut self, face: Face, size: f32, text: &str) {
        for line in pdf::wrap(face, size, text, RIGHT - LEFT) {
            self.need(line_height(size));
            self.y += line_height(size);
            let y = self.y - 0.25 * size / pdf::PT_PER_MM;
            self.sheet().text(LEFT, y, face, size, Align::Left, &line);
        }
    }

    /// A label and its value (wrapped in the value column).
    pub fn row(&mut self, label: &str, value: &str, face: Face) {
        // Monospaced values are hashes: small enough that 64 hex digits fit
        // on one line (and stay one word for pdftotext and for readers).
        let size = if face == Face::Mono { 8.5 } else { 9.5 };
        let width = RIGHT - LEFT - LABEL_WIDTH;
        let lines = pdf::wrap(face, size, value, width);
        self.need(lines.len() as f32 * line_height(size) + 1.0);
        let first = self.y + line_height(size) - 0.25 * size / pdf::PT_PER_MM;
        let label = pdf::fit(Face::Regular, 9.5, label, LABEL_WIDTH - 2.0);
        self.sheet()
            .text(LEFT, first, Face::Regular, 9.5, Align::Left, &label);
        for line in lines {
            self.y += line_height(size);
            let y = self.y - 0.25 * size / pdf::PT_PER_MM;
            self.sheet()
                .text(LEFT + LABEL_WIDTH, y, face, size, Align::Left, &line);
        }
        self.y += 1.0;
    }

    /// A QR code of `payload` at the left margin, with `caption` beside it.
    pub fn qr(&mut self, payload: &str, caption: &str) -> Result<()> {
        let qr = Qr::encode(payload)?;
        // Half-millimetre modules at least: an office scanner reads it off paper.
        let module = qr.module_for(40.0).max(0.5);
        let outer = qr.outer_size(module);
        self.need(outer + 2.0);
        let top = self.y + 1.0;
        qr.draw(self.sheet(), LEFT, top, module);
        let width = RIGHT - LEFT - outer - 4.0;
        let mut y = top + 4.0;
        for line in pdf::wrap(Face::Regular, 9.0, caption, width) {
            y += line_height(9.0);
            self.sheet()
                .text(LEFT + outer + 4.0, y, Face::Regular, 9.0, Align::Left, &line);
        }
        self.y = top + outer + 1.0;
        Ok(())
    }

    /// A big boxed figure ("Official ballots: 0").
    pub fn figure(&mut self, label: &str, value: &str) {
        self.need(20.0);
        self.y += 3.0;
        let top = self.y;
        self.sheet().frame(LEFT, top, RIGHT - LEFT, 15.0, 1.2);
        self.sheet()
            .text(LEFT + 5.0, top + 9.5, Face::Bold, 13.0, Align::Left, label);
        self.sheet()
            .text(RIGHT - 5.0, top + 11.0, Face::Bold, 24.0, Align::Right, value);
        self.y = top + 15.0 + 2.0;
    }

    /// Signature blocks for two officials, side by side.
    pub fn signatures(&mut self, statement: &str) {
        self.need(62.0);
        self.heading("Signatures");
        self.paragraph(Face::Regular, 9.0, statement);
        self.y += 4.0;
        let column = (RIGHT - LEFT - 10.0) / 2.0;
        let top = self.y;
        for i in 0..2 {
            let x = LEFT + i as f32 * (column + 10.0);
            let mut y = top;
            self.sheet().text(
                x,
                y + 4.0,
                Face::Bold,
                9.5,
                Align::Left,
                &format!("Official {}", i + 1),
            );
            y += 6.0;
            for field in ["Name", "Role", "Signature", "Date and time"] {
                y += 9.0;
                self.sheet().text(x, y, Face::Regular, 8.5, Align::Left, field);
                let start = x + 25.0;
                self.sheet().line((start, y + 0.5), (x + column, y + 0.5), 0.5);
            }
        }
        self.y = top + 6.0 + 4.0 * 9.0 + 4.0;
    }

    /// Adds "page i of n" footers and renders the PDF.
    pub fn finish(mut self, title: &str) -> Result<Vec<u8>> {
        let n = self.sheets.len();
        let footer = self.footer.clone();
        for (i, sheet) in self.sheets.iter_mut().enumerate() {
            let y = A4.1 - 10.0;
            sheet.line((LEFT, y - 4.0), (RIGHT, y - 4.0), 0.3);
            let text = pdf::fit(Face::Regular, 7.5, &footer, RIGHT - LEFT - 30.0);
            sheet.text(LEFT, y, Face::Regular, 7.5, Align::Left, &text);
            sheet.text(
                RIGHT,
                y,
                Face::Regular,
                7.5,
                Align::Right,
                &format!("Page {} of {n}", i + 1),
            );
        }
        pdf::render(title, &self.sheets)
    }
}

pub(super) const BAR_LEFT: f32 = LEFT + 64.0;
pub(super) const BAR_RIGHT: f32 = RIGHT - 38.0;

impl Report {
    /// One line of a contest: name, a bar drawn as a filled rectangle
    /// (`part / whole` of the bar column), the count and its percentage.
    pub fn bar(&mut self, name: &str, part: u64, whole: u64, bold: bool) {
        let size = 9.5;
        self.need(line_height(size) + 1.5);
        self.y += line_height(size) + 1.5;
        let base = self.y - 0.25 * size / pdf::PT_PER_MM - 0.5;
        let face = if bold { Face::Bold } else { Face::Regular };
        let name = pdf::fit(face, size, name, BAR_LEFT - LEFT - 3.0);
        let sheet = self.sheet();
        sheet.text(LEFT, base, face, size, Align::Left, &name);
        // The track, then the bar.
        let top = base - 3.2;
        sheet.fill(BAR_LEFT, top, BAR_RIGHT - BAR_LEFT, 3.6, 0.9);
        if whole > 0 && part > 0 {
            let w = (BAR_RIGHT - BAR_LEFT) * (part.min(whole) as f32 / whole as f32);
            sheet.fill(BAR_LEFT, top, w.max(0.4), 3.6, 0.0);
        }
        sheet.text(RIGHT - 16.0, base, face, size, Align::Right, &part.to_string());
        sheet.text(
            RIGHT,
            base,
            Face::Regular,
            size,
            Align::Right,
            &percent(part, whole),
        );
    }

    /// A line of small print under a contest.
    pub fn note(&mut self, text: &str) {
        for line in pdf::wrap(Face::Regular, 8.5, text, RIGHT - LEFT) {
            self.need(line_height(8.5));
            self.y += line_height(8.5);
            let y = self.y - 0.25 * 8.5 / pdf::PT_PER_MM;
            self.sheet().text(LEFT, y, Face::Regular, 8.5, Align::Left, &line);
        }
    }

    /// A bold outcome line ("Elected: ...").
    pub fn outcome(&mut self, text: &str) {
        self.y += 1.5;
        self.paragraph(Face::Bold, 10.0, text);
    }
}

/// `part` of `whole` as a percentage with one decimal ("-" for 0 of 0).
fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "-".into();
    }
    let tenths = (u128::from(part) * 1000 + u128::from(whole) / 2) / u128::from(whole);
    format!("{}.{}%", tenths / 10, tenths % 10)
}
