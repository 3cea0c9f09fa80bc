//! The count: a second, deliberately naive instant-runoff count written
//! from `docs/tabulation.md` alone, compared round by round with the real
//! one on thousands of random elections; hand-checked elections with known
//! outcomes; and a whole election day counted through the facade and the
//! `votekiosk tally` command.
//!
//! The reference re-reads every ballot from its first rank in every round,
//! applying the rules for overvotes, empty ranks and repeated candidates as
//! it reads. The real count applies those rules once and then moves only
//! the eliminated candidates' ballots. They share nothing but the result
//! types.

use std::process::Command;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};
use votekiosk::definition::{DefinitionHash, DuplicateRule, OvervoteRule, RankedRules, StopRule, TieBreak};
use votekiosk::tabulate::irv::{self, RankedBallots};
use votekiosk::tabulate::plurality::{self, MarkedBallots};
use votekiosk::tabulate::{
    ContestResult, Draw, ElectionResult, ExhaustedBy, RankedResult, Round, TieBreakRecord, Transfer, Votes,
};
use votekiosk::{ElectionDefinition, Mode, SelectionsInput};

use crate::support::*;

const IDS: [&str; 8] = [
    "kim", "lopez", "moore", "nguyen", "ortiz", "park", "quinn", "reyes",
];
const HASH: [u8; 32] = [0x5a; 32];
const CONTEST: &str = "school-board";

/// One ballot: ranks, each holding candidate indices.
type Positions = Vec<Vec<u8>>;

// ---- the reference count, from docs/tabulation.md ----------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    CountsFor(usize),
    NoMoreRankings,
    Overvote,
    SkippedRanks,
    DuplicateRanking,
}

/// "Reading one ballot", steps 1 to 6.
fn read(ballot: &Positions, continuing: &[bool], rules: &RankedRules) -> Reading {
    let mut empty_in_a_row = 0u32;
    let mut stood_alone: Vec<usize> = Vec::new();
    for rank in ballot {
        let mut distinct: Vec<usize> = rank.iter().map(|&c| c as usize).collect();
        distinct.sort();
        distinct.dedup();
        if distinct.is_empty() {
            empty_in_a_row += 1;
            continue;
        }
        if let Some(limit) = rules.skipped_rank_limit {
            if empty_in_a_row > limit {
                return Reading::SkippedRanks;
            }
        }
        empty_in_a_row = 0;
        if distinct.len() >= 2 {
            match rules.overvote {
                OvervoteRule::Exhaust => return Reading::Overvote,
                OvervoteRule::SkipRank => continue,
            }
        }
        let c = distinct[0];
        if stood_alone.contains(&c) {
            match rules.duplicate_ranking {
                DuplicateRule::Exhaust => return Reading::DuplicateRanking,
                DuplicateRule::SkipDuplicate => continue,
            }
        }
        stood_alone.push(c);
        if continuing[c] {
            return Reading::CountsFor(c);
        }
    }
    Reading::NoMoreRankings
}

fn lp(h: &mut Sha256, bytes: &[u8]) {
    h.update((bytes.len() as u64).to_be_bytes());
    h.update(bytes);
}

/// The draw seed, from "Ties for last place".
fn reference_seed(ballots: &[Positions]) -> [u8; 32] {
    let mut texts: Vec<String> = ballots
        .iter()
        .map(|b| {
            let ranks: Vec<String> = b
                .iter()
                .map(|rank| {
                    let mut names: Vec<&str> = rank.iter().map(|&c| IDS[c as usize]).collect();
                    names.sort();
                    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
                    format!("[{}]", quoted.join(","))
                })
                .collect();
            format!("[{}]", ranks.join(","))
        })
        .collect();
    texts.sort();
    let mut digest = Sha256::new();
    for t in &texts {
        lp(&mut digest, t.as_bytes());
    }
    let digest: [u8; 32] = digest.finalize().into();
    let mut seed = Sha256::new();
    lp(&mut seed, b"votekiosk-tiebreak/1");
    lp(&mut seed, &HASH);
    lp(&mut seed, CONTEST.as_bytes());
    lp(&mut seed, &digest);
    seed.finalize().into()
}

fn votes_list(ids: &[usize], votes: &[u64]) -> Vec<Votes> {
    ids.iter()
        .map(|&c| Votes {
            candidate: IDS[c].to_string(),
            votes: votes[c],
        })
        .collect()
}

fn names(list: &[usize]) -> Vec<String> {
    list.iter().map(|&c| IDS[c].to_string()).collect()
}

