//! The golden list of error codes. `Error::code` is a contract: the CLI's
//! `--json` output and the desktop shell's `{code, message}` errors carry
//! it, and scripts and the interface match on it. A renamed code fails
//! here; so does a new variant until its code is added to `GOLDEN` (and a
//! value of it to `samples`).

use std::collections::BTreeSet;

use votekiosk::{ElectionDefinition, Error};

/// Every code `Error::code` returns. Never edit or remove a line (that
/// breaks clients); a new variant adds one.
const GOLDEN: &[&str] = &[
    "definition_invalid",
    "wrong_passphrase",
    "file_not_found",
    "file_exists",
    "file_too_new",
    "file_damaged",
    "weak_passphrase",
    "weak_password",
    "bad_credentials",
    "account_locked",
    "official_exists",
    "bad_official_name",
    "not_logged_in_here",
    "not_allowed",
    "wrong_mode",
    "outside_window",
    "code_typo",
    "code_malformed",
    "code_unknown",
    "code_used",
    "code_revoked",
    "code_wrong_kind",
    "kiosk_locked",
    "not_locked",
    "invalid_selection",
    "bad_count",
    "receipt_malformed",
    "receipt_other_election",
    "merge_refused",
    "export_refused",
    "results_hidden",
    "invalid_input",
    "printer_not_found",
    "print_failed",
    "print_unavailable",
    "print_document",
    "nothing_to_reprint",
    "too_large",
    "io",
    "storage",
    // issue 13: keys
    "not_canonical",
    "bad_signature",
    "seal_open_failed",
    "share_mismatch",
    "too_few_shares",
    "key_mismatch",
    "wrong_key_passphrase",
    "key_file_invalid",
    "wrong_pin",
    "weak_pin",
    "slip_malformed",
    "trusted_keys_refused",
    // issue 13: sealed
    "file_too_old",
    "test_ballot_in_official_count",
    "sealed_record",
    "no_closing_key",
    "bad_closing_key",
    "slips_locked",
    "slip_mismatch",
    "not_enough_slips",
    "count_first",
    // issue 13: def2
    "bad_station_id",
    // issue 13: result2
    "wrong_office_key",
    "office_count_refused",
    // issue 13: sessions
    "session_expired",
    "logged_out",
    "password_required",
    // issue 13: hygiene
    "station_in_use",
    "checkpoint_failed",
    "printer_not_ready",
    "slips_not_printed",
    // issue 14: cards
    "spoil_limit",
    "card_not_printed",
    "card_mismatch",
    "cards_disabled",
    "bad_hand_count",
    "manifest_refused",
    // issue 16: rctab
    "cvr_invalid",
    "cvr_unknown_candidate",
    "cvr_other_election",
    "cvr_duplicate_id",
    "rules_invalid",
    "rules_unsupported",
    "tabulation_stopped",
    // issue 14: rlacli
    "rla_bad_seed",
    "rla_not_in_sample",
    "rla_contest_not_on_ballot",
    "rla_manifest_mismatch",
    "rla_workspace",
    // issue 16: nist
    "nist_export_refused",
    // issue 16: vx
    "vx_import_refused",
    // issue 14: raire
    "raire_wrong_winner",
    "raire_not_auditable",
    // issue 15: audio
    "speech_unavailable",
    "speech_no_voice",
    "speech_failed",
];

/// The codes `Error::code` can return, read from its source: the string
/// literal of every arm of its `match`. The compiler makes that match
/// cover every variant, so a new variant shows up here.
fn codes_in_source() -> Vec<String> {
    const SOURCE: &str = include_str!("../../src/error.rs");
    let start = SOURCE
        .find("pub fn code(&self)")
        .expect("src/error.rs has `pub fn code(&self)`");
    let body = &SOURCE[start..];
    // The match ends at the first line that closes it (`}` at the
    // function's indentation plus one level).
    let end = body.find("\n        }\n").expect("the end of the match");
    body[..end]
        .lines()
        .filter_map(|line| {
            let (_, code) = line.split_once("=> \"")?;
            Some(code.split_once('"')?.0.to_string())
        })
        .collect()
}

