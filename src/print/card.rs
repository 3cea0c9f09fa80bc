//! The ballot card: the voter-verified paper record of one ballot, on the
//! 80 mm roll of the receipts, as tall as the ballot needs.
//!
//! Top to bottom: TEST / SAMPLE bands (as on receipts), the election title
//! in the voter's language, "Ballot card", the election date and station
//! id, what to do with the card; then every contest of the definition with
//! the chosen names in full (ranked contests as "1st, 2nd, ...", blank
//! contests as "No selection", write-ins as typed), in the voter's
//! language, and, when that is not the election's default language, the
//! same block again in the default language; then the card id in large
//! grouped characters and its QR (`seal::card::qr_payload`: the card id and
//! a compact encoding of the choices, for audit boards); then what to do if
//! the card is right or wrong, and the bands again.
//!
//! A right-to-left language (Arabic) mirrors the layout of its blocks
//! (`Sheet::rtl`): names aligned right, ranks and marks on the right.
//!
//! Never the voter code, never the receipt id, never a time of day. The
//! audit board reads the text block the voter read; the QR only speeds up
//! their work (`docs/printing.md`).

use super::labels::{self, with_english, Labels};
use super::pdf::{self, line_height, Align, Face, Sheet, ROLL_WIDTH};
use super::qr::Qr;
use super::receipt::SlipKind;
use crate::ballot::{Ballot, Choice};
use crate::definition::{Contest, ContestKind, ElectionDefinition, LangCode};
use crate::error::{Error, Result};
use crate::seal::card::{qr_payload, CardId};

/// The smallest width of the card's QR symbol itself, without its quiet zone.
pub const CARD_QR_MM: f32 = 34.0;
const MARGIN: f32 = 5.0;
const MIN_MODULE_MM: f32 = 0.5;
/// The mark beside each chosen name (not ranked).
const MARK: &str = "✔";
/// Where a choice's text starts, right of its mark or rank.
const CHOICE_INDENT: f32 = 12.0;

/// The ballot card of `ballot` with id `card`, as PDF bytes. `language` is
/// the voter's; `test` marks a test ballot (test mode); `kind` is
/// `Original` for a voter's card or `Sample` for a printer test. A card is
/// never reprinted (a new card gets a new id), so `Reprint` is refused.
pub fn ballot_card(
    definition: &ElectionDefinition,
    station_id: &str,
    language: &LangCode,
    card: &CardId,
    ballot: &Ballot,
    test: bool,
    kind: SlipKind,
) -> Result<Vec<u8>> {
    if kind == SlipKind::Reprint {
        return Err(Error::PrintDocument(
            "a ballot card is never reprinted: print a new card, which gets a new card number".into(),
        ));
    }
    let payload = qr_payload(definition, card, ballot)?;
    let words = labels::labels(language);
    let en = labels::english();
    let width = ROLL_WIDTH - 2.0 * MARGIN;
    let centre = ROLL_WIDTH / 2.0;
    let mut sheet = Sheet::new(ROLL_WIDTH, 0.0);
    sheet.rtl = words.rtl;
    let mut y = 4.0;

    let mut banners = Vec::new();
    if kind == SlipKind::Sample {
        banners.push(with_english(en.sample_card, words.sample_card));
    }
    if test {
        banners.push(with_english(en.test_ballot, words.test_ballot));
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
        Face::Bold,
        10.0,
        Align::Centre,
        words.card,
    );
    y += 2.0;
    sheet.line((MARGIN, y), (ROLL_WIDTH - MARGIN, y), 0.5);
    y += 1.0;

    let date = (words.long_date)(definition.date);
    for (label, value) in [(words.date, date.as_str()), (words.station, station_id)] {
        y += line_height(9.0);
        sheet.text(MARGIN, y - 1.0, Face::Regular, 9.0, Align::Left, label);
        let value = pdf::fit(
            Face::Regular,
            9.0,
            value,
            width - Face::Regular.width(9.0, label) - 3.0,
        );
        sheet.text(
            ROLL_WIDTH - MARGIN,
            y - 1.0,
            Face::Regular,
            9.0,
            Align::Right,
            &value,
        );
    }
    y += 2.0;
    sheet.line((MARGIN, y), (ROLL_WIDTH - MARGIN, y), 0.5);
    y = sheet.paragraph(
        MARGIN,
        y + 1.0,
        width,
        Face::Bold,
        9.0,
        Align::Left,
        words.card_read,
    );

    // The voter's block, then the default language's when it differs.
    let default = definition.default_language();
    let bilingual = default != language;
    y = choices_block(
        &mut sheet,
        y + 1.0,
        definition,
        language,
        words,
        ballot,
        bilingual,
    )?;
    if bilingual {
        y += 1.0;
        sheet.line((MARGIN, y), (ROLL_WIDTH - MARGIN, y), 1.0);
        // The default language's block in its own direction.
        sheet.rtl = labels::labels(default).rtl;
        y = choices_block(
            &mut sheet,
            y + 1.0,
            definition,
            default,
            labels::labels(default),
            ballot,
            true,
        )?;
        sheet.rtl = words.rtl;
    }
    y += 2.0;
    sheet.line((MARGIN, y), (ROLL_WIDTH - MARGIN, y), 0.5);

    // The card id, large, on one line (the audit board copies it whole).
    y += 5.0;
    sheet.text(centre, y, Face::Regular, 9.0, Align::Centre, words.card_id);
    let grouped = card.grouped();
    let size = (width / Face::Mono.width(1.0, &grouped)).min(20.0);
    y += line_height(size);
    sheet.text(centre, y - 1.0, Face::Mono, size, Align::Centre, &grouped);
    y += 2.0;

    let qr = Qr::encode(&payload)?;
    let module = qr
        .module_for(CARD_QR_MM)
        .max(MIN_MODULE_MM)
        .min((ROLL_WIDTH - 2.0) / (qr.modules() + 2 * super::qr::QUIET_ZONE) as f32);
    let outer = qr.outer_size(module);
    qr.draw(&mut sheet, centre - outer / 2.0, y, module);
    y += outer;

    for (face, text) in [
        (Face::Bold, words.card_box),
        (Face::Bold, words.card_wrong),
        (Face::Regular, words.card_secret),
    ] {
        y = sheet.paragraph(MARGIN, y + 1.0, width, face, 8.5, Align::Left, text);
    }
    y += 2.0;
    for banner in &banners {
        y = banner_box(&mut sheet, y, banner);
    }
    sheet.height = y + 6.0;
    pdf::render("votekiosk ballot card", &[sheet])
}

