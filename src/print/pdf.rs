//! A small drawing kit over `printpdf`: sheets laid out top-down in
//! millimetres, text in the embedded DejaVu fonts, filled boxes and lines,
//! turned into PDF bytes by [`render`]. No I/O.
//!
//! Fonts are compiled in (`assets/fonts/`), so a document never depends on
//! the machine's fonts. Each document embeds only the glyphs it uses:
//! [`render`] subsets every font to the characters on its sheets (allsorts)
//! before printpdf embeds it. Text is measured with the fonts' advance
//! widths, without kerning or shaping, exactly as printpdf writes it;
//! scripts that need shaping (Arabic, Indic) or right-to-left ordering are
//! printed in logical order, unshaped.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use printpdf::{
    Color, FontId, Greyscale, Line, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle,
    PdfPage, PdfSaveOptions, Point, Polygon, PolygonRing, Pt, TextItem, WindingOrder,
};

use crate::error::{Error, Result};

/// Points per millimetre.
pub const PT_PER_MM: f32 = 72.0 / 25.4;
/// A4 portrait, in millimetres.
pub const A4: (f32, f32) = (210.0, 297.0);
/// The width of a thermal receipt roll, in millimetres.
pub const ROLL_WIDTH: f32 = 80.0;

/// The typefaces every document may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Face {
    Regular,
    Bold,
    /// Monospaced bold: receipt ids, voter codes, hashes.
    Mono,
}

const FACES: [Face; 3] = [Face::Regular, Face::Bold, Face::Mono];

impl Face {
    fn index(self) -> usize {
        match self {
            Face::Regular => 0,
            Face::Bold => 1,
            Face::Mono => 2,
        }
    }

    fn bytes(self) -> &'static [u8] {
        match self {
            Face::Regular => include_bytes!("../../assets/fonts/DejaVuSans.ttf"),
            Face::Bold => include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf"),
            Face::Mono => include_bytes!("../../assets/fonts/DejaVuSansMono-Bold.ttf"),
        }
    }

    /// The whole font, parsed once: character map and advance widths.
    fn font(self) -> &'static ParsedFont {
        static FONTS: OnceLock<Vec<ParsedFont>> = OnceLock::new();
        let fonts = FONTS.get_or_init(|| {
            FACES
                .iter()
                .map(|face| {
                    // The fonts are compiled in; one that does not parse is a
                    // broken build, not a runtime condition.
                    ParsedFont::from_bytes(face.bytes(), 0, &mut Vec::new())
                        .unwrap_or_else(|| panic!("the embedded {face:?} font does not parse"))
                })
                .collect()
        });
        &fonts[self.index()]
    }

    /// Whether this face has a glyph for `c`.
    pub fn has(self, c: char) -> bool {
        c == ' ' || self.font().lookup_glyph_index(c as u32).is_some_and(|g| g != 0)
    }

    /// Whether every character of `text` can be drawn in this face.
    pub fn covers(self, text: &str) -> bool {
        text.chars().all(|c| c == '\n' || self.has(c))
    }

    /// The width of `text` at `size` points, in millimetres.
    pub fn width(self, size: f32, text: &str) -> f32 {
        let font = self.font();
        let units: u32 = text
            .chars()
            .map(|c| {
                let gid = font.lookup_glyph_index(c as u32).unwrap_or(0);
                u32::from(font.get_glyph_width(gid).unwrap_or(0))
            })
            .sum();
        units as f32 / f32::from(font.units_per_em.max(1)) * size / PT_PER_MM
    }

    /// Height of capital letters at `size` points, in millimetres (for
    /// centring text in a box).
    pub fn cap_height(self, size: f32) -> f32 {
        0.73 * size / PT_PER_MM
    }
}

/// A line height for `size` points, in millimetres.
pub fn line_height(size: f32) -> f32 {
    1.25 * size / PT_PER_MM
}

/// Breaks `text` into lines no wider than `max_width` mm (at line feeds,
/// then between words; a word longer than a line is cut).
pub fn wrap(face: Face, size: f32, text: &str, max_width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if face.width(size, &candidate) <= max_width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // A word wider than the line: cut it into pieces that fit.
            let mut piece = String::new();
            for c in word.chars() {
                piece.push(c);
                if face.width(size, &piece) > max_width && piece.chars().count() > 1 {
                    piece.pop();
                    lines.push(std::mem::take(&mut piece));
                    piece.push(c);
                }
            }
            line = piece;
        }
        lines.push(line);
    }
    lines
}

