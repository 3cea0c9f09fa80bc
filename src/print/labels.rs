//! The fixed words on voter-facing paper (receipt, code slips and ballot
//! cards), one table per language: English, Spanish and Arabic. They use
//! the same words as the screen (`ui/js/strings/*.js`): Spanish "recibo",
//! "boleta", "papeleta", "código de votante". Languages without a table get
//! English; the words that matter to officials (TEST, REPRINT, SAMPLE) are
//! always printed in English too. Reports are for officials and are in
//! English.
//!
//! Each table also says whether the language is written right to left
//! (the documents then mirror their layout) and how it writes a date: the
//! day, the month's name and the year, in Western digits like every other
//! number on the paper ("3 November 2026", "3 de noviembre de 2026",
//! "3 نوفمبر 2026"), so that no reader takes 3/11 for 11 March.

use chrono::{Datelike, NaiveDate};

use crate::definition::{ElectionDefinition, LangCode, Text};

pub struct Labels {
    pub receipt: &'static str,
    pub date: &'static str,
    pub station: &'static str,
    pub election: &'static str,
    pub station_key: &'static str,
    pub receipt_id: &'static str,
    pub verify: &'static str,
    pub verify_at: &'static str,
    pub no_choices: &'static str,
    pub test_ballot: &'static str,
    pub reprint: &'static str,
    pub sample: &'static str,
    pub voter_code: &'static str,
    pub code_use: &'static str,
    pub batch: &'static str,
    pub test_code: &'static str,
    /// The ballot card (`card.rs`).
    pub card: &'static str,
    pub card_id: &'static str,
    pub no_selection: &'static str,
    pub write_in: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub card_read: &'static str,
    pub card_box: &'static str,
    pub card_wrong: &'static str,
    pub card_secret: &'static str,
    pub sample_card: &'static str,
    /// The rank `n` (from 1) of a ranked choice: "1st", "1.º".
    pub ordinal: fn(usize) -> String,
    /// A calendar date in words: "3 November 2026".
    pub long_date: fn(NaiveDate) -> String,
    /// Written right to left (Arabic): documents mirror their layout.
    pub rtl: bool,
}

const EN: Labels = Labels {
    receipt: "Ballot receipt",
    date: "Date",
    station: "Station",
    election: "Election",
    station_key: "Station key",
    receipt_id: "Receipt",
    verify: "To check that your ballot was counted, scan this code or type the receipt number on the verification page once results are published.",
    verify_at: "Verify at",
    no_choices: "This receipt does not show how you voted.",
    test_ballot: "TEST BALLOT, NOT COUNTED",
    reprint: "REPRINT",
    sample: "SAMPLE - NOT A RECEIPT",
    voter_code: "Voter code",
    code_use: "Type or scan this code at the voting kiosk. It works once.",
    batch: "Batch",
    test_code: "TEST CODE - TESTING ONLY",
    card: "Ballot card",
    card_id: "Card number",
    no_selection: "No selection",
    write_in: "Write-in",
    yes: "Yes",
    no: "No",
    card_read: "Read every line of this card before you cast your ballot.",
    card_box: "If it is right: choose Cast this ballot on the screen, then put this card in the ballot box.",
    card_wrong: "If anything is wrong: choose This card is wrong and hand this card to a poll worker.",
    card_secret: "This card does not show your voter code or your receipt number.",
    sample_card: "SAMPLE - NOT A BALLOT",
    ordinal: ordinal_en,
    long_date: date_en,
    rtl: false,
};

const ES: Labels = Labels {
    receipt: "Recibo de su boleta",
    date: "Fecha",
    station: "Estación",
    election: "Elección",
    station_key: "Clave de la estación",
    receipt_id: "Recibo",
    verify: "Para comprobar que su boleta fue contada, escanee este código o escriba el número del recibo en la pantalla de verificación cuando se publiquen los resultados.",
    verify_at: "Compruebe en",
    no_choices: "Este recibo no muestra cómo votó.",
    test_ballot: "BOLETA DE PRUEBA, NO SE CUENTA",
    reprint: "REIMPRESIÓN",
    sample: "MUESTRA - NO ES UN RECIBO",
    voter_code: "Código de votante",
    code_use: "Escriba o escanee este código en el quiosco de votación. Sirve una sola vez.",
    batch: "Lote",
    test_code: "CÓDIGO DE PRUEBA - SOLO PARA PRUEBAS",
    card: "Papeleta",
    card_id: "Número de papeleta",
    no_selection: "Sin selección",
    write_in: "Nombre escrito",
    yes: "Sí",
    no: "No",
    card_read: "Lea cada línea de esta papeleta antes de emitir su voto.",
    card_box: "Si es correcta: toque Emitir este voto en la pantalla y deposite esta papeleta en la urna.",
    card_wrong: "Si algo no es correcto: toque Esta papeleta está mal y entregue esta papeleta a un miembro de la mesa.",
    card_secret: "Esta papeleta no muestra su código de votante ni su número de recibo.",
    sample_card: "MUESTRA - NO ES UNA PAPELETA",
    ordinal: ordinal_es,
    long_date: date_es,
    rtl: false,
};

