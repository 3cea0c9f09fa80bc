//! Tests of RAIRE: the Guide to RAIRE's worked example and the paper's
//! small examples reproduced, random small elections checked against a
//! brute-force search over every assertion, bad input refused, and audit
//! simulations (paper = records; a kiosk that recorded a wrong winner).

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use super::*;

// The guide's candidates.
const A: Cand = 0; // Alice
const B: Cand = 1; // Bob
const C: Cand = 2; // Chuan
const D: Cand = 3; // Diego

fn ballots(groups: &[(&[Cand], usize)]) -> Vec<Vec<Cand>> {
    groups
        .iter()
        .flat_map(|(ranking, n)| std::iter::repeat_n(ranking.to_vec(), *n))
        .collect()
}

fn neb(winner: Cand, loser: Cand) -> Assertion {
    Assertion::NotEliminatedBefore { winner, loser }
}

fn nen(winner: Cand, loser: Cand, continuing: &[Cand]) -> Assertion {
    let mut continuing = continuing.to_vec();
    continuing.sort_unstable();
    Assertion::NotEliminatedNext {
        winner,
        loser,
        continuing,
    }
}

/// The guide's part 2, example 1: Chuan wins (Bob, Diego, Alice
/// eliminated in that order); 13,500 ballots.
fn guide_example() -> Vec<Vec<Cand>> {
    ballots(&[
        (&[C, B, A], 5000),
        (&[B, C, D], 1000),
        (&[D, A], 1500),
        (&[A, D], 4000),
        (&[D], 2000),
    ])
}

/// An assertion's margin in votes computed from the SHANGRLA assorter
/// alone: Σ (2·assort − 1) over the records (the guide's score sum).
fn assorter_margin(assertion: &Assertion, cvrs: &[Vec<Cand>]) -> f64 {
    cvrs.iter()
        .map(|v| 2.0 * assertion.assort(Some(v.as_slice())) - 1.0)
        .sum()
}

fn found_by_search(result: &RaireResult) -> Vec<(Assertion, u64)> {
    let mut all: Vec<(Assertion, u64)> = result
        .assertions
        .iter()
        .chain(&result.redundant)
        .map(|a| (a.assertion.clone(), a.margin))
        .collect();
    all.sort_by_key(|(a, _)| describe(a));
    all
}

#[test]
fn the_guides_worked_example_gives_the_guides_assertions_and_margins() {
    let cvrs = guide_example();
    let result = raire_assertions(4, &cvrs, C, 13_500, Difficulty::default()).expect("auditable");
    assert_eq!(result.elimination_order, vec![B, D, A, C]);

    // The guide's audit after the search with diving (part 2, p. 27),
    // with the margins its tables give (difficulty = 13,500 / margin).
    let mut guide = vec![
        (nen(C, A, &[A, C]), 500),
        (neb(C, B), 4000),
        (nen(A, D, &[A, C, D]), 500),
        (nen(A, D, &[A, D]), 4500),
        (nen(C, D, &[A, C, D]), 2500),
        (nen(A, B, &[A, B, C, D]), 3000),
    ];
    guide.sort_by_key(|(a, _)| describe(a));
    assert_eq!(found_by_search(&result), guide);
    for (assertion, margin) in &guide {
        assert_eq!(
            assorter_margin(assertion, &cvrs),
            *margin as f64,
            "{}",
            describe(assertion)
        );
    }
    let difficulties: Vec<(String, f64)> = result
        .assertions
        .iter()
        .chain(&result.redundant)
        .map(|a| (describe(&a.assertion), (a.difficulty * 1000.0).round() / 1000.0))
        .collect();
    for (name, expected) in [
        ("NEN 2 > 0 if only {0, 2} remain", 27.0),
        ("2 NEB 1", 3.375),
        ("NEN 0 > 3 if only {0, 2, 3} remain", 27.0),
        ("NEN 0 > 3 if only {0, 3} remain", 3.0),
        ("NEN 2 > 3 if only {0, 2, 3} remain", 5.4),
        ("NEN 0 > 1 if only {0, 1, 2, 3} remain", 4.5),
    ] {
        assert!(
            difficulties.contains(&(name.to_string(), expected)),
            "{name} {expected}: {difficulties:?}"
        );
    }
    assert_eq!(result.difficulty, 27.0);
    assert_eq!(result.margin, Some(500));

    // The redundancy filter drops "NEN Alice > Diego if only {Alice,
    // Diego} remain": the two orders it rules out are ruled out by
    // "Chuan NEB Bob" and "NEN Chuan > Diego if only {Alice, Chuan, Diego}"
    // (the example raire-rs's documentation gives for its trimming).
    assert_eq!(
        result
            .redundant
            .iter()
            .map(|a| a.assertion.clone())
            .collect::<Vec<_>>(),
        vec![nen(A, D, &[A, D])]
    );
    assert_eq!(result.assertions.len(), 5);

    // Every alternative elimination order is ruled out, by the audited
    // set and by the guide's own set of six.
    let audited: Vec<Assertion> = result.assertions.iter().map(|a| a.assertion.clone()).collect();
    assert_eq!(check_coverage(4, C, &audited), Vec::<Vec<Cand>>::new());
    let guides: Vec<Assertion> = guide.iter().map(|(a, _)| a.clone()).collect();
    assert_eq!(check_coverage(4, C, &guides), Vec::<Vec<Cand>>::new());
    // The search without diving also chose "NEN Diego > Bob if only
    // {Alice, Bob, Chuan, Diego} remain"; the guide calls it redundant
    // and the search with diving never takes it.
    assert!(!audited.contains(&nen(D, B, &[A, B, C, D])));
    // Each audited assertion holds: its assorter's mean exceeds 1/2.
    for a in &result.assertions {
        let mean = cvrs.iter().map(|v| a.assertion.assort(Some(v))).sum::<f64>() / 13_500.0;
        assert!(mean > 0.5, "{}", describe(&a.assertion));
        assert!((2.0 * mean - 1.0 - a.diluted_margin).abs() < 1e-12);
    }
}

