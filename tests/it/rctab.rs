//! RCTab parity: every one of RCTab's own test sets (read in place from
//! `../shared/samples/rctab/`) counted from its CVR file and config alone
//! reproduces RCTab's round-by-round report; and bad inputs (malformed CVR
//! files, unknown candidates, unsupported rules, another election's
//! records, a UniqueId twice) are refused with an error naming the field,
//! writing nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use votekiosk::tabulate::rctab;
use votekiosk::Error;

/// `VOTEKIOSK_SHARED`, else `CARGO_MANIFEST_DIR/../shared`, else `/work/shared`.
fn shared() -> PathBuf {
    let mut tried = Vec::new();
    let candidates = std::env::var_os("VOTEKIOSK_SHARED")
        .map(PathBuf::from)
        .into_iter()
        .chain([
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"),
            PathBuf::from("/work/shared"),
        ]);
    for dir in candidates {
        if dir.join("samples/rctab").is_dir() {
            return dir;
        }
        tried.push(dir.display().to_string());
    }
    panic!(
        "RCTab's test sets are missing: looked for samples/rctab/ in {} (set VOTEKIOSK_SHARED to the shared folder)",
        tried.join(", ")
    );
}

/// The ten sets: (name, folder).
fn sets() -> Vec<(String, PathBuf)> {
    let root = shared().join("samples/rctab");
    let mut sets: Vec<(String, PathBuf)> = std::fs::read_dir(&root)
        .expect("samples/rctab is readable")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    sets.sort();
    assert_eq!(sets.len(), 10, "ten RCTab test sets in {}", root.display());
    sets
}

fn file(set: &(String, PathBuf), suffix: &str) -> PathBuf {
    set.1.join(format!("{}_{suffix}", set.0))
}

/// Fields that cannot match, removed from both sides before comparing:
/// - `config.generatedBy`: RCTab writes "RCTab 2.0.0", votekiosk writes
///   its own name and version (the counting is the same, the program not).
fn comparable(mut report: Value) -> Value {
    report["config"]
        .as_object_mut()
        .expect("a config block")
        .remove("generatedBy");
    report
}

/// The first difference, round by round, so a failure says where.
fn first_difference(ours: &Value, theirs: &Value) -> String {
    let (a, b) = (ours["results"].as_array(), theirs["results"].as_array());
    if let (Some(a), Some(b)) = (a, b) {
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            if x != y {
                return format!("round {}:\n ours:   {x}\n RCTab's: {y}", i + 1);
            }
        }
        if a.len() != b.len() {
            return format!("{} rounds, RCTab {}", a.len(), b.len());
        }
    }
    format!("ours: {ours}\nRCTab's: {theirs}")
}

#[test]
fn every_rctab_sample_reproduces_rctabs_report_round_by_round() {
    for set in sets() {
        let (config, tabulation) =
            rctab::tabulate_files(&file(&set, "config.json"), &[file(&set, "cvr.json")])
                .unwrap_or_else(|e| panic!("{}: {e}", set.0));
        let ours: Value =
            serde_json::from_str(&rctab::report::urcvt_report(&config, &tabulation).expect("a report"))
                .expect("our report is JSON");
        let theirs: Value = serde_json::from_slice(
            &std::fs::read(file(&set, "expected_detailed_report.json")).expect("expected report"),
        )
        .expect("RCTab's report is JSON");
        let (ours, theirs) = (comparable(ours), comparable(theirs));
        assert!(
            ours == theirs,
            "{}: differs from RCTab's report at {}",
            set.0,
            first_difference(&ours, &theirs)
        );
    }
}

#[test]
fn the_report_is_written_as_rctab_writes_it_byte_for_byte_but_its_generator() {
    for set in sets() {
        let (config, tabulation) =
            rctab::tabulate_files(&file(&set, "config.json"), &[file(&set, "cvr.json")]).expect("counts");
        let ours = rctab::report::urcvt_report(&config, &tabulation).expect("a report");
        let theirs =
            String::from_utf8(std::fs::read(file(&set, "expected_detailed_report.json")).expect("read"))
                .expect("utf-8");
        let generated = |s: &str| {
            s.lines()
                .find(|l| l.contains("\"generatedBy\""))
                .map(str::to_string)
        };
        let ours = ours.replace(&generated(&ours).expect("ours names its generator"), "");
        let theirs = theirs.replace(&generated(&theirs).expect("RCTab names itself"), "");
        assert_eq!(ours.trim_end(), theirs.trim_end(), "{}", set.0);
    }
}

