//! Typed errors of the core, each with a stable code and a message a poll
//! worker or official can act on.
//!
//! The code (`Error::code`) is part of the CLI's `--json` output and of the
//! desktop shell's `{code, message}` IPC errors: never rename one.

use std::fmt;

/// Everything that can go wrong in the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the election definition is invalid: {0}")]
    Definition(#[from] DefinitionError),

    #[error("wrong passphrase or not a votekiosk file")]
    WrongPassphrase,

    #[error("file not found: {0}")]
    FileNotFound(String),

    #[error("a file already exists at {0}; refusing to overwrite it")]
    FileExists(String),

    #[error("the station file was written by a newer votekiosk (schema version {found}, this program knows up to {known}); use a newer votekiosk")]
    NewerFile { found: u32, known: u32 },

    #[error("the station file is damaged or has been tampered with: {0}")]
    Damaged(String),

    #[error("the passphrase is too short: use at least {min} characters")]
    WeakPassphrase { min: usize },

    #[error("the password is too short: use at least {min} characters")]
    WeakPassword { min: usize },

    #[error("wrong username or password")]
    BadCredentials,

    /// Logins wait at this kiosk after repeated failures (whatever names
    /// were typed: the code's name is historical, it names no account).
    #[error("too many failed logins at this kiosk: try again in {seconds} seconds")]
    AccountLocked { seconds: i64 },

    #[error("an official named {0:?} already exists")]
    OfficialExists(String),

    #[error("invalid official name {0:?}: use 1-32 letters, digits, '.', '_' or '-'")]
    BadOfficialName(String),

    #[error("log in on this station first: that login belongs to another station or session")]
    NotLoggedInHere,

    #[error("only an {required} may do this")]
    NotAllowed { required: &'static str },

    #[error("cannot {action} while the station is in {mode} mode")]
    WrongMode {
        action: &'static str,
        mode: &'static str,
    },

    #[error("voting is outside the election's voting window ({opens} to {closes})")]
    OutsideWindow { opens: String, closes: String },

    #[error("the voter code looks mistyped: check each character and try again")]
    CodeTypo,

    #[error("this is not a voter code: a code has 13 characters like ABCD-EFGH-JKMN-P")]
    CodeMalformed,

    #[error("unknown voter code: ask a poll worker for help")]
    CodeUnknown,

    #[error("this voter code has already been used to vote")]
    CodeUsed,

    #[error("this voter code was revoked: ask a poll worker for a new one")]
    CodeRevoked,

    #[error("this is a test code and the polls are open for real (or the reverse): ask a poll worker")]
    CodeWrongKind,

    #[error("voting is locked after too many invalid codes: a poll worker must unlock the kiosk")]
    KioskLocked,

    #[error("the kiosk is not locked")]
    NotLocked,

    #[error("invalid ballot: {0}")]
    InvalidSelection(String),

    #[error("invalid count: {0}")]
    BadCount(String),

    #[error("not a receipt: {0}")]
    ReceiptMalformed(String),

    #[error("this receipt belongs to another election (definition {found}, this station has {expected})")]
    ReceiptOtherElection { found: String, expected: String },

    #[error("cannot merge: {0}")]
    MergeRefused(String),

    #[error("cannot export: {0}")]
    ExportRefused(String),

    #[error("results are counted only after the polls close; turnout is shown all day")]
    ResultsHidden,

    #[error("invalid input: {0}")]
    InvalidInput(String),

    #[error("printer {0:?} not found: check the printer queue name in the station settings (`lpstat -p` lists the printers)")]
    PrinterNotFound(String),

    #[error("could not print on printer {printer:?}: {reason}")]
    PrintFailed { printer: String, reason: String },

    #[error("cannot print: the `lp` command (CUPS) is not installed; install cups-client, or save the document to a folder instead")]
    PrintUnavailable,

    #[error("could not make the printed document: {0}")]
    PrintDocument(String),

    #[error("there is no receipt to reprint: only the last receipt cast on this kiosk since it started can be reprinted, while its ballot is still recorded")]
    NothingToReprint,

    #[error("file too large: {what} is {size} bytes, the limit is {limit}")]
    TooLarge { what: String, size: u64, limit: u64 },

    #[error("cannot read or write {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },

    #[error("storage error: {0}")]
    Storage(#[from] rusqlite::Error),

    // issue 13: keys
    #[error("line {line} is not in canonical form: {reason}")]
    NotCanonical { line: u64, reason: String },

    #[error("the signature does not verify: {0}")]
    BadSignature(String),

    #[error("cannot open the sealed data: wrong key, or sealed for another election, station or purpose, or altered")]
    SealOpen,

    #[error("share {index} does not match the commitments: it is damaged or belongs to another key")]
    ShareMismatch { index: u8 },

    #[error("{have} shares given, {need} are needed to rebuild the key")]
    TooFewShares { have: usize, need: u8 },

    #[error("these keys do not belong together: {0}")]
    KeyMismatch(String),

    #[error("wrong passphrase for {0}, or the file was altered")]
    WrongKeyPassphrase(String),

    #[error("{path} is not a valid votekiosk key file: {reason}")]
    KeyFileInvalid { path: String, reason: String },

    #[error("wrong PIN for share slip {index}, or the slip is damaged")]
    WrongPin { index: u8 },

    #[error("the PIN is too short: use at least {min} digits")]
    WeakPin { min: usize },

    #[error("this is not a share slip: {0}")]
    SlipMalformed(String),

    #[error("trusted-keys file: {0}")]
    TrustedKeysRefused(String),

    // issue 13: sealed
    #[error("this station file was made by an older votekiosk (schema version {found}) and holds ballots in clear: it cannot be used for voting with this version; finish that election with the release that made it (votekiosk 0.1)")]
    FileTooOld { found: u32 },

    #[error("sealed record {position} is a test ballot in an official count: the count stops; report this to the election office")]
    TestBallotInOfficialCount { position: usize },

    #[error("sealed record {position} cannot be counted: {reason}; the count stops")]
    SealedRecord { position: usize, reason: String },

    #[error("this station has no closing key: an admin makes one (votekiosk closing-key init) before the polls open")]
    NoClosingKey,

    #[error("invalid closing key setup: {0}")]
    BadClosingKey(String),

    #[error("counting is locked after repeated wrong PINs; try again in {seconds} seconds")]
    SlipsLocked { seconds: i64 },

    #[error("this slip cannot be used here: {0}")]
    SlipMismatch(String),

    #[error("{needed} different slips are needed to count, {given} were given")]
    NotEnoughSlips { needed: u8, given: usize },

    #[error("the ballots have not been counted yet: after the polls close, poll workers present their slips to count (votekiosk count)")]
    CountFirst,
    // issue 13: def2
    #[error("invalid station id {0:?}: use 1-64 letters, digits, '.', '_' or '-' (e.g. LAKEVIEW-2-K1)")]
    BadStationId(String),
    // issue 13: result2
    #[error("wrong office key: {0}")]
    WrongOfficeKey(String),

    #[error("the office count stops: {0}")]
    OfficeCountRefused(String),

    // issue 13: sessions
    #[error("you were logged out after {idle_secs} seconds without activity: log in again")]
    SessionExpired { idle_secs: u32 },

    #[error("you are logged out: log in again")]
    LoggedOut,

    #[error("to {action}, type your password again")]
    PasswordRequired { action: &'static str },

    // issue 13: hygiene
    #[error("the station file is open in another kiosk program (or another window of this one): close it there, then try again")]
    StationInUse,

    #[error("the station could not empty its write-ahead log after a write ({0}): what was recorded is safe, but traces of it stay in the `-wal` file beside the station file; keep the kiosk running and call the election office")]
    CheckpointFailed(String),

    #[error("this printer may not print an official election's receipts and voter codes: {0}")]
    PrinterNotReady(String),

    #[error("the slips of code batch {batch} did not print ({reason}); its {count} codes were revoked and saved nowhere: fix the printer, then issue new codes")]
    SlipsNotPrinted {
        batch: i64,
        count: usize,
        reason: String,
    },

    // issue 14: cards
    #[error("this code has had {spoiled} spoiled cards: a poll worker must help the voter")]
    SpoilLimit { spoiled: u64 },

    #[error("no ballot card is printed for this code: print the card, let the voter read it, then cast it")]
    CardNotPrinted,

    #[error("these choices are not those on the printed ballot card: nothing was cast; go back to the review screen and print a new card (the old one is spoiled)")]
    CardMismatch,

    #[error("this election has no ballot cards (the definition's cards.enabled is false)")]
    CardsDisabled,

    #[error("hand count refused: {0}; nothing was recorded")]
    BadHandCount(String),

    #[error("audit manifest refused: {0}")]
    ManifestRefused(String),

    // issue 16: rctab
    #[error("{file}: {path}: {message}")]
    CvrInvalid {
        file: String,
        path: String,
        message: String,
    },

    #[error("{file}: {path}: unknown candidate {candidate:?}: it is not declared (file) or not among the config's candidates and aliases")]
    CvrUnknownCandidate {
        file: String,
        path: String,
        candidate: String,
    },

    #[error("{file}: {path} {message}")]
    CvrOtherElection {
        file: String,
        path: String,
        message: String,
    },

    #[error("cast vote record UniqueId {id:?} appears twice ({first} and {second}): each record may be counted once; remove the duplicate file or record")]
    CvrDuplicateId {
        id: String,
        first: String,
        second: String,
    },

    #[error("{file}: {field}: {message}")]
    RulesInvalid {
        file: String,
        field: String,
        message: String,
    },

    #[error("{file}: {field}: {value} is not supported: {reason}")]
    RulesUnsupported {
        file: String,
        field: String,
        value: String,
        reason: String,
    },

    #[error("the count stopped (round {round}): {message}")]
    TabulationStopped { round: u32, message: String },

    // issue 14: rlacli
    #[error(
        "the audit seed must be exactly 20 decimal digits, rolled with dice at the public seed ceremony: {0}"
    )]
    RlaBadSeed(String),

    #[error("not in the audit's sample: {0}")]
    RlaNotInSample(String),

    #[error("not a contest on this ballot: {0}")]
    RlaContestNotOnBallot(String),

    #[error("this audit manifest does not belong to the audited results: {0}")]
    RlaManifestMismatch(String),

    #[error("audit workspace: {0}")]
    RlaWorkspace(String),

    // issue 16: nist
    #[error("cannot write the NIST export: {0}")]
    NistExportRefused(String),

    // issue 16: vx
    #[error("the VotingWorks election cannot be imported: {0}")]
    VxImport(String),

    // issue 14: raire
    #[error("the reported winner of this ranked contest does not match its cast vote records: {0}; check that the result and the records are of the same contest and count")]
    RaireWrongWinner(String),

    #[error("this contest cannot be audited by RAIRE: {0}; it needs a full hand count")]
    RaireNotAuditable(String),

    // issue 15: audio
    #[error("the kiosk cannot speak: its speech engine, eSpeak NG (espeak-ng), is not installed. Ask an official to install it (scripts/setup); the ballot on screen still works")]
    SpeechUnavailable,

    #[error("the kiosk has no voice for the language {0:?}: the audio ballot speaks English, Spanish and Arabic (eSpeak NG's voices)")]
    SpeechNoVoice(String),

    #[error("the speech engine failed: {0}. Ask an official to check the kiosk's espeak-ng")]
    SpeechFailed(String),
}

impl Error {
    /// A stable, machine-readable code for this error.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Definition(_) => "definition_invalid",
            Error::WrongPassphrase => "wrong_passphrase",
            Error::FileNotFound(_) => "file_not_found",
            Error::FileExists(_) => "file_exists",
            Error::NewerFile { .. } => "file_too_new",
            Error::Damaged(_) => "file_damaged",
            Error::WeakPassphrase { .. } => "weak_passphrase",
            Error::WeakPassword { .. } => "weak_password",
            Error::BadCredentials => "bad_credentials",
            Error::AccountLocked { .. } => "account_locked",
            Error::OfficialExists(_) => "official_exists",
            Error::BadOfficialName(_) => "bad_official_name",
            Error::NotLoggedInHere => "not_logged_in_here",
            Error::NotAllowed { .. } => "not_allowed",
            Error::WrongMode { .. } => "wrong_mode",
            Error::OutsideWindow { .. } => "outside_window",
            Error::CodeTypo => "code_typo",
            Error::CodeMalformed => "code_malformed",
            Error::CodeUnknown => "code_unknown",
            Error::CodeUsed => "code_used",
            Error::CodeRevoked => "code_revoked",
            Error::CodeWrongKind => "code_wrong_kind",
            Error::KioskLocked => "kiosk_locked",
            Error::NotLocked => "not_locked",
            Error::InvalidSelection(_) => "invalid_selection",
            Error::BadCount(_) => "bad_count",
            Error::ReceiptMalformed(_) => "receipt_malformed",
            Error::ReceiptOtherElection { .. } => "receipt_other_election",
            Error::MergeRefused(_) => "merge_refused",
            Error::ExportRefused(_) => "export_refused",
            Error::ResultsHidden => "results_hidden",
            Error::InvalidInput(_) => "invalid_input",
            Error::PrinterNotFound(_) => "printer_not_found",
            Error::PrintFailed { .. } => "print_failed",
            Error::PrintUnavailable => "print_unavailable",
            Error::PrintDocument(_) => "print_document",
            Error::NothingToReprint => "nothing_to_reprint",
            Error::TooLarge { .. } => "too_large",
            Error::Io { .. } => "io",
            Error::Storage(_) => "storage",
            // issue 13: keys
            Error::NotCanonical { .. } => "not_canonical",
            Error::BadSignature(_) => "bad_signature",
            Error::SealOpen => "seal_open_failed",
            Error::ShareMismatch { .. } => "share_mismatch",
            Error::TooFewShares { .. } => "too_few_shares",
            Error::KeyMismatch(_) => "key_mismatch",
            Error::WrongKeyPassphrase(_) => "wrong_key_passphrase",
            Error::KeyFileInvalid { .. } => "key_file_invalid",
            Error::WrongPin { .. } => "wrong_pin",
            Error::WeakPin { .. } => "weak_pin",
            Error::SlipMalformed(_) => "slip_malformed",
            Error::TrustedKeysRefused(_) => "trusted_keys_refused",

            // issue 13: sealed
            Error::FileTooOld { .. } => "file_too_old",
            Error::TestBallotInOfficialCount { .. } => "test_ballot_in_official_count",
            Error::SealedRecord { .. } => "sealed_record",
            Error::NoClosingKey => "no_closing_key",
            Error::BadClosingKey(_) => "bad_closing_key",
            Error::SlipsLocked { .. } => "slips_locked",
            Error::SlipMismatch(_) => "slip_mismatch",
            Error::NotEnoughSlips { .. } => "not_enough_slips",
            Error::CountFirst => "count_first",
            // issue 13: def2
            Error::BadStationId(_) => "bad_station_id",
            // issue 13: result2
            Error::WrongOfficeKey(_) => "wrong_office_key",
            Error::OfficeCountRefused(_) => "office_count_refused",
            // issue 13: sessions
            Error::SessionExpired { .. } => "session_expired",
            Error::LoggedOut => "logged_out",
            Error::PasswordRequired { .. } => "password_required",
            // issue 13: hygiene
            Error::StationInUse => "station_in_use",
            Error::CheckpointFailed(_) => "checkpoint_failed",
            Error::PrinterNotReady(_) => "printer_not_ready",
            Error::SlipsNotPrinted { .. } => "slips_not_printed",
            // issue 14: cards
            Error::SpoilLimit { .. } => "spoil_limit",
            Error::CardNotPrinted => "card_not_printed",
            Error::CardMismatch => "card_mismatch",
            Error::CardsDisabled => "cards_disabled",
            Error::BadHandCount(_) => "bad_hand_count",
            Error::ManifestRefused(_) => "manifest_refused",
            // issue 16: rctab
            Error::CvrInvalid { .. } => "cvr_invalid",
            Error::CvrUnknownCandidate { .. } => "cvr_unknown_candidate",
            Error::CvrOtherElection { .. } => "cvr_other_election",
            Error::CvrDuplicateId { .. } => "cvr_duplicate_id",
            Error::RulesInvalid { .. } => "rules_invalid",
            Error::RulesUnsupported { .. } => "rules_unsupported",
            Error::TabulationStopped { .. } => "tabulation_stopped",
            // issue 14: rlacli
            Error::RlaBadSeed(_) => "rla_bad_seed",
            Error::RlaNotInSample(_) => "rla_not_in_sample",
            Error::RlaContestNotOnBallot(_) => "rla_contest_not_on_ballot",
            Error::RlaManifestMismatch(_) => "rla_manifest_mismatch",
            Error::RlaWorkspace(_) => "rla_workspace",
            // issue 16: nist
            Error::NistExportRefused(_) => "nist_export_refused",
            // issue 16: vx
            Error::VxImport(_) => "vx_import_refused",
            // issue 14: raire
            Error::RaireWrongWinner(_) => "raire_wrong_winner",
            Error::RaireNotAuditable(_) => "raire_not_auditable",
            // issue 15: audio
            Error::SpeechUnavailable => "speech_unavailable",
            Error::SpeechNoVoice(_) => "speech_no_voice",
            Error::SpeechFailed(_) => "speech_failed",
        }
    }

    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One problem found in an election definition, at a JSON path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub path: String,
    pub message: String,
}

/// Every problem found in an election definition (`definition`). Never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionError {
    pub issues: Vec<Issue>,
}

impl DefinitionError {
    pub(crate) fn one(path: impl Into<String>, message: impl Into<String>) -> Self {
        DefinitionError {
            issues: vec![Issue {
                path: path.into(),
                message: message.into(),
            }],
        }
    }
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, issue) in self.issues.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", issue.path, issue.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for DefinitionError {}
