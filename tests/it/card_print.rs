//! Ballot cards on paper: 50 seeded ballots over the demo election and a
//! definition with every contest kind (vote-for-N with write-ins, approval,
//! ranked, yes/no with its own labels), each card rendered by `pdftoppm`,
//! its QR read back by `zbarimg` to exactly that card's payload (which
//! `parse_qr` turns back into the ballot and card id), and its text
//! (`pdftotext`) holding every chosen name, in both languages when the
//! voter's is not the default, and the card id.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use votekiosk::ballot::WRITE_IN_PREFIX;
use votekiosk::definition::{ContestKind, LangCode};
use votekiosk::export::normal_form;
use votekiosk::print::{ballot_card, SlipKind};
use votekiosk::seal::card::{parse_qr, qr_payload, CardId};
use votekiosk::{Ballot, Choice, ElectionDefinition, SelectionsInput};

use crate::support::{definition, definition_value, STATION_ID};

// ---- helpers -------------------------------------------------------------

/// Rasterises `pdf` at `dpi`; returns the PNGs in page order.
fn render(pdf: &Path, dpi: u32) -> Vec<PathBuf> {
    let prefix = pdf.with_extension("");
    let out = Command::new("pdftoppm")
        .args(["-r", &dpi.to_string(), "-png"])
        .arg(pdf)
        .arg(&prefix)
        .output()
        .expect("run pdftoppm (Debian package poppler-utils; scripts/setup installs it)");
    assert!(
        out.status.success(),
        "pdftoppm {}: {}",
        pdf.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let stem = prefix
        .file_name()
        .and_then(|s| s.to_str())
        .expect("stem")
        .to_string();
    let mut pages: Vec<PathBuf> = fs::read_dir(pdf.parent().expect("dir"))
        .expect("read dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            let name = p.file_name().and_then(|s| s.to_str()).unwrap_or("");
            name.starts_with(&format!("{stem}-")) && name.ends_with(".png")
        })
        .collect();
    pages.sort();
    pages
}

/// Every QR symbol zbarimg finds in `png` (its chatter on stderr dropped).
fn decode(png: &Path) -> Vec<String> {
    let out = Command::new("zbarimg")
        .args(["--raw", "-q", "-Sdisable", "-Sqrcode.enable"])
        .arg(png)
        .stderr(Stdio::null())
        .output()
        .expect("run zbarimg (Debian package zbar-tools; scripts/setup installs it)");
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// The text of `pdf`, by pdftotext, runs of whitespace collapsed.
fn text_of(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run pdftotext (poppler-utils)");
    assert!(out.status.success(), "pdftotext {}", pdf.display());
    squash(&String::from_utf8(out.stdout).expect("utf-8"))
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Runs `f` over `items` on two threads (pdftoppm is the slow part).
fn parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let chunk = items.len().div_ceil(2).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(|| part.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker"))
            .collect()
    })
}

fn lang(def: &ElectionDefinition, code: &str) -> LangCode {
    def.require_language(code).expect("language").clone()
}

/// The demo election with every kind's options turned on: the council
/// (vote for 2) takes write-ins, the measure has its own answer labels.
fn every_kind_definition() -> ElectionDefinition {
    ElectionDefinition::parse(
        serde_json::to_string(&every_kind_value())
            .expect("json")
            .as_bytes(),
    )
    .expect("definition")
}

/// [`every_kind_definition`] as JSON.
fn every_kind_value() -> serde_json::Value {
    let mut v = definition_value();
    for contest in v["contests"].as_array_mut().expect("contests") {
        match contest["id"].as_str() {
            Some("council") => contest["write_ins"] = true.into(),
            Some("library-bond") => {
                contest["yes_label"] = serde_json::json!({"en": "Approve the bond", "es": "Aprobar el bono"});
                contest["no_label"] = serde_json::json!({"en": "Reject the bond", "es": "Rechazar el bono"});
            }
            _ => {}
        }
    }
    v
}

