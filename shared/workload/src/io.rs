//! The io workload's bytes: what the server sends for request `id`, the work a
//! client does per answer, what a connection tallies, and the checksum.

use crate::{cpu, http::Answer, latency::Percentiles};

/// Body bytes above this are refused by the server (16 MiB).
pub const MAX_BYTES: u64 = 16 << 20;
/// Delays above this are refused by the server (60 s).
pub const MAX_DELAY_MS: u64 = 60_000;
/// The most connections `processes-io` (and its Python twin) open, one process
/// each: each process costs about 170 KiB of its own memory and 0.6 ms to start on
/// a 2-core machine (see examples/spawn), and holds two pipes open in the parent.
/// The benchmark skips points above it with this number as the reason.
pub const MAX_PROCESSES: u64 = 1_000;

/// `--requests` above this is refused: a billion requests take days.
pub const MAX_REQUESTS: u64 = 1_000_000_000;
/// `--timeout-ms` above this (an hour) is refused.
pub const MAX_TIMEOUT_MS: u64 = 3_600_000;
/// `--work` above this is refused: a million numbers per request is seconds.
pub const MAX_WORK: u64 = 1_000_000;
/// `--requests` x `--work` above this is refused: the expected checksum counts
/// the primes below it, and the run would take hours.
pub const MAX_WORK_TOTAL: u64 = 10_000_000_000;

/// The splitmix64 generator (Steele, Lea and Flood), with wrapping arithmetic.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// The body for request `id`: the little-endian bytes of splitmix64 seeded with
/// `id`, truncated to `bytes`.
pub fn body(id: u64, bytes: usize) -> Vec<u8> {
    let mut out = Vec::new();
    BodyStream::new(id, bytes as u64).take(&mut out, bytes);
    out
}

/// The body for request `id`, [`body`]'s bytes, made a piece at a time: a server
/// holds one piece of a 16 MiB answer, not all of it.
#[derive(Debug, Clone)]
pub struct BodyStream {
    rng: SplitMix64,
    left: u64,
}

impl BodyStream {
    pub fn new(id: u64, bytes: u64) -> Self {
        Self {
            rng: SplitMix64::new(id),
            left: bytes,
        }
    }

    /// The bytes still to make.
    pub fn left(&self) -> u64 {
        self.left
    }

    /// Appends up to `max` more bytes to `out`: a multiple of 8 but for the
    /// body's last piece, so that the stream goes on unbroken.
    pub fn take(&mut self, out: &mut Vec<u8>, max: usize) {
        let n = match self.left <= max as u64 {
            true => self.left,
            false => max as u64 / 8 * 8,
        };
        out.reserve(n.next_multiple_of(8) as usize);
        let end = out.len() + n as usize;
        while out.len() < end {
            out.extend_from_slice(&self.rng.next_u64().to_le_bytes());
        }
        out.truncate(end);
        self.left -= n;
    }
}

/// FNV-1a, 64 bits.
pub fn fnv1a64(data: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// `--work n` for request `id`: the primes in `[id*n, id*n + n)` by the cpu
/// workload's trial division. The ranges of ids 0..R tile `[0, R*n)`.
pub fn work(id: u64, n: u64) -> u64 {
    cpu::count_primes(id * n..id * n + n)
}

/// The checksum every io program must reach: the wrapping sum over all requests of
/// the FNV-1a 64 of its body, plus, with `--work n`, every request's prime count:
/// together pi(R*n), the primes below R*n.
pub fn expected_checksum(requests: u64, bytes: usize, work: u64) -> u64 {
    let bodies = (0..requests).fold(0u64, |sum, id| sum.wrapping_add(fnv1a64(&body(id, bytes))));
    bodies.wrapping_add(cpu::expected_prime_count(requests * work))
}

/// What one connection (or, merged, a whole run) has read: its share of the
/// checksum and each request's latency. Each connection keeps its own, with no
/// lock and no sharing, and the run merges them once at the end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub checksum: u64,
    /// Each request's [`Answer::latency`] in microseconds, in the order they were
    /// answered: 8 bytes a request. (A histogram per connection would cost tens of
    /// KiB each, hundreds of MiB at 10,000 connections.)
    pub latencies_us: Vec<u64>,
}

