//! The shapes the window receives (IPC DTOs). Serialization stays here.

use std::collections::BTreeMap;

use serde::Serialize;
use votekiosk::definition::{ContestKind, Direction, ElectionDefinition, Text};
use votekiosk::print::PrintOutcome;
use votekiosk::station::{CardCounts, PrintedCard, Reconciliation};
use votekiosk::turnout::{serialize_codes, Turnout};
use votekiosk::{CastReceipt, KioskSettings, Station, Status, LIMITS};

pub type TextDto = BTreeMap<String, String>;

fn text(t: &Text) -> TextDto {
    t.iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_string()))
        .collect()
}

#[derive(Serialize)]
pub struct AppInfo {
    pub station_path: String,
    pub exists: bool,
    pub unlocked: bool,
    pub demo: bool,
    /// Shown on the unlock screen of the demo only (a published value).
    pub demo_passphrase: Option<&'static str>,
    pub official: Option<OfficialDto>,
    /// The text sizes: the declared panel's once unlocked, before that the
    /// CSS reference pixel's (the setting is inside the encrypted file).
    pub display: DisplayDto,
}

#[derive(Serialize, Clone)]
pub struct OfficialDto {
    pub username: String,
    pub role: &'static str,
}

/// A new official session: the token the window hands back with every
/// privileged command, and the idle logout its timer follows.
#[derive(Serialize)]
pub struct SessionDto {
    pub token: String,
    pub official: OfficialDto,
    pub idle_logout_secs: u32,
}

#[derive(Serialize)]
pub struct LanguageDto {
    pub code: String,
    pub name: String,
    pub rtl: bool,
}

#[derive(Serialize)]
pub struct CandidateDto {
    pub id: String,
    pub name: TextDto,
    pub party: Option<TextDto>,
}

#[derive(Serialize)]
pub struct ContestDto {
    pub id: String,
    pub kind: &'static str,
    pub title: TextDto,
    pub description: Option<TextDto>,
    /// The most choices a voter may mark (rankings for ranked contests).
    pub max_choices: u32,
    pub write_ins: bool,
    pub candidates: Vec<CandidateDto>,
    pub yes_label: Option<TextDto>,
    pub no_label: Option<TextDto>,
}

#[derive(Serialize)]
pub struct VoterContext {
    pub title: TextDto,
    /// The election day (YYYY-MM-DD), shown in the voter's locale.
    pub date: String,
    pub station_id: String,
    pub definition_short: String,
    pub languages: Vec<LanguageDto>,
    pub default_language: String,
    pub idle_timeout_secs: u32,
    /// The officials' idle logout (the admin panel's setting).
    pub official_idle_logout_secs: u32,
    pub contests: Vec<ContestDto>,
    pub cards: CardsDto,
    pub status: StatusDto,
}

/// Whether the voter prints a ballot card before the cast, and how many
/// cards one code may spoil.
#[derive(Serialize)]
pub struct CardsDto {
    pub enabled: bool,
    pub max_spoils_per_code: u8,
}

pub fn voter_context(d: &ElectionDefinition, settings: &KioskSettings, status: StatusDto) -> VoterContext {
    let candidates = |k: &ContestKind| {
        k.candidates()
            .iter()
            .map(|c| CandidateDto {
                id: c.id.to_string(),
                name: text(&c.name),
                party: c.party.as_ref().map(text),
            })
            .collect()
    };
    let contests = d
        .contests
        .iter()
        .map(|c| {
            let (max_choices, write_ins, yes, no) = match &c.kind {
                ContestKind::Candidate { seats, write_ins, .. } => (*seats, *write_ins, None, None),
                ContestKind::YesNo {
                    yes_label, no_label, ..
                } => (
                    1,
                    false,
                    yes_label.as_ref().map(text),
                    no_label.as_ref().map(text),
                ),
                ContestKind::Approval {
                    max_approvals,
                    candidates,
                } => (
                    max_approvals.unwrap_or(candidates.len() as u32),
                    false,
                    None,
                    None,
                ),
                ContestKind::Ranked { max_rankings, .. } => (*max_rankings, false, None, None),
            };
            ContestDto {
                id: c.id.to_string(),
                kind: c.kind.name(),
                title: text(&c.title),
                description: c.description.as_ref().map(text),
                max_choices,
                write_ins,
                candidates: candidates(&c.kind),
                yes_label: yes,
                no_label: no,
            }
        })
        .collect();
    VoterContext {
        title: text(&d.title),
        date: d.date.to_string(),
        station_id: status.station_id.clone(),
        definition_short: d.hash().short(),
        languages: d
            .languages
            .iter()
            .map(|l| LanguageDto {
                code: l.code.to_string(),
                name: l.name.clone(),
                rtl: l.direction == Direction::Rtl,
            })
            .collect(),
        default_language: settings.default_language.clone(),
        idle_timeout_secs: settings.idle_timeout_secs,
        official_idle_logout_secs: settings.official_idle_logout_secs,
        contests,
        cards: CardsDto {
            enabled: d.cards.enabled,
            max_spoils_per_code: d.cards.max_spoils_per_code,
        },
        status,
    }
}

