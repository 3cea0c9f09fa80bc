//! `votekiosk --version`: which software this is (VVSG 2.0 software
//! identification). The same `software` a signed result records: the
//! version, the source commit (`unknown` for a build outside git, see
//! scripts/release-env) and the SHA-256 of the running executable, which
//! an official compares with `sha256sum` of the installed file and with
//! the published hashes (docs/deployment.md).

use serde::Serialize;

use crate::output::Out;

#[derive(Serialize)]
struct Version {
    #[serde(flatten)]
    software: votekiosk::export::format::Software,
    /// Where the hashed executable is.
    path: String,
}

pub fn print(out: Out) {
    let software = votekiosk::export::software();
    let path = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let version = Version { software, path };
    out.emit(&version, || {
        let s = &version.software;
        format!(
            "{} {}\ncommit: {}\nbinary SHA-256: {}\nbinary: {}\ntarget: {}",
            s.name, s.version, s.commit, s.binary_sha256, version.path, s.target
        )
    });
}
