//! Definition parsing, validation and the canonical hash.

use super::*;

const DEMO: &str = include_str!("../../examples/demo-election.json");

fn value() -> serde_json::Value {
    serde_json::from_str(DEMO).expect("demo json")
}

fn parse_value(v: &serde_json::Value) -> Result<ElectionDefinition, DefinitionError> {
    ElectionDefinition::parse(serde_json::to_string(v).expect("json").as_bytes())
}

fn first_issue(v: &serde_json::Value) -> String {
    let e = parse_value(v).expect_err("should be rejected");
    e.to_string()
}

#[test]
fn demo_definition_is_valid_with_all_four_kinds() {
    let d = ElectionDefinition::parse(DEMO.as_bytes()).expect("valid");
    let kinds: Vec<&str> = d.contests.iter().map(|c| c.kind.name()).collect();
    for k in ["candidate", "yesno", "approval", "ranked"] {
        assert!(kinds.contains(&k), "{k} missing");
    }
    assert_eq!(d.default_language().as_str(), "en");
}

#[test]
fn hash_is_stable_across_key_order_and_whitespace() {
    let a = ElectionDefinition::parse(DEMO.as_bytes()).expect("valid");
    // Compact, and with keys in reverse order (serde_json::Value re-sorted by hand).
    fn reverse(v: &serde_json::Value) -> String {
        match v {
            serde_json::Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                keys.reverse();
                let parts: Vec<String> = keys
                    .iter()
                    .map(|k| {
                        format!(
                            "{} :\n {}",
                            serde_json::to_string(k).expect("key"),
                            reverse(&m[*k])
                        )
                    })
                    .collect();
                format!("{{ {} }}", parts.join(" ,\t"))
            }
            serde_json::Value::Array(a) => {
                format!("[ {} ]", a.iter().map(reverse).collect::<Vec<_>>().join(" , "))
            }
            other => other.to_string(),
        }
    }
    let b = ElectionDefinition::parse(reverse(&value()).as_bytes()).expect("valid");
    assert_eq!(a.hash(), b.hash());
    assert_eq!(a.canonical_json(), b.canonical_json());
    // Stating a default explicitly does not change the identity either.
    let mut v = value();
    v["contests"][0]["seats"] = 1.into();
    v["languages"][0]["direction"] = "ltr".into();
    assert_eq!(parse_value(&v).expect("valid").hash(), a.hash());
    // Re-parsing the canonical form gives the same hash.
    let c = ElectionDefinition::parse(a.canonical_json().as_bytes()).expect("canonical re-parses");
    assert_eq!(c.hash(), a.hash());
}

#[test]
fn any_content_change_changes_the_hash() {
    let a = ElectionDefinition::parse(DEMO.as_bytes()).expect("valid");
    let mut v = value();
    v["contests"][0]["candidates"][0]["name"]["en"] = "Maria Alvarez Jr".into();
    assert_ne!(parse_value(&v).expect("valid").hash(), a.hash());
}

type Mutation = Box<dyn Fn(&mut serde_json::Value)>;