/// Arabic for every English text of [`every_kind_definition`].
const ARABIC: [(&str, &str); 29] = [
    (
        "Riverside Municipal Election (demo)",
        "انتخابات ريفرسايد البلدية (تجريبية)",
    ),
    ("Mayor", "رئيس البلدية"),
    ("Vote for one.", "صوت لمرشح واحد."),
    ("Maria Alvarez", "ماريا ألفاريز"),
    ("Harbor Party", "حزب الميناء"),
    ("James Brooks", "جيمس بروكس"),
    ("Hill Party", "حزب التل"),
    ("Lin Chen", "لين تشن"),
    ("City Council", "مجلس المدينة"),
    ("Vote for up to two.", "صوت لمرشحين اثنين على الأكثر."),
    ("Ana Diaz", "آنا دياز"),
    ("Tom Evans", "توم إيفانز"),
    ("Eva Fischer", "إيفا فيشر"),
    ("Ravi Gupta", "رافي غوبتا"),
    ("Measure A: Library Bond", "الاقتراح أ: سندات المكتبة"),
    (
        "Shall the city issue $4 million in bonds to renovate the main library?",
        "هل تصدر المدينة سندات بقيمة 4 ملايين دولار لتجديد المكتبة الرئيسية؟",
    ),
    ("Parks Board", "مجلس الحدائق"),
    ("Approve as many as you like.", "وافق على أي عدد تريده."),
    ("Grace Hill", "غريس هيل"),
    ("Ken Ito", "كين إيتو"),
    ("Pat Jones", "بات جونز"),
    ("School Board Chair", "رئيس مجلس المدارس"),
    ("Rank up to three candidates.", "رتب حتى ثلاثة مرشحين."),
    ("Sun Kim", "سون كيم"),
    ("Rosa Lopez", "روزا لوبيز"),
    ("Dan Moore", "دان مور"),
    ("Bao Nguyen", "باو نغوين"),
    ("Approve the bond", "الموافقة على السندات"),
    ("Reject the bond", "رفض السندات"),
];

/// [`every_kind_definition`] with Arabic as a third language, every text
/// translated (the election's first language stays English).
pub(crate) fn arabic_definition() -> ElectionDefinition {
    fn add_arabic(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                if let Some(en) = map.get("en").and_then(|e| e.as_str()).map(str::to_string) {
                    let ar = ARABIC
                        .iter()
                        .find(|(e, _)| *e == en)
                        .unwrap_or_else(|| panic!("no Arabic for {en:?}"))
                        .1;
                    map.insert("ar".into(), ar.into());
                    return;
                }
                map.values_mut().for_each(add_arabic);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(add_arabic),
            _ => {}
        }
    }
    let mut v = every_kind_value();
    add_arabic(&mut v["title"]);
    add_arabic(&mut v["contests"]);
    v["languages"]
        .as_array_mut()
        .expect("languages")
        .push(serde_json::json!({"code": "ar", "name": "العربية"}));
    ElectionDefinition::parse(serde_json::to_string(&v).expect("json").as_bytes())
        .expect("the Arabic definition")
}

/// Text as a reader searches it, to compare Arabic with pdftotext's output:
/// presentation forms folded into their letters (NFKC), without the
/// direction marks pdftotext adds around runs and without white space
/// (where pdftotext puts a space between a number and an Arabic word is
/// its own guess). The letters' order is kept.
pub(crate) fn reading(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfkc()
        .filter(|c| {
            !c.is_whitespace() && !matches!(*c as u32, 0x200E | 0x200F | 0x202A..=0x202E | 0x2066..=0x2069)
        })
        .collect()
}

/// Names a voter might type (accents, an apostrophe, a hyphen).
const WRITE_INS: [&str; 5] = [
    "José Núñez-O'Brien",
    "Dana Whitfield",
    "Zoë Ångström",
    "Mister Rogers",
    "Ana María de la Cruz",
];

