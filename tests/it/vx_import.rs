//! Importing a VotingWorks (VxSuite) election.json (`votekiosk import vx`):
//! the field mapping checked field by field on two invented elections
//! (`fixtures/vx/general.json`: two ballot styles with rotation, a fusion
//! candidate, write-ins, a vote-for-3, measures with custom answer labels,
//! Spanish from ballotStrings; `fixtures/vx/primary.json`: party ballot
//! styles), every loss reported precisely, bad input refused with the
//! field named and nothing written, and a full station day run on an
//! imported definition.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Utc};
use rand::SeedableRng;
use serde_json::{json, Value};
use votekiosk::definition::upgrade::Office;
use votekiosk::definition::vx::{import, ImportOptions, Imported};
use votekiosk::definition::{ContestKind, OfficeKeys, Text};
use votekiosk::export::verify::{verify_bytes, Anchor, Discard, Options as VerifyOptions};
use votekiosk::station::SlipUnlock;
use votekiosk::tabulate::result::ContestResult;
use votekiosk::{ElectionDefinition, Error, ManualClock, Options, Station};
use zeroize::Zeroizing;

use crate::support::{office_json, sel, Paper, ADMIN, ADMIN_PASSWORD, PASSPHRASE, SLIP_HOLDERS};

const GENERAL: &str = include_str!("fixtures/vx/general.json");
const PRIMARY: &str = include_str!("fixtures/vx/primary.json");

fn fixture_office() -> OfficeKeys {
    votekiosk::definition::upgrade::office_keys(office_json().to_string().as_bytes())
        .expect("fixture office keys")
}

fn pacific(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).expect("time")
}

fn options(style: &str, precinct: &str) -> ImportOptions {
    ImportOptions {
        ballot_style: style.into(),
        precinct: precinct.into(),
        office: Office::Keys(fixture_office()),
        opens: None,
        closes: None,
        utc_offset: FixedOffset::west_opt(8 * 3600).expect("offset"),
        cards: None,
        strict: false,
    }
}

fn general(style: &str, precinct: &str) -> Imported {
    import(GENERAL.as_bytes(), &options(style, precinct)).expect("import")
}

/// The VX file with `change` applied to its JSON.
fn changed(source: &str, change: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut v: Value = serde_json::from_str(source).expect("fixture json");
    change(&mut v);
    serde_json::to_vec(&v).expect("json")
}

fn refused(bytes: &[u8], options: &ImportOptions) -> String {
    match import(bytes, options) {
        Err(e @ Error::VxImport(_)) => {
            assert_eq!(e.code(), "vx_import_refused");
            e.to_string()
        }
        other => panic!("expected a refused import, got {other:?}"),
    }
}

fn en(text: &Text) -> String {
    text.iter()
        .find(|(l, _)| l.as_str() == "en")
        .map(|(_, t)| t.to_string())
        .expect("en")
}

fn es(text: &Text) -> String {
    text.iter()
        .find(|(l, _)| l.as_str() == "es-US")
        .map(|(_, t)| t.to_string())
        .expect("es-US")
}

fn candidate_ids(def: &ElectionDefinition, contest: &str) -> Vec<String> {
    def.contest(contest)
        .expect("contest")
        .kind
        .candidates()
        .iter()
        .map(|c| c.id.to_string())
        .collect()
}

fn lost_fields(done: &Imported) -> Vec<&str> {
    done.lost.iter().map(|f| f.field.as_str()).collect()
}

