//! A poll worker's closing-key slip: 80 mm roll, in English (it is for
//! officials). It shows the worker's name, "share 2 of 3" and the number
//! needed, the station id, the closing key's fingerprint, the QR of the
//! sealed share (`VKS2:…`) and the warning to keep it on their person.
//!
//! The payload is the share sealed under the worker's PIN: print it, never
//! save it (the PDF bytes are as sensitive as the slip).

use super::pdf::{self, line_height, Align, Face, Sheet, ROLL_WIDTH};
use super::qr::Qr;
use crate::definition::ElectionDefinition;
use crate::error::Result;

/// What one slip shows.
pub struct ShareSlipView<'a> {
    pub worker: &'a str,
    pub index: u8,
    pub count: u8,
    pub threshold: u8,
    pub station_id: &'a str,
    /// The closing key's fingerprint (8 groups of 4 hex digits).
    pub fingerprint: &'a str,
    /// The QR payload, `VKS2:…`.
    pub payload: &'a str,
}

const MARGIN: f32 = 5.0;
const SLIP_QR_MM: f32 = 40.0;

/// The slip as PDF bytes.
pub fn share_slip(definition: &ElectionDefinition, slip: &ShareSlipView<'_>) -> Result<Vec<u8>> {
    let width = ROLL_WIDTH - 2.0 * MARGIN;
    let centre = ROLL_WIDTH / 2.0;
    let mut sheet = Sheet::new(ROLL_WIDTH, 0.0);
    let mut y = 4.0;
    let title = super::labels::pick(definition, &definition.title, definition.default_language());
    y = sheet.paragraph(MARGIN, y, width, Face::Bold, 10.0, Align::Centre, title);
    y += 3.0;
    sheet.text(
        centre,
        y + 3.0,
        Face::Bold,
        12.0,
        Align::Centre,
        "Closing key slip",
    );
    y += line_height(12.0) + 2.0;
    let worker = pdf::fit(Face::Bold, 14.0, slip.worker, width);
    sheet.text(centre, y + 3.0, Face::Bold, 14.0, Align::Centre, &worker);
    y += line_height(14.0);
    let share = format!("share {} of {}", slip.index, slip.count);
    sheet.text(centre, y + 3.0, Face::Regular, 11.0, Align::Centre, &share);
    y += line_height(11.0);
    let needed = format!(
        "{} of the {} slips are needed to count",
        slip.threshold, slip.count
    );
    sheet.text(centre, y + 3.0, Face::Regular, 8.5, Align::Centre, &needed);
    y += line_height(8.5) + 1.0;
    let station = pdf::fit(Face::Regular, 9.0, &format!("Station {}", slip.station_id), width);
    sheet.text(centre, y + 3.0, Face::Regular, 9.0, Align::Centre, &station);
    y += line_height(9.0) + 1.0;

    let qr = Qr::encode(slip.payload)?;
    let module = qr.module_for(SLIP_QR_MM);
    let outer = qr.outer_size(module);
    qr.draw(&mut sheet, centre - outer / 2.0, y, module);
    y += outer + 2.0;

    sheet.text(centre, y + 2.5, Face::Regular, 8.0, Align::Centre, "Closing key");
    y += line_height(8.0);
    let groups: Vec<&str> = slip.fingerprint.split(' ').collect();
    let half = groups.len().div_ceil(2);
    for line in [groups[..half].join(" "), groups[half..].join(" ")] {
        sheet.text(centre, y + 2.5, Face::Mono, 9.5, Align::Centre, &line);
        y += line_height(9.5);
    }
    y += 2.0;
    y = sheet.paragraph(
        MARGIN,
        y,
        width,
        Face::Bold,
        9.0,
        Align::Centre,
        "Keep this on you; never leave it at the kiosk. Your PIN opens it: never write the PIN down here.",
    );
    y += 3.0;
    sheet.dashed((0.0, y), (ROLL_WIDTH, y), 0.5);
    sheet.height = y + 1.0;
    pdf::render("votekiosk closing key slip", &[sheet])
}
