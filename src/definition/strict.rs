//! Reading a definition's JSON strictly, before its fields are looked at:
//! a key repeated in any object is refused (a JSON parser would silently
//! keep one of the two, and two readers could disagree on which), and so
//! is a number that is not a whole number from −(2^53 − 1) to 2^53 − 1
//! (JavaScript and Python read those exactly). Each issue names its path.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::Issue;

/// The largest integer every v2 format carries: 2^53 − 1.
pub const MAX_INTEGER: u64 = (1 << 53) - 1;

/// Parses `json` into a value, refusing repeated keys and out-of-range
/// numbers anywhere in it; every such issue is reported, with its path.
pub fn parse(json: &[u8]) -> Result<Value, Vec<Issue>> {
    let issues = RefCell::new(Vec::new());
    let mut de = serde_json::Deserializer::from_slice(json);
    let checked = Walk {
        path: String::new(),
        issues: &issues,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    if let Err(e) = checked {
        return Err(vec![Issue {
            path: "$".into(),
            message: format!("not valid JSON: {e}"),
        }]);
    }
    let issues = issues.into_inner();
    if !issues.is_empty() {
        return Err(issues);
    }
    serde_json::from_slice(json).map_err(|e| {
        vec![Issue {
            path: "$".into(),
            message: format!("not valid JSON: {e}"),
        }]
    })
}

/// Walks one JSON value at `path`, recording issues.
struct Walk<'a> {
    path: String,
    issues: &'a RefCell<Vec<Issue>>,
}

impl Walk<'_> {
    fn fail(&self, message: impl Into<String>) {
        let path = if self.path.is_empty() {
            "$".into()
        } else {
            self.path.clone()
        };
        self.issues.borrow_mut().push(Issue {
            path,
            message: message.into(),
        });
    }

    fn child(&self, path: String) -> Walk<'_> {
        Walk {
            path,
            issues: self.issues,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        if v > MAX_INTEGER {
            self.fail(format!("{v} is larger than 2^53 - 1 ({MAX_INTEGER})"));
        }
        Ok(())
    }
    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        if v.unsigned_abs() > MAX_INTEGER {
            self.fail(format!("{v} is beyond 2^53 - 1 ({MAX_INTEGER})"));
        }
        Ok(())
    }
    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        self.fail(format!("{v} is not a whole number within 2^53 - 1"));
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        while seq
            .next_element_seed(self.child(format!("{}[{i}]", self.path)))?
            .is_some()
        {
            i += 1;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = BTreeSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = if self.path.is_empty() {
                key.clone()
            } else {
                format!("{}.{key}", self.path)
            };
            if !seen.insert(key.clone()) {
                self.child(path.clone())
                    .fail(format!("the key {key:?} appears twice in this object: keep one"));
            }
            map.next_value_seed(self.child(path))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issues(json: &str) -> Vec<String> {
        match parse(json.as_bytes()) {
            Ok(_) => Vec::new(),
            Err(list) => list
                .into_iter()
                .map(|i| format!("{}: {}", i.path, i.message))
                .collect(),
        }
    }

    #[test]
    fn repeated_keys_are_refused_at_any_depth() {
        assert_eq!(
            issues(r#"{"a":1,"a":2}"#),
            vec!["a: the key \"a\" appears twice in this object: keep one"]
        );
        let deep = issues(r#"{"x":[{"t":{"en":"A","en":"B"}}],"y":{"z":{"q":1,"q":1}}}"#);
        assert_eq!(deep.len(), 2, "{deep:?}");
        assert!(deep[0].starts_with("x[0].t.en: "), "{deep:?}");
        assert!(deep[1].starts_with("y.z.q: "), "{deep:?}");
        assert!(issues(r#"{"a":{"b":1},"b":{"a":1}}"#).is_empty());
    }

    #[test]
    fn numbers_must_be_exact_integers() {
        assert!(issues(r#"{"n":9007199254740991,"m":-9007199254740991}"#).is_empty());
        assert_eq!(issues(r#"{"n":9007199254740992}"#).len(), 1);
        assert_eq!(
            issues(r#"{"n":[1.5]}"#),
            vec!["n[0]: 1.5 is not a whole number within 2^53 - 1"]
        );
        assert_eq!(issues("[1e400]").len(), 1, "out of range for f64 too");
    }

    #[test]
    fn broken_json_is_one_issue_at_the_root() {
        let list = issues("{\"a\":");
        assert_eq!(list.len(), 1);
        assert!(list[0].starts_with("$: not valid JSON"), "{list:?}");
        assert_eq!(issues("{} x").len(), 1, "trailing characters");
    }
}