fn votekiosk(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_votekiosk"))
        .current_dir(dir)
        .args(args)
        .env_remove("VOTEKIOSK_STATION")
        .output()
        .expect("run votekiosk")
}

#[test]
fn the_cli_writes_the_report_and_prints_the_winners() {
    let set = sets()
        .into_iter()
        .find(|s| s.0.contains("fractional"))
        .expect("the fractional set");
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("report.json");
    let (cvr, config) = (file(&set, "cvr.json"), file(&set, "config.json"));
    let run = votekiosk(
        dir.path(),
        &[
            "tabulate",
            "--cvr",
            cvr.to_str().expect("test fixture"),
            "--rules",
            config.to_str().expect("test fixture"),
            "--out",
            out.to_str().expect("test fixture"),
        ],
    );
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(
        text.contains("Elected: Candidate C Name, Candidate A Name, Candidate B Name"),
        "{text}"
    );
    let ours: Value = serde_json::from_slice(&std::fs::read(&out).expect("report written")).expect("JSON");
    let theirs: Value = serde_json::from_slice(
        &std::fs::read(file(&set, "expected_detailed_report.json")).expect("test fixture"),
    )
    .expect("test fixture");
    assert_eq!(comparable(ours), comparable(theirs));
    // a second run refuses to overwrite the report
    let again = votekiosk(
        dir.path(),
        &[
            "tabulate",
            "--cvr",
            cvr.to_str().expect("test fixture"),
            "--rules",
            config.to_str().expect("test fixture"),
            "--out",
            out.to_str().expect("test fixture"),
        ],
    );
    assert!(!again.status.success());
    // --json: one line with the winners and the report
    let json = votekiosk(
        dir.path(),
        &[
            "--json",
            "tabulate",
            "--cvr",
            cvr.to_str().expect("test fixture"),
            "--rules",
            config.to_str().expect("test fixture"),
        ],
    );
    let v: Value = serde_json::from_slice(&json.stdout).expect("one JSON line");
    assert_eq!(
        v["winners"],
        serde_json::json!(["Candidate C Name", "Candidate A Name", "Candidate B Name"])
    );
    assert_eq!(v["report"]["summary"]["finalThreshold"], "7.2501");
}

// ---- bad inputs: each a clear error naming the field, nothing written ----

