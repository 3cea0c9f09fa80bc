//! Importing a VotingWorks (VxSuite) `election.json` into a `votekiosk/2`
//! definition for one ballot style at one precinct (`votekiosk import vx`).
//!
//! The VX file describes a whole election: every precinct, district, party,
//! ballot style and language. A kiosk serves one ballot style at one
//! precinct, so the import picks the style's contests (its districts, and
//! its party in a primary) in the election's order, the style's candidate
//! rotation (`orderedCandidatesByContest`), and the texts of the style's
//! languages from `ballotStrings`. What a VX file has and a votekiosk
//! definition cannot hold is never dropped in silence: each such field is a
//! `Finding` in `lost` (with `strict`, an error), presentation fields skipped
//! on purpose are listed in `ignored`, ids that had to change in `renamed`,
//! and what the import had to assume (the voting window) in `assumed`.
//! The office keys and the window are not in a VX file: the caller gives
//! them. The result is validated as any definition before it is returned.
//! The field mapping, both ways, is in `docs/formats.md` ("Importing a
//! VotingWorks election").

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::format::{CandidateDoc, CardsDoc, ContestDoc, DefinitionDoc, LanguageDoc, TextDoc, WindowDoc};
use super::upgrade::Office;
use super::{ElectionDefinition, OfficeKeys, FORMAT, MAX_DEFINITION_BYTES};
use crate::error::{Error, Result};

/// When the polls open and close on the election date if the caller does
/// not say (a VX file has a date, not a window).
pub const DEFAULT_OPENS: (u32, u32) = (7, 0);
pub const DEFAULT_CLOSES: (u32, u32) = (20, 0);

/// VX files larger than this are refused (a VX file carries its seal
/// image and every language, so it is larger than the definition made).
pub const MAX_VX_BYTES: u64 = 4 * MAX_DEFINITION_BYTES;

/// What to import, and what a VX file does not hold.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// `ballotStyles[].id` of the style the kiosk offers.
    pub ballot_style: String,
    /// `precincts[].id` of the kiosk's precinct; the style must list it.
    pub precinct: String,
    /// The office keys (or the published demo keys).
    pub office: Office,
    /// The voting window; each defaults to the election date at
    /// `DEFAULT_OPENS` / `DEFAULT_CLOSES` in `utc_offset`.
    pub opens: Option<DateTime<FixedOffset>>,
    pub closes: Option<DateTime<FixedOffset>>,
    pub utc_offset: FixedOffset,
    /// `cards.enabled` of the new definition (`None`: the definition's default).
    pub cards: Option<bool>,
    /// Refuse the import if anything would be lost.
    pub strict: bool,
}

/// One field of the VX file, at its JSON path, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub field: String,
    pub message: String,
}

/// An id that votekiosk's id rules made change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Renamed {
    pub field: String,
    pub from: String,
    pub to: String,
}

/// One imported contest: its VX id and its votekiosk id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedContest {
    pub vx: String,
    pub id: String,
    pub kind: String,
}

/// What an import produced.
#[derive(Debug)]
pub struct Imported {
    /// The `votekiosk/2` definition, as JSON text to write to a new file.
    pub json: String,
    /// The same, validated.
    pub definition: ElectionDefinition,
    pub precinct_name: String,
    pub contests: Vec<ImportedContest>,
    /// Information a votekiosk definition cannot hold.
    pub lost: Vec<Finding>,
    /// Presentation fields skipped on purpose.
    pub ignored: Vec<Finding>,
    pub renamed: Vec<Renamed>,
    /// What the import had to choose (the window, a language's name).
    pub assumed: Vec<Finding>,
}

// ---------------------------------------------------------------- VX shape

type Extra = BTreeMap<String, Value>;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VxElection {
    title: String,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    county: Option<VxNamed>,
    #[serde(default)]
    jurisdiction: Option<VxNamed>,
    date: String,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    parties: Vec<VxParty>,
    #[serde(default)]
    districts: Vec<VxNamed>,
    precincts: Vec<VxPrecinct>,
    ballot_styles: Vec<VxBallotStyle>,
    contests: Vec<Value>,
    #[serde(default)]
    ballot_strings: BTreeMap<String, Value>,
    #[serde(flatten)]
    extra: Extra,
}