#[test]
fn the_guides_neb_tables_match() {
    // Part 2, table 1.1: only "Chuan NEB Bob" can be formed, 5000 vs 1000.
    let votes = Votes::new(4, &guide_example()).expect("votes");
    let m = votes.neb_margins();
    assert_eq!(m[usize::from(C)][usize::from(B)], 4000);
    for (w, l, margin) in [
        (B, A, 1000 - 5500),
        (C, A, 5000 - 5500),
        (D, A, 3500 - 9000),
        (A, B, 4000 - 6000),
        (D, B, 3500 - 6000),
        (A, D, 4000 - 4500),
        // The guide prints 3500 (Diego's first preferences) here, against
        // its own rule: (A, D) and (D, A) also rank Diego without Bob
        // before him. Either way the assertion cannot be formed.
        (B, D, 1000 - 7500),
        (C, D, 5000 - 7500),
    ] {
        assert_eq!(m[usize::from(w)][usize::from(l)], margin, "{w} NEB {l}");
    }
}

#[test]
fn the_guides_second_example_picks_the_least_cost_audit() {
    // Part 2, example 2: the first-level audit (Chuan NEB Alice, Chuan NEB
    // Bob) costs 10.25; the optimum is 4.6 with "NEN Chuan > Bob if only
    // {Bob, Chuan} remain" instead of Chuan NEB Bob.
    let cvrs = ballots(&[
        (&[A, B, C], 5000),
        (&[A, C], 5000),
        (&[B, C, A], 5000),
        (&[B], 6000),
        (&[C, B], 10000),
        (&[C], 10000),
    ]);
    let result = raire_assertions(3, &cvrs, C, 41_000, Difficulty::default()).expect("auditable");
    let audited: Vec<Assertion> = result.assertions.iter().map(|a| a.assertion.clone()).collect();
    assert!(audited.contains(&nen(C, B, &[B, C])), "{audited:?}");
    assert!(!audited.contains(&neb(C, B)));
    assert!((result.difficulty - 41_000.0 / 9000.0).abs() < 1e-9);
    assert!(check_coverage(3, C, &audited).is_empty());
}

