//! The few pieces of Java's standard library whose exact behaviour shows in
//! RCTab's results: `java.util.Random` (the seeded tie-break), `String`
//! ordering (UTF-16 code units) and the iteration order of a small
//! `HashSet<String>` (which RCTab's "previous round counts, then random"
//! tie-break draws from). Reproduced from the Java SE specification
//! (`Random`'s 48-bit linear congruential generator is specified there).

use std::cmp::Ordering;

/// `java.util.Random` with a seed: the same numbers for the same seed.
pub struct JavaRandom {
    seed: u64,
}

const MULTIPLIER: u64 = 0x5_DEEC_E66D;
const MASK: u64 = (1 << 48) - 1;

impl JavaRandom {
    /// `new Random(seed)`.
    pub fn new(seed: i64) -> Self {
        JavaRandom {
            seed: (seed as u64 ^ MULTIPLIER) & MASK,
        }
    }

    /// `next(bits)`.
    fn next(&mut self, bits: u32) -> i32 {
        self.seed = (self.seed.wrapping_mul(MULTIPLIER).wrapping_add(0xB)) & MASK;
        (self.seed >> (48 - bits)) as i64 as i32
    }

    /// `nextDouble()`.
    pub fn next_double(&mut self) -> f64 {
        let high = i64::from(self.next(26)) << 27;
        let low = i64::from(self.next(27));
        (high + low) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// `nextInt(bound)`, `bound > 0`.
    pub fn next_int(&mut self, bound: i32) -> i32 {
        let mut r = self.next(31);
        let m = bound - 1;
        if bound & m == 0 {
            return ((i64::from(bound) * i64::from(r)) >> 31) as i32;
        }
        let mut u = r;
        loop {
            r = u % bound;
            if u.wrapping_sub(r).wrapping_add(m) >= 0 {
                return r;
            }
            u = self.next(31);
        }
    }

    /// `Collections.shuffle(list, random)`.
    pub fn shuffle<T>(&mut self, list: &mut [T]) {
        for i in (2..=list.len()).rev() {
            let j = self.next_int(i as i32) as usize;
            list.swap(i - 1, j);
        }
    }
}

/// `a.compareTo(b)` for Java strings: by UTF-16 code units.
pub fn compare(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// `s.hashCode()`.
fn string_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, unit| h.wrapping_mul(31).wrapping_add(i32::from(unit)))
}

/// The order in which `new HashSet<>(items)` iterates `items` (no element
/// repeated): by bucket, and within a bucket in insertion order.
pub fn hash_set_order<T: AsRef<str>>(items: Vec<T>) -> Vec<T> {
    let wanted = ((items.len() as f32 / 0.75) as usize + 1).max(16);
    let capacity = wanted.next_power_of_two();
    let bucket = |s: &str| {
        let h = string_hash(s);
        let spread = h ^ ((h as u32) >> 16) as i32;
        (spread as u32 as usize) & (capacity - 1)
    };
    let mut keyed: Vec<(usize, T)> = items.into_iter().map(|s| (bucket(s.as_ref()), s)).collect();
    keyed.sort_by_key(|(b, _)| *b); // stable: insertion order within a bucket
    keyed.into_iter().map(|(_, s)| s).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_random_matches_the_jdk() {
        // new Random(0).nextInt() == -1155484576; nextDouble() of Random(42) == 0.7275636800328681
        let mut r = JavaRandom::new(0);
        assert_eq!(r.next(32), -1155484576);
        let mut r = JavaRandom::new(42);
        assert_eq!(r.next_double(), 0.7275636800328681);
        let mut r = JavaRandom::new(42);
        assert_eq!(r.next_int(10), 0);
        assert_eq!(r.next_int(10), 3);
    }

    #[test]
    fn strings_compare_by_utf16_units() {
        assert_eq!(compare("B", "a"), Ordering::Less);
        // U+FF21 sorts after U+1F600 in UTF-16 (0xFF21 > 0xD83D), unlike code points
        assert_eq!(compare("\u{FF21}", "\u{1F600}"), Ordering::Greater);
    }

    #[test]
    fn hash_set_order_follows_buckets() {
        // "Aa" and "BB" share hash 2112: same bucket, insertion order kept.
        assert_eq!(hash_set_order(vec!["BB", "Aa"]), vec!["BB", "Aa"]);
        assert_eq!(hash_set_order(vec!["b", "a"]), vec!["a", "b"]);
    }
}