#[test]
fn a_general_election_style_imports_field_by_field() {
    let done = general("1", "p-north");
    let def = &done.definition;
    assert_eq!(
        def.canonical_json(),
        ElectionDefinition::parse(done.json.as_bytes())
            .expect("valid")
            .canonical_json()
    );
    assert!(done.json.contains("\"format\": \"votekiosk/2\""));
    assert!(!def.demo);
    assert_eq!(def.office, fixture_office());
    assert_eq!(done.precinct_name, "North Maplewood");

    // English first (the default), then the style's other language, named by ballotStrings.
    let langs: Vec<(&str, &str)> = def
        .languages
        .iter()
        .map(|l| (l.code.as_str(), l.name.as_str()))
        .collect();
    assert_eq!(langs, [("en", "English"), ("es-US", "Español (EE. UU.)")]);

    // Title with the county and state, in each language; the date; the default window.
    assert_eq!(
        en(&def.title),
        "Maplewood General Election — Maplewood County, State of Cascadia"
    );
    assert_eq!(
        es(&def.title),
        "Elección General de Maplewood — Condado de Maplewood, Estado de Cascadia"
    );
    assert_eq!(def.date.to_string(), "2026-11-03");
    assert_eq!(def.opens, pacific("2026-11-03T07:00:00-08:00"));
    assert_eq!(def.closes, pacific("2026-11-03T20:00:00-08:00"));
    let assumed: Vec<&str> = done.assumed.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(assumed, ["window.opens", "window.closes"]);

    // The style's districts' contests, in the election's order; not the south ward's.
    let ids: Vec<&str> = def.contests.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        ["governor", "council", "north-sheriff", "measure-7", "ferry-levy"]
    );
    let vx: Vec<&str> = done.contests.iter().map(|c| c.vx.as_str()).collect();
    assert_eq!(
        vx,
        ["governor", "council", "north-sheriff", "Measure-7", "ferry-levy"]
    );

    // Governor: rotation (style 1 puts Ben first), the fusion candidate once
    // with both parties in ballot order, the write-in slot as write-ins, the term.
    let governor = def.contest("governor").expect("governor");
    assert_eq!(
        candidate_ids(def, "governor"),
        ["ben-okafor", "ana-ruiz", "cara-lind"]
    );
    let ContestKind::Candidate {
        seats,
        candidates,
        write_ins,
    } = &governor.kind
    else {
        panic!("governor is a candidate contest")
    };
    assert_eq!((*seats, *write_ins), (1, true));
    let ana = &candidates[1];
    assert_eq!(en(&ana.name), "Ana Ruiz");
    assert_eq!(en(ana.party.as_ref().expect("party")), "Prairie / Harbor");
    assert_eq!(es(ana.party.as_ref().expect("party")), "Pradera / Puerto");
    assert_eq!(en(candidates[2].party.as_ref().expect("party")), "Green Valley");
    assert_eq!(en(&governor.title), "Governor");
    assert_eq!(es(&governor.title), "Gobernador");
    let term = governor.description.as_ref().expect("term as description");
    assert_eq!(
        (en(term), es(term)),
        ("Term: 4 years".into(), "Mandato: 4 años".into())
    );

    // Council: vote for 3, no write-ins, rotation reversed, a candidate without a party.
    let council = def.contest("council").expect("council");
    assert!(matches!(
        council.kind,
        ContestKind::Candidate {
            seats: 3,
            write_ins: false,
            ..
        }
    ));
    assert_eq!(
        candidate_ids(def, "council"),
        ["hal-ito", "gia-bloom", "finn-osei", "eva-moss", "dev-patel"]
    );
    assert_eq!(council.kind.candidates()[0].party, None);

    // Measure 7: its id made valid, custom answer labels in both languages, the description.
    let measure = def.contest("measure-7").expect("measure");
    let ContestKind::YesNo {
        yes_label,
        no_label,
        threshold,
    } = &measure.kind
    else {
        panic!("a measure")
    };
    assert_eq!((threshold.numerator, threshold.denominator), (1, 2));
    let (yes, no) = (yes_label.as_ref().expect("yes"), no_label.as_ref().expect("no"));
    assert_eq!(
        (en(yes), en(no)),
        ("For the measure".into(), "Against the measure".into())
    );
    assert_eq!(
        (es(yes), es(no)),
        ("A favor de la medida".into(), "En contra de la medida".into())
    );
    assert!(es(measure.description.as_ref().expect("description")).starts_with("¿Deberá el condado"));

    // Reported: the fusion (lost), the renamed ids, the skipped presentation fields.
    assert_eq!(lost_fields(&done), ["contests[0].candidates[0].partyIds"]);
    assert!(done.lost[0].message.contains("Ana Ruiz") && done.lost[0].message.contains("Prairie / Harbor"));
    let renamed: Vec<(&str, &str, &str)> = done
        .renamed
        .iter()
        .map(|r| (r.field.as_str(), r.from.as_str(), r.to.as_str()))
        .collect();
    assert!(
        renamed.contains(&("contests[4].id", "Measure-7", "measure-7")),
        "{renamed:?}"
    );
    assert!(renamed.contains(&("contests[4].yesOption.id", "measure-7-for", "yes")));
    assert!(renamed.contains(&("contests[4].noOption.id", "measure-7-against", "no")));
    let ignored: Vec<&str> = done.ignored.iter().map(|f| f.field.as_str()).collect();
    for field in [
        "id",
        "seal",
        "ballotLayout",
        "ballotStyles[0].groupId",
        "parties[0].abbrev",
        "contests[0].candidates[3]",
    ] {
        if field == "contests[0].candidates[3]" {
            // The write-in slot is not a candidate, and not a finding either.
            assert!(!ignored.iter().any(|f| f.starts_with(field)));
        } else {
            assert!(ignored.contains(&field), "{field} not in {ignored:?}");
        }
    }
}

