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
        #[arg(long, value_name = "FILE", requires = "deck")]
        receipts_out: Option<PathBuf>,
    },
    /// Mode and turnout (always visible).
    Status,
    /// Counts per contest (visible after close, in test mode, or when results are live).
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
    /// Create a demo election file (published passphrase) and show what to try next.
    Demo,
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

#[derive(Subcommand)]
enum ReceiptCommand {
    /// Is this receipt (id, QR text or verification URL) recorded in this station?
    Check { receipt: String },
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    match run(cli) {
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
            });
            print(j, value, || {
                format!(
                    "{}\nStation {}  mode {}{}\nDefinition {}\nCodes issued {}  used {}  revoked {}  unused {}\nBallots cast {}{}",
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
            let counts = station.counts()?;
            let mode = station.mode()?;
            let test = mode == votekiosk::Mode::Test;
            let value = json!({
                "mode": mode.as_str(),
                "test": test,
                "contests": counts.iter().map(|c| json!({
                    "id": c.contest, "kind": c.kind, "blank": c.blank,
                    "marks": c.marks.iter().map(|(k, n)| json!({ "choice": k, "count": n })).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            });
            print(j, value, || {
                let mut out = String::new();
                if test {
                    out.push_str("TEST BALLOTS ONLY\n");
                }
                for c in &counts {
                    let label = if c.kind == "ranked" {
                        " (first choices)"
                    } else {
                        ""
                    };
                    out.push_str(&format!("{} [{}]{label}\n", c.contest, c.kind));
                    for (k, n) in &c.marks {
                        out.push_str(&format!("  {k:<30} {n:>8}\n"));
                    }
                    out.push_str(&format!("  {:<30} {:>8}\n", "(blank)", c.blank));
                }
                out.trim_end().to_string()
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
                return Err(Error::InvalidInput("receipt not found".into()));
            }
        }
        Command::Demo => demo_command(&cli)?,
    }
    Ok(())
}

fn request_key() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// Writes a new file readable by its owner only; never overwrites.
fn write_private(path: &Path, text: &str) -> Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| io_error(path, e))?;
    file.write_all(text.as_bytes()).map_err(|e| io_error(path, e))?;
    file.sync_all().map_err(|e| io_error(path, e))
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
