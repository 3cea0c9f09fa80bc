//! Contracts between files that no compiler checks, each kept by a test:
//!
//! - every Tauri command is registered in `src/lib.rs`'s handler list,
//!   listed in `build.rs`, granted in `capabilities/kiosk.json` and called
//!   from `ui/js/api.js`, and nowhere else;
//! - every command is either one anyone at the kiosk may call (the
//!   voter's, start-up, login) and never reaches an official, or a
//!   privileged one that takes the session token and has the core check it;
//! - every UI string table has exactly the English table's keys;
//!   plural strings name CLDR forms and always `other`;
//! - the README shows only pictures in `docs/images/`, and every picture
//!   there is shown (they are written by `scripts/screenshots`).
//!
//! The files are read as text: these tests need no window and no build of
//! the UI.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the repository holds src-tauri")
        .to_path_buf()
}

fn read(path: &str) -> String {
    fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

/// The text between `start` (exclusive) and the next `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str, what: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("{what}: no {start:?}")) + start.len();
    let len = text[from..]
        .find(end)
        .unwrap_or_else(|| panic!("{what}: no {end:?} after {start:?}"));
    &text[from..from + len]
}

/// Every `'…'` or `"…"` literal that directly follows `prefix`.
fn quoted_after(text: &str, prefix: &str) -> Vec<String> {
    text.match_indices(prefix)
        .filter_map(|(at, _)| {
            let rest = &text[at + prefix.len()..];
            let quote = rest.chars().next().filter(|c| *c == '\'' || *c == '"')?;
            let body = &rest[1..];
            Some(body[..body.find(quote)?].to_string())
        })
        .collect()
}

/// Names, each once; a repeated name fails the test.
fn unique(names: Vec<String>, what: &str) -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    for name in names {
        assert!(set.insert(name.clone()), "{what} lists {name} twice");
    }
    assert!(
        !set.is_empty(),
        "{what} lists no command: has its format changed?"
    );
    set
}

fn handler_list() -> BTreeSet<String> {
    let lib = read("src-tauri/src/lib.rs");
    let list = between(&lib, "generate_handler![", "]", "src-tauri/src/lib.rs");
    unique(
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|path| path.rsplit("::").next().unwrap_or(path).to_string())
            .collect(),
        "the handler list in src-tauri/src/lib.rs",
    )
}

