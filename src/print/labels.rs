//! The fixed words on voter-facing paper (receipt, code slips and ballot
//! cards), one
//! table per language. Languages without a table get English; the words
//! that matter to officials (TEST, REPRINT, SAMPLE) are always printed in
//! English too. Reports are for officials and are in English.

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
    test_ballot: "TEST BALLOT - NOT COUNTED",
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
};

const ES: Labels = Labels {
    receipt: "Comprobante de voto",
    date: "Fecha",
    station: "Estación",
    election: "Elección",
    station_key: "Clave de la estación",
    receipt_id: "Comprobante",
    verify: "Para comprobar que su voto fue contado, escanee este código o escriba el número del comprobante en la página de verificación cuando se publiquen los resultados.",
    verify_at: "Verifique en",
    no_choices: "Este comprobante no muestra cómo votó.",
    test_ballot: "VOTO DE PRUEBA - NO SE CUENTA",
    reprint: "REIMPRESIÓN",
    sample: "MUESTRA - NO ES UN COMPROBANTE",
    voter_code: "Código de votante",
    code_use: "Escriba o escanee este código en el quiosco de votación. Sirve una sola vez.",
    batch: "Lote",
    test_code: "CÓDIGO DE PRUEBA - SOLO PARA PRUEBAS",
    card: "Papeleta de votación",
    card_id: "Número de papeleta",
    no_selection: "Sin selección",
    write_in: "Por escrito",
    yes: "Sí",
    no: "No",
    card_read: "Lea cada línea de esta papeleta antes de emitir su voto.",
    card_box: "Si es correcta: elija Emitir este voto en la pantalla y deposite esta papeleta en la urna.",
    card_wrong: "Si algo no es correcto: elija Esta papeleta está mal y entregue esta papeleta a un miembro de la mesa.",
    card_secret: "Esta papeleta no muestra su código de votante ni su número de comprobante.",
    sample_card: "MUESTRA - NO ES UNA PAPELETA",
    ordinal: ordinal_es,
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

/// The table for `lang` (by its primary subtag), else English.
pub fn labels(lang: &LangCode) -> &'static Labels {
    match lang.as_str().split('-').next().unwrap_or("") {
        "es" => &ES,
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
    }
}
