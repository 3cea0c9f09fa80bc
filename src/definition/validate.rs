//! Validation: walks a parsed `DefinitionDoc`, collects every issue with
//! its JSON path, reads the defaults, and builds the domain types with the
//! canonical form and its hash. The canonical form omits every optional
//! field equal to its default, so a definition hashes the same whether a
//! default is written out or not.

use std::collections::BTreeSet;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate};
use sha2::{Digest, Sha256};
use strum::VariantNames;

use super::format::{self, CandidateDoc, ContestDoc, DefinitionDoc, TextDoc};
use super::office::{self, Checks};
use super::*;
use crate::canonical::to_canonical_string;

/// Collects issues while walking the document.
struct Checker {
    issues: Vec<Issue>,
    languages: Vec<String>,
}

impl Checker {
    fn fail(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.issues.push(Issue {
            path: path.into(),
            message: message.into(),
        });
    }

    /// Validates a translated text, trimming it in place so that the
    /// canonical form (and the hash) holds the trimmed text.
    fn text(&mut self, path: &str, doc: &mut TextDoc) -> Text {
        for v in doc.values_mut() {
            *v = v.trim().to_string();
        }
        for lang in doc.keys() {
            if !self.languages.contains(lang) {
                self.fail(
                    format!("{path}.{lang}"),
                    format!("language {lang:?} is not declared in languages"),
                );
            }
        }
        for lang in self.languages.clone() {
            match doc.get(&lang) {
                None => self.fail(path, format!("missing translation for {lang:?}")),
                Some(s) => self.plain_text(&format!("{path}.{lang}"), s),
            }
        }
        Text(
            doc.iter()
                .map(|(k, v)| (LangCode(k.clone()), v.trim().to_string()))
                .collect(),
        )
    }

    fn plain_text(&mut self, path: &str, s: &str) {
        if s.trim().is_empty() {
            self.fail(path, "must not be empty");
        } else if s.chars().count() > MAX_TEXT_CHARS {
            self.fail(path, format!("longer than {MAX_TEXT_CHARS} characters"));
        } else if s.chars().any(|c| c.is_control() && c != '\n') {
            self.fail(path, "contains control characters");
        }
    }

