//! A small drawing kit over `printpdf`: sheets laid out top-down in
//! millimetres, text in the embedded DejaVu fonts, filled boxes and lines,
//! turned into PDF bytes by [`render`]. No I/O.
//!
//! Fonts are compiled in (`assets/fonts/`), so a document never depends on
//! the machine's fonts. Each document embeds only the glyphs it uses:
//! [`render`] subsets every font once per document (allsorts) before
//! printpdf embeds it.
//!
//! Text is measured with the fonts' advance widths, exactly as it is drawn.
//! A line holding right-to-left script (Arabic, Hebrew) is put in visual
//! order with the Unicode bidirectional algorithm (`unicode-bidi`), and each
//! right-to-left run is shaped with the font's OpenType GSUB tables
//! (allsorts: Arabic joining forms and the lam-alef ligature) and drawn as
//! glyph ids, each mapped back to the characters it stands for so that
//! copying and searching the PDF give the words. Other text is drawn
//! character by character (no kerning), as before. A sheet marked
//! [`Sheet::rtl`] mirrors its layout (text alignment and positions, boxes,
//! QR symbols as whole blocks, never their modules).
//!
//! Content streams are compressed by [`render`] itself, at
//! [`DEFLATE_LEVEL`], on every core (BENCHMARKS.md has the measurements).

use std::cell::RefCell;
use std::io::Write;
use std::sync::OnceLock;

use printpdf::{
    Codepoint, Color, DictItem, FontId, Greyscale, Line, LinePoint, Mm, Op, PaintMode, ParsedFont,
    PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Polygon, PolygonRing, Pt, TextItem,
    WindingOrder,
};

use crate::error::{Error, Result};

/// Points per millimetre.
pub const PT_PER_MM: f32 = 72.0 / 25.4;
/// A4 portrait, in millimetres.
pub const A4: (f32, f32) = (210.0, 297.0);
/// The width of a thermal receipt roll, in millimetres.
pub const ROLL_WIDTH: f32 = 80.0;
/// The zlib level of every content stream. Measured on the 10,000-code
/// slip PDF (BENCHMARKS.md, "Code slips"): level 9, printpdf's default,
/// spends most of the document's time for 2% smaller files than level 3.
pub const DEFLATE_LEVEL: u32 = 3;

/// The typefaces every document may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Face {
    Regular,
    Bold,
    /// Monospaced bold: receipt ids, voter codes, hashes.
    Mono,
}

const FACES: [Face; 3] = [Face::Regular, Face::Bold, Face::Mono];

/// The allsorts view of a face, for shaping (one per thread: allsorts
/// keeps its layout caches in the font).
type Shaper = allsorts::Font<allsorts::font_data::DynamicFontTableProvider<'static>>;

thread_local! {
    static SHAPERS: RefCell<Vec<Option<Shaper>>> = RefCell::new((0..FACES.len()).map(|_| None).collect());
}

/// Whether `c` needs the bidirectional algorithm or shaping: Hebrew,
/// Arabic, Syriac, Thaana, N'Ko and their presentation forms, and the
/// explicit direction marks.
fn is_complex(c: char) -> bool {
    matches!(c as u32, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x200E | 0x200F | 0x202A..=0x202E | 0x2066..=0x2069)
}

/// Whether a line of `text` is drawn through the shaper.
pub fn needs_shaping(text: &str) -> bool {
    text.chars().any(is_complex)
}

