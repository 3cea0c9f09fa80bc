//! Tests of the audit of a contest: assertions and margins per kind,
//! phantoms and zombies, stop/escalate/hand count, the worked example of
//! docs/rla.md, and the simulations of the issue's "Done when" (fixed
//! seeds: the same audits on every run).

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use super::assertion::{Assertion, Cand};
use super::audit::{vote_of, ContestAudit, Next, Params, Pulled};
use super::risk::{self, GAMMA};
use crate::ballot::Choice;
use crate::definition::{Contest, ElectionDefinition};

const OFFICE: &str = r#"{"encryption":{"commitment":"2ed0bc0274d88532333adb94860aac535e60766d11a0800bbb7af8721dc9f115","fingerprint":"175b 30c6 8678 5048 c7fe 3707 5c2e 4023","public_key":"6549e6c27abe90a08c8380456398c22e9a7c25c01713216faa2710c198772532","suite":"x25519-hkdf-sha256/hkdf-sha256/chacha20-poly1305"},"signing":{"commitment":"5a7f777d6e229f137635e7eafcca3cdd0728067c3f136912b4ef89de30383044","fingerprint":"548b 1b5f 6f13 db33 2e58 deb6 854d 692c","public_key":"0ed83111c897c4f7b119d556bb37c73112e2f32d23e09b4aa71ddb7f39a47529"}}"#;

fn cand(id: &str) -> String {
    format!(r#"{{"id":"{id}","name":{{"en":"{id}"}}}}"#)
}

/// An election with every contest kind the audit knows.
fn definition() -> ElectionDefinition {
    let cands = |ids: &[&str]| ids.iter().map(|i| cand(i)).collect::<Vec<_>>().join(",");
    let json = format!(
        r#"{{"format":"votekiosk/2","title":{{"en":"Test"}},"date":"2026-05-12",
        "languages":[{{"code":"en","name":"English"}}],"office":{OFFICE},
        "window":{{"opens":"2026-05-12T08:00:00+02:00","closes":"2026-05-12T19:00:00+02:00"}},
        "contests":[
          {{"id":"mayor","kind":"candidate","title":{{"en":"Mayor"}},"write_ins":true,"candidates":[{}]}},
          {{"id":"council","kind":"candidate","seats":2,"title":{{"en":"Council"}},"candidates":[{}]}},
          {{"id":"pool","kind":"yesno","title":{{"en":"Pool?"}}}},
          {{"id":"charter","kind":"yesno","title":{{"en":"Charter?"}},"threshold":{{"numerator":2,"denominator":3}}}},
          {{"id":"board","kind":"approval","title":{{"en":"Board"}},"candidates":[{}]}},
          {{"id":"chair","kind":"ranked","title":{{"en":"Chair"}},"max_rankings":3,"candidates":[{}]}}
        ]}}"#,
        cands(&["ada", "ben", "cy"]),
        cands(&["ada", "ben", "cy", "dee"]),
        cands(&["ada", "ben", "cy"]),
        cands(&["ada", "ben", "cy"]),
    );
    ElectionDefinition::parse(json.as_bytes()).expect("test definition")
}

fn contest(id: &str) -> Contest {
    definition().contest(id).expect("contest").clone()
}

/// `counts[i]` cards marked `marks[i]`.
fn votes(groups: &[(&[Cand], usize)]) -> Vec<Vec<Cand>> {
    groups
        .iter()
        .flat_map(|(m, n)| std::iter::repeat(m.to_vec()).take(*n))
        .collect()
}