#[derive(Deserialize)]
struct VxNamed {
    id: String,
    name: String,
    #[serde(flatten)]
    extra: Extra,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VxParty {
    id: String,
    name: String,
    #[serde(default)]
    full_name: Option<String>,
    #[serde(flatten)]
    extra: Extra,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VxPrecinct {
    id: String,
    name: String,
    #[serde(flatten)]
    extra: Extra,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VxBallotStyle {
    id: String,
    precincts: Vec<String>,
    districts: Vec<String>,
    #[serde(default)]
    party_id: Option<String>,
    #[serde(default)]
    languages: Option<Vec<String>>,
    #[serde(default)]
    ordered_candidates_by_contest: BTreeMap<String, Vec<VxOrdered>>,
    #[serde(flatten)]
    extra: Extra,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VxOrdered {
    id: String,
    #[serde(default)]
    party_ids: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VxCandidateContest {
    id: String,
    seats: u32,
    candidates: Vec<VxCandidate>,
    allow_write_ins: bool,
    #[serde(default)]
    term_description: Option<String>,
    #[serde(flatten)]
    extra: Extra,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VxCandidate {
    id: String,
    name: String,
    #[serde(default)]
    party_ids: Option<Vec<String>>,
    /// The older form: one party.
    #[serde(default)]
    party_id: Option<String>,
    #[serde(default)]
    is_write_in: Option<bool>,
    #[serde(flatten)]
    extra: Extra,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VxYesNoContest {
    id: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    yes_option: Option<VxOption>,
    #[serde(default)]
    no_option: Option<VxOption>,
    /// The newest form: the answers as a list (the first is yes).
    #[serde(default)]
    options: Option<Vec<VxOption>>,
    #[serde(flatten)]
    extra: Extra,
}

#[derive(Deserialize)]
struct VxOption {
    id: String,
    label: String,
    #[serde(flatten)]
    extra: Extra,
}

/// A field read outside its struct (listed so that it is not reported).
const READ: &str = "";
/// Fields skipped on purpose, by where they appear, with the reason.
const IGNORED_TOP: &[(&str, &str)] = &[
    (
        "id",
        "VX's election id: a votekiosk election is known by its definition hash",
    ),
    (
        "seal",
        "the seal image is printed on VX's paper ballots; the kiosk shows no seal",
    ),
    (
        "sealUrl",
        "the seal image is printed on VX's paper ballots; the kiosk shows no seal",
    ),
    (
        "sealURL",
        "the seal image is printed on VX's paper ballots; the kiosk shows no seal",
    ),
    (
        "ballotLayout",
        "paper size and QR encoding of VX's printed ballots",
    ),
    ("markThresholds", "scanner settings for hand-marked ballots"),
    ("adjudicationReasons", "scanner adjudication settings"),
    ("centralScanAdjudicationReasons", "scanner adjudication settings"),
    ("precinctScanAdjudicationReasons", "scanner adjudication settings"),
    ("gridLayouts", "bubble positions of VX's printed ballots"),
    ("signature", "the clerk's signature printed on VX's paper ballots"),
    ("additionalHashInput", "extra input to VX's election hash"),
    (
        "pollingPlaces",
        "VX's polling places: a kiosk's place is its station id",
    ),
];
const IGNORED_STYLE: &[(&str, &str)] = &[
    (
        "groupId",
        "VX groups the language versions of one style; the kiosk offers the style's languages",
    ),
    ("ballotPositions", "bubble positions of VX's printed ballots"),
];
const IGNORED_CONTEST: &[(&str, &str)] = &[
    ("type", READ),
    ("districtId", READ),
    ("partyId", READ),
    ("title", READ),
    ("section", "a heading of VX's printed ballots"),
    (
        "shortTitle",
        "a shorter title for small screens: the kiosk shows the full title",
    ),
];
const IGNORED_CANDIDATE: &[(&str, &str)] = &[
    ("firstName", "VxDesign's name parts: `name` holds the full name"),
    ("middleName", "VxDesign's name parts: `name` holds the full name"),
    ("lastName", "VxDesign's name parts: `name` holds the full name"),
    (
        "writeInIndex",
        "a write-in slot's place: votekiosk numbers write-in slots itself",
    ),
];
const IGNORED_PARTY: &[(&str, &str)] = &[(
    "abbrev",
    "party abbreviations are printed on VX's paper ballots only",
)];
const IGNORED_PRECINCT: &[(&str, &str)] = &[
    ("districtIds", "the ballot style's districts choose the contests"),
    ("splits", "the ballot style's districts choose the contests"),
];
/// `ballotStrings` keys the import reads, and the ones it leaves on purpose.
const STRINGS_READ: &[&str] = &[
    "ballotLanguage",
    "electionTitle",
    "countyName",
    "stateName",
    "contestTitle",
    "contestDescription",
    "contestTerm",
    "contestOptionLabel",
    "candidateName",
    "partyName",
    "partyFullName",
];
const STRINGS_UNUSED: &[&str] = &["precinctName", "districtName", "electionDate", "ballotStyleId"];

// ---------------------------------------------------------------- import

fn refuse(field: impl AsRef<str>, message: impl AsRef<str>) -> Error {
    Error::VxImport(format!("{}: {}", field.as_ref(), message.as_ref()))
}

/// Reads `value` as `T`, an error naming the field at fault.
fn read<T: DeserializeOwned>(value: Value, path: &str) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let inner = e.path().to_string();
        let at = match (path.is_empty(), inner == ".") {
            (true, true) => "$".to_string(),
            (true, false) => inner,
            (false, true) => path.to_string(),
            (false, false) => format!("{path}.{inner}"),
        };
        refuse(at, e.into_inner().to_string())
    })
}

/// Collects the findings of one import.
#[derive(Default)]
struct Report {
    lost: Vec<Finding>,
    ignored: Vec<Finding>,
    renamed: Vec<Renamed>,
    assumed: Vec<Finding>,
}

impl Report {
    fn lost(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.lost.push(Finding {
            field: field.into(),
            message: message.into(),
        });
    }

    /// Lists the fields of `extra`: skipped on purpose, or lost.
    fn extra(&mut self, path: &str, extra: &Extra, on_purpose: &[(&str, &str)]) {
        for key in extra.keys() {
            let field = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            match on_purpose.iter().find(|(k, _)| k == key) {
                Some((_, "")) => {}
                Some((_, why)) => self.ignored.push(Finding {
                    field,
                    message: (*why).to_string(),
                }),
                None => self.lost(
                    field,
                    "not represented: votekiosk has no such field, and this importer does not know it",
                ),
            }
        }
    }
}

/// votekiosk's form of a VX id: lowercase, `-` for any other character,
/// at most 64 characters, never a reserved choice name.
pub fn kiosk_id(vx: &str) -> String {
    let mut id: String = vx
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .map(|c| match c {
            'a'..='z' | '0'..='9' | '-' | '_' => c,
            _ => '-',
        })
        .collect();
    if !id.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        id.insert(0, 'x');
    }
    if id == "yes" || id == "no" || id.starts_with("write-in") {
        id.insert_str(0, "vx-");
    }
    id.truncate(64);
    id
}

/// Gives each VX id of one scope its votekiosk id, refusing two that meet.
#[derive(Default)]
struct Ids(BTreeMap<String, String>);

impl Ids {
    fn add(&mut self, field: &str, vx: &str, report: &mut Report) -> Result<String> {
        let id = kiosk_id(vx);
        if let Some(other) = self.0.insert(id.clone(), vx.to_string()) {
            return Err(refuse(
                field,
                format!("the ids {other:?} and {vx:?} both become {id:?} under votekiosk's id rules (a-z, 0-9, '-', '_'): rename one in the VX file"),
            ));
        }
        if id != vx {
            report.renamed.push(Renamed {
                field: field.to_string(),
                from: vx.to_string(),
                to: id.clone(),
            });
        }
        Ok(id)
    }
}

/// The texts of the offered languages, from `ballotStrings` with the VX
/// file's own (English) strings as the fallback.
struct Strings<'a> {
    languages: Vec<String>,
    table: &'a BTreeMap<String, Value>,
}

fn is_english(lang: &str) -> bool {
    lang == "en" || lang.starts_with("en-")
}

impl Strings<'_> {
    fn lookup(&self, lang: &str, key: &str, id: Option<&str>) -> Option<String> {
        let entry = self.table.get(lang)?.get(key)?;
        let found = match id {
            Some(id) => entry.get(id)?.as_str()?,
            None => entry.as_str()?,
        };
        (!found.trim().is_empty()).then(|| found.to_string())
    }

    /// `key` (of `id`) in every language; `base` (the VX file's English
    /// string) where a translation is missing, reported as lost.
    fn text(&self, key: &str, id: Option<&str>, base: &str, field: &str, report: &mut Report) -> TextDoc {
        let mut text = TextDoc::new();
        for lang in &self.languages {
            let value = match self.lookup(lang, key, id) {
                Some(v) => v,
                None => {
                    if !is_english(lang) {
                        let at = match id {
                            Some(id) => format!("ballotStrings.{lang}.{key}.{id}"),
                            None => format!("ballotStrings.{lang}.{key}"),
                        };
                        report.lost(
                            at,
                            format!("no {lang} translation of {field}: {lang} voters see the English text {base:?}"),
                        );
                    }
                    base.to_string()
                }
            };
            text.insert(lang.clone(), value);
        }
        text
    }

    /// Several texts joined, language by language.
    fn join(parts: &[TextDoc], separator: &str) -> TextDoc {
        let mut out = TextDoc::new();
        if let Some(first) = parts.first() {
            for lang in first.keys() {
                let joined: Vec<&str> = parts
                    .iter()
                    .filter_map(|p| p.get(lang).map(String::as_str))
                    .collect();
                out.insert(lang.clone(), joined.join(separator));
            }
        }
        out
    }
}

/// A language's own name when `ballotStrings` does not give it.
fn known_language_name(code: &str) -> Option<&'static str> {
    let primary = code.split('-').next().unwrap_or(code);
    Some(match (primary, code) {
        (_, "zh-Hans") => "简体中文",
        (_, "zh-Hant") => "繁體中文",
        ("en", _) => "English",
        ("es", _) => "Español",
        ("fr", _) => "Français",
        ("de", _) => "Deutsch",
        ("vi", _) => "Tiếng Việt",
        ("ko", _) => "한국어",
        ("ja", _) => "日本語",
        ("tl", _) => "Tagalog",
        ("ru", _) => "Русский",
        ("ar", _) => "العربية",
        _ => return None,
    })
}

