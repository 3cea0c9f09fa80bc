//! Secrets and voter codes, never from argv: the election passphrase and
//! passwords come from a file, the environment or a hidden prompt; a voter
//! code from a file, standard input or a hidden prompt. What is read is
//! wiped from memory when dropped.

use std::fs;
use std::io::{BufRead, IsTerminal};
use std::path::Path;

use zeroize::Zeroizing;

use votekiosk::{Error, Result};

pub const ENV_STATION: &str = "VOTEKIOSK_STATION";
pub const ENV_PASSPHRASE: &str = "VOTEKIOSK_PASSPHRASE";
pub const ENV_OFFICIAL_PASSWORD: &str = "VOTEKIOSK_OFFICIAL_PASSWORD";
pub const ENV_NEW_PASSWORD: &str = "VOTEKIOSK_NEW_PASSWORD";

/// Reads a secret from a file (first line), the environment, or a prompt.
pub fn secret(env: &str, file: Option<&Path>, prompt: &str) -> Result<Zeroizing<String>> {
    if let Some(path) = file {
        return first_line_of_file(path);
    }
    if let Ok(v) = std::env::var(env) {
        return Ok(Zeroizing::new(v));
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::InvalidInput(format!(
            "{prompt}: no terminal to ask on; set {env}"
        )));
    }
    ask(prompt)
}

/// A new secret: from the environment/file, or typed twice.
pub fn new_secret(env: &str, file: Option<&Path>, prompt: &str) -> Result<Zeroizing<String>> {
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

/// What is said when a voter code is given on the command line.
pub const CODE_ON_ARGV: &str = "a voter code is never taken from the command line (it would stay in the \
     shell's history and the process list): type it at the prompt, pipe it on standard input, \
     or give --code-file FILE";

/// Refuses a voter code given on the command line (without repeating it).
pub fn refuse_code_on_argv(on_argv: Option<&str>) -> Result<()> {
    match on_argv {
        Some(_) => Err(Error::InvalidInput(CODE_ON_ARGV.into())),
        None => Ok(()),
    }
}

/// Reads a voter code: from `file` (first line; `-` is standard input),
/// else from standard input when it is not a terminal, else from a prompt.
pub fn voter_code(file: Option<&Path>) -> Result<Zeroizing<String>> {
    let code = match file {
        Some(path) if path != Path::new("-") => first_line_of_file(path)?,
        _ if file.is_some() || !std::io::stdin().is_terminal() => first_line_of_stdin()?,
        _ => ask("Voter code")?,
    };
    if code.trim().is_empty() {
        return Err(Error::InvalidInput(
            "no voter code was given (prompt, standard input or --code-file FILE)".into(),
        ));
    }
    Ok(code)
}

fn ask(prompt: &str) -> Result<Zeroizing<String>> {
    rpassword::prompt_password(format!("{prompt}: "))
        .map(Zeroizing::new)
        .map_err(|e| Error::InvalidInput(format!("cannot read {prompt}: {e}")))
}

fn first_line_of_file(path: &Path) -> Result<Zeroizing<String>> {
    let text = Zeroizing::new(fs::read_to_string(path).map_err(|e| io_error(path, e))?);
    let line = text.lines().next().unwrap_or("");
    Ok(Zeroizing::new(line.to_string()))
}

fn first_line_of_stdin() -> Result<Zeroizing<String>> {
    let mut line = Zeroizing::new(String::new());
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::InvalidInput(format!("cannot read standard input: {e}")))?;
    let trimmed = line.trim_end_matches(['\r', '\n']);
    Ok(Zeroizing::new(trimmed.to_string()))
}

pub fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        source,
    }
}
