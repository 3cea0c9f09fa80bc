//! The command line's shape: every command, option and help text, as clap
//! types. Nothing here reads a file or a secret; `cmd/` does.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::secrets::ENV_STATION;

#[derive(Parser)]
#[command(name = "votekiosk", version, about = "Run and check an offline polling-station election file.", long_about = None)]
// `--version` is ours (below): it prints the commit and the binary's
// SHA-256 too, which clap's static version string cannot hold, and obeys
// `--json`.
#[command(disable_version_flag = true)]
#[command(
    after_help = "Secrets and voter codes never go on the command line:\n  election passphrase: prompt, --passphrase-file, or VOTEKIOSK_PASSPHRASE\n  official's password: prompt, or VOTEKIOSK_OFFICIAL_PASSWORD\n  new password (init, official add): prompt, or VOTEKIOSK_NEW_PASSWORD\n  voter code (cast, codes revoke): prompt, standard input, or --code-file\n  slip PINs (closing-key init, count): prompt, or one line each on standard input\n\nStart with `votekiosk demo` to create a demo election."
)]
pub struct Cli {
    /// The station file (or set VOTEKIOSK_STATION).
    #[arg(long, global = true, env = ENV_STATION, value_name = "PATH")]
    pub station: Option<PathBuf>,

    /// Read the election passphrase from this file (first line).
    #[arg(long, global = true, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,

    /// Machine-readable output (see docs/cli.md).
    #[arg(long, global = true)]
    pub json: bool,

    /// Print the version, the source commit and the SHA-256 of this binary.
    #[arg(short = 'V', long)]
    pub version: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Args)]
pub struct OfficialArg {
    /// The official doing this (password from a prompt or VOTEKIOSK_OFFICIAL_PASSWORD).
    #[arg(long, value_name = "NAME")]
    pub official: String,
}

