//! Which cards to pull: Rivest's consistent sampler (R. L. Rivest,
//! `consistent_sampler`, github.com/ron-rivest/consistent_sampler; the
//! method Arlo's `draw_sample` uses for ballot-comparison audits), sampling
//! with replacement from the ballot manifests.
//!
//! Every card position gets a pseudo-random "ticket number" in (0, 1) from
//! SHA-256 of the seed and the position's id; the sample is the positions
//! in increasing ticket order. With replacement, a drawn position gets a
//! new, larger ticket (SHA-256 of the old ticket in counter mode) and goes
//! back in the basket, so it may be drawn again. The sample for `n` draws
//! is always a prefix of the sample for more draws: escalating an audit
//! only adds cards.
//!
//! Ticket numbers are decimal strings, compared as strings, exactly as the
//! reference implementation does, so anyone can re-run the draw with
//! Rivest's Python package: a card's id is the Python text of
//! `((station, box), position)`, e.g. `(('LAKEVIEW-1', 'BOX-A'), 17)`,
//! i.e. Arlo's `draw_sample(seed, {(station, box): range(1, cards + 1)}, n)`
//! (tickets shown with 18 significant digits, as Arlo shows them).

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Significant digits shown of a ticket number (after a leading run of 9s), as Arlo.
pub const TICKET_DIGITS: usize = 18;

/// One draw of the sample: the card at `position` (1-based, counted from
/// the top of the box as the audit board counts) in box `box_id` of
/// station `station`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draw {
    pub station: String,
    pub box_id: String,
    pub position: u64,
    /// The ticket number, `0.` and 18 significant digits.
    pub ticket: String,
    /// 1 the first time this position is drawn, 2 the second, ...
    pub generation: u32,
}

/// One box of the ballot manifest: (station id, box id, number of cards).
pub type ManifestBox = (String, String, u64);

/// The first `n` draws (with replacement) of the consistent sampler from
/// `manifest`, seeded with `seed`: exactly 20 decimal digits (from 20
/// dice, rolled at a public ceremony).
///
/// Errors (nothing drawn): a seed that is not 20 digits; a manifest with
/// a repeated (station, box), an id the sampler cannot spell (not
/// printable ASCII), or no card at all while `n > 0`.
pub fn sample(seed: &str, manifest: &[ManifestBox], n: u64) -> Result<Vec<Draw>> {
    check_seed(seed)?;
    let mut seen = BTreeSet::new();
    for (station, box_id, _) in manifest {
        if !seen.insert((station.as_str(), box_id.as_str())) {
            return Err(Error::InvalidInput(format!(
                "ballot manifest: box {box_id:?} of station {station:?} is listed twice"
            )));
        }
    }
    let prefixes = manifest
        .iter()
        .map(|(station, box_id, _)| Ok(format!("(({}, {}), ", py_repr(station)?, py_repr(box_id)?)))
        .collect::<Result<Vec<String>>>()?;
    let total: u64 = manifest.iter().map(|m| m.2).sum();
    if total == 0 && n > 0 {
        return Err(Error::InvalidInput(
            "ballot manifest: no box holds any card; there is nothing to sample".into(),
        ));
    }
    let cards = manifest
        .iter()
        .zip(&prefixes)
        .flat_map(|((_, _, count), prefix)| (1..=*count).map(move |p| format!("{prefix}{p})")));
    let draws = draw(seed, cards, n);
    // Map card numbers (manifest order) back to (box, position).
    let mut starts = Vec::with_capacity(manifest.len());
    let mut acc = 0u64;
    for m in manifest {
        starts.push(acc);
        acc += m.2;
    }
    Ok(draws
        .into_iter()
        .map(|t| {
            let index = t.index as u64;
            let b = starts.partition_point(|s| *s <= index) - 1;
            let (station, box_id, _) = &manifest[b];
            Draw {
                station: station.clone(),
                box_id: box_id.clone(),
                position: index - starts[b] + 1,
                ticket: trim(&t.number, TICKET_DIGITS).to_string(),
                generation: t.generation,
            }
        })
        .collect())
}

/// Refuses a seed that is not exactly 20 decimal digits.
pub fn check_seed(seed: &str) -> Result<()> {
    if seed.len() == 20 && seed.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "the audit seed must be exactly 20 decimal digits (0-9, from 20 rolls of a ten-sided die), not {} characters {:?}",
            seed.chars().count(),
            seed
        )))
    }
}

