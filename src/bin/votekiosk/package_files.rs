//! `votekiosk package-files --out DIR` (hidden): the man pages and shell
//! completions the office tools' package installs, made from the command
//! line's own clap definition so they never drift from `--help`. One man
//! page per command and subcommand (`votekiosk-codes-issue.1`); the hidden
//! commands get none.

use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;
use serde::Serialize;

use votekiosk::{Error, Result};

use crate::args::Cli;
use crate::cmd::{refuse_existing, Ctx};
use crate::output::Outcome;

#[derive(Serialize)]
struct Written {
    out: String,
    man_pages: Vec<String>,
    completions: Vec<String>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Writes `out/man/man1/*.1` and `out/completions/{bash,zsh,fish}/…` into
/// `out`, which must not exist yet.
pub fn write(ctx: &Ctx, out: &Path) -> Result<Outcome> {
    refuse_existing(out)?;
    let man = out.join("man").join("man1");
    std::fs::create_dir_all(&man).map_err(io(&man))?;
    clap_mangen::generate_to(documented(), &man).map_err(io(&man))?;
    let mut man_pages = file_names(&man)?;
    man_pages.sort();

    let mut completions = Vec::new();
    for (shell, dir) in [(Shell::Bash, "bash"), (Shell::Zsh, "zsh"), (Shell::Fish, "fish")] {
        let dir = out.join("completions").join(dir);
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let path =
            clap_complete::generate_to(shell, &mut documented(), "votekiosk", &dir).map_err(io(&dir))?;
        completions.push(path.display().to_string());
    }

    let written = Written {
        out: out.display().to_string(),
        man_pages,
        completions,
    };
    ctx.out.emit(&written, || {
        format!(
            "{} man pages in {}, completions for bash, zsh and fish in {}",
            written.man_pages.len(),
            man.display(),
            out.join("completions").display()
        )
    });
    Ok(Outcome::Done)
}

/// The command line as documented: `Cli` without its hidden commands
/// (clap_mangen leaves them out by itself, clap_complete does not).
fn documented() -> clap::Command {
    let full = Cli::command();
    let mut cmd = clap::Command::new("votekiosk")
        .version(env!("CARGO_PKG_VERSION"))
        .disable_version_flag(true)
        .args(full.get_arguments().cloned())
        .subcommands(full.get_subcommands().filter(|c| !c.is_hide_set()).cloned());
    if let Some(about) = full.get_about() {
        cmd = cmd.about(about.clone());
    }
    if let Some(after) = full.get_after_help() {
        cmd = cmd.after_help(after.clone());
    }
    cmd
}

fn file_names(dir: &Path) -> Result<Vec<String>> {
    let entries = std::fs::read_dir(dir).map_err(io(dir))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(io(dir))?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    Ok(names)
}