fn reference(n: usize, rules: &RankedRules, ballots: &[Positions]) -> RankedResult {
    let blank = ballots
        .iter()
        .filter(|b| b.iter().all(|rank| rank.is_empty()))
        .count() as u64;
    let voting: Vec<&Positions> = ballots
        .iter()
        .filter(|b| b.iter().any(|rank| !rank.is_empty()))
        .collect();
    let mut continuing = vec![true; n];
    let mut history: Vec<Vec<u64>> = Vec::new();
    let mut rounds = Vec::new();
    let mut winner = None;
    let mut tie_breaks = 0;
    loop {
        let readings: Vec<Reading> = voting.iter().map(|b| read(b, &continuing, rules)).collect();
        let mut votes = vec![0u64; n];
        let mut exhausted = ExhaustedBy::default();
        for r in &readings {
            match r {
                Reading::CountsFor(c) => votes[*c] += 1,
                Reading::NoMoreRankings => exhausted.no_more_rankings += 1,
                Reading::Overvote => exhausted.overvote += 1,
                Reading::SkippedRanks => exhausted.skipped_ranks += 1,
                Reading::DuplicateRanking => exhausted.duplicate_ranking += 1,
            }
        }
        let alive: Vec<usize> = (0..n).filter(|&c| continuing[c]).collect();
        let total: u64 = votes.iter().sum();
        let mut round = Round {
            round: rounds.len() as u32 + 1,
            tallies: votes_list(&alive, &votes),
            continuing: total,
            threshold: total / 2 + 1,
            exhausted: exhausted.no_more_rankings
                + exhausted.overvote
                + exhausted.skipped_ranks
                + exhausted.duplicate_ranking,
            exhausted_by: exhausted,
            elected: None,
            eliminated: Vec::new(),
            tie_break: None,
            transfers: Vec::new(),
        };
        history.push(votes.clone());
        if total == 0 {
            rounds.push(round);
            break;
        }
        let most = alive.iter().map(|&c| votes[c]).max().expect("someone");
        let leaders: Vec<usize> = alive.iter().copied().filter(|&c| votes[c] == most).collect();
        let wins = match rules.stop {
            _ if alive.len() == 1 => true,
            StopRule::Majority => 2 * most > total,
            StopRule::TwoRemaining => alive.len() == 2 && leaders.len() == 1,
        };
        let elected = wins.then(|| leaders[0]);
        if let Some(w) = elected {
            round.elected = Some(IDS[w].to_string());
            winner = Some(IDS[w].to_string());
            rounds.push(round);
            break;
        }

        let mut out: Vec<usize> = Vec::new();
        if rules.batch_elimination && alive.len() >= 4 {
            let mut by_votes = alive.clone();
            by_votes.sort_by_key(|&c| votes[c]);
            for k in (2..=alive.len() - 2).rev() {
                let group: u64 = by_votes[..k].iter().map(|&c| votes[c]).sum();
                if group < votes[by_votes[k]] {
                    out = by_votes[..k].to_vec();
                    break;
                }
            }
        }
        if out.is_empty() {
            let fewest = alive.iter().map(|&c| votes[c]).min().expect("someone");
            let tied: Vec<usize> = alive.iter().copied().filter(|&c| votes[c] == fewest).collect();
            if tied.len() == 1 {
                out = tied;
            } else {
                tie_breaks += 1;
                let mut left = tied.clone();
                if rules.tie_break == TieBreak::PreviousRoundThenDraw {
                    for earlier in history[..history.len() - 1].iter().rev() {
                        let low = left.iter().map(|&c| earlier[c]).min().expect("someone");
                        left.retain(|&c| earlier[c] == low);
                        if left.len() == 1 {
                            break;
                        }
                    }
                }
                let mut record = TieBreakRecord {
                    tied: names(&tied),
                    after_previous_rounds: names(&left),
                    draw: None,
                };
                if left.len() > 1 {
                    let seed = reference_seed(ballots);
                    let mut keyed: Vec<([u8; 32], usize)> = left
                        .iter()
                        .map(|&c| {
                            let mut h = Sha256::new();
                            lp(&mut h, &seed);
                            lp(&mut h, &round.round.to_be_bytes());
                            lp(&mut h, IDS[c].as_bytes());
                            (h.finalize().into(), c)
                        })
                        .collect();
                    keyed.sort();
                    left = keyed.iter().map(|k| k.1).collect();
                    record.draw = Some(Draw {
                        seed: hex::encode(seed),
                        order: names(&left),
                    });
                }
                round.tie_break = Some(record);
                out = vec![left[0]];
            }
        }
        out.sort();
        let mut after = continuing.clone();
        for &c in &out {
            after[c] = false;
        }
        for &c in &out {
            let mut to = vec![0u64; n];
            let mut gone = 0;
            for (b, r) in voting.iter().zip(&readings) {
                if *r == Reading::CountsFor(c) {
                    match read(b, &after, rules) {
                        Reading::CountsFor(d) => to[d] += 1,
                        _ => gone += 1,
                    }
                }
            }
            let receivers: Vec<usize> = (0..n).filter(|&d| to[d] > 0).collect();
            round.transfers.push(Transfer {
                from: IDS[c].to_string(),
                to: votes_list(&receivers, &to),
                exhausted: gone,
            });
        }
        round.eliminated = names(&out);
        continuing = after;
        rounds.push(round);
    }
    RankedResult {
        id: CONTEST.to_string(),
        ballots: ballots.len() as u64,
        blank,
        rules: rules.to_doc(),
        rounds,
        winner,
        tie_breaks,
    }
}

