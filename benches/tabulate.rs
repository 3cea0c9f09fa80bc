//! How fast the count is: a million ranked ballots over 8 candidates, a
//! million vote-for-2 ballots over 10 candidates, and, for scale, a plain
//! pass over the same ranked buffer that reads one byte per ballot (the
//! memory floor every count has to pay). Figures are in `BENCHMARKS.md`.
//!
//! Run briefly (2 cores are shared):
//! `cargo bench --bench tabulate -- --warm-up-time 1 --measurement-time 5`

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use votekiosk::definition::RankedRules;
use votekiosk::tabulate::irv::{self, RankedBallots};
use votekiosk::tabulate::plurality::{self, MarkedBallots};
use votekiosk::{Ballot, ElectionDefinition, SelectionsInput};

const MILLION: usize = 1_000_000;
const RANKED: [&str; 8] = [
    "kim", "lopez", "moore", "nguyen", "ortiz", "park", "quinn", "reyes",
];
const COUNCIL: [&str; 10] = ["c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"];

/// Weighted draw without replacement: a plausible ranking of `length`.
fn ranking(rng: &mut StdRng, weights: &[u32], length: usize) -> Vec<u8> {
    let mut left: Vec<(u8, u32)> = weights.iter().enumerate().map(|(c, &w)| (c as u8, w)).collect();
    let mut out = Vec::with_capacity(length);
    while out.len() < length {
        let total: u32 = left.iter().map(|l| l.1).sum();
        let mut x = rng.gen_range(0..total);
        let i = left
            .iter()
            .position(|l| {
                if x < l.1 {
                    true
                } else {
                    x -= l.1;
                    false
                }
            })
            .unwrap_or(left.len() - 1);
        out.push(left.swap_remove(i).0);
    }
    out
}

/// A million rankings over 8 candidates with no first-round majority:
/// 2% blank, the rest 1 to 8 rankings long.
fn ranked_profile(n: usize) -> Vec<Vec<u8>> {
    let mut rng = StdRng::seed_from_u64(2026);
    let weights = [20, 18, 16, 14, 12, 9, 6, 5];
    (0..n)
        .map(|_| {
            let length = if rng.gen_bool(0.02) {
                0
            } else {
                rng.gen_range(1..=8)
            };
            ranking(&mut rng, &weights, length)
        })
        .collect()
}

/// Vote for up to 2 of 10: mostly 2 marks, some 1, a few blank.
fn council_profile(n: usize) -> Vec<Vec<u8>> {
    let mut rng = StdRng::seed_from_u64(11);
    let weights = [15, 14, 13, 12, 11, 10, 9, 7, 5, 4];
    (0..n)
        .map(|_| {
            let marks = match rng.gen_range(0..100) {
                0..=2 => 0,
                3..=19 => 1,
                _ => 2,
            };
            ranking(&mut rng, &weights, marks)
        })
        .collect()
}

fn ranked_ballots(profile: &[Vec<u8>]) -> RankedBallots {
    let marks = profile.iter().map(Vec::len).sum();
    let mut b = RankedBallots::with_capacity(RANKED.len(), profile.len(), marks);
    for r in profile {
        b.push_ranking(r);
    }
    b
}

fn no_draw() -> [u8; 32] {
    [0; 32]
}

