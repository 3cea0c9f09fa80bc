//! Ballot cards (issue 14): a day where every ballot goes through its
//! printed card (print → read → cast, or spoil and print again), an
//! abandoned card counted as spoiled at restart, the hand count per box,
//! and the audit manifest that alone maps each card to its record. Then
//! the attacks: a kiosk casting other choices than the card shows, spoils
//! beyond the limit, a manifest opened with another office key or set
//! beside another result, hand counts at the wrong time or with bad boxes.

use std::collections::BTreeMap;
use std::path::Path;

use votekiosk::ballot::Ballot;
use votekiosk::crypto::seal::SealKeyPair;
use votekiosk::export::format::ResultHeader;
use votekiosk::export::manifest::{manifest_header, open_manifest, OpenedManifest};
use votekiosk::export::verify::{verify_bytes, Anchor, Options, Sink};
use votekiosk::seal::card::{parse_qr, CardId};
use votekiosk::station::{BoxCount, PrintedCard};
use votekiosk::{ElectionDefinition, Error, SelectionsInput};
use zeroize::Zeroizing;

use crate::support::*;

/// The test election with ballot cards (at most 2 spoils per code).
fn cards_definition() -> ElectionDefinition {
    let mut v = definition_value();
    v["cards"] = serde_json::json!({"enabled": true, "max_spoils_per_code": 2});
    ElectionDefinition::parse(serde_json::to_string(&v).expect("json").as_bytes())
        .expect("definition with cards")
}

fn cards_fixture(seed: u64) -> Fixture {
    Fixture::seeded_with(seed, &cards_definition())
}

/// The office encryption key pair the trustees would rebuild.
fn office_pair() -> SealKeyPair {
    let mut s = Zeroizing::new([0u8; 32]);
    hex::decode_to_slice(OFFICE_ENCRYPTION_SECRET, s.as_mut()).expect("hex");
    SealKeyPair::derive(&s)
}

/// Ballot `i` of the day: every contest kind, varied.
fn ballot(i: usize) -> SelectionsInput {
    let mayor: [&[&str]; 4] = [&["alvarez"], &["brooks"], &["chen"], &["write-in:Zed Q"]];
    let council: [&[&str]; 3] = [&["gupta", "diaz"], &["diaz"], &[]];
    let school: [&[&str]; 3] = [&["lopez", "kim"], &["kim"], &["moore", "nguyen", "lopez"]];
    sel(&[
        ("mayor", mayor[i % 4]),
        ("council", council[i % 3]),
        (
            "library-bond",
            if i.is_multiple_of(2) { &["yes"] } else { &["no"] },
        ),
        ("parks-board", if i.is_multiple_of(5) { &["hill"] } else { &[] }),
        ("school-board", school[(i / 3) % 3]),
    ])
}

fn normal(selections: &SelectionsInput) -> BTreeMap<String, Vec<String>> {
    let def = cards_definition();
    votekiosk::export::normal_form(&def, &Ballot::validate(&def, selections).expect("valid")).selections()
}

/// Every record of a verified result: id → selections.
#[derive(Default)]
struct Records(BTreeMap<String, BTreeMap<String, Vec<String>>>);

impl Sink for Records {
    fn record(&mut self, _line: &[u8], id: &str, ballot: &Ballot) {
        self.0.insert(id.to_string(), ballot.selections());
    }
}

