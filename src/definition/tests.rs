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
            Box::new(|v| v["station_id"] = "RIVERSIDE-01".into()),
            "station_id: is not part of a votekiosk/2 definition: one definition serves every station, and each station's id is given when its file is made (`votekiosk init --station-id ID`)",
        ),
        (
            Box::new(|v| v["results_visibility"] = "after_close".into()),
            "results_visibility: is not part of a votekiosk/2 definition: results are counted only after the polls close",
        ),
        (
            Box::new(|v| v["format"] = "votekiosk/1".into()),
            "format: this is a votekiosk/1 definition, and this version reads votekiosk/2: convert it with `votekiosk definition upgrade FILE --office office-key.json --out NEW.json`",
        ),
        (
            Box::new(|v| v["contests"][4]["seats"] = 2.into()),
            "contests[4].seats: multi-winner ranked counting is not supported yet",
        ),
        (
            Box::new(|v| v["contests"][4]["seats"] = 0.into()),
            "contests[4].seats: must be at least 1",
        ),
        (
            Box::new(|v| v["contests"][0]["seats"] = 33.into()),
            "contests[0].seats: at most 32 seats in a contest with write-ins",
        ),
        (
            Box::new(|v| v["cards"] = serde_json::json!({"max_spoils_per_code": 6})),
            "cards.max_spoils_per_code: 6 is not from 0 to 5",
        ),
        (
            Box::new(|v| v["cards"] = serde_json::json!({"enabled": true, "colour": "red"})),
            "cards.colour: unknown field",
        ),
        (
            Box::new(|v| v["contests"][1]["seats"] = 9_007_199_254_740_992u64.into()),
            "contests[1].seats: 9007199254740992 is larger than 2^53 - 1",
        ),
        (
            Box::new(|v| {
                v.as_object_mut().expect("object").remove("office");
            }),
            "missing field `office`",
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
    v["office"]["signing"]["fingerprint"] = "0000".into();
    let e = parse_value(&v).expect_err("invalid");
    let paths: Vec<&str> = e.issues.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(paths, ["station_id", "date", "office.signing.fingerprint"], "{e}");
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
fn ranked_rules_default_and_are_left_out_before_hashing() {
    let a = ElectionDefinition::parse(DEMO.as_bytes()).expect("valid");
    assert_eq!(ranked_rules(&a), RankedRules::default());
    assert!(
        !a.canonical_json().contains(r#""rules""#),
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
    // Only the rules that differ from their default are written.
    let mut v = value();
    v["contests"][4]["rules"] = serde_json::json!({"stop": "majority", "tie_break": "draw"});
    assert!(parse_value(&v)
        .expect("valid")
        .canonical_json()
        .contains(r#""rules":{"tie_break":"draw"}"#));
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

// ---- votekiosk/2: office keys, demo, cards, strict JSON -----------------------

/// The test fixture office keys (docs/formats.md): a real, non-demo election.
fn fixture_office() -> serde_json::Value {
    serde_json::json!({
        "encryption": {
            "suite": "x25519-hkdf-sha256/hkdf-sha256/chacha20-poly1305",
            "public_key": "6549e6c27abe90a08c8380456398c22e9a7c25c01713216faa2710c198772532",
            "fingerprint": "175b 30c6 8678 5048 c7fe 3707 5c2e 4023",
            "commitment": "2ed0bc0274d88532333adb94860aac535e60766d11a0800bbb7af8721dc9f115"
        },
        "signing": {
            "public_key": "0ed83111c897c4f7b119d556bb37c73112e2f32d23e09b4aa71ddb7f39a47529",
            "fingerprint": "548b 1b5f 6f13 db33 2e58 deb6 854d 692c",
            "commitment": "5a7f777d6e229f137635e7eafcca3cdd0728067c3f136912b4ef89de30383044"
        }
    })
}

/// The demo definition on the fixture office keys.
fn official() -> serde_json::Value {
    let mut v = value();
    let doc = v.as_object_mut().expect("object");
    doc.remove("demo");
    doc.insert("office".into(), fixture_office());
    v
}

#[test]
fn the_demo_is_on_the_test_key_and_a_fixture_election_is_not() {
    let demo = ElectionDefinition::parse(DEMO.as_bytes()).expect("valid");
    assert!(demo.demo);
    assert_eq!(demo.office, OfficeKeys::demo());
    assert_eq!(demo.office.encryption.public_key, TEST_PUBLIC_KEY);
    assert_eq!(
        demo.office.encryption.fingerprint(),
        "8e90 8e19 8810 feab 23c3 523a 91b0 6f54"
    );
    assert_eq!(
        demo.cards,
        Cards {
            enabled: true,
            max_spoils_per_code: 2
        }
    );
    let real = parse_value(&official()).expect("valid");
    assert!(!real.demo);
    assert_eq!(
        hex::encode(real.office.encryption.public_key),
        "6549e6c27abe90a08c8380456398c22e9a7c25c01713216faa2710c198772532"
    );
    assert_eq!(
        real.office.signing.fingerprint(),
        "548b 1b5f 6f13 db33 2e58 deb6 854d 692c"
    );
    assert!(
        !real.canonical_json().contains("\"demo\""),
        "demo false is the default"
    );
}

#[test]
fn the_demo_flag_must_match_the_key_both_ways() {
    // The test key without "demo": true would pass for an official election
    // whose ballots anyone can open.
    let mut v = value();
    v.as_object_mut().expect("object").remove("demo");
    let msg = first_issue(&v);
    assert!(
        msg.starts_with("demo: office.encryption.public_key is the published test key"),
        "{msg}"
    );
    v["demo"] = false.into();
    assert!(first_issue(&v).starts_with("demo: office.encryption.public_key is the published test key"));
    // "demo": true on a real key would mark a real election as a toy.
    let mut v = official();
    v["demo"] = true.into();
    let msg = first_issue(&v);
    assert!(
        msg.starts_with("demo: is true, but office.encryption.public_key is not the published test key"),
        "{msg}"
    );
}

#[test]
fn office_keys_are_checked_against_their_fingerprints() {
    let cases: Vec<(Mutation, &str)> = vec![
        (
            Box::new(|v| v["office"]["encryption"]["fingerprint"] = "175b 30c6 8678 5048 c7fe 3707 5c2e 4024".into()),
            "office.encryption.fingerprint: \"175b 30c6 8678 5048 c7fe 3707 5c2e 4024\" is not the fingerprint of this public key (it is \"175b 30c6 8678 5048 c7fe 3707 5c2e 4023\")",
        ),
        (
            // Another key, its old fingerprint: a key swapped in is caught.
            Box::new(|v| {
                v["office"]["signing"]["public_key"] =
                    "2a873ee97037625be57e0160b587e44b3b85f3314e98b379ff489598372f0ec7".into()
            }),
            "office.signing.fingerprint: \"548b 1b5f 6f13 db33 2e58 deb6 854d 692c\" is not the fingerprint of this public key",
        ),
        (
            Box::new(|v| v["office"]["encryption"]["fingerprint"] = "175B 30C6 8678 5048 C7FE 3707 5C2E 4023".into()),
            "office.encryption.fingerprint:",
        ),
        (
            Box::new(|v| v["office"]["encryption"]["public_key"] = "6549E6C2".into()),
            "office.encryption.public_key: must be 64 lowercase hex digits",
        ),
        (
            Box::new(|v| v["office"]["encryption"]["suite"] = "x25519-hkdf-sha256/hkdf-sha256/aes-128-gcm".into()),
            "office.encryption.suite: \"x25519-hkdf-sha256/hkdf-sha256/aes-128-gcm\" is not supported",
        ),
        (
            Box::new(|v| v["office"]["signing"]["commitment"] = "ff".repeat(32).into()),
            "office.signing.commitment: is not a ristretto255 commitment",
        ),
        (
            Box::new(|v| v["office"]["encryption"]["commitment"] = "00".repeat(32).into()),
            "office.encryption.commitment: is not a ristretto255 commitment",
        ),
        (
            Box::new(|v| {
                v["office"]["signing"]["public_key"] = "00".repeat(32).into();
                v["office"]["signing"]["fingerprint"] = fingerprint(&[0; 32]).into();
            }),
            "office.signing.public_key: is not a usable Ed25519 public key",
        ),
        (
            Box::new(|v| {
                v["office"]["encryption"].as_object_mut().expect("obj").remove("commitment");
            }),
            "office.encryption: missing field `commitment`",
        ),
        (
            Box::new(|v| v["office"]["signing"]["suite"] = "ed25519".into()),
            "office.signing.suite: unknown field",
        ),
    ];
    for (mutate, expected) in cases {
        let mut v = official();
        mutate(&mut v);
        let msg = first_issue(&v);
        assert!(msg.contains(expected), "expected {expected:?} in {msg:?}");
    }
}

#[test]
fn defaults_hash_the_same_written_out_or_not() {
    let bare = parse_value(&official()).expect("valid");
    let mut v = official();
    v["demo"] = false.into();
    v["cards"] = serde_json::json!({"enabled": true, "max_spoils_per_code": 2});
    v["languages"][1]["direction"] = "ltr".into();
    v["contests"][0]["write_ins"] = true.into();
    v["contests"][0]["seats"] = 1.into();
    v["contests"][2]["threshold"] = serde_json::json!({"numerator": 2, "denominator": 3});
    v["contests"][4]["seats"] = 1.into();
    v["contests"][4]["rules"] = serde_json::json!({
        "batch_elimination": false, "tie_break": "previous_round_then_draw", "stop": "majority",
        "overvote": "exhaust", "skipped_rank_limit": null, "duplicate_ranking": "skip_duplicate"
    });
    let full = parse_value(&v).expect("valid");
    assert_eq!(full.hash(), bare.hash());
    assert_eq!(full.canonical_json(), bare.canonical_json());
    for absent in [
        "\"demo\"",
        "\"cards\"",
        "\"direction\"",
        "\"rules\"",
        "\"seats\":1",
    ] {
        assert!(
            !full.canonical_json().contains(absent),
            "{absent} in the canonical form"
        );
    }
    // max_rankings equal to the number of candidates is the default too.
    let mut v = official();
    v["contests"][4]
        .as_object_mut()
        .expect("contest")
        .remove("max_rankings");
    let a = parse_value(&v).expect("valid");
    v["contests"][4]["max_rankings"] = 4.into();
    assert_eq!(parse_value(&v).expect("valid").hash(), a.hash());
    // A value other than the default is another election.
    for (field, value) in [
        ("enabled", serde_json::json!(false)),
        ("max_spoils_per_code", serde_json::json!(0)),
    ] {
        let mut v = official();
        v["cards"] = serde_json::json!({ field: value });
        let d = parse_value(&v).expect("valid");
        assert_ne!(d.hash(), bare.hash(), "{field}");
        assert!(d
            .canonical_json()
            .contains(&format!("\"cards\":{{\"{field}\":{value}}}")));
    }
}

#[test]
fn write_in_seats_are_bounded_and_cards_read() {
    let mut v = official();
    v["contests"][0]["seats"] = 32.into();
    assert!(parse_value(&v).is_ok(), "32 write-in seats");
    v["cards"] = serde_json::json!({"enabled": false, "max_spoils_per_code": 5});
    let d = parse_value(&v).expect("valid");
    assert_eq!(
        d.cards,
        Cards {
            enabled: false,
            max_spoils_per_code: 5
        }
    );
    v["contests"][1]["seats"] = 4.into();
    assert!(
        parse_value(&v).is_ok(),
        "no write-ins: seats up to the candidates"
    );
}

#[test]
fn a_repeated_key_is_refused_at_any_depth() {
    let text = serde_json::to_string_pretty(&official()).expect("json");
    let cases = [
        // top level: a second title
        (
            text.replacen(
                "\"date\":",
                "\"title\": {\"en\": \"X\", \"es\": \"X\"},\n  \"date\":",
                1,
            ),
            "title",
        ),
        // inside a text: "en" twice (v1 kept the last: "Mayor" became "Mayor B")
        (
            text.replacen("\"en\": \"Mayor\",", "\"en\": \"Mayor\", \"en\": \"Mayor B\",", 1),
            "contests[0].title.en",
        ),
        // inside the office keys
        (
            text.replacen("\"suite\":", "\"public_key\": \"00\", \"suite\":", 1),
            "office.encryption.public_key",
        ),
        // in a candidate of the fourth contest
        (
            text.replacen("\"id\": \"ito\",", "\"id\": \"ito\", \"id\": \"ito\",", 1),
            "contests[3].candidates[1].id",
        ),
    ];
    for (json, path) in cases {
        assert_ne!(json, text, "{path}: the edit applied");
        let e = ElectionDefinition::parse(json.as_bytes()).expect_err("repeated key");
        assert_eq!(e.issues[0].path, path, "{e}");
        assert!(e.issues[0].message.contains("appears twice"), "{e}");
    }
}

#[test]
fn upgrade_makes_a_valid_v2_and_lists_every_change() {
    let mut v1 = value();
    let doc = v1.as_object_mut().expect("object");
    doc.remove("demo");
    doc.remove("office");
    doc.insert("format".into(), "votekiosk/1".into());
    doc.insert("station_id".into(), "RIVERSIDE-01".into());
    doc.insert("results_visibility".into(), "after_close".into());
    let bytes = serde_json::to_vec_pretty(&v1).expect("json");
    let keys = upgrade::office_keys(
        serde_json::to_string(&serde_json::json!({"office": fixture_office()}))
            .expect("json")
            .as_bytes(),
    )
    .expect("office block");
    let done = upgrade::upgrade(&bytes, upgrade::Office::Keys(keys)).expect("upgraded");
    assert_eq!(done.station_id.as_deref(), Some("RIVERSIDE-01"));
    assert!(!done.definition.demo);
    assert_eq!(
        done.definition.hash(),
        parse_value(&official()).expect("valid").hash()
    );
    let again = ElectionDefinition::parse(done.json.as_bytes()).expect("the written file is valid v2");
    assert_eq!(again.hash(), done.definition.hash());
    let changes = done.changes.join("\n");
    for expected in [
        "votekiosk/1 -> votekiosk/2",
        "station_id \"RIVERSIDE-01\" removed",
        "--station-id RIVERSIDE-01",
        "results_visibility removed",
        "office added: encryption key 175b 30c6",
        "definition hash",
    ] {
        assert!(changes.contains(expected), "{expected:?} not in {changes}");
    }
    // The office block alone is accepted too; a broken one is refused.
    assert_eq!(
        upgrade::office_keys(fixture_office().to_string().as_bytes()).expect("block"),
        keys
    );
    let mut bad = fixture_office();
    bad["signing"]["fingerprint"] = "0000".into();
    assert!(upgrade::office_keys(bad.to_string().as_bytes()).is_err());

    // --demo: the test keys, "demo": true.
    let demo = upgrade::upgrade(&bytes, upgrade::Office::Demo).expect("demo");
    assert!(demo.definition.demo);
    assert_eq!(
        demo.definition.hash(),
        ElectionDefinition::parse(DEMO.as_bytes()).expect("demo").hash()
    );

    // "live" cannot be kept; the reason is given.
    v1["results_visibility"] = "live".into();
    let e = upgrade::upgrade(
        &serde_json::to_vec(&v1).expect("json"),
        upgrade::Office::Keys(keys),
    )
    .expect_err("live");
    assert_eq!(e.issues[0].path, "results_visibility");
    assert!(
        e.issues[0].message.contains("counted only after the polls close"),
        "{e}"
    );
    // Only v1 is upgraded.
    let e = upgrade::upgrade(DEMO.as_bytes(), upgrade::Office::Demo).expect_err("already v2");
    assert!(e.to_string().contains("already votekiosk/2"), "{e}");
    // A v1 file with a repeated key: refused, saying why v2 cares.
    let dup = String::from_utf8(bytes).expect("utf8").replacen(
        "\"date\":",
        "\"date\": \"2026-11-04\", \"date\":",
        1,
    );
    let e = upgrade::upgrade(dup.as_bytes(), upgrade::Office::Keys(keys)).expect_err("repeated");
    assert!(e.to_string().contains("votekiosk/2 refuses them"), "{e}");
}