/// Imports the ballot style and precinct `options` names from the VX
/// `election.json` bytes `vx`.
pub fn import(vx: &[u8], options: &ImportOptions) -> Result<Imported> {
    if vx.len() as u64 > MAX_VX_BYTES {
        return Err(refuse(
            "$",
            format!("the file is {} bytes, the limit is {MAX_VX_BYTES}", vx.len()),
        ));
    }
    let value: Value = serde_json::from_slice(vx).map_err(|e| refuse("$", format!("not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(refuse("$", "a VX election.json is a JSON object"));
    }
    let election: VxElection = read(value, "")?;
    let mut report = Report::default();
    report.extra("", &election.extra, IGNORED_TOP);

    // The ballot style and the precinct.
    let Some((style_index, style)) = election
        .ballot_styles
        .iter()
        .enumerate()
        .find(|(_, s)| s.id == options.ballot_style)
    else {
        let known: Vec<&str> = election.ballot_styles.iter().map(|s| s.id.as_str()).collect();
        return Err(refuse(
            "ballotStyles",
            format!(
                "no ballot style {:?} (the file has {})",
                options.ballot_style,
                known.join(", ")
            ),
        ));
    };
    let style_path = format!("ballotStyles[{style_index}]");
    report.extra(&style_path, &style.extra, IGNORED_STYLE);
    let Some((precinct_index, precinct)) = election
        .precincts
        .iter()
        .enumerate()
        .find(|(_, p)| p.id == options.precinct)
    else {
        let known: Vec<&str> = election.precincts.iter().map(|p| p.id.as_str()).collect();
        return Err(refuse(
            "precincts",
            format!(
                "no precinct {:?} (the file has {})",
                options.precinct,
                known.join(", ")
            ),
        ));
    };
    report.extra(
        &format!("precincts[{precinct_index}]"),
        &precinct.extra,
        IGNORED_PRECINCT,
    );
    if !style.precincts.contains(&precinct.id) {
        return Err(refuse(
            format!("{style_path}.precincts"),
            format!(
                "ballot style {:?} is not used in precinct {:?} ({}); it lists {}",
                style.id,
                precinct.id,
                precinct.name,
                style.precincts.join(", ")
            ),
        ));
    }
    for (i, d) in style.districts.iter().enumerate() {
        if !election.districts.iter().any(|x| &x.id == d) {
            return Err(refuse(
                format!("{style_path}.districts[{i}]"),
                format!("district {d:?} is not in districts"),
            ));
        }
    }
    for (i, d) in election.districts.iter().enumerate() {
        report.extra(&format!("districts[{i}]"), &d.extra, &[]);
    }
    let parties: BTreeMap<&str, (usize, &VxParty)> = election
        .parties
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), (i, p)))
        .collect();
    for (i, p) in election.parties.iter().enumerate() {
        report.extra(&format!("parties[{i}]"), &p.extra, IGNORED_PARTY);
    }
    let style_party = match &style.party_id {
        Some(id) => Some(parties.get(id.as_str()).map(|(_, p)| *p).ok_or_else(|| {
            refuse(
                format!("{style_path}.partyId"),
                format!("party {id:?} is not in parties"),
            )
        })?),
        None => None,
    };

    // Languages: the style's, English first (the default).
    let mut languages: Vec<String> = match &style.languages {
        Some(list) if !list.is_empty() => list.clone(),
        _ => {
            let mut list = vec!["en".to_string()];
            list.extend(
                election
                    .ballot_strings
                    .iter()
                    .filter(|(k, v)| v.is_object() && !is_english(k))
                    .map(|(k, _)| k.clone()),
            );
            if !election.ballot_strings.is_empty() {
                report.assumed.push(Finding {
                    field: format!("{style_path}.languages"),
                    message: format!(
                        "absent: every language of ballotStrings is offered ({})",
                        list.join(", ")
                    ),
                });
            }
            list
        }
    };
    if let Some(pos) = languages.iter().position(|l| is_english(l)) {
        let english = languages.remove(pos);
        languages.insert(0, english);
    }
    for lang in election.ballot_strings.keys() {
        if !languages.contains(lang) {
            report.ignored.push(Finding {
                field: format!("ballotStrings.{lang}"),
                message: format!("a language ballot style {:?} does not offer", style.id),
            });
        }
    }
    for lang in &languages {
        if let Some(table) = election.ballot_strings.get(lang).and_then(Value::as_object) {
            for key in table.keys() {
                if STRINGS_READ.contains(&key.as_str()) || STRINGS_UNUSED.contains(&key.as_str()) {
                    continue;
                }
                report.lost(
                    format!("ballotStrings.{lang}.{key}"),
                    "not represented: this importer does not know this string",
                );
            }
        }
    }
    let strings = Strings {
        languages: languages.clone(),
        table: &election.ballot_strings,
    };
    let language_docs: Vec<LanguageDoc> = languages
        .iter()
        .map(|code| {
            let name = strings.lookup(code, "ballotLanguage", None).unwrap_or_else(|| {
                let name = known_language_name(code).unwrap_or(code).to_string();
                report.assumed.push(Finding {
                    field: format!("ballotStrings.{code}.ballotLanguage"),
                    message: format!("absent: the language is named {name:?}"),
                });
                name
            });
            LanguageDoc {
                code: code.clone(),
                name,
                direction: None,
            }
        })
        .collect();

    // The title: the election's, the party's in a primary, then the place.
    let mut title_parts = vec![strings.text(
        "electionTitle",
        None,
        &election.title,
        "the election title",
        &mut report,
    )];
    if let Some(party) = style_party {
        let full = party.full_name.as_deref().unwrap_or(&party.name);
        title_parts.push(strings.text(
            "partyFullName",
            Some(&party.id),
            full,
            "the party's full name",
            &mut report,
        ));
    }
    let title = Strings::join(&title_parts, ": ");
    let mut place = Vec::new();
    let county = election.county.as_ref().or(election.jurisdiction.as_ref());
    if let Some(county) = county {
        let key = if election.county.is_some() {
            "county"
        } else {
            "jurisdiction"
        };
        report.extra(key, &county.extra, &[("id", READ)]);
        place.push(strings.text("countyName", None, &county.name, "the county name", &mut report));
    }
    if let Some(state) = election.state.as_deref().filter(|s| !s.trim().is_empty()) {
        place.push(strings.text("stateName", None, state, "the state name", &mut report));
    }
    let title = if place.is_empty() {
        title
    } else {
        Strings::join(&[title, Strings::join(&place, ", ")], " — ")
    };

    // The date and the window.
    let date_text = election.date.get(..10).unwrap_or(&election.date);
    let date = NaiveDate::parse_from_str(date_text, "%Y-%m-%d").map_err(|_| {
        refuse(
            "date",
            format!("{:?} is not a date like 2026-11-03", election.date),
        )
    })?;
    let at = |(h, m): (u32, u32)| -> Result<DateTime<FixedOffset>> {
        let time = NaiveTime::from_hms_opt(h, m, 0).ok_or_else(|| refuse("window", "bad time"))?;
        options
            .utc_offset
            .from_local_datetime(&date.and_time(time))
            .single()
            .ok_or_else(|| refuse("window", "the time does not exist at this offset"))
    };
    let opens = match options.opens {
        Some(t) => t,
        None => {
            let t = at(DEFAULT_OPENS)?;
            report.assumed.push(Finding {
                field: "window.opens".into(),
                message: format!(
                    "not in a VX file: the polls open at {} on the election date (--opens to change)",
                    t.to_rfc3339()
                ),
            });
            t
        }
    };
    let closes = match options.closes {
        Some(t) => t,
        None => {
            let t = at(DEFAULT_CLOSES)?;
            report.assumed.push(Finding {
                field: "window.closes".into(),
                message: format!(
                    "not in a VX file: the polls close at {} on the election date (--closes to change)",
                    t.to_rfc3339()
                ),
            });
            t
        }
    };

    // The contests of the style, in the election's order.
    let primary = election.kind.as_deref() == Some("primary");
    let mut contest_ids = Ids::default();
    let mut contests = Vec::new();
    let mut imported = Vec::new();
    for (index, raw) in election.contests.iter().enumerate() {
        let path = format!("contests[{index}]");
        let field = |name: &str| raw.get(name).and_then(Value::as_str);
        let (Some(vx_id), Some(kind), Some(district)) = (field("id"), field("type"), field("districtId"))
        else {
            return Err(refuse(
                path,
                "a contest needs the strings id, type and districtId",
            ));
        };
        if !style.districts.iter().any(|d| d == district) {
            continue;
        }
        if let Some(party) = field("partyId") {
            if style.party_id.as_deref() != Some(party) {
                if style.party_id.is_none() {
                    report.lost(
                        format!("{path}.partyId"),
                        format!(
                            "contest {vx_id:?} belongs to party {party:?}'s primary, and ballot style {:?} has no party \
                             (a combined-ballot primary): votekiosk cannot limit a voter to one party's contests, so it is not imported",
                            style.id
                        ),
                    );
                }
                continue;
            }
        }
        let title_base = field("title").unwrap_or(vx_id);
        let ordered = style.ordered_candidates_by_contest.get(vx_id);
        let doc = match kind {
            "candidate" => {
                let contest: VxCandidateContest = read(raw.clone(), &path)?;
                let id = contest_ids.add(&format!("{path}.id"), vx_id, &mut report)?;
                let ctx = ContestCtx {
                    path: &path,
                    id,
                    strings: &strings,
                    parties: &parties,
                    ordered: ordered.map(|o| (format!("{style_path}.orderedCandidatesByContest.{vx_id}"), o)),
                    show_parties: !(primary && field("partyId").is_some()),
                };
                candidate_contest(&ctx, &contest, title_base, &mut report)?
            }
            "yesno" => {
                let contest: VxYesNoContest = read(raw.clone(), &path)?;
                let id = contest_ids.add(&format!("{path}.id"), vx_id, &mut report)?;
                match yesno_contest(&path, id, &strings, &contest, title_base, &mut report) {
                    Some(doc) => doc,
                    None => continue,
                }
            }
            other => {
                report.lost(
                    format!("{path}.type"),
                    format!("contest {vx_id:?} is a {other:?} contest, which votekiosk has no kind for: it is not imported"),
                );
                continue;
            }
        };
        imported.push(ImportedContest {
            vx: vx_id.to_string(),
            id: doc.id.clone(),
            kind: doc.kind.clone(),
        });
        contests.push(doc);
    }
    for contest_id in style.ordered_candidates_by_contest.keys() {
        if !election
            .contests
            .iter()
            .any(|c| c.get("id").and_then(Value::as_str) == Some(contest_id))
        {
            return Err(refuse(
                format!("{style_path}.orderedCandidatesByContest.{contest_id}"),
                "names a contest that is not in contests",
            ));
        }
    }

    if options.strict && !report.lost.is_empty() {
        let list: Vec<String> = report
            .lost
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect();
        return Err(Error::VxImport(format!(
            "--strict: {} thing(s) cannot be represented, nothing written: {}",
            list.len(),
            list.join("; ")
        )));
    }

    let (office, demo) = match options.office {
        Office::Keys(keys) => (keys, None),
        Office::Demo => (OfficeKeys::demo(), Some(true)),
    };
    let doc = DefinitionDoc {
        format: FORMAT.to_string(),
        title,
        date: date.format("%Y-%m-%d").to_string(),
        window: WindowDoc {
            opens: opens.to_rfc3339(),
            closes: closes.to_rfc3339(),
        },
        languages: language_docs,
        receipt_verification_url: None,
        office: office.to_doc(),
        demo,
        cards: options.cards.map(|enabled| CardsDoc {
            enabled: Some(enabled),
            max_spoils_per_code: None,
        }),
        contests,
    };
    let mut json = serde_json::to_string_pretty(&doc).map_err(|e| refuse("$", e.to_string()))?;
    json.push('\n');
    let definition = ElectionDefinition::parse(json.as_bytes()).map_err(|e| {
        let issues: Vec<String> = e
            .issues
            .iter()
            .map(|issue| {
                let vx = contest_index(&issue.path)
                    .and_then(|i| imported.get(i))
                    .map(|c| format!(" (VX contest {:?})", c.vx))
                    .unwrap_or_default();
                format!("{}{vx}: {}", issue.path, issue.message)
            })
            .collect();
        Error::VxImport(format!(
            "the imported definition is not a valid {FORMAT} definition: {}",
            issues.join("; ")
        ))
    })?;
    Ok(Imported {
        json,
        definition,
        precinct_name: precinct.name.clone(),
        contests: imported,
        lost: report.lost,
        ignored: report.ignored,
        renamed: report.renamed,
        assumed: report.assumed,
    })
}