/// Shortens `text` with an ellipsis so it fits in `max_width` mm.
pub fn fit(face: Face, size: f32, text: &str, max_width: f32) -> String {
    if face.width(size, text) <= max_width {
        return text.to_string();
    }
    let mut out: String = text.to_string();
    while !out.is_empty() && face.width(size, &format!("{out}…")) > max_width {
        out.pop();
    }
    format!("{}…", out.trim_end())
}

#[derive(Debug, Clone)]
enum Mark {
    Text {
        x: f32,
        baseline: f32,
        face: Face,
        size: f32,
        text: String,
        grey: f32,
    },
    /// Filled rectangles, drawn as one path (no seams between neighbours).
    Boxes { rects: Vec<[f32; 4]>, grey: f32 },
    /// A rectangle outline.
    Frame { rect: [f32; 4], width_pt: f32 },
    Line {
        from: (f32, f32),
        to: (f32, f32),
        width_pt: f32,
        dash: Option<(f32, f32)>,
        grey: f32,
    },
}

/// One page, laid out from its top-left corner in millimetres.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub width: f32,
    pub height: f32,
    marks: Vec<Mark>,
}

/// Horizontal alignment of a line of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Centre,
    Right,
}

impl Sheet {
    pub fn new(width: f32, height: f32) -> Sheet {
        Sheet {
            width,
            height,
            marks: Vec::new(),
        }
    }

    /// One line of black text with its baseline at `baseline` mm from the top;
    /// `x` is the left edge, the centre or the right edge depending on `align`.
    pub fn text(&mut self, x: f32, baseline: f32, face: Face, size: f32, align: Align, text: &str) {
        self.text_grey(x, baseline, face, size, align, text, 0.0);
    }

    /// Like [`Sheet::text`], in a grey from 0 (black) to 1 (white).
    #[allow(clippy::too_many_arguments)]
    pub fn text_grey(
        &mut self,
        x: f32,
        baseline: f32,
        face: Face,
        size: f32,
        align: Align,
        text: &str,
        grey: f32,
    ) {
        // Characters the font lacks become "?" rather than invisible boxes.
        let text: String = text.chars().map(|c| if face.has(c) { c } else { '?' }).collect();
        let width = face.width(size, &text);
        let x = match align {
            Align::Left => x,
            Align::Centre => x - width / 2.0,
            Align::Right => x - width,
        };
        self.marks.push(Mark::Text {
            x,
            baseline,
            face,
            size,
            text,
            grey,
        });
    }

    /// Wrapped text starting with its first baseline at `top + ascent`;
    /// returns the y just below the last line.
    #[allow(clippy::too_many_arguments)]
    pub fn paragraph(
        &mut self,
        x: f32,
        top: f32,
        width: f32,
        face: Face,
        size: f32,
        align: Align,
        text: &str,
    ) -> f32 {
        let mut y = top;
        let anchor = match align {
            Align::Left => x,
            Align::Centre => x + width / 2.0,
            Align::Right => x + width,
        };
        for line in wrap(face, size, text, width) {
            y += line_height(size);
            self.text(anchor, y - 0.25 * size / PT_PER_MM, face, size, align, &line);
        }
        y
    }

    /// A filled rectangle (grey 0 = black).
    pub fn fill(&mut self, x: f32, y: f32, w: f32, h: f32, grey: f32) {
        self.marks.push(Mark::Boxes {
            rects: vec![[x, y, w, h]],
            grey,
        });
    }

    /// Many black rectangles filled as one shape (QR modules, bars).
    pub fn fill_all(&mut self, rects: Vec<[f32; 4]>) {
        if !rects.is_empty() {
            self.marks.push(Mark::Boxes { rects, grey: 0.0 });
        }
    }

    /// A rectangle outline.
    pub fn frame(&mut self, x: f32, y: f32, w: f32, h: f32, width_pt: f32) {
        self.marks.push(Mark::Frame {
            rect: [x, y, w, h],
            width_pt,
        });
    }

    /// A solid black line.
    pub fn line(&mut self, from: (f32, f32), to: (f32, f32), width_pt: f32) {
        self.marks.push(Mark::Line {
            from,
            to,
            width_pt,
            dash: None,
            grey: 0.0,
        });
    }

