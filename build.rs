//! Build script: names the target triple and the commit (from
//! `VOTEKIOSK_COMMIT`, when set) that a result file's `software` records.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=VOTEKIOSK_COMMIT");
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".into());
    println!("cargo:rustc-env=VOTEKIOSK_TARGET={target}");
}