#[test]
fn the_second_style_has_its_own_rotation_contests_and_languages() {
    let done = general("2", "p-east");
    let def = &done.definition;
    let ids: Vec<&str> = def.contests.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["governor", "council", "south-assessor", "measure-7"]);
    assert_eq!(
        candidate_ids(def, "governor"),
        ["cara-lind", "ana-ruiz", "ben-okafor"]
    );
    let ana = &def.contest("governor").expect("governor").kind.candidates()[1];
    assert_eq!(en(ana.party.as_ref().expect("party")), "Harbor / Prairie");
    // No rotation for the council in this style: the file's order.
    assert_eq!(
        candidate_ids(def, "council"),
        ["dev-patel", "eva-moss", "finn-osei", "gia-bloom", "hal-ito"]
    );
    let langs: Vec<&str> = def.languages.iter().map(|l| l.code.as_str()).collect();
    assert_eq!(langs, ["en"]);
    let ignored: Vec<&str> = done.ignored.iter().map(|f| f.field.as_str()).collect();
    assert!(ignored.contains(&"ballotStrings.es-US"), "{ignored:?}");
    assert_ne!(def.hash(), general("1", "p-north").definition.hash());
}

#[test]
fn a_primary_party_style_imports_its_party_contests_and_strict_passes() {
    let mut opts = options("1-S", "p-1");
    opts.strict = true;
    opts.opens = Some(pacific("2026-06-02T08:00:00-07:00"));
    opts.closes = Some(pacific("2026-06-02T20:00:00-07:00"));
    let done = import(PRIMARY.as_bytes(), &opts).expect("a lossless import");
    let def = &done.definition;
    assert!(done.lost.is_empty(), "{:?}", done.lost);
    assert!(done.assumed.is_empty(), "{:?}", done.assumed);
    let ids: Vec<&str> = def.contests.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["governor-summit", "school-board", "parks-bond"]);
    assert_eq!(
        en(&def.title),
        "Maplewood Primary Election: Summit Party — Maplewood County, State of Cascadia"
    );
    // In a party's contest every candidate has the ballot's party: not repeated (as VX does).
    assert!(def
        .contest("governor-summit")
        .expect("c")
        .kind
        .candidates()
        .iter()
        .all(|c| c.party.is_none()));
    assert!(matches!(
        def.contest("school-board").expect("c").kind,
        ContestKind::Candidate {
            seats: 2,
            write_ins: true,
            ..
        }
    ));
    assert_eq!(def.opens, pacific("2026-06-02T08:00:00-07:00"));

    let harbor = import(PRIMARY.as_bytes(), &options("1-H", "p-1")).expect("import");
    let ids: Vec<&str> = harbor.definition.contests.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["governor-harbor", "school-board", "parks-bond"]);
}

#[test]
fn strict_refuses_a_fusion_candidate_and_names_it() {
    let mut opts = options("1", "p-north");
    opts.strict = true;
    let message = refused(GENERAL.as_bytes(), &opts);
    assert!(message.contains("--strict"), "{message}");
    assert!(
        message.contains("contests[0].candidates[0].partyIds"),
        "{message}"
    );
    assert!(message.contains("Ana Ruiz"), "{message}");
}

