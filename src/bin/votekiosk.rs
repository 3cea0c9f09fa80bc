//! `votekiosk`: the officials' and auditors' command line. It parses
//! arguments, reads secrets from prompts, files or the environment (never
//! from argv), and calls the same `Station` facade as the desktop app.

use std::fs;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::{json, Value};
use zeroize::Zeroizing;

use votekiosk::ballot::{parse_choice_args, SelectionsInput};
use votekiosk::station::{Options, ReceiptStatus, Role, Station};
use votekiosk::{demo, ElectionDefinition, Error, Result};

const ENV_STATION: &str = "VOTEKIOSK_STATION";
const ENV_PASSPHRASE: &str = "VOTEKIOSK_PASSPHRASE";
const ENV_OFFICIAL_PASSWORD: &str = "VOTEKIOSK_OFFICIAL_PASSWORD";
const ENV_NEW_PASSWORD: &str = "VOTEKIOSK_NEW_PASSWORD";

#[derive(Parser)]
#[command(name = "votekiosk", version, about = "Run and check an offline polling-station election file.", long_about = None)]
#[command(
    after_help = "Secrets never go on the command line:\n  election passphrase: prompt, --passphrase-file, or VOTEKIOSK_PASSPHRASE\n  official's password: prompt, or VOTEKIOSK_OFFICIAL_PASSWORD\n  new password (init, official add): prompt, or VOTEKIOSK_NEW_PASSWORD\n\nStart with `votekiosk demo` to create a demo election."
)]
struct Cli {
    /// The station file (or set VOTEKIOSK_STATION).
    #[arg(long, global = true, env = ENV_STATION, value_name = "PATH")]
    station: Option<PathBuf>,

    /// Read the election passphrase from this file (first line).
    #[arg(long, global = true, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,