/// `N` of a path starting `contests[N]`.
fn contest_index(path: &str) -> Option<usize> {
    let rest = path.strip_prefix("contests[")?;
    rest.split(']').next()?.parse().ok()
}

/// What a candidate contest's import needs from the election.
struct ContestCtx<'a> {
    path: &'a str,
    id: String,
    strings: &'a Strings<'a>,
    parties: &'a BTreeMap<&'a str, (usize, &'a VxParty)>,
    /// The style's rotation of this contest, with its path.
    ordered: Option<(String, &'a Vec<VxOrdered>)>,
    /// Whether candidates show their parties (not in a party's primary
    /// contest, where every candidate has the ballot's party, as VX does).
    show_parties: bool,
}

fn candidate_contest(
    ctx: &ContestCtx<'_>,
    contest: &VxCandidateContest,
    title_base: &str,
    report: &mut Report,
) -> Result<ContestDoc> {
    let path = ctx.path;
    report.extra(path, &contest.extra, IGNORED_CONTEST);
    // The listed candidates (write-in slots become `write_ins`).
    let listed: Vec<(usize, &VxCandidate)> = contest
        .candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| !(c.is_write_in == Some(true) || c.id.starts_with("write-in")))
        .collect();
    let mut party_of: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (j, c) in &listed {
        report.extra(&format!("{path}.candidates[{j}]"), &c.extra, IGNORED_CANDIDATE);
        let ids: Vec<String> = match (&c.party_ids, &c.party_id) {
            (Some(ids), _) => ids.clone(),
            (None, Some(id)) => vec![id.clone()],
            (None, None) => Vec::new(),
        };
        for (k, p) in ids.iter().enumerate() {
            if !ctx.parties.contains_key(p.as_str()) {
                return Err(refuse(
                    format!("{path}.candidates[{j}].partyIds[{k}]"),
                    format!("party {p:?} of candidate {:?} is not in parties", c.id),
                ));
            }
        }
        party_of.insert(*j, ids);
    }
    // Ballot order: the style's rotation (a fusion candidate's first line
    // places them; their parties follow the lines' order), else the file's.
    let mut order: Vec<usize> = Vec::new();
    let mut line_parties: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    if let Some((rotation_path, rotation)) = &ctx.ordered {
        for (k, entry) in rotation.iter().enumerate() {
            let Some((j, _)) = listed.iter().find(|(_, c)| c.id == entry.id) else {
                return Err(refuse(
                    format!("{rotation_path}[{k}].id"),
                    format!(
                        "candidate {:?} is not a candidate of contest {:?}",
                        entry.id, contest.id
                    ),
                ));
            };
            if !order.contains(j) {
                order.push(*j);
            }
            let lines = line_parties.entry(*j).or_default();
            for p in entry.party_ids.iter().flatten() {
                if !lines.contains(p) {
                    lines.push(p.clone());
                }
            }
        }
        for (j, c) in &listed {
            if !order.contains(j) {
                report.lost(
                    rotation_path.clone(),
                    format!(
                        "candidate {:?} is not in the ballot style's rotation of contest {:?}: placed last",
                        c.id, contest.id
                    ),
                );
                order.push(*j);
            }
        }
    } else {
        order = listed.iter().map(|(j, _)| *j).collect();
    }
    let mut candidate_ids = Ids::default();
    let mut candidates = Vec::new();
    for j in order {
        let c = &contest.candidates[j];
        let cpath = format!("{path}.candidates[{j}]");
        let id = candidate_ids.add(&format!("{cpath}.id"), &c.id, report)?;
        let name = ctx.strings.text(
            "candidateName",
            Some(&c.id),
            &c.name,
            &format!("candidate {:?}'s name", c.id),
            report,
        );
        let mut party_ids = line_parties.remove(&j).unwrap_or_default();
        for p in party_of.get(&j).into_iter().flatten() {
            if !party_ids.contains(p) {
                party_ids.push(p.clone());
            }
        }
        let party = if ctx.show_parties && !party_ids.is_empty() {
            let texts: Vec<TextDoc> = party_ids
                .iter()
                .filter_map(|p| ctx.parties.get(p.as_str()))
                .map(|(_, p)| {
                    ctx.strings.text(
                        "partyName",
                        Some(&p.id),
                        &p.name,
                        &format!("party {:?}'s name", p.id),
                        report,
                    )
                })
                .collect();
            if texts.len() > 1 {
                let names: Vec<&str> = party_ids
                    .iter()
                    .filter_map(|p| ctx.parties.get(p.as_str()))
                    .map(|(_, p)| p.name.as_str())
                    .collect();
                report.lost(
                    format!("{cpath}.partyIds"),
                    format!(
                        "{:?} is a fusion candidate of {}: VX gives each party its own line and counts the lines apart; \
                         votekiosk shows one choice with the parties {:?} and counts the candidate's votes together \
                         (which party line a vote was for is not kept)",
                        c.name,
                        names.join(" and "),
                        names.join(" / ")
                    ),
                );
            }
            Some(Strings::join(&texts, " / "))
        } else {
            None
        };
        candidates.push(CandidateDoc { id, name, party });
    }
    let title = ctx.strings.text(
        "contestTitle",
        Some(&contest.id),
        title_base,
        &format!("contest {:?}'s title", contest.id),
        report,
    );
    let description = contest.term_description.as_deref().map(|term| {
        ctx.strings.text(
            "contestTerm",
            Some(&contest.id),
            term,
            &format!("contest {:?}'s term", contest.id),
            report,
        )
    });
    Ok(ContestDoc {
        id: ctx.id.clone(),
        kind: "candidate".into(),
        title,
        description,
        seats: Some(contest.seats),
        write_ins: Some(contest.allow_write_ins),
        max_approvals: None,
        max_rankings: None,
        yes_label: None,
        no_label: None,
        threshold: None,
        candidates: Some(candidates),
        rules: None,
    })
}

