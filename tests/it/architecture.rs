//! The layering of `src/` written in ARCHITECTURE.md ("Layers") holds:
//! every module of the library imports only modules of lower layers, so
//! there is no cycle, and `print` (say) never reaches up to the station.
//! The table is read from ARCHITECTURE.md itself, so the document and the
//! check cannot drift apart; a module missing from the table fails too.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Module name → layer, from the rows `| N | `a`, `b` | ... |` of the
/// "## Layers" section of ARCHITECTURE.md.
fn layers() -> BTreeMap<String, u32> {
    let text = fs::read_to_string(root().join("ARCHITECTURE.md")).expect("read ARCHITECTURE.md");
    let section = text
        .split("\n## ")
        .find(|s| s.starts_with("Layers"))
        .expect("ARCHITECTURE.md has a \"## Layers\" section");
    let mut layers = BTreeMap::new();
    for line in section.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // "", layer, modules, ...
        let Some(layer) = cells.get(1).and_then(|c| c.parse::<u32>().ok()) else {
            continue;
        };
        for module in cells[2].split(',') {
            let module = module.trim().trim_matches('`');
            assert!(!module.is_empty(), "empty module name in {line:?}");
            let before = layers.insert(module.to_string(), layer);
            assert!(before.is_none(), "{module} is listed twice in the layer table");
        }
    }
    assert!(!layers.is_empty(), "the layer table has no rows");
    layers
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file: `src/print/reports/mod.rs` → [print, reports].
fn module_path(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The crate-level module each `crate::x` or root-reaching `super::x`
/// path on this line names (comments skipped).
fn imports(line: &str, module: &[String]) -> Vec<String> {
    let code = line.trim_start();
    if code.starts_with("//") {
        return Vec::new();
    }
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut found = Vec::new();
    for (i, _) in code.match_indices("crate::") {
        let before = code[..i].chars().last();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue; // e.g. `$crate::`, `mycrate::`
        }
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a, b::{c, d}}`: the first segment of each top-level
            // item (commas inside a nested group belong to that item).
            let mut depth = 0;
            let mut item_start = 0;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        found.push(ident(group[item_start..j].trim()));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        found.push(ident(group[item_start..j].trim()));
                        item_start = j + 1;
                    }
                    _ => {}
                }
            }
        } else {
            found.push(ident(rest));
        }
    }
    for (i, _) in code.match_indices("super::") {
        if i >= 2 && &code[i - 2..i] == "::" {
            continue; // counted from the first `super::` of the chain
        }
        let mut rest = &code[i..];
        let mut depth = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            depth += 1;
            rest = r;
        }
        if depth == module.len() {
            found.push(ident(rest));
        }
    }
    found.retain(|m| !m.is_empty());
    found
}

/// The lines of a source file with each `use` declaration joined onto
/// one line (rustfmt spreads long groups over several), numbered from 1
/// at the line the declaration starts on.
fn statements(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for (n, line) in text.lines().enumerate() {
        if let Some((start, mut joined)) = open.take() {
            joined.push(' ');
            joined.push_str(line.trim());
            if line.contains(';') {
                out.push((start, joined));
            } else {
                open = Some((start, joined));
            }
            continue;
        }
        let code = line.trim_start();
        let is_use = ["use ", "pub use ", "pub(crate) use ", "pub(super) use "]
            .iter()
            .any(|p| code.starts_with(p));
        if is_use && !line.contains(';') {
            open = Some((n, line.trim().to_string()));
        } else {
            out.push((n, line.to_string()));
        }
    }
    out.extend(open);
    out
}

/// Name → module for every item `lib.rs` re-exports at the crate root
/// (`pub use station::{Station, ...};`).
fn root_reexports() -> BTreeMap<String, String> {
    let lib = fs::read_to_string(root().join("src/lib.rs")).expect("read lib.rs");
    let mut map = BTreeMap::new();
    for (_, line) in statements(&lib) {
        let Some(rest) = line.trim().strip_prefix("pub use ") else {
            continue;
        };
        let rest = rest.trim_end_matches(';');
        let Some((module, names)) = rest.split_once("::") else {
            continue;
        };
        let names = names.trim().trim_start_matches('{').trim_end_matches('}');
        for name in names.split(',') {
            // `a::B` re-exports B (from inside `module`), `B as C` names C.
            let name = name.trim().rsplit("::").next().unwrap_or("");
            let name = name.rsplit(" as ").next().unwrap_or("").trim();
            if !name.is_empty() {
                map.insert(name.to_string(), module.trim().to_string());
            }
        }
    }
    assert!(
        map.get("Station").is_some_and(|m| m == "station"),
        "lib.rs re-exports Station from station: {map:?}"
    );
    map
}

#[test]
fn no_module_imports_one_above_it() {
    let layers = layers();
    let reexports = root_reexports();
    let src = root().join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    let mut problems = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).expect("under src");
        // The binaries sit above everything; lib.rs only declares and re-exports.
        if relative.starts_with("bin") || relative == Path::new("lib.rs") {
            continue;
        }
        let module = module_path(relative);
        let top = &module[0];
        let Some(&own) = layers.get(top) else {
            problems.push(format!(
                "src/{}: module `{top}` is not in ARCHITECTURE.md's layer table",
                relative.display()
            ));
            continue;
        };
        let text = fs::read_to_string(file).expect("read source");
        for (n, line) in statements(&text) {
            for used in imports(&line, &module) {
                // A name the crate root re-exports (`crate::Station`) is
                // an import of the module it comes from.
                let used = reexports.get(&used).cloned().unwrap_or(used);
                if &used == top {
                    continue;
                }
                // Anything else that is not a module of the crate (a
                // macro, say) is not a layering question.
                let Some(&theirs) = layers.get(&used) else {
                    continue;
                };
                if theirs >= own {
                    problems.push(format!(
                        "src/{}:{}: `{top}` (layer {own}) imports `{used}` (layer {theirs}): {}",
                        relative.display(),
                        n + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "imports against ARCHITECTURE.md's layers (a module may use only lower layers):\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_import_scanner_sees_every_form() {
    let at = |m: &[&str]| m.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        imports("use crate::station::Station;", &at(&["print"])),
        ["station"]
    );
    assert_eq!(
        imports("use crate::{codes::IssuedBatch, receipt};", &at(&["print"])),
        ["codes", "receipt"]
    );
    assert_eq!(
        imports("    let s = crate::export::software();", &at(&["station"])),
        ["export"]
    );
    assert_eq!(
        imports("use super::super::store::x;", &at(&["print", "pdf"])),
        ["store"]
    );
    assert!(imports("use super::pdf::Sheet;", &at(&["print", "qr"])).is_empty());
    assert_eq!(
        imports("use super::definition;", &at(&["ballot"])),
        ["definition"]
    );
    assert!(imports("// see crate::station", &at(&["print"])).is_empty());
    assert_eq!(imports("use crate::{a::{b, c}, d};", &at(&["print"])), ["a", "d"]);
    let joined = statements("use crate::{\n    codes::IssuedBatch,\n    station::Station,\n};\nfn f() {}");
    assert_eq!(joined[0].0, 0);
    assert_eq!(imports(&joined[0].1, &at(&["print"])), ["codes", "station"]);
    assert_eq!(joined[1].1, "fn f() {}");
}