fn header_of(result: &[u8]) -> ResultHeader {
    let line = result.split(|&b| b == b'\n').next().expect("header");
    serde_json::from_slice(line).expect("result header")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Runs `f` on a copy of a station file opened as its passphrase holder
/// would (with the key), then removes the copy.
fn as_insider<T>(path: &Path, f: impl FnOnce(&rusqlite::Connection) -> T) -> T {
    let copy = path.with_extension("insider-copy");
    std::fs::write(&copy, read_outside(path)).expect("copy");
    let key = file_key(path);
    let conn = rusqlite::Connection::open(&copy).expect("open copy");
    conn.execute_batch(&format!(
        "PRAGMA key = \"x'{}{}'\"; PRAGMA cipher_compatibility = 4;",
        hex::encode(*key.key),
        hex::encode(key.salt)
    ))
    .expect("key");
    let out = f(&conn);
    drop(conn);
    let _ = std::fs::remove_file(&copy);
    out
}

/// Every cell of every table of a station file, as its passphrase holder
/// reads it (a copy opened with the key).
fn clear_contents(path: &Path) -> Vec<u8> {
    as_insider(path, |conn| {
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
            .expect("tables")
            .query_map([], |r| r.get(0))
            .expect("rows")
            .collect::<rusqlite::Result<_>>()
            .expect("names");
        let mut out = Vec::new();
        for table in tables {
            let mut stmt = conn
                .prepare(&format!("SELECT * FROM \"{table}\""))
                .expect("select");
            let columns = stmt.column_count();
            let mut rows = stmt.query([]).expect("query");
            while let Some(row) = rows.next().expect("row") {
                for c in 0..columns {
                    match row.get_ref(c).expect("cell") {
                        rusqlite::types::ValueRef::Blob(b) => out.extend_from_slice(b),
                        rusqlite::types::ValueRef::Text(t) => out.extend_from_slice(t),
                        _ => {}
                    }
                    out.push(0);
                }
            }
        }
        out
    })
}

/// Every blob of one column of one table, as the passphrase holder reads it.
fn blobs(conn: &rusqlite::Connection, sql: &str) -> Vec<Vec<u8>> {
    conn.prepare(sql)
        .expect("select")
        .query_map([], |r| r.get(0))
        .expect("rows")
        .collect::<rusqlite::Result<_>>()
        .expect("blobs")
}

/// What changes when a card action is refused.
#[derive(Debug, PartialEq, Eq)]
struct CardState {
    snapshot: Snapshot,
    cards: votekiosk::station::CardCounts,
}

fn card_state(fx: &Fixture) -> CardState {
    CardState {
        snapshot: snapshot(&fx.station),
        cards: fx.station.card_counts().expect("card counts"),
    }
}

/// The day: 50 ballots, each through its card; every tenth from 3 after
/// a spoiled card, every tenth from 7 after a reprint; one card printed
/// and abandoned by a restart.
struct Day {
    fx: Fixture,
    cast: Vec<PrintedCard>,
    spoiled: Vec<CardId>,
}

fn card_day(seed: u64) -> Day {
    let mut fx = cards_fixture(seed);
    fx.open();
    let codes = fx.codes(51);
    let (mut cast, mut spoiled) = (Vec::new(), Vec::new());
    for (i, code) in codes.iter().take(50).enumerate() {
        let right = ballot(i);
        let printed = match i % 10 {
            3 => {
                // The voter reads a wrong card and says so: spoiled, back to review.
                let wrong = fx.station.print_card(code, &ballot(i + 1)).expect("print");
                let counts = fx.station.spoil_card(code).expect("spoil");
                assert_eq!(counts.pending, 0);
                spoiled.push(wrong.card);
                let again = fx.station.print_card(code, &right).expect("print");
                assert!(
                    !again.reprint_of_spoiled,
                    "a new card after a spoil is no reprint"
                );
                again
            }
            7 => {
                // A reprint: the pending card is spoiled, the new one has a new id.
                let first = fx.station.print_card(code, &ballot(i + 2)).expect("print");
                spoiled.push(first.card);
                let again = fx.station.print_card(code, &right).expect("reprint");
                assert!(again.reprint_of_spoiled);
                assert_ne!(again.card, first.card);
                again
            }
            _ => fx.station.print_card(code, &right).expect("print"),
        };
        assert!(!printed.test);
        assert_eq!(printed.ballot.selections(), normal(&right));
        assert_eq!(fx.station.card_counts().expect("counts").pending, 1);
        fx.station.cast_ballot(code, &right, &key_for(i)).expect("cast");
        cast.push(printed);
    }
    // A card printed, then the kiosk loses power before Cast.
    let abandoned = fx.station.print_card(&codes[50], &ballot(50)).expect("print");
    spoiled.push(abandoned.card);
    fx.reopen();
    let log = fx.station.audit_log(5).expect("log");
    assert!(
        log.iter().any(|e| e.kind == "card_spoiled"
            && e.detail
                .starts_with("a printed ballot card was never cast: counted as spoiled")),
        "{log:?}"
    );
    // Its code was never used: the cast now needs a new card.
    assert_eq!(
        fx.station
            .cast_ballot(&codes[50], &ballot(50), &key_for(50))
            .expect_err("no card")
            .code(),
        "card_not_printed"
    );
    Day { fx, cast, spoiled }
}

#[test]
fn a_day_with_ballot_cards_reconciles_and_only_the_sealed_manifest_links_cards_to_records() {
    let Day {
        mut fx,
        cast,
        spoiled,
    } = card_day(1414);
    let def = cards_definition();
    let status = fx.station.status().expect("status");
    assert_eq!(
        (
            status.cards.printed,
            status.cards.cast,
            status.cards.spoiled,
            status.cards.abandoned,
            status.cards.pending
        ),
        (61, 50, 11, 1, 0),
        "printed = cast + spoiled"
    );
    assert_eq!(status.turnout.ballots, 50);

    let w = fx.worker();
    fx.station.close_polls(&w).expect("close");
    fx.count();
    let first = fx
        .station
        .record_hand_count(
            &w,
            &[
                BoxCount {
                    box_id: "A".into(),
                    cards: 30,
                },
                BoxCount {
                    box_id: "B".into(),
                    cards: 20,
                },
            ],
        )
        .expect("hand count");
    assert_eq!((first.hand_count, first.cast, first.difference), (50, 50, 0));
    // Entered again (box B recounted): it replaces the first, the difference is reported.
    let again = fx
        .station
        .record_hand_count(
            &w,
            &[
                BoxCount {
                    box_id: "B".into(),
                    cards: 21,
                },
                BoxCount {
                    box_id: "A".into(),
                    cards: 30,
                },
            ],
        )
        .expect("hand count again");
    assert_eq!((again.hand_count, again.difference), (51, 1));
    assert_eq!(fx.station.hand_count().expect("hand count"), Some(again.clone()));
    assert!(fx.station.audit_log(1).expect("log")[0]
        .detail
        .starts_with("entered again, replacing the earlier hand count: box A 30, box B 21"));

    let export = fx.station.export(&w, false, "results.jsonl").expect("export");
    let header = header_of(&export.result);
    let c = &header.cards;
    assert!(c.enabled);
    assert_eq!((c.printed, c.cast, c.spoiled, c.abandoned), (61, 50, 11, 1));
    assert_eq!((c.hand_count, c.hand_count_difference), (Some(51), Some(1)));
    assert_eq!(c.boxes, again.boxes);
    let key = fx.station.public_key().expect("key");
    let mut records = Records::default();
    let report = verify_bytes(
        &export.result,
        &Options {
            anchor: Anchor::PublicKey(key),
            ..Options::default()
        },
        &mut records,
    );
    assert!(report.passed(), "{:?}", report.failures);
    assert_eq!(report.hand_count_difference, Some(1));
    assert_eq!(records.0.len(), 50);

    // The manifest, beside the result and listed in its header.
    let (name, manifest) = export.manifest.clone().expect("a manifest");
    assert_eq!(name, votekiosk::export::manifest_name_for("results.jsonl"));
    assert!(header
        .attachments
        .iter()
        .any(|a| a.kind == "audit-manifest" && a.name == name));
    let opened: OpenedManifest = open_manifest(&manifest, &key, &office_pair()).expect("open manifest");
    opened
        .check_matches(&header)
        .expect("the manifest of this result");
    assert_eq!(opened.boxes, again.boxes);
    assert_eq!(opened.cards.len(), 50);
    for printed in &cast {
        // What the audit board scans from the pulled card...
        let (card, on_paper) = parse_qr(&def, &printed.qr).expect("card QR");
        assert_eq!(card, printed.card);
        // ...leads through the manifest to exactly that ballot's record.
        let record = opened.record_of(&card).expect("a cast card has a record");
        assert_eq!(records.0.get(&hex::encode(record)), Some(&on_paper.selections()));
        assert!(!opened.is_spoiled(&card));
    }
    let mut distinct: Vec<_> = opened.cards.iter().map(|(_, r)| *r).collect();
    distinct.dedup();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 50, "one record per card");
    let mut expected_spoiled = spoiled.clone();
    expected_spoiled.sort_unstable();
    assert_eq!(opened.spoiled, expected_spoiled);
    for card in &spoiled {
        assert!(
            opened.record_of(card).is_none(),
            "a spoiled card never yields a record"
        );
    }

    // The card ids appear nowhere public, nor in the file's clear parts.
    let sealed_header = export
        .sealed
        .split(|&b| b == b'\n')
        .next()
        .expect("sealed header")
        .to_vec();
    let audit: Vec<u8> = fx
        .station
        .audit_log(10_000)
        .expect("log")
        .iter()
        .flat_map(|e| format!("{} {} {}\n", e.actor, e.kind, e.detail).into_bytes())
        .collect();
    fx.stop();
    let file = read_outside(&fx.path);
    let inside = clear_contents(&fx.path);
    fx.start();
    for card in cast.iter().map(|p| p.card).chain(spoiled.iter().copied()) {
        let grouped = card.grouped();
        let plain = grouped.replace('-', "");
        for (what, bytes) in [
            ("the result", &export.result),
            ("the sealed export's header", &sealed_header),
            ("the audit manifest (sealed)", &manifest),
            ("the audit chain", &audit),
            ("the station file", &file),
            ("the station file's clear parts", &inside),
        ] {
            for needle in [
                grouped.as_bytes(),
                plain.as_bytes(),
                &card.bytes()[..],
                hex::encode(card.bytes()).as_bytes(),
            ] {
                assert!(!contains(bytes, needle), "card {grouped} found in {what}");
            }
        }
    }
    // The manifest's header says only counts and boxes.
    let mh = manifest_header(&manifest).expect("manifest header");
    assert_eq!((mh.cards.cast, mh.cards.spoiled), (50, 11));
    assert_eq!(mh.records_sha512, header.records.sha512);
}