/// A one-contest CDF file: `cvrs` are (UniqueId, ElectionId, [(selection, rank)]).
/// (UniqueId, ElectionId, [(selection, rank)]).
type Record<'a> = (&'a str, &'a str, &'a [(&'a str, u32)]);

fn cdf(cvrs: &[Record]) -> Value {
    let records: Vec<Value> = cvrs
        .iter()
        .map(|(id, election, marks)| {
            let selections: Vec<Value> = marks
                .iter()
                .map(|(sel, rank)| {
                    serde_json::json!({"@type": "CVR.CVRContestSelection", "ContestSelectionId": sel,
                        "SelectionPosition": [{"@type": "CVR.SelectionPosition", "HasIndication": "yes", "IsAllocable": "yes", "NumberVotes": 1, "Rank": rank}]})
                })
                .collect();
            serde_json::json!({"@type": "CVR.CVR", "UniqueId": id, "ElectionId": election, "CurrentSnapshotId": format!("{id}-s"),
                "CVRSnapshot": [{"@id": format!("{id}-s"), "@type": "CVR.CVRSnapshot", "Type": "original",
                    "CVRContest": [{"@type": "CVR.CVRContest", "ContestId": "contest-1", "CVRContestSelection": selections}]}]})
        })
        .collect();
    serde_json::json!({"@type": "CVR.CastVoteRecordReport", "Version": "1.0.0",
        "Election": [{"@id": "election-1", "@type": "CVR.Election",
            "Candidate": [{"@id": "c-a", "Name": "Alice"}, {"@id": "c-b", "Name": "Bob"}, {"@id": "c-z", "Name": "Zed"}],
            "Contest": [{"@id": "contest-1", "@type": "CandidateContest", "Name": "Mayor", "ContestSelection": [
                {"@id": "s-a", "CandidateIds": ["c-a"]}, {"@id": "s-b", "CandidateIds": ["c-b"]}, {"@id": "s-z", "CandidateIds": ["c-z"]}]}]}],
        "CVR": records})
}

fn rctab_config(rules: &[(&str, Value)]) -> Value {
    let mut config = serde_json::json!({"tabulatorVersion": "TEST",
        "outputSettings": {"contestName": "Mayor", "contestDate": "2026-11-03", "contestJurisdiction": "Lakeview", "contestOffice": "Mayor"},
        "cvrFileSources": [{"filePath": "cvr.json", "contestId": "Mayor", "provider": "cdf"}],
        "candidates": [{"name": "Alice"}, {"name": "Bob"}],
        "rules": {"tiebreakMode": "useCandidateOrder", "overvoteRule": "exhaustImmediately", "winnerElectionMode": "singleWinnerMajority",
            "numberOfWinners": "1", "decimalPlacesForVoteArithmetic": "4", "maxSkippedRanksAllowed": "1", "maxRankingsAllowed": "max"}});
    for (k, v) in rules {
        config["rules"][*k] = v.clone();
    }
    config
}

/// Runs `tabulate` on the files in a fresh folder; asserts it failed with
/// `code` and a message containing `needle`, and that no report appeared.
fn refused(cvr: &[u8], config: &Value, code: &str, needle: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("cvr.json"), cvr).expect("test fixture");
    std::fs::write(
        dir.path().join("config.json"),
        serde_json::to_vec(config).expect("test fixture"),
    )
    .expect("test fixture");
    let before: Vec<_> = std::fs::read_dir(dir.path())
        .expect("test fixture")
        .map(|e| e.expect("test fixture").file_name())
        .collect();
    let run = votekiosk(
        dir.path(),
        &[
            "--json",
            "tabulate",
            "--cvr",
            "cvr.json",
            "--rules",
            "config.json",
            "--out",
            "report.json",
        ],
    );
    assert!(
        !run.status.success(),
        "accepted: {}",
        String::from_utf8_lossy(&run.stdout)
    );
    let err = String::from_utf8_lossy(&run.stdout).to_string() + &String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains(&format!("\"code\":\"{code}\"")),
        "expected {code}: {err}"
    );
    assert!(err.contains(needle), "the message names {needle:?}: {err}");
    let after: Vec<_> = std::fs::read_dir(dir.path())
        .expect("test fixture")
        .map(|e| e.expect("test fixture").file_name())
        .collect();
    assert_eq!(before, after, "nothing written");
}

fn good_records() -> Vec<Record<'static>> {
    vec![
        ("r1", "election-1", &[("s-a", 1), ("s-b", 2)]),
        ("r2", "election-1", &[("s-b", 1)]),
        ("r3", "election-1", &[("s-a", 1)]),
    ]
}

