//! The open loop's fixed schedule: when request k is due, which phase it is in and
//! whether it is heavy. Pure arithmetic, decided before the first request and never
//! changed by how the server answers.

use std::time::Duration;

use crate::args::Args;

const NANOS_PER_SEC: u64 = 1_000_000_000;

/// One phase: `count` requests at `rate` per second from `start_ns`, ids from
/// `first_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Phase {
    rate: u64,
    start_ns: u64,
    count: u64,
    first_id: u64,
}

/// Request k of `total()` is due `due(k)` after the start: k / R seconds in the
/// first phase; in the second, the first phase's length plus (k - n1) / R2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    first: Phase,
    then: Option<Phase>,
    end: Duration,
    heavy_every: Option<u64>,
    work: u64,
}

impl Schedule {
    pub fn new(args: &Args) -> Self {
        let first = Phase {
            rate: args.rate,
            start_ns: 0,
            count: args.rate * args.duration_ms / 1_000,
            first_id: 0,
        };
        let then = args.then_rate.zip(args.then_ms).map(|(rate, ms)| Phase {
            rate,
            start_ns: args.duration_ms * 1_000_000,
            count: rate * ms / 1_000,
            first_id: first.count,
        });
        let end_ms = args.duration_ms + args.then_ms.unwrap_or(0);
        Self {
            first,
            then,
            end: Duration::from_millis(end_ms),
            heavy_every: args.heavy_every,
            work: args.work.unwrap_or(0),
        }
    }

    /// How many requests the schedule holds.
    pub fn total(&self) -> u64 {
        self.first.count + self.then.map_or(0, |then| then.count)
    }

    /// When request `k` is due, after the start.
    pub fn due(&self, k: u64) -> Duration {
        let phase = match self.then {
            Some(then) if k >= then.first_id => then,
            _ => self.first,
        };
        // k <= 10^9 (args::MAX_REQUESTS): k * 10^9 fits a u64.
        let ns = phase.start_ns + (k - phase.first_id) * NANOS_PER_SEC / phase.rate;
        Duration::from_nanos(ns)
    }

    /// Whether any request is due in `[from, to)`: a window with no answer is
    /// empty, not failed, when none was.
    pub fn any_due(&self, from: Duration, to: Duration) -> bool {
        // The first request due at or after `from`, by bisection: `due` only grows.
        let (mut low, mut high) = (0, self.total());
        while low < high {
            let mid = low + (high - low) / 2;
            match self.due(mid) < from {
                true => low = mid + 1,
                false => high = mid,
            }
        }
        low < self.total() && self.due(low) < to
    }

    /// The end of the schedule: both phases' lengths.
    pub fn end(&self) -> Duration {
        self.end
    }

    /// When the second phase begins, if there is one.
    pub fn phase_change(&self) -> Option<Duration> {
        self.then.map(|then| Duration::from_nanos(then.start_ns))
    }

    /// Whether request `k` belongs to the second phase.
    pub fn in_second_phase(&self, k: u64) -> bool {
        self.then.is_some_and(|then| k >= then.first_id)
    }

    /// The `work=N` request `k` carries: N for every K-th (k % K == 0), else 0.
    pub fn work(&self, k: u64) -> u64 {
        match self.heavy_every {
            Some(every) if k % every == 0 => self.work,
            _ => 0,
        }
    }

    /// The end of the last heavy request's prime range, `k*N + N`, if any is heavy.
    pub fn heavy_end(&self) -> Option<u64> {
        let every = self.heavy_every?;
        let last = self.total().checked_sub(1)? / every * every;
        Some(last * self.work + self.work)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(flags: &str) -> Schedule {
        let base = ["loadgen", "--server", "127.0.0.1:1"];
        Schedule::new(&Args::try_parse_args(base.into_iter().chain(flags.split(' '))).unwrap())
    }

    #[test]
    fn requests_are_due_at_k_over_r() {
        let s = schedule("--rate 4 --duration-ms 1000");
        assert_eq!(s.total(), 4);
        let due: Vec<u128> = (0..4).map(|k| s.due(k).as_millis()).collect();
        assert_eq!(due, [0, 250, 500, 750]);
        assert_eq!((s.end(), s.phase_change()), (Duration::from_secs(1), None));
        assert!(!s.in_second_phase(3));
        let ms = Duration::from_millis;
        assert!(s.any_due(ms(0), ms(1)) && s.any_due(ms(740), ms(760)));
        assert!(!s.any_due(ms(1), ms(250)) && !s.any_due(ms(751), ms(2_000)));
        let fast = schedule("--rate 3000000 --duration-ms 1");
        assert_eq!((fast.total(), fast.due(2).as_nanos()), (3_000, 666));
    }

    #[test]
    fn the_second_phase_goes_on_from_the_first() {
        let s = schedule("--rate 10 --duration-ms 500 --then-rate 2 --then-ms 2000");
        assert_eq!(s.total(), 5 + 4);
        assert_eq!(s.due(4).as_millis(), 400);
        assert_eq!(s.due(5).as_millis(), 500, "the first of the second phase");
        assert_eq!(s.due(8).as_millis(), 2_000);
        assert!(!s.in_second_phase(4) && s.in_second_phase(5));
        assert_eq!(s.phase_change(), Some(Duration::from_millis(500)));
        assert_eq!(s.end(), Duration::from_millis(2_500));
    }

    #[test]
    fn every_kth_request_is_heavy() {
        let s = schedule("--rate 10 --duration-ms 1000 --heavy-every 3 --work 7");
        let heavy: Vec<u64> = (0..s.total()).filter(|&k| s.work(k) == 7).collect();
        assert_eq!(heavy, [0, 3, 6, 9]);
        assert_eq!(s.heavy_end(), Some(9 * 7 + 7));
        assert_eq!(schedule("--rate 10 --duration-ms 1000").heavy_end(), None);
    }
}