/// One value of every variant, with the code it must have.
fn samples() -> Vec<(Error, &'static str)> {
    let definition = ElectionDefinition::parse(b"{}").expect_err("an empty definition");
    let s = || "x".to_string();
    vec![
        (Error::from(definition), "definition_invalid"),
        (Error::WrongPassphrase, "wrong_passphrase"),
        (Error::FileNotFound(s()), "file_not_found"),
        (Error::FileExists(s()), "file_exists"),
        (Error::NewerFile { found: 9, known: 1 }, "file_too_new"),
        (Error::Damaged(s()), "file_damaged"),
        (Error::WeakPassphrase { min: 12 }, "weak_passphrase"),
        (Error::WeakPassword { min: 10 }, "weak_password"),
        (Error::BadCredentials, "bad_credentials"),
        (Error::AccountLocked { seconds: 30 }, "account_locked"),
        (Error::OfficialExists(s()), "official_exists"),
        (Error::BadOfficialName(s()), "bad_official_name"),
        (Error::NotLoggedInHere, "not_logged_in_here"),
        (Error::NotAllowed { required: "admin" }, "not_allowed"),
        (
            Error::WrongMode {
                action: "cast",
                mode: "setup",
            },
            "wrong_mode",
        ),
        (
            Error::OutsideWindow {
                opens: s(),
                closes: s(),
            },
            "outside_window",
        ),
        (Error::CodeTypo, "code_typo"),
        (Error::CodeMalformed, "code_malformed"),
        (Error::CodeUnknown, "code_unknown"),
        (Error::CodeUsed, "code_used"),
        (Error::CodeRevoked, "code_revoked"),
        (Error::CodeWrongKind, "code_wrong_kind"),
        (Error::KioskLocked, "kiosk_locked"),
        (Error::NotLocked, "not_locked"),
        (Error::InvalidSelection(s()), "invalid_selection"),
        (Error::BadCount(s()), "bad_count"),
        (Error::ReceiptMalformed(s()), "receipt_malformed"),
        (
            Error::ReceiptOtherElection {
                found: s(),
                expected: s(),
            },
            "receipt_other_election",
        ),
        (Error::MergeRefused(s()), "merge_refused"),
        (Error::ExportRefused(s()), "export_refused"),
        (Error::ResultsHidden, "results_hidden"),
        (Error::InvalidInput(s()), "invalid_input"),
        (Error::PrinterNotFound(s()), "printer_not_found"),
        (
            Error::PrintFailed {
                printer: s(),
                reason: s(),
            },
            "print_failed",
        ),
        (Error::PrintUnavailable, "print_unavailable"),
        (Error::PrintDocument(s()), "print_document"),
        (Error::NothingToReprint, "nothing_to_reprint"),
        (
            Error::TooLarge {
                what: s(),
                size: 2,
                limit: 1,
            },
            "too_large",
        ),
        (
            Error::Io {
                path: s(),
                source: std::io::Error::other("disk on fire"),
            },
            "io",
        ),
        (Error::Storage(rusqlite::Error::QueryReturnedNoRows), "storage"),
        // issue 13: keys
        (Error::NotCanonical { line: 1, reason: s() }, "not_canonical"),
        (Error::BadSignature(s()), "bad_signature"),
        (Error::SealOpen, "seal_open_failed"),
        (Error::ShareMismatch { index: 2 }, "share_mismatch"),
        (Error::TooFewShares { have: 1, need: 2 }, "too_few_shares"),
        (Error::KeyMismatch(s()), "key_mismatch"),
        (Error::WrongKeyPassphrase(s()), "wrong_key_passphrase"),
        (
            Error::KeyFileInvalid {
                path: s(),
                reason: s(),
            },
            "key_file_invalid",
        ),
        (Error::WrongPin { index: 1 }, "wrong_pin"),
        (Error::WeakPin { min: 8 }, "weak_pin"),
        (Error::SlipMalformed(s()), "slip_malformed"),
        (Error::TrustedKeysRefused(s()), "trusted_keys_refused"),
        // issue 13: sealed
        (Error::FileTooOld { found: 1 }, "file_too_old"),
        (
            Error::TestBallotInOfficialCount { position: 3 },
            "test_ballot_in_official_count",
        ),
        (
            Error::SealedRecord {
                position: 1,
                reason: s(),
            },
            "sealed_record",
        ),
        (Error::NoClosingKey, "no_closing_key"),
        (Error::BadClosingKey(s()), "bad_closing_key"),
        (Error::SlipsLocked { seconds: 30 }, "slips_locked"),
        (Error::SlipMismatch(s()), "slip_mismatch"),
        (Error::NotEnoughSlips { needed: 2, given: 1 }, "not_enough_slips"),
        (Error::CountFirst, "count_first"),
        // issue 13: def2
        (Error::BadStationId(s()), "bad_station_id"),
        // issue 13: result2
        (Error::WrongOfficeKey(s()), "wrong_office_key"),
        (Error::OfficeCountRefused(s()), "office_count_refused"),
        // issue 13: sessions
        (Error::SessionExpired { idle_secs: 60 }, "session_expired"),
        (Error::LoggedOut, "logged_out"),
        (
            Error::PasswordRequired {
                action: "issue codes",
            },
            "password_required",
        ),
        // issue 13: hygiene
        (Error::StationInUse, "station_in_use"),
        (Error::CheckpointFailed(s()), "checkpoint_failed"),
        (Error::PrinterNotReady(s()), "printer_not_ready"),
        (
            Error::SlipsNotPrinted {
                batch: 1,
                count: 2,
                reason: s(),
            },
            "slips_not_printed",
        ),
        // issue 14: cards
        (Error::SpoilLimit { spoiled: 2 }, "spoil_limit"),
        (Error::CardNotPrinted, "card_not_printed"),
        (Error::CardMismatch, "card_mismatch"),
        (Error::CardsDisabled, "cards_disabled"),
        (Error::BadHandCount(s()), "bad_hand_count"),
        (Error::ManifestRefused(s()), "manifest_refused"),
        // issue 16: rctab
        (
            Error::CvrInvalid {
                file: s(),
                path: s(),
                message: s(),
            },
            "cvr_invalid",
        ),
        (
            Error::CvrUnknownCandidate {
                file: s(),
                path: s(),
                candidate: s(),
            },
            "cvr_unknown_candidate",
        ),
        (
            Error::CvrOtherElection {
                file: s(),
                path: s(),
                message: s(),
            },
            "cvr_other_election",
        ),
        (
            Error::CvrDuplicateId {
                id: s(),
                first: s(),
                second: s(),
            },
            "cvr_duplicate_id",
        ),
        (
            Error::RulesInvalid {
                file: s(),
                field: s(),
                message: s(),
            },
            "rules_invalid",
        ),
        (
            Error::RulesUnsupported {
                file: s(),
                field: s(),
                value: s(),
                reason: s(),
            },
            "rules_unsupported",
        ),
        (
            Error::TabulationStopped {
                round: 1,
                message: s(),
            },
            "tabulation_stopped",
        ),
        // issue 14: rlacli
        (Error::RlaBadSeed(s()), "rla_bad_seed"),
        (Error::RlaNotInSample(s()), "rla_not_in_sample"),
        (Error::RlaContestNotOnBallot(s()), "rla_contest_not_on_ballot"),
        (Error::RlaManifestMismatch(s()), "rla_manifest_mismatch"),
        (Error::RlaWorkspace(s()), "rla_workspace"),
        // issue 16: nist
        (Error::NistExportRefused(s()), "nist_export_refused"),
        // issue 16: vx
        (Error::VxImport(s()), "vx_import_refused"),
        // issue 14: raire
        (Error::RaireWrongWinner(s()), "raire_wrong_winner"),
        (Error::RaireNotAuditable(s()), "raire_not_auditable"),
        // issue 15: audio
        (Error::SpeechUnavailable, "speech_unavailable"),
        (Error::SpeechNoVoice(s()), "speech_no_voice"),
        (Error::SpeechFailed(s()), "speech_failed"),
    ]
}

