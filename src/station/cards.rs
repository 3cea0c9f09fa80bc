//! Ballot cards (issue 14): the voter-verified paper card printed after
//! the review screen, before the cast. A voter's path with cards enabled:
//! review → `print_card` → the voter reads the card → `cast_ballot` (the
//! card goes into the box) or `spoil_card` (back to review).
//!
//! The file never holds a card id in clear: a printed card is kept as its
//! id sealed like a spoiled card (to the office and closing keys, or the
//! test key), pending for its code (the code's MAC) until it is cast (the
//! row goes, in the cast's transaction) or spoiled (the sealed id moves,
//! unlinked from the code, to the spoiled cards). The card id and the
//! ballot it shows stay in this station's memory until then, for the
//! cast; a card still pending when the kiosk starts again (a crash, a
//! power cut) or when the polls close counts as spoiled ("abandoned").
//! Every print and spoil is audited with counts, never content.
//!
//! After the polls close, the poll workers enter the hand count of the
//! cards in each box (`record_hand_count`): reconciled with the ballots
//! cast, a difference reported and never adjusted.

use std::collections::HashMap;

use rand::RngCore;
use zeroize::Zeroize;

use super::{Audited, Official, Station};
use crate::ballot::{Ballot, Choice, SelectionsInput};
use crate::codes::VoterCode;
use crate::error::{Error, Result};
use crate::export::normal_form;
use crate::model::{AuditEvent, Mode};
use crate::seal::card::{self, CardId};
use crate::store::cards::{self as card_store, CardCountRow};
use crate::store::{codes as code_store, election};

pub use crate::export::format::{valid_box_id, BoxCount};

/// The most boxes one hand count may name.
pub const MAX_BOXES: usize = 64;
/// The most cards one box may hold, as entered.
pub const MAX_CARDS_PER_BOX: u64 = 1_000_000;

/// A card the station recorded as printed: what the shell prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintedCard {
    pub card: CardId,
    /// The ballot in normal form, as the card shows it.
    pub ballot: Ballot,
    /// The card's QR payload (`seal::card::qr_payload`).
    pub qr: String,
    pub test: bool,
    /// This card replaces a pending card of the same code, now spoiled.
    pub reprint_of_spoiled: bool,
}

/// The station's cards, official or test (as the mode says).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CardCounts {
    pub printed: u64,
    pub cast: u64,
    pub spoiled: u64,
    /// Spoiled because printed and never cast nor spoiled (timeout, crash,
    /// close); included in `spoiled`.
    pub abandoned: u64,
    /// Printed and waiting for the voter's cast or spoil.
    pub pending: u64,
}

impl From<CardCountRow> for CardCounts {
    fn from(r: CardCountRow) -> Self {
        CardCounts {
            printed: r.printed,
            cast: r.cast,
            spoiled: r.spoiled,
            abandoned: r.abandoned,
            pending: r.pending,
        }
    }
}

/// The hand count of the cards in the boxes, against the ballots cast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconciliation {
    /// Sorted by box id.
    pub boxes: Vec<BoxCount>,
    /// The sum of the boxes.
    pub hand_count: u64,
    /// Ballots cast (= cards cast).
    pub cast: u64,
    /// `hand_count − cast`: reported, never adjusted.
    pub difference: i64,
}

/// A card pending in this station's memory: its id and the ballot it shows
/// (wiped when dropped).
pub(super) struct Pending {
    pub(super) card: CardId,
    pub(super) ballot: Ballot,
}

impl Drop for Pending {
    fn drop(&mut self) {
        for choices in self.ballot.contests.values_mut() {
            for choice in choices.iter_mut() {
                if let Choice::Candidate(s) | Choice::WriteIn(s) = choice {
                    s.zeroize();
                }
            }
        }
    }
}

/// The pending cards of this station instance, by code MAC.
pub(super) type PendingCards = HashMap<[u8; 32], Pending>;

impl Station {
    /// Whether this election prints ballot cards (`cards.enabled`).
    pub fn cards_enabled(&self) -> bool {
        self.definition.cards.enabled
    }