#[test]
fn check_coverage_follows_the_guides_part_one() {
    // Part 1, "Visualizing assertions": Alice NEB Chuan alone leaves Bob
    // three ways to win.
    let open = check_coverage(4, A, &[neb(A, C)]);
    let bob: Vec<Vec<Cand>> = open.into_iter().filter(|o| o.last() == Some(&B)).collect();
    let mut expected = vec![vec![D, C, A, B], vec![C, D, A, B], vec![C, A, D, B]];
    expected.sort();
    let mut bob = bob;
    bob.sort();
    assert_eq!(bob, expected);
    // With Alice NEB Diego and "NEN Alice > Bob if only {Alice, Bob}
    // remain", Alice is the only possible winner.
    assert!(check_coverage(4, A, &[neb(A, C), neb(A, D), nen(A, B, &[A, B])]).is_empty());
    // Exercise 4's solution (Alice, Bob, Chuan; Chuan wins).
    assert!(check_coverage(3, C, &[neb(C, A), nen(C, B, &[B, C])]).is_empty());
    // No assertions: every order where someone else wins is open.
    assert_eq!(check_coverage(3, C, &[]).len(), 4);
}

#[test]
fn the_assorters_score_as_the_guides_tables() {
    // Part 1, examples 8 and 9 and exercises 9 and 10: scores are
    // 2·assort − 1 (1 for the assertion's winner, −1 for its loser).
    let score = |a: &Assertion, v: &[Cand]| 2.0 * a.assort(Some(v)) - 1.0;
    let cases: Vec<(Assertion, &[Cand], f64)> = vec![
        (neb(A, C), &[A, B, C, D], 1.0),
        (neb(A, C), &[B, A, C, D], 0.0),
        (neb(A, D), &[B, A, C, D], 0.0),
        (nen(A, B, &[A, B]), &[A, B, C, D], 1.0),
        (nen(A, B, &[A, B]), &[B, A, C, D], -1.0),
        (neb(A, C), &[D, C, B, A], -1.0),
        (neb(A, D), &[C, D, B, A], -1.0),
        (nen(A, B, &[A, B]), &[D, C, B, A], -1.0),
        (neb(C, A), &[D, C, B, A], 0.0),
        (neb(C, A), &[C, D, B, A], 1.0),
        (neb(C, D), &[D, C, B, A], -1.0),
        (neb(C, D), &[C, D, B, A], 1.0),
        (nen(C, B, &[A, B, C]), &[D, C, B, A], 1.0),
        (neb(B, C), &[B], 1.0),
        (nen(A, C, &[A, B, C]), &[B], 0.0),
        (nen(A, C, &[A, C, D]), &[B], 0.0),
        (nen(A, C, &[A, C, D]), &[B, A, C, D], 1.0),
        (nen(C, B, &[A, B, C]), &[B], -1.0),
        (nen(C, B, &[A, B, C]), &[B, A, C, D], -1.0),
    ];
    for (assertion, vote, expected) in cases {
        assert_eq!(
            score(&assertion, vote),
            expected,
            "{} on {vote:?}",
            describe(&assertion)
        );
    }
    // A card without the contest (or a phantom) and a blank ranking score 0.
    assert_eq!(neb(A, B).assort(None), 0.5);
    assert_eq!(neb(A, B).assort(Some(&[])), 0.5);
}

#[test]
fn the_papers_example_never_audits_a_one_vote_elimination() {
    // RAIRE paper, examples 9–11: c3 is eliminated by one vote, but who
    // is eliminated first does not matter: c1 NEB c3 (margin 4001) rules
    // out c3 and c2 (c1 NEB c2, margin 4000, would too, but "NEN c1 > c2
    // if only {c1, c2} remain", margin 9999, is easier).
    let cvrs = ballots(&[(&[0, 1, 2], 10000), (&[1, 0, 2], 6000), (&[2, 0, 1], 5999)]);
    let result = raire_assertions(3, &cvrs, 0, 21_999, Difficulty::default()).expect("auditable");
    let mut got: Vec<(Assertion, u64)> = result
        .assertions
        .iter()
        .map(|a| (a.assertion.clone(), a.margin))
        .collect();
    got.sort_by_key(|(a, _)| describe(a));
    assert_eq!(got, vec![(neb(0, 2), 4001), (nen(0, 1, &[0, 1]), 9999)]);
    // Nothing compares c2 with c3.
    assert!(result.assertions.iter().all(|a| !matches!(
        a.assertion,
        Assertion::NotEliminatedNext { winner: 1 | 2, .. }
            | Assertion::NotEliminatedBefore { winner: 1 | 2, .. }
    )));
}