    fn id(&mut self, path: &str, id: &str) {
        let ok = (1..=64).contains(&id.len())
            && id.bytes().enumerate().all(|(i, b)| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || (i > 0 && (b == b'-' || b == b'_'))
            });
        if !ok {
            self.fail(path, format!("invalid id {id:?}: use 1-64 lowercase letters, digits, '-' or '_', starting with a letter or digit"));
        }
        if matches!(id, "yes" | "no") || id.starts_with("write-in") {
            self.fail(path, format!("the id {id:?} is reserved"));
        }
    }

    fn candidates(&mut self, path: &str, list: Option<&mut Vec<CandidateDoc>>) -> Vec<Candidate> {
        let path = format!("{path}.candidates");
        let Some(list) = list else {
            self.fail(&path, "required for this kind of contest");
            return Vec::new();
        };
        if list.is_empty() {
            self.fail(&path, "must list at least one candidate");
        }
        if list.len() > MAX_CANDIDATES {
            self.fail(&path, format!("more than {MAX_CANDIDATES} candidates"));
        }
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for (i, c) in list.iter_mut().enumerate() {
            let p = format!("{path}[{i}]");
            self.id(&format!("{p}.id"), &c.id);
            if !seen.insert(c.id.clone()) {
                self.fail(format!("{p}.id"), format!("duplicate id {:?}", c.id));
            }
            let name = self.text(&format!("{p}.name"), &mut c.name);
            let party = c.party.as_mut().map(|t| self.text(&format!("{p}.party"), t));
            out.push(Candidate {
                id: CandidateId(c.id.clone()),
                name,
                party,
            });
        }
        out
    }

    /// Refuses the optional fields a contest of this kind does not take.
    fn kind_fields(&mut self, path: &str, doc: &ContestDoc, kind: KindName, name: &str) {
        let allowed: &[&str] = match kind {
            KindName::Candidate => &["seats", "write_ins", "candidates"],
            KindName::YesNo => &["yes_label", "no_label", "threshold"],
            KindName::Approval => &["max_approvals", "candidates"],
            KindName::Ranked => &["seats", "max_rankings", "candidates", "rules"],
        };
        for (field, set) in [
            ("seats", doc.seats.is_some()),
            ("write_ins", doc.write_ins.is_some()),
            ("max_approvals", doc.max_approvals.is_some()),
            ("max_rankings", doc.max_rankings.is_some()),
            ("threshold", doc.threshold.is_some()),
            ("yes_label", doc.yes_label.is_some()),
            ("no_label", doc.no_label.is_some()),
            ("candidates", doc.candidates.is_some()),
            ("rules", doc.rules.is_some()),
        ] {
            if set && !allowed.contains(&field) {
                self.fail(
                    format!("{path}.{field}"),
                    format!("not allowed in a {name} contest"),
                );
            }
        }
    }

    /// One of an enum's names (`strum`'s table, in declaration order), or
    /// an issue listing them; `None` after an issue.
    fn one_of<T: FromStr + VariantNames>(&mut self, path: impl Into<String>, value: &str) -> Option<T> {
        let found = value.parse().ok();
        if found.is_none() {
            let list: Vec<String> = T::VARIANTS.iter().map(|a| format!("{a:?}")).collect();
            self.fail(path, format!("{value:?} is not one of {}", list.join(", ")));
        }
        found
    }

    /// An optional enum field: its default when absent, else one of its
    /// names. A stated default is dropped, so that it hashes as absent.
    fn rule<T>(&mut self, path: String, field: &mut Option<String>, default: T) -> T
    where
        T: FromStr + VariantNames + PartialEq + Copy + Into<&'static str>,
    {
        let value = match field.as_deref() {
            None => default,
            Some(v) => self.one_of(path, v).unwrap_or(default),
        };
        if value == default {
            *field = None;
        }
        value
    }

    /// Reads a ranked contest's rules (absent: every default), dropping the
    /// stated defaults from the document.
    fn ranked_rules(&mut self, path: &str, rules: &mut Option<format::RulesDoc>) -> RankedRules {
        let default = RankedRules::default();
        let mut doc = rules.take().unwrap_or_default();
        let field = |name: &str| format!("{path}.rules.{name}");
        let batch_elimination = doc.batch_elimination.unwrap_or(default.batch_elimination);
        if batch_elimination == default.batch_elimination {
            doc.batch_elimination = None;
        }
        let read = RankedRules {
            batch_elimination,
            skipped_rank_limit: doc.skipped_rank_limit,
            tie_break: self.rule(field("tie_break"), &mut doc.tie_break, default.tie_break),
            stop: self.rule(field("stop"), &mut doc.stop, default.stop),
            overvote: self.rule(field("overvote"), &mut doc.overvote, default.overvote),
            duplicate_ranking: self.rule(
                field("duplicate_ranking"),
                &mut doc.duplicate_ranking,
                default.duplicate_ranking,
            ),
        };
        if !doc.is_empty() {
            *rules = Some(doc);
        }
        read
    }

    fn contest(&mut self, path: &str, doc: &mut ContestDoc) -> Option<Contest> {
        self.id(&format!("{path}.id"), &doc.id);
        let title = self.text(&format!("{path}.title"), &mut doc.title);
        let description = doc
            .description
            .as_mut()
            .map(|t| self.text(&format!("{path}.description"), t));
        let kind_name = doc.kind.clone();
        let k = kind_name.as_str();
        let Ok(known) = KindName::from_str(k) else {
            let names = KindName::VARIANTS;
            let (last, rest) = names.split_last().unwrap_or((&"", &[]));
            self.fail(
                format!("{path}.kind"),
                format!("unknown contest kind {k:?}: use {} or {last}", rest.join(", ")),
            );
            return None;
        };
        self.kind_fields(path, doc, known, k);
        let kind = match known {
            KindName::Candidate => {
                let candidates = self.candidates(path, doc.candidates.as_mut());
                let seats = doc.seats.unwrap_or(1);
                let write_ins = doc.write_ins.unwrap_or(false);
                if seats == 0 {
                    self.fail(format!("{path}.seats"), "must be at least 1");
                } else if !write_ins && seats as usize > candidates.len() {
                    self.fail(
                        format!("{path}.seats"),
                        format!("{seats} seats but only {} candidates", candidates.len()),
                    );
                } else if write_ins && seats > MAX_WRITE_IN_SEATS {
                    self.fail(
                        format!("{path}.seats"),
                        format!("at most {MAX_WRITE_IN_SEATS} seats in a contest with write-ins"),
                    );
                }
                drop_default(&mut doc.seats, 1);
                drop_default(&mut doc.write_ins, false);
                ContestKind::Candidate {
                    seats,
                    candidates,
                    write_ins,
                }
            }
            KindName::YesNo => {
                let yes_label = doc
                    .yes_label
                    .as_mut()
                    .map(|t| self.text(&format!("{path}.yes_label"), t));
                let no_label = doc
                    .no_label
                    .as_mut()
                    .map(|t| self.text(&format!("{path}.no_label"), t));
                let t = doc.threshold.clone().unwrap_or(format::ThresholdDoc {
                    numerator: 1,
                    denominator: 2,
                });
                if (t.numerator, t.denominator) == (1, 2) {
                    doc.threshold = None;
                }
                let threshold = Threshold {
                    numerator: t.numerator,
                    denominator: t.denominator,
                };
                // 1/2 <= n/d < 1, i.e. d <= 2n and n < d.
                if t.denominator == 0
                    || t.numerator == 0
                    || t.numerator >= t.denominator
                    || t.denominator > 2 * t.numerator
                {
                    self.fail(
                        format!("{path}.threshold"),
                        format!(
                            "{}/{} is not a share from 1/2 up to (not including) 1",
                            t.numerator, t.denominator
                        ),
                    );
                }
                ContestKind::YesNo {
                    yes_label,
                    no_label,
                    threshold,
                }
            }
            KindName::Approval => {
                let candidates = self.candidates(path, doc.candidates.as_mut());
                if let Some(m) = doc.max_approvals {
                    if m == 0 || m as usize > candidates.len() {
                        self.fail(
                            format!("{path}.max_approvals"),
                            format!(
                                "must be from 1 to the number of candidates ({})",
                                candidates.len()
                            ),
                        );
                    }
                }
                ContestKind::Approval {
                    candidates,
                    max_approvals: doc.max_approvals,
                }
            }
            KindName::Ranked => {
                let candidates = self.candidates(path, doc.candidates.as_mut());
                let max = doc.max_rankings.unwrap_or(candidates.len() as u32);
                if max == 0 || max as usize > candidates.len() {
                    self.fail(
                        format!("{path}.max_rankings"),
                        format!(
                            "must be from 1 to the number of candidates ({})",
                            candidates.len()
                        ),
                    );
                }
                drop_default(&mut doc.max_rankings, candidates.len() as u32);
                match doc.seats.unwrap_or(1) {
                    0 => self.fail(format!("{path}.seats"), "must be at least 1"),
                    1 => {}
                    _ => self.fail(
                        format!("{path}.seats"),
                        "multi-winner ranked counting is not supported yet: use 1 seat",
                    ),
                }
                drop_default(&mut doc.seats, 1);
                let rules = self.ranked_rules(path, &mut doc.rules);
                ContestKind::Ranked {
                    candidates,
                    max_rankings: max,
                    rules,
                }
            }
        };
        Some(Contest {
            id: ContestId(doc.id.clone()),
            title,
            description,
            kind,
        })
    }
}