    fn require_cards(&self) -> Result<()> {
        if self.cards_enabled() {
            Ok(())
        } else {
            Err(Error::CardsDisabled)
        }
    }

    /// Checks the code (as `check_code`: issued, not used), validates the
    /// ballot, refuses with `Error::SpoilLimit` once the code has
    /// `max_spoils_per_code` spoiled cards, records a pending card (a
    /// previous pending card of the same code becomes spoiled: a reprint),
    /// audited without content. The shell then prints it.
    pub fn print_card(&mut self, code_text: &str, selections: &SelectionsInput) -> Result<PrintedCard> {
        self.require_cards()?;
        // In the cast's order: the code's form, the ballot, then the voting
        // gate and the code's state.
        let code = match VoterCode::parse(code_text) {
            Ok(c) => c,
            Err(e) => return self.refuse(e),
        };
        let ballot = normal_form(&self.definition, &Ballot::validate(&self.definition, selections)?);
        self.check_code(code_text)?;
        let mac = self.code_mac(&code);
        let test = self.mode()? == Mode::Test;
        let limit = u64::from(self.definition.cards.max_spoils_per_code);
        let conn = self.store.conn();
        let reprint = card_store::pending_card(conn, &mac, test)?.is_some();
        let spoiled = card_store::code_spoils(conn, &mac, test)?;
        if (reprint && spoiled + 1 > limit) || (!reprint && spoiled > 0 && spoiled >= limit) {
            return Err(self.spoil_limit(spoiled)?);
        }
        let card = CardId::random(&mut self.rng);
        let qr = card::qr_payload(&self.definition, &card, &ballot)?;
        let sealed = self.sealer(test)?.seal_card(&card, &mut self.rng)?;
        let mut spoil_id = [0u8; 16];
        self.rng.fill_bytes(&mut spoil_id);
        let (window, clock) = (self.window(), self.clock.clone());
        self.audited_write("kiosk", AuditEvent::CardPrinted, |tx, _| {
            let row = election::load(tx)?;
            if super::voting::voting_gate(window, clock.now(), &row)? != test {
                return Err(Error::CodeWrongKind);
            }
            match code_store::code_state(tx, &mac)? {
                Some((s, t)) if s == "issued" && t == test => {}
                other => return Err(code_store::refusal(other, test)),
            }
            let kind = if test { "test ballot card" } else { "ballot card" };
            let detail = if reprint {
                let n = card_store::record_card_spoiled(tx, &mac, test, &spoil_id)?;
                let all = card_store::card_counts(tx, test)?.spoiled;
                format!("a {kind} was printed again: the previous card is spoiled ({n} spoiled for this code, {all} in all)")
            } else {
                format!("a {kind} was printed")
            };
            card_store::record_pending_card(tx, &mac, test, &sealed)?;
            Ok(Audited::entry((), detail))
        })?;
        self.pending_cards.insert(
            mac,
            Pending {
                card,
                ballot: ballot.clone(),
            },
        );
        Ok(PrintedCard {
            card,
            ballot,
            qr,
            test,
            reprint_of_spoiled: reprint,
        })
    }

    /// Refuses a spoil or a print beyond the limit: audited with the count.
    fn spoil_limit(&mut self, spoiled: u64) -> Result<Error> {
        let error = Error::SpoilLimit { spoiled };
        self.audit(
            "kiosk",
            AuditEvent::Refused,
            &format!("ballot card refused: this code has had {spoiled} spoiled cards (spoil_limit)"),
        )?;
        Ok(error)
    }

