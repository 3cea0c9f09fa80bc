//! The colour contrast of every theme in `ui/css/app.css`, computed the
//! way WCAG 2.1 defines it (relative luminance of sRGB colours), against
//! VVSG 2.0 7.1-C: at least 10:1 for everything that conveys information
//! (text, control borders, icons, focus indicators), in the default theme
//! and in every other theme.
//!
//! The stylesheet declares each theme's colours as custom properties in a
//! block headed `/* theme: NAME */`, and nowhere else; these tests read
//! the blocks, check that no rule names a colour of its own (so every
//! colour on screen is one of the themes'), that every theme declares the
//! same properties, and that every pair the screens draw reaches 10:1:
//! the pairs listed below (what each is) and every rule that sets both a
//! text colour and a background.

use std::collections::BTreeMap;
use std::path::Path;

/// VVSG 2.0 7.1-C: the least contrast of anything that conveys information.
const MIN_RATIO: f64 = 10.0;

/// The pairs the screens draw, as (foreground, background, what it is).
const PAIRS: &[(&str, &str, &str)] = &[
    ("fg", "bg", "text on the page"),
    ("fg", "card", "text on buttons, options, fields and panels"),
    ("muted", "bg", "help and progress text on the page"),
    ("muted", "card", "help text, parties and labels on cards"),
    ("fg", "chosen", "the name on a chosen option"),
    ("muted", "chosen", "the party on a chosen option"),
    (
        "accent-fg",
        "accent",
        "the top bar's text and tools, main buttons, the check mark of a chosen option",
    ),
    (
        "accent",
        "bg",
        "link text, and the border of a chosen option or main button on the page",
    ),
    ("accent", "card", "link text and the chosen border on a card"),
    (
        "accent",
        "chosen",
        "a chosen option's border against its own background",
    ),
    ("line", "bg", "control borders on the page"),
    ("line", "card", "control borders on cards and fields"),
    ("fg", "card", "the check box's border"),
    ("bad", "card", "error text and its side bar"),
    ("bad", "bg", "the danger button's border on the page"),
    ("good", "card", "a good result and its side bar"),
    ("bad-fg", "bad", "text on the danger button"),
    ("warn-fg", "warn-bg", "the test banner and test notes"),
    ("ink", "paper", "the receipt box (black on white, like the slip)"),
    ("focus", "bg", "the focus ring on the page"),
    ("focus", "card", "the focus ring inside a dialog or panel"),
    ("bar-focus", "accent", "the focus ring on the top bar"),
];

fn css() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/css/app.css");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// A theme's name and its `--name: value` declarations.
type Theme = (String, BTreeMap<String, String>);

/// Each theme, in order, and the stylesheet with the theme blocks taken out.
fn themes(css: &str) -> (Vec<Theme>, String) {
    let mut themes = Vec::new();
    let mut rest = String::new();
    let mut text = css;
    while let Some(at) = text.find("/* theme: ") {
        rest.push_str(&text[..at]);
        let after = &text[at + "/* theme: ".len()..];
        let name_end = after.find("*/").expect("theme comment closes");
        let name = after[..name_end].trim().to_string();
        let open = after.find('{').expect("theme block opens");
        let close = after[open..].find('}').expect("theme block closes") + open;
        let mut props = BTreeMap::new();
        for decl in after[open + 1..close].split(';') {
            let decl = decl.trim();
            if decl.is_empty() {
                continue;
            }
            let (k, v) = decl
                .split_once(':')
                .unwrap_or_else(|| panic!("theme {name}: {decl:?} is not a declaration"));
            let k = k.trim();
            assert!(
                k.starts_with("--"),
                "theme {name} declares {k}, not a custom property"
            );
            assert!(
                props.insert(k[2..].to_string(), v.trim().to_string()).is_none(),
                "theme {name} declares {k} twice"
            );
        }
        themes.push((name, props));
        text = &after[close + 1..];
    }
    rest.push_str(text);
    (themes, rest)
}

/// An sRGB colour `#rgb` or `#rrggbb`, as three channels in 0..=1.
fn rgb(value: &str) -> Option<[f64; 3]> {
    let hex = value.strip_prefix('#')?;
    let hex: String = match hex.len() {
        3 => hex.chars().flat_map(|c| [c, c]).collect(),
        6 => hex.to_string(),
        _ => return None,
    };
    let channel = |i: usize| {
        u8::from_str_radix(&hex[i..i + 2], 16)
            .ok()
            .map(|v| f64::from(v) / 255.0)
    };
    Some([channel(0)?, channel(2)?, channel(4)?])
}