#[test]
fn a_kiosk_casting_other_choices_than_the_printed_card_is_refused_and_casts_nothing() {
    let mut fx = cards_fixture(1401);
    fx.open();
    let codes = fx.codes(2);
    // No card printed: nothing can be cast.
    let before = card_state(&fx);
    let e = fx
        .station
        .cast_ballot(&codes[0], &ballot(0), &key_for(0))
        .expect_err("no card");
    assert!(matches!(e, Error::CardNotPrinted), "{e}");
    assert_eq!(card_state(&fx), before);
    // The card shows ballot 0; a tampered kiosk records ballot 1.
    fx.station.print_card(&codes[0], &ballot(0)).expect("print");
    let before = card_state(&fx);
    let e = fx
        .station
        .cast_ballot(&codes[0], &ballot(1), &key_for(0))
        .expect_err("other choices");
    assert!(matches!(e, Error::CardMismatch), "{e}");
    assert_eq!(card_state(&fx), before, "nothing cast, the card still pending");
    // The same choices marked in another order are the card's ballot.
    let mut reordered = ballot(0);
    reordered.insert("council".into(), vec!["diaz".into(), "gupta".into()]);
    fx.station
        .cast_ballot(&codes[0], &reordered, &key_for(0))
        .expect("cast the card");
    assert_eq!(fx.station.card_counts().expect("counts").cast, 1);
    // A card printed for one code does not cast another code's ballot.
    let e = fx
        .station
        .cast_ballot(&codes[1], &ballot(0), &key_for(1))
        .expect_err("no card for this code");
    assert!(matches!(e, Error::CardNotPrinted), "{e}");
}