/// A ticket: its number (a decimal string `0.ddd…`), the item (index in
/// the order given) and how many times the item has been drawn with it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Ticket {
    number: String,
    index: usize,
    generation: u32,
}

/// The first `n` tickets drawn with replacement from the items whose
/// (Python `str`) ids `ids` yields, in draw order, untrimmed.
///
/// Only the `n` smallest first tickets can ever be drawn among the first
/// `n` draws (every later ticket of an item is larger than its first), so
/// the basket keeps just those: memory grows with `n`, not with the cards.
fn draw(seed: &str, ids: impl Iterator<Item = String>, n: u64) -> Vec<Ticket> {
    let Ok(n) = usize::try_from(n) else {
        panic!("a sample of {n} draws does not fit in memory")
    };
    if n == 0 {
        return Vec::new();
    }
    let seed_hash = sha256_hex(seed);
    let mut kept: BinaryHeap<Ticket> = BinaryHeap::with_capacity(n + 1);
    for (index, id) in ids.enumerate() {
        let number = sha256_uniform(&format!("{seed_hash}{id}"));
        if kept.len() == n {
            match kept.peek() {
                Some(top) if number < top.number => {}
                _ => continue,
            }
        }
        kept.push(Ticket {
            number,
            index,
            generation: 1,
        });
        if kept.len() > n {
            kept.pop();
        }
    }
    let mut basket: BinaryHeap<Reverse<Ticket>> = kept.into_iter().map(Reverse).collect();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let Some(Reverse(ticket)) = basket.pop() else {
            break;
        };
        basket.push(Reverse(Ticket {
            number: next_fraction(&ticket.number),
            index: ticket.index,
            generation: ticket.generation + 1,
        }));
        out.push(ticket);
    }
    out
}

fn sha256_hex(input: &str) -> String {
    hex::encode(Sha256::digest(input.as_bytes()))
}