/// A random valid ballot: any number of choices up to each contest's
/// limit (blank contests included), ranked in random order, write-ins
/// where the contest takes them.
fn random_ballot(def: &ElectionDefinition, rng: &mut StdRng) -> Ballot {
    let mut input = SelectionsInput::new();
    for contest in &def.contests {
        let mut options: Vec<String> = match &contest.kind {
            ContestKind::YesNo { .. } => vec!["yes".into(), "no".into()],
            kind => kind.candidates().iter().map(|c| c.id.to_string()).collect(),
        };
        let (limit, write_ins) = match &contest.kind {
            ContestKind::Candidate { seats, write_ins, .. } => (*seats as usize, *write_ins),
            ContestKind::YesNo { .. } => (1, false),
            ContestKind::Approval {
                max_approvals,
                candidates,
            } => (max_approvals.map_or(candidates.len(), |m| m as usize), false),
            ContestKind::Ranked { max_rankings, .. } => (*max_rankings as usize, false),
        };
        if write_ins && rng.gen_bool(0.4) {
            let name = WRITE_INS[rng.gen_range(0..WRITE_INS.len())];
            options.push(format!("{WRITE_IN_PREFIX}{name}"));
        }
        options.shuffle(rng);
        let n = rng.gen_range(0..=limit.min(options.len()));
        // Keep a write-in when there is one, so that most ballots show one.
        if let Some(at) = options.iter().position(|o| o.starts_with(WRITE_IN_PREFIX)) {
            options.swap(0, at);
        }
        input.insert(contest.id.to_string(), options.into_iter().take(n).collect());
    }
    // In v2 normal form, as `Station::print_card` hands it over (and as
    // the QR carries it).
    normal_form(def, &Ballot::validate(def, &input).expect("a valid ballot"))
}

/// The names the card must show for `ballot` in `lang`: each chosen
/// candidate's name, each answer's label, each write-in as typed; "No
/// selection" for a blank contest; every contest's title.
fn expected_texts(def: &ElectionDefinition, ballot: &Ballot, lang: &LangCode) -> Vec<String> {
    let mut out = Vec::new();
    for contest in &def.contests {
        out.push(contest.title.get(lang).to_string());
        let choices = &ballot.contests[&contest.id];
        if choices.is_empty() {
            out.push(
                if lang.as_str() == "es" {
                    "Sin selección"
                } else {
                    "No selection"
                }
                .into(),
            );
        }
        for (rank, choice) in choices.iter().enumerate() {
            out.push(match (choice, &contest.kind) {
                (Choice::Candidate(id), _) => contest.candidate(id).expect("candidate").name.get(lang).into(),
                (Choice::WriteIn(name), _) => name.clone(),
                (
                    Choice::Yes,
                    ContestKind::YesNo {
                        yes_label: Some(t), ..
                    },
                ) => t.get(lang).into(),
                (
                    Choice::No,
                    ContestKind::YesNo {
                        no_label: Some(t), ..
                    },
                ) => t.get(lang).into(),
                (Choice::Yes, _) => if lang.as_str() == "es" { "Sí" } else { "Yes" }.into(),
                (Choice::No, _) => "No".into(),
            });
            if matches!(contest.kind, ContestKind::Ranked { .. }) {
                let ordinal = match (lang.as_str(), rank + 1) {
                    ("es", n) => format!("{n}.º"),
                    (_, 1) => "1st".into(),
                    (_, 2) => "2nd".into(),
                    (_, 3) => "3rd".into(),
                    (_, n) => format!("{n}th"),
                };
                out.push(ordinal);
            }
        }
    }
    out
}

struct Card {
    def: usize,
    language: LangCode,
    card: CardId,
    ballot: Ballot,
    test: bool,
    pdf: PathBuf,
}

// ---- tests -----------------------------------------------------------------