#[test]
fn spoiling_beyond_the_limit_is_refused_and_changes_nothing() {
    let mut fx = cards_fixture(1402);
    fx.open();
    let code = fx.codes(1).remove(0);
    fx.station.print_card(&code, &ballot(0)).expect("print 1");
    fx.station.spoil_card(&code).expect("spoil 1");
    fx.station.print_card(&code, &ballot(1)).expect("print 2");
    // A reprint spoils the pending card: the second spoil.
    let third = fx
        .station
        .print_card(&code, &ballot(2))
        .expect("reprint: spoil 2");
    assert_eq!(fx.station.card_counts().expect("counts").spoiled, 2);
    let before = card_state(&fx);
    for attempt in [
        fx.station.spoil_card(&code).map(|_| ()),
        fx.station.print_card(&code, &ballot(3)).map(|_| ()),
    ] {
        match attempt {
            Err(Error::SpoilLimit { spoiled: 2 }) => {}
            other => panic!("expected spoil_limit, got {other:?}"),
        }
        assert_eq!(card_state(&fx), before, "nothing changed");
    }
    assert_eq!(
        Error::SpoilLimit { spoiled: 2 }.to_string(),
        "this code has had 2 spoiled cards: a poll worker must help the voter"
    );
    // The third card is still the voter's: it casts.
    fx.station
        .cast_ballot(&code, &ballot(2), &key_for(0))
        .expect("cast");
    assert_eq!(fx.station.card_counts().expect("counts").cast, 1);
    let _ = third;
}