#[test]
fn the_papers_table_one_and_example_twelve_are_optimal() {
    // Table 1: c4 wins after c3, c2, c1 are eliminated.
    let table1 = ballots(&[
        (&[1, 2], 4000),
        (&[0], 20000),
        (&[2, 3], 9000),
        (&[1, 2, 3], 6000),
        (&[3, 0, 1], 15000),
        (&[0, 2], 6000),
    ]);
    // Example 12: c1 wins.
    let example12 = ballots(&[
        (&[0, 1, 2], 5000),
        (&[0, 2, 1], 5000),
        (&[1, 2, 0], 5000),
        (&[1, 0, 2], 1500),
        (&[2, 1, 0], 5000),
        (&[2, 0, 1], 500),
        (&[3, 0], 5000),
    ]);
    for (cvrs, winner) in [(table1, 3), (example12, 0)] {
        let n = cvrs.len() as u64;
        let result = raire_assertions(4, &cvrs, winner, n, Difficulty::default()).expect("auditable");
        let audited: Vec<Assertion> = result.assertions.iter().map(|a| a.assertion.clone()).collect();
        assert!(check_coverage(4, winner, &audited).is_empty());
        let optimum = brute_force_optimum(4, &cvrs, winner, n).expect("some set exists");
        assert!(
            (result.difficulty - optimum).abs() < 1e-9,
            "{} vs {optimum}",
            result.difficulty
        );
    }
}

/// Every NEB and NEN assertion over `candidates`, with its margin in
/// votes computed by the assorter (independently of the search).
fn every_assertion(candidates: usize, cvrs: &[Vec<Cand>]) -> Vec<(Assertion, f64)> {
    let n = candidates as Cand;
    let mut all = Vec::new();
    for w in 0..n {
        for l in 0..n {
            if w != l {
                all.push(neb(w, l));
                for mask in 0u32..(1 << candidates) {
                    if mask & (1 << w) != 0 && mask & (1 << l) != 0 {
                        let set: Vec<Cand> = (0..n).filter(|c| mask & (1 << c) != 0).collect();
                        all.push(nen(w, l, &set));
                    }
                }
            }
        }
    }
    all.into_iter()
        .map(|a| {
            let m = assorter_margin(&a, cvrs);
            (a, m)
        })
        .collect()
}

/// True when `assertion` contradicts the complete elimination `order`
/// (winner last), written from the definitions: NEB — its winner is
/// eliminated before its loser; NEN — when exactly its candidates remain,
/// its winner is the one eliminated.
fn contradicts(assertion: &Assertion, order: &[Cand]) -> bool {
    match assertion {
        Assertion::NotEliminatedBefore { winner, loser } => {
            let at = |c| order.iter().position(|o| o == c);
            at(winner) < at(loser)
        }
        Assertion::NotEliminatedNext {
            winner, continuing, ..
        } => (0..order.len()).any(|step| {
            let mut standing = order[step..].to_vec();
            standing.sort_unstable();
            standing == *continuing && order[step] == *winner
        }),
        _ => false,
    }
}

fn permutations(items: &[Cand]) -> Vec<Vec<Cand>> {
    if items.len() <= 1 {
        return vec![items.to_vec()];
    }
    let mut out = Vec::new();
    for (i, first) in items.iter().enumerate() {
        let mut rest = items.to_vec();
        rest.remove(i);
        for mut p in permutations(&rest) {
            p.insert(0, *first);
            out.push(p);
        }
    }
    out
}