/// Mode and turnout: safe to show anyone. The codes go out as
/// `{issued, used, revoked, unused}` beside the ballots (what `ui/` reads).
#[derive(Serialize, Clone)]
pub struct StatusDto {
    pub mode: &'static str,
    pub voting_locked: bool,
    pub ballots: u64,
    pub test_ballots: u64,
    #[serde(serialize_with = "serialize_codes")]
    pub codes: Turnout,
    #[serde(serialize_with = "serialize_codes")]
    pub test_codes: Turnout,
    pub opened_at: Option<String>,
    pub closed_at: Option<String>,
    pub definition_hash: String,
    pub station_id: String,
    /// A failed WAL checkpoint after a cast (audited), until one succeeds.
    pub storage_alert: Option<String>,
    /// What the dashboard offers in this mode (the core's lifecycle table).
    pub actions: Vec<ActionDto>,
    pub limits: LimitsDto,
    /// Ballot cards (issue 14): whether the election prints them, the
    /// official and test counts, and the hand count once entered (of test
    /// cards in test mode).
    pub cards_enabled: bool,
    pub cards: CardCountsDto,
    pub test_cards: CardCountsDto,
    pub hand_count: Option<ReconciliationDto>,
    /// The panel's pixel pitch and the voter's text sizes on it.
    pub display: DisplayDto,
}

/// The voter's text sizes on this panel (`votekiosk::limits::text_sizes`):
/// the window sets each size's font so that a capital letter is `cap_px`
/// pixels high, from its font's measured cap-height ratio.
#[derive(Serialize, Clone)]
pub struct DisplayDto {
    pub pixel_pitch_um: u32,
    pub default_size: usize,
    pub sizes: Vec<TextSizeDto>,
}

#[derive(Serialize, Clone)]
pub struct TextSizeDto {
    pub name: &'static str,
    pub cap_px: u32,
    pub cap_mm: f64,
    pub min_mm: f64,
    pub max_mm: f64,
}

pub fn display(pixel_pitch_um: u32) -> DisplayDto {
    DisplayDto {
        pixel_pitch_um,
        default_size: votekiosk::limits::DEFAULT_TEXT_SIZE,
        sizes: votekiosk::limits::text_sizes(pixel_pitch_um)
            .iter()
            .map(|s| TextSizeDto {
                name: s.size.name,
                cap_px: s.cap_px,
                cap_mm: s.cap_mm,
                min_mm: s.size.min_mm,
                max_mm: s.size.max_mm,
            })
            .collect(),
    }
}

/// Printed, cast, spoiled (abandoned included) and pending cards.
#[derive(Serialize, Clone)]
pub struct CardCountsDto {
    pub printed: u64,
    pub cast: u64,
    pub spoiled: u64,
    pub abandoned: u64,
    pub pending: u64,
}

pub fn card_counts(c: &CardCounts) -> CardCountsDto {
    CardCountsDto {
        printed: c.printed,
        cast: c.cast,
        spoiled: c.spoiled,
        abandoned: c.abandoned,
        pending: c.pending,
    }
}

#[derive(Serialize, Clone)]
pub struct BoxCountDto {
    pub box_id: String,
    pub cards: u64,
}

/// The hand count against the ballots cast: a difference is reported,
/// never adjusted.
#[derive(Serialize, Clone)]
pub struct ReconciliationDto {
    pub boxes: Vec<BoxCountDto>,
    pub hand_count: u64,
    pub cast: u64,
    pub difference: i64,
}

pub fn reconciliation(r: &Reconciliation) -> ReconciliationDto {
    ReconciliationDto {
        boxes: r
            .boxes
            .iter()
            .map(|b| BoxCountDto {
                box_id: b.box_id.clone(),
                cards: b.cards,
            })
            .collect(),
        hand_count: r.hand_count,
        cast: r.cast,
        difference: r.difference,
    }
}