/// A yes/no contest, or `None` (reported) when it has other than two answers.
fn yesno_contest(
    path: &str,
    id: String,
    strings: &Strings<'_>,
    contest: &VxYesNoContest,
    title_base: &str,
    report: &mut Report,
) -> Option<ContestDoc> {
    report.extra(path, &contest.extra, IGNORED_CONTEST);
    let (yes, no) = match (&contest.yes_option, &contest.no_option, &contest.options) {
        (Some(yes), Some(no), _) => (Some(yes), Some(no)),
        (_, _, Some(options)) if options.len() == 2 => (options.first(), options.get(1)),
        (_, _, Some(options)) => {
            report.lost(
                format!("{path}.options"),
                format!(
                    "contest {:?} has {} answers: a votekiosk measure has exactly two (yes and no), so it is not imported",
                    contest.id,
                    options.len()
                ),
            );
            return None;
        }
        _ => (None, None),
    };
    let mut label = |option: Option<&VxOption>, choice: &str, index: usize| {
        let option = option?;
        let field = match (&contest.options, index) {
            (Some(_), i) => format!("{path}.options[{i}]"),
            (None, 0) => format!("{path}.yesOption"),
            (None, _) => format!("{path}.noOption"),
        };
        report.extra(&field, &option.extra, &[]);
        report.renamed.push(Renamed {
            field: format!("{field}.id"),
            from: option.id.clone(),
            to: choice.to_string(),
        });
        Some(strings.text(
            "contestOptionLabel",
            Some(&option.id),
            &option.label,
            &format!("answer {:?}'s label", option.id),
            report,
        ))
    };
    let yes_label = label(yes, "yes", 0);
    let no_label = label(no, "no", 1);
    let title = strings.text(
        "contestTitle",
        Some(&contest.id),
        title_base,
        &format!("contest {:?}'s title", contest.id),
        report,
    );
    let description = contest
        .description
        .as_deref()
        .filter(|d| !d.trim().is_empty())
        .map(|d| {
            strings.text(
                "contestDescription",
                Some(&contest.id),
                d,
                &format!("contest {:?}'s description", contest.id),
                report,
            )
        });
    Some(ContestDoc {
        id,
        kind: "yesno".into(),
        title,
        description,
        seats: None,
        write_ins: None,
        max_approvals: None,
        max_rankings: None,
        yes_label,
        no_label,
        threshold: None,
        candidates: None,
        rules: None,
    })
}

#[cfg(test)]
mod tests {
    use super::kiosk_id;

    #[test]
    fn vx_ids_become_kiosk_ids() {
        assert_eq!(kiosk_id("sherlock-holmes"), "sherlock-holmes");
        assert_eq!(kiosk_id("102"), "102");
        assert_eq!(kiosk_id("Question A"), "question-a");
        assert_eq!(kiosk_id("_x"), "x_x");
        assert_eq!(kiosk_id("yes"), "vx-yes");
        assert_eq!(kiosk_id("write-in-0"), "vx-write-in-0");
        assert_eq!(kiosk_id(&"a".repeat(80)).len(), 64);
    }
}