    /// A dashed grey line (cut lines).
    pub fn dashed(&mut self, from: (f32, f32), to: (f32, f32), width_pt: f32) {
        self.marks.push(Mark::Line {
            from,
            to,
            width_pt,
            dash: Some((3.0, 2.0)),
            grey: 0.4,
        });
    }

    fn to_ops(&self, font_ids: &[FontId]) -> Vec<Op> {
        let pt = |mm: f32| Pt(mm * PT_PER_MM);
        // PDF space has its origin at the bottom left.
        let point = |x: f32, y: f32| Point {
            x: pt(x),
            y: pt(self.height - y),
        };
        let grey = |g: f32| {
            Color::Greyscale(Greyscale {
                percent: g,
                icc_profile: None,
            })
        };
        let mut ops = Vec::new();
        for mark in &self.marks {
            match mark {
                Mark::Text {
                    x,
                    baseline,
                    face,
                    size,
                    text,
                    grey: g,
                } => ops.extend([
                    Op::SetFillColor { col: grey(*g) },
                    Op::StartTextSection,
                    Op::SetFont {
                        font: PdfFontHandle::External(font_ids[face.index()].clone()),
                        size: Pt(*size),
                    },
                    Op::SetTextCursor {
                        pos: point(*x, *baseline),
                    },
                    Op::ShowText {
                        items: vec![TextItem::Text(text.clone())],
                    },
                    Op::EndTextSection,
                ]),
                Mark::Boxes { rects, grey: g } => {
                    let rings = rects
                        .iter()
                        .map(|[x, y, w, h]| PolygonRing {
                            points: [(*x, *y), (x + w, *y), (x + w, y + h), (*x, y + h)]
                                .into_iter()
                                .map(|(px, py)| LinePoint {
                                    p: point(px, py),
                                    bezier: false,
                                })
                                .collect(),
                        })
                        .collect();
                    ops.push(Op::SetFillColor { col: grey(*g) });
                    ops.push(Op::DrawPolygon {
                        polygon: Polygon {
                            rings,
                            mode: PaintMode::Fill,
                            winding_order: WindingOrder::NonZero,
                        },
                    });
                }
                Mark::Frame {
                    rect: [x, y, w, h],
                    width_pt,
                } => {
                    ops.push(Op::SetOutlineColor { col: grey(0.0) });
                    ops.push(Op::SetOutlineThickness { pt: Pt(*width_pt) });
                    ops.push(Op::SetLineDashPattern {
                        dash: printpdf::LineDashPattern::solid(),
                    });
                    ops.push(Op::DrawPolygon {
                        polygon: Polygon {
                            rings: vec![PolygonRing {
                                points: [(*x, *y), (x + w, *y), (x + w, y + h), (*x, y + h)]
                                    .into_iter()
                                    .map(|(px, py)| LinePoint {
                                        p: point(px, py),
                                        bezier: false,
                                    })
                                    .collect(),
                            }],
                            mode: PaintMode::Stroke,
                            winding_order: WindingOrder::NonZero,
                        },
                    });
                }
                Mark::Line {
                    from,
                    to,
                    width_pt,
                    dash,
                    grey: g,
                } => {
                    ops.push(Op::SetOutlineColor { col: grey(*g) });
                    ops.push(Op::SetOutlineThickness { pt: Pt(*width_pt) });
                    ops.push(Op::SetLineDashPattern {
                        dash: match dash {
                            Some((on, off)) => {
                                printpdf::LineDashPattern::new(0.0, &[on * PT_PER_MM, off * PT_PER_MM])
                            }
                            None => printpdf::LineDashPattern::solid(),
                        },
                    });
                    ops.push(Op::DrawLine {
                        line: Line {
                            points: vec![
                                LinePoint {
                                    p: point(from.0, from.1),
                                    bezier: false,
                                },
                                LinePoint {
                                    p: point(to.0, to.1),
                                    bezier: false,
                                },
                            ],
                            is_closed: false,
                        },
                    });
                }
            }
        }
        ops
    }
}

