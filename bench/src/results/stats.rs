//! What the tables derive from the raw numbers: ratios with their uncertainty,
//! memory per live unit with its noise, and how to print seconds and bytes.

use std::fmt;

use crate::results::{Cell, Peak, ServerMemory, Timing};

/// `a / b` of two timings' means, with hyperfine's uncertainty: the relative
/// standard deviations added in quadrature (none when either ran once).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ratio {
    pub value: f64,
    pub err: Option<f64>,
}

pub fn ratio(a: &Timing, b: &Timing) -> Ratio {
    let value = a.mean / b.mean;
    let err = a
        .stddev
        .zip(b.stddev)
        .map(|(sa, sb)| value * ((sa / a.mean).powi(2) + (sb / b.mean).powi(2)).sqrt());
    Ratio { value, err }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Two decimals, or enough for three significant digits below 0.1
        // (a ring hop between threads is hundreds of times a loop's turn).
        let digits = match self.value {
            v if v > 0.0 && v < 0.1 => (2 - v.log10().floor() as i32).min(6) as usize,
            _ => 2,
        };
        match self.err {
            Some(err) => write!(f, "{:.digits$} ± {:.digits$}×", self.value, err),
            None => write!(f, "{:.digits$}×", self.value),
        }
    }
}

/// Memory per live unit, or "within noise" with the noise per unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PerUnit {
    Bytes(f64),
    Noise(f64),
}

impl PerUnit {
    pub fn bytes(self) -> Option<f64> {
        match self {
            PerUnit::Bytes(b) => Some(b),
            PerUnit::Noise(_) => None,
        }
    }
}

impl fmt::Display for PerUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            PerUnit::Bytes(b) => f.write_str(&bytes(b)),
            PerUnit::Noise(n) => write!(f, "< noise (±{})", bytes(n)),
        }
    }
}

/// Which peak memory a per-unit figure is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Memory {
    /// `peak_rss_kib` of the result lines: what user space had resident.
    UserSpace,
    /// The memory cgroup's peak: with the kernel's share.
    WithKernel,
    /// The cgroup's kernel part alone (cgroup v1).
    KernelOnly,
}

/// (median peak at x - median peak at the base point) / (x - base x), from each
/// cell's verified runs. The noise is the spread of both: a difference no
/// larger than it (or negative) says only that a unit costs less than the noise.
pub fn per_unit(cell: &Cell, base: &Cell, memory: Memory) -> Option<PerUnit> {
    let units = cell.x?.checked_sub(base.x?).filter(|&u| u > 0)? as f64;
    let peaks = |c: &Cell| -> Option<Vec<f64>> {
        let mut p: Vec<f64> = match memory {
            Memory::UserSpace => c
                .lines()
                .iter()
                .map(|l| Some(l.number("peak_rss_kib")? as f64 * 1024.0))
                .collect::<Option<_>>()?,
            Memory::WithKernel => c.peaks.iter().map(|p| p.total as f64).collect(),
            Memory::KernelOnly => c
                .peaks
                .iter()
                .map(|p| Some(p.kernel? as f64))
                .collect::<Option<_>>()?,
        };
        p.sort_by(f64::total_cmp);
        (!p.is_empty()).then_some(p)
    };
    let (at_x, at_base) = (peaks(cell)?, peaks(base)?);
    let spread = |p: &[f64]| p[p.len() - 1] - p[0];
    let noise = spread(&at_x) + spread(&at_base);
    let diff = median(&at_x) - median(&at_base);
    Some(if diff <= noise {
        // Peaks move by whole pages: the noise is at least one (4 KiB).
        PerUnit::Noise(noise.max(4096.0) / units)
    } else {
        PerUnit::Bytes(diff / units)
    })
}

pub fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

pub fn secs(s: f64) -> String {
    match s {
        s if s < 1e-6 => format!("{:.0} ns", s * 1e9),
        s if s < 1e-3 => format!("{:.1} µs", s * 1e6),
        s if s < 1.0 => format!("{:.1} ms", s * 1e3),
        s => format!("{s:.2} s"),
    }
}

pub fn bytes(b: f64) -> String {
    match b {
        b if b >= 1024.0 * 1024.0 * 1024.0 => format!("{:.2} GiB", b / (1u64 << 30) as f64),
        b if b >= 1024.0 * 1024.0 => format!("{:.1} MiB", b / (1u64 << 20) as f64),
        b if b >= 1024.0 => format!("{:.1} KiB", b / 1024.0),
        b => format!("{b:.0} B"),
    }
}