fn as_votes(v: &[Vec<Cand>]) -> Vec<Option<&[Cand]>> {
    v.iter().map(|m| Some(m.as_slice())).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn vote_for_n_asserts_every_winner_loser_pair_with_diluted_margins() {
    let c = contest("council");
    // 1,000 cards: ada 600, ben 500, cy 450, dee 100 marks (vote for 2).
    let records = votes(&[
        (&[0, 1], 400),
        (&[0, 2], 200),
        (&[1, 2], 100),
        (&[2, 3], 100),
        (&[3], 0),
        (&[], 200),
    ]);
    let audit = ContestAudit::new(&c, &as_votes(&records), 1_000).unwrap();
    assert_eq!(audit.winners, vec![0, 1]);
    assert_eq!(audit.assertions.len(), 4);
    let margin = |w, l| {
        audit
            .assertions
            .iter()
            .find(|(a, _)| *a == Assertion::Pairwise { winner: w, loser: l })
            .map(|(_, v)| *v)
            .unwrap()
    };
    // (votes(w) − votes(l)) / cards.
    assert!(close(margin(0, 2), (600.0 - 400.0) / 1000.0));
    assert!(close(margin(1, 2), (500.0 - 400.0) / 1000.0));
    assert!(close(margin(0, 3), (600.0 - 100.0) / 1000.0));
    // Cards without a record (phantoms in the frame) dilute the margin.
    let diluted = ContestAudit::new(&c, &as_votes(&records), 2_000).unwrap();
    assert!(diluted
        .assertions
        .iter()
        .zip(&audit.assertions)
        .all(|(d, a)| close(d.1 * 2.0, a.1)));
    let plan = audit.plan(&Params::default());
    assert!(close(plan.diluted_margin, 0.1));
    assert_eq!(
        plan.next,
        Next::Sample(
            plan.assertions
                .iter()
                .filter_map(|a| a.sample_size)
                .max()
                .unwrap()
        )
    );
}

#[test]
fn write_ins_are_one_line_and_a_choice_not_on_the_ballot_is_refused() {
    let c = contest("mayor");
    assert_eq!(vote_of(&c, &[Choice::Candidate("ben".into())]).unwrap(), vec![1]);
    assert_eq!(vote_of(&c, &[Choice::WriteIn("Zed Q".into())]).unwrap(), vec![3]);
    let err = vote_of(&c, &[Choice::Candidate("dee".into())]).unwrap_err();
    assert!(
        err.to_string()
            .contains("\"dee\" is not a choice of this contest"),
        "{err}"
    );
    assert!(vote_of(&c, &[Choice::Yes]).is_err());
    assert!(
        vote_of(&contest("council"), &[Choice::WriteIn("Zed".into())]).is_err(),
        "no write-ins there"
    );
    assert_eq!(vote_of(&contest("pool"), &[Choice::No]).unwrap(), vec![1]);
    // The write-in line is a loser like any other.
    let records = votes(&[(&[0], 50), (&[1], 30), (&[3], 20)]);
    let audit = ContestAudit::new(&c, &as_votes(&records), 100).unwrap();
    assert_eq!(audit.choices, ["ada", "ben", "cy", "write-in"]);
    assert!(audit
        .assertions
        .iter()
        .any(|(a, v)| *a == Assertion::Pairwise { winner: 0, loser: 3 } && close(*v, 0.3)));
}

#[test]
fn measures_use_majority_or_super_majority_assertions() {
    // Simple majority: yes 55, no 40, blank 5.
    let records = votes(&[(&[0], 55), (&[1], 40), (&[], 5)]);
    let audit = ContestAudit::new(&contest("pool"), &as_votes(&records), 100).unwrap();
    assert_eq!(audit.winners, vec![0]);
    assert_eq!(
        audit.assertions,
        vec![(Assertion::Pairwise { winner: 0, loser: 1 }, 0.15)]
    );
    // Two thirds, passed with 72 yes of 95 valid: SHANGRLA's assorter, u = 3/4.
    let records = votes(&[(&[0], 72), (&[1], 23), (&[], 5)]);
    let audit = ContestAudit::new(&contest("charter"), &as_votes(&records), 100).unwrap();
    let (a, v) = &audit.assertions[0];
    assert_eq!(
        *a,
        Assertion::SuperMajority {
            winner: 0,
            fraction: 2.0 / 3.0
        }
    );
    // v = 2·mean(A) − 1, A = 3/4 for yes, 0 for no, 1/2 blank.
    assert!(close(*v, 2.0 * (72.0 * 0.75 + 5.0 * 0.5) / 100.0 - 1.0));
    // Failed at 60 of 95: the reported outcome is that "no" has more than 1/3.
    let records = votes(&[(&[0], 60), (&[1], 35), (&[], 5)]);
    let audit = ContestAudit::new(&contest("charter"), &as_votes(&records), 100).unwrap();
    assert_eq!(audit.winners, vec![1]);
    let (a, v) = &audit.assertions[0];
    assert!(matches!(a, Assertion::SuperMajority { winner: 1, fraction } if close(*fraction, 1.0 / 3.0)));
    assert!(*v > 0.0 && audit.hand_count.is_none());
    // Exactly at the threshold: passed by the rules, but no margin to audit.
    let records = votes(&[(&[0], 60), (&[1], 30)]);
    let audit = ContestAudit::new(&contest("charter"), &as_votes(&records), 90).unwrap();
    assert_eq!(audit.winners, vec![0]);
    assert!(matches!(
        audit.plan(&Params::default()).next,
        Next::FullHandCount(_)
    ));
}

#[test]
fn ties_ranked_contests_and_too_many_records_need_a_hand_count_or_are_refused() {
    let records = votes(&[(&[0], 40), (&[1], 40), (&[2], 20)]);
    let audit = ContestAudit::new(&contest("mayor"), &as_votes(&records), 100).unwrap();
    let Next::FullHandCount(reason) = audit.plan(&Params::default()).next else {
        panic!("a tie must need a hand count")
    };
    assert!(reason.contains("tied"), "{reason}");
    let risk = audit.measure(
        &vec![
            Pulled::Card {
                record: Some(&[0]),
                paper: Some(&[0])
            };
            1000
        ],
        &Params::default(),
    );
    assert!(
        matches!(risk.next, Next::FullHandCount(_)) && risk.p_value == 1.0,
        "never confirmed"
    );

    let err = ContestAudit::new(&contest("chair"), &as_votes(&records), 100).unwrap_err();
    assert!(err.to_string().contains("RAIRE"), "{err}");

    let err = ContestAudit::new(&contest("mayor"), &as_votes(&records), 99).unwrap_err();
    assert!(
        err.to_string()
            .contains("100 cast vote records but only 99 cards"),
        "{err}"
    );
    assert!(err.to_string().contains("add 1 phantom"), "{err}");
    let bad = vec![Some(&[7u16][..])];
    assert!(ContestAudit::new(&contest("mayor"), &bad, 10).is_err());
}

/// A clean sample of the planned size stops; one draw fewer does not
/// (never stops early); a phantom or a zombie is a two-vote overstatement.
#[test]
fn stop_escalate_phantoms_and_zombies() {
    let records = votes(&[(&[0], 520), (&[1], 430), (&[], 50)]);
    let audit = ContestAudit::new(&contest("mayor"), &as_votes(&records), 1_000).unwrap();
    let params = Params {
        o1_rate: 0.0,
        o2_rate: 0.0,
        ..Params::default()
    };
    let Next::Sample(n) = audit.plan(&params).next else {
        panic!()
    };
    let clean = Pulled::Card {
        record: Some(&[0]),
        paper: Some(&[0]),
    };
    let mut pulled = vec![clean; n as usize];
    assert_eq!(audit.measure(&pulled, &params).next, Next::Confirmed);
    pulled.pop();
    let risk = audit.measure(&pulled, &params);
    assert!(matches!(risk.next, Next::Sample(m) if m == n), "{risk:?}");
    assert!(risk.p_value > 0.05);

    for worst in [Pulled::NoCard, Pulled::NoRecord] {
        let mut with = vec![clean; n as usize];
        with[0] = worst;
        let risk = audit.measure(&with, &params);
        let ada_ben = &risk.assertions[0];
        assert_eq!(ada_ben.counts.two_vote_over, 1);
        assert_eq!(ada_ben.counts.phantoms_and_zombies, 1);
        // The same as a card recorded for the winner whose paper shows the loser.
        let mut flipped = vec![clean; n as usize];
        flipped[0] = Pulled::Card {
            record: Some(&[0]),
            paper: Some(&[1]),
        };
        assert!(close(
            ada_ben.p_value,
            audit.measure(&flipped, &params).assertions[0].p_value
        ));
        let Next::Sample(more) = risk.next else {
            panic!("{risk:?}")
        };
        assert!(more > n);
    }
    // Discrepancies at every draw: the sample doubles, round after
    // round, until it would reach the cards: a full hand count.
    let bad = Pulled::Card {
        record: Some(&[0]),
        paper: Some(&[1]),
    };
    let mut pulled = vec![bad; 20];
    let mut rounds = Vec::new();
    let reason = loop {
        match audit.measure(&pulled, &params).next {
            Next::Sample(m) => {
                rounds.push(m);
                pulled.resize(m as usize, bad);
            }
            Next::FullHandCount(reason) => break reason,
            Next::Confirmed => panic!("confirmed a wrong outcome"),
        }
    };
    assert_eq!(rounds, [40, 80, 160, 320, 640]);
    assert!(reason.contains("escalation limit of 1000"), "{reason}");
    // An escalation limit below the needed sample: a hand count.
    let limited = Params {
        escalation_limit: Some(n),
        ..params
    };
    let mut one_off = vec![clean; n as usize];
    one_off[0] = Pulled::Card {
        record: Some(&[0]),
        paper: Some(&[]),
    };
    assert!(matches!(
        audit.measure(&one_off, &limited).next,
        Next::FullHandCount(_)
    ));
}

/// The numbers of docs/rla.md § Worked example.
#[test]
fn worked_example() {
    // 1,000 cards in two boxes: Ada 520, Ben 430, 50 blank.
    let records = votes(&[(&[0], 520), (&[1], 430), (&[], 50)]);
    let audit = ContestAudit::new(&contest("mayor"), &as_votes(&records), 1_000).unwrap();
    let ada_ben = audit
        .assertions
        .iter()
        .find(|(a, _)| *a == Assertion::Pairwise { winner: 0, loser: 1 })
        .unwrap();
    assert!(close(ada_ben.1, 0.09));
    // No discrepancy expected: ⌈ln 0.05 / ln(1 − 0.09/(2·1.03905))⌉ = 68.
    assert_eq!(risk::initial_sample_size(0.09, 0.05, GAMMA, 0.0, 0.0), Some(68));
    // With Arlo's expected rates (1 in 1,000 one-vote, 1 in 10,000
    // two-vote overstatements) the plan allows for one: 83.
    let plan = audit.plan(&Params::default());
    assert_eq!(plan.next, Next::Sample(83));
    // The 83 cards: one card recorded for Ada shows no mark, one recorded
    // blank shows Ben (two one-vote overstatements); the rest agree.
    let clean = Pulled::Card {
        record: Some(&[0]),
        paper: Some(&[0]),
    };
    let mut pulled = vec![clean; 83];
    pulled[10] = Pulled::Card {
        record: Some(&[0]),
        paper: Some(&[]),
    };
    pulled[40] = Pulled::Card {
        record: Some(&[]),
        paper: Some(&[1]),
    };
    let risk = audit.measure(&pulled, &Params::default());
    let p = risk.assertions.iter().find(|a| a.assertion == ada_ben.0).unwrap();
    assert_eq!(p.counts.one_vote_over, 2);
    eprintln!("worked example: p {} next {:?}", p.p_value, risk.next);
    assert!((p.p_value - 0.0942).abs() < 5e-5, "{}", p.p_value);
    assert_eq!(risk.next, Next::Sample(113));
    // The further cards agree: confirmed.
    pulled.resize(113, clean);
    let risk = audit.measure(&pulled, &Params::default());
    eprintln!("worked example: p {} next {:?}", risk.p_value, risk.next);
    assert_eq!(risk.next, Next::Confirmed);
    assert!((risk.p_value - 0.0250).abs() < 5e-5, "{}", risk.p_value);
}

/// One audit to its end, pulling uniformly at random (with replacement)
/// from `records`/`paper`: `Some(draws)` if it stopped, `None` if it
/// ended in a full hand count.
fn run(
    audit: &ContestAudit,
    records: &[Vec<Cand>],
    paper: &[Vec<Cand>],
    rng: &mut StdRng,
    params: &Params,
) -> Option<u64> {
    let mut pulled: Vec<Pulled<'_>> = Vec::new();
    let mut target = match audit.plan(params).next {
        Next::Sample(n) => n,
        Next::Confirmed => return Some(0),
        Next::FullHandCount(_) => return None,
    };
    loop {
        while (pulled.len() as u64) < target {
            let i = rng.gen_range(0..records.len());
            pulled.push(Pulled::Card {
                record: Some(&records[i]),
                paper: Some(&paper[i]),
            });
        }
        match audit.measure(&pulled, params).next {
            Next::Confirmed => return Some(target),
            Next::Sample(n) => target = n,
            Next::FullHandCount(_) => return None,
        }
    }
}

/// `votes` shuffled with `rng`.
fn shuffled(mut v: Vec<Vec<Cand>>, rng: &mut StdRng) -> Vec<Vec<Cand>> {
    v.shuffle(rng);
    v
}

/// Runs 200 audits where the paper agrees with the records and 200 where
/// the records' winner is not the paper's: every honest audit stops
/// within its planned sample; at most 17 of the wrong ones stop without
/// a full hand count (a 5 % risk limit plus sampling slack).
fn simulate(
    contest: &Contest,
    honest: Vec<Vec<Cand>>,
    wrong_records: Vec<Vec<Cand>>,
    wrong_paper: Vec<Vec<Cand>>,
) -> (u32, u32) {
    let params = Params::default();
    let cards = honest.len() as u64;
    let honest_audit = ContestAudit::new(contest, &as_votes(&honest), cards).unwrap();
    let Next::Sample(planned) = honest_audit.plan(&params).next else {
        panic!("no plan")
    };
    let wrong_audit =
        ContestAudit::new(contest, &as_votes(&wrong_records), wrong_records.len() as u64).unwrap();
    assert_eq!(
        ContestAudit::new(contest, &as_votes(&wrong_paper), cards)
            .unwrap()
            .hand_count,
        None,
        "the paper has a clear winner"
    );
    assert_ne!(
        ContestAudit::new(contest, &as_votes(&wrong_paper), cards)
            .unwrap()
            .winners,
        wrong_audit.winners,
        "the kiosk recorded a wrong outcome"
    );
    let mut honest_stops = 0;
    let mut wrong_stops = 0;
    for seed in 0..200u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let stopped = run(&honest_audit, &honest, &honest, &mut rng, &params);
        assert!(
            matches!(stopped, Some(n) if n <= planned),
            "audit {seed}: {stopped:?} > {planned}"
        );
        honest_stops += 1;
        if run(&wrong_audit, &wrong_records, &wrong_paper, &mut rng, &params).is_some() {
            wrong_stops += 1;
        }
    }
    assert!(
        wrong_stops <= 17,
        "{wrong_stops} of 200 audits confirmed a wrong outcome"
    );
    (honest_stops, wrong_stops)
}

