//! The fixed words on voter-facing paper (receipt and code slips), one
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
};

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