#[test]
fn a_manifest_is_opened_only_with_the_office_key_and_only_beside_its_own_result() {
    let Day { mut fx, .. } = card_day(1403);
    let w = fx.worker();
    fx.station.close_polls(&w).expect("close");
    fx.count();
    fx.station
        .record_hand_count(
            &w,
            &[BoxCount {
                box_id: "A".into(),
                cards: 50,
            }],
        )
        .expect("hand count");
    let export = fx.station.export(&w, false, "results.jsonl").expect("export");
    let (_, manifest) = export.manifest.clone().expect("manifest");
    let key = fx.station.public_key().expect("key");
    let header = header_of(&export.result);
    // Another office's key.
    let other = SealKeyPair::derive(&[7u8; 32]);
    let e = open_manifest(&manifest, &key, &other).expect_err("another office key");
    assert_eq!(e.code(), "manifest_refused");
    assert!(e.to_string().contains("not to this office key"), "{e}");
    // Another signer than the station expected.
    let e = open_manifest(&manifest, &[9u8; 32], &office_pair()).expect_err("another station key");
    assert_eq!(e.code(), "manifest_refused");
    // A changed byte of the sealed payload.
    let mut changed = manifest.clone();
    let at = changed.len() - 10;
    changed[at] = if changed[at] == b'A' { b'B' } else { b'A' };
    assert_eq!(
        open_manifest(&changed, &key, &office_pair())
            .expect_err("changed")
            .code(),
        "manifest_refused"
    );
    // Beside a result of other records (its records.sha512 differs).
    let opened = open_manifest(&manifest, &key, &office_pair()).expect("open");
    opened.check_matches(&header).expect("its own result");
    let mut other_result = header.clone();
    other_result.records.sha512 = "0".repeat(128);
    let e = opened.check_matches(&other_result).expect_err("another result");
    assert!(e.to_string().contains("records_sha512"), "{e}");
    let mut other_boxes = header.clone();
    other_boxes.cards.boxes[0].cards = 49;
    assert!(opened.check_matches(&other_boxes).is_err());
}

#[test]
fn the_hand_count_before_close_or_with_bad_boxes_is_refused_and_changes_nothing() {
    let mut fx = cards_fixture(1404);
    fx.open();
    let code = fx.codes(1).remove(0);
    fx.station.print_card(&code, &ballot(0)).expect("print");
    fx.station
        .cast_ballot(&code, &ballot(0), &key_for(0))
        .expect("cast");
    let w = fx.worker();
    let good = [BoxCount {
        box_id: "A".into(),
        cards: 1,
    }];
    let e = fx.station.record_hand_count(&w, &good).expect_err("polls open");
    assert_eq!(e.code(), "wrong_mode");
    assert_eq!(fx.station.hand_count().expect("hand count"), None);
    fx.station.close_polls(&w).expect("close");
    let before = fx.station.hand_count().expect("hand count");
    assert_eq!(before, None);
    let b = |id: &str, cards: u64| BoxCount {
        box_id: id.into(),
        cards,
    };
    let many: Vec<BoxCount> = (0..65).map(|i| b(&format!("B{i}"), 0)).collect();
    for bad in [
        vec![],
        vec![b("", 1)],
        vec![b("A B", 1)],
        vec![b("box/1", 1)],
        vec![b("ABCDEFGHIJKLMNOPQ", 1)],
        vec![b("A", 1), b("A", 2)],
        vec![b("A", 1_000_001)],
        many,
    ] {
        let e = fx.station.record_hand_count(&w, &bad).expect_err("bad boxes");
        assert_eq!(e.code(), "bad_hand_count", "{bad:?}");
        assert_eq!(
            fx.station.hand_count().expect("hand count"),
            None,
            "nothing recorded"
        );
    }
    let r = fx.station.record_hand_count(&w, &good).expect("good boxes");
    assert_eq!((r.hand_count, r.cast, r.difference), (1, 1, 0));
}