#[test]
fn fifty_ballot_cards_round_trip_through_pdftoppm_zbarimg_and_pdftotext() {
    let defs = [definition(), every_kind_definition()];
    let dir = tempfile::tempdir().expect("tempdir");
    let mut rng = StdRng::seed_from_u64(14);
    let mut cards = Vec::new();
    for n in 0..50 {
        let d = n % 2;
        let def = &defs[d];
        let language = lang(def, if n % 3 == 0 { "es" } else { "en" });
        let ballot = random_ballot(def, &mut rng);
        let card = CardId::random(&mut rng);
        let test = n % 7 == 0;
        let bytes = ballot_card(
            def,
            STATION_ID,
            &language,
            &card,
            &ballot,
            test,
            SlipKind::Original,
        )
        .expect("card");
        let pdf = dir.path().join(format!("card-{n:02}.pdf"));
        fs::write(&pdf, bytes).expect("write");
        cards.push(Card {
            def: d,
            language,
            card,
            ballot,
            test,
            pdf,
        });
    }
    // The seeded ballots cover what a card must show.
    let all: Vec<&Choice> = cards
        .iter()
        .flat_map(|c| c.ballot.contests.values().flatten())
        .collect();
    assert!(all.iter().any(|c| matches!(c, Choice::WriteIn(_))), "a write-in");
    assert!(
        cards
            .iter()
            .any(|c| c.ballot.contests.values().any(Vec::is_empty)),
        "a blank contest"
    );
    assert!(
        cards.iter().any(|c| c
            .ballot
            .contests
            .iter()
            .any(|(id, v)| id.as_str() == "school-board" && v.len() >= 3)),
        "a full ranking"
    );

    let read = parallel(&cards, |c| {
        let pages = render(&c.pdf, 200);
        assert_eq!(pages.len(), 1, "{}: a card is one page", c.pdf.display());
        (decode(&pages[0]), text_of(&c.pdf))
    });
    for (c, (payloads, text)) in cards.iter().zip(read) {
        let def = &defs[c.def];
        let name = c.pdf.display();
        let expected = qr_payload(def, &c.card, &c.ballot).expect("payload");
        assert_eq!(payloads, vec![expected.clone()], "{name}: exactly the card's QR");
        let (card, ballot) = parse_qr(def, &payloads[0]).expect("parse the scanned QR");
        assert_eq!(
            (card, &ballot),
            (c.card, &c.ballot),
            "{name}: the QR gives back the ballot"
        );

        assert!(
            text.contains(&c.card.grouped()),
            "{name}: card id {} in {text}",
            c.card.grouped()
        );
        assert!(
            text.contains(&squash(def.title.get(&c.language))),
            "{name}: the title"
        );
        assert!(text.contains(STATION_ID), "{name}: the station");
        let date = if c.language.as_str() == "es" {
            "3 de noviembre de 2026"
        } else {
            "3 November 2026"
        };
        assert!(text.contains(date), "{name}: the date in words");
        let mut languages = vec![c.language.clone()];
        if &c.language != def.default_language() {
            languages.push(def.default_language().clone());
        }
        for l in &languages {
            for wanted in expected_texts(def, &c.ballot, l) {
                assert!(
                    text.contains(&squash(&wanted)),
                    "{name} ({l:?}): {wanted:?} in {text}"
                );
            }
        }
        let bilingual = languages.len() == 2;
        assert_eq!(
            text.contains("Español"),
            bilingual,
            "{name}: a named block per language"
        );
        assert_eq!(text.contains("English"), bilingual, "{name}");
        assert_eq!(
            text.contains("TEST BALLOT, NOT COUNTED"),
            c.test,
            "{name}: the test band"
        );
    }
    assert!(cards.iter().any(|c| c.language.as_str() == "es"));
}

#[test]
fn a_bilingual_card_has_the_voters_block_then_the_default_languages() {
    let def = every_kind_definition();
    let ballot = Ballot::validate(
        &def,
        &crate::support::sel(&[
            ("mayor", &["write-in:José Núñez-O'Brien"]),
            ("council", &["diaz"]),
            ("library-bond", &["no"]),
            ("school-board", &["lopez", "kim"]),
        ]),
    )
    .expect("ballot");
    let card = CardId::random(&mut StdRng::seed_from_u64(2));
    let bytes = ballot_card(
        &def,
        STATION_ID,
        &lang(&def, "es"),
        &card,
        &ballot,
        false,
        SlipKind::Original,
    )
    .expect("card");
    let dir = tempfile::tempdir().expect("tempdir");
    let pdf = dir.path().join("card.pdf");
    fs::write(&pdf, bytes).expect("write");
    let text = text_of(&pdf);
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle:?} in {text}"))
    };
    // Spanish first (the voter's), then English, each complete.
    assert!(at("Papeleta") < at("Español"));
    assert!(at("Español") < at("Alcalde") && at("Alcalde") < at("English"));
    assert!(at("English") < at("Mayor"));
    assert!(at("Rechazar el bono") < at("English") && at("English") < at("Reject the bond"));
    assert!(at("Nombre escrito: José Núñez-O'Brien") < at("Write-in: José Núñez-O'Brien"));
    assert!(at("1.º") < at("1st") && at("2.º") < at("2nd"));
    assert!(at("Sin selección") < at("No selection"), "parks board left blank");
    // Instructions in the voter's language.
    assert!(text.contains("deposite esta papeleta en la urna"));
}