#[test]
fn errors_name_the_json_path() {
    let cases: Vec<(Mutation, &str)> = vec![
        (
            Box::new(|v| v["contests"][1]["candidates"][1]["id"] = "diaz".into()),
            "contests[1].candidates[1].id: duplicate id \"diaz\"",
        ),
        (
            Box::new(|v| v["format"] = "votekiosk/9".into()),
            "format: unsupported format",
        ),
        (
            Box::new(|v| {
                v["contests"][0]["title"]
                    .as_object_mut()
                    .expect("obj")
                    .remove("es")
                    .map(|_| ())
                    .unwrap_or(())
            }),
            "contests[0].title: missing translation for \"es\"",
        ),
        (
            Box::new(|v| v["window"]["closes"] = "2026-11-03T06:00:00-05:00".into()),
            "window.closes: must be after window.opens",
        ),
        (
            Box::new(|v| v["window"]["opens"] = "2026-11-03 07:00".into()),
            "window.opens:",
        ),
        (
            Box::new(|v| v["contests"][0]["kind"] = "plurality".into()),
            "contests[0].kind: unknown contest kind",
        ),
        (
            Box::new(|v| v["contests"][1]["seats"] = 9.into()),
            "contests[1].seats: 9 seats but only 4 candidates",
        ),
        (
            Box::new(|v| {
                v["contests"][2]["threshold"] = serde_json::json!({"numerator": 1, "denominator": 3})
            }),
            "contests[2].threshold",
        ),
        (
            Box::new(|v| v["contests"][4]["max_rankings"] = 7.into()),
            "contests[4].max_rankings",
        ),
        (
            Box::new(|v| v["contests"][3]["seats"] = 1.into()),
            "contests[3].seats: not allowed in a approval contest",
        ),
        (
            Box::new(|v| v["contests"][0]["colour"] = "red".into()),
            "contests[0].colour: unknown field `colour`",
        ),
        (
            Box::new(|v| v["station_id"] = "has space".into()),
            "station_id: invalid station id",
        ),
        (
            Box::new(|v| v["languages"][1]["code"] = "en".into()),
            "languages[1].code: duplicate language",
        ),
        (
            Box::new(|v| v["receipt_verification_url"] = "javascript:alert(1)".into()),
            "receipt_verification_url",
        ),
        (
            Box::new(|v| v["contests"] = serde_json::json!([])),
            "contests: list at least one contest",
        ),
        (
            Box::new(|v| v["contests"][0]["candidates"][0]["id"] = "Bad Id".into()),
            "contests[0].candidates[0].id: invalid id",
        ),
        (
            Box::new(|v| v["contests"][0]["seats"] = (-1).into()),
            "contests[0].seats",
        ),
    ];
    for (mutate, expected) in cases {
        let mut v = value();
        mutate(&mut v);
        let msg = first_issue(&v);
        assert!(msg.contains(expected), "expected {expected:?} in {msg:?}");
    }
}

#[test]
fn reports_every_issue_not_just_the_first() {
    let mut v = value();
    v["date"] = "tomorrow".into();
    v["station_id"] = "".into();
    let e = parse_value(&v).expect_err("invalid");
    assert!(e.issues.len() >= 2, "{e}");
}

#[test]
fn oversize_and_non_json_are_refused() {
    let big = vec![b' '; (MAX_DEFINITION_BYTES + 1) as usize];
    assert!(ElectionDefinition::parse(&big)
        .expect_err("too big")
        .to_string()
        .contains("limit"));
    assert!(ElectionDefinition::parse(b"{not json").is_err());
    assert!(ElectionDefinition::parse(b"").is_err());
}

#[test]
fn dates_are_strict_and_text_is_trimmed_before_hashing() {
    let mut v = value();
    v["date"] = "2026-11-3".into();
    assert!(first_issue(&v).contains("date:"));
    let a = ElectionDefinition::parse(DEMO.as_bytes()).expect("valid");
    let mut v = value();
    v["title"]["en"] = "  Riverside Municipal Election (demo) ".into();
    assert_eq!(
        parse_value(&v).expect("valid").hash(),
        a.hash(),
        "surrounding spaces change nothing"
    );
}

fn ranked_rules(d: &ElectionDefinition) -> RankedRules {
    match &d.contest("school-board").expect("ranked contest").kind {
        ContestKind::Ranked { rules, .. } => *rules,
        other => panic!("not ranked: {other:?}"),
    }
}

