//! Unit tests of sealed records: layout, length, keys, bindings, ids.

use rand::SeedableRng;

use super::*;
use crate::ballot::SelectionsInput;

fn definition() -> ElectionDefinition {
    ElectionDefinition::parse(include_bytes!("../../examples/demo-election.json")).expect("demo definition")
}

fn ballot(d: &ElectionDefinition, pairs: &[(&str, &[&str])]) -> Ballot {
    let input: SelectionsInput = pairs
        .iter()
        .map(|(c, v)| (c.to_string(), v.iter().map(|s| s.to_string()).collect()))
        .collect();
    Ballot::validate(d, &input).expect("valid ballot")
}

fn scope(test: bool) -> Scope {
    Scope {
        definition_hash: definition().hash().0,
        station_id: "RIVERSIDE-1".into(),
        station_public_key: [7; 32],
        test,
    }
}

fn pair(label: u8) -> SealKeyPair {
    SealKeyPair::derive(&[label; 32])
}

fn rng(seed: u64) -> rand::rngs::StdRng {
    rand::rngs::StdRng::seed_from_u64(seed)
}

#[test]
fn the_binding_and_info_follow_the_layout() {
    let s = scope(false);
    let b = s.binding(Kind::Ballot);
    let mut h = Sha256::new();
    for part in [
        LABEL,
        &s.definition_hash[..],
        s.station_id.as_bytes(),
        &s.station_public_key[..],
        &[0u8][..],
        b"ballot",
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    assert_eq!(b, <[u8; 32]>::from(h.finalize()));
    let i = info(&b, Recipient::Closing);
    assert_eq!(i.len(), 49);
    assert_eq!(&i[..16], b"votekiosk-seal/2");
    assert_eq!(&i[16..48], &b);
    assert_eq!(i[48], 2);
    assert_eq!(info(&b, Recipient::Office)[48], 1);
    // Every part changes the binding.
    let others = [
        scope(true).binding(Kind::Ballot),
        s.binding(Kind::SpoiledCard),
        Scope {
            station_id: "RIVERSIDE-2".into(),
            ..s.clone()
        }
        .binding(Kind::Ballot),
        Scope {
            station_public_key: [8; 32],
            ..s.clone()
        }
        .binding(Kind::Ballot),
        Scope {
            definition_hash: [0; 32],
            ..s.clone()
        }
        .binding(Kind::Ballot),
    ];
    for other in others {
        assert_ne!(other, b);
    }
}

#[test]
fn a_record_opens_with_either_key_to_the_same_ballot_and_id() {
    let d = definition();
    let (office, closing) = (pair(1), pair(2));
    let sealer = Sealer::new(scope(false), office.public(), closing.public());
    let cast = ballot(
        &d,
        &[("mayor", &["write-in:Zebulon Q"]), ("library-bond", &["no"])],
    );
    let record = sealer
        .seal_ballot(&d, &cast, &[0; CARD_ID_LEN], &mut rng(1))
        .expect("seal");
    assert_eq!(record.len(), record_length(&d));
    assert_eq!(&record[..4], b"VK2S");
    assert_eq!(record[4..8], [1, 0, 0, 0]);
    assert_eq!(
        u32::from_be_bytes(record[8..12].try_into().expect("4 bytes")) as usize,
        plaintext_length(&d)
    );
    let by_office =
        open_record(&record, &d, &scope(false), &office, Recipient::Office).expect("office opens");
    let by_closing =
        open_record(&record, &d, &scope(false), &closing, Recipient::Closing).expect("closing opens");
    assert_eq!(
        by_office.record_id, by_closing.record_id,
        "the same public id whoever opens it"
    );
    assert_eq!(by_office.ballot.selections(), cast.selections());
    assert_eq!(by_closing.ballot.selections(), cast.selections());
    // Neither key opens the other's wrap.
    assert_eq!(
        open_record(&record, &d, &scope(false), &office, Recipient::Closing).err(),
        Some(RecordFault::WrongKey)
    );
    assert_eq!(
        open_record(&record, &d, &scope(false), &pair(3), Recipient::Office).err(),
        Some(RecordFault::WrongKey)
    );
}

#[test]
fn the_record_id_is_derived_from_the_data_key() {
    let d = definition();
    let closing = pair(2);
    let s = scope(false);
    let sealer = Sealer::new(s.clone(), pair(1).public(), closing.public());
    let cast = ballot(&d, &[]);
    // The first 32 bytes the generator gives are the data key.
    let mut data_key = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rng(5), &mut data_key);
    let record = sealer
        .seal_ballot(&d, &cast, &[0; CARD_ID_LEN], &mut rng(5))
        .expect("seal");
    let opened = open_record(&record, &d, &s, &closing, Recipient::Closing).expect("open");
    let mut expected = [0u8; 16];
    Hkdf::<Sha256>::new(Some(&s.binding(Kind::Ballot)), &data_key)
        .expand(b"votekiosk-record-id/2", &mut expected)
        .expect("hkdf");
    assert_eq!(opened.record_id, expected);
    // Two seals of the same ballot: different records, different ids.
    let again = sealer
        .seal_ballot(&d, &cast, &[0; CARD_ID_LEN], &mut rng(6))
        .expect("seal");
    assert_ne!(again, record);
    let opened_again = open_record(&again, &d, &s, &closing, Recipient::Closing).expect("open");
    assert_ne!(opened_again.record_id, opened.record_id);
}