fn build_manifest() -> BTreeSet<String> {
    let build = read("src-tauri/build.rs");
    let list = between(&build, "const COMMANDS: &[&str] = &[", "];", "src-tauri/build.rs");
    unique(
        list.split(',')
            .map(|s| s.trim().trim_matches('"').to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        "src-tauri/build.rs",
    )
}

/// The app commands a capability file grants (`allow-<command>`).
fn granted(path: &str) -> Vec<String> {
    let json: serde_json::Value = serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    json["permissions"]
        .as_array()
        .unwrap_or_else(|| panic!("{path} has no permissions list"))
        .iter()
        .filter_map(|p| p.as_str())
        .filter_map(|p| p.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect()
}

fn api_calls() -> BTreeSet<String> {
    unique(quoted_after(&read("ui/js/api.js"), "call("), "ui/js/api.js")
}

/// Every `#[tauri::command]` function in `src-tauri/src/`.
fn defined_commands() -> BTreeSet<String> {
    let mut names = Vec::new();
    for path in rust_files(&repo().join("src-tauri/src")) {
        let text = fs::read_to_string(&path).expect("read");
        for (at, _) in text.match_indices("#[tauri::command]") {
            let rest = &text[at..];
            let name = between(rest, "fn ", "(", &path.display().to_string());
            names.push(name.trim().to_string());
        }
    }
    unique(names, "the #[tauri::command] functions")
}

fn files_under(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            out.extend(files_under(&path, ext));
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    files_under(dir, "rs")
}

#[test]
fn every_command_is_registered_listed_granted_and_called() {
    let defined = defined_commands();
    let handlers = handler_list();
    let manifest = build_manifest();
    let grants = unique(granted("src-tauri/capabilities/kiosk.json"), "kiosk.json");
    let calls = api_calls();
    for (what, set) in [
        ("the handler list in src-tauri/src/lib.rs", &handlers),
        ("the ACL manifest in src-tauri/build.rs", &manifest),
        ("the grants in src-tauri/capabilities/kiosk.json", &grants),
        ("the calls in ui/js/api.js", &calls),
    ] {
        let missing: Vec<_> = defined.difference(set).collect();
        let extra: Vec<_> = set.difference(&defined).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{what}, against the #[tauri::command] functions: missing {missing:?}, not a command {extra:?}"
        );
    }
}

#[test]
fn commands_are_granted_and_called_nowhere_else() {
    // No other capability grants an app command (kiosk.json is the one).
    for path in files_under(&repo().join("src-tauri/capabilities"), "json") {
        let rel = path.strip_prefix(repo()).expect("in repo").display().to_string();
        if rel != "src-tauri/capabilities/kiosk.json" {
            assert!(
                granted(&rel).is_empty(),
                "{rel} grants app commands: grant them in kiosk.json only"
            );
        }
    }
    // Only api.js reaches the shell.
    for path in files_under(&repo().join("ui"), "js") {
        let rel = path.strip_prefix(repo()).expect("in repo").display().to_string();
        if rel == "ui/js/api.js" {
            continue;
        }
        let text = fs::read_to_string(&path).expect("read");
        for needle in ["__TAURI__", "invoke(", "__TAURI_INTERNALS__"] {
            assert!(
                !text.contains(needle),
                "{rel} uses {needle}: only ui/js/api.js may call the shell"
            );
        }
    }
    // One handler list.
    for path in rust_files(&repo().join("src-tauri/src")) {
        let text = fs::read_to_string(&path).expect("read");
        if !path.ends_with("src/lib.rs") {
            assert!(
                !text.contains("generate_handler!"),
                "{} registers commands: register them in src/lib.rs only",
                path.display()
            );
        }
    }
}

/// The commands anyone at the kiosk may call, a voter included: they take
/// no session token and never reach an official. Every other command is
/// privileged.
const PUBLIC: &[&str] = &[
    "app_info",
    "create_election",
    "unlock_station",
    "voter_context",
    "check_code",
    "cast_ballot",
    // The voter's ballot card: print it, or spoil it when it is wrong.
    "print_card",
    "spoil_card",
    "check_receipt",
    "login",
    // Ending the session grants nothing; voter mode starts with it.
    "logout",
    // Mode and turnout: the core shows them to anyone.
    "station_status",
];

/// Every `#[tauri::command]` as (name, parameters, body).
fn command_sources() -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for path in rust_files(&repo().join("src-tauri/src")) {
        let text = fs::read_to_string(&path).expect("read");
        let what = path.display().to_string();
        for (at, _) in text.match_indices("#[tauri::command]") {
            let rest = &text[at..];
            let name = between(rest, "fn ", "(", &what).trim().to_string();
            let params = between(rest, "(", ") ->", &what).to_string();
            let body = between(rest, ") ->", "\n}\n", &what).to_string();
            out.push((name, params, body));
        }
    }
    out
}

#[test]
fn every_privileged_command_takes_a_session_and_no_voter_command_gets_an_official() {
    let commands = command_sources();
    let defined: BTreeSet<&str> = commands.iter().map(|(n, _, _)| n.as_str()).collect();
    for name in PUBLIC {
        assert!(
            defined.contains(name),
            "PUBLIC lists {name}, which is not a command"
        );
    }
    for (name, params, body) in &commands {
        if PUBLIC.contains(&name.as_str()) {
            assert!(
                !params.contains("token") && !body.contains(".official("),
                "{name} is a public command (a voter may call it) but reaches an official session"
            );
        } else {
            assert!(
                params.contains("token: String") && body.contains(".official(&token)"),
                "{name} is privileged but does not take the session token and check it \
                 (`inner.official(&token)?`); if anyone may call it, add it to PUBLIC"
            );
        }
    }
}