    /// The voter says the card is wrong: pending → spoiled (sealed card id,
    /// no content, no link to the code). Refused with `Error::SpoilLimit`
    /// beyond `max_spoils_per_code`, changing nothing (the card stays
    /// pending: the voter may still cast it, or a poll worker helps).
    pub fn spoil_card(&mut self, code_text: &str) -> Result<CardCounts> {
        self.require_cards()?;
        let code = VoterCode::parse(code_text)?;
        let mac = self.code_mac(&code);
        let test = self.mode()? == Mode::Test;
        let conn = self.store.conn();
        if card_store::pending_card(conn, &mac, test)?.is_none() {
            return Err(Error::CardNotPrinted);
        }
        let spoiled = card_store::code_spoils(conn, &mac, test)?;
        if spoiled + 1 > u64::from(self.definition.cards.max_spoils_per_code) {
            return Err(self.spoil_limit(spoiled)?);
        }
        let mut spoil_id = [0u8; 16];
        self.rng.fill_bytes(&mut spoil_id);
        self.audited_write("kiosk", AuditEvent::CardSpoiled, |tx, _| {
            let n = card_store::record_card_spoiled(tx, &mac, test, &spoil_id)?;
            let all = card_store::card_counts(tx, test)?.spoiled;
            let kind = if test { "test ballot card" } else { "ballot card" };
            Ok(Audited::entry(
                (),
                format!("a {kind} was spoiled by the voter ({n} spoiled for this code, {all} in all)"),
            ))
        })?;
        self.pending_cards.remove(&mac);
        self.prepared_seal = None;
        // The spoiled card's row left the WAL's pages with the code's MAC.
        self.store.checkpoint()?;
        self.card_counts()
    }

    /// The cards of the current kind: test cards in test mode, else official.
    pub fn card_counts(&self) -> Result<CardCounts> {
        let test = self.mode()? == Mode::Test;
        self.card_counts_of(test)
    }

    pub(super) fn card_counts_of(&self, test: bool) -> Result<CardCounts> {
        Ok(card_store::card_counts(self.store.conn(), test)?.into())
    }

    /// Every pending card becomes spoiled, counted as abandoned, audited
    /// ("a printed ballot card was never cast: counted as spoiled"), never
    /// with content. At start-up and when the polls close.
    pub(super) fn abandon_pending_cards(&mut self, when: &str) -> Result<()> {
        self.pending_cards.clear();
        self.prepared_seal = None;
        let conn = self.store.conn();
        let waiting =
            card_store::card_counts(conn, false)?.pending + card_store::card_counts(conn, true)?.pending;
        if waiting == 0 {
            return Ok(());
        }
        let mut ids: Vec<[u8; 16]> = (0..waiting)
            .map(|_| {
                let mut id = [0u8; 16];
                self.rng.fill_bytes(&mut id);
                id
            })
            .collect();
        self.audited_write("kiosk", AuditEvent::CardSpoiled, |tx, _| {
            let (official, test) = card_store::abandon_pending(tx, || ids.pop().unwrap_or_default())?;
            let n = official + test;
            let what = if n == 1 {
                "a printed ballot card was never cast: counted as spoiled".to_string()
            } else {
                format!("{n} printed ballot cards were never cast: counted as spoiled")
            };
            Ok(Audited::entry((), format!("{what} ({when})")))
        })?;
        self.store.checkpoint()
    }

