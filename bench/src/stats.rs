//! What the tables derive from the raw numbers: ratios with their uncertainty,
//! memory per live unit with its noise, and how to print seconds and bytes.

use std::fmt;

use crate::results::{Around, Cell, Timing};

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

/// Two timings tie when the ranges of their timed runs overlap: the slower's
/// fastest run was no slower than the faster's slowest, leaving out each one's
/// fastest and slowest run from four runs on ([`Timing::middle_range`]).
pub fn tie(a: &Timing, b: &Timing) -> bool {
    let ((a_min, a_max), (b_min, b_max)) = (a.middle_range(), b.middle_range());
    a_min <= b_max && b_min <= a_max
}

/// Steal above this share of the machine's CPU time during a cell's runs
/// makes its time the host's as much as the program's.
const STEAL_NOISE: f64 = 0.05;
/// Other programs that took more than this share of the machine's CPU time
/// during a cell's runs took it from the program (a compile beside the
/// benchmark made 10,000 connections take 1.2-1.7 s instead of 0.7-0.8).
const OTHERS_NOISE: f64 = 0.10;
/// One timed run that used this much more CPU than another, for the same work,
/// ran on a slowed CPU (a busy host, a sibling thread): measured here, a slow
/// second made a 85 ms run take 155 ms, at 1.7-1.9x the CPU per job.
const CPU_NOISE: f64 = 1.4;
/// ... and by more than this, so that a clock tick's rounding is never noise.
const CPU_SLACK: f64 = 0.02;

/// A run that switched context more than this many times as often as another
/// (and [`SWITCH_SLACK`] more) did other work, not the same work slower.
const SWITCH_CHANGE: f64 = 1.2;
const SWITCH_SLACK: f64 = 500.0;