#[test]
fn an_arabic_card_is_shaped_right_to_left_with_the_default_block_and_its_qr_decodes() {
    let def = arabic_definition();
    let ballot = normal_form(
        &def,
        &Ballot::validate(
            &def,
            &crate::support::sel(&[
                ("mayor", &["alvarez"]),
                ("council", &["diaz", "gupta"]),
                ("library-bond", &["yes"]),
                ("school-board", &["lopez", "kim"]),
            ]),
        )
        .expect("ballot"),
    );
    let card = CardId::random(&mut StdRng::seed_from_u64(8));
    let ar = lang(&def, "ar");
    let bytes = ballot_card(&def, STATION_ID, &ar, &card, &ballot, true, SlipKind::Original).expect("card");
    let dir = tempfile::tempdir().expect("tempdir");
    let pdf = dir.path().join("card-ar.pdf");
    fs::write(&pdf, bytes).expect("write");
    let pages = render(&pdf, 200);
    assert_eq!(pages.len(), 1, "one page");
    assert_eq!(
        decode(&pages[0]),
        vec![qr_payload(&def, &card, &ballot).expect("payload")],
        "the QR of a right-to-left card reads"
    );
    assert_eq!(parse_qr(&def, &decode(&pages[0])[0]).expect("parse").1, ballot);
    let text = reading(&text_of(&pdf));
    for words in [
        "انتخابات ريفرسايد البلدية",
        "بطاقة الاقتراع",
        "3 نوفمبر 2026",
        "اقرأ كل سطر في هذه البطاقة قبل الإدلاء بصوتك",
        "رئيس البلدية",
        "ماريا ألفاريز",
        "حزب الميناء",
        "آنا دياز",
        "رافي غوبتا",
        "الموافقة على السندات",
        "روزا لوبيز",
        "سون كيم",
        "الأول",
        "الثاني",
        "بدون اختيار",
        "ورقة اقتراع تجريبية، لا تحتسب",
        "هذه البطاقة لا تبين رمز الناخب ولا رقم الإيصال",
        "TEST BALLOT, NOT COUNTED",
    ] {
        assert!(text.contains(&reading(words)), "{words:?} in {text}");
    }
    // The voter's block first, then the election's first language.
    let at = |needle: &str| {
        text.find(&reading(needle))
            .unwrap_or_else(|| panic!("{needle:?} in {text}"))
    };
    assert!(at("العربية") < at("رئيس البلدية") && at("رئيس البلدية") < at("English"));
    assert!(at("English") < at("Maria Alvarez") && at("الأول") < at("1st"));
    assert!(text.contains(&card.grouped()), "the card number, left to right");
}

#[test]
fn a_sample_card_says_so_and_a_card_is_never_reprinted() {
    let def = definition();
    let ballot = Ballot::validate(&def, &crate::support::full_ballot()).expect("ballot");
    let card = CardId::random(&mut StdRng::seed_from_u64(3));
    let en = lang(&def, "en");
    let bytes = ballot_card(&def, STATION_ID, &en, &card, &ballot, false, SlipKind::Sample).expect("sample");
    let dir = tempfile::tempdir().expect("tempdir");
    let pdf = dir.path().join("sample.pdf");
    fs::write(&pdf, bytes).expect("write");
    let text = text_of(&pdf);
    assert_eq!(
        text.matches("SAMPLE - NOT A BALLOT").count(),
        2,
        "top and bottom: {text}"
    );
    assert!(!text.contains("English"), "one block for an English voter");

    let err = ballot_card(&def, STATION_ID, &en, &card, &ballot, false, SlipKind::Reprint)
        .expect_err("a card is never reprinted");
    assert_eq!(err.code(), "print_document");
    assert!(err.to_string().contains("new card"), "{err}");
}