impl Tally {
    /// Counts one answer: its body's FNV-1a 64 and its latency.
    pub fn answer(&mut self, answer: &Answer) {
        self.checksum = self.checksum.wrapping_add(fnv1a64(&answer.body));
        let us = answer.latency.as_micros();
        self.latencies_us
            .push(u64::try_from(us).unwrap_or(u64::MAX));
    }

    /// Counts one request's work: the primes it counted.
    pub fn work(&mut self, primes: u64) {
        self.checksum = self.checksum.wrapping_add(primes);
    }

    /// Adds another connection's tally to this one.
    pub fn merge(mut self, other: Tally) -> Tally {
        self.checksum = self.checksum.wrapping_add(other.checksum);
        self.latencies_us.extend(other.latencies_us);
        self
    }

    /// p50, p99 and max of the latencies.
    pub fn percentiles(&self) -> Percentiles {
        Percentiles::of(&self.latencies_us)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn splitmix64_reference_values() {
        // Reference outputs of splitmix64 seeded with 0 and 1234567 (Vigna's C code).
        let mut rng = SplitMix64::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        let mut rng = SplitMix64::new(1_234_567);
        assert_eq!(rng.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(rng.next_u64(), 3_203_168_211_198_807_973);
    }

    #[test]
    fn fnv1a64_reference_values() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn bodies_are_truncated_little_endian_words() {
        let first = SplitMix64::new(7).next_u64().to_le_bytes();
        assert_eq!(body(7, 3), first[..3]);
        assert_eq!(body(7, 8), first);
        assert_eq!(body(7, 0), b"");
        assert_eq!(body(7, 1_024).len(), 1_024);
        assert_eq!(body(7, 13)[..8], first);
    }

    #[test]
    fn design_example_checksum() {
        // The result line in DESIGN.md: R = 1,000, B = 1,024.
        assert_eq!(
            expected_checksum(1_000, 1_024, 0),
            14_874_151_481_412_741_043
        );
        assert_eq!(expected_checksum(0, 1_024, 0), 0);
    }

    #[test]
    fn work_adds_the_primes_below_requests_times_n() {
        for (requests, n) in [(1, 1), (10, 7), (100, 1_000), (1_000, 100), (3, 0)] {
            let counted: u64 = (0..requests).map(|id| work(id, n)).sum();
            assert_eq!(
                counted,
                cpu::count_primes(0..requests * n),
                "{requests} x {n}"
            );
            assert_eq!(
                expected_checksum(requests, 16, n),
                expected_checksum(requests, 16, 0).wrapping_add(counted),
                "{requests} x {n}"
            );
        }
        // Ids 0..1000 with --work 100: pi(100,000) = 9,592.
        assert_eq!(
            expected_checksum(1_000, 0, 100),
            expected_checksum(1_000, 0, 0).wrapping_add(9_592)
        );
        assert_eq!(work(5, 10), 2, "53 and 59");
    }

    #[test]
    fn tallies_merge_in_any_split() {
        let answers: Vec<(u64, u64)> = (0..40).map(|id| (id, 100 + id * 7)).collect();
        let tally = |part: &[(u64, u64)]| {
            let mut t = Tally::default();
            for &(id, us) in part {
                t.answer(&Answer {
                    body: body(id, 100),
                    latency: Duration::from_micros(us),
                });
                t.work(work(id, 50));
            }
            t
        };
        let whole = tally(&answers);
        assert_eq!(whole.checksum, expected_checksum(40, 100, 50));
        for split in [1, 13, 39] {
            let (a, b) = answers.split_at(split);
            let merged = tally(b).merge(tally(a));
            assert_eq!(merged.checksum, whole.checksum);
            assert_eq!(merged.percentiles(), whole.percentiles());
        }
    }
}