/// Arabic (Modern Standard Arabic), right to left. Words without
/// diacritics; "رمز الناخب" voter code, "إيصال" receipt, "بطاقة الاقتراع"
/// ballot card, as the screen's table (`ui/js/strings/ar.js`).
const AR: Labels = Labels {
    receipt: "إيصال الاقتراع",
    date: "التاريخ",
    station: "المحطة",
    election: "الانتخاب",
    station_key: "مفتاح المحطة",
    receipt_id: "إيصال",
    verify: "للتحقق من احتساب صوتك، امسح هذا الرمز أو اكتب رقم الإيصال في صفحة التحقق بعد نشر النتائج.",
    verify_at: "تحقق على",
    no_choices: "هذا الإيصال لا يبين كيف صوتت.",
    test_ballot: "ورقة اقتراع تجريبية، لا تحتسب",
    reprint: "إعادة طباعة",
    sample: "عينة - ليست إيصالا",
    voter_code: "رمز الناخب",
    code_use: "اكتب هذا الرمز أو امسحه في جهاز التصويت. يصلح مرة واحدة فقط.",
    batch: "الدفعة",
    test_code: "رمز تجريبي - للاختبار فقط",
    card: "بطاقة الاقتراع",
    card_id: "رقم البطاقة",
    no_selection: "بدون اختيار",
    write_in: "اسم مكتوب",
    yes: "نعم",
    no: "لا",
    card_read: "اقرأ كل سطر في هذه البطاقة قبل الإدلاء بصوتك.",
    card_box: "إذا كانت صحيحة: اختر «أدل بهذا الصوت» على الشاشة، ثم ضع هذه البطاقة في صندوق الاقتراع.",
    card_wrong: "إذا كان فيها أي خطأ: اختر «هذه البطاقة خاطئة» وسلم هذه البطاقة إلى أحد موظفي مركز الاقتراع.",
    card_secret: "هذه البطاقة لا تبين رمز الناخب ولا رقم الإيصال.",
    sample_card: "عينة - ليست بطاقة اقتراع",
    ordinal: ordinal_ar,
    long_date: date_ar,
    rtl: true,
};

/// 1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, ..., 21st.
fn ordinal_en(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// 1.º, 2.º, ... (the masculine ordinal indicator, as Spanish ballots
/// write a rank: "1.º lugar").
fn ordinal_es(n: usize) -> String {
    format!("{n}.º")
}

/// الأول, الثاني, ... العاشر; then the number ("11").
fn ordinal_ar(n: usize) -> String {
    const WORDS: [&str; 10] = [
        "الأول",
        "الثاني",
        "الثالث",
        "الرابع",
        "الخامس",
        "السادس",
        "السابع",
        "الثامن",
        "التاسع",
        "العاشر",
    ];
    match n.checked_sub(1).and_then(|i| WORDS.get(i)) {
        Some(word) => (*word).to_string(),
        None => n.to_string(),
    }
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONTHS_ES: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];
/// The Gregorian months as Egypt and the Gulf write them (and the
/// browsers' `ar` locale).
const MONTHS_AR: [&str; 12] = [
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
];

fn month(names: &[&'static str; 12], date: NaiveDate) -> &'static str {
    names[date.month0() as usize % 12]
}

/// "3 November 2026".
fn date_en(date: NaiveDate) -> String {
    format!("{} {} {}", date.day(), month(&MONTHS_EN, date), date.year())
}

/// "3 de noviembre de 2026".
fn date_es(date: NaiveDate) -> String {
    format!("{} de {} de {}", date.day(), month(&MONTHS_ES, date), date.year())
}

/// "3 نوفمبر 2026" (Western digits, as the codes and receipt numbers).
fn date_ar(date: NaiveDate) -> String {
    format!("{} {} {}", date.day(), month(&MONTHS_AR, date), date.year())
}

/// The table for `lang` (by its primary subtag), else English.
pub fn labels(lang: &LangCode) -> &'static Labels {
    match lang.as_str().split('-').next().unwrap_or("") {
        "es" => &ES,
        "ar" => &AR,
        _ => &EN,
    }
}

/// English, always.
pub fn english() -> &'static Labels {
    &EN
}

/// `english` alone, or `english · translated` when they differ.
pub fn with_english(english: &str, translated: &str) -> String {
    if english == translated {
        english.to_string()
    } else {
        format!("{english} · {translated}")
    }
}

/// A definition text in `lang` if the fonts can draw it, else in the first
/// language they can (so a script the fonts lack does not print as "???").
pub fn pick<'a>(definition: &ElectionDefinition, text: &'a Text, lang: &LangCode) -> &'a str {
    let drawable = |s: &str| super::pdf::Face::Regular.covers(s) && super::pdf::Face::Bold.covers(s);
    let wanted = text.get(lang);
    if drawable(wanted) {
        return wanted;
    }
    definition
        .languages
        .iter()
        .map(|l| text.get(&l.code))
        .find(|s| drawable(s))
        .unwrap_or(wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_read_as_ordinals_in_each_language() {
        let en: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101].map(ordinal_en).into();
        assert_eq!(
            en,
            ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st"]
        );
        assert_eq!(ordinal_es(2), "2.º");
        assert_eq!(ordinal_ar(1), "الأول");
        assert_eq!(ordinal_ar(12), "12");
    }

    #[test]
    fn dates_name_the_month_in_each_language() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 3).expect("date");
        assert_eq!(date_en(d), "3 November 2026");
        assert_eq!(date_es(d), "3 de noviembre de 2026");
        assert_eq!(date_ar(d), "3 نوفمبر 2026");
    }

    #[test]
    fn every_table_is_drawable_by_the_fonts() {
        use super::super::pdf::Face;
        for table in [&EN, &ES, &AR] {
            for word in [
                table.receipt,
                table.verify,
                table.card_box,
                table.card_wrong,
                table.test_ballot,
            ] {
                assert!(Face::Regular.covers(word) && Face::Bold.covers(word), "{word}");
            }
        }
    }
}