// ---- the real count over the same ballots -----------------------------

fn production(n: usize, rules: &RankedRules, ballots: &[Positions], kiosk: bool) -> RankedResult {
    let mut compact = RankedBallots::new(n);
    for b in ballots {
        if kiosk {
            let ranking: Vec<u8> = b.iter().map(|rank| rank[0]).collect();
            compact.push_ranking(&ranking);
        } else {
            compact.push_positions(rules, b);
        }
    }
    let seed = || {
        let texts = ballots
            .iter()
            .map(|b| {
                let ranks: Vec<Vec<&str>> = b
                    .iter()
                    .map(|rank| rank.iter().map(|&c| IDS[c as usize]).collect())
                    .collect();
                irv::encode_positions(&ranks)
            })
            .collect();
        irv::draw_seed(&DefinitionHash(HASH), CONTEST, &irv::ballots_digest(texts))
    };
    irv::tabulate(CONTEST, &IDS[..n], rules, &compact, &seed)
}

fn random_rules(rng: &mut StdRng) -> RankedRules {
    RankedRules {
        batch_elimination: rng.gen_bool(0.3),
        tie_break: if rng.gen_bool(0.7) {
            TieBreak::PreviousRoundThenDraw
        } else {
            TieBreak::Draw
        },
        stop: if rng.gen_bool(0.7) {
            StopRule::Majority
        } else {
            StopRule::TwoRemaining
        },
        overvote: if rng.gen_bool(0.5) {
            OvervoteRule::Exhaust
        } else {
            OvervoteRule::SkipRank
        },
        skipped_rank_limit: match rng.gen_range(0..4) {
            0 => None,
            k => Some(k - 1),
        },
        duplicate_ranking: if rng.gen_bool(0.5) {
            DuplicateRule::SkipDuplicate
        } else {
            DuplicateRule::Exhaust
        },
    }
}

/// A candidate drawn with uneven popularity, so that some lead and some trail.
fn pick(rng: &mut StdRng, weights: &[u32]) -> u8 {
    let total: u32 = weights.iter().sum();
    let mut x = rng.gen_range(0..total);
    for (c, &w) in weights.iter().enumerate() {
        if x < w {
            return c as u8;
        }
        x -= w;
    }
    (weights.len() - 1) as u8
}

/// A kiosk ballot: distinct candidates, truncated, sometimes blank.
fn kiosk_ballot(rng: &mut StdRng, weights: &[u32]) -> Positions {
    let n = weights.len();
    let length = if rng.gen_bool(0.08) {
        0
    } else {
        rng.gen_range(1..=n)
    };
    let mut ranking: Vec<u8> = Vec::new();
    while ranking.len() < length {
        let c = pick(rng, weights);
        if !ranking.contains(&c) {
            ranking.push(c);
        }
    }
    ranking.into_iter().map(|c| vec![c]).collect()
}

/// A ballot from outside: empty ranks, overvotes, repeated candidates.
fn outside_ballot(rng: &mut StdRng, weights: &[u32]) -> Positions {
    let n = weights.len();
    let ranks = rng.gen_range(0..=n + 2);
    let mut out: Positions = Vec::new();
    for _ in 0..ranks {
        let roll = rng.gen_range(0..100);
        let rank = if roll < 20 {
            Vec::new()
        } else if roll < 30 && n >= 2 {
            let mut all: Vec<u8> = (0..n as u8).collect();
            all.shuffle(rng);
            all.truncate(rng.gen_range(2..=n.min(3)));
            all
        } else if roll < 40 && !out.iter().all(|r| r.is_empty()) {
            let earlier: Vec<&Vec<u8>> = out.iter().filter(|r| !r.is_empty()).collect();
            let r = earlier[rng.gen_range(0..earlier.len())];
            vec![r[rng.gen_range(0..r.len())]]
        } else {
            vec![pick(rng, weights)]
        };
        out.push(rank);
    }
    out
}

fn check_profile(n: usize, rules: &RankedRules, ballots: &[Positions], kiosk: bool, label: &str) {
    let real = production(n, rules, ballots, kiosk);
    let expected = reference(n, rules, ballots);
    if real != expected {
        let first_difference = real.rounds.iter().zip(&expected.rounds).position(|(a, b)| a != b);
        panic!(
            "{label}: the counts differ (first at round index {first_difference:?})\nrules {rules:?}\nballots {ballots:?}\nreal {real:#?}\nreference {expected:#?}"
        );
    }
    // Every ballot is somewhere in every round.
    for round in &real.rounds {
        assert_eq!(
            round.continuing + round.exhausted + real.blank,
            real.ballots,
            "{label} round {}",
            round.round
        );
        assert_eq!(round.exhausted, round.exhausted_by.total());
    }
}