/// Writes sample cards for a person to look at (`docs/images/` through
/// `scripts/screenshots`, like `print::samples`):
/// `VOTEKIOSK_PRINT_SAMPLES=docs/images cargo test --test it -- --ignored card_print::samples`
#[test]
#[ignore = "writes the README's pictures; run by hand"]
fn samples() {
    let out = PathBuf::from(
        std::env::var("VOTEKIOSK_PRINT_SAMPLES").expect("set VOTEKIOSK_PRINT_SAMPLES to a folder"),
    );
    fs::create_dir_all(&out).expect("out dir");
    let def = every_kind_definition();
    let ballot = Ballot::validate(
        &def,
        &crate::support::sel(&[
            ("mayor", &["write-in:José Núñez-O'Brien"]),
            ("council", &["diaz", "gupta"]),
            ("library-bond", &["yes"]),
            ("school-board", &["lopez", "kim", "moore"]),
        ]),
    )
    .expect("ballot");
    let mut rng = StdRng::seed_from_u64(5);
    let scratch = tempfile::tempdir().expect("tempdir");
    let arabic = arabic_definition();
    for (name, language, test) in [
        ("ballot-card", "en", false),
        ("ballot-card-es-test", "es", true),
        ("ballot-card-ar", "ar", false),
    ] {
        let def = if language == "ar" { &arabic } else { &def };
        let card = CardId::random(&mut rng);
        let bytes = ballot_card(
            def,
            STATION_ID,
            &lang(def, language),
            &card,
            &ballot,
            test,
            SlipKind::Original,
        )
        .expect("card");
        let keep = std::env::var_os("VOTEKIOSK_PRINT_SAMPLES_PDF").is_some();
        let pdf = if keep { &out } else { scratch.path() }.join(format!("{name}.pdf"));
        fs::write(&pdf, bytes).expect("write");
        let pages = render(&pdf, 100);
        fs::rename(&pages[0], out.join(format!("print-{name}.png"))).expect("rename");
        eprintln!("wrote {}", out.join(format!("print-{name}.png")).display());
    }
}

// ---- through the station ---------------------------------------------------

/// A fixture station whose election prints ballot cards.
fn cards_fixture(seed: u64) -> crate::support::Fixture {
    use crate::support::{Fixture, ADMIN, ADMIN_PASSWORD, PASSPHRASE, WORKER, WORKER_PASSWORD};
    let mut value = definition_value();
    value["cards"] = serde_json::json!({"enabled": true, "max_spoils_per_code": 2});
    let def = ElectionDefinition::parse(value.to_string().as_bytes()).expect("definition");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("station.vks");
    let clock = std::sync::Arc::new(votekiosk::ManualClock::new(crate::support::election_noon()));
    let mut options = Fixture::options_for(&clock);
    options.rng = Box::new(StdRng::seed_from_u64(seed));
    let mut station = votekiosk::Station::create(
        &path,
        &def,
        STATION_ID,
        PASSPHRASE,
        ADMIN,
        ADMIN_PASSWORD,
        options,
    )
    .expect("create");
    let admin = station.login(ADMIN, ADMIN_PASSWORD).expect("login");
    station
        .add_official(&admin, WORKER, votekiosk::Role::PollWorker, WORKER_PASSWORD)
        .expect("worker");
    Fixture {
        dir,
        path,
        clock,
        station,
        slips: Vec::new(),
    }
}

/// Spellings of `secret` someone might look for: as printed, without
/// dashes, in lower case.
fn spellings(secret: &str) -> Vec<String> {
    let bare = secret.replace('-', "");
    vec![
        secret.to_string(),
        bare.clone(),
        secret.to_lowercase(),
        bare.to_lowercase(),
    ]
}