#[test]
fn without_cards_nothing_about_cards_changes() {
    let mut fx = Fixture::seeded(1405);
    fx.open();
    let code = fx.codes(1).remove(0);
    assert!(matches!(
        fx.station.print_card(&code, &ballot(0)),
        Err(Error::CardsDisabled)
    ));
    fx.station
        .cast_ballot(&code, &ballot(0), &key_for(0))
        .expect("cast without a card");
    let w = fx.worker();
    fx.station.close_polls(&w).expect("close");
    fx.count();
    let export = fx.station.export(&w, false, "results.jsonl").expect("export");
    assert!(export.manifest.is_none());
    let header = header_of(&export.result);
    assert_eq!(header.cards, votekiosk::export::format::Cards::default());
    assert_eq!(fx.station.status().expect("status").cards, Default::default());
}

#[test]
fn test_cards_are_test_cards_and_go_when_the_polls_open() {
    let mut fx = cards_fixture(1406);
    fx.closing_key();
    let admin = fx.admin();
    fx.station.enter_test_mode(&admin).expect("test mode");
    let code = fx.codes(1).remove(0);
    let printed = fx.station.print_card(&code, &ballot(0)).expect("print");
    assert!(printed.test);
    fx.station
        .cast_ballot(&code, &ballot(0), &key_for(0))
        .expect("cast");
    let w = fx.worker();
    fx.station
        .record_hand_count(
            &w,
            &[BoxCount {
                box_id: "T".into(),
                cards: 1,
            }],
        )
        .expect("test hand count");
    let test_export = fx.station.export(&w, true, "test.jsonl").expect("test export");
    let (_, manifest) = test_export.manifest.expect("test manifest");
    // A test manifest opens with the published test key: it is sealed to it.
    let opened = open_manifest(&manifest, &fx.station.public_key().expect("key"), &office_pair())
        .expect("a test manifest needs no office key");
    assert!(opened.record_of(&printed.card).is_some());
    fx.station.open_polls(&w).expect("open");
    let status = fx.station.status().expect("status");
    assert_eq!(status.test_cards, Default::default());
    assert_eq!(status.cards, Default::default());
    assert_eq!(fx.station.hand_count().expect("hand count"), None);
}

