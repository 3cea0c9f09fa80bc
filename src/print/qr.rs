//! QR symbols drawn as vector rectangles (sharp at any printer
//! resolution), with the 4-module quiet zone the standard asks for.

use qrcode::{Color, EcLevel, QrCode};

use super::pdf::Sheet;
use crate::error::{Error, Result};

/// Light modules around the symbol on every side.
pub const QUIET_ZONE: usize = 4;

/// An encoded QR symbol.
pub struct Qr {
    width: usize,
    dark: Vec<bool>,
}

impl Qr {
    /// Encodes `payload` with error correction level Q (recovers about 25%
    /// of the symbol: creases, smudges, thermal fade).
    pub fn encode(payload: &str) -> Result<Qr> {
        let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::Q)
            .map_err(|e| Error::PrintDocument(format!("cannot encode the QR code: {e}")))?;
        Ok(Qr {
            width: code.width(),
            dark: code.to_colors().into_iter().map(|c| c == Color::Dark).collect(),
        })
    }

    /// Encodes every payload, split over the machine's cores (a batch of
    /// code slips: choosing each symbol's mask is most of the work).
    pub fn encode_many(payloads: &[&str]) -> Result<Vec<Qr>> {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8);
        if threads == 1 || payloads.len() < 16 {
            return payloads.iter().map(|p| Qr::encode(p)).collect();
        }
        let per = payloads.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let workers: Vec<_> = payloads
                .chunks(per)
                .map(|part| {
                    scope.spawn(move || part.iter().map(|p| Qr::encode(p)).collect::<Result<Vec<_>>>())
                })
                .collect();
            let mut all = Vec::with_capacity(payloads.len());
            for w in workers {
                all.extend(
                    w.join()
                        .map_err(|_| Error::PrintDocument("a QR encoding thread failed".into()))??,
                );
            }
            Ok(all)
        })
    }

    /// Modules per side, without the quiet zone.
    pub fn modules(&self) -> usize {
        self.width
    }

    /// The module size that makes the symbol itself (without the quiet zone)
    /// at least `min_mm` wide, rounded up to a whole number of 203-dpi
    /// thermal-printer dots (1/8 mm) so every module prints the same.
    pub fn module_for(&self, min_mm: f32) -> f32 {
        let raw = min_mm / self.width as f32;
        (raw * 8.0).ceil() / 8.0
    }

    /// The side of the symbol plus its quiet zone, in mm.
    pub fn outer_size(&self, module: f32) -> f32 {
        (self.width + 2 * QUIET_ZONE) as f32 * module
    }

    /// Draws the symbol with the top-left corner of its quiet zone at
    /// (`x`, `y`). Each row's runs of dark modules become one rectangle
    /// (one `re` operator), all filled at once. On a right-to-left sheet the
    /// symbol moves to the mirrored place, unmirrored.
    pub fn draw(&self, sheet: &mut Sheet, x: f32, y: f32, module: f32) {
        let x = sheet.block_x(x, self.outer_size(module));
        let origin_x = x + QUIET_ZONE as f32 * module;
        let origin_y = y + QUIET_ZONE as f32 * module;
        let mut rects = Vec::new();
        for row in 0..self.width {
            let mut col = 0;
            while col < self.width {
                if !self.dark[row * self.width + col] {
                    col += 1;
                    continue;
                }
                let start = col;
                while col < self.width && self.dark[row * self.width + col] {
                    col += 1;
                }
                rects.push([
                    origin_x + start as f32 * module,
                    origin_y + row as f32 * module,
                    (col - start) as f32 * module,
                    module,
                ]);
            }
        }
        sheet.fill_symbol(rects);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_size_reaches_the_minimum_on_whole_dots() {
        let qr = Qr::encode("VK1:0123456789abcdef:ABCD-EFGH-JKMN-PQRS").expect("qr");
        let m = qr.module_for(30.0);
        assert!(m * qr.modules() as f32 >= 30.0);
        assert_eq!((m * 8.0).fract(), 0.0);
        assert!(qr.outer_size(m) > 30.0 + 8.0 * m - 0.001);
    }
}