/// SHA-256 of `input` as a decimal fraction: the hash as an integer,
/// written with at least 64 digits, the digits reversed (the low-order,
/// unbiased digits first), after `0.`.
fn sha256_uniform(input: &str) -> String {
    let digest = Sha256::digest(input.as_bytes());
    // Big-endian 32-bit limbs, divided by 10^9 until zero.
    let mut limbs: Vec<u32> = digest
        .chunks(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let mut digits = Vec::with_capacity(80); // least significant first
    while limbs.iter().any(|l| *l != 0) {
        let mut rem = 0u64;
        for limb in limbs.iter_mut() {
            let cur = (rem << 32) | u64::from(*limb);
            *limb = (cur / 1_000_000_000) as u32;
            rem = cur % 1_000_000_000;
        }
        for _ in 0..9 {
            digits.push(b'0' + (rem % 10) as u8);
            rem /= 10;
        }
    }
    // Drop the zeros above the most significant digit, then pad to 64.
    while digits.len() > 64 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    digits.resize(digits.len().max(64), b'0');
    // `digits` is least significant first: that is already the reversed order.
    let mut out = String::with_capacity(digits.len() + 2);
    out.push_str("0.");
    out.extend(digits.iter().map(|d| char::from(*d)));
    out
}

/// Where the leading run of 9s after `0.` ends in `x + "0"`.
fn first_non_9(x0: &str) -> usize {
    x0.bytes()
        .enumerate()
        .skip(2)
        .find(|(_, b)| *b < b'9')
        .map_or(x0.len(), |(i, _)| i)
}

/// A pseudo-random fraction in (x, 1): the digits after x's leading 9s
/// replaced by SHA-256 of `x:i` (i = 1, 2, …) until the result exceeds x.
fn next_fraction(x: &str) -> String {
    let x0 = format!("{x}0");
    let keep = first_non_9(&x0);
    let mut i = 0u64;
    loop {
        i += 1;
        let fresh = sha256_uniform(&format!("{x}:{i}"));
        let y = format!("{}{}", &x0[..keep], &fresh[2..]);
        if y > x0 {
            return y;
        }
    }
}

/// `x` cut to `digits` significant digits after its leading 9s (truncated).
fn trim(x: &str, digits: usize) -> &str {
    let end = (first_non_9(&format!("{x}0")) + digits).min(x.len());
    &x[..end]
}

/// Python's `repr` of a string, for the printable ASCII ids a manifest holds.
fn py_repr(s: &str) -> Result<String> {
    if !s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Err(Error::InvalidInput(format!(
            "ballot manifest: {s:?} is not a station or box id (printable ASCII only)"
        )));
    }
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        if c == '\\' || c == quote {
            out.push('\\');
        }
        out.push(c);
    }
    out.push(quote);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&str]) -> impl Iterator<Item = String> {
        list.iter().map(|s| s.to_string()).collect::<Vec<_>>().into_iter()
    }

    /// The doctests of Rivest's `consistent_sampler.py` (the published
    /// test vectors), reproduced digit for digit.
    #[test]
    fn rivest_published_vectors() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            sha256_uniform("abc"),
            "0.56998071861792858926477341561059638840106636224182943832566300809078486324348"
        );
        let seed_hash = sha256_hex("01382438112797316654");
        let first = sha256_uniform(&format!("{seed_hash}AB-130"));
        assert_eq!(
            first,
            "0.26299714122838008416507544297546663599715395525154425586041245287750224561854"
        );
        assert_eq!(
            next_fraction(&first),
            "0.8232357229934205790595761924514048157652891124687533667363938813600770093316"
        );
        assert_eq!(
            next_fraction("0.25471"),
            "0.642853261655004694691182528114375607701032283189922170593838029306715548381901"
        );
        assert_eq!(
            next_fraction("0.234"),
            "0.547830802749402616364646686795722512609112766306951592422621788875312684400211"
        );
        assert_eq!(trim("0.9991234567890", 4), "0.9991234");
        let h = sha256_hex("xy()134!g2n");
        for (id, number) in [
            (
                "cat",
                "0.24866413894129579898796850445568128508290132707747976039848637531569373309555",
            ),
            (
                "dog",
                "0.33886035615681875183111698317327684455682722683976874746986356932751818935066",
            ),
            (
                "fish",
                "0.74685932088827950509145941729789143204056041958068799542050396198792954500593",
            ),
            (
                "goat",
                "0.49599842072022713663423753308080171636735689997237236247068925068573448764387",
            ),
        ] {
            assert_eq!(sha256_uniform(&format!("{h}{id}")), number, "{id}");
        }
        // sampler(['A#2', 'B#7', 'C#1', 'D#4'], with_replacement=True, take=8, seed=314159)
        let list = ["A#2", "B#7", "C#1", "D#4"];
        let drawn: Vec<&str> = draw("314159", ids(&list), 8)
            .iter()
            .map(|t| list[t.index])
            .collect();
        assert_eq!(drawn, ["D#4", "C#1", "C#1", "B#7", "A#2", "C#1", "D#4", "B#7"]);
        // Without replacement, the four first tickets in order (9 digits).
        let list = ["ab-1", "ab-2", "cd-1", "ef-3"];
        let h = sha256_hex("314159");
        let mut tickets: Vec<(String, &str)> = list
            .iter()
            .map(|id| (sha256_uniform(&format!("{h}{id}")), *id))
            .collect();
        tickets.sort();
        let shown: Vec<(&str, &str)> = tickets.iter().map(|(t, id)| (trim(t, 9), *id)).collect();
        assert_eq!(
            shown,
            [
                ("0.317685817", "cd-1"),
                ("0.832984519", "ef-3"),
                ("0.9098039269", "ab-1"),
                ("0.9231549043", "ab-2")
            ]
        );
    }

    /// Arlo's `test_draw_sample` snapshot (server/tests/audit_math/
    /// snapshots/snap_test_sampler.py): 4 batches of 25, 20 draws with
    /// replacement, 18 digits: the same draws, tickets and generations.
    #[test]
    fn arlo_draw_sample_snapshot() {
        let seed = "12345678901234567890abcdefghijklmnopqrstuvwxyz😊";
        let mut list = Vec::new();
        for b in 1..=4 {
            for p in 1..=25 {
                list.push((b, p));
            }
        }
        let cards = list.iter().map(|(b, p)| format!("('pct {b}', {p})"));
        let got: Vec<(String, (u32, u32), u32)> = draw(seed, cards, 20)
            .iter()
            .map(|t| (trim(&t.number, 18).to_string(), list[t.index], t.generation))
            .collect();
        let want = [
            ("0.000617786129909912", (2, 3), 1),
            ("0.002991631653037245", (3, 24), 1),
            ("0.012057030610635061", (1, 25), 1),
            ("0.017930028930651931", (4, 19), 1),
            ("0.025599454926985137", (3, 15), 1),
            ("0.045351055354441163", (1, 7), 1),
            ("0.063913979803461405", (1, 8), 1),
            ("0.064553852798863609", (1, 22), 1),
            ("0.078998835671540970", (1, 20), 1),
            ("0.090240829778172783", (3, 12), 1),
            ("0.096136506157297637", (1, 20), 2),
            ("0.104280162683637014", (4, 17), 1),
            ("0.108948480696023984", (1, 25), 2),
            ("0.111195681310332785", (1, 4), 1),
            ("0.114438612046531251", (4, 3), 1),
            ("0.130457464320709301", (2, 1), 1),
            ("0.133484785501449819", (1, 12), 1),
            ("0.134519219670087860", (3, 20), 1),
            ("0.135840440920085144", (3, 10), 1),
            ("0.138772253094235762", (4, 20), 1),
        ];
        let want: Vec<(String, (u32, u32), u32)> =
            want.iter().map(|(t, id, g)| (t.to_string(), *id, *g)).collect();
        assert_eq!(got, want);
    }

    fn manifest() -> Vec<ManifestBox> {
        vec![
            ("LAKEVIEW-1".into(), "A".into(), 400),
            ("LAKEVIEW-1".into(), "B".into(), 350),
            ("HILLSIDE".into(), "A".into(), 250),
        ]
    }

    #[test]
    fn a_sample_is_deterministic_in_range_and_grows_by_prefix() {
        let seed = "01234567890123456789";
        let small = sample(seed, &manifest(), 30).unwrap();
        let large = sample(seed, &manifest(), 90).unwrap();
        assert_eq!(small.len(), 30);
        assert_eq!(&large[..30], &small[..]);
        assert_eq!(sample(seed, &manifest(), 90).unwrap(), large);
        for d in &large {
            let cards = manifest()
                .iter()
                .find(|m| m.0 == d.station && m.1 == d.box_id)
                .unwrap()
                .2;
            assert!((1..=cards).contains(&d.position), "{d:?}");
            assert!(d.ticket.starts_with("0.") && d.ticket.len() >= 20, "{d:?}");
        }
        let tickets: Vec<&String> = large.iter().map(|d| &d.ticket).collect();
        assert!(tickets.windows(2).all(|w| w[0] <= w[1]), "draws in ticket order");
        let other = sample("01234567890123456780", &manifest(), 30).unwrap();
        assert_ne!(other, small, "another seed, another sample");
    }

    /// The card ids follow Arlo's manifest form, so the Python reference
    /// re-draws the same sample: this pins the id text.
    #[test]
    fn card_ids_are_python_tuples() {
        assert_eq!(py_repr("LAKEVIEW-1").unwrap(), "'LAKEVIEW-1'");
        assert_eq!(py_repr("it's").unwrap(), "\"it's\"");
        assert_eq!(py_repr("a'b\"c\\").unwrap(), "'a\\'b\"c\\\\'");
        // One box of one card: the only draw is it, every time.
        let one = vec![("S".to_string(), "B".to_string(), 1)];
        let draws = sample("00000000000000000000", &one, 3).unwrap();
        assert_eq!(
            draws
                .iter()
                .map(|d| (d.position, d.generation))
                .collect::<Vec<_>>(),
            [(1, 1), (1, 2), (1, 3)]
        );
        let h = sha256_hex("00000000000000000000");
        let first = sha256_uniform(&format!("{h}(('S', 'B'), 1)"));
        assert_eq!(draws[0].ticket, trim(&first, 18));
    }

    #[test]
    fn a_seed_that_is_not_20_digits_is_refused() {
        for bad in [
            "",
            "1234567890123456789",
            "123456789012345678901",
            "1234567890123456789a",
            "１2345678901234567890",
            " 1234567890123456789",
        ] {
            let err = sample(bad, &manifest(), 10).unwrap_err();
            assert!(err.to_string().contains("20 decimal digits"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn a_bad_manifest_is_refused() {
        let mut twice = manifest();
        twice.push(("HILLSIDE".into(), "A".into(), 5));
        let err = sample("01234567890123456789", &twice, 5).unwrap_err();
        assert!(err.to_string().contains("listed twice"), "{err}");
        let empty = vec![("S".to_string(), "B".to_string(), 0)];
        assert!(sample("01234567890123456789", &empty, 5).is_err());
        assert_eq!(sample("01234567890123456789", &empty, 0).unwrap(), vec![]);
    }
}