/// A passphrase holder who slips in a ballot without a card (sealed to the
/// right keys, but with no card id, so that no card in any box can be
/// matched to it): the count stops, naming the record.
#[test]
fn a_ballot_without_a_card_slipped_into_a_station_with_cards_stops_the_count() {
    use votekiosk::seal::{Scope, Sealer, CARD_ID_LEN};

    let mut fx = cards_fixture(1407);
    fx.open();
    let codes = fx.codes(2);
    for (i, code) in codes.iter().enumerate() {
        fx.station.print_card(code, &ballot(i)).expect("print");
        fx.station
            .cast_ballot(code, &ballot(i), &key_for(i))
            .expect("cast");
    }
    let w = fx.worker();
    fx.station.close_polls(&w).expect("close");
    let def = cards_definition();
    let scope = Scope {
        definition_hash: def.hash().0,
        station_id: STATION_ID.into(),
        station_public_key: fx.station.public_key().expect("key"),
        test: false,
    };
    let closing = fx
        .station
        .closing_key()
        .expect("closing key")
        .expect("made")
        .public_key;
    let sealer = Sealer::new(scope, def.office.encryption.public_key, closing);
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(7);
    let forged = sealer
        .seal_ballot(
            &def,
            &Ballot::validate(&def, &ballot(3)).expect("valid"),
            &[0; CARD_ID_LEN],
            &mut rng,
        )
        .expect("seal");
    let unlocks = fx.unlocks();
    let position = fx.while_closed(|path| {
        let key = file_key(path);
        let conn = rusqlite::Connection::open(path).expect("open file");
        conn.execute_batch(&format!(
            "PRAGMA key = \"x'{}{}'\"; PRAGMA cipher_compatibility = 4;",
            hex::encode(*key.key),
            hex::encode(key.salt)
        ))
        .expect("key");
        conn.execute(
            "INSERT INTO sealed_ballots (id, test, blob) VALUES (?1, 0, ?2)",
            rusqlite::params![[7u8; 16].as_slice(), forged],
        )
        .expect("insert");
        let mut blobs = blobs(&conn, "SELECT blob FROM sealed_ballots");
        blobs.sort_unstable();
        blobs.iter().position(|b| *b == forged).expect("inserted") + 1
    });
    let w = fx.worker();
    let e = fx.station.count(&w, &unlocks).expect_err("the count stops");
    assert!(
        matches!(&e, Error::SealedRecord { position: p, reason } if *p == position && reason.contains("no ballot card id")),
        "{e:?}"
    );
    assert!(fx.station.counted().is_none());
}

/// The office counts a station that could not: from the sealed export and
/// the office key, the same records and the same card-to-record map, in a
/// manifest the office signs.
#[test]
fn the_office_count_writes_the_same_manifest_map_as_the_station() {
    use votekiosk::export::office::office_count_sealed;
    use votekiosk::export::sealed::read_sealed;

    let mut fx = cards_fixture(1408);
    fx.open();
    let codes = fx.codes(6);
    for (i, code) in codes.iter().enumerate() {
        fx.station.print_card(code, &ballot(i)).expect("print");
        if i == 2 {
            fx.station.spoil_card(code).expect("spoil");
            fx.station.print_card(code, &ballot(i)).expect("print again");
        }
        fx.station
            .cast_ballot(code, &ballot(i), &key_for(i))
            .expect("cast");
    }
    let w = fx.worker();
    fx.station.close_polls(&w).expect("close");
    fx.count();
    fx.station
        .record_hand_count(
            &w,
            &[BoxCount {
                box_id: "A".into(),
                cards: 6,
            }],
        )
        .expect("hand count");
    let export = fx.station.export(&w, false, "results.jsonl").expect("export");
    let station_key = fx.station.public_key().expect("key");
    let (_, manifest) = export.manifest.clone().expect("manifest");
    let by_station = open_manifest(&manifest, &station_key, &office_pair()).expect("station manifest");

    let mut seed = Zeroizing::new([0u8; 32]);
    hex::decode_to_slice(OFFICE_SIGNING_SECRET, seed.as_mut()).expect("hex");
    let office_signing = ed25519_dalek::SigningKey::from_bytes(&seed);
    let sealed = read_sealed(&export.sealed).expect("sealed export");
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(8);
    let counted = office_count_sealed(
        &sealed,
        &office_pair(),
        &office_signing,
        "2026-11-04T09:00:00.000Z".into(),
        votekiosk::export::software(),
        "office.manifest.jsonl",
        &mut rng,
    )
    .expect("office count");
    let (name, office_manifest) = counted.manifest.expect("office manifest");
    assert_eq!(name, "office.manifest.jsonl");
    let office_header = header_of(&counted.result);
    assert_eq!(office_header.cards, header_of(&export.result).cards);
    assert!(office_header
        .attachments
        .iter()
        .any(|a| a.kind == "audit-manifest"));
    // Signed by the office, not the station.
    assert!(open_manifest(&office_manifest, &station_key, &office_pair()).is_err());
    let by_office = open_manifest(
        &office_manifest,
        &office_signing.verifying_key().to_bytes(),
        &office_pair(),
    )
    .expect("office manifest");
    by_office.check_matches(&office_header).expect("its result");
    assert_eq!(by_office.cards, by_station.cards);
    assert_eq!(by_office.spoiled, by_station.spoiled);
    assert_eq!(by_office.spoiled.len(), 1);
}

