//! `demo`: creates the demo election file (published passphrase) and says
//! what to try next; `demo --definition-out FILE` writes only the demo's
//! definition, its voting window around now, for `init`.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use votekiosk::station::Options;
use votekiosk::{demo, Error, Result};

use super::{refuse_existing, Ctx};
use crate::output::Outcome;
use crate::secrets::io_error;

#[derive(Serialize)]
struct DemoStation<'a> {
    station: String,
    created: bool,
    passphrase: &'a str,
    admin: &'a str,
    admin_password: &'a str,
}

#[derive(Serialize)]
struct DemoDefinition {
    definition: String,
    opens: String,
    closes: String,
}

pub fn station(ctx: &Ctx) -> Result<Outcome> {
    let path = match ctx.station {
        Some(p) => p.to_path_buf(),
        None => demo::default_path()
            .ok_or_else(|| Error::InvalidInput("no home folder: pass --station PATH".into()))?,
    };
    let created = demo::ensure(&path, Options::default())?;
    let out = DemoStation {
        station: path.display().to_string(),
        created,
        passphrase: demo::PASSPHRASE,
        admin: demo::ADMIN,
        admin_password: demo::ADMIN_PASSWORD,
    };
    ctx.out.emit(&out, || {
        format!(
            "{} demo election at {p}\n\
             Demo credentials (published; never use them for a real election):\n  \
             election passphrase: {pass}\n  admin: {admin} / {pw}\n\n\
             Try next:\n  \
             export VOTEKIOSK_STATION='{p}' VOTEKIOSK_PASSPHRASE='{pass}' VOTEKIOSK_OFFICIAL_PASSWORD='{pw}'\n  \
             votekiosk status\n  \
             votekiosk polls open --official {admin}\n  \
             votekiosk codes issue --count 3 --official {admin} > codes.txt\n  \
             head -n 1 codes.txt | votekiosk cast --choice mayor=alvarez --choice council=diaz,gupta \\\n      \
             --choice library-bond=yes --choice parks-board=hill,jones --choice school-board=lopez,kim\n  \
             votekiosk receipt check <RECEIPT>\n  \
             votekiosk polls close --official {admin}\n  \
             votekiosk tally\n  \
             votekiosk audit verify",
            if created { "Created the" } else { "Using the existing" },
            p = out.station,
            pass = out.passphrase,
            admin = out.admin,
            pw = out.admin_password,
        )
    });
    Ok(Outcome::Done)
}

pub fn definition(ctx: &Ctx, out: &Path) -> Result<Outcome> {
    refuse_existing(out)?;
    let now = chrono::Utc::now();
    let json = demo::definition_json(now)?;
    let parsed = demo::definition(now)?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(out)
        .map_err(|e| io_error(out, e))?;
    file.write_all(format!("{json}\n").as_bytes())
        .map_err(|e| io_error(out, e))?;
    let written = DemoDefinition {
        definition: out.display().to_string(),
        opens: parsed.opens.to_rfc3339(),
        closes: parsed.closes.to_rfc3339(),
    };
    ctx.out.emit(&written, || {
        format!(
            "Wrote the demo election's definition into {}: voting window {} to {}.",
            written.definition, written.opens, written.closes
        )
    });
    Ok(Outcome::Done)
}