/// The keys of a string table (`export default { key: '…', … };`).
fn string_keys(path: &Path) -> Vec<String> {
    let text = fs::read_to_string(path).expect("read");
    let body = between(&text, "export default {", "\n};", &path.display().to_string());
    body.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .map(|l| {
            let key: String = l
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            assert!(
                !key.is_empty() && l[key.len()..].starts_with(':'),
                "{}: not a `key: 'text',` line: {l:?}",
                path.display()
            );
            key
        })
        .collect()
}

#[test]
fn every_string_table_has_exactly_the_english_keys() {
    let dir = repo().join("ui/js/strings");
    let english = {
        let keys = string_keys(&dir.join("en.js"));
        unique(keys, "ui/js/strings/en.js")
    };
    let i18n = read("ui/js/i18n.js");
    let tables = files_under(&dir, "js");
    assert!(tables.len() >= 2, "no translation found in {}", dir.display());
    for path in tables {
        let name = path.file_name().expect("name").to_string_lossy().to_string();
        let keys = unique(string_keys(&path), &name);
        let missing: Vec<_> = english.difference(&keys).collect();
        let extra: Vec<_> = keys.difference(&english).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "ui/js/strings/{name}: missing {missing:?}, not in en.js {extra:?}"
        );
        assert!(
            i18n.contains(&format!("from './strings/{name}'")),
            "ui/js/i18n.js does not import strings/{name}"
        );
    }
}

#[test]
fn the_readme_shows_every_picture_in_docs_images_and_no_other() {
    let readme = read("README.md");
    let shown: BTreeSet<String> = readme
        .match_indices("(docs/images/")
        .map(|(at, _)| {
            let rest = &readme[at + "(docs/images/".len()..];
            rest[..rest.find(')').expect("closing parenthesis")].to_string()
        })
        .collect();
    let present: BTreeSet<String> = fs::read_dir(repo().join("docs/images"))
        .expect("docs/images")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .collect();
    let missing: Vec<_> = shown.difference(&present).collect();
    let unused: Vec<_> = present.difference(&shown).collect();
    assert!(
        missing.is_empty(),
        "the README shows pictures that do not exist: {missing:?}"
    );
    assert!(
        unused.is_empty(),
        "docs/images holds pictures the README does not show (scripts/screenshots writes only those it shows): {unused:?}"
    );
}

/// A string that depends on a count is written once per CLDR plural form
/// (`key: { one: '…', other: '…' },`, chosen by `Intl.PluralRules` in
/// `ui/js/i18n.js`): each names only CLDR's categories and always has
/// `other`, which every language's rules can select.
#[test]
fn plural_strings_name_cldr_forms_and_always_other() {
    const CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];
    let dir = repo().join("ui/js/strings");
    let mut plurals = 0;
    for path in files_under(&dir, "js") {
        let text = fs::read_to_string(&path).expect("read");
        let body = between(&text, "export default {", "\n};", &path.display().to_string());
        for line in body.lines().map(str::trim) {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            if !value.starts_with('{') {
                continue;
            }
            plurals += 1;
            let forms: Vec<&str> = value
                .trim_end_matches(',')
                .trim_start_matches('{')
                .trim_end_matches('}')
                .split("',")
                .filter_map(|part| part.split_once(':').map(|(k, _)| k.trim()))
                .filter(|k| !k.is_empty())
                .collect();
            for form in &forms {
                assert!(
                    CATEGORIES.contains(form),
                    "{}: {key} has the form {form:?}, not a CLDR plural category",
                    path.display()
                );
            }
            assert!(
                forms.contains(&"other"),
                "{}: {key} has no `other` form: {forms:?}",
                path.display()
            );
        }
    }
    assert!(
        plurals > 0,
        "no plural string found: has the tables' format changed?"
    );
}