#[test]
fn a_plain_election_counts_through_the_cli() {
    let dir = tempfile::tempdir().expect("test fixture");
    std::fs::write(
        dir.path().join("cvr.json"),
        serde_json::to_vec(&cdf(&good_records())).expect("test fixture"),
    )
    .expect("test fixture");
    std::fs::write(
        dir.path().join("config.json"),
        serde_json::to_vec(&rctab_config(&[])).expect("test fixture"),
    )
    .expect("test fixture");
    // no --cvr: the config's own cvrFileSources, relative to the config
    let run = votekiosk(dir.path(), &["tabulate", "--rules", "config.json"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(String::from_utf8_lossy(&run.stdout).contains("Elected: Alice"));
}

#[test]
fn malformed_cvr_files_are_refused_naming_the_json_path() {
    let config = rctab_config(&[]);
    refused(b"{not json", &config, "cvr_invalid", "not JSON");
    let mut no_snapshot = cdf(&good_records());
    no_snapshot["CVR"][1]["CurrentSnapshotId"] = "elsewhere".into();
    refused(
        &serde_json::to_vec(&no_snapshot).expect("test fixture"),
        &config,
        "cvr_invalid",
        "CVR[1].CurrentSnapshotId",
    );
    let mut bad_rank = cdf(&good_records());
    bad_rank["CVR"][0]["CVRSnapshot"][0]["CVRContest"][0]["CVRContestSelection"][0]["SelectionPosition"][0]
        ["Rank"] = 0.into();
    refused(
        &serde_json::to_vec(&bad_rank).expect("test fixture"),
        &config,
        "cvr_invalid",
        "CVR[0].CVRSnapshot[0].CVRContest[0].CVRContestSelection[0].SelectionPosition[0].Rank",
    );
    let mut no_election = cdf(&good_records());
    no_election["Election"] = serde_json::json!("x");
    refused(
        &serde_json::to_vec(&no_election).expect("test fixture"),
        &config,
        "cvr_invalid",
        "Election",
    );
    let mut unknown_selection = cdf(&good_records());
    unknown_selection["CVR"][2]["CVRSnapshot"][0]["CVRContest"][0]["CVRContestSelection"][0]
        ["ContestSelectionId"] = "s-q".into();
    refused(
        &serde_json::to_vec(&unknown_selection).expect("test fixture"),
        &config,
        "cvr_unknown_candidate",
        "ContestSelectionId",
    );
}

#[test]
fn an_unknown_candidate_is_refused_naming_it() {
    // Zed is declared in the file but not among the config's candidates
    let records: Vec<Record> = vec![("r1", "election-1", &[("s-z", 1)])];
    refused(
        &serde_json::to_vec(&cdf(&records)).expect("test fixture"),
        &rctab_config(&[]),
        "cvr_unknown_candidate",
        "\"Zed\"",
    );
}

#[test]
fn a_config_with_an_unsupported_rule_is_refused_naming_the_field() {
    let cvr = serde_json::to_vec(&cdf(&good_records())).expect("test fixture");
    refused(
        &cvr,
        &rctab_config(&[("winnerElectionMode", "multiPassIrv".into())]),
        "rules_unsupported",
        "rules.winnerElectionMode",
    );
    refused(
        &cvr,
        &rctab_config(&[("tiebreakMode", "coinToss".into())]),
        "rules_invalid",
        "rules.tiebreakMode",
    );
    refused(
        &cvr,
        &rctab_config(&[("decimalPlacesForVoteArithmetic", "20".into())]),
        "rules_unsupported",
        "rules.decimalPlacesForVoteArithmetic",
    );
    let mut provider = rctab_config(&[]);
    provider["cvrFileSources"][0]["provider"] = "ess".into();
    refused(&cvr, &provider, "rules_unsupported", "cvrFileSources[0].provider");
}

#[test]
fn records_of_another_election_are_refused() {
    // a record naming an election the file does not hold
    let records: Vec<Record> = vec![
        ("r1", "election-1", &[("s-a", 1)]),
        ("r2", "election-2", &[("s-b", 1)]),
    ];
    refused(
        &serde_json::to_vec(&cdf(&records)).expect("test fixture"),
        &rctab_config(&[]),
        "cvr_other_election",
        "CVR[1].ElectionId",
    );
    // a file without the config's contest
    let mut config = rctab_config(&[]);
    config["cvrFileSources"][0]["contestId"] = "Sheriff".into();
    refused(
        &serde_json::to_vec(&cdf(&good_records())).expect("test fixture"),
        &config,
        "cvr_other_election",
        "\"Sheriff\"",
    );
}

#[test]
fn a_unique_id_seen_twice_is_refused_naming_both_records() {
    // the attack: one scanner record submitted twice to count it twice
    let records: Vec<Record> = vec![
        ("r1", "election-1", &[("s-a", 1)]),
        ("r2", "election-1", &[("s-b", 1)]),
        ("r1", "election-1", &[("s-a", 1)]),
    ];
    refused(
        &serde_json::to_vec(&cdf(&records)).expect("test fixture"),
        &rctab_config(&[]),
        "cvr_duplicate_id",
        "CVR[2]",
    );
    // across two files
    let dir = tempfile::tempdir().expect("test fixture");
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    std::fs::write(
        &a,
        serde_json::to_vec(&cdf(&good_records())).expect("test fixture"),
    )
    .expect("test fixture");
    std::fs::write(
        &b,
        serde_json::to_vec(&cdf(&good_records()[..1])).expect("test fixture"),
    )
    .expect("test fixture");
    let err = rctab::read_cdf_cvrs(&[&a, &b]).expect_err("a repeated UniqueId");
    assert!(matches!(err, Error::CvrDuplicateId { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("a.json: CVR[0]") && text.contains("b.json: CVR[0]"),
        "{text}"
    );
}

// ---- --definition: votekiosk's own count of CDF records ----

#[test]
fn records_count_by_a_definitions_rules_as_tally_would() {
    use votekiosk::{Ballot, SelectionsInput};

    let pos = |rank: Option<u32>, write_in: Option<&str>| {
        let mut p =
            serde_json::json!({"@type": "CVR.SelectionPosition", "HasIndication": "yes", "NumberVotes": 1});
        if let Some(r) = rank {
            p["Rank"] = r.into();
        }
        if let Some(w) = write_in {
            p["CVRWriteIn"] = serde_json::json!({"@type": "CVR.CVRWriteIn", "Text": w});
        }
        p
    };
    let sel = |id: &str, rank: Option<u32>, write_in: Option<&str>| serde_json::json!({"@type": "CVR.CVRContestSelection", "ContestSelectionId": id, "SelectionPosition": [pos(rank, write_in)]});
    let record = |id: &str, contests: Vec<(&str, Vec<Value>)>| {
        let contests: Vec<Value> = contests
            .into_iter()
            .map(|(c, s)| serde_json::json!({"@type": "CVR.CVRContest", "ContestId": c, "CVRContestSelection": s}))
            .collect();
        serde_json::json!({"@type": "CVR.CVR", "UniqueId": id, "ElectionId": "e", "CurrentSnapshotId": "s",
            "CVRSnapshot": [{"@id": "s", "@type": "CVR.CVRSnapshot", "Type": "original", "CVRContest": contests}]})
    };
    let candidates: Vec<Value> = [
        "alvarez", "brooks", "chen", "diaz", "evans", "kim", "lopez", "moore", "nguyen",
    ]
    .iter()
    .map(|c| serde_json::json!({"@id": c, "Name": c}))
    .collect();
    let selections = |ids: &[&str]| -> Vec<Value> {
        ids.iter()
            .map(|c| serde_json::json!({"@id": format!("s-{c}"), "CandidateIds": [c]}))
            .collect()
    };
    let mut mayor = selections(&["alvarez", "brooks", "chen"]);
    mayor.push(serde_json::json!({"@id": "s-wi", "IsWriteIn": true}));
    let file = serde_json::json!({"@type": "CVR.CastVoteRecordReport",
    "Election": [{"@id": "e", "Candidate": candidates, "Contest": [
        {"@id": "mayor", "Name": "Mayor", "ContestSelection": mayor},
        {"@id": "council", "Name": "Council", "ContestSelection": selections(&["diaz", "evans"])},
        {"@id": "library-bond", "Name": "Library bond", "ContestSelection": [
            {"@id": "lb-yes", "Selection": "yes"}, {"@id": "lb-no", "Selection": "no"}]},
        {"@id": "school-board", "Name": "School board", "ContestSelection": selections(&["kim", "lopez", "moore", "nguyen"])}]}],
    "CVR": [
        record("1", vec![("mayor", vec![sel("s-alvarez", None, None)]), ("library-bond", vec![sel("lb-yes", None, None)]),
            ("school-board", vec![sel("s-lopez", Some(2), None), sel("s-kim", Some(1), None)])]),
        record("2", vec![("mayor", vec![sel("s-brooks", None, None)]), ("library-bond", vec![sel("lb-no", None, None)]),
            ("council", vec![sel("s-diaz", None, None), sel("s-evans", None, None)]),
            ("school-board", vec![sel("s-lopez", Some(1), None), sel("s-kim", Some(2), None)])]),
        record("3", vec![("mayor", vec![sel("s-wi", None, Some("Zoe Q"))]), ("school-board", vec![sel("s-kim", Some(1), None)])]),
    ]});
    let dir = tempfile::tempdir().expect("test fixture");
    std::fs::write(
        dir.path().join("cvr.json"),
        serde_json::to_vec(&file).expect("test fixture"),
    )
    .expect("test fixture");
    std::fs::write(dir.path().join("def.json"), crate::support::definition_json()).expect("test fixture");
    let run = votekiosk(
        dir.path(),
        &[
            "--json",
            "tabulate",
            "--cvr",
            "cvr.json",
            "--definition",
            "def.json",
            "--out",
            "tally.json",
        ],
    );
    assert!(
        run.status.success(),
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let got: Value = serde_json::from_slice(&run.stdout).expect("one JSON line");

    // the same ballots cast at a kiosk, counted by tabulate()
    let def = crate::support::definition();
    let ballot = |pairs: &[(&str, &[&str])]| {
        let input: SelectionsInput = pairs
            .iter()
            .map(|(c, v)| (c.to_string(), v.iter().map(|s| s.to_string()).collect()))
            .collect();
        Ballot::validate(&def, &input).expect("a valid ballot")
    };
    let ballots = [
        ballot(&[
            ("mayor", &["alvarez"]),
            ("library-bond", &["yes"]),
            ("school-board", &["kim", "lopez"]),
        ]),
        ballot(&[
            ("mayor", &["brooks"]),
            ("library-bond", &["no"]),
            ("council", &["diaz", "evans"]),
            ("school-board", &["lopez", "kim"]),
        ]),
        ballot(&[("mayor", &["write-in:Zoe Q"]), ("school-board", &["kim"])]),
    ];
    let expected = serde_json::to_value(votekiosk::tabulate::tabulate(&def, &ballots)).expect("test fixture");
    assert_eq!(got["contests"], expected);
    assert_eq!(got["turnout"]["ballots"], 3);
    let written: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("tally.json")).expect("written"))
            .expect("test fixture");
    assert_eq!(written["contests"], expected);

    // a record the kiosk would refuse (two marks for the one-seat mayor) stops the count, naming it
    let mut over = file.clone();
    over["CVR"][0]["CVRSnapshot"][0]["CVRContest"][0]["CVRContestSelection"] =
        serde_json::json!([sel("s-alvarez", None, None), sel("s-chen", None, None)]);
    std::fs::write(
        dir.path().join("over.json"),
        serde_json::to_vec(&over).expect("test fixture"),
    )
    .expect("test fixture");
    let run = votekiosk(
        dir.path(),
        &[
            "--json",
            "tabulate",
            "--cvr",
            "over.json",
            "--definition",
            "def.json",
            "--out",
            "over-tally.json",
        ],
    );
    assert!(!run.status.success());
    let err = String::from_utf8_lossy(&run.stdout);
    assert!(err.contains("cvr_invalid") && err.contains("CVR[0]"), "{err}");
    assert!(!dir.path().join("over-tally.json").exists(), "nothing written");
}

#[test]
fn a_file_is_read_the_same_whichever_member_comes_first_and_alike_records_each_count() {
    // 1,000 records of three kinds. serde writes members sorted, so the
    // CVR list comes before Election (the reader resolves after the file);
    // the second file puts Election first.
    let ids: Vec<String> = (0..1000).map(|i| format!("r{i}")).collect();
    let shapes: [&[(&str, u32)]; 3] = [&[("s-a", 1), ("s-b", 2)], &[("s-b", 1)], &[("s-a", 1)]];
    let mut records: Vec<Record> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), "election-1", shapes[i % 3]))
        .collect();
    let doc = cdf(&records);
    let dir = tempfile::tempdir().expect("test fixture");
    let sorted = dir.path().join("sorted.json");
    let election_first = dir.path().join("election-first.json");
    let text = serde_json::to_string(&doc).expect("test fixture");
    assert!(text.find("\"CVR\"") < text.find("\"Election\""), "serde sorts members");
    std::fs::write(&sorted, &text).expect("test fixture");
    std::fs::write(
        &election_first,
        format!(
            "{{\"Election\":{},\"@type\":\"CVR.CastVoteRecordReport\",\"CVR\":{}}}",
            doc["Election"], doc["CVR"]
        ),
    )
    .expect("test fixture");
    let a = rctab::read_cdf_cvrs(&[&sorted]).expect("reads");
    let b = rctab::read_cdf_cvrs(&[&election_first]).expect("reads");
    assert_eq!(a[0].cvrs, b[0].cvrs);
    assert_eq!(a[0].elections, b[0].elections);
    // Every record counts; alike records are held once.
    assert_eq!(a[0].records(), 1000);
    let counts: Vec<u64> = a[0].cvrs.iter().map(|c| c.count).collect();
    assert_eq!(counts, [334, 333, 333]);
    assert_eq!(a[0].cvrs[1].index, 1, "the first record of each kind is named");
    assert_eq!(a[0].cvrs[1].unique_id.as_deref(), Some("r1"));

    // A UniqueId repeated far from its first use (the 1,001st record
    // repeats the 6th) is still refused, naming both and the id.
    records.push(("r5", "election-1", shapes[0]));
    let repeated = dir.path().join("repeated.json");
    std::fs::write(
        &repeated,
        serde_json::to_vec(&cdf(&records)).expect("test fixture"),
    )
    .expect("test fixture");
    let err = rctab::read_cdf_cvrs(&[&repeated]).expect_err("a repeated UniqueId");
    let text = err.to_string();
    assert!(
        text.contains("\"r5\"") && text.contains("repeated.json: CVR[5]") && text.contains("repeated.json: CVR[1000]"),
        "{text}"
    );
}