/// A close plurality contest (4,000 cards, 41.3 % against 39 %); the
/// wrong kiosk moved 50 of Ben's votes to Ada, turning a 10-vote loss
/// into a 90-vote win.
#[test]
fn simulated_plurality_audits_stop_when_right_and_catch_a_wrong_winner() {
    let mut rng = StdRng::seed_from_u64(14);
    let c = contest("mayor");
    let honest = shuffled(
        votes(&[(&[0], 1650), (&[1], 1560), (&[2], 600), (&[3], 40), (&[], 150)]),
        &mut rng,
    );
    let paper = votes(&[(&[0], 1600), (&[1], 1610), (&[2], 600), (&[3], 40), (&[], 150)]);
    let mut records = paper.clone();
    records
        .iter_mut()
        .filter(|v| v[..] == [1])
        .take(50)
        .for_each(|v| *v = vec![0]);
    let (_, wrong) = simulate(&c, honest, records, paper);
    eprintln!("plurality: {wrong} of 200 wrong outcomes confirmed");
}

/// Approval: the wrong kiosk added an approval of Ada to 70 cards whose
/// paper does not approve her (one-vote overstatements).
#[test]
fn simulated_approval_audits() {
    let mut rng = StdRng::seed_from_u64(15);
    let c = contest("board");
    let honest = shuffled(
        votes(&[
            (&[0, 1], 900),
            (&[0], 600),
            (&[1], 560),
            (&[1, 2], 400),
            (&[2], 500),
            (&[], 40),
        ]),
        &mut rng,
    );
    // Paper: Ben 1,860, Ada 1,820; records: Ada 1,890, Ben 1,860.
    let paper = votes(&[
        (&[0, 1], 900),
        (&[0], 920),
        (&[1], 560),
        (&[1, 2], 400),
        (&[2], 150),
        (&[], 70),
    ]);
    let mut records = paper.clone();
    records
        .iter_mut()
        .filter(|v| v.is_empty())
        .take(70)
        .for_each(|v| *v = vec![0]);
    let (_, wrong) = simulate(&c, honest, records, paper);
    eprintln!("approval: {wrong} of 200 wrong outcomes confirmed");
}

/// A two-thirds measure: passed with 70 % of the valid votes; the wrong
/// kiosk recorded 60 "no" cards as "yes", passing a measure the paper fails.
#[test]
fn simulated_super_majority_audits() {
    let mut rng = StdRng::seed_from_u64(16);
    let c = contest("charter");
    let honest = shuffled(votes(&[(&[0], 2100), (&[1], 900), (&[], 100)]), &mut rng);
    // Paper: 1,990 yes of 3,000 (66.3 %); records: 2,050 (68.3 %).
    let paper = votes(&[(&[0], 1990), (&[1], 1010), (&[], 100)]);
    let mut records = paper.clone();
    records
        .iter_mut()
        .filter(|v| v[..] == [1])
        .take(60)
        .for_each(|v| *v = vec![0]);
    let (_, wrong) = simulate(&c, honest, records, paper);
    eprintln!("super-majority: {wrong} of 200 wrong outcomes confirmed");
}