#[test]
fn instant_runoff_matches_an_independent_count_on_random_elections() {
    let mut rng = StdRng::seed_from_u64(0x7ab1_a7e5);
    let (mut draws, mut by_earlier_rounds, mut batches, mut no_winner, mut multi_round) = (0, 0, 0, 0, 0);
    let profiles = 2_000;
    for i in 0..profiles {
        let n = rng.gen_range(1..=IDS.len());
        let rules = random_rules(&mut rng);
        let weights: Vec<u32> = (0..n).map(|_| rng.gen_range(1..=10)).collect();
        let count = if i % 20 == 0 {
            rng.gen_range(100..=1_500)
        } else {
            rng.gen_range(0..=40)
        };
        let kiosk = rng.gen_bool(0.5);
        let ballots: Vec<Positions> = (0..count)
            .map(|_| {
                if kiosk {
                    kiosk_ballot(&mut rng, &weights)
                } else {
                    outside_ballot(&mut rng, &weights)
                }
            })
            .collect();
        check_profile(n, &rules, &ballots, kiosk, &format!("profile {i}"));
        let r = production(n, &rules, &ballots, kiosk);
        for round in &r.rounds {
            if let Some(tb) = &round.tie_break {
                if tb.draw.is_some() {
                    draws += 1;
                } else {
                    by_earlier_rounds += 1;
                }
            }
            batches += usize::from(round.eliminated.len() > 1);
        }
        no_winner += usize::from(r.winner.is_none());
        multi_round += usize::from(r.rounds.len() > 2);
    }
    // The random elections reach every corner of the rules.
    assert!(draws > 100, "only {draws} draws");
    assert!(
        by_earlier_rounds > 20,
        "only {by_earlier_rounds} ties settled by earlier rounds"
    );
    assert!(batches > 20, "only {batches} batch eliminations");
    assert!(no_winner > 5, "only {no_winner} elections without votes");
    assert!(multi_round > 300, "only {multi_round} elections past round 2");
}

/// The naive reading of "Winners" for vote-for-N: elected when the
/// contenders with more votes plus those with as many fit in N; tied when
/// only those with more votes fit.
fn reference_top(seats: usize, votes: &[(&str, u64)]) -> (Vec<String>, Vec<String>, u32) {
    let mut elected: Vec<(u64, usize)> = Vec::new();
    let mut tied = Vec::new();
    for (i, (name, v)) in votes.iter().enumerate() {
        let above = votes.iter().filter(|(_, w)| w > v).count();
        let level = votes.iter().filter(|(_, w)| w == v).count();
        if above + level <= seats {
            elected.push((*v, i));
        } else if above < seats {
            tied.push(name.to_string());
        }
    }
    elected.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let tied_seats = if tied.is_empty() {
        0
    } else {
        (seats - elected.len()) as u32
    };
    (
        elected.iter().map(|&(_, i)| votes[i].0.to_string()).collect(),
        tied,
        tied_seats,
    )
}

#[test]
fn vote_for_n_winners_match_an_independent_reading_on_random_elections() {
    let mut rng = StdRng::seed_from_u64(42);
    for i in 0..1_000 {
        let n = rng.gen_range(1..=8usize);
        let write_ins = rng.gen_bool(0.3);
        let seats = rng.gen_range(1..=if write_ins { n + 1 } else { n }) as u32;
        let mut ballots = MarkedBallots::new(n);
        let mut votes = vec![0u64; n];
        let mut write_in_votes = 0;
        for _ in 0..rng.gen_range(0..30) {
            let mut marks: Vec<u8> = (0..n as u8).collect();
            marks.shuffle(&mut rng);
            marks.truncate(rng.gen_range(0..=seats as usize).min(n));
            let names: Vec<&str> = if write_ins && (marks.len() as u32) < seats && rng.gen_bool(0.3) {
                vec![["Jane Doe", "Sam Roe"][rng.gen_range(0..2)]]
            } else {
                Vec::new()
            };
            for &m in &marks {
                votes[m as usize] += 1;
            }
            write_in_votes += names.len() as u64;
            ballots.push(&marks, &names);
        }
        let r = plurality::candidate("council", &IDS[..n], seats, write_ins, &ballots);
        let mut contenders: Vec<(&str, u64)> = IDS[..n].iter().copied().zip(votes.iter().copied()).collect();
        if write_ins {
            contenders.push(("write-in", write_in_votes));
        }
        assert_eq!(
            (r.winners.clone(), r.tied.clone(), r.tied_seats),
            reference_top(seats as usize, &contenders),
            "profile {i}: {contenders:?}, {seats} seats"
        );
        assert_eq!(r.tallies.iter().map(|v| v.votes).collect::<Vec<_>>(), votes);
    }
}