/// A server's memory per connection in one cell, from the mean of its checks:
/// (peak - idle) / connections, in user space or with the kernel's share.
/// `x` rounded to two significant digits: 14,142 -> 14,000 (a rate between two
/// offered, or what the cores carry, said no finer than it is known).
pub fn two_digits(x: f64) -> u64 {
    let scale = 10f64.powi((x.log10().floor() as i32 - 1).max(0));
    ((x / scale).round() * scale) as u64
}

pub fn per_connection(
    memory: &[ServerMemory],
    peaks: &[Peak],
    connections: u64,
    kind: Memory,
) -> Option<f64> {
    if memory.is_empty() || connections == 0 {
        return None;
    }
    let n = memory.len() as f64;
    let grown: f64 = match kind {
        Memory::UserSpace => memory
            .iter()
            .map(|m| m.peak_kib.saturating_sub(m.idle_kib) as f64 * 1024.0)
            .sum(),
        Memory::WithKernel if peaks.len() == memory.len() => memory
            .iter()
            .zip(peaks)
            .map(|(m, p)| Some(p.total.saturating_sub(m.cgroup_idle?) as f64))
            .sum::<Option<f64>>()?,
        Memory::KernelOnly | Memory::WithKernel => return None,
    };
    Some(grown / n / connections as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{Outcome, testing::timing};
    use workload::ResultLine;

    fn peaks(x: u64, kib: &[u64]) -> Cell {
        let lines = kib
            .iter()
            .map(|k| {
                ResultLine::parse(&format!(
                    "workload=spawn paradigm=t checksum=1 ok=true peak_rss_kib={k}"
                ))
                .unwrap()
            })
            .collect();
        let outcome = Outcome::Ok {
            lines,
            timing: None,
        };
        Cell::new("spawn-memory", Some(x), "t", vec![], outcome)
    }

    #[test]
    fn a_ratio_carries_both_uncertainties() {
        let r = ratio(&timing(2.0, Some(0.2)), &timing(1.0, Some(0.1)));
        assert_eq!(r.value, 2.0);
        assert!((r.err.unwrap() - 2.0 * (0.02f64).sqrt()).abs() < 1e-12);
        assert_eq!(r.to_string(), "2.00 ± 0.28×");
        assert_eq!(
            ratio(&timing(3.0, None), &timing(1.0, Some(0.1))).to_string(),
            "3.00×"
        );
        let small = ratio(&timing(0.0042, None), &timing(1.0, None));
        assert_eq!(small.to_string(), "0.00420×");
    }

    #[test]
    fn memory_per_unit_is_never_negative() {
        let base = peaks(0, &[2_000, 2_010, 2_004]);
        // 1,000 units, 10 MiB more: 10,240 B each, well above a 14 KiB spread.
        let per = per_unit(
            &peaks(1_000, &[12_240, 12_244, 12_250]),
            &base,
            Memory::UserSpace,
        )
        .unwrap();
        assert_eq!(per, PerUnit::Bytes(10_240.0 * 1024.0 / 1_000.0));
        // Below the baseline: noise, said with its size, never a negative number.
        let per = per_unit(&peaks(10, &[1_994, 2_001]), &base, Memory::UserSpace).unwrap();
        assert!(matches!(per, PerUnit::Noise(_)), "{per:?}");
        assert!(per.to_string().starts_with("< noise (±"), "{per}");
        assert_eq!(per_unit(&base, &base, Memory::UserSpace), None);
        // No cgroup peaks: nothing to say with the kernel's share.
        assert_eq!(
            per_unit(&peaks(10, &[3_000]), &base, Memory::WithKernel),
            None
        );
    }

    #[test]
    fn units() {
        assert_eq!(secs(0.000_25), "250.0 µs");
        assert_eq!(secs(0.000_000_12), "120 ns");
        assert_eq!(secs(0.2449), "244.9 ms");
        assert_eq!(secs(12.345), "12.35 s");
        assert_eq!(bytes(453.2), "453 B");
        assert_eq!(bytes(2_424.0 * 1024.0), "2.4 MiB");
    }

    #[test]
    fn memory_per_connection_is_the_growth_over_idle() {
        let m = ServerMemory {
            idle_kib: 1_000,
            peak_kib: 3_000,
            threads: 101,
            processes: 1,
            cgroup_idle: Some(2 << 20),
        };
        let peak = Peak {
            total: 4 << 20,
            kernel: None,
        };
        assert_eq!(
            per_connection(&[m], &[peak], 100, Memory::UserSpace),
            Some(20.0 * 1024.0)
        );
        let with_kernel = per_connection(&[m], &[peak], 100, Memory::WithKernel).unwrap();
        assert!((with_kernel - (2 << 20) as f64 / 100.0).abs() < 1e-9);
        assert_eq!(per_connection(&[m], &[], 100, Memory::WithKernel), None);
        assert_eq!(ServerMemory::from_json(&m.to_json()), Some(m));
    }
}