/// WCAG 2.1 relative luminance.
fn luminance([r, g, b]: [f64; 3]) -> f64 {
    let lin = |c: f64| {
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

/// WCAG 2.1 contrast ratio, from 1 to 21.
fn ratio(a: [f64; 3], b: [f64; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The `var(--name)` a declaration `prop:` in `block` uses, if any.
fn var_of(block: &str, prop: &str) -> Option<String> {
    block.split(';').find_map(|decl| {
        let (k, v) = decl.split_once(':')?;
        (k.trim() == prop).then_some(())?;
        let v = v.trim();
        let inner = v.strip_prefix("var(--")?;
        Some(inner[..inner.find(')')?].to_string())
    })
}

#[test]
fn the_formula_is_wcags() {
    let black = rgb("#000").expect("black");
    let white = rgb("#ffffff").expect("white");
    assert!((ratio(black, white) - 21.0).abs() < 1e-9);
    assert!((ratio(white, white) - 1.0).abs() < 1e-9);
    // Known values: #767676 on white is the classic 4.54:1.
    let grey = rgb("#767676").expect("grey");
    assert!((ratio(grey, white) - 4.54).abs() < 0.01, "{}", ratio(grey, white));
    assert_eq!(rgb("#12"), None);
    assert_eq!(rgb("red"), None);
}

#[test]
fn there_are_a_standard_and_a_light_on_dark_theme_with_the_same_properties() {
    let (themes, _) = themes(&css());
    let names: Vec<&str> = themes.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names.first(),
        Some(&"standard"),
        "the first theme is the default: {names:?}"
    );
    assert!(
        themes.len() >= 2,
        "a high-contrast theme besides the standard one: {names:?}"
    );
    let standard: Vec<&String> = themes[0].1.keys().collect();
    for (name, props) in &themes {
        let keys: Vec<&String> = props.keys().collect();
        assert_eq!(
            keys, standard,
            "theme {name} declares other properties than the standard"
        );
    }
    // At least one theme is light text on a dark page.
    let dark = themes.iter().any(|(_, p)| {
        let (fg, bg) = (rgb(&p["fg"]).expect("fg"), rgb(&p["bg"]).expect("bg"));
        luminance(fg) > luminance(bg)
    });
    assert!(dark, "no theme is light on dark: {names:?}");
}

#[test]
fn no_rule_names_a_colour_of_its_own() {
    let (_, rest) = themes(&css());
    // Comments may say anything.
    let mut code = String::new();
    let mut text = rest.as_str();
    while let Some(at) = text.find("/*") {
        code.push_str(&text[..at]);
        text = &text[at + text[at..].find("*/").expect("comment closes") + 2..];
    }
    code.push_str(text);
    let lower = code.to_lowercase();
    for bad in ["#", "rgb(", "rgba(", "hsl(", "hsla(", "color-mix("] {
        if let Some(at) = lower.find(bad) {
            // `#id` selectors are fine: a colour is `#` followed by hex digits and a delimiter.
            let after: String = lower[at + 1..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            let is_colour = bad != "#"
                || (matches!(after.len(), 3 | 4 | 6 | 8) && after.chars().all(|c| c.is_ascii_hexdigit()));
            assert!(
                !is_colour,
                "app.css names a colour outside the theme blocks: {:?}",
                &code[at.saturating_sub(60)..(at + 40).min(code.len())]
            );
        }
    }
    for word in [
        "white", "black", "yellow", "red", "blue", "green", "gray", "grey", "orange",
    ] {
        for (at, _) in lower.match_indices(word) {
            let before = lower[..at].chars().next_back().unwrap_or(' ');
            let after = lower[at + word.len()..].chars().next().unwrap_or(' ');
            let whole = !before.is_ascii_alphanumeric()
                && before != '-'
                && !after.is_ascii_alphanumeric()
                && after != '-';
            assert!(!whole, "app.css names the colour {word} outside the theme blocks");
        }
    }
    // Every property a rule uses is declared by the themes.
    let (themes, _) = themes(&css());
    for (at, _) in rest.match_indices("var(--") {
        let name: String = rest[at + 6..]
            .chars()
            .take_while(|c| *c != ')' && *c != ',')
            .collect();
        assert!(
            themes[0].1.contains_key(&name),
            "app.css uses --{name}, which no theme declares"
        );
    }
}

#[test]
fn every_pair_of_every_theme_reaches_10_to_1() {
    let css = css();
    let (themes, rest) = themes(&css);
    // The listed pairs, and every rule that sets a text colour and a background.
    let mut pairs: Vec<(String, String, String)> = PAIRS
        .iter()
        .map(|(f, b, w)| (f.to_string(), b.to_string(), w.to_string()))
        .collect();
    for block in rest.split('}') {
        let Some((selector, body)) = block.split_once('{') else {
            continue;
        };
        let fg = var_of(body, "color");
        let bg = var_of(body, "background").or_else(|| var_of(body, "background-color"));
        if let (Some(fg), Some(bg)) = (fg, bg) {
            pairs.push((fg, bg, format!("the rule {}", selector.trim())));
        }
    }
    assert!(
        pairs.len() > PAIRS.len(),
        "no rule sets both a colour and a background: has app.css changed?"
    );
    let mut failures = Vec::new();
    let mut report = Vec::new();
    for (name, props) in &themes {
        let colour = |p: &str| {
            let v = props
                .get(p)
                .unwrap_or_else(|| panic!("theme {name} has no --{p}"));
            rgb(v).unwrap_or_else(|| panic!("theme {name}: --{p} is {v:?}, not #rgb or #rrggbb"))
        };
        let mut least = f64::MAX;
        for (f, b, what) in &pairs {
            let r = ratio(colour(f), colour(b));
            least = least.min(r);
            if r < MIN_RATIO {
                failures.push(format!("{name}: --{f} on --{b} is {r:.2}:1 ({what})"));
            }
        }
        report.push(format!("{name}: least {least:.2}:1 over {} pairs", pairs.len()));
    }
    eprintln!("{}", report.join("\n"));
    assert!(
        failures.is_empty(),
        "under {MIN_RATIO}:1:\n{}",
        failures.join("\n")
    );
}
