//! What a heavy request's `X-Primes` must say, found fast: a sieve of
//! Eratosthenes over the request's range, with the base primes found once.
//!
//! The server counts by trial division (the cpu workload's: a deliberately slow
//! job, about 20 ms for 10,000 numbers near 10^9). Repeating that here would cost
//! the generator as much CPU as the server, on the same two cores; the sieve gives
//! the same count (a test compares them) in about a thousandth of the time.

use std::ops::Range;

/// The primes up to the square root of the largest range end to be checked.
#[derive(Debug, Clone)]
pub struct Primes {
    base: Vec<u64>,
}

impl Primes {
    /// Base primes for ranges that end at or below `end`.
    pub fn below(end: u64) -> Self {
        let root = end.isqrt() + 1;
        let mut composite = vec![false; root as usize + 1];
        let mut base = Vec::new();
        for p in 2..=root {
            if !composite[p as usize] {
                base.push(p);
                (p * p..=root)
                    .step_by(p as usize)
                    .for_each(|m| composite[m as usize] = true);
            }
        }
        Self { base }
    }

    /// The primes in `range`, which must end at or below `below`'s `end`.
    pub fn count(&self, range: Range<u64>) -> u64 {
        let (low, high) = (range.start, range.end.max(range.start));
        let mut prime = vec![true; (high - low) as usize];
        for n in low..high.min(2) {
            prime[(n - low) as usize] = false; // 0 and 1
        }
        for &p in &self.base {
            if p * p >= high {
                break;
            }
            let first = (p * p).max(low.div_ceil(p) * p);
            for m in (first..high).step_by(p as usize) {
                prime[(m - low) as usize] = false;
            }
        }
        prime.iter().filter(|&&is| is).count() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_servers_trial_division() {
        let primes = Primes::below(2_000_000_100);
        for (k, n) in [
            (0, 1),
            (0, 2),
            (0, 3),
            (0, 100),
            (1, 100),
            (7, 1_000),
            (200_000, 10_000),
        ] {
            let want = workload::io::work(k, n);
            assert_eq!(primes.count(k * n..k * n + n), want, "k={k} n={n}");
        }
        for range in [0..100, 1..2, 2_000_000_000..2_000_000_100, 5..5] {
            let want = workload::cpu::count_primes(range.clone());
            assert_eq!(primes.count(range.clone()), want, "{range:?}");
        }
    }
}