/// The least difficulty (1/diluted margin) of any complete set of true
/// assertions: the largest, over the orders where another candidate
/// wins, of the cheapest true assertion contradicting it. `None` when
/// some order cannot be contradicted.
fn brute_force_optimum(candidates: usize, cvrs: &[Vec<Cand>], winner: Cand, total: u64) -> Option<f64> {
    let true_ones: Vec<(Assertion, f64)> = every_assertion(candidates, cvrs)
        .into_iter()
        .filter(|(_, m)| *m > 0.0)
        .collect();
    let all: Vec<Cand> = (0..candidates as Cand).collect();
    let mut worst: f64 = 0.0;
    for order in permutations(&all) {
        if order.last() == Some(&winner) {
            continue;
        }
        let cheapest = true_ones
            .iter()
            .filter(|(a, _)| contradicts(a, &order))
            .map(|(_, m)| total as f64 / m)
            .fold(f64::INFINITY, f64::min);
        if cheapest.is_infinite() {
            return None;
        }
        worst = worst.max(cheapest);
    }
    Some(worst)
}

/// IRV winners over every tie-break, counted the plain way.
fn irv_winners(candidates: usize, cvrs: &[Vec<Cand>], standing: Vec<Cand>) -> Vec<Cand> {
    if standing.len() == 1 {
        return standing;
    }
    let mut tally = vec![0u64; candidates];
    for v in cvrs {
        if let Some(c) = v.iter().find(|c| standing.contains(c)) {
            tally[usize::from(*c)] += 1;
        }
    }
    let min = standing.iter().map(|c| tally[usize::from(*c)]).min().unwrap_or(0);
    let mut winners = Vec::new();
    for out in standing.iter().filter(|c| tally[usize::from(**c)] == min) {
        let rest: Vec<Cand> = standing.iter().copied().filter(|c| c != out).collect();
        for w in irv_winners(candidates, cvrs, rest) {
            if !winners.contains(&w) {
                winners.push(w);
            }
        }
    }
    winners.sort_unstable();
    winners
}

/// A random election: a few popular rankings repeated (so counts are
/// not all ties), plus random noise ballots; `tiny` elections have so
/// few ballots that ties and zero margins are common.
fn random_election(rng: &mut StdRng, tiny: bool) -> (usize, Vec<Vec<Cand>>) {
    let candidates = rng.gen_range(2..=6);
    let all: Vec<Cand> = (0..candidates as Cand).collect();
    let mut cvrs = Vec::new();
    let styles = rng.gen_range(2..=5);
    let (most, noise) = if tiny { (4, 4) } else { (120, 60) };
    for _ in 0..styles {
        let mut ranking = all.clone();
        ranking.shuffle(rng);
        ranking.truncate(rng.gen_range(1..=candidates));
        let n = rng.gen_range(1..most);
        cvrs.extend(std::iter::repeat_n(ranking, n));
    }
    for _ in 0..rng.gen_range(0..noise) {
        let mut ranking = all.clone();
        ranking.shuffle(rng);
        ranking.truncate(rng.gen_range(0..=candidates));
        cvrs.push(ranking);
    }
    cvrs.shuffle(rng);
    (candidates, cvrs)
}