#[test]
fn every_error_code_is_in_the_golden_list_and_none_was_renamed() {
    let golden: BTreeSet<&str> = GOLDEN.iter().copied().collect();
    assert_eq!(golden.len(), GOLDEN.len(), "GOLDEN lists a code twice");
    let found = codes_in_source();
    assert!(
        found.len() >= GOLDEN.len(),
        "read only {} codes from src/error.rs (has `Error::code` changed shape?): {found:?}",
        found.len()
    );
    let in_source: BTreeSet<&str> = found.iter().map(String::as_str).collect();
    assert_eq!(
        in_source.len(),
        found.len(),
        "two variants share a code: {found:?}"
    );
    let new: Vec<_> = in_source.difference(&golden).collect();
    let gone: Vec<_> = golden.difference(&in_source).collect();
    assert!(
        new.is_empty() && gone.is_empty(),
        "Error::code changed. New codes (add them to GOLDEN): {new:?}. \
         Codes no longer returned (renamed or removed: clients match on them): {gone:?}"
    );
}

/// The list read from the source is what `code()` returns, for a value of
/// every variant.
#[test]
fn every_variant_returns_its_golden_code() {
    let samples = samples();
    for (error, expected) in &samples {
        assert_eq!(error.code(), *expected, "{error:?}");
    }
    let sampled: BTreeSet<&str> = samples.iter().map(|(_, c)| *c).collect();
    let golden: BTreeSet<&str> = GOLDEN.iter().copied().collect();
    assert_eq!(sampled, golden, "every golden code has a value in `samples`");
}