/// The cast only encrypts the body of a record prepared when its code was
/// accepted (`check_code`, `print_card`). Played as an insider comparing the
/// records of a day where codes are checked twice, out of turn, printed
/// again, and refused before their cast: every record has wraps of its own
/// (no prepared record sealed two ballots, or a ballot and a card), and
/// each ballot opens with the office key to the ballot of its own card.
#[test]
fn every_record_has_its_own_data_key_whatever_order_codes_are_checked_printed_and_cast() {
    let mut fx = cards_fixture(41);
    fx.open();
    let codes = fx.codes(4);
    let (a, b, c, d) = (&codes[0], &codes[1], &codes[2], &codes[3]);
    let s = &mut fx.station;
    // A: printed, spoiled, printed again, cast.
    s.print_card(a, &ballot(0)).expect("print a");
    s.spoil_card(a).expect("spoil a");
    let card_a = s.print_card(a, &ballot(1)).expect("print a again");
    s.cast_ballot(a, &ballot(1), &key_for(0)).expect("cast a");
    // B: checked twice, printed, two casts refused before sealing, cast.
    s.check_code(b).expect("check b");
    s.check_code(b).expect("check b again");
    let card_b = s.print_card(b, &ballot(2)).expect("print b");
    assert!(matches!(
        s.cast_ballot(b, &ballot(2), "short"),
        Err(Error::InvalidInput(_))
    ));
    assert!(matches!(
        s.cast_ballot(b, &ballot(3), &key_for(1)),
        Err(Error::CardMismatch)
    ));
    s.cast_ballot(b, &ballot(2), &key_for(1)).expect("cast b");
    // C checked, then D printed; C's cast without its card refused; C
    // printed; D cast (C's prepared record is not D's), then C; C's request
    // repeated casts nothing.
    s.check_code(c).expect("check c");
    let card_d = s.print_card(d, &ballot(4)).expect("print d");
    assert!(matches!(
        s.cast_ballot(c, &ballot(5), &key_for(2)),
        Err(Error::CardNotPrinted)
    ));
    let card_c = s.print_card(c, &ballot(5)).expect("print c");
    s.cast_ballot(d, &ballot(4), &key_for(3)).expect("cast d");
    let receipt_c = s.cast_ballot(c, &ballot(5), &key_for(2)).expect("cast c");
    let again = s.cast_ballot(c, &ballot(5), &key_for(2)).expect("repeat c");
    assert_eq!(again.receipt, receipt_c.receipt);

    let (ballots, spoils) = as_insider(&fx.path, |conn| {
        (
            blobs(conn, "SELECT blob FROM sealed_ballots"),
            blobs(conn, "SELECT sealed FROM sealed_spoils"),
        )
    });
    assert_eq!((ballots.len(), spoils.len()), (4, 1));
    let mut ephemeral = std::collections::BTreeSet::new();
    for record in ballots.iter().chain(&spoils) {
        // The two wraps' HPKE ephemeral keys (docs/formats.md).
        for at in [12, 92] {
            assert!(
                ephemeral.insert(record[at..at + 32].to_vec()),
                "two records share a wrap"
            );
        }
    }
    let station = &fx.station;
    let scope = votekiosk::seal::Scope {
        definition_hash: station.definition().hash().0,
        station_id: station.station_id().to_string(),
        station_public_key: station.public_key().expect("public key"),
        test: false,
    };
    let office = office_pair();
    let opened: BTreeMap<[u8; votekiosk::seal::CARD_ID_LEN], Ballot> = ballots
        .iter()
        .map(|r| {
            let u = votekiosk::seal::open_record(
                r,
                station.definition(),
                &scope,
                &office,
                votekiosk::seal::Recipient::Office,
            )
            .expect("the office key opens every ballot");
            (u.card_id, u.ballot.clone())
        })
        .collect();
    for card in [card_a, card_b, card_c, card_d] {
        assert_eq!(opened.get(card.card.bytes()), Some(&card.ballot));
    }
}