fn bench_ranked(c: &mut Criterion) {
    let profile = ranked_profile(MILLION);
    let ballots = ranked_ballots(&profile);
    let rules = RankedRules::default();
    let result = irv::tabulate("chair", &RANKED, &rules, &ballots, &no_draw);
    eprintln!(
        "ranked profile: {} ballots, {} rounds, winner {:?}",
        result.ballots,
        result.rounds.len(),
        result.winner
    );
    // The same layout, by hand, for the floor: one flat byte buffer and
    // an end offset per ballot.
    let flat: Vec<u8> = profile.iter().flatten().copied().collect();
    let mut ends = Vec::with_capacity(profile.len());
    let mut at = 0u32;
    for r in &profile {
        at += r.len() as u32;
        ends.push(at);
    }

    let mut group = c.benchmark_group("ranked_1m_ballots_8_candidates");
    group.throughput(Throughput::Elements(MILLION as u64));
    group.bench_function("floor_read_one_byte_per_ballot", |b| {
        b.iter(|| {
            let (flat, ends) = (black_box(&flat), black_box(&ends));
            let mut sum = 0u64;
            let mut start = 0usize;
            for &end in ends {
                let end = end as usize;
                if start < end {
                    sum += u64::from(flat[start]);
                }
                start = end;
            }
            sum
        })
    });
    group.bench_function("irv_count", |b| {
        b.iter(|| irv::tabulate("chair", &RANKED, &rules, black_box(&ballots), &no_draw))
    });
    group.bench_function("irv_batch_elimination_count", |b| {
        let batch = RankedRules {
            batch_elimination: true,
            ..RankedRules::default()
        };
        b.iter(|| irv::tabulate("chair", &RANKED, &batch, black_box(&ballots), &no_draw))
    });
    group.bench_function("layout_then_irv_count", |b| {
        b.iter(|| {
            let ballots = ranked_ballots(black_box(&profile));
            irv::tabulate("chair", &RANKED, &rules, &ballots, &no_draw)
        })
    });
    group.finish();
}

fn bench_vote_for_two(c: &mut Criterion) {
    let profile = council_profile(MILLION);
    let mut ballots = MarkedBallots::with_capacity(COUNCIL.len(), MILLION, 2 * MILLION);
    for marks in &profile {
        ballots.push(marks, &[]);
    }
    let mut group = c.benchmark_group("vote_for_2_1m_ballots_10_candidates");
    group.throughput(Throughput::Elements(MILLION as u64));
    group.bench_function("count_and_winners", |b| {
        b.iter(|| plurality::candidate("council", &COUNCIL, 2, false, black_box(&ballots)))
    });
    group.finish();
}

/// From validated `Ballot` values, as the station holds them after reading
/// the file: 100,000 ballots with both contests.
fn bench_from_ballots(c: &mut Criterion) {
    let candidates = |ids: &[&str]| {
        ids.iter()
            .map(|id| serde_json::json!({"id": id, "name": {"en": id.to_uppercase()}}))
            .collect::<Vec<_>>()
    };
    let doc = serde_json::json!({
        "format": "votekiosk/2",
        "title": {"en": "Bench"},
        "date": "2026-11-03",
        // The test fixture office keys (docs/formats.md): a non-demo election.
        "office": {
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
        },
        "window": {"opens": "2026-11-03T07:00:00-05:00", "closes": "2026-11-03T20:00:00-05:00"},
        "languages": [{"code": "en", "name": "English"}],
        "contests": [
            {"id": "chair", "kind": "ranked", "title": {"en": "Chair"}, "candidates": candidates(&RANKED)},
            {"id": "council", "kind": "candidate", "title": {"en": "Council"}, "seats": 2,
             "candidates": candidates(&COUNCIL)}
        ]
    });
    let definition = match ElectionDefinition::parse(doc.to_string().as_bytes()) {
        Ok(d) => d,
        Err(e) => panic!("bench definition: {e}"),
    };
    let n = 100_000;
    let ranked = ranked_profile(n);
    let council = council_profile(n);
    let ballots: Vec<Ballot> = ranked
        .iter()
        .zip(&council)
        .map(|(r, m)| {
            let mut input = SelectionsInput::new();
            input.insert(
                "chair".into(),
                r.iter().map(|&c| RANKED[c as usize].to_string()).collect(),
            );
            input.insert(
                "council".into(),
                m.iter().map(|&c| COUNCIL[c as usize].to_string()).collect(),
            );
            match Ballot::validate(&definition, &input) {
                Ok(b) => b,
                Err(e) => panic!("bench ballot: {e}"),
            }
        })
        .collect();
    let mut group = c.benchmark_group("from_ballots_100k");
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function("both_contests", |b| {
        b.iter(|| votekiosk::tabulate::tabulate(&definition, black_box(&ballots)))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    targets = bench_ranked, bench_vote_for_two, bench_from_ballots
}
criterion_main!(benches);