#[test]
fn ranked_rules_default_and_are_written_out_before_hashing() {
    let a = ElectionDefinition::parse(DEMO.as_bytes()).expect("valid");
    assert_eq!(ranked_rules(&a), RankedRules::default());
    assert!(
        a.canonical_json().contains(
            r#""rules":{"batch_elimination":false,"duplicate_ranking":"skip_duplicate","overvote":"exhaust","skipped_rank_limit":null,"stop":"majority","tie_break":"previous_round_then_draw"}"#
        ),
        "{}",
        a.canonical_json()
    );
    // Stating the defaults, all or some of them, is the same election.
    for rules in [
        serde_json::json!({}),
        serde_json::json!({"stop": "majority", "skipped_rank_limit": null}),
        serde_json::json!({
            "batch_elimination": false, "tie_break": "previous_round_then_draw", "stop": "majority",
            "overvote": "exhaust", "skipped_rank_limit": null, "duplicate_ranking": "skip_duplicate"
        }),
    ] {
        let mut v = value();
        v["contests"][4]["rules"] = rules;
        assert_eq!(parse_value(&v).expect("valid").hash(), a.hash());
    }
    // Any other rule is another election.
    let mut v = value();
    v["contests"][4]["rules"] = serde_json::json!({
        "batch_elimination": true, "tie_break": "draw", "stop": "two_remaining",
        "overvote": "skip_rank", "skipped_rank_limit": 1, "duplicate_ranking": "exhaust"
    });
    let b = parse_value(&v).expect("valid");
    assert_ne!(b.hash(), a.hash());
    assert_eq!(
        ranked_rules(&b),
        RankedRules {
            batch_elimination: true,
            tie_break: TieBreak::Draw,
            stop: StopRule::TwoRemaining,
            overvote: OvervoteRule::SkipRank,
            skipped_rank_limit: Some(1),
            duplicate_ranking: DuplicateRule::Exhaust,
        }
    );
    // The canonical form re-parses to the same rules and hash.
    let c = ElectionDefinition::parse(b.canonical_json().as_bytes()).expect("re-parses");
    assert_eq!((c.hash(), ranked_rules(&c)), (b.hash(), ranked_rules(&b)));
}

#[test]
fn bad_ranked_rules_are_refused_with_their_path() {
    let cases: Vec<(serde_json::Value, usize, &str)> = vec![
        (
            serde_json::json!({"tie_break": "coin"}),
            4,
            r#"contests[4].rules.tie_break: "coin" is not one of "previous_round_then_draw", "draw""#,
        ),
        (
            serde_json::json!({"stop": "first_past"}),
            4,
            r#"contests[4].rules.stop: "first_past" is not one of "majority", "two_remaining""#,
        ),
        (
            serde_json::json!({"overvote": "count"}),
            4,
            "contests[4].rules.overvote:",
        ),
        (
            serde_json::json!({"duplicate_ranking": "x"}),
            4,
            "contests[4].rules.duplicate_ranking:",
        ),
        (
            serde_json::json!({"skipped_rank_limit": -1}),
            4,
            "contests[4].rules.skipped_rank_limit",
        ),
        (
            serde_json::json!({"batch_elimination": "yes"}),
            4,
            "contests[4].rules.batch_elimination",
        ),
        (
            serde_json::json!({"colour": "red"}),
            4,
            "contests[4].rules.colour: unknown field",
        ),
        (
            serde_json::json!({}),
            0,
            "contests[0].rules: not allowed in a candidate contest",
        ),
        (
            serde_json::json!({}),
            2,
            "contests[2].rules: not allowed in a yesno contest",
        ),
        (
            serde_json::json!({}),
            3,
            "contests[3].rules: not allowed in a approval contest",
        ),
    ];
    for (rules, contest, expected) in cases {
        let mut v = value();
        v["contests"][contest]["rules"] = rules;
        let msg = first_issue(&v);
        assert!(msg.contains(expected), "expected {expected:?} in {msg:?}");
    }
    // Every bad value is reported, not just the first.
    let mut v = value();
    v["contests"][4]["rules"] = serde_json::json!({"tie_break": "coin", "stop": "never"});
    assert_eq!(parse_value(&v).expect_err("invalid").issues.len(), 2);
}

#[test]
fn window_position_counts_the_day_in_the_windows_time_zone() {
    // The demo's window: 2026-11-03 07:00 to 20:00, UTC-5.
    let d = ElectionDefinition::parse(DEMO.as_bytes()).expect("valid");
    let at = |s: &str| DateTime::parse_from_rfc3339(s).expect("time").with_timezone(&Utc);
    // 23:00 UTC on Nov 2 is still Nov 2 at the station: a later day.
    assert_eq!(
        d.window_position(at("2026-11-02T23:00:00Z")),
        WindowPosition::LaterDay
    );
    // 06:00 local on election day: the window opens later today.
    assert_eq!(
        d.window_position(at("2026-11-03T11:00:00Z")),
        WindowPosition::Today
    );
    assert_eq!(
        d.window_position(at("2026-11-03T18:00:00Z")),
        WindowPosition::Today
    );
    // Closing time itself is already too late.
    assert_eq!(
        d.window_position(at("2026-11-04T01:00:00Z")),
        WindowPosition::Ended
    );
}