#[test]
fn a_card_shows_neither_the_voter_code_nor_the_receipt_it_will_be_cast_with() {
    // The attacker holds a cast card (from the box, or a photo of it) and
    // wants the voter's code or receipt from it, to link the card's
    // choices to a voter or to a published record.
    let mut f = cards_fixture(21);
    f.open();
    let codes = f.codes(4);
    let dir = tempfile::tempdir().expect("tempdir");
    let def = f.station.definition().clone();
    for (i, code) in codes.iter().enumerate() {
        let selections = crate::support::full_ballot();
        let printed = f.station.print_card(code, &selections).expect("print card");
        let language = lang(&def, if i % 2 == 0 { "en" } else { "es" });
        let bytes = ballot_card(
            &def,
            STATION_ID,
            &language,
            &printed.card,
            &printed.ballot,
            printed.test,
            SlipKind::Original,
        )
        .expect("card");
        let pdf = dir.path().join(format!("card-{i}.pdf"));
        fs::write(&pdf, &bytes).expect("write");
        let cast = f
            .station
            .cast_ballot(code, &selections, &crate::support::key_for(i))
            .expect("cast");

        let pages = render(&pdf, 200);
        let qr = decode(&pages[0]);
        assert_eq!(
            qr,
            vec![printed.qr.clone()],
            "the card's QR is the station's payload"
        );
        let text = text_of(&pdf);
        let receipt = cast.receipt.as_str().to_string();
        for secret in spellings(code).into_iter().chain(spellings(&receipt)) {
            assert!(!text.contains(&secret), "card {i} shows {secret:?}: {text}");
            assert!(!qr[0].contains(&secret), "card {i}'s QR holds {secret:?}");
            let haystack = String::from_utf8_lossy(&bytes);
            assert!(
                !haystack.contains(&secret),
                "card {i}'s PDF bytes hold {secret:?}"
            );
        }
        assert!(text.contains(&printed.card.grouped()));
    }
}

#[test]
fn the_results_report_shows_card_counts_and_a_hand_count_mismatch_unadjusted() {
    let mut f = cards_fixture(22);
    f.open();
    let codes = f.codes(3);
    let selections = crate::support::full_ballot();
    // Voter 1 spoils a card and casts the reprint; voter 2 casts; voter 3
    // prints and walks away (abandoned at close).
    f.station.print_card(&codes[0], &selections).expect("print");
    f.station.spoil_card(&codes[0]).expect("spoil");
    f.station.print_card(&codes[0], &selections).expect("reprint");
    f.station
        .cast_ballot(&codes[0], &selections, &crate::support::key_for(1))
        .expect("cast");
    f.station.print_card(&codes[1], &selections).expect("print");
    f.station
        .cast_ballot(&codes[1], &selections, &crate::support::key_for(2))
        .expect("cast");
    f.station.print_card(&codes[2], &selections).expect("print");
    let w = f.worker();
    f.station.close_polls(&w).expect("close");
    f.count();

    let report_text = |f: &mut crate::support::Fixture, name: &str| {
        let pdf = f
            .station
            .results_report(crate::support::election_noon())
            .expect("gather")
            .to_pdf()
            .expect("pdf");
        let path = f.dir.path().join(name);
        fs::write(&path, pdf).expect("write");
        text_of(&path)
    };
    let before = report_text(&mut f, "before.pdf");
    assert!(before.contains("Ballot cards"), "{before}");
    assert!(before.contains("Cards printed 4"), "{before}");
    assert!(before.contains("Cards cast 2"), "{before}");
    assert!(
        before.contains("Cards spoiled 2 (of which 1 abandoned"),
        "{before}"
    );
    assert!(before.contains("Hand count not entered yet"), "{before}");

    // Three cards found in two boxes for two ballots cast.
    let w = f.worker();
    let boxes = [
        votekiosk::station::BoxCount {
            box_id: "1".into(),
            cards: 2,
        },
        votekiosk::station::BoxCount {
            box_id: "2".into(),
            cards: 1,
        },
    ];
    let r = f.station.record_hand_count(&w, &boxes).expect("hand count");
    assert_eq!((r.hand_count, r.cast, r.difference), (3, 2, 1));
    let after = report_text(&mut f, "after.pdf");
    assert!(after.contains("Hand count, box 1 2"), "{after}");
    assert!(after.contains("Hand count, box 2 1"), "{after}");
    assert!(after.contains("3 Cards counted by hand"), "{after}");
    assert!(after.contains("Hand count - ballots cast +1"), "{after}");
    assert!(after.contains("MISMATCH: reported, not adjusted"), "{after}");
    // Not adjusted: the count still says two ballots.
    assert!(after.contains("Turnout 2 Ballots cast"), "{after}");
    assert!(after.contains("Cards cast 2"), "{after}");
}