#[test]
fn every_record_of_a_definition_has_one_length() {
    let d = definition();
    let sealer = Sealer::new(scope(false), pair(1).public(), pair(2).public());
    let long = format!("write-in:{}", "\u{1F600}".repeat(60));
    let ballots = [
        ballot(&d, &[]),
        ballot(&d, &[("mayor", &[long.as_str()])]),
        ballot(
            &d,
            &[
                ("mayor", &["alvarez"]),
                ("council", &["diaz", "gupta"]),
                ("library-bond", &["yes"]),
                ("parks-board", &["hill", "jones"]),
                ("school-board", &["lopez", "kim", "moore"]),
            ],
        ),
    ];
    for (i, b) in ballots.iter().enumerate() {
        let record = sealer
            .seal_ballot(&d, b, &[0; CARD_ID_LEN], &mut rng(i as u64))
            .expect("seal");
        assert_eq!(record.len(), OVERHEAD + plaintext_length(&d), "ballot {i}");
    }
}

#[test]
fn a_record_moved_to_another_station_election_or_mode_does_not_open() {
    let d = definition();
    let closing = pair(2);
    let s = scope(false);
    let sealer = Sealer::new(s.clone(), pair(1).public(), closing.public());
    let record = sealer
        .seal_ballot(&d, &ballot(&d, &[]), &[0; CARD_ID_LEN], &mut rng(1))
        .expect("seal");
    let elsewhere = Scope {
        station_id: "RIVERSIDE-2".into(),
        ..s.clone()
    };
    assert_eq!(
        open_record(&record, &d, &elsewhere, &closing, Recipient::Closing).err(),
        Some(RecordFault::WrongKey)
    );
    // Any changed byte is refused.
    for at in [5, 12, 100, 150, record.len() - 1] {
        let mut changed = record.clone();
        changed[at] ^= 1;
        assert!(
            open_record(&changed, &d, &s, &closing, Recipient::Closing).is_err(),
            "byte {at} changed"
        );
    }
    assert!(matches!(
        open_record(&record[1..], &d, &s, &closing, Recipient::Closing),
        Err(RecordFault::Malformed(_))
    ));
}

#[test]
fn test_records_go_to_the_test_key_and_stop_an_official_count() {
    let d = definition();
    let (office, closing) = (pair(1), pair(2));
    // In test mode both wraps go to the published test key, whatever is passed.
    let sealer = Sealer::new(scope(true), office.public(), closing.public());
    assert_eq!(
        (sealer.office, sealer.closing),
        (TEST_PUBLIC_KEY, TEST_PUBLIC_KEY)
    );
    let record = sealer
        .seal_ballot(
            &d,
            &ballot(&d, &[("library-bond", &["yes"])]),
            &[0; CARD_ID_LEN],
            &mut rng(1),
        )
        .expect("seal");
    assert_eq!(record[5], 1, "the test flag");
    let test_key = SealKeyPair::test();
    for r in [Recipient::Office, Recipient::Closing] {
        open_record(&record, &d, &scope(true), &test_key, r).expect("the test key opens a test ballot");
    }
    assert_eq!(
        open_record(&record, &d, &scope(false), &closing, Recipient::Closing).err(),
        Some(RecordFault::TestBallot)
    );
    assert!(matches!(
        RecordFault::TestBallot.at(4),
        Error::TestBallotInOfficialCount { position: 4 }
    ));
    assert!(RecordFault::TestBallot
        .at(4)
        .to_string()
        .contains("a test ballot in an official count"));
}