#[test]
fn random_elections_get_complete_true_optimal_assertion_sets() {
    let mut rng = StdRng::seed_from_u64(0x5241_4952_4501);
    let (mut audited, mut tied, mut refused) = (0, 0, 0);
    for round in 0..400 {
        let (candidates, cvrs) = random_election(&mut rng, round % 3 == 0);
        let total = cvrs.len() as u64 + rng.gen_range(0..50);
        let all: Vec<Cand> = (0..candidates as Cand).collect();
        let winners = irv_winners(candidates, &cvrs, all);
        let reported = winners[0];
        match irv_winner(candidates, &cvrs) {
            Ok(w) => assert_eq!(vec![w], winners, "round {round}"),
            Err(e) => assert!(
                winners.len() > 1 && matches!(e, Error::RaireNotAuditable(_)),
                "round {round}"
            ),
        }
        let result = raire_assertions(candidates, &cvrs, reported, total, Difficulty::default());
        // A reported winner who did not win is refused as such.
        let loser = (0..candidates as Cand).find(|c| !winners.contains(c));
        if let Some(loser) = loser {
            let wrong = raire_assertions(candidates, &cvrs, loser, total, Difficulty::default());
            assert!(
                matches!(wrong, Err(Error::RaireWrongWinner(_))),
                "round {round}: {wrong:?}"
            );
        }
        if winners.len() > 1 {
            assert!(
                matches!(result, Err(Error::RaireNotAuditable(_))),
                "round {round}: {result:?}"
            );
            // And indeed no set of true assertions exists: the count
            // that breaks the tie the other way contradicts none.
            assert_eq!(brute_force_optimum(candidates, &cvrs, reported, total), None);
            tied += 1;
            continue;
        }
        let optimum = brute_force_optimum(candidates, &cvrs, reported, total);
        match (result, optimum) {
            (Ok(result), Some(optimum)) => {
                audited += 1;
                let list: Vec<Assertion> = result.assertions.iter().map(|a| a.assertion.clone()).collect();
                assert!(
                    check_coverage(candidates, reported, &list).is_empty(),
                    "round {round}"
                );
                assert!(
                    (result.difficulty - optimum).abs() < 1e-9,
                    "round {round}: {} vs {optimum}",
                    result.difficulty
                );
                for a in &result.assertions {
                    // Holds on the records: the mean assorter over every
                    // card (cards without the contest score 1/2) > 1/2.
                    let sum: f64 = cvrs.iter().map(|v| a.assertion.assort(Some(v))).sum::<f64>()
                        + (total - cvrs.len() as u64) as f64 * a.assertion.assort(None);
                    let mean = sum / total as f64;
                    assert!(mean > 0.5, "round {round}: {}", describe(&a.assertion));
                    assert_eq!(assorter_margin(&a.assertion, &cvrs), a.margin as f64);
                    assert!((a.diluted_margin - (2.0 * mean - 1.0)).abs() < 1e-9);
                    assert!((a.difficulty - total as f64 / a.margin as f64).abs() < 1e-9);
                }
                // No audited assertion is redundant... unless proving it
                // would need another one (the filter keeps a set that
                // stays complete).
                for skip in 0..list.len() {
                    let mut fewer = list.clone();
                    fewer.remove(skip);
                    assert!(
                        !check_coverage(candidates, reported, &fewer).is_empty(),
                        "round {round}: {} is redundant",
                        describe(&list[skip])
                    );
                }
            }
            (Err(Error::RaireNotAuditable(_)), None) => refused += 1,
            (got, optimum) => panic!("round {round}: {got:?} but brute force says {optimum:?}"),
        }
    }
    // Both outcomes occur. Without a tie that decides the winner, a
    // complete set always exists (where an alternative order first leaves
    // the real count, "NEN x > e" holds for the x it eliminates instead of
    // the real count's e), so brute force never refuses one.
    assert!(
        audited > 200 && tied > 10 && refused == 0,
        "audited {audited}, tied {tied}, refused {refused}"
    );
}

#[test]
fn a_tie_or_a_zero_margin_needs_a_full_hand_count() {
    // Two candidates, tied: either could win.
    let tie = ballots(&[(&[A], 10), (&[B], 10)]);
    let error = raire_assertions(2, &tie, A, 20, Difficulty::default()).expect_err("a tie");
    assert!(matches!(error, Error::RaireNotAuditable(_)));
    assert!(error.to_string().contains("needs a full hand count"), "{error}");
    // The guide's part 1, exercise 8: Chuan is eliminated first by one
    // vote, and Bob wins; had Bob gone first, Alice would have won.
    let close = ballots(&[(&[A], 8000), (&[B, A, C], 5000), (&[C, B], 4999)]);
    let result = raire_assertions(3, &close, B, 17_999, Difficulty::default()).expect("auditable, narrowly");
    assert_eq!(result.margin, Some(1));
    // One more (Chuan, Bob) card and a tie for last place decides.
    let tied = ballots(&[(&[A], 8000), (&[B, A, C], 5000), (&[C, B], 5000)]);
    let error = raire_assertions(3, &tied, B, 18_000, Difficulty::default()).expect_err("a tie");
    assert!(matches!(error, Error::RaireNotAuditable(_)), "{error}");
}

#[test]
fn a_reported_winner_who_lost_is_refused() {
    let error =
        raire_assertions(4, &guide_example(), A, 13_500, Difficulty::default()).expect_err("Alice lost");
    assert!(matches!(error, Error::RaireWrongWinner(_)));
    assert!(error.to_string().contains("elects candidate 2"), "{error}");
}