// ---- hand-checked elections --------------------------------------------

fn ballots(groups: &[(usize, &[u8])]) -> Vec<Positions> {
    groups
        .iter()
        .flat_map(|(times, ranking)| {
            std::iter::repeat_with(|| ranking.iter().map(|&c| vec![c]).collect()).take(*times)
        })
        .collect()
}

fn tallies(round: &Round) -> Vec<(&str, u64)> {
    round
        .tallies
        .iter()
        .map(|v| (v.candidate.as_str(), v.votes))
        .collect()
}

#[test]
fn a_condorcet_winner_can_be_eliminated_first() {
    // kim (left) 40, moore (right) 35, lopez (centre) 25. lopez beats kim
    // 60-40 and moore 65-35 head to head, but has the fewest first choices.
    let profile = ballots(&[(40, &[0, 1, 2]), (35, &[2, 1, 0]), (25, &[1, 0, 2])]);
    let pairwise = |a: u8, b: u8| {
        profile
            .iter()
            .filter(|p| {
                let pos = |c: u8| p.iter().position(|r| r[0] == c).unwrap_or(usize::MAX);
                pos(a) < pos(b)
            })
            .count()
    };
    assert_eq!(
        (pairwise(1, 0), pairwise(1, 2)),
        (60, 65),
        "lopez is the Condorcet winner"
    );
    let rules = RankedRules::default();
    let r = production(3, &rules, &profile, true);
    assert_eq!(r, reference(3, &rules, &profile));
    assert_eq!(
        tallies(&r.rounds[0]),
        vec![("kim", 40), ("lopez", 25), ("moore", 35)]
    );
    assert_eq!(r.rounds[0].threshold, 51);
    assert_eq!(r.rounds[0].eliminated, vec!["lopez"]);
    assert_eq!(
        r.rounds[0].transfers,
        vec![Transfer {
            from: "lopez".into(),
            to: vec![Votes {
                candidate: "kim".into(),
                votes: 25
            }],
            exhausted: 0
        }]
    );
    assert_eq!(tallies(&r.rounds[1]), vec![("kim", 65), ("moore", 35)]);
    assert_eq!(r.winner.as_deref(), Some("kim"));
}

#[test]
fn a_three_way_tie_for_last_is_settled_by_the_round_before() {
    // The worked example of docs/tabulation.md.
    let profile = ballots(&[(10, &[0]), (4, &[1]), (4, &[2]), (3, &[3]), (1, &[4, 3])]);
    let rules = RankedRules::default();
    let r = production(5, &rules, &profile, true);
    assert_eq!(r, reference(5, &rules, &profile));
    assert_eq!(r.rounds[0].eliminated, vec!["ortiz"]);
    assert_eq!(
        tallies(&r.rounds[1]),
        vec![("kim", 10), ("lopez", 4), ("moore", 4), ("nguyen", 4)]
    );
    let tb = r.rounds[1].tie_break.as_ref().expect("a tie in round 2");
    assert_eq!(tb.tied, vec!["lopez", "moore", "nguyen"]);
    assert_eq!(tb.after_previous_rounds, vec!["nguyen"]);
    assert!(tb.draw.is_none());
    assert_eq!(r.rounds[1].transfers[0].exhausted, 4);
    assert_eq!(
        (
            r.rounds[2].continuing,
            r.rounds[2].threshold,
            r.rounds[2].exhausted
        ),
        (18, 10, 4)
    );
    assert_eq!(r.winner.as_deref(), Some("kim"));
    assert_eq!(r.tie_breaks, 1);
}

#[test]
fn a_three_way_tie_in_round_one_goes_to_a_replayable_draw() {
    let profile = ballots(&[(5, &[0]), (2, &[1, 0]), (2, &[2, 0]), (2, &[3, 0])]);
    for rules in [
        RankedRules::default(),
        RankedRules {
            tie_break: TieBreak::Draw,
            ..RankedRules::default()
        },
    ] {
        let r = production(4, &rules, &profile, true);
        assert_eq!(r, reference(4, &rules, &profile));
        let tb = r.rounds[0].tie_break.as_ref().expect("tie");
        assert_eq!(tb.tied, vec!["lopez", "moore", "nguyen"]);
        let draw = tb.draw.as_ref().expect("round 1 has no earlier round: a draw");
        // Replay it by hand: the keys' order is the recorded order.
        let seed = reference_seed(&profile);
        assert_eq!(draw.seed, hex::encode(seed));
        let mut keyed: Vec<(String, &str)> = ["lopez", "moore", "nguyen"]
            .iter()
            .map(|c| {
                let mut h = Sha256::new();
                lp(&mut h, &seed);
                lp(&mut h, &1u32.to_be_bytes());
                lp(&mut h, c.as_bytes());
                (hex::encode(h.finalize()), *c)
            })
            .collect();
        keyed.sort();
        assert_eq!(
            draw.order,
            keyed.iter().map(|k| k.1.to_string()).collect::<Vec<_>>()
        );
        assert_eq!(r.rounds[0].eliminated, vec![draw.order[0].clone()]);
        // The same ballots in another order draw the same way.
        let mut shuffled = profile.clone();
        shuffled.reverse();
        assert_eq!(production(4, &rules, &shuffled, true), r);
    }
}

