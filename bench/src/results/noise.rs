//! Whether a cell's times are its program's: noise (the host's steal, other
//! programs, a slowed CPU, read around its timed runs) and ties (two programs
//! whose timed runs' ranges overlap). The tables and the primer say what these
//! decide; the runs' readings are in [`crate::measure`].

use crate::{
    results::stats::{median, secs},
    results::{Around, Timing},
};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::testing::timing;

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
        // io-fast in results/2026-12-06-vm-2 (in the history): tokio's one slow run does not
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
}