/// A character as a right-to-left run shows it (Unicode Bidi_Mirroring_Glyph
/// for the brackets and quotes the documents use). Its own inverse.
fn mirror(c: char) -> char {
    match c {
        '(' => ')',
        ')' => '(',
        '[' => ']',
        ']' => '[',
        '{' => '}',
        '}' => '{',
        '<' => '>',
        '>' => '<',
        '«' => '»',
        '»' => '«',
        '‹' => '›',
        '›' => '‹',
        c => c,
    }
}

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

    fn glyph(self, c: char) -> u16 {
        self.font().lookup_glyph_index(c as u32).unwrap_or(0)
    }

    fn advance(self, gid: u16) -> u32 {
        u32::from(self.font().get_glyph_width(gid).unwrap_or(0))
    }

    /// Whether this face has a glyph for `c`.
    pub fn has(self, c: char) -> bool {
        c == ' ' || self.glyph(c) != 0
    }

    /// Whether every character of `text` can be drawn in this face.
    pub fn covers(self, text: &str) -> bool {
        text.chars().all(|c| c == '\n' || self.has(c))
    }

    /// The width of `text` at `size` points, in millimetres, as drawn
    /// (shaped, when it holds right-to-left script).
    pub fn width(self, size: f32, text: &str) -> f32 {
        let units: u32 = if needs_shaping(text) {
            self.shape_line(text).iter().map(|(g, _)| self.advance(*g)).sum()
        } else {
            text.chars().map(|c| self.advance(self.glyph(c))).sum()
        };
        units as f32 / f32::from(self.font().units_per_em.max(1)) * size / PT_PER_MM
    }

    /// Height of capital letters at `size` points, in millimetres (for
    /// centring text in a box).
    pub fn cap_height(self, size: f32) -> f32 {
        0.73 * size / PT_PER_MM
    }

    /// One line of text as glyphs in drawing (visual, left-to-right) order,
    /// each with the characters it stands for (several for a ligature).
    /// Runs are found and ordered by the Unicode bidirectional algorithm;
    /// right-to-left runs are mirrored and shaped with the font's GSUB
    /// (Arabic joining forms, lam-alef), then reversed.
    pub fn shape_line(self, text: &str) -> Vec<(u16, String)> {
        let bidi = unicode_bidi::BidiInfo::new(text, None);
        let mut out = Vec::with_capacity(text.len());
        for para in &bidi.paragraphs {
            let (levels, runs) = bidi.visual_runs(para, para.range.clone());
            for run in runs {
                let piece = &text[run.clone()];
                if levels[run.start].is_rtl() {
                    let mirrored: String = piece.chars().map(mirror).collect();
                    let mut glyphs = self.shape_rtl(&mirrored);
                    glyphs.reverse();
                    out.extend(glyphs);
                } else {
                    out.extend(
                        piece
                            .chars()
                            .filter(
                                |c| !matches!(*c as u32, 0x200E | 0x200F | 0x202A..=0x202E | 0x2066..=0x2069),
                            )
                            .map(|c| (self.glyph(c), c.to_string())),
                    );
                }
            }
        }
        // A glyph the font lacks prints as "?", as unshaped text does.
        let question = self.glyph('?');
        for (g, _) in &mut out {
            if *g == 0 {
                *g = question;
            }
        }
        out
    }

    /// A right-to-left run shaped in logical order (Arabic script rules).
    fn shape_rtl(self, text: &str) -> Vec<(u16, String)> {
        use allsorts::font::MatchingPresentation;
        use allsorts::gsub::{FeatureMask, FeatureMaskExt};
        use allsorts::tag;
        SHAPERS.with(|cell| {
            let mut shapers = cell.borrow_mut();
            let slot = &mut shapers[self.index()];
            if slot.is_none() {
                *slot = make_shaper(self);
            }
            let Some(font) = slot.as_mut() else {
                // No shaper (cannot happen with the embedded fonts): the
                // characters' own glyphs, unjoined.
                return text.chars().map(|c| (self.glyph(c), c.to_string())).collect();
            };
            let glyphs = font.map_glyphs(text, tag::ARAB, MatchingPresentation::NotRequired);
            let infos = match font.shape(
                glyphs,
                tag::ARAB,
                None,
                FeatureMask::default_mask(),
                &[],
                None,
                false,
            ) {
                Ok(infos) => infos,
                // allsorts applies what it can and says what it could not.
                Err((_, infos)) => infos,
            };
            infos
                .iter()
                .map(|info| {
                    let gid = info.glyph.glyph_index;
                    // A ligature stands for its letters as its presentation
                    // form (U+FEFB for lam-alef): one character, so that a
                    // reader reordering the line cannot reverse the letters
                    // inside it; NFKC folds it back into them.
                    let chars: String = match self.presentation_form(gid) {
                        Some(form) if info.glyph.unicodes.len() > 1 => form.to_string(),
                        _ => info.glyph.unicodes.iter().map(|c| mirror(*c)).collect(),
                    };
                    (gid, chars)
                })
                .collect()
        })
    }
}