#[test]
fn exhausted_ballots_shrink_the_majority_needed() {
    // Bullet votes: kim 4, lopez 3, moore 2. moore's ballots exhaust, and kim
    // wins with 4 of the 7 continuing ballots (not of 9).
    let profile = ballots(&[(4, &[0]), (3, &[1]), (2, &[2])]);
    let rules = RankedRules::default();
    let r = production(3, &rules, &profile, true);
    assert_eq!(r, reference(3, &rules, &profile));
    assert_eq!(r.rounds.len(), 2);
    assert_eq!((r.rounds[1].continuing, r.rounds[1].exhausted), (7, 2));
    assert_eq!(r.rounds[1].exhausted_by.no_more_rankings, 2);
    assert_eq!(r.winner.as_deref(), Some("kim"));
}

#[test]
fn when_every_ballot_is_exhausted_there_is_no_winner() {
    // Every ballot from outside starts with an overvote; under "exhaust"
    // none counts for anyone.
    let profile: Vec<Positions> = vec![
        vec![vec![0, 1], vec![2]],
        vec![vec![1, 2]],
        vec![vec![0, 2], vec![0]],
    ];
    let rules = RankedRules::default();
    let r = production(3, &rules, &profile, false);
    assert_eq!(r, reference(3, &rules, &profile));
    assert_eq!(r.rounds.len(), 1);
    assert_eq!((r.rounds[0].continuing, r.rounds[0].exhausted), (0, 3));
    assert_eq!(r.rounds[0].exhausted_by.overvote, 3);
    assert_eq!((r.winner, r.blank), (None, 0));
    // Skipping overvoted ranks instead, two ballots count.
    let skip = RankedRules {
        overvote: OvervoteRule::SkipRank,
        ..RankedRules::default()
    };
    let r = production(3, &skip, &profile, false);
    assert_eq!(r, reference(3, &skip, &profile));
    assert_eq!(
        tallies(&r.rounds[0]),
        vec![("kim", 1), ("lopez", 0), ("moore", 1)]
    );
}

#[test]
fn a_single_candidate_wins_with_any_vote() {
    let mut profile = ballots(&[(3, &[0])]);
    profile.push(Vec::new());
    let rules = RankedRules::default();
    let r = production(1, &rules, &profile, true);
    assert_eq!(r, reference(1, &rules, &profile));
    assert_eq!((r.ballots, r.blank, r.rounds.len()), (4, 1, 1));
    assert_eq!(r.rounds[0].elected.as_deref(), Some("kim"));
    // With no vote at all there is nobody to elect.
    let r = production(1, &rules, &[Vec::new()], true);
    assert_eq!(r.winner, None);
}

#[test]
fn two_candidates_tied_at_the_end_are_separated_openly() {
    // kim 3, lopez 2, moore 1 (to lopez): round 2 is kim 3 - lopez 3.
    let profile = ballots(&[(3, &[0]), (2, &[1]), (1, &[2, 1])]);
    for stop in [StopRule::Majority, StopRule::TwoRemaining] {
        let rules = RankedRules {
            stop,
            ..RankedRules::default()
        };
        let r = production(3, &rules, &profile, true);
        assert_eq!(r, reference(3, &rules, &profile));
        let tb = r.rounds[1]
            .tie_break
            .as_ref()
            .expect("tied for the win is tied for last");
        // In round 1 lopez had 2 to kim's 3: lopez goes out.
        assert_eq!(tb.after_previous_rounds, vec!["lopez"]);
        assert_eq!(r.winner.as_deref(), Some("kim"));
        assert_eq!(r.rounds.len(), 3);
    }
}

// ---- a whole election, counted through the facade and the CLI -----------

