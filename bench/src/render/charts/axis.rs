//! Log axes for the charts: fitted to the data, with ticks where a reader
//! expects them (1, 10, 100 of a unit; 1-2-5 when the range is narrow), in
//! seconds, bytes or plain counts (requests per second).

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};

/// A linear f64 axis whose labels and grid lines are exactly `ticks`.
#[derive(Clone)]
pub struct Ticked {
    range: Range<f64>,
    ticks: Vec<f64>,
}

pub fn ticked(range: Range<f64>, ticks: Vec<f64>) -> Ticked {
    Ticked { range, ticks }
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let share = (value - self.range.start) / (self.range.end - self.range.start);
        limit.0 + (share * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        // Bold lines only: a light mesh between the ticks would be clutter.
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.range.clone()
    }
}

/// A log axis over `[lo, hi]` (in log10), ticks where a reader expects them.
pub struct LogAxis {
    pub lo: f64,
    pub hi: f64,
    pub ticks: Vec<f64>,
    unit: Unit,
}

/// What an axis counts, for its ticks and labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Seconds,
    Bytes,
    /// A plain count: `500`, `2k`, `100k`.
    Count,
}

impl Unit {
    /// Its units, and their names, from the smallest.
    fn units(self) -> (&'static [f64], &'static [&'static str]) {
        match self {
            Unit::Seconds => (&[1e-6, 1e-3, 1.0], &["µs", "ms", "s"]),
            Unit::Bytes => (
                &[1.0, 1024.0, 1048576.0, 1073741824.0],
                &["B", "KiB", "MiB", "GiB"],
            ),
            Unit::Count => (&[1.0, 1e3, 1e6], &["", "k", "M"]),
        }
    }
}

impl LogAxis {
    pub fn fit(min: f64, max: f64, memory: bool) -> Self {
        Self::fit_in(min, max, if memory { Unit::Bytes } else { Unit::Seconds })
    }

    /// A log axis of counts (requests per second), labelled `500`, `2k`, `100k`.
    pub fn fit_counts(min: f64, max: f64) -> Self {
        Self::fit_in(min, max, Unit::Count)
    }

    fn fit_in(min: f64, max: f64, unit: Unit) -> Self {
        let (min, max) = if min > 0.0 && max >= min {
            (min, max)
        } else {
            (1e-3, 1.0)
        };
        let pad = ((max.log10() - min.log10()) * 0.06).max(0.08);
        let (lo, hi) = (min.log10() - pad, max.log10() + pad);
        let inside = |steps: &[f64]| -> Vec<f64> {
            let all = tick_values(unit, steps);
            all.into_iter().filter(|&t| t >= lo && t <= hi).collect()
        };
        let mut ticks = inside(&[1.0]);
        if ticks.len() < 3 {
            ticks = inside(&[1.0, 2.0, 5.0]);
        }
        if ticks.len() < 2 {
            // Too narrow: grow to the 1-2-5 ticks just below and above the data,
            // so that there are always two labels to read by.
            let all = tick_values(unit, &[1.0, 2.0, 5.0]);
            let below = all.iter().copied().rfind(|&t| t <= lo).unwrap_or(lo);
            let above = all.iter().copied().find(|&t| t >= hi).unwrap_or(hi);
            let (lo, hi) = (below - 0.02, above + 0.02);
            let ticks = all.into_iter().filter(|&t| t >= lo && t <= hi).collect();
            return Self {
                lo,
                hi,
                ticks,
                unit,
            };
        }
        Self {
            lo,
            hi,
            ticks,
            unit,
        }
    }

    pub fn label(&self, t: f64) -> String {
        let v = 10f64.powf(t);
        let (units, names) = self.unit.units();
        let i = units.iter().rposition(|&u| v >= u * 0.999).unwrap_or(0);
        match self.unit {
            Unit::Count => format!("{}{}", format_number(v / units[i]), names[i]),
            _ => format!("{} {}", format_number(v / units[i]), names[i]),
        }
    }
}

/// Every tick an axis may have, as log10 values in order: `steps` times 1, 10
/// and 100 of each unit (seconds: µs, ms, s; bytes: B, KiB, MiB, GiB; counts: 1, k, M).
fn tick_values(unit: Unit, steps: &[f64]) -> Vec<f64> {
    let (units, _) = unit.units();
    let mut ticks: Vec<f64> = units
        .iter()
        .flat_map(|&u| [1.0, 10.0, 100.0].map(move |d| d * u))
        .flat_map(|du| steps.iter().map(move |m| (m * du).log10()))
        .collect();
    ticks.sort_by(f64::total_cmp);
    ticks.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
    ticks
}

fn format_number(v: f64) -> String {
    if (v - v.round()).abs() < 1e-6 {
        format!("{:.0}", v.round())
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(axis: &LogAxis) -> Vec<String> {
        axis.ticks.iter().map(|&t| axis.label(t)).collect()
    }

    #[test]
    fn ticks_are_round_numbers_in_the_axis_unit() {
        // Four decades of time: powers of ten only.
        let wide = LogAxis::fit(0.002, 5.0, false);
        assert_eq!(labels(&wide), ["10 ms", "100 ms", "1 s"]);
        // Bytes: powers of ten of KiB and MiB, never "9536.7 MiB".
        let memory = LogAxis::fit(400.0, 2.5 * 1024.0 * 1024.0, true);
        assert_eq!(labels(&memory), ["1 KiB", "10 KiB", "100 KiB", "1 MiB"]);
        // A narrow range still gets two 1-2-5 labels around the data.
        let narrow = LogAxis::fit(0.0125, 0.015, false);
        assert_eq!(labels(&narrow), ["10 ms", "20 ms"]);
        assert!(narrow.lo <= 0.0125f64.log10() && narrow.hi >= 0.015f64.log10());
        // Requests per second: plain counts, in thousands from 1,000.
        let rates = LogAxis::fit_counts(500.0, 200_000.0);
        assert_eq!(labels(&rates), ["1k", "10k", "100k"]);
        let few = LogAxis::fit_counts(800.0, 5_000.0);
        assert_eq!(labels(&few), ["1k", "2k", "5k"]);
    }
}
