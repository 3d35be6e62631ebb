//! What the run saw: latencies in HdrHistograms (µs, three significant digits),
//! overall, uncorrected, by kind, for the second phase and per window; and the
//! errors by kind, the first few said on stderr with their request.
//!
//! One `Stats` for the whole run, behind a lock the connections take once per
//! answer: a histogram per connection would be 100 KiB or more each, a gigabyte
//! at 10,000 connections.

use std::{fmt, time::Duration};

use hdrhistogram::Histogram;

/// The first errors are said on stderr; the rest are only counted.
const SAY_FIRST: u64 = 5;

/// Why a request failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// No complete answer within T ms of its intended start, or not yet sent then.
    Timeout,
    /// Its connection could not be opened.
    Refused,
    /// Its connection closed or was reset before a complete answer.
    Lost,
    /// A complete answer, but not the one asked for (status, body, X-Primes, HTTP).
    Wrong,
}

impl Kind {
    const ALL: [Kind; 4] = [Kind::Timeout, Kind::Refused, Kind::Lost, Kind::Wrong];

    /// Its word on stderr.
    fn word(self) -> &'static str {
        match self {
            Kind::Timeout => "timeout",
            _ => self.key(),
        }
    }

    /// Its key in the result line.
    pub fn key(self) -> &'static str {
        match self {
            Kind::Timeout => "timeouts",
            Kind::Refused => "refused",
            Kind::Lost => "lost",
            Kind::Wrong => "wrong",
        }
    }
}

/// One correct answer, as the connection that read it measured it.
#[derive(Debug, Clone, Copy)]
pub struct Answered {
    /// When it was due, after the start (picks its window).
    pub due: Duration,
    /// From its intended start to the last byte of its body.
    pub latency: Duration,
    /// From the moment it was written to the last byte: what a closed loop sees.
    pub uncorrected: Duration,
    /// When its last byte came, after the start.
    pub done: Duration,
    pub heavy: bool,
    pub second_phase: bool,
}

#[derive(Debug)]
pub struct Stats {
    pub latency: Histogram<u64>,
    pub uncorrected: Histogram<u64>,
    pub cheap: Histogram<u64>,
    pub heavy: Histogram<u64>,
    pub second_phase: Histogram<u64>,
    /// Per window of `window` by intended start: its latencies and its errors.
    windows: Vec<(Histogram<u64>, u64)>,
    window: Duration,
    /// The largest latency, exact (a histogram gives its bucket's top).
    pub max_us: u64,
    pub answered: u64,
    errors: [u64; 4],
    /// Where the second phase starts, after the start, if there is one, and
    /// the failed requests due from then on.
    change: Option<Duration>,
    pub second_phase_errors: u64,
    /// When the last correct answer came, after the start.
    pub last_answer: Duration,
}

impl Stats {
    /// Stats for a schedule of `length`, in windows of `window`, its second
    /// phase (if any) from `change`.
    pub fn new(length: Duration, window: Duration, change: Option<Duration>) -> Self {
        let count = length.as_nanos().div_ceil(window.as_nanos()) as usize;
        Self {
            latency: histogram(3),
            uncorrected: histogram(3),
            cheap: histogram(3),
            heavy: histogram(3),
            second_phase: histogram(3),
            // Two digits: a window's p99 within 1%, in a few KiB each.
            windows: (0..count).map(|_| (histogram(2), 0)).collect(),
            window,
            max_us: 0,
            answered: 0,
            errors: [0; 4],
            change,
            second_phase_errors: 0,
            last_answer: Duration::ZERO,
        }
    }

    pub fn answer(&mut self, a: &Answered) {
        let us = micros(a.latency);
        record(&mut self.latency, us);
        record(&mut self.uncorrected, micros(a.uncorrected));
        record(
            if a.heavy {
                &mut self.heavy
            } else {
                &mut self.cheap
            },
            us,
        );
        if a.second_phase {
            record(&mut self.second_phase, us);
        }
        let index = self.index(a.due);
        if let Some((window, _)) = self.windows.get_mut(index) {
            record(window, us);
        }
        self.max_us = self.max_us.max(us);
        self.answered += 1;
        self.last_answer = self.last_answer.max(a.done);
    }