/// Every contest with its choices in `lang`, under the language's name
/// when the card has two blocks; returns the y below it.
fn choices_block(
    sheet: &mut Sheet,
    top: f32,
    definition: &ElectionDefinition,
    lang: &LangCode,
    words: &Labels,
    ballot: &Ballot,
    named: bool,
) -> Result<f32> {
    let width = ROLL_WIDTH - 2.0 * MARGIN;
    let mut y = top;
    if named {
        let name = definition
            .language(lang.as_str())
            .map_or(lang.as_str(), |l| l.name.as_str());
        let height = line_height(9.0) + 1.2;
        sheet.frame(MARGIN, y + 1.0, width, height, 0.75);
        y = sheet.paragraph(
            MARGIN + 1.5,
            y + 1.4,
            width - 3.0,
            Face::Bold,
            9.0,
            Align::Left,
            name,
        );
        y += 0.8;
    }
    for (i, contest) in definition.contests.iter().enumerate() {
        if i > 0 {
            y += 1.2;
            sheet.line((MARGIN, y), (ROLL_WIDTH - MARGIN, y), 0.25);
        }
        let title = labels::pick(definition, &contest.title, lang);
        y = sheet.paragraph(MARGIN, y + 0.8, width, Face::Bold, 9.5, Align::Left, title);
        let choices = ballot.contests.get(&contest.id).map_or(&[][..], Vec::as_slice);
        if choices.is_empty() {
            y = sheet.paragraph(
                MARGIN + CHOICE_INDENT,
                y + 0.3,
                width - CHOICE_INDENT,
                Face::Regular,
                10.0,
                Align::Left,
                &format!("({})", words.no_selection),
            );
            continue;
        }
        let ranked = matches!(contest.kind, ContestKind::Ranked { .. });
        for (rank, choice) in choices.iter().enumerate() {
            let text = choice_text(definition, contest, choice, lang, words)?;
            let mark = if ranked {
                (words.ordinal)(rank + 1)
            } else {
                MARK.to_string()
            };
            let first_baseline = y + 0.3 + line_height(11.0) - 0.25 * 11.0 / pdf::PT_PER_MM;
            sheet.text(
                MARGIN + CHOICE_INDENT - 2.0,
                first_baseline,
                Face::Bold,
                11.0,
                Align::Right,
                &mark,
            );
            y = sheet.paragraph(
                MARGIN + CHOICE_INDENT,
                y + 0.3,
                width - CHOICE_INDENT,
                Face::Bold,
                11.0,
                Align::Left,
                &text,
            );
        }
    }
    Ok(y)
}

/// One choice as the card prints it: the candidate's name (and party), the
/// measure's answer, or a write-in as typed.
fn choice_text(
    definition: &ElectionDefinition,
    contest: &Contest,
    choice: &Choice,
    lang: &LangCode,
    words: &Labels,
) -> Result<String> {
    let answer = |label: &Option<crate::definition::Text>, fallback: &str| {
        label.as_ref().map_or(fallback.to_string(), |t| {
            labels::pick(definition, t, lang).to_string()
        })
    };
    Ok(match (choice, &contest.kind) {
        (Choice::Candidate(id), _) => {
            let candidate = contest.candidate(id).ok_or_else(|| {
                Error::PrintDocument(format!("{}: no candidate {id:?} to print", contest.id.as_str()))
            })?;
            let name = labels::pick(definition, &candidate.name, lang);
            match &candidate.party {
                Some(party) => format!("{name} ({})", labels::pick(definition, party, lang)),
                None => name.to_string(),
            }
        }
        (Choice::WriteIn(name), _) => format!("{}: {name}", words.write_in),
        (Choice::Yes, ContestKind::YesNo { yes_label, .. }) => answer(yes_label, words.yes),
        (Choice::No, ContestKind::YesNo { no_label, .. }) => answer(no_label, words.no),
        (Choice::Yes, _) => words.yes.to_string(),
        (Choice::No, _) => words.no.to_string(),
    })
}

/// White bold text on a black band across the card; returns the y below it.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fonts_draw_the_choice_mark_and_the_ordinals() {
        assert!(Face::Bold.covers(MARK));
        assert!(Face::Bold.covers("1.º 2nd"));
    }
}