fn parse_time(c: &mut Checker, path: &str, s: &str) -> Option<DateTime<FixedOffset>> {
    match DateTime::parse_from_rfc3339(s) {
        Ok(t) => Some(t),
        Err(_) => {
            c.fail(
                path,
                format!("{s:?} is not an RFC 3339 time with offset, e.g. 2026-11-03T07:00:00-05:00"),
            );
            None
        }
    }
}

fn valid_lang_code(code: &str) -> bool {
    let mut parts = code.split('-');
    let first = parts.next().unwrap_or("");
    (2..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

pub(super) fn validate(mut doc: DefinitionDoc) -> Result<ElectionDefinition, DefinitionError> {
    let mut c = Checker {
        issues: Vec::new(),
        languages: Vec::new(),
    };
    if doc.format != FORMAT {
        c.fail(
            "format",
            format!(
                "unsupported format {:?}: this version reads {FORMAT:?}",
                doc.format
            ),
        );
    }

    // Languages first: every text is checked against them.
    if doc.languages.is_empty() {
        c.fail("languages", "declare at least one language");
    }
    if doc.languages.len() > MAX_LANGUAGES {
        c.fail("languages", format!("more than {MAX_LANGUAGES} languages"));
    }
    let mut languages = Vec::new();
    for (i, l) in doc.languages.iter_mut().enumerate() {
        let p = format!("languages[{i}]");
        if !valid_lang_code(&l.code) {
            c.fail(
                format!("{p}.code"),
                format!(
                    "invalid language code {:?}: use a code like \"en\" or \"es-MX\"",
                    l.code
                ),
            );
        }
        if c.languages.contains(&l.code) {
            c.fail(format!("{p}.code"), format!("duplicate language {:?}", l.code));
        }
        c.languages.push(l.code.clone());
        c.plain_text(&format!("{p}.name"), &l.name);
        let direction = match l.direction.as_deref() {
            None => Direction::Ltr,
            Some(d) => c.one_of(format!("{p}.direction"), d).unwrap_or(Direction::Ltr),
        };
        if direction == Direction::Ltr {
            l.direction = None;
        }
        languages.push(Language {
            code: LangCode(l.code.clone()),
            name: l.name.trim().to_string(),
            direction,
        });
    }

    let title = c.text("title", &mut doc.title);
    // Strictly YYYY-MM-DD: chrono alone would also take 2026-5-2.
    let date = match NaiveDate::parse_from_str(&doc.date, "%Y-%m-%d") {
        Ok(d) if d.format("%Y-%m-%d").to_string() == doc.date => Some(d),
        _ => {
            c.fail("date", format!("{:?} is not a date like 2026-11-03", doc.date));
            None
        }
    };
    let opens = parse_time(&mut c, "window.opens", &doc.window.opens);
    let closes = parse_time(&mut c, "window.closes", &doc.window.closes);
    if let (Some(o), Some(cl)) = (opens, closes) {
        if o >= cl {
            c.fail("window.closes", "must be after window.opens");
        }
    }
    if let Some(url) = &doc.receipt_verification_url {
        let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
        if !scheme_ok
            || url.contains('#')
            || url.len() > 500
            || url.chars().any(|ch| ch.is_whitespace() || ch.is_control())
        {
            c.fail(
                "receipt_verification_url",
                "must be an http(s) URL without spaces or a #fragment (the receipt goes in the fragment)",
            );
        }
    }

    if doc.contests.is_empty() {
        c.fail("contests", "list at least one contest");
    }
    if doc.contests.len() > MAX_CONTESTS {
        c.fail("contests", format!("more than {MAX_CONTESTS} contests"));
    }
    let mut contests = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, contest) in doc.contests.iter_mut().enumerate() {
        let p = format!("contests[{i}]");
        if !seen.insert(contest.id.clone()) {
            c.fail(format!("{p}.id"), format!("duplicate id {:?}", contest.id));
        }
        if let Some(k) = c.contest(&p, contest) {
            contests.push(k);
        }
    }

    let mut checks = Checks {
        issues: &mut c.issues,
    };
    let office = checks.office(&doc.office);
    let demo = doc.demo.unwrap_or(false);
    checks.demo(demo, office.as_ref());
    let cards = checks.cards(doc.cards.as_ref());
    drop_default(&mut doc.demo, false);
    if let Some(card_doc) = &mut doc.cards {
        let default = office::Cards::default();
        drop_default(&mut card_doc.enabled, default.enabled);
        drop_default(
            &mut card_doc.max_spoils_per_code,
            u32::from(default.max_spoils_per_code),
        );
        if card_doc.enabled.is_none() && card_doc.max_spoils_per_code.is_none() {
            doc.cards = None;
        }
    }

    if !c.issues.is_empty() {
        return Err(DefinitionError { issues: c.issues });
    }
    let (Some(date), Some(opens), Some(closes), Some(office)) = (date, opens, closes, office) else {
        unreachable!("issues were recorded for every missing part");
    };
    // Canonical form of the normalised document (defaults left out).
    let value = serde_json::to_value(&doc).map_err(|e| DefinitionError::one("$", e.to_string()))?;
    let canonical_json = to_canonical_string(&value);
    let hash = DefinitionHash(Sha256::digest(canonical_json.as_bytes()).into());
    Ok(ElectionDefinition {
        title,
        date,
        opens,
        closes,
        languages,
        receipt_verification_url: doc.receipt_verification_url,
        office,
        demo,
        cards,
        contests,
        canonical_json,
        hash,
    })
}

/// Drops an optional field that states its default: the canonical form
/// (and so the hash) is the same whether a default is written out or not.
fn drop_default<T: PartialEq>(field: &mut Option<T>, default: T) {
    if field.as_ref() == Some(&default) {
        *field = None;
    }
}
