//! The cpu workload: count the primes in `[0, limit)`, split into `jobs` ranges.

use std::ops::Range;

/// `--limit` above this is refused: trial division to 10^8 takes 36 s on one
/// core of a 2-core machine, and to 10^10 about nine hours.
pub const MAX_LIMIT: u64 = 10_000_000_000;
/// `--jobs` above this is refused: the async programs hold a task per job, and
/// tokio-cpu with this many took 4.2 GiB and 26 s on a 2-core machine (with
/// `spawn_blocking`; a task per job on its own runtime took a third less time
/// and memory at 10^6 jobs).
pub const MAX_JOBS: u64 = 10_000_000;

/// pi(N) for the sizes DESIGN.md names, so a wrong prime test cannot also
/// produce its own wrong "expected" value.
pub const KNOWN_PI: [(u64, u64); 6] = [
    (100_000, 9_592),
    (1_000_000, 78_498),
    (2_000_000, 148_933),
    (5_000_000, 348_513),
    (10_000_000, 664_579),
    (100, 25),
];

/// The width of every job but the last: `ceil(limit / jobs)`.
pub fn job_width(limit: u64, jobs: u64) -> u64 {
    assert!(jobs > 0, "jobs must be at least 1");
    limit.div_ceil(jobs).max(1)
}

/// Job `k` of `jobs` over `[0, limit)`; the last ones may be shorter or empty.
pub fn job_range(limit: u64, jobs: u64, k: u64) -> Range<u64> {
    let width = job_width(limit, jobs);
    let start = k.saturating_mul(width).min(limit);
    let end = k.saturating_add(1).saturating_mul(width).min(limit);
    start..end
}

/// All `jobs` ranges, in order. Together they cover `[0, limit)` exactly once.
pub fn job_ranges(limit: u64, jobs: u64) -> impl Iterator<Item = Range<u64>> + Clone {
    (0..jobs).map(move |k| job_range(limit, jobs, k))
}

/// Trial division, exactly as the spec says: odd divisors up to the square root.
pub fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    if n < 4 {
        return true;
    }
    if n % 2 == 0 {
        return false;
    }
    let mut d = 3;
    while d * d <= n {
        if n % d == 0 {
            return false;
        }
        d += 2;
    }
    true
}

/// One job: the number of primes in `range`.
pub fn count_primes(range: Range<u64>) -> u64 {
    range.filter(|&n| is_prime(n)).count() as u64
}

/// pi(limit), the checksum every cpu program must reach. Taken from [`KNOWN_PI`]
/// where possible, else from a segmented sieve: a different algorithm from the
/// workload's trial division, with memory bounded by `sqrt(limit)` plus one segment
/// so that it does not inflate the program's peak memory.
pub fn expected_prime_count(limit: u64) -> u64 {
    if let Some(&(_, pi)) = KNOWN_PI.iter().find(|&&(n, _)| n == limit) {
        return pi;
    }
    sieve_count(limit)
}

fn sieve_count(limit: u64) -> u64 {
    const SEGMENT: u64 = 1 << 15;
    if limit <= 2 {
        return 0;
    }
    // Base primes below sqrt(limit), by a plain sieve.
    let root = (limit as f64).sqrt() as u64 + 2;
    let mut small = vec![true; root as usize + 1];
    let mut base = Vec::new();
    for p in 2..=root {
        if small[p as usize] {
            base.push(p);
            let mut m = p * p;
            while m <= root {
                small[m as usize] = false;
                m += p;
            }
        }
    }
    let mut count = 0;
    let mut segment = vec![true; SEGMENT as usize];
    let mut low = 0;
    while low < limit {
        let high = (low + SEGMENT).min(limit);
        segment.fill(true);
        for &p in &base {
            let mut m = (p * p).max(low.div_ceil(p) * p);
            while m < high {
                segment[(m - low) as usize] = false;
                m += p;
            }
        }
        count += (low..high)
            .filter(|&n| n >= 2 && segment[(n - low) as usize])
            .count() as u64;
        low = high;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_pi_values_hold_for_both_algorithms() {
        for (n, pi) in KNOWN_PI {
            assert_eq!(sieve_count(n), pi, "sieve pi({n})");
        }
        // Trial division on the smaller ones (the large ones take seconds in debug).
        assert_eq!(count_primes(0..100_000), 9_592);
        assert_eq!(count_primes(0..100), 25);
    }

    #[test]
    fn small_primes() {
        let primes: Vec<u64> = (0..30).filter(|&n| is_prime(n)).collect();
        assert_eq!(primes, [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]);
        assert!(!is_prime(25) && !is_prime(49) && !is_prime(1));
    }

    #[test]
    fn sieve_agrees_with_trial_division_off_the_table() {
        for n in [0, 1, 2, 3, 4, 5, 97, 98, 32_768, 32_769, 65_537, 123_457] {
            assert_eq!(sieve_count(n), count_primes(0..n), "pi({n})");
            assert_eq!(expected_prime_count(n), count_primes(0..n), "pi({n})");
        }
    }

    #[test]
    fn ranges_cover_the_limit_exactly_once() {
        for (limit, jobs) in [
            (10, 4),
            (10, 6),
            (10, 1),
            (10, 100),
            (1_000_000, 1_000),
            (7, 7),
        ] {
            let ranges: Vec<_> = job_ranges(limit, jobs).collect();
            assert_eq!(ranges.len() as u64, jobs);
            assert_eq!(ranges[0].start, 0);
            assert_eq!(ranges.last().unwrap().end, limit);
            for pair in ranges.windows(2) {
                assert_eq!(pair[0].end, pair[1].start);
            }
        }
        assert_eq!(job_range(10, 4, 3), 9..10, "the last range is shorter");
        assert_eq!(job_range(10, 6, 5), 10..10, "surplus jobs are empty");
    }
}
