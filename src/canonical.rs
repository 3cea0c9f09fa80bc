//! Canonical JSON: the byte form that every hash and signature in votekiosk
//! is computed over.
//!
//! The rules (a subset of RFC 8785, JCS, sufficient for our formats, which
//! contain no floating-point numbers): object members sorted by the bytes of
//! their UTF-8 key, no insignificant whitespace, integers in plain decimal,
//! strings with only the escapes JSON requires (`\"`, `\\`, `\b`, `\f`, `\n`,
//! `\r`, `\t`, other control characters as `\u00xx`) and every other
//! character as UTF-8. Written by hand rather than relying on `serde_json`'s
//! map ordering, which changes if any crate enables `preserve_order`.

use serde_json::Value;

/// Writes `value` in canonical form.
pub fn to_canonical_string(value: &Value) -> String {
    let mut out = String::new();
    write_value(value, &mut out);
    out
}

fn write_value(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (key, item)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_value(item, out);
            }
            out.push('}');
        }
    }
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_keys_and_drops_whitespace() {
        let a: Value = serde_json::from_str(r#"{ "b": 1, "a": [true, null, "x\ny"] }"#).expect("json");
        assert_eq!(to_canonical_string(&a), r#"{"a":[true,null,"x\ny"],"b":1}"#);
    }

    #[test]
    fn escapes_control_characters_only() {
        let v = Value::String("é\u{1}\"\\".into());
        assert_eq!(to_canonical_string(&v), "\"é\\u0001\\\"\\\\\"");
    }
}
