//! Latency percentiles of the io workload's requests, from an HDR histogram
//! (three significant digits: within 0.1% of the exact value).

use hdrhistogram::Histogram;

/// p50, p99 and the largest of a run's request latencies, in microseconds. p50 and
/// p99 are the top of their histogram bucket: exact below 2,048 µs, within 0.1%
/// above (Python's programs take them exactly from the sorted list).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Percentiles {
    /// How many latencies there were: one per request (not printed).
    pub count: u64,
    pub p50_us: u64,
    pub p99_us: u64,
    /// Exact, not rounded to the histogram's precision.
    pub max_us: u64,
}

impl Percentiles {
    /// The percentiles of `latencies_us`; all zero when there are none.
    pub fn of(latencies_us: &[u64]) -> Self {
        let mut histogram =
            Histogram::<u64>::new(3).expect("three significant digits are in range");
        for &us in latencies_us {
            // It grows to fit; only a value beyond any histogram is clamped.
            if histogram.record(us).is_err() {
                histogram.saturating_record(us);
            }
        }
        // The histogram answers with its bucket's top: never above the real largest.
        let max_us = latencies_us.iter().copied().max().unwrap_or(0);
        Self {
            count: latencies_us.len() as u64,
            p50_us: histogram.value_at_quantile(0.5).min(max_us),
            p99_us: histogram.value_at_quantile(0.99).min(max_us),
            max_us,
        }
    }

    /// The result line's three fields, in its order.
    pub fn fields(&self) -> [(&'static str, u64); 3] {
        [
            ("p50_us", self.p50_us),
            ("p99_us", self.p99_us),
            ("max_us", self.max_us),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_a_known_set() {
        // 1..=1000 µs: the median is 500, the 99th percentile 990, the largest 1000.
        let latencies: Vec<u64> = (1..=1_000).rev().collect();
        let p = Percentiles::of(&latencies);
        assert_eq!((p.p50_us, p.p99_us, p.max_us), (500, 990, 1_000));
        // One slow request in a hundred is the p99; two in a hundred move it.
        let mut tail = vec![100; 99];
        tail.push(50_000);
        assert_eq!(Percentiles::of(&tail).p99_us, 100);
        assert_eq!(Percentiles::of(&tail).max_us, 50_000);
        tail[0] = 50_000;
        assert_eq!(Percentiles::of(&tail).p99_us, 50_000, "never above the max");
        assert_eq!(Percentiles::of(&tail).count, 100);
    }

    #[test]
    fn large_values_keep_three_digits_and_none_is_zero() {
        let p = Percentiles::of(&[123_456_789, 100]);
        assert!(p.p99_us.abs_diff(123_456_789) <= 123_457, "{p:?}");
        assert_eq!(p.max_us, 123_456_789);
        assert_eq!(Percentiles::of(&[]), Percentiles::default());
    }
}