    /// Machine-readable output (see docs/cli.md).
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct OfficialArg {
    /// The official doing this (password from a prompt or VOTEKIOSK_OFFICIAL_PASSWORD).
    #[arg(long, value_name = "NAME")]
    official: String,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new station file from an election definition, with its first admin.
    Init {
        #[arg(long, value_name = "FILE")]
        definition: PathBuf,
        /// Name of the first admin (password from a prompt or VOTEKIOSK_NEW_PASSWORD).
        #[arg(long, value_name = "NAME", default_value = "admin")]
        admin: String,
    },
    /// Check an election definition without creating anything.
    Validate {
        #[arg(value_name = "FILE")]
        definition: PathBuf,
    },
    /// Manage official accounts.
    Official {
        #[command(subcommand)]
        command: OfficialCommand,
    },
    /// Change the polls: test (L&A testing), open, pause, resume, close.
    Polls {
        #[arg(value_enum)]
        action: PollsAction,
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
    /// Cast a ballot with a voter code, or a whole test deck.
    Cast {
        /// The voter code (for one ballot).
        #[arg(
            long,
            value_name = "CODE",
            conflicts_with = "deck",
            required_unless_present = "deck"
        )]
        code: Option<String>,
        /// A choice: CONTEST=CHOICE[,CHOICE...] (rank order for ranked contests; "write-in:Name" for write-ins).
        #[arg(long = "choice", value_name = "CONTEST=CHOICE", conflicts_with = "deck")]
        choices: Vec<String>,
        /// A JSON-lines deck: one {"code": ..., "selections": {...}} per line.
        #[arg(long, value_name = "FILE.jsonl")]
        deck: Option<PathBuf>,
        /// Write the deck's receipts here (JSON lines) instead of standard output.
        #[arg(long, value_name = "FILE", requires = "deck", conflicts_with = "code")]
        receipts_out: Option<PathBuf>,
    },
    /// Mode and turnout (always visible).
    Status,
    /// Results of every contest, with IRV rounds (after close, in test mode, or when results are live).
    Tally,
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
    Demo,
    /// Export the signed result file (after close; `--test` in test mode), with verify.html next to it.
    Export {
        /// The result file to write (never overwritten).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// A test export of the test ballots (test mode only; marked test everywhere).
        #[arg(long)]
        test: bool,
        #[command(flatten)]
        by: OfficialArg,
    },
    /// Verify a result file (or a combined file) with no secret.
    Verify {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The station's expected public key (64 hex digits).
        #[arg(long, value_name = "HEX")]
        public_key: Option<String>,
        /// Also check the HMAC, with the election passphrase (prompt, --passphrase-file or VOTEKIOSK_PASSPHRASE).
        #[arg(long)]
        with_passphrase: bool,
    },
    /// Combine several stations' result files into one.
    Merge {
        #[arg(value_name = "FILE", required = true)]
        inputs: Vec<PathBuf>,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum OfficialCommand {
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
enum CodesCommand {
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
    /// Revoke an unused code (e.g. a spoiled slip).
    Revoke {
        code: String,
        #[command(flatten)]
        by: OfficialArg,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
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
struct PrintTarget {
    /// Print on this CUPS queue (default: the station's printer setting).
    #[arg(long, value_name = "QUEUE", conflicts_with = "out")]
    printer: Option<String>,
    /// Save the PDF as this new file instead of printing (never overwrites).
    #[arg(long, value_name = "FILE.pdf")]
    out: Option<PathBuf>,
}

#[derive(Subcommand)]
enum PrintCommand {
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
    /// The polls-closed results report (after close; test ballots in test mode).
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
enum ReceiptCommand {
    /// Is this receipt (id, QR text or verification URL) recorded in this station?
    Check { receipt: String },
    /// Is this receipt included in a signed result file (or a combined file)?
    Verify {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        receipt: String,
        /// Print the Merkle inclusion path.
        #[arg(long)]
        path: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum PollsAction {
    Test,
    Open,
    Pause,
    Resume,
    Close,
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Admin,
    PollWorker,
}

/// Set by commands that printed a complete negative answer (a failed
/// verification, a receipt not found): exit 1 without a second message.
static ANSWERED_NO: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn answered_no() {
    ANSWERED_NO.store(true, std::sync::atomic::Ordering::SeqCst);
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    match run(cli) {
        Ok(()) if ANSWERED_NO.load(std::sync::atomic::Ordering::SeqCst) => ExitCode::FAILURE,
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if json {
                println!(
                    "{}",
                    json!({ "error": { "code": e.code(), "message": e.to_string() } })
                );
            }
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn station_path(cli: &Cli) -> Result<PathBuf> {
    cli.station.clone().ok_or_else(|| {
        Error::InvalidInput("no station file: pass --station PATH or set VOTEKIOSK_STATION".into())
    })
}

/// Reads a secret from the environment, a file, or a prompt.
fn secret(env: &str, file: Option<&Path>, prompt: &str) -> Result<Zeroizing<String>> {
    if let Some(path) = file {
        let text = Zeroizing::new(fs::read_to_string(path).map_err(|e| io_error(path, e))?);
        let line = text.lines().next().unwrap_or("");
        return Ok(Zeroizing::new(line.to_string()));
    }
    if let Ok(v) = std::env::var(env) {
        return Ok(Zeroizing::new(v));
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::InvalidInput(format!(
            "{prompt}: no terminal to ask on; set {env}"
        )));
    }
    rpassword::prompt_password(format!("{prompt}: "))
        .map(Zeroizing::new)
        .map_err(|e| Error::InvalidInput(format!("cannot read {prompt}: {e}")))
}

/// A new secret: from the environment/file, or typed twice.
fn new_secret(env: &str, file: Option<&Path>, prompt: &str) -> Result<Zeroizing<String>> {
    if file.is_some() || std::env::var(env).is_ok() {
        return secret(env, file, prompt);
    }
    let first = secret(env, None, prompt)?;
    let again = secret(env, None, &format!("{prompt} (again)"))?;
    if *first != *again {
        return Err(Error::InvalidInput("the two entries differ".into()));
    }
    Ok(first)
}

fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        source,
    }
}

fn open(cli: &Cli) -> Result<Station> {
    let path = station_path(cli)?;
    if !path.is_file() {
        return Err(Error::FileNotFound(path.display().to_string()));
    }
    let pass = secret(
        ENV_PASSPHRASE,
        cli.passphrase_file.as_deref(),
        "Election passphrase",
    )?;
    Station::open(&path, &pass, Options::default())
}

fn login(station: &mut Station, by: &OfficialArg) -> Result<votekiosk::Official> {
    let password = secret(
        ENV_OFFICIAL_PASSWORD,
        None,
        &format!("Password for {}", by.official),
    )?;
    station.login(&by.official, &password)
}

/// Prints a result; a closed pipe (e.g. `| head`) is not an error.
fn print(json_mode: bool, value: Value, human: impl FnOnce() -> String) {
    let text = if json_mode { value.to_string() } else { human() };
    let _ = writeln!(std::io::stdout(), "{text}");
}

fn run(cli: Cli) -> Result<()> {
    let j = cli.json;
    match &cli.command {
        Command::Init { definition, admin } => {
            let path = station_path(&cli)?;
            if path.exists() {
                return Err(Error::FileExists(path.display().to_string()));
            }
            let def = ElectionDefinition::from_file(definition)?;
            let pass = new_secret(
                ENV_PASSPHRASE,
                cli.passphrase_file.as_deref(),
                "New election passphrase",
            )?;
            let password = new_secret(ENV_NEW_PASSWORD, None, &format!("Password for admin {admin}"))?;
            let station = Station::create(&path, &def, &pass, admin, &password, Options::default())?;
            let hash = station.definition().hash().to_hex();
            print(
                j,
                json!({ "station": path.display().to_string(), "definition_hash": hash, "station_id": def.station_id }),
                || {
                    format!(
                        "Created {} for station {} (definition {hash}).\nFirst admin: {admin}.",
                        path.display(),
                        def.station_id
                    )
                },
            );
        }
        Command::Validate { definition } => {
            let def = ElectionDefinition::from_file(definition)?;
            let hash = def.hash().to_hex();
            print(
                j,
                json!({ "valid": true, "definition_hash": hash, "contests": def.contests.len() }),
                || format!("Valid: {} contests, definition hash {hash}", def.contests.len()),
            );
        }
        Command::Official { command } => {
            let mut station = open(&cli)?;
            match command {
                OfficialCommand::Add { name, role, by } => {
                    let official = login(&mut station, by)?;
                    let role = match role {
                        RoleArg::Admin => Role::Admin,
                        RoleArg::PollWorker => Role::PollWorker,
                    };
                    let password = new_secret(ENV_NEW_PASSWORD, None, &format!("Password for {name}"))?;
                    station.add_official(&official, name, role, &password)?;
                    print(j, json!({ "added": name, "role": role.as_str() }), || {
                        format!("Added {name} as {}.", role.as_str())
                    });
                }
                OfficialCommand::List => {
                    let list = station.officials()?;
                    let value = json!(list
                        .iter()
                        .map(|(n, r)| json!({ "name": n, "role": r }))
                        .collect::<Vec<_>>());
                    print(j, value, || {
                        list.iter()
                            .map(|(n, r)| format!("{n}\t{r}"))
                            .collect::<Vec<_>>()
                            .join("\n")
                    });
                }
            }
        }
        Command::Polls { action, by } => {
            let mut station = open(&cli)?;
            let official = login(&mut station, by)?;
            match action {
                PollsAction::Test => station.enter_test_mode(&official)?,
                PollsAction::Open => station.open_polls(&official)?,
                PollsAction::Pause => station.pause_polls(&official)?,
                PollsAction::Resume => station.resume_polls(&official)?,
                PollsAction::Close => station.close_polls(&official)?,
            }
            let mode = station.mode()?.as_str();
            print(j, json!({ "mode": mode }), || {
                format!("The station is now in {mode} mode.")
            });
        }
        Command::Codes { command } => {
            let mut station = open(&cli)?;
            match command {
                CodesCommand::Issue { count, out, by } => {
                    let official = login(&mut station, by)?;
                    if let Some(out) = out {
                        if out.exists() {
                            return Err(Error::FileExists(out.display().to_string()));
                        }
                    }
                    let batch = station.issue_codes(&official, *count)?;
                    let codes: Vec<String> = batch.codes.iter().map(|c| c.display()).collect();
                    let doc = json!({ "batch": batch.batch, "test": batch.test, "codes": codes });
                    match out {
                        Some(out) => {
                            write_private(out, &format!("{doc:#}\n"))?;
                            print(
                                j,
                                json!({ "batch": batch.batch, "test": batch.test, "count": codes.len(), "out": out.display().to_string() }),
                                || {
                                    format!(
                                        "Issued {} {}codes (batch {}) into {}.",
                                        codes.len(),
                                        if batch.test { "test " } else { "" },
                                        batch.batch,
                                        out.display()
                                    )
                                },
                            );
                        }
                        None => print(j, doc, || codes.join("\n")),
                    }
                }
                CodesCommand::Revoke { code, by } => {
                    let official = login(&mut station, by)?;
                    station.revoke_code(&official, code)?;
                    print(j, json!({ "revoked": true }), || "Code revoked.".into());
                }
            }
        }
        Command::Unlock { by } => {
            let mut station = open(&cli)?;
            let official = login(&mut station, by)?;
            station.unlock_voting(&official)?;
            print(j, json!({ "unlocked": true }), || "Voting unlocked.".into());
        }
        Command::Cast {
            code,
            choices,
            deck,
            receipts_out,
        } => {
            let mut station = open(&cli)?;
            match (code, deck) {
                (Some(code), _) => {
                    let selections = parse_choice_args(choices)?;
                    let r = station.cast_ballot(code, &selections, &request_key())?;
                    print(
                        j,
                        json!({ "receipt": r.receipt.as_str(), "payload": r.payload, "test": r.test }),
                        || {
                            format!(
                                "Ballot cast{}. Receipt: {}\nQR payload: {}",
                                if r.test { " (TEST)" } else { "" },
                                r.receipt,
                                r.payload
                            )
                        },
                    );
                }
                (None, Some(deck)) => cast_deck(&mut station, deck, receipts_out.as_deref())?,
                (None, None) => return Err(Error::InvalidInput("give --code or --deck".into())),
            }
        }
        Command::Status => {
            let station = open(&cli)?;
            let public_key = hex::encode(station.public_key()?);
            let fingerprint = station.public_key_fingerprint()?;
            let s = station.status()?;
            let def = station.definition();
            let counts = |c: &votekiosk::store::codes::CodeCounts| json!({ "issued": c.issued, "used": c.used, "revoked": c.revoked, "unused": c.unused });
            let value = json!({
                "station_id": s.station_id,
                "title": def.title.get(def.default_language()),
                "definition_hash": s.definition_hash.to_hex(),
                "mode": s.mode.as_str(),
                "opened_at": s.opened_at,
                "closed_at": s.closed_at,
                "voting_locked": s.voting_locked,
                "codes": counts(&s.codes),
                "ballots": s.ballots,
                "test": { "codes": counts(&s.test_codes), "ballots": s.test_ballots },
                "public_key": public_key,
                "public_key_fingerprint": fingerprint,
            });
            print(j, value, || {
                format!(
                    "{}\nStation {}  mode {}{}\nDefinition {}\nSigning key fingerprint {fingerprint}\nCodes issued {}  used {}  revoked {}  unused {}\nBallots cast {}{}",
                    def.title.get(def.default_language()),
                    s.station_id,
                    s.mode.as_str(),
                    if s.voting_locked { "  VOTING LOCKED (invalid codes): a poll worker must unlock" } else { "" },
                    s.definition_hash,
                    s.codes.issued,
                    s.codes.used,
                    s.codes.revoked,
                    s.codes.unused,
                    s.ballots,
                    if s.test_ballots > 0 || s.test_codes.issued > 0 {
                        format!("\nTest ballots {} (test codes issued {})", s.test_ballots, s.test_codes.issued)
                    } else {
                        String::new()
                    }
                )
            });
        }
        Command::Tally => {
            let station = open(&cli)?;
            let result = station.tally()?;
            let value = serde_json::to_value(&result).map_err(|e| Error::InvalidInput(e.to_string()))?;
            print(j, value, || {
                votekiosk::tabulate::text::render(station.definition(), &result)
            });
        }
        Command::Audit { command } => {
            let station = open(&cli)?;
            match command {
                AuditCommand::Verify => {
                    let r = station.verify_audit_chain()?;
                    let broken = r.first_broken.clone();
                    print(
                        j,
                        json!({ "ok": broken.is_none(), "length": r.length, "head": r.head, "first_broken": broken.as_ref().map(|(s, w)| json!({ "entry": s, "reason": w })) }),
                        || match &broken {
                            None => format!("Audit chain OK: {} entries, head {}", r.length, r.head),
                            Some((s, w)) => format!("AUDIT CHAIN BROKEN at entry {s}: {w}"),
                        },
                    );
                    if let Some((s, w)) = broken {
                        return Err(Error::Damaged(format!("audit log entry {s}: {w}")));
                    }
                }
                AuditCommand::Show { limit } => {
                    let entries = station.audit_log(*limit)?;
                    let value = json!(entries.iter().map(|e| json!({ "seq": e.seq, "at": e.at, "actor": e.actor, "kind": e.kind, "detail": e.detail })).collect::<Vec<_>>());
                    print(j, value, || {
                        entries
                            .iter()
                            .map(|e| {
                                format!(
                                    "{:>6} {} {:<12} {:<15} {}",
                                    e.seq, e.at, e.actor, e.kind, e.detail
                                )
                            })
                            .collect::<Vec<_>>()
                            .join("\n")
                    });
                }
            }
        }
        Command::Receipt {
            command: ReceiptCommand::Verify { file, receipt, path },
        } => {
            receipt_verify(j, file, receipt, *path)?;
        }
        Command::Export { out, test, by } => {
            let mut station = open(&cli)?;
            let official = login(&mut station, by)?;
            if out.exists() {
                return Err(Error::FileExists(out.display().to_string()));
            }
            let text = station.export(&official, *test)?;
            let written = votekiosk::export::write_files(out, &text)?;
            let key = hex::encode(station.public_key()?);
            print(
                j,
                json!({ "result": written.result.display().to_string(), "verify_html": written.verify_html.display().to_string(), "public_key": key, "test": test }),
                || {
                    format!(
                        "Wrote {}{} and {}.\nStation public key: {key}",
                        written.result.display(),
                        if *test { " (TEST export)" } else { "" },
                        written.verify_html.display()
                    )
                },
            );
        }
        Command::Verify {
            file,
            public_key,
            with_passphrase,
        } => {
            let bytes = votekiosk::export::read_file(file)?;
            let pass = if *with_passphrase {
                Some(secret(
                    ENV_PASSPHRASE,
                    cli.passphrase_file.as_deref(),
                    "Election passphrase",
                )?)
            } else {
                None
            };
            let (report, _) = votekiosk::export::verify::verify(
                &bytes,
                public_key.as_deref(),
                pass.as_deref().map(|p| p.as_str()),
            );
            let failures: Vec<Value> = report
                .failures
                .iter()
                .map(|f| json!({ "name": f.name(), "message": f.to_string() }))
                .collect();
            print(
                j,
                json!({
                    "passed": report.passed(), "kind": report.kind, "station_id": report.station_id, "public_key": report.public_key,
                    "definition_hash": report.definition_hash, "ballots": report.ballots, "test": report.test,
                    "mac_checked": report.mac_checked, "failures": failures,
                }),
                || {
                    let mut out = String::new();
                    if report.passed() {
                        out.push_str(&format!(
                            "PASS: {} file{}, {} ballots{}{}",
                            report.kind,
                            report
                                .station_id
                                .as_ref()
                                .map(|s| format!(" of station {s}"))
                                .unwrap_or_default(),
                            report.ballots,
                            if report.test { " (TEST)" } else { "" },
                            if report.mac_checked { "; HMAC checked" } else { "" }
                        ));
                        if let Some(k) = &report.public_key {
                            out.push_str(&format!(
                                "\nSigned by {k}: compare with the key the station published."
                            ));
                        }
                    } else {
                        out.push_str("FAIL:");
                        for f in &report.failures {
                            out.push_str(&format!("\n  [{}] {f}", f.name()));
                        }
                    }
                    out
                },
            );
            if !report.passed() {
                answered_no();
            }
        }
        Command::Merge { inputs, out } => {
            if out.exists() {
                return Err(Error::FileExists(out.display().to_string()));
            }
            let files: Vec<votekiosk::export::merge::Input> = inputs
                .iter()
                .map(|p| {
                    Ok(votekiosk::export::merge::Input {
                        name: p.display().to_string(),
                        bytes: votekiosk::export::read_file(p)?,
                    })
                })
                .collect::<Result<_>>()?;
            let total = files.len();
            let mut progress = |done: usize, all: usize, name: &str| {
                let width = 30;
                let filled = done * width / all.max(1);
                eprint!(
                    "\r[{}{}] {done}/{all} verified {name:.40}",
                    "#".repeat(filled),
                    " ".repeat(width - filled)
                );
                if done == all {
                    eprintln!();
                }
            };
            let text = votekiosk::export::merge::merge(&files, &mut progress)?;
            write_private(out, &text)?;
            print(
                j,
                json!({ "out": out.display().to_string(), "inputs": total }),
                || format!("Combined {total} result files into {}.", out.display()),
            );
        }
        Command::Receipt {
            command: ReceiptCommand::Check { receipt },
        } => {
            let station = open(&cli)?;
            let status = station.check_receipt(receipt)?;
            let (found, test) = match status {
                ReceiptStatus::Recorded { test } => (true, test),
                ReceiptStatus::NotFound => (false, false),
            };
            print(j, json!({ "recorded": found, "test": test }), || {
                match (found, test) {
                    (true, false) => "Recorded: this receipt's ballot is in this station.".into(),
                    (true, true) => "Recorded as a TEST ballot (not counted in the election).".into(),
                    _ => "Not found in this station.".into(),
                }
            });
            if !found {
                answered_no();
            }
        }
        Command::Print { command } => print_command(&cli, command)?,
        Command::Demo => demo_command(&cli)?,
    }
    Ok(())
}

/// `receipt verify FILE RECEIPT`: included in the signed result, or not.
fn receipt_verify(j: bool, file: &Path, receipt: &str, show_path: bool) -> Result<()> {
    use votekiosk::export::verify::{find_receipt, verify, Inclusion};
    let bytes = votekiosk::export::read_file(file)?;
    let (report, parsed) = verify(&bytes, None, None);
    let parsed = match parsed {
        Some(p) if report.passed() => p,
        _ => {
            let why: Vec<String> = report.failures.iter().map(|f| f.to_string()).collect();
            return Err(Error::InvalidInput(format!(
                "the result file does not verify: {}",
                why.join("; ")
            )));
        }
    };
    let station = report.station_id.clone().unwrap_or_else(|| "(combined)".into());
    match find_receipt(&parsed, receipt)? {
        Inclusion::Included { index, path } => {
            let steps: Vec<Value> = path
                .iter()
                .map(|s| json!({ "sibling": hex::encode(s.sibling), "side": if s.sibling_on_left { "left" } else { "right" } }))
                .collect();
            let root = parsed.receipts().merkle_root.clone();
            print(
                j,
                json!({ "included": true, "station_id": station, "index": index, "merkle_root": root, "path": steps }),
                || {
                    let mut out = format!("Included in the signed result of station {station}.");
                    if show_path {
                        out.push_str(&format!(
                            "\nLeaf {index}; Merkle root {root}\nPath (leaf to root):"
                        ));
                        for s in &path {
                            out.push_str(&format!(
                                "\n  {} {}",
                                if s.sibling_on_left { "left " } else { "right" },
                                hex::encode(s.sibling)
                            ));
                        }
                    }
                    out
                },
            );
            Ok(())
        }
        Inclusion::NotFound => {
            print(j, json!({ "included": false, "station_id": station }), || {
                format!("Not found in the signed result of station {station}.")
            });
            answered_no();
            Ok(())
        }
        Inclusion::OtherElection { found, expected } => Err(Error::ReceiptOtherElection { found, expected }),
    }
}

fn request_key() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// Writes a new file readable by its owner only; never overwrites.
fn write_private(path: &Path, text: &str) -> Result<()> {
    votekiosk::files::write_private(path, text.as_bytes())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DeckLine {
    code: String,
    selections: SelectionsInput,
    #[serde(default)]
    key: Option<String>,
}

/// Casts every line of a test deck under one unlock; reports each line.
fn cast_deck(station: &mut Station, deck: &Path, out: Option<&Path>) -> Result<()> {
    let file = fs::File::open(deck).map_err(|e| io_error(deck, e))?;
    let mut lines_out = Vec::new();
    let (mut cast, mut failed) = (0u64, 0u64);
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let n = i + 1;
        let line = Zeroizing::new(line.map_err(|e| io_error(deck, e))?);
        if line.trim().is_empty() {
            continue;
        }
        let result = serde_json::from_str::<DeckLine>(&line)
            .map_err(|e| Error::InvalidInput(format!("line {n}: {e}")))
            .and_then(|d| station.cast_ballot(&d.code, &d.selections, &d.key.unwrap_or_else(request_key)));
        match result {
            Ok(r) => {
                cast += 1;
                lines_out.push(
                    json!({ "line": n, "receipt": r.receipt.as_str(), "payload": r.payload, "test": r.test }),
                );
            }
            Err(e) => {
                failed += 1;
                eprintln!("line {n}: {e}");
                lines_out.push(json!({ "line": n, "error": { "code": e.code(), "message": e.to_string() } }));
            }
        }
    }
    let text: String = lines_out.iter().map(|v| format!("{v}\n")).collect();
    match out {
        Some(path) => write_private(path, &text)?,
        None => {
            let _ = std::io::stdout().write_all(text.as_bytes());
        }
    }
    eprintln!("{cast} ballots cast, {failed} lines refused");
    if failed > 0 {
        return Err(Error::InvalidInput(format!(
            "{failed} deck lines were refused (see above)"
        )));
    }
    Ok(())
}

fn demo_command(cli: &Cli) -> Result<()> {
    let path = match &cli.station {
        Some(p) => p.clone(),
        None => default_demo_path()?,
    };
    let created = if path.exists() {
        false
    } else {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
        }
        let def = demo::definition(chrono::Utc::now())?;
        Station::create(
            &path,
            &def,
            demo::PASSPHRASE,
            demo::ADMIN,
            demo::ADMIN_PASSWORD,
            Options::default(),
        )?;
        true
    };
    let p = path.display();
    print(
        cli.json,
        json!({ "station": p.to_string(), "created": created, "passphrase": demo::PASSPHRASE, "admin": demo::ADMIN, "admin_password": demo::ADMIN_PASSWORD }),
        || {
            format!(
            "{} demo election at {p}\n\
             Demo credentials (published; never use them for a real election):\n  \
             election passphrase: {pass}\n  admin: {admin} / {pw}\n\n\
             Try next:\n  \
             export VOTEKIOSK_STATION='{p}' VOTEKIOSK_PASSPHRASE='{pass}' VOTEKIOSK_OFFICIAL_PASSWORD='{pw}'\n  \
             votekiosk status\n  \
             votekiosk polls open --official {admin}\n  \
             votekiosk codes issue --count 3 --official {admin}\n  \
             votekiosk cast --code <CODE> --choice mayor=alvarez --choice council=diaz,gupta \\\n      \
             --choice library-bond=yes --choice parks-board=hill,jones --choice school-board=lopez,kim\n  \
             votekiosk receipt check <RECEIPT>\n  \
             votekiosk polls close --official {admin}\n  \
             votekiosk tally\n  \
             votekiosk audit verify",
            if created { "Created the" } else { "Using the existing" },
            pass = demo::PASSPHRASE,
            admin = demo::ADMIN,
            pw = demo::ADMIN_PASSWORD,
        )
        },
    );
    Ok(())
}

fn default_demo_path() -> Result<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .ok_or_else(|| Error::InvalidInput("no HOME: pass --station PATH".into()))?;
    Ok(base.join("votekiosk").join("demo.vkstation"))
}

/// Sends `pdf` where `target` says; returns the JSON fields and a sentence.
fn deliver(station: &Station, target: &PrintTarget, job: &str, pdf: &[u8]) -> Result<(Value, String)> {
    use votekiosk::print::{LpPrinter, PrintOutcome, Printer};
    let outcome = if let Some(out) = &target.out {
        votekiosk::files::write_private(out, pdf)?;
        PrintOutcome::Saved { path: out.clone() }
    } else if let Some(queue) = &target.printer {
        LpPrinter::new(queue)?.print(job, pdf)?
    } else {
        station.print(job, pdf)?
    };
    let value = match &outcome {
        PrintOutcome::Queued { queue, request } => {
            json!({ "queue": queue, "request": request, "path": null })
        }
        PrintOutcome::Saved { path } => {
            json!({ "queue": null, "request": null, "path": path.display().to_string() })
        }
    };
    Ok((value, outcome.to_string()))
}

fn print_command(cli: &Cli, command: &PrintCommand) -> Result<()> {
    use votekiosk::print::{self, CodeSlipLayout, SlipKind};
    let j = cli.json;
    let mut station = open(cli)?;
    let (document, extra, (mut value, said)) = match command {
        PrintCommand::Receipt { language, target, .. } => {
            let def = station.definition();
            let lang = match language {
                None => def.default_language().clone(),
                Some(code) => def.require_language(code)?.clone(),
            };
            let sample = print::sample_receipt(def, &mut rand::rngs::OsRng);
            let pdf = print::receipt_slip(def, &lang, &sample, SlipKind::Sample)?;
            (
                "sample receipt",
                json!({}),
                deliver(&station, target, "votekiosk sample receipt", &pdf)?,
            )
        }
        PrintCommand::Codes {
            count,
            roll,
            by,
            target,
        } => {
            let official = login(&mut station, by)?;
            // Refuse a bad target before any code exists.
            if let Some(out) = &target.out {
                if out.exists() {
                    return Err(Error::FileExists(out.display().to_string()));
                }
            }
            if let Some(queue) = &target.printer {
                print::LpPrinter::new(queue)?;
            }
            let batch = station.issue_codes(&official, *count)?;
            let layout = if *roll {
                CodeSlipLayout::Roll
            } else {
                CodeSlipLayout::A4
            };
            let pdf = print::code_slips(station.definition(), &batch, layout)?;
            let job = "votekiosk voter codes";
            let delivered = match deliver(&station, target, job, &pdf) {
                Ok(d) => d,
                Err(e) => {
                    // The codes exist only in this PDF now: keep it rather than lose the batch.
                    let folder = votekiosk::print::FolderPrinter::new(&station.print_folder());
                    if let Ok(saved) = votekiosk::print::Printer::print(&folder, job, &pdf) {
                        eprintln!(
                            "The slips of batch {} were {saved} instead (the file holds voter codes: print it, then delete it).",
                            batch.batch
                        );
                    }
                    return Err(e);
                }
            };
            (
                "voter codes",
                json!({ "batch": batch.batch, "test": batch.test, "count": batch.codes.len() }),
                delivered,
            )
        }
        PrintCommand::ZeroReport { target } => {
            let pdf = station.zero_report(chrono::Utc::now())?.to_pdf()?;
            (
                "zero report",
                json!({}),
                deliver(&station, target, "votekiosk zero report", &pdf)?,
            )
        }
        PrintCommand::ResultsReport { target } => {
            let pdf = station.results_report(chrono::Utc::now())?.to_pdf()?;
            (
                "results report",
                json!({}),
                deliver(&station, target, "votekiosk results report", &pdf)?,
            )
        }
        PrintCommand::Printer { set, clear, official } => {
            if set.is_some() || *clear {
                let name = official.clone().unwrap_or_default();
                let who = login(&mut station, &OfficialArg { official: name })?;
                station.set_printer(&who, set.as_deref())?;
            }
            let queue = station.printer_queue()?;
            let folder = station.print_folder();
            print(
                j,
                json!({ "printer": queue, "folder": if queue.is_none() { Some(folder.display().to_string()) } else { None } }),
                || match &queue {
                    Some(q) => format!("Documents print on CUPS queue {q}."),
                    None => format!("No printer: documents are saved in {}.", folder.display()),
                },
            );
            return Ok(());
        }
    };
    value["document"] = json!(document);
    if let (Some(obj), Some(more)) = (value.as_object_mut(), extra.as_object()) {
        for (k, v) in more {
            obj.insert(k.clone(), v.clone());
        }
    }
    let sentence = match document {
        "voter codes" => format!(
            "Issued {} {}codes (batch {}); their slips were {said}.",
            extra["count"],
            if extra["test"] == true { "test " } else { "" },
            extra["batch"]
        ),
        _ => {
            let mut d = document.to_string();
            if let Some(first) = d.get_mut(..1) {
                first.make_ascii_uppercase();
            }
            format!("{d} {said}.")
        }
    };
    print(j, value, || sentence);
    Ok(())
}