/// Why a cell's timed runs measure the machine more than the program, or
/// `None`. Every run of one program does the same work, so CPU time that grows
/// from run to run, or past its counting run's (`counted`: its CPU time and
/// switches), while the context switches do not, was taken by a slowed CPU (a
/// busy host), as was steal time and CPU time that other programs took. A run
/// whose switches grew with its CPU time is the program's own: a runtime whose
/// tasks met on one worker in one run and on two in the next (tokio's ring:
/// 35 ms of CPU and 1,500 switches, or 70 ms and 10,000).
pub fn noise(around: &Around, counted: Option<(f64, u64)>) -> Option<String> {
    if let Some(steal) = around.steal.filter(|&s| s > STEAL_NOISE) {
        return Some(format!(
            "the host stole {:.0}% of the CPU during its runs",
            steal * 100.0
        ));
    }
    if let Some(others) = around.others.filter(|&s| s > OTHERS_NOISE) {
        return Some(format!(
            "other programs took {:.0}% of the machine's CPU during its runs",
            others * 100.0
        ));
    }
    let inflated = |a: f64, b: f64| a > b * CPU_NOISE && a - b > CPU_SLACK;
    let switched_more = |a: Option<u64>, b: Option<u64>| match (a, b) {
        (Some(a), Some(b)) => a as f64 > b as f64 * SWITCH_CHANGE + SWITCH_SLACK,
        // Not read: the CPU time alone speaks.
        _ => false,
    };
    let runs: Vec<(f64, Option<u64>)> = around
        .cpu
        .iter()
        .enumerate()
        .map(|(i, &cpu)| (cpu, around.switches.get(i).copied().flatten()))
        .collect();
    // Where switches were read (runs without warm-ups), only those runs are
    // compared: a run whose switches are unknown cannot show it did other work.
    let read: Vec<(f64, Option<u64>)> = runs.iter().copied().filter(|r| r.1.is_some()).collect();
    let judged = if read.len() >= 2 { &read } else { &runs };
    let low = judged.iter().min_by(|a, b| a.0.total_cmp(&b.0))?;
    let high = judged.iter().max_by(|a, b| a.0.total_cmp(&b.0))?;
    if inflated(high.0, low.0) && !switched_more(high.1, low.1) {
        return Some(format!(
            "CPU time per run {} to {} for the same work, with as many switches",
            secs(low.0),
            secs(high.0)
        ));
    }
    let mut cpu: Vec<f64> = runs.iter().map(|r| r.0).collect();
    cpu.sort_by(f64::total_cmp);
    let mut switches: Vec<u64> = runs.iter().filter_map(|r| r.1).collect();
    switches.sort_unstable();
    let median_switches = switches.get(switches.len() / 2).copied();
    match counted {
        Some((cpu_counted, switches_counted))
            if cpu_counted > 0.0
                && inflated(median(&cpu), cpu_counted)
                && !switched_more(median_switches, Some(switches_counted)) =>
        {
            Some(format!(
                "its timed runs took {:.1}× the CPU of its counting run, with as many switches",
                median(&cpu) / cpu_counted
            ))
        }
        _ => None,
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

fn median(sorted: &[f64]) -> f64 {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::Outcome;
    use workload::ResultLine;

    fn timing(mean: f64, stddev: Option<f64>) -> Timing {
        Timing {
            mean,
            stddev,
            median: mean,
            min: mean,
            max: mean,
            user: 0.0,
            system: 0.0,
            runs: 3,
            times: Vec::new(),
        }
    }

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
    fn overlapping_ranges_tie() {
        let range = |min: f64, max: f64| Timing {
            min,
            max,
            ..timing((min + max) / 2.0, Some(0.01))
        };
        assert!(tie(&range(0.080, 0.090), &range(0.085, 0.120)));
        assert!(tie(&range(0.085, 0.120), &range(0.080, 0.090)));
        assert!(!tie(&range(0.080, 0.084), &range(0.085, 0.120)));
        // io-fast in results/2026-12-06-vm-2: tokio's one slow run does not
        // make it tie with smol; their middle runs are apart.
        let runs = |times: &[f64]| Timing {
            times: times.to_vec(),
            ..range(times[0], times[times.len() - 1])
        };
        let tokio = runs(&[0.1894, 0.2050, 0.2181, 0.2230, 0.2975]);
        let smol = runs(&[0.2612, 0.2700, 0.2831, 0.2900, 0.3289]);
        assert!(!tie(&tokio, &smol));
        let threads = runs(&[0.2619, 0.2700, 0.2823, 0.2950, 0.3298]);
        assert!(tie(&smol, &threads));
    }

    #[test]
    fn inflated_cpu_or_steal_is_noise() {
        let around = |cpu: &[f64], steal: f64| Around {
            cpu: cpu.to_vec(),
            steal: Some(steal),
            ..Around::default()
        };
        // smol-cpu in results/2026-12-01-vm: 85, 155, 155, 158, 156 ms, same work.
        let smol = around(&[0.160, 0.290, 0.291, 0.296, 0.293], 0.0);
        let why = noise(&smol, Some((0.165, 60))).unwrap();
        assert!(why.contains("160.0 ms to 296.0 ms"), "{why}");
        // The same spread with as many switches (read) is noise too ...
        let same = Around {
            switches: vec![Some(1_500), Some(1_600), None, Some(1_550), Some(1_500)],
            ..smol.clone()
        };
        assert!(noise(&same, None).is_some());
        // ... but not when the slow runs switched far more: tokio-ring's tasks
        // on one worker in one run (35 ms CPU), on two in another (70 ms).
        let tokio_ring = Around {
            cpu: vec![0.035, 0.070, 0.068],
            switches: vec![Some(1_500), Some(10_200), Some(9_900)],
            ..Around::default()
        };
        assert_eq!(noise(&tokio_ring, Some((0.036, 1_400))), None);
        // Steady runs, but every one slower than the counting run.
        let slowed = around(&[0.290, 0.291, 0.293], 0.0);
        assert!(noise(&slowed, Some((0.160, 60))).unwrap().contains("1.8×"));
        assert_eq!(noise(&slowed, Some((0.280, 60))), None);
        assert!(
            noise(&around(&[0.16], 0.08), None)
                .unwrap()
                .contains("stole 8%")
        );
        // A tick's rounding in a short run is not noise.
        assert_eq!(
            noise(&around(&[0.004, 0.012], 0.0), Some((0.004, 10))),
            None
        );
        assert_eq!(noise(&Around::default(), None), None);
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
}