impl Face {
    /// The Arabic presentation-form character the font maps to glyph
    /// `gid`, if any (U+FB50-U+FDFF, U+FE70-U+FEFF).
    fn presentation_form(self, gid: u16) -> Option<char> {
        static FORMS: OnceLock<Vec<std::collections::HashMap<u16, char>>> = OnceLock::new();
        let forms = FORMS.get_or_init(|| {
            FACES
                .iter()
                .map(|face| {
                    (0xFB50..=0xFDFF_u32)
                        .chain(0xFE70..=0xFEFF)
                        .filter_map(char::from_u32)
                        .filter_map(|c| {
                            Some((face.font().lookup_glyph_index(c as u32).filter(|g| *g != 0)?, c))
                        })
                        .collect()
                })
                .collect()
        });
        forms[self.index()].get(&gid).copied()
    }
}

fn make_shaper(face: Face) -> Option<Shaper> {
    use allsorts::binary::read::ReadScope;
    use allsorts::font_data::FontData;
    let data = ReadScope::new(face.bytes()).read::<FontData<'static>>().ok()?;
    let provider = data.table_provider(0).ok()?;
    allsorts::Font::new(provider).ok()
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

/// What a text mark draws.
#[derive(Debug, Clone)]
enum Content {
    /// Characters, one glyph each, left to right.
    Plain(String),
    /// Shaped glyphs of the whole font (not yet subset), in visual order,
    /// each with the characters it stands for.
    Glyphs(Vec<(u16, String)>),
}

#[derive(Debug, Clone)]
enum Mark {
    Text {
        x: f32,
        baseline: f32,
        face: Face,
        size: f32,
        content: Content,
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
    /// Lay out right to left: every mark added while this is set is
    /// mirrored across the sheet's vertical centre line (text keeps its
    /// glyphs and swaps left and right alignment; QR symbols move as a
    /// whole and are never mirrored). Documents set it per block, from the
    /// language of the words they are about to print.
    pub rtl: bool,
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
            rtl: false,
            marks: Vec::new(),
        }
    }

    /// The left edge of a block `w` mm wide laid out at `x` (mirrored on a
    /// right-to-left sheet).
    pub fn block_x(&self, x: f32, w: f32) -> f32 {
        if self.rtl {
            self.width - x - w
        } else {
            x
        }
    }

    fn mirror_x(&self, x: f32) -> f32 {
        if self.rtl {
            self.width - x
        } else {
            x
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
        let (x, align) = if self.rtl {
            let swapped = match align {
                Align::Left => Align::Right,
                Align::Right => Align::Left,
                Align::Centre => Align::Centre,
            };
            (self.width - x, swapped)
        } else {
            (x, align)
        };
        // Characters the font lacks become "?" rather than invisible boxes.
        let text: String = text
            .chars()
            .map(|c| if face.has(c) || is_complex(c) { c } else { '?' })
            .collect();
        let width = face.width(size, &text);
        let x = match align {
            Align::Left => x,
            Align::Centre => x - width / 2.0,
            Align::Right => x - width,
        };
        let content = if needs_shaping(&text) {
            Content::Glyphs(face.shape_line(&text))
        } else {
            Content::Plain(text)
        };
        self.marks.push(Mark::Text {
            x,
            baseline,
            face,
            size,
            content,
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
        let x = self.block_x(x, w);
        self.marks.push(Mark::Boxes {
            rects: vec![[x, y, w, h]],
            grey,
        });
    }

    /// Many black rectangles filled as one shape (bars), each mirrored on
    /// a right-to-left sheet.
    pub fn fill_all(&mut self, mut rects: Vec<[f32; 4]>) {
        if self.rtl {
            for r in &mut rects {
                r[0] = self.width - r[0] - r[2];
            }
        }
        self.fill_symbol(rects);
    }

    /// Many black rectangles filled as one shape, exactly where given, on
    /// any sheet (a QR symbol: the caller places it with [`Sheet::block_x`]).
    pub fn fill_symbol(&mut self, rects: Vec<[f32; 4]>) {
        if !rects.is_empty() {
            self.marks.push(Mark::Boxes { rects, grey: 0.0 });
        }
    }

    /// A rectangle outline.
    pub fn frame(&mut self, x: f32, y: f32, w: f32, h: f32, width_pt: f32) {
        let x = self.block_x(x, w);
        self.marks.push(Mark::Frame {
            rect: [x, y, w, h],
            width_pt,
        });
    }

    /// A solid black line.
    pub fn line(&mut self, from: (f32, f32), to: (f32, f32), width_pt: f32) {
        self.marks.push(Mark::Line {
            from: (self.mirror_x(from.0), from.1),
            to: (self.mirror_x(to.0), to.1),
            width_pt,
            dash: None,
            grey: 0.0,
        });
    }

    /// A dashed grey line (cut lines).
    pub fn dashed(&mut self, from: (f32, f32), to: (f32, f32), width_pt: f32) {
        self.marks.push(Mark::Line {
            from: (self.mirror_x(from.0), from.1),
            to: (self.mirror_x(to.0), to.1),
            width_pt,
            dash: Some((3.0, 2.0)),
            grey: 0.4,
        });
    }

    /// The text of the sheet, mark by mark (tests, and what the subset needs).
    pub fn texts(&self) -> Vec<String> {
        self.marks
            .iter()
            .filter_map(|m| match m {
                Mark::Text {
                    content: Content::Plain(t),
                    ..
                } => Some(t.clone()),
                Mark::Text {
                    content: Content::Glyphs(g),
                    ..
                } => Some(g.iter().map(|(_, s)| s.as_str()).collect()),
                _ => None,
            })
            .collect()
    }

    fn to_ops(&self, font_ids: &[FontId], remaps: &[Vec<u16>]) -> Vec<Op> {
        // Coordinates in points, to 1/100 pt (a 203-dpi dot is 35/100 pt):
        // shorter numbers to write and compress, the same print.
        let pt = |mm: f32| (mm * PT_PER_MM * 100.0).round() / 100.0;
        // PDF space has its origin at the bottom left.
        let point = |x: f32, y: f32| Point {
            x: Pt(pt(x)),
            y: Pt(pt(self.height - y)),
        };
        let grey = |g: f32| {
            Color::Greyscale(Greyscale {
                percent: g,
                icc_profile: None,
            })
        };
        let raw = |key: &str, args: &[f32]| Op::Unknown {
            key: key.to_string(),
            value: args.iter().map(|a| DictItem::Real(*a)).collect(),
        };
        let mut ops = Vec::new();
        for mark in &self.marks {
            match mark {
                Mark::Text {
                    x,
                    baseline,
                    face,
                    size,
                    content,
                    grey: g,
                } => {
                    let item = match content {
                        Content::Plain(text) => TextItem::Text(text.clone()),
                        Content::Glyphs(glyphs) => TextItem::GlyphIds(
                            glyphs
                                .iter()
                                .map(|(gid, chars)| Codepoint {
                                    gid: remaps[face.index()].get(usize::from(*gid)).copied().unwrap_or(0),
                                    offset: 0.0,
                                    cid: Some(chars.clone()),
                                })
                                .collect(),
                        ),
                    };
                    ops.extend([
                        Op::SetFillColor { col: grey(*g) },
                        Op::StartTextSection,
                        Op::SetFont {
                            font: PdfFontHandle::External(font_ids[face.index()].clone()),
                            size: Pt(*size),
                        },
                        Op::SetTextCursor {
                            pos: point(*x, *baseline),
                        },
                        Op::ShowText { items: vec![item] },
                        Op::EndTextSection,
                    ])
                }
                Mark::Boxes { rects, grey: g } => {
                    // One `re` per rectangle, one fill for all of them.
                    ops.push(Op::SetFillColor { col: grey(*g) });
                    for [x, y, w, h] in rects {
                        let x0 = pt(*x);
                        let y0 = pt(self.height - y - h);
                        ops.push(raw("re", &[x0, y0, pt(x + w) - x0, pt(self.height - y) - y0]));
                    }
                    ops.push(raw("f", &[]));
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

/// A copy of `face` holding only the glyphs `glyphs` (whole-font ids,
/// ascending, without 0), parsed for printpdf, and the map from whole-font
/// glyph id to subset glyph id.
fn subset(face: Face, glyphs: &[u16]) -> Result<(ParsedFont, Vec<u16>)> {
    use allsorts::binary::read::ReadScope;
    use allsorts::font_data::FontData;
    use allsorts::subset::{CmapTarget, SubsetProfile};

    let failed =
        |what: &str, e: &dyn std::fmt::Display| Error::PrintDocument(format!("font {face:?}: {what}: {e}"));
    // Glyph 0 (.notdef) first, then each used glyph once, in order.
    let ids: Vec<u16> = std::iter::once(0).chain(glyphs.iter().copied()).collect();
    let mut remap = vec![0u16; usize::from(glyphs.iter().copied().max().unwrap_or(0)) + 1];
    for (new, old) in ids.iter().enumerate() {
        remap[usize::from(*old)] = u16::try_from(new).unwrap_or(0);
    }
    let scope = ReadScope::new(face.bytes());
    let data = scope.read::<FontData<'_>>().map_err(|e| failed("read", &e))?;
    let provider = data.table_provider(0).map_err(|e| failed("tables", &e))?;
    let bytes = allsorts::subset::subset(&provider, &ids, &SubsetProfile::Pdf, CmapTarget::Unicode)
        .map_err(|e| failed("subset", &e))?;
    let font = ParsedFont::from_bytes(&bytes, 0, &mut Vec::new())
        .ok_or_else(|| Error::PrintDocument(format!("font {face:?}: the subset does not parse")))?;
    Ok((font, remap))
}

/// How many threads to split a document's work over (the machine's cores).
fn threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
}

/// Turns sheets into the bytes of one PDF document titled `title`.
///
/// The document's dates stay at printpdf's default (the Unix epoch): the
/// file says nothing about when it was made beyond what is printed on it.
pub fn render(title: &str, sheets: &[Sheet]) -> Result<Vec<u8>> {
    render_at(title, sheets, DEFLATE_LEVEL)
}

/// [`render`] with content streams compressed at zlib `level` (0-9); for
/// the measurements that chose [`DEFLATE_LEVEL`].
pub fn render_at(title: &str, sheets: &[Sheet], level: u32) -> Result<Vec<u8>> {
    // Every glyph each face draws, once: the fonts are subset once per
    // document, however many pages it has.
    let mut used: Vec<Vec<bool>> = FACES.iter().map(|_| Vec::new()).collect();
    let mut mark_used = |face: Face, gid: u16| {
        let seen = &mut used[face.index()];
        let i = usize::from(gid);
        if seen.len() <= i {
            seen.resize(i + 1, false);
        }
        seen[i] = true;
    };
    let mut plain_seen: Vec<std::collections::BTreeSet<char>> =
        FACES.iter().map(|_| Default::default()).collect();
    for sheet in sheets {
        for mark in &sheet.marks {
            if let Mark::Text { face, content, .. } = mark {
                match content {
                    Content::Plain(text) => {
                        for c in text.chars() {
                            if plain_seen[face.index()].insert(c) {
                                mark_used(*face, face.glyph(c));
                            }
                        }
                    }
                    Content::Glyphs(glyphs) => {
                        for (gid, _) in glyphs {
                            mark_used(*face, *gid);
                        }
                    }
                }
            }
        }
    }
    let mut doc = PdfDocument::new(title);
    let mut font_ids = Vec::new();
    let mut remaps = Vec::new();
    for face in FACES {
        let glyphs: Vec<u16> = used[face.index()]
            .iter()
            .enumerate()
            .filter(|(g, on)| **on && *g != 0)
            .filter_map(|(g, _)| u16::try_from(g).ok())
            .collect();
        let id = FontId(format!("F{}", face.index() + 1));
        if glyphs.is_empty() {
            remaps.push(Vec::new());
        } else {
            let (font, remap) = subset(face, &glyphs)?;
            doc.resources
                .fonts
                .map
                .insert(id.clone(), printpdf::PdfFont::new(font));
            remaps.push(remap);
        }
        font_ids.push(id);
    }
    // Pages' operators, on every core.
    let per = sheets.len().div_ceil(threads()).max(1);
    let pages: Vec<PdfPage> = std::thread::scope(|scope| {
        let workers: Vec<_> = sheets
            .chunks(per)
            .map(|part| {
                let (font_ids, remaps) = (&font_ids, &remaps);
                scope.spawn(move || {
                    part.iter()
                        .map(|s| PdfPage::new(Mm(s.width), Mm(s.height), s.to_ops(font_ids, remaps)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .map_err(|_| Error::PrintDocument("a page layout thread failed".into()))
            })
            .collect::<Result<Vec<_>>>()
    })?
    .into_iter()
    .flatten()
    .collect();
    let mut warnings = Vec::new();
    let options = PdfSaveOptions {
        // Compressed below, at `level`, on every core.
        optimize: false,
        // Subset above, once.
        subset_fonts: false,
        // Our own operators (`re`, `f`) are written as given.
        secure: false,
        ..PdfSaveOptions::default()
    };
    let mut lo = printpdf::serialize::to_lopdf_doc(doc.with_pages(pages), &options, &mut warnings);
    compress(&mut lo, level)?;
    let mut out = Vec::new();
    lo.save_to(&mut out)
        .map_err(|e| Error::PrintDocument(format!("cannot write the PDF: {e}")))?;
    Ok(out)
}

/// Deflates every stream that is not compressed yet (as `lopdf`'s own
/// `compress`, at `level` and on every core).
fn compress(doc: &mut lopdf::Document, level: u32) -> Result<()> {
    let mut streams: Vec<&mut lopdf::Stream> = doc
        .objects
        .values_mut()
        .filter_map(|o| match o {
            lopdf::Object::Stream(s) if s.allows_compression && s.dict.get(b"Filter").is_err() => Some(s),
            _ => None,
        })
        .collect();
    let per = streams.len().div_ceil(threads()).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = streams
            .chunks_mut(per)
            .map(|part| {
                scope.spawn(move || -> std::io::Result<()> {
                    for stream in part.iter_mut() {
                        let mut z = flate2::write::ZlibEncoder::new(
                            Vec::new(),
                            flate2::Compression::new(level.min(9)),
                        );
                        z.write_all(&stream.content)?;
                        let packed = z.finish()?;
                        if packed.len() + 19 < stream.content.len() {
                            stream.dict.set("Filter", "FlateDecode");
                            stream.set_content(packed);
                        }
                    }
                    Ok(())
                })
            })
            .collect();
        for w in workers {
            w.join()
                .map_err(|_| Error::PrintDocument("a compression thread failed".into()))?
                .map_err(|e| Error::PrintDocument(format!("cannot compress the PDF: {e}")))?;
        }
        Ok(())
    })
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
    fn arabic_is_joined_and_drawn_right_to_left() {
        let form = |c: u32| Face::Regular.glyph(char::from_u32(c).expect("char"));
        // بطاقة: beh initial, tah medial, alef final, qaf initial, teh
        // marbuta final; drawn from the left, so last letter first.
        let glyphs: Vec<u16> = Face::Regular
            .shape_line("بطاقة")
            .iter()
            .map(|(g, _)| *g)
            .collect();
        assert_eq!(
            glyphs,
            [0xFE94, 0xFED7, 0xFE8E, 0xFEC4, 0xFE91].map(form),
            "joining forms, right to left"
        );
        // Lam-alef is one ligature glyph standing for both letters.
        let la = Face::Bold.shape_line("لا");
        assert_eq!(la, vec![(Face::Bold.glyph('\u{FEFB}'), "\u{FEFB}".to_string())]);
        // A Latin run inside Arabic keeps its order; brackets mirror.
        let mixed = Face::Regular.shape_line("الدفعة 7 (AB)");
        let text: String = mixed.iter().map(|(_, s)| s.as_str()).collect();
        // Leftmost: the logical closing bracket, drawn with the glyph of "(".
        assert!(text.starts_with(")AB( 7 "), "{text}");
        assert_eq!(
            mixed[0].0,
            Face::Regular.glyph('('),
            "the closing bracket, mirrored"
        );
        // Width is that of the shaped glyphs.
        let w = Face::Regular.width(10.0, "بطاقة");
        assert!(w > 0.0 && w < Face::Regular.width(10.0, "MMMMM"));
        assert!(!needs_shaping("Elección ñ"));
    }

    #[test]
    fn a_right_to_left_sheet_mirrors_layout_but_not_symbols() {
        let mut sheet = Sheet::new(80.0, 50.0);
        sheet.rtl = true;
        sheet.fill(5.0, 1.0, 10.0, 2.0, 0.0);
        sheet.fill_symbol(vec![[5.0, 5.0, 1.0, 1.0]]);
        assert_eq!(sheet.block_x(5.0, 10.0), 65.0);
        match (&sheet.marks[0], &sheet.marks[1]) {
            (Mark::Boxes { rects: a, .. }, Mark::Boxes { rects: b, .. }) => {
                assert_eq!(a[0], [65.0, 1.0, 10.0, 2.0]);
                assert_eq!(b[0], [5.0, 5.0, 1.0, 1.0]);
            }
            other => panic!("{other:?}"),
        }
        sheet.text(5.0, 10.0, Face::Regular, 10.0, Align::Left, "رمز");
        let Mark::Text { x, .. } = sheet.marks[2] else {
            panic!("text")
        };
        let width = Face::Regular.width(10.0, "رمز");
        assert!(
            (x - (75.0 - width)).abs() < 0.001,
            "left becomes right-aligned at the mirrored edge"
        );
    }

    #[test]
    fn renders_a_pdf_with_subset_fonts() {
        let mut sheet = Sheet::new(80.0, 100.0);
        sheet.text(5.0, 10.0, Face::Bold, 12.0, Align::Left, "Elección");
        sheet.text(40.0, 20.0, Face::Mono, 12.0, Align::Centre, "ABCD-EFGH");
        sheet.fill_all(vec![[5.0, 30.0, 2.0, 2.0], [7.0, 30.0, 2.0, 2.0]]);
        sheet.text(5.0, 40.0, Face::Regular, 12.0, Align::Left, "بطاقة الاقتراع");
        let pdf = render("test", &[sheet]).expect("render");
        assert!(pdf.starts_with(b"%PDF-"));
        // Three subset fonts: far smaller than the 1.8 MB of full fonts.
        assert!(pdf.len() < 80_000, "{} bytes", pdf.len());
    }
}
