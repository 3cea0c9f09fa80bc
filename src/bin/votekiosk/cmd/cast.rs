//! `cast`: one ballot, its voter code read from a file, standard input or
//! a prompt (never argv), or a JSON-lines test deck cast under one unlock
//! of the file, with one answer per line.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use serde::Serialize;
use zeroize::{Zeroize, Zeroizing};

use votekiosk::ballot::{parse_choice_args, SelectionsInput};
use votekiosk::CastReceipt;
use votekiosk::{Error, Result};

use super::{request_key, Ctx};
use crate::args::CodeArg;
use crate::output::{ErrorBody, Outcome};
use crate::secrets::{io_error, refuse_code_on_argv, voter_code};

#[derive(Serialize)]
struct Cast<'a> {
    receipt: &'a str,
    payload: &'a str,
    test: bool,
}

impl<'a> From<&'a CastReceipt> for Cast<'a> {
    fn from(r: &'a CastReceipt) -> Self {
        Cast {
            receipt: r.receipt.as_str(),
            payload: &r.payload,
            test: r.test,
        }
    }
}

/// One deck line's answer: its receipt, or why it was refused.
#[derive(Serialize)]
struct DeckAnswer<'a> {
    line: usize,
    #[serde(flatten)]
    answer: DeckResult<'a>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum DeckResult<'a> {
    Cast(Cast<'a>),
    Refused { error: ErrorBody },
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DeckLine {
    code: String,
    selections: SelectionsInput,
    #[serde(default)]
    key: Option<String>,
}

impl Drop for DeckLine {
    fn drop(&mut self) {
        self.code.zeroize();
    }
}

pub fn one(ctx: &Ctx, code: &CodeArg, choices: &[String]) -> Result<Outcome> {
    // Refuse a code on argv, and bad choices, before asking for anything.
    refuse_code_on_argv(code.code.as_deref())?;
    let selections = parse_choice_args(choices)?;
    let mut station = ctx.open()?;
    let code = voter_code(code.code_file.as_deref())?;
    let receipt = cast_with_card(&mut station, &code, &selections, &request_key())?;
    ctx.out.emit(&Cast::from(&receipt), || {
        format!(
            "Ballot cast{}. Receipt: {}\nQR payload: {}",
            if receipt.test { " (TEST)" } else { "" },
            receipt.receipt,
            receipt.payload
        )
    });
    Ok(Outcome::Done)
}

/// Casts one ballot. With ballot cards, the card is recorded as printed
/// first (the command line prints no card: it casts test decks and
/// maintenance ballots; the kiosk prints the voter's card), so that the
/// counts stay whole: printed = cast + spoiled. A code already used goes
/// on to the cast, which answers a repeated request with its receipt.
fn cast_with_card(
    station: &mut votekiosk::Station,
    code: &str,
    selections: &SelectionsInput,
    key: &str,
) -> Result<CastReceipt> {
    if station.cards_enabled() {
        match station.print_card(code, selections) {
            Ok(_) | Err(Error::CodeUsed) => {}
            Err(e) => return Err(e),
        }
    }
    station.cast_ballot(code, selections, key)
}

/// Casts every line of a test deck under one unlock; reports each line.
pub fn deck(ctx: &Ctx, deck: &Path, out: Option<&Path>) -> Result<Outcome> {
    let mut station = ctx.open()?;
    let lines = count_lines(deck)?;
    let bar = ctx.out.progress(lines, "deck lines cast");
    let file = fs::File::open(deck).map_err(|e| io_error(deck, e))?;
    let mut text = String::new();
    let (mut cast, mut failed) = (0u64, 0u64);
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let n = i + 1;
        bar.inc(1);
        let line = Zeroizing::new(line.map_err(|e| io_error(deck, e))?);
        if line.trim().is_empty() {
            continue;
        }
        let result = serde_json::from_str::<DeckLine>(&line)
            .map_err(|e| Error::InvalidInput(format!("line {n}: {e}")))
            .and_then(|d| {
                let key = d.key.clone().unwrap_or_else(request_key);
                cast_with_card(&mut station, &d.code, &d.selections, &key)
            });
        let answer = match &result {
            Ok(receipt) => {
                cast += 1;
                DeckResult::Cast(receipt.into())
            }
            Err(e) => {
                failed += 1;
                bar.suspend(|| eprintln!("line {n}: {e}"));
                DeckResult::Refused { error: e.into() }
            }
        };
        let answer = DeckAnswer { line: n, answer };
        let json = crate::output::sorted_json(&answer).map_err(|e| Error::InvalidInput(e.to_string()))?;
        text.push_str(&json);
        text.push('\n');
    }
    bar.finish_and_clear();
    match out {
        Some(path) => votekiosk::files::write_private(path, text.as_bytes())?,
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
    Ok(Outcome::Done)
}

/// The deck's number of lines, for the progress bar: newlines counted
/// through one fixed buffer, wiped afterwards (the deck holds voter codes;
/// no copy of its lines is kept).
fn count_lines(deck: &Path) -> Result<u64> {
    use std::io::Read;
    let mut file = fs::File::open(deck).map_err(|e| io_error(deck, e))?;
    let mut buf = Zeroizing::new([0u8; 8192]);
    let (mut lines, mut last) = (0u64, b'\n');
    loop {
        let n = file.read(&mut buf[..]).map_err(|e| io_error(deck, e))?;
        if n == 0 {
            break;
        }
        lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        last = buf[n - 1];
    }
    // A last line without its newline is a line too.
    Ok(lines + u64::from(last != b'\n'))
}