#[test]
fn bad_input_is_refused_with_the_record_named() {
    let ok = guide_example();
    // (candidates, records, reported winner, cards, what the error says)
    type Case = (usize, Vec<Vec<Cand>>, Cand, u64, &'static str);
    let cases: Vec<Case> = vec![
        (4, vec![vec![A], vec![B, 4]], A, 2, "record 2 ranks candidate 4"),
        (4, vec![vec![A, B, A]], A, 1, "record 1 ranks candidate 0 twice"),
        (4, ok.clone(), 7, 13_500, "reported winner is candidate 7"),
        (4, ok.clone(), C, 13_499, "13499 cards"),
        (0, vec![], 0, 0, "no candidates"),
    ];
    for (candidates, cvrs, winner, total, expected) in cases {
        let error =
            raire_assertions(candidates, &cvrs, winner, total, Difficulty::default()).expect_err(expected);
        assert!(matches!(error, Error::InvalidInput(_)), "{error:?}");
        assert!(error.to_string().contains(expected), "{error} lacks {expected}");
    }
    for bad in [
        Difficulty::KaplanMarkov {
            risk_limit: 0.0,
            gamma: 1.03905,
        },
        Difficulty::KaplanMarkov {
            risk_limit: 0.05,
            gamma: 0.5,
        },
    ] {
        assert!(matches!(
            raire_assertions(4, &ok, C, 13_500, bad),
            Err(Error::InvalidInput(_))
        ));
    }
}

#[test]
fn cards_without_the_contest_dilute_every_margin() {
    let cvrs = guide_example();
    let alone = raire_assertions(4, &cvrs, C, 13_500, Difficulty::default()).expect("auditable");
    let diluted = raire_assertions(4, &cvrs, C, 27_000, Difficulty::default()).expect("auditable");
    assert_eq!(alone.margin, diluted.margin);
    assert_eq!(diluted.difficulty, 2.0 * alone.difficulty);
    let hardest = &diluted.assertions[0];
    assert!((hardest.diluted_margin - 500.0 / 27_000.0).abs() < 1e-15);
}

#[test]
fn a_single_candidate_needs_no_assertion_and_kaplan_markov_difficulty_is_a_sample_size() {
    let one = raire_assertions(1, &[vec![0], vec![]], 0, 2, Difficulty::default()).expect("trivial");
    assert!(one.assertions.is_empty() && one.margin.is_none() && one.difficulty == 0.0);
    let km = Difficulty::KaplanMarkov {
        risk_limit: 0.05,
        gamma: 1.03905,
    };
    let result = raire_assertions(4, &guide_example(), C, 13_500, km).expect("auditable");
    // 27 ≈ 1/μ: ln 20 / −ln(1 − μ/2γ) with μ = 500/13,500.
    let mu = 500.0 / 13_500.0_f64;
    let expected = (0.05f64).ln() / (1.0 - mu / (2.0 * 1.03905)).ln();
    assert!((result.difficulty - expected).abs() < 1e-9);
    assert_eq!(result.difficulty.ceil(), 167.0);
}

// ---- Audit simulations ----------------------------------------------------
//
// The audit as `rla` runs it: Kaplan–Markov P-values (`risk::km_p_value`),
// the initial sample from `risk::initial_sample_size` with Arlo's expected
// discrepancy rates, escalation by `risk::escalation_size`; a full hand
// count once an escalation would reach the number of cards.

use crate::rla::risk::{self, GAMMA, O1_RATE, O2_RATE, RISK_LIMIT};

/// The planned (initial) sample of a RAIRE audit: its hardest assertion's.
fn planned(result: &RaireResult) -> Option<u64> {
    result
        .assertions
        .iter()
        .map(|a| risk::initial_sample_size(a.diluted_margin, RISK_LIMIT, GAMMA, O1_RATE, O2_RATE))
        .collect::<Option<Vec<u64>>>()?
        .into_iter()
        .max()
}

/// Draws cards with replacement, round after round, until every
/// assertion's P-value is at most the risk limit (`Some(draws)`: the audit
/// stops) or the next round would reach the number of cards (`None`: a
/// full hand count). A draw's overstatement for an assertion is
/// `A(record) − A(paper)` (u = 1).
fn audit(result: &RaireResult, cvrs: &[Vec<Cand>], paper: &[Vec<Cand>], rng: &mut StdRng) -> Option<u64> {
    let cards = cvrs.len() as u64;
    let mut over: Vec<Vec<f64>> = vec![Vec::new(); result.assertions.len()];
    let mut target = planned(result)?;
    let mut drawn = 0;
    loop {
        if target >= cards {
            return None;
        }
        while drawn < target {
            let i = rng.gen_range(0..cvrs.len());
            for (a, over) in result.assertions.iter().zip(over.iter_mut()) {
                over.push(a.assertion.assort(Some(&cvrs[i])) - a.assertion.assort(Some(&paper[i])));
            }
            drawn += 1;
        }
        let mut next = drawn;
        for (a, over) in result.assertions.iter().zip(&over) {
            if risk::km_p_value(over, a.diluted_margin, GAMMA) > RISK_LIMIT {
                next = next.max(risk::escalation_size(over, a.diluted_margin, RISK_LIMIT, GAMMA)?);
            }
        }
        if next == drawn {
            return Some(drawn);
        }
        target = next;
    }
}

/// A close four-candidate election: on paper Bob beats Alice by 2 votes
/// in the last round; the kiosk recorded 10 (Chuan, Bob) cards as
/// (Chuan, Alice), and its records elect Alice by 18.
fn close_election() -> (Vec<Vec<Cand>>, Vec<Vec<Cand>>) {
    let groups = |cb: usize, ca: usize| {
        ballots(&[
            (&[A], 500),
            (&[A, C], 300),
            (&[B], 482),
            (&[B, D], 160),
            (&[C, B], cb),
            (&[C, A], ca),
            (&[D, C], 150),
            (&[D], 100),
        ])
    };
    (groups(300, 140), groups(290, 150))
}

#[test]
fn irv_audits_where_paper_agrees_stop_within_the_planned_sample() {
    let (_, records) = close_election();
    let guide = guide_example();
    for (cvrs, winner) in [(records, A), (guide, C)] {
        let result =
            raire_assertions(4, &cvrs, winner, cvrs.len() as u64, Difficulty::default()).expect("auditable");
        let plan = planned(&result).expect("a plan");
        let mut rng = StdRng::seed_from_u64(14_0001);
        for run in 0..200 {
            let stopped = audit(&result, &cvrs, &cvrs, &mut rng);
            assert!(
                matches!(stopped, Some(n) if n <= plan),
                "run {run}: {stopped:?}, plan {plan}"
            );
        }
    }
}

#[test]
fn irv_audits_of_a_kiosk_that_recorded_the_wrong_winner_rarely_stop() {
    // A kiosk whose records elect Alice while the cards elect Bob.
    let (paper, records) = close_election();
    let all: Vec<Cand> = vec![A, B, C, D];
    assert_eq!(irv_winners(4, &paper, all.clone()), vec![B]);
    assert_eq!(irv_winners(4, &records, all.clone()), vec![A]);
    // The guide's election as recorded, while on paper 300 of the
    // (Chuan, Bob, Alice) cards are (Alice, Diego): Alice won.
    let guide_records = guide_example();
    let mut guide_paper = guide_records.clone();
    let mut changed = 0;
    for card in guide_paper.iter_mut() {
        if changed < 300 && *card == vec![C, B, A] {
            *card = vec![A, D];
            changed += 1;
        }
    }
    assert_eq!(irv_winners(4, &guide_paper, all.clone()), vec![A]);
    for (records, paper, reported, seed) in [
        (records, paper, A, 14_0002),
        (guide_records, guide_paper, C, 14_0003),
    ] {
        let result = raire_assertions(4, &records, reported, records.len() as u64, Difficulty::default())
            .expect("auditable");
        // Some assertion is false on paper.
        assert!(result
            .assertions
            .iter()
            .any(|a| assorter_margin(&a.assertion, &paper) <= 0.0));
        let mut rng = StdRng::seed_from_u64(seed);
        let stopped = (0..200)
            .filter(|_| audit(&result, &records, &paper, &mut rng).is_some())
            .count();
        assert!(
            stopped <= 17,
            "{stopped} of 200 audits confirmed the wrong winner"
        );
    }
}