/// A printed ballot card, as the window learns of it: never its id or
/// choices (the voter reads them on paper).
#[derive(Serialize)]
pub struct CardDto {
    pub test: bool,
    /// It replaced a card of this code that was never cast (now spoiled).
    pub reprint_of_spoiled: bool,
    /// Where the card went, or why it could not be printed.
    pub printed: Option<String>,
    pub print_error: Option<String>,
}

pub fn card(c: &PrintedCard, printed: votekiosk::Result<PrintOutcome>) -> CardDto {
    let (printed, print_error) = match printed {
        Ok(outcome) => (Some(outcome.to_string()), None),
        Err(e) => (None, Some(e.to_string())),
    };
    CardDto {
        test: c.test,
        reprint_of_spoiled: c.reprint_of_spoiled,
        printed,
        print_error,
    }
}

/// An action the dashboard may offer now.
#[derive(Serialize, Clone)]
pub struct ActionDto {
    pub name: &'static str,
    pub admin_only: bool,
}

/// The bounds of the officials' inputs (the core's limits).
#[derive(Serialize, Clone)]
pub struct LimitsDto {
    pub max_codes_per_batch: usize,
    pub idle_timeout_min_secs: u32,
    pub idle_timeout_max_secs: u32,
    pub official_idle_min_secs: u32,
    pub official_idle_max_secs: u32,
    pub pixel_pitch_min_um: u32,
    pub pixel_pitch_max_um: u32,
}

pub fn status(s: &Status) -> StatusDto {
    StatusDto {
        mode: s.mode.as_str(),
        voting_locked: s.voting_locked,
        ballots: s.turnout.ballots,
        test_ballots: s.test_turnout.ballots,
        codes: s.turnout,
        test_codes: s.test_turnout,
        opened_at: s.opened_at.clone(),
        closed_at: s.closed_at.clone(),
        definition_hash: s.definition_hash.to_hex(),
        station_id: s.station_id.clone(),
        storage_alert: s.storage_alert.clone(),
        actions: votekiosk::allowed_actions(s.mode)
            .into_iter()
            .map(|a| ActionDto {
                name: a.as_str(),
                admin_only: a.admin_only(),
            })
            .collect(),
        limits: LimitsDto {
            max_codes_per_batch: LIMITS.max_codes_per_batch,
            idle_timeout_min_secs: LIMITS.idle_timeout_min_secs,
            idle_timeout_max_secs: LIMITS.idle_timeout_max_secs,
            official_idle_min_secs: LIMITS.official_idle_min_secs,
            official_idle_max_secs: LIMITS.official_idle_max_secs,
            pixel_pitch_min_um: LIMITS.pixel_pitch_min_um,
            pixel_pitch_max_um: LIMITS.pixel_pitch_max_um,
        },
        cards_enabled: false,
        cards: card_counts(&s.cards),
        test_cards: card_counts(&s.test_cards),
        hand_count: None,
        display: display(votekiosk::station::DEFAULT_PIXEL_PITCH_UM),
    }
}

pub fn station_status(station: &Station) -> votekiosk::Result<StatusDto> {
    let mut dto = status(&station.status()?);
    dto.display = display(station.pixel_pitch_um()?);
    dto.cards_enabled = station.cards_enabled();
    if dto.cards_enabled {
        dto.hand_count = station.hand_count()?.as_ref().map(reconciliation);
    }
    Ok(dto)
}

#[derive(Serialize)]
pub struct ReceiptDto {
    pub receipt: String,
    pub payload: String,
    pub test: bool,
    /// The QR code of `payload`, as an SVG document.
    pub qr_svg: String,
    /// Where the slip went, or why it could not be printed.
    pub printed: Option<String>,
    pub print_error: Option<String>,
}

pub fn receipt(r: &CastReceipt) -> ReceiptDto {
    ReceiptDto {
        receipt: r.receipt.to_string(),
        payload: r.payload.clone(),
        test: r.test,
        qr_svg: qr_svg(&r.payload),
        printed: None,
        print_error: None,
    }
}

/// Renders a QR symbol (error correction M, 4-module quiet zone) as SVG.
pub fn qr_svg(payload: &str) -> String {
    match qrcode::QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::M) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .quiet_zone(true)
            .min_dimensions(240, 240)
            .dark_color(qrcode::render::svg::Color("#000000"))
            .light_color(qrcode::render::svg::Color("#ffffff"))
            .build(),
        Err(_) => String::new(),
    }
}