#[test]
fn every_loss_is_reported_at_its_field() {
    let bytes = changed(GENERAL, |v| {
        // A field this importer does not know, at the top and in a candidate.
        v["customBallotContent"] = json!({"footer": "Vote early"});
        v["contests"][1]["candidates"][0]["nickname"] = json!("Dev");
        // A missing Spanish title.
        v["ballotStrings"]["es-US"]["contestTitle"]
            .as_object_mut()
            .expect("titles")
            .remove("council");
        // A contest kind votekiosk does not have, and a measure with three answers.
        let contests = v["contests"].as_array_mut().expect("contests");
        contests.push(
            json!({"id": "straight", "districtId": "county", "type": "straight-party",
            "title": "Straight Party", "optionIds": ["harbor", "summit"]}),
        );
        contests.push(json!({"id": "pick", "districtId": "county", "type": "yesno", "title": "Pick one",
            "description": "Which plan?", "options": [
                {"id": "a", "label": "Plan A"}, {"id": "b", "label": "Plan B"}, {"id": "c", "label": "Plan C"}]}));
        // A party's contest on a style without a party (a combined primary).
        contests.push(json!({"id": "harbor-chair", "districtId": "county", "partyId": "harbor",
            "type": "candidate", "title": "Harbor Chair", "seats": 1, "allowWriteIns": true, "candidates": []}));
    });
    let done = import(&bytes, &options("1", "p-north")).expect("a lossy import still imports");
    let fields = lost_fields(&done);
    for expected in [
        "customBallotContent",
        "contests[1].candidates[0].nickname",
        "ballotStrings.es-US.contestTitle.council",
        "contests[6].type",
        "contests[7].options",
        "contests[8].partyId",
        "contests[0].candidates[0].partyIds",
    ] {
        assert!(
            fields.contains(&expected),
            "{expected} not reported in {fields:?}"
        );
    }
    let def = &done.definition;
    // The Spanish voter sees the English title, and the others are not imported.
    assert_eq!(
        es(&def.contest("council").expect("council").title),
        "County Council"
    );
    for gone in ["straight", "pick", "harbor-chair"] {
        assert!(def.contest(gone).is_none());
    }
    let title = done
        .lost
        .iter()
        .find(|f| f.field == "ballotStrings.es-US.contestTitle.council")
        .expect("title");
    assert!(title.message.contains("\"County Council\""), "{}", title.message);
}

#[test]
fn bad_input_is_refused_naming_the_field() {
    let cases: Vec<(&str, Vec<u8>, ImportOptions, &str)> = vec![
        ("unknown ballot style", GENERAL.as_bytes().to_vec(), options("9", "p-north"), "ballotStyles: no ballot style \"9\""),
        ("unknown precinct", GENERAL.as_bytes().to_vec(), options("1", "p-west"), "precincts: no precinct \"p-west\""),
        (
            "precinct not in the style",
            GENERAL.as_bytes().to_vec(),
            options("1", "p-south"),
            "ballotStyles[0].precincts: ballot style \"1\" is not used in precinct \"p-south\"",
        ),
        ("malformed JSON", b"{\"title\": \"x\",".to_vec(), options("1", "p-north"), "$: not valid JSON"),
        (
            "rotation names a missing candidate",
            changed(GENERAL, |v| {
                v["ballotStyles"][0]["orderedCandidatesByContest"]["governor"][1]["id"] = json!("zed-quill");
            }),
            options("1", "p-north"),
            "ballotStyles[0].orderedCandidatesByContest.governor[1].id: candidate \"zed-quill\" is not a candidate of contest \"governor\"",
        ),
        (
            "candidate of an unknown party",
            changed(GENERAL, |v| v["contests"][1]["candidates"][2]["partyIds"] = json!(["moon"])),
            options("1", "p-north"),
            "contests[1].candidates[2].partyIds[0]: party \"moon\"",
        ),
        (
            "seats not a number",
            changed(GENERAL, |v| v["contests"][1]["seats"] = json!("three")),
            options("1", "p-north"),
            "contests[1].seats",
        ),
        (
            "a candidate without a name",
            changed(GENERAL, |v| {
                v["contests"][0]["candidates"][1].as_object_mut().expect("c").remove("name");
            }),
            options("1", "p-north"),
            "contests[0].candidates[1]: missing field `name`",
        ),
        (
            "a style's district that does not exist",
            changed(GENERAL, |v| v["ballotStyles"][0]["districts"][1] = json!("east")),
            options("1", "p-north"),
            "ballotStyles[0].districts[1]: district \"east\"",
        ),
        (
            "two ids that meet",
            changed(GENERAL, |v| v["contests"][1]["id"] = json!("Governor")),
            options("1", "p-north"),
            "both become \"governor\"",
        ),
        (
            "vote for more than the candidates",
            changed(GENERAL, |v| v["contests"][2]["seats"] = json!(3)),
            options("1", "p-north"),
            "(VX contest \"north-sheriff\")",
        ),
    ];
    for (what, bytes, opts, expected) in cases {
        let message = refused(&bytes, &opts);
        assert!(
            message.contains(expected),
            "{what}: {message:?} does not contain {expected:?}"
        );
    }
}