/// A copy of `face` holding only the glyphs for `chars`, parsed for printpdf.
fn subset(face: Face, chars: &BTreeSet<char>) -> Result<ParsedFont> {
    use allsorts::binary::read::ReadScope;
    use allsorts::font_data::FontData;
    use allsorts::subset::{CmapTarget, SubsetProfile};

    let failed =
        |what: &str, e: &dyn std::fmt::Display| Error::PrintDocument(format!("font {face:?}: {what}: {e}"));
    let full = face.font();
    // Glyph 0 (.notdef) first, then each used glyph once, in order.
    let glyphs: BTreeSet<u16> = chars
        .iter()
        .filter_map(|c| full.lookup_glyph_index(*c as u32))
        .filter(|g| *g != 0)
        .collect();
    let ids: Vec<u16> = std::iter::once(0).chain(glyphs).collect();
    let scope = ReadScope::new(face.bytes());
    let data = scope.read::<FontData<'_>>().map_err(|e| failed("read", &e))?;
    let provider = data.table_provider(0).map_err(|e| failed("tables", &e))?;
    let bytes = allsorts::subset::subset(&provider, &ids, &SubsetProfile::Pdf, CmapTarget::Unicode)
        .map_err(|e| failed("subset", &e))?;
    ParsedFont::from_bytes(&bytes, 0, &mut Vec::new())
        .ok_or_else(|| Error::PrintDocument(format!("font {face:?}: the subset does not parse")))
}

/// Turns sheets into the bytes of one PDF document titled `title`.
///
/// The document's dates stay at printpdf's default (the Unix epoch): the
/// file says nothing about when it was made beyond what is printed on it.
pub fn render(title: &str, sheets: &[Sheet]) -> Result<Vec<u8>> {
    let mut used: BTreeMap<Face, BTreeSet<char>> = BTreeMap::new();
    for sheet in sheets {
        for mark in &sheet.marks {
            if let Mark::Text { face, text, .. } = mark {
                used.entry(*face).or_default().extend(text.chars());
            }
        }
    }
    let mut doc = PdfDocument::new(title);
    let mut font_ids = Vec::new();
    for face in FACES {
        let chars = used.get(&face).cloned().unwrap_or_default();
        let id = FontId(format!("F{}", face.index() + 1));
        if !chars.is_empty() {
            let font = subset(face, &chars)?;
            doc.resources
                .fonts
                .map
                .insert(id.clone(), printpdf::PdfFont::new(font));
        }
        font_ids.push(id);
    }
    let pages = sheets
        .iter()
        .map(|s| PdfPage::new(Mm(s.width), Mm(s.height), s.to_ops(&font_ids)))
        .collect();
    let mut warnings = Vec::new();
    let options = PdfSaveOptions {
        subset_fonts: false,
        ..PdfSaveOptions::default()
    };
    Ok(doc.with_pages(pages).save(&options, &mut warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fonts_cover_the_demo_languages() {
        for face in FACES {
            assert!(face.covers("Elección Municipal ¿Debe? ñ ü é — · …"), "{face:?}");
        }
        assert!(!Face::Regular.covers("選挙"));
    }

    #[test]
    fn widths_scale_with_size_and_wrap_respects_them() {
        let w10 = Face::Regular.width(10.0, "Riverside");
        let w20 = Face::Regular.width(20.0, "Riverside");
        assert!((w20 - 2.0 * w10).abs() < 0.001);
        let text = "Shall the city issue $4 million in bonds to renovate the main library?";
        for line in wrap(Face::Regular, 10.0, text, 40.0) {
            assert!(Face::Regular.width(10.0, &line) <= 40.0, "{line}");
        }
        assert_eq!(wrap(Face::Regular, 10.0, "a\nb", 100.0), vec!["a", "b"]);
        let long = "x".repeat(200);
        assert!(wrap(Face::Mono, 10.0, &long, 30.0).len() > 3);
    }

    #[test]
    fn renders_a_pdf_with_subset_fonts() {
        let mut sheet = Sheet::new(80.0, 100.0);
        sheet.text(5.0, 10.0, Face::Bold, 12.0, Align::Left, "Elección");
        sheet.text(40.0, 20.0, Face::Mono, 12.0, Align::Centre, "ABCD-EFGH");
        sheet.fill_all(vec![[5.0, 30.0, 2.0, 2.0], [7.0, 30.0, 2.0, 2.0]]);
        let pdf = render("test", &[sheet]).expect("render");
        assert!(pdf.starts_with(b"%PDF-"));
        // Three subset fonts: far smaller than the 1.8 MB of full fonts.
        assert!(pdf.len() < 80_000, "{} bytes", pdf.len());
    }
}