fn cast_day(fx: &mut Fixture) {
    let day: Vec<SelectionsInput> = vec![
        sel(&[
            ("mayor", &["alvarez"]),
            ("council", &["diaz", "evans"]),
            ("library-bond", &["yes"]),
            ("parks-board", &["hill", "ito"]),
            ("school-board", &["kim", "moore"]),
        ]),
        sel(&[
            ("mayor", &["alvarez"]),
            ("council", &["diaz", "evans"]),
            ("library-bond", &["yes"]),
            ("parks-board", &["hill", "ito"]),
            ("school-board", &["kim", "moore"]),
        ]),
        sel(&[
            ("mayor", &["alvarez"]),
            ("council", &["diaz", "fischer"]),
            ("library-bond", &["yes"]),
            ("parks-board", &["hill", "ito"]),
            ("school-board", &["kim", "moore"]),
        ]),
        sel(&[
            ("mayor", &["alvarez"]),
            ("council", &["diaz", "fischer"]),
            ("library-bond", &["yes"]),
            ("parks-board", &["hill", "ito"]),
            ("school-board", &["lopez", "moore"]),
        ]),
        sel(&[
            ("mayor", &["brooks"]),
            ("council", &["diaz", "gupta"]),
            ("library-bond", &["yes"]),
            ("parks-board", &["hill", "jones"]),
            ("school-board", &["lopez", "moore"]),
        ]),
        sel(&[
            ("mayor", &["brooks"]),
            ("council", &["evans"]),
            ("library-bond", &["yes"]),
            ("parks-board", &["ito", "jones"]),
            ("school-board", &["lopez", "moore"]),
        ]),
        sel(&[
            ("mayor", &["brooks"]),
            ("council", &["fischer"]),
            ("library-bond", &["no"]),
            ("parks-board", &["jones"]),
            ("school-board", &["moore", "kim"]),
        ]),
        sel(&[
            ("mayor", &["write-in: Jane  Doe"]),
            ("library-bond", &["no"]),
            ("school-board", &["moore", "kim"]),
        ]),
        sel(&[("library-bond", &["no"]), ("school-board", &["nguyen", "lopez"])]),
    ];
    let codes = fx.codes(day.len() + 1);
    for (code, ballot) in codes.iter().zip(&day) {
        fx.station.cast_ballot(code, ballot, &key()).expect("cast");
    }
}

fn check_day(result: &ElectionResult) {
    assert_eq!(result.turnout.ballots, 9);
    assert_eq!(
        (
            result.turnout.codes_issued,
            result.turnout.codes_used,
            result.turnout.codes_unused
        ),
        (10, 9, 1)
    );
    let Some(ContestResult::Candidate(mayor)) = result.contest("mayor") else {
        panic!("mayor")
    };
    assert_eq!(
        mayor.tallies.iter().map(|v| v.votes).collect::<Vec<_>>(),
        vec![4, 3, 0]
    );
    let w = mayor.write_ins.as_ref().expect("write-ins");
    assert_eq!((w.votes, w.names[0].name.as_str()), (1, "Jane Doe"));
    assert_eq!((mayor.blank, mayor.undervotes, mayor.overvotes), (1, 1, 0));
    assert_eq!(mayor.winners, vec!["alvarez"]);
    let Some(ContestResult::Candidate(council)) = result.contest("council") else {
        panic!("council")
    };
    assert_eq!(
        council.tallies.iter().map(|v| v.votes).collect::<Vec<_>>(),
        vec![5, 3, 3, 1]
    );
    assert_eq!((council.blank, council.undervotes), (2, 6));
    assert_eq!(council.winners, vec!["diaz"]);
    assert_eq!(
        (council.tied.clone(), council.tied_seats),
        (vec!["evans".to_string(), "fischer".into()], 1)
    );
    let Some(ContestResult::YesNo(bond)) = result.contest("library-bond") else {
        panic!("bond")
    };
    // 6 of 9 is exactly the two thirds the measure needs.
    assert_eq!((bond.yes, bond.no, bond.blank, bond.passed), (6, 3, 0, true));
    let Some(ContestResult::Approval(parks)) = result.contest("parks-board") else {
        panic!("parks")
    };
    assert_eq!(
        parks.tallies.iter().map(|v| v.votes).collect::<Vec<_>>(),
        vec![5, 5, 3]
    );
    assert!(parks.winners.is_empty());
    assert_eq!(
        (parks.tied.clone(), parks.tied_seats, parks.blank),
        (vec!["hill".to_string(), "ito".into()], 1, 2)
    );
    let Some(ContestResult::Ranked(school)) = result.contest("school-board") else {
        panic!("school")
    };
    assert_eq!(school.rounds.len(), 3);
    assert_eq!(
        tallies(&school.rounds[0]),
        vec![("kim", 3), ("lopez", 3), ("moore", 2), ("nguyen", 1)]
    );
    assert_eq!(school.rounds[0].eliminated, vec!["nguyen"]);
    assert_eq!(
        tallies(&school.rounds[1]),
        vec![("kim", 3), ("lopez", 4), ("moore", 2)]
    );
    assert_eq!(school.rounds[1].eliminated, vec!["moore"]);
    assert_eq!(tallies(&school.rounds[2]), vec![("kim", 5), ("lopez", 4)]);
    assert_eq!(school.winner.as_deref(), Some("kim"));
    assert_eq!(school.tie_breaks, 0);
}