/// Attack: a VX file crafted so that two candidates' ids become one under
/// votekiosk's id rules would pool their votes. The import refuses it.
#[test]
fn a_vx_file_cannot_merge_two_candidates_through_their_ids() {
    let bytes = changed(GENERAL, |v| {
        v["contests"][1]["candidates"][4]["id"] = json!("Dev-Patel");
        v["ballotStyles"][0]["orderedCandidatesByContest"]["council"][0]["id"] = json!("Dev-Patel");
    });
    let message = refused(&bytes, &options("1", "p-north"));
    assert!(message.contains("contests[1].candidates[0].id"), "{message}");
    assert!(
        message.contains("the ids \"Dev-Patel\" and \"dev-patel\" both become \"dev-patel\""),
        "{message}"
    );
}

// ------------------------------------------------------------------ CLI

fn votekiosk(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_votekiosk"))
        .current_dir(dir)
        .args(args)
        .env_remove("VOTEKIOSK_STATION")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("run votekiosk")
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn the_cli_writes_the_definition_and_reports_losses_on_stderr_and_in_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("election.json"), GENERAL).expect("vx");
    std::fs::write(dir.path().join("office.json"), office_json().to_string()).expect("office");
    let out = votekiosk(
        dir.path(),
        &[
            "--json",
            "import",
            "vx",
            "election.json",
            "--ballot-style",
            "1",
            "--precinct",
            "p-north",
            "--office",
            "office.json",
            "--utc-offset",
            "-08:00",
            "--out",
            "def.json",
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let answer: Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
    let def = ElectionDefinition::from_file(&dir.path().join("def.json")).expect("a valid definition");
    assert_eq!(answer["definition_hash"], def.hash().to_hex());
    assert_eq!(answer["precinct_name"], "North Maplewood");
    assert_eq!(answer["opens"], "2026-11-03T07:00:00-08:00");
    assert_eq!(answer["languages"], json!(["en", "es-US"]));
    assert_eq!(answer["lost"][0]["field"], "contests[0].candidates[0].partyIds");
    assert_eq!(
        answer["contests"][3],
        json!({"vx": "Measure-7", "id": "measure-7", "kind": "yesno"})
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("not represented: contests[0].candidates[0].partyIds"),
        "{stderr}"
    );
    assert_eq!(listing(dir.path()), ["def.json", "election.json", "office.json"]);

    // The same again: the file exists, it is not replaced.
    let before = std::fs::read(dir.path().join("def.json")).expect("def");
    let again = votekiosk(
        dir.path(),
        &[
            "--json",
            "import",
            "vx",
            "election.json",
            "--ballot-style",
            "2",
            "--precinct",
            "p-east",
            "--demo",
            "--out",
            "def.json",
        ],
    );
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("file_exists"));
    assert_eq!(std::fs::read(dir.path().join("def.json")).expect("def"), before);
}

#[test]
fn the_cli_writes_nothing_when_it_refuses() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("election.json"), GENERAL).expect("vx");
    std::fs::write(dir.path().join("broken.json"), &GENERAL[..400]).expect("vx");
    let before = listing(dir.path());
    let cases: [(&[&str], &str); 5] = [
        (
            &[
                "election.json",
                "--ballot-style",
                "9",
                "--precinct",
                "p-north",
                "--demo",
            ],
            "ballotStyles",
        ),
        (
            &[
                "election.json",
                "--ballot-style",
                "1",
                "--precinct",
                "p-south",
                "--demo",
            ],
            "ballotStyles[0].precincts",
        ),
        (
            &[
                "broken.json",
                "--ballot-style",
                "1",
                "--precinct",
                "p-north",
                "--demo",
            ],
            "not valid JSON",
        ),
        (
            &[
                "election.json",
                "--ballot-style",
                "1",
                "--precinct",
                "p-north",
                "--demo",
                "--strict",
            ],
            "--strict",
        ),
        (
            &[
                "election.json",
                "--ballot-style",
                "1",
                "--precinct",
                "p-north",
                "--demo",
                "--opens",
                "7am",
            ],
            "--opens",
        ),
    ];
    for (args, expected) in cases {
        let mut full = vec!["--json", "import", "vx"];
        full.extend_from_slice(args);
        full.extend_from_slice(&["--out", "def.json"]);
        let out = votekiosk(dir.path(), &full);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let answer: Value = serde_json::from_slice(&out.stdout).expect("json error");
        let message = answer["error"]["message"].as_str().expect("message");
        assert!(message.contains(expected), "{args:?}: {message}");
        assert_eq!(listing(dir.path()), before, "{args:?} left a file");
    }
}

// ------------------------------------------------------------ station day