    /// After the polls close (or in test mode, for test cards), an official
    /// enters the hand count of the cards in each box. Entering it again
    /// replaces it (audited). The difference from the ballots cast is
    /// reported, never adjusted. Bad boxes change nothing.
    pub fn record_hand_count(&mut self, by: &Official, boxes: &[BoxCount]) -> Result<Reconciliation> {
        self.check_official(by)?;
        self.require_cards()?;
        let mode = self.mode()?;
        if !matches!(mode, Mode::Closed | Mode::Test) {
            let e = Error::WrongMode {
                action: "enter the hand count of the cards",
                mode: mode.as_str(),
            };
            self.audit(&by.username, AuditEvent::Refused, &format!("hand count: {e}"))?;
            return Err(e);
        }
        let boxes = check_boxes(boxes)?;
        let test = mode == Mode::Test;
        let cast = self.card_counts_of(test)?.cast;
        let reconciliation = reconcile(boxes, cast)?;
        let rows: Vec<(String, u64)> = reconciliation
            .boxes
            .iter()
            .map(|b| (b.box_id.clone(), b.cards))
            .collect();
        let again = !card_store::hand_count(self.store.conn(), test)?.is_empty();
        let listed = rows
            .iter()
            .map(|(id, n)| format!("box {id} {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let detail = format!(
            "{}hand count{}: {listed}; {} cards counted, {cast} cast, difference {:+}",
            if again {
                "entered again, replacing the earlier "
            } else {
                ""
            },
            if test { " of test cards" } else { "" },
            reconciliation.hand_count,
            reconciliation.difference,
        );
        self.audited_write(&by.username, AuditEvent::HandCounted, |tx, _| {
            card_store::record_hand_count(tx, test, &rows)?;
            Ok(Audited::entry((), detail))
        })?;
        Ok(reconciliation)
    }

    /// The hand count entered (of test cards in test mode), if any.
    pub fn hand_count(&self) -> Result<Option<Reconciliation>> {
        let test = self.mode()? == Mode::Test;
        self.hand_count_of(test)
    }

    pub(super) fn hand_count_of(&self, test: bool) -> Result<Option<Reconciliation>> {
        let rows = card_store::hand_count(self.store.conn(), test)?;
        if rows.is_empty() {
            return Ok(None);
        }
        let boxes = rows
            .into_iter()
            .map(|(box_id, cards)| BoxCount { box_id, cards })
            .collect();
        let cast = self.card_counts_of(test)?.cast;
        reconcile(boxes, cast).map(Some)
    }

    /// The cards block of an export: counts, hand count, boxes.
    pub(super) fn export_cards(&self, test: bool) -> Result<crate::export::format::Cards> {
        if !self.cards_enabled() {
            return Ok(crate::export::format::Cards::default());
        }
        let counts = self.card_counts_of(test)?;
        let hand = self.hand_count_of(test)?;
        Ok(crate::export::format::Cards {
            enabled: true,
            printed: counts.printed,
            cast: counts.cast,
            spoiled: counts.spoiled,
            abandoned: counts.abandoned,
            hand_count: hand.as_ref().map(|h| h.hand_count),
            hand_count_difference: hand.as_ref().map(|h| h.difference),
            boxes: hand.map(|h| h.boxes).unwrap_or_default(),
        })
    }
}

/// Boxes as entered: at least one, at most `MAX_BOXES`, valid distinct
/// ids, at most `MAX_CARDS_PER_BOX` each. Sorted by id.
fn check_boxes(boxes: &[BoxCount]) -> Result<Vec<BoxCount>> {
    if boxes.is_empty() || boxes.len() > MAX_BOXES {
        return Err(Error::BadHandCount(format!(
            "give the cards of 1 to {MAX_BOXES} boxes, not {}",
            boxes.len()
        )));
    }
    let mut sorted = boxes.to_vec();
    sorted.sort();
    for (i, b) in sorted.iter().enumerate() {
        if !valid_box_id(&b.box_id) {
            return Err(Error::BadHandCount(format!(
                "box id {:?}: use 1-16 letters, digits or '-'",
                b.box_id
            )));
        }
        if i > 0 && sorted[i - 1].box_id == b.box_id {
            return Err(Error::BadHandCount(format!("box {} is given twice", b.box_id)));
        }
        if b.cards > MAX_CARDS_PER_BOX {
            return Err(Error::BadHandCount(format!(
                "box {}: {} cards is more than {MAX_CARDS_PER_BOX}",
                b.box_id, b.cards
            )));
        }
    }
    Ok(sorted)
}

fn reconcile(boxes: Vec<BoxCount>, cast: u64) -> Result<Reconciliation> {
    let hand_count = boxes.iter().map(|b| b.cards).sum::<u64>();
    let too_many = || Error::BadHandCount("the counts are too large".into());
    let difference = i64::try_from(hand_count)
        .ok()
        .zip(i64::try_from(cast).ok())
        .and_then(|(h, c)| h.checked_sub(c))
        .ok_or_else(too_many)?;
    Ok(Reconciliation {
        boxes,
        hand_count,
        cast,
        difference,
    })
}