#[test]
fn a_prepared_record_is_finished_into_the_same_record_a_seal_makes() {
    let d = definition();
    let (office, closing) = (pair(1), pair(2));
    let s = scope(false);
    let sealer = Sealer::new(s.clone(), office.public(), closing.public());
    let cast = ballot(&d, &[("mayor", &["chen"]), ("library-bond", &["yes"])]);
    let card = [9u8; CARD_ID_LEN];
    // The same generator state gives the same record either way: preparing
    // first changes when the wraps are made, not what is written.
    let whole = sealer.seal_ballot(&d, &cast, &card, &mut rng(3)).expect("seal");
    let prepared = sealer.prepare_ballot(&d, &mut rng(3)).expect("prepare");
    let head = prepared.head.clone();
    let finished = sealer
        .seal_ballot_prepared(&d, &cast, &card, Some(prepared), &mut rng(99))
        .expect("finish");
    assert_eq!(finished, whole);
    assert_eq!(&finished[..WRAPS_END], &head[..], "the prepared wraps were used");
    for (key, r) in [(&office, Recipient::Office), (&closing, Recipient::Closing)] {
        let opened = open_record(&finished, &d, &s, key, r).expect("opens");
        assert_eq!(opened.ballot.selections(), cast.selections());
        assert_eq!(opened.card_id, card);
    }
}

#[test]
fn a_record_prepared_for_other_keys_or_another_mode_is_not_used() {
    let d = definition();
    let (office, closing, new_closing) = (pair(1), pair(2), pair(3));
    let s = scope(false);
    let now = Sealer::new(s.clone(), office.public(), new_closing.public());
    let cast = ballot(&d, &[("library-bond", &["no"])]);
    let stale = [
        // Made before the closing key changed ...
        Sealer::new(s.clone(), office.public(), closing.public()).prepare_ballot(&d, &mut rng(1)),
        // ... in test mode (the test key twice, the test binding) ...
        Sealer::new(scope(true), office.public(), new_closing.public()).prepare_ballot(&d, &mut rng(2)),
        // ... for another station ...
        Sealer::new(
            Scope {
                station_id: "RIVERSIDE-2".into(),
                ..s.clone()
            },
            office.public(),
            new_closing.public(),
        )
        .prepare_ballot(&d, &mut rng(3)),
        // ... or for a spoiled card, not a ballot.
        Prepared::new(
            Kind::SpoiledCard,
            &s,
            &office.public(),
            &new_closing.public(),
            plaintext_length(&d),
            &mut rng(4),
        ),
    ];
    for (i, prepared) in stale.into_iter().enumerate() {
        let prepared = prepared.expect("prepare");
        assert!(
            !prepared.is_for(Kind::Ballot, &now, plaintext_length(&d)),
            "case {i}"
        );
        let head = prepared.head.clone();
        let record = now
            .seal_ballot_prepared(
                &d,
                &cast,
                &[0; CARD_ID_LEN],
                Some(prepared),
                &mut rng(50 + i as u64),
            )
            .expect("seal");
        assert_ne!(
            &record[..WRAPS_END],
            &head[..],
            "case {i}: the stale wraps were used"
        );
        // The record is sealed to the keys of now: the new closing key opens it.
        open_record(&record, &d, &s, &new_closing, Recipient::Closing).expect("the new closing key opens");
        assert_eq!(
            open_record(&record, &d, &s, &closing, Recipient::Closing).err(),
            Some(RecordFault::WrongKey),
            "case {i}: the old closing key opens it"
        );
    }
}

#[test]
fn a_prepared_record_refuses_a_plaintext_of_another_length() {
    let d = definition();
    let sealer = Sealer::new(scope(false), pair(1).public(), pair(2).public());
    let prepared = sealer.prepare_ballot(&d, &mut rng(1)).expect("prepare");
    let short = vec![0u8; plaintext_length(&d) - 1];
    assert!(matches!(prepared.finish(&short), Err(Error::InvalidInput(_))));
}