    /// Counts request `k`'s failure; the first few are said on stderr.
    pub fn fail(&mut self, k: u64, due: Duration, kind: Kind, why: impl fmt::Display) {
        if self.errors() < SAY_FIRST {
            eprintln!("loadgen: request {k}: {}: {why}", kind.word());
        }
        self.errors[kind as usize] += 1;
        if self.change.is_some_and(|change| due >= change) {
            self.second_phase_errors += 1;
        }
        let index = self.index(due);
        if let Some((_, errors)) = self.windows.get_mut(index) {
            *errors += 1;
        }
    }

    /// Counts the requests of `total` neither answered nor failed as `kind`:
    /// timeouts, when the run was cut off with them queued or in flight; refused,
    /// when no connection could be opened at all and none was sent.
    /// They are the schedule's last: its last window and its second phase
    /// count them, so that neither reads as recovered.
    pub fn fail_the_rest(&mut self, total: u64, kind: Kind) {
        let rest = total.saturating_sub(self.answered + self.errors());
        self.errors[kind as usize] += rest;
        if rest > 0 {
            if self.change.is_some() {
                self.second_phase_errors += rest;
            }
            if let Some((_, errors)) = self.windows.last_mut() {
                *errors += rest;
            }
        }
    }

    pub fn errors(&self) -> u64 {
        self.errors.iter().sum()
    }

    /// Each kind's key and count, in the result line's order.
    pub fn by_kind(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        Kind::ALL
            .into_iter()
            .map(|kind| (kind.key(), self.errors[kind as usize]))
    }

    /// Each window's p99 (`None`: no answer in it) and whether any request failed.
    pub fn windows(&self) -> impl Iterator<Item = (Option<u64>, bool)> + '_ {
        self.windows.iter().map(|(latency, errors)| {
            let p99 = (!latency.is_empty()).then(|| quantile(latency, 0.99, self.max_us));
            (p99, *errors > 0)
        })
    }

    fn index(&self, due: Duration) -> usize {
        (due.as_nanos() / self.window.as_nanos()) as usize
    }
}

/// The latency at `q` (0 when there is none), never above the exact largest.
pub fn quantile(histogram: &Histogram<u64>, q: f64, max_us: u64) -> u64 {
    match histogram.is_empty() {
        true => 0,
        false => histogram.value_at_quantile(q).min(max_us),
    }
}

/// Records `us`: the histogram grows to fit it (`saturating_record` would clamp
/// it to the current top instead); only a value beyond any histogram is clamped.
fn record(histogram: &mut Histogram<u64>, us: u64) {
    if histogram.record(us).is_err() {
        histogram.saturating_record(us);
    }
}

/// A histogram that grows to fit what it is given.
fn histogram(digits: u8) -> Histogram<u64> {
    Histogram::new(digits).expect("two or three significant digits are in range")
}

fn micros(d: Duration) -> u64 {
    d.as_micros().try_into().unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(due_ms: u64, latency_us: u64) -> Answered {
        let (due, latency) = (
            Duration::from_millis(due_ms),
            Duration::from_micros(latency_us),
        );
        let (uncorrected, done) = (Duration::from_micros(50), due + latency);
        Answered {
            due,
            latency,
            uncorrected,
            done,
            heavy: false,
            second_phase: false,
        }
    }

    #[test]
    fn latencies_of_any_size_land_in_their_window() {
        let mut stats = Stats::new(
            Duration::from_millis(1_000),
            Duration::from_millis(250),
            None,
        );
        // Far above a new histogram's first range: it must grow, not clamp.
        for (due_ms, us) in [(0, 100), (10, 200), (300, 5_000_000), (999, 7)] {
            stats.answer(&answered(due_ms, us));
        }
        stats.fail(3, Duration::from_millis(800), Kind::Lost, "reset");
        let windows: Vec<_> = stats.windows().collect();
        let p99 = windows[1].0.unwrap();
        assert!(p99.abs_diff(5_000_000) < 50_000, "{windows:?}");
        assert_eq!(windows[0], (Some(200), false));
        assert_eq!((windows[2], windows[3]), ((None, false), (Some(7), true)));
        assert_eq!(
            (stats.max_us, stats.answered, stats.errors()),
            (5_000_000, 4, 1)
        );
        assert_eq!(quantile(&stats.latency, 0.99, stats.max_us), p99);
        assert_eq!(
            stats.last_answer,
            Duration::from_millis(300) + Duration::from_secs(5)
        );
        stats.fail_the_rest(10, Kind::Timeout);
        let kinds: Vec<_> = stats.by_kind().collect();
        assert_eq!(
            kinds,
            [("timeouts", 5), ("refused", 0), ("lost", 1), ("wrong", 0)]
        );
    }
}