#[test]
fn a_closed_station_tallies_every_kind_through_the_facade_and_the_cli() {
    let mut fx = Fixture::new();
    fx.open();
    cast_day(&mut fx);
    let w = fx.worker();
    fx.station.close_polls(&w).expect("close");
    assert_eq!(fx.station.tally().expect_err("count first").code(), "count_first");
    fx.count();
    let result = fx.station.tally().expect("tally after close");
    assert_eq!((result.mode.as_str(), result.test), ("closed", false));
    assert_eq!(result.definition_hash, fx.station.definition().hash().to_hex());
    check_day(&result);

    // The command line is another kiosk program: the test's own is stopped.
    fx.stop();
    // On the command line the count and its tally are one command: the
    // slips' payloads in files, their PINs on standard input.
    let slip_files: Vec<std::path::PathBuf> = fx
        .slips
        .iter()
        .map(|slip| {
            let path = fx.dir.path().join(format!("slip-{}.txt", slip.index));
            std::fs::write(&path, slip.payload.as_bytes()).expect("slip file");
            path
        })
        .collect();
    let pins: String = fx
        .slips
        .iter()
        .map(|slip| format!("{}\n", SLIP_HOLDERS[slip.index as usize - 1].1))
        .collect();
    let run = |json: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_votekiosk"));
        cmd.arg("--station").arg(&fx.path);
        if json {
            cmd.arg("--json");
        }
        cmd.arg("count");
        for file in &slip_files {
            cmd.arg("--slip-file").arg(file);
        }
        let mut child = cmd
            .args(["--official", WORKER])
            .env_remove("VOTEKIOSK_STATION")
            .env("VOTEKIOSK_PASSPHRASE", PASSPHRASE)
            .env("VOTEKIOSK_OFFICIAL_PASSWORD", WORKER_PASSWORD)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run votekiosk");
        // A command that exits without reading leaves a closed pipe: no failure.
        if let Err(e) = std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), pins.as_bytes()) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "pins: {e}");
        }
        let out = child.wait_with_output().expect("votekiosk ends");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("utf-8")
    };
    // --json holds the ElectionResult itself, which reads back into one.
    let counted: serde_json::Value = serde_json::from_str(&run(true)).expect("json");
    let from_cli: ElectionResult =
        serde_json::from_value(counted["result"].clone()).expect("an ElectionResult");
    assert_eq!(from_cli, result);
    let text = run(false);
    for expected in [
        "Ballots cast 9",
        "Elected: alvarez",
        "Jane Doe",
        "TIED for 1 seat: evans, fischer",
        "TIED for 1 seat: hill, ito",
        "PASSED",
        "round     kim   lopez   moore  nguyen  exhausted  continuing  threshold",
        "      3       5       4       -       -          0           9          5",
        "Round 1: eliminated nguyen",
        "nguyen -> lopez 1, exhausted 0",
        "Round 3: kim (Sun Kim) elected with 5 of 9 continuing ballots",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    assert!(!text.contains("PROVISIONAL"));
}

#[test]
fn results_stay_hidden_while_voting_and_test_ballots_are_marked() {
    // votekiosk/2 has no live results: the field that asked for them is refused.
    let mut v = definition_value();
    v["results_visibility"] = "live".into();
    let e = ElectionDefinition::parse(v.to_string().as_bytes()).expect_err("refused");
    assert!(
        e.to_string()
            .contains("results are counted only after the polls close"),
        "{e}"
    );
    let definition = definition();
    let mut fx = Fixture::new();
    let admin = fx.admin();
    fx.station.enter_test_mode(&admin).expect("test mode");
    let code = fx.station.issue_codes(&admin, 1).expect("codes").codes[0].display();
    fx.station
        .cast_ballot(&code, &full_ballot(), &key())
        .expect("test ballot");
    let test = fx.station.tally().expect("test tally");
    assert!(test.test);
    assert_eq!((test.mode.as_str(), test.turnout.ballots), ("test", 1));
    let text = votekiosk::tabulate::text::render(&definition, &test);
    assert!(text.contains("TEST BALLOTS ONLY"), "{text}");

    fx.closing_key();
    let admin = fx.admin();
    fx.station.open_polls(&admin).expect("open");
    let code = fx.station.issue_codes(&admin, 1).expect("codes").codes[0].display();
    fx.station
        .cast_ballot(&code, &full_ballot(), &key())
        .expect("cast");
    for mode in [Mode::Open, Mode::Paused] {
        if mode == Mode::Paused {
            fx.station.pause_polls(&admin).expect("pause");
        }
        assert_eq!(fx.station.mode().expect("mode"), mode);
        let e = fx.station.tally().expect_err("no results while voting");
        assert_eq!(e.code(), "results_hidden");
        // Turnout alone is always there.
        assert_eq!(fx.station.turnout(false).expect("turnout").codes_used, 1);
    }
    fx.station.close_polls(&admin).expect("close");
    fx.count();
    assert_eq!(fx.station.tally().expect("after close").turnout.ballots, 1);
}