#[test]
fn an_imported_definition_runs_a_full_station_day() {
    let mut opts = options("1", "p-north");
    opts.cards = Some(false);
    let def = import(GENERAL.as_bytes(), &opts).expect("import").definition;

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("north.vks");
    let noon: DateTime<Utc> = pacific("2026-11-03T12:00:00-08:00").with_timezone(&Utc);
    let clock = Arc::new(ManualClock::new(noon));
    let options = Options {
        clock: clock.clone(),
        rng: Box::new(rand::rngs::StdRng::seed_from_u64(16)),
        printer: Some(Arc::new(Paper::default())),
    };
    let mut station = Station::create(
        &path,
        &def,
        "MAPLEWOOD-N-1",
        PASSPHRASE,
        ADMIN,
        ADMIN_PASSWORD,
        options,
    )
    .expect("create");
    let admin = station.login(ADMIN, ADMIN_PASSWORD).expect("login");
    let workers: Vec<(String, Zeroizing<String>)> = SLIP_HOLDERS
        .iter()
        .map(|(name, pin)| (name.to_string(), Zeroizing::new(pin.to_string())))
        .collect();
    let slips = station
        .init_closing_key(&admin, &workers, 2)
        .expect("closing key");
    station.open_polls(&admin).expect("open");
    let codes: Vec<String> = station
        .issue_codes(&admin, 3)
        .expect("codes")
        .codes
        .iter()
        .map(|c| c.display())
        .collect();

    // One ballot per contest kind and a write-in.
    let ballots = [
        sel(&[
            ("governor", &["ana-ruiz"]),
            ("council", &["hal-ito", "eva-moss", "dev-patel"]),
            ("north-sheriff", &["ivy-cho"]),
            ("measure-7", &["yes"]),
            ("ferry-levy", &["no"]),
        ]),
        sel(&[("governor", &["write-in:Olga Petrova"]), ("measure-7", &["no"])]),
        sel(&[
            ("governor", &["ana-ruiz"]),
            ("council", &["gia-bloom"]),
            ("ferry-levy", &["yes"]),
        ]),
    ];
    for (i, (code, ballot)) in codes.iter().zip(&ballots).enumerate() {
        station
            .cast_ballot(code, ballot, &format!("vx-day-{i}"))
            .expect("cast");
    }
    station.close_polls(&admin).expect("close");
    let unlocks: Vec<SlipUnlock> = slips
        .iter()
        .map(|slip| SlipUnlock {
            payload: slip.payload.to_string(),
            pin: Zeroizing::new(SLIP_HOLDERS[slip.index as usize - 1].1.to_string()),
        })
        .collect();
    station.count(&admin, &unlocks).expect("count");

    let result = station.tally().expect("tally");
    assert_eq!(result.turnout.ballots, 3);
    for contest in &result.contests {
        match (contest.id(), contest) {
            ("governor", ContestResult::Candidate(r)) => {
                let ana = r.tallies.iter().find(|v| v.candidate == "ana-ruiz").expect("ana");
                assert_eq!(ana.votes, 2);
                let write_ins = r.write_ins.as_ref().expect("write-ins");
                assert_eq!(
                    (write_ins.votes, write_ins.names[0].name.as_str()),
                    (1, "Olga Petrova")
                );
                assert_eq!(r.winners, ["ana-ruiz"]);
            }
            ("council", ContestResult::Candidate(r)) => {
                assert_eq!(r.seats, 3);
                assert_eq!(r.tallies.iter().map(|v| v.votes).sum::<u64>(), 4);
                assert_eq!(r.blank, 1);
            }
            ("measure-7", ContestResult::YesNo(r)) => assert_eq!((r.yes, r.no, r.blank), (1, 1, 1)),
            ("ferry-levy", ContestResult::YesNo(r)) => assert_eq!((r.yes, r.no), (1, 1)),
            ("north-sheriff", ContestResult::Candidate(r)) => assert_eq!(r.blank, 2),
            (other, _) => panic!("unexpected contest {other}"),
        }
    }

    let export = station.export(&admin, false, "north.jsonl").expect("export");
    let report = verify_bytes(
        &export.result,
        &VerifyOptions {
            anchor: Anchor::PublicKey(station.public_key().expect("key")),
            definition_hash: Some(def.hash().0),
            ..VerifyOptions::default()
        },
        &mut Discard,
    );
    assert!(report.passed(), "{:?}", report.failures);
    assert_eq!(report.ballots, 3);
    assert_eq!(
        report.definition_hash.as_deref(),
        Some(def.hash().to_hex().as_str())
    );
}