/// Where a voter code comes from: `--code-file FILE` (`-`: standard
/// input), else standard input when it is not a terminal, else a prompt.
/// A code typed on the command line would stay in the shell's history and
/// in the process list, so `--code CODE` exists only to be refused clearly.
#[derive(Args)]
pub struct CodeArg {
    /// Read the voter code from this file (first line; `-` for standard input).
    #[arg(long, value_name = "FILE")]
    pub code_file: Option<PathBuf>,
    /// Refused: a voter code is never taken from the command line.
    #[arg(long, value_name = "CODE", hide = true)]
    pub code: Option<String>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Create a new station file from an election definition, with its station id and first admin.
    Init {
        #[arg(long, value_name = "FILE")]
        definition: PathBuf,
        /// This station's id, printed on receipts, reports and exports: 1-64 letters,
        /// digits, '.', '_' or '-', one per kiosk (e.g. LAKEVIEW-2-K1).
        #[arg(long, value_name = "ID")]
        station_id: String,
        /// Name of the first admin (password from a prompt or VOTEKIOSK_NEW_PASSWORD).
        #[arg(long, value_name = "NAME", default_value = "admin")]
        admin: String,
    },
    /// Check an election definition without creating anything.
    Validate {
        #[arg(value_name = "FILE")]
        definition: PathBuf,
    },
    /// Work on election definitions: upgrade a votekiosk/1 definition.
    Definition {
        #[command(subcommand)]
        command: DefinitionCommand,
    },
    /// Manage official accounts.
    Official {
        #[command(subcommand)]
        command: OfficialCommand,
    },
    /// Change the polls: test (L&A testing), open, pause, resume, close;
    /// after close, hand-count: the cards counted by hand in each box.
    Polls {
        #[arg(value_enum)]
        action: PollsAction,
        /// hand-count only: a box and the cards counted in it, `ID=N`
        /// (ID: 1-16 letters, digits or '-'); repeat for each box.
        #[arg(long = "box", value_name = "ID=N")]
        boxes: Vec<String>,
        #[command(flatten)]
        by: OfficialArg,
    },
    /// Issue or revoke voter codes.
    Codes {
        #[command(subcommand)]
        command: CodesCommand,
    },
    /// Lift the lock after too many invalid voter codes.
    Unlock {
        #[command(flatten)]
        by: OfficialArg,
    },
    /// Cast a ballot (the voter code from a prompt, standard input or --code-file), or a whole test deck.
    Cast {
        #[command(flatten)]
        code: CodeArg,
        /// A choice: CONTEST=CHOICE[,CHOICE...] (rank order for ranked contests; "write-in:Name" for write-ins).
        #[arg(long = "choice", value_name = "CONTEST=CHOICE", conflicts_with = "deck")]
        choices: Vec<String>,
        /// A JSON-lines deck: one {"code": ..., "selections": {...}} per line.
        #[arg(long, value_name = "FILE.jsonl", conflicts_with_all = ["code_file", "code"])]
        deck: Option<PathBuf>,
        /// Write the deck's receipts here (JSON lines) instead of standard output.
        #[arg(long, value_name = "FILE", requires = "deck")]
        receipts_out: Option<PathBuf>,
    },
    /// Mode and turnout (always visible).
    Status,
    /// Results of every contest, with IRV rounds (test ballots in test mode; after close, use `count`).
    Tally,
    /// Count NIST CDF cast vote records: exactly as RCTab under its config (--rules, writing RCTab's round-by-round JSON to --out), or by votekiosk's rules (--definition).
    Tabulate {
        /// A NIST SP 1500-103 cast vote record file (JSON); repeat for several. With --rules and none given, the config's cvrFileSources.
        #[arg(long = "cvr", value_name = "FILE.json")]
        cvrs: Vec<PathBuf>,
        /// An RCTab contest configuration file (candidates and rules).
        #[arg(
            long,
            value_name = "CONFIG.json",
            conflicts_with = "definition",
            required_unless_present = "definition"
        )]
        rules: Option<PathBuf>,
        /// A votekiosk election definition: count the records by its contests and rules.
        #[arg(long, value_name = "FILE.json")]
        definition: Option<PathBuf>,
        /// A kiosk's signed result or an office merge (votekiosk-result/2, votekiosk-merge/2), counted
        /// together with the --cvr files (with --definition only); verified first against the anchor below.
        #[arg(long = "result", value_name = "FILE", requires = "definition")]
        results: Vec<PathBuf>,
        #[command(flatten)]
        anchor: AnchorArgs,
        /// Write the report here (RCTab's JSON summary with --rules; votekiosk's tally with --definition); never overwritten.
        #[arg(long, value_name = "FILE.json")]
        out: Option<PathBuf>,
    },
    /// Check or show the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Look up receipts.
    Receipt {
        #[command(subcommand)]
        command: ReceiptCommand,
    },
    /// Print slips and reports: on a CUPS printer, into a PDF file, or into a folder.
    Print {
        #[command(subcommand)]
        command: PrintCommand,
    },
    /// Create a demo election file (published passphrase) and show what to try next.
    Demo {
        /// Instead, write the demo's election definition, its voting window
        /// around now, into this new file (for `init --definition`).
        #[arg(long, value_name = "FILE.json")]
        definition_out: Option<PathBuf>,
    },
    /// Export the signed result of the test ballots (`--test`, in test mode) with the sealed export and verify.html beside it (after close, use `count --export`); or, with --format nist-cvr|nist-err, a NIST cast vote record or election results file from a result or merged file, verified first (--from, with --public-key or --trusted-keys).
    Export {
        /// The file to write (never overwritten), e.g. results.jsonl;
        /// the sealed export goes beside a votekiosk result (results.sealed.jsonl).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// votekiosk: this station's signed result; nist-cvr: NIST SP 1500-103 cast vote records; nist-err: NIST SP 1500-100 election results.
        #[arg(long, value_enum, default_value = "votekiosk")]
        format: ExportFormat,
        /// (nist-cvr, nist-err) The votekiosk-result/2 or votekiosk-merge/2 file to export, verified against the trust anchor first.
        #[arg(long, value_name = "FILE")]
        from: Option<PathBuf>,
        #[command(flatten)]
        anchor: AnchorArgs,
        /// (votekiosk) A test export of the test ballots (test mode only; marked test everywhere).
        #[arg(long)]
        test: bool,
        /// (votekiosk) The official doing this (password from a prompt or VOTEKIOSK_OFFICIAL_PASSWORD).
        #[arg(long, value_name = "NAME")]
        official: Option<String>,
    },
    /// Verify result or merged files against a trust anchor (--public-key or --trusted-keys; none: FAIL); several files are verified on two threads, each on its own.
    Verify {
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        anchor: AnchorArgs,
        /// Check the files the result lists (the sealed export) in this folder (one FILE only).
        #[arg(long, value_name = "DIR")]
        attachments: Option<PathBuf>,
        /// For a merged file: verify every input again, found in this folder (one FILE only).
        #[arg(long, value_name = "DIR")]
        inputs: Option<PathBuf>,
        /// Require this SHA-256 of the binary that wrote the file (64 hex digits).
        #[arg(long, value_name = "HEX")]
        software_hash: Option<String>,
    },
    /// The station's closing key: made at setup, split among poll workers' PIN slips.
    ClosingKey {
        #[command(subcommand)]
        command: ClosingKeyCommand,
    },
    /// After the polls close: K poll workers' slips (PINs from a prompt or standard input) unseal and count the ballots; then show, export or print the result.
    Count {
        /// A slip's payload (`VKS2:…`, first line of the file), once per slip.
        #[arg(long = "slip-file", value_name = "FILE")]
        slip_files: Vec<PathBuf>,
        /// Also write the signed result file (and verify.html) from this count.
        #[arg(long, value_name = "FILE")]
        export: Option<PathBuf>,
        /// Also print the results report from this count.
        #[arg(long)]
        report: bool,
        #[command(flatten)]
        target: PrintTarget,
        #[command(flatten)]
        by: OfficialArg,
    },
    /// Combine stations' result files into one merged file signed by the office.
    Merge {
        #[arg(value_name = "FILE", required = true)]
        inputs: Vec<PathBuf>,
        /// The office's trusted-keys file: every station must be in it.
        #[arg(long, value_name = "FILE")]
        trusted_keys: PathBuf,
        /// The office signing key file (its passphrase from a prompt or standard input).
        #[arg(long, value_name = "FILE.vkkey")]
        signing_key: PathBuf,
        /// The merged file to write (never overwritten).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The merge's time stamp (default: now), to redo a merge byte for byte.
        #[arg(long, value_name = "STAMP")]
        merged_at: Option<String>,
    },
    /// The election office: the key ceremony, trustees' share checks, re-sharing, trusted station keys, counting a sealed export.
    Office {
        #[command(subcommand)]
        command: OfficeCommand,
    },
    /// Risk-limiting audit of the ballot cards at the office: start, plan, sample, record, status (docs/rla.md).
    Rla {
        #[command(subcommand)]
        command: RlaCommand,
    },
    /// Import another system's election definition as a votekiosk/2 definition: `import vx`.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Write the man pages (one per command) and the bash, zsh and fish
    /// completions, made from this command line's own definition, into a
    /// new folder (scripts/package).
    #[command(hide = true)]
    PackageFiles {
        /// The folder to create: `man/man1/*.1` and `completions/{bash,zsh,fish}/`.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum RlaCommand {
    /// Start an audit: verify the results, open each station's audit manifest with K trustees'
    /// shares (passphrases from a prompt or standard input, then a new audit passphrase), and
    /// write the audit workspace.
    Start {
        /// A station's result, or a merge of stations (verified against the anchor below).
        #[arg(long = "result", value_name = "FILE", required = true)]
        results: Vec<PathBuf>,
        #[command(flatten)]
        anchor: AnchorArgs,
        /// A station's audit manifest (`<result>.manifest.jsonl` beside its result), once per station.
        #[arg(long = "manifest", value_name = "FILE", required = true)]
        manifests: Vec<PathBuf>,
        /// A trustee's office encryption key share file (give K of them).
        #[arg(long = "share", value_name = "FILE", required = true)]
        shares: Vec<PathBuf>,
        /// The public random seed: 20 decimal digits rolled with dice at the seed ceremony.
        #[arg(long, value_name = "20DIGITS")]
        seed: String,
        /// The risk limit in percent.
        #[arg(long, value_name = "PERCENT", default_value_t = 5.0)]
        risk_limit: f64,
        /// A contest to audit (once per contest).
        #[arg(long = "contest", value_name = "ID", required = true)]
        contests: Vec<String>,
        /// The audit workspace to write (never overwritten), e.g. audit.vkrla.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// The initial sample size per contest (Kaplan–Markov), with the diluted margins. Writes nothing.
    Plan {
        #[arg(value_name = "WORKSPACE")]
        workspace: PathBuf,
    },
    /// Draw the sample (first round: the plan's size; later: the escalation), and show the pull list.
    Sample {
        #[arg(value_name = "WORKSPACE")]
        workspace: PathBuf,
        /// Draw up to N draws in all (larger than the draws so far).
        #[arg(long, value_name = "N")]
        size: Option<u64>,
        /// Also write the printable pull list (box and position, never card ids) to this new PDF.
        #[arg(long, value_name = "FILE.pdf")]
        pdf: Option<PathBuf>,
    },
    /// Record the audit board's reading of one pulled card (the audit passphrase from a prompt or standard input).
    Record {
        #[arg(value_name = "WORKSPACE")]
        workspace: PathBuf,
        /// The draw number on the pull list.
        #[arg(long, value_name = "N", conflicts_with_all = ["station_id", "box_id", "position"])]
        draw: Option<u64>,
        /// Or the position: station id (as on the pull list) ...
        #[arg(long, value_name = "ID", requires_all = ["box_id", "position"])]
        station_id: Option<String>,
        /// ... box ...
        #[arg(long = "box", value_name = "BOX", requires_all = ["station_id", "position"])]
        box_id: Option<String>,
        /// ... and position in the box (1 = top card).
        #[arg(long, value_name = "N", requires_all = ["station_id", "box_id"])]
        position: Option<u64>,
        /// The card id printed on the card (XXXX-XXXX-XXXX-XXXX-C), typed.
        #[arg(long, value_name = "CARD-ID", conflicts_with_all = ["qr", "no_card"])]
        card: Option<String>,
        /// Or the text of the card's scanned QR code (VKC2:…); needs --confirm-text.
        #[arg(long, value_name = "TEXT", conflicts_with = "no_card")]
        qr: Option<String>,
        /// The board checked that the printed text says what the QR says (printed text is the record of truth).
        #[arg(long, requires = "qr")]
        confirm_text: bool,
        /// There is no card at that position (a phantom: counted as the worst case).
        #[arg(long)]
        no_card: bool,
        /// The board's reading of a contest, CONTEST=CHOICE[,CHOICE...] (rank order for ranked; CONTEST= for no selection).
        #[arg(long = "choice", value_name = "CONTEST=CHOICE")]
        choices: Vec<String>,
    },
    /// The measured risk per contest and assertion, and what to do next. Writes nothing.
    Status {
        #[arg(value_name = "WORKSPACE")]
        workspace: PathBuf,
    },
}

/// What a verdict rests on: a pinned key, or the office's trusted-keys file.
#[derive(Args)]
pub struct AnchorArgs {
    /// The signer's public key (64 hex digits): the station's, from its zero report (or the office signing key, for a merge).
    #[arg(long, value_name = "HEX")]
    pub public_key: Option<String>,
    /// The office's trusted-keys file: the station must be trusted under its own station id.
    #[arg(long, value_name = "FILE", conflicts_with = "public_key")]
    pub trusted_keys: Option<PathBuf>,
    /// Pin the election: its definition hash (64 hex digits).
    #[arg(long, value_name = "HEX")]
    pub definition_hash: Option<String>,
}

#[derive(Subcommand)]
pub enum OfficeCommand {
    /// The key ceremony: make the office encryption and signing keys, split each K of N among
    /// the trustees (one passphrase each), write the share files, the results officer's signing
    /// key file and the signed ceremony record, after a recovery drill in memory.
    Keygen {
        /// N, the number of trustees (at least K + 1, at most 32).
        #[arg(long, value_name = "N")]
        trustees: u8,
        /// K, the number of trustees needed to rebuild a key (at least 2).
        #[arg(long, value_name = "K")]
        threshold: u8,
        /// The folder to write into (created if missing; nothing in it is overwritten).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The trustees' labels (names or roles), comma-separated, in share order.
        #[arg(long, value_name = "A,B,C", value_delimiter = ',')]
        labels: Vec<String>,
    },
    /// A trustee's share file.
    Share {
        #[command(subcommand)]
        command: ShareCommand,
    },
    /// Replace trustees or change K or N: rebuild both keys from K trustees' share files and
    /// deal new shares (generation + 1). The public keys and the definition stay the same.
    Reshare {
        /// A share file of a current trustee (both files of K trustees; their passphrases are asked per trustee).
        #[arg(long = "share", value_name = "FILE", required = true)]
        shares: Vec<PathBuf>,
        /// N', the new number of trustees.
        #[arg(long, value_name = "N")]
        trustees: u8,
        /// K', the new threshold.
        #[arg(long, value_name = "K")]
        threshold: u8,
        /// The folder for the new share files and ceremony record.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The new trustees' labels, comma-separated.
        #[arg(long, value_name = "A,B,C", value_delimiter = ',')]
        labels: Vec<String>,
    },
    /// The trusted-keys file: the stations whose keys the office has pinned.
    Trust {
        #[command(subcommand)]
        command: TrustCommand,
    },
    /// Count a station's sealed export with K trustees' shares; writes a result signed by the office.
    Count {
        /// The station's sealed export (e.g. results.sealed.jsonl).
        #[arg(value_name = "SEALED")]
        sealed: PathBuf,
        /// A trustee's share file (give K of them; each passphrase from a prompt or standard input).
        #[arg(long = "share", value_name = "FILE", required = true)]
        shares: Vec<PathBuf>,
        /// The office signing key file (its passphrase from a prompt or standard input).
        #[arg(long, value_name = "FILE.vkkey")]
        signing_key: PathBuf,
        /// The result file to write (never overwritten).
        #[arg(long, value_name = "RESULT")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum ShareCommand {
    /// Unlock a share file with its passphrase and check it against its commitments (and the
    /// definition's office key with --definition). Writes nothing.
    Check {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The votekiosk/2 definition whose office key the share must belong to.
        #[arg(long, value_name = "FILE")]
        definition: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum TrustCommand {
    /// Pin a station's signing and closing keys (from its zero report): makes the file at
    /// serial 1, or reissues it at serial + 1, signed by the office signing key.
    Add {
        /// The trusted-keys file (made if missing).
        #[arg(long, value_name = "FILE")]
        trusted_keys: PathBuf,
        /// The votekiosk/2 definition (its office signing key must sign the file).
        #[arg(long, value_name = "FILE")]
        definition: PathBuf,
        /// The station's id, as on its zero report.
        #[arg(long, value_name = "ID")]
        station_id: String,
        /// The station's signing public key (64 hex digits, from its zero report).
        #[arg(long, value_name = "HEX")]
        public_key: String,
        /// The station's closing public key (64 hex digits, from its zero report).
        #[arg(long, value_name = "HEX")]
        closing_key: String,
        /// How the keys reached the office.
        #[arg(long, value_enum)]
        evidence: EvidenceArg,
        /// The office signing key file (its passphrase from a prompt or standard input).
        #[arg(long, value_name = "FILE.vkkey")]
        signing_key: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum EvidenceArg {
    ZeroReport,
    OfficeSetup,
}

#[derive(Subcommand)]
pub enum ClosingKeyCommand {
    /// Make the closing key (admins, before the polls open) and print one slip per worker. Each worker's PIN (8+ digits) from a prompt (twice) or one line each on standard input; making it again voids the old slips.
    Init {
        /// The poll workers who get a slip, comma-separated (2 to 9).
        #[arg(long, value_delimiter = ',', value_name = "NAME,NAME,...", required = true)]
        workers: Vec<String>,
        /// How many slips are needed to count (2 to the number of workers).
        #[arg(long, value_name = "K")]
        threshold: u8,
        /// Also write each slip's payload into this new folder (owner-only files), e.g. for a test run.
        #[arg(long, value_name = "DIR")]
        slips_out: Option<PathBuf>,
        #[command(flatten)]
        by: OfficialArg,
    },
    /// Show the closing key: fingerprint, K of N, generation, who holds each slip.
    Show,
}

#[derive(Subcommand)]
pub enum DefinitionCommand {
    /// Write a votekiosk/2 definition made from a votekiosk/1 one: drops station_id (give it to
    /// `init --station-id`) and results_visibility (refusing "live"), adds the office keys, and
    /// lists every change. The old file is never changed.
    #[command(group(clap::ArgGroup::new("keys").required(true).args(["office", "demo"])))]
    Upgrade {
        /// The votekiosk/1 definition.
        #[arg(value_name = "V1.json")]
        v1: PathBuf,
        /// The office keys: the key ceremony's office-key.json, or a JSON file with the
        /// `office` block that `office keygen` prints.
        #[arg(long, value_name = "FILE")]
        office: Option<PathBuf>,
        /// Instead of office keys, make a demo election on the published test keys ("demo": true).
        #[arg(long)]
        demo: bool,
        /// The new votekiosk/2 definition (a new file; never overwritten).
        #[arg(long, value_name = "V2.json")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum OfficialCommand {
    /// Add an official (admins only). Password from a prompt or VOTEKIOSK_NEW_PASSWORD.
    Add {
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        #[command(flatten)]
        by: OfficialArg,
    },
    /// List the officials.
    List,
}

#[derive(Subcommand)]
pub enum CodesCommand {
    /// Issue a batch of voter codes.
    Issue {
        #[arg(long)]
        count: usize,
        /// Write the codes to this new file (JSON, readable by owner only) instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[command(flatten)]
        by: OfficialArg,
    },
    /// Revoke an unused code, e.g. a spoiled slip (the code from a prompt, standard input or --code-file).
    Revoke {
        /// Refused: a voter code is never taken from the command line.
        #[arg(value_name = "CODE", hide = true)]
        code_on_argv: Option<String>,
        /// Read the voter code from this file (first line; `-` for standard input).
        #[arg(long, value_name = "FILE")]
        code_file: Option<PathBuf>,
        #[command(flatten)]
        by: OfficialArg,
    },
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Verify the audit hash chain.
    Verify,
    /// Show the latest audit entries.
    Show {
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

/// Where a printed document goes: --out FILE, else --printer QUEUE, else
/// the station's printer setting, else a folder next to the station file.
#[derive(Args)]
pub struct PrintTarget {
    /// Print on this CUPS queue (default: the station's printer setting).
    #[arg(long, value_name = "QUEUE", conflicts_with = "out")]
    pub printer: Option<String>,
    /// Save the PDF as this new file instead of printing (never overwrites).
    #[arg(long, value_name = "FILE.pdf")]
    pub out: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum PrintCommand {
    /// A SAMPLE receipt slip, to test the receipt printer. Real receipts are
    /// printed by the kiosk when a ballot is cast; no old receipt can be printed.
    Receipt {
        /// Print a clearly marked sample slip (the only kind the command line prints).
        #[arg(long, required = true)]
        sample: bool,
        /// The slip's language: a language code of the election (default: its first).
        #[arg(long, value_name = "CODE")]
        language: Option<String>,
        #[command(flatten)]
        target: PrintTarget,
    },
    /// Issue a batch of voter codes and print their slips (A4 sheets, or --roll).
    Codes {
        #[arg(long)]
        count: usize,
        /// One 80 mm roll slip per code instead of A4 sheets of ten.
        #[arg(long)]
        roll: bool,
        /// The slips' language: a language code of the election (default: its first).
        #[arg(long, value_name = "CODE")]
        language: Option<String>,
        #[command(flatten)]
        by: OfficialArg,
        #[command(flatten)]
        target: PrintTarget,
    },
    /// The polls-opened zero report.
    ZeroReport {
        #[command(flatten)]
        target: PrintTarget,
    },
    /// The results report of the test ballots in test mode (after close: `count --report`).
    ResultsReport {
        #[command(flatten)]
        target: PrintTarget,
    },
    /// Show the station's printer queue, or change it (admins only).
    Printer {
        /// The CUPS queue to print on (`lpstat -p` lists them).
        #[arg(long, value_name = "QUEUE", conflicts_with = "clear", requires = "official")]
        set: Option<String>,
        /// No printer: save documents into a folder next to the station file.
        #[arg(long, requires = "official")]
        clear: bool,
        /// The admin making the change.
        #[arg(long, value_name = "NAME")]
        official: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum ReceiptCommand {
    /// Is this receipt (id, QR text or verification URL) recorded in this station?
    Check { receipt: String },
    /// Is this receipt included in a signed result (or merged) file? Verifies the file first.
    Verify {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        receipt: String,
        #[command(flatten)]
        anchor: AnchorArgs,
        /// Print the Merkle inclusion path.
        #[arg(long)]
        path: bool,
    },
}

/// What `export` writes.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Votekiosk,
    NistCvr,
    NistErr,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum PollsAction {
    Test,
    Open,
    Pause,
    Resume,
    Close,
    /// The hand count of the ballot cards, per box (`--box ID=N`).
    HandCount,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Admin,
    PollWorker,
}

#[derive(Subcommand)]
pub enum ImportCommand {
    /// A VotingWorks (VxSuite) election.json, for one ballot style at one precinct, into a new
    /// votekiosk/2 definition. Everything the definition cannot hold is listed (stderr and
    /// --json); --strict refuses the import instead. Nothing is written on error.
    #[command(group(clap::ArgGroup::new("keys").required(true).args(["office", "demo"])))]
    Vx {
        /// The VX election definition (election.json).
        #[arg(value_name = "ELECTION.json")]
        election: PathBuf,
        /// The ballot style the kiosk offers (`ballotStyles[].id`).
        #[arg(long, value_name = "ID")]
        ballot_style: String,
        /// The kiosk's precinct (`precincts[].id`); the ballot style must list it.
        #[arg(long, value_name = "ID")]
        precinct: String,
        /// The office keys (not in a VX file): the key ceremony's office-key.json, or a JSON
        /// file with the `office` block that `office keygen` prints.
        #[arg(long, alias = "office-keys", value_name = "FILE")]
        office: Option<PathBuf>,
        /// Instead of office keys, a demo election on the published test keys ("demo": true).
        #[arg(long)]
        demo: bool,
        /// When the polls open (RFC 3339, e.g. 2026-11-03T07:00:00-05:00); default 07:00 on
        /// the election date at --utc-offset.
        #[arg(long, value_name = "TIME")]
        opens: Option<String>,
        /// When the polls close (RFC 3339); default 20:00 on the election date at --utc-offset.
        #[arg(long, value_name = "TIME")]
        closes: Option<String>,
        /// The offset of the default window's times, e.g. -05:00.
        #[arg(
            long,
            value_name = "+HH:MM",
            default_value = "+00:00",
            allow_hyphen_values = true
        )]
        utc_offset: String,
        /// Ballot cards on or off (default: the definition's default, on).
        #[arg(long, value_enum)]
        cards: Option<OnOff>,
        /// Refuse the import if anything of the VX file cannot be represented.
        #[arg(long)]
        strict: bool,
        /// The new votekiosk/2 definition (a new file; never overwritten).
        #[arg(long, value_name = "DEF.json")]
        out: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum OnOff {
    On,
    Off,
}
