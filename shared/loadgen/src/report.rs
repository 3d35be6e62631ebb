//! The result line: the contract's keys in its order, with the project's additions
//! (errors by kind, `uncorrected_p99_us`, `cpu_ms`, the windows and, with a second
//! phase, its rate, length, p99 and recovery), read back by
//! `workload::ResultLine`.

use std::time::Duration;

use crate::{
    args::Args,
    schedule::Schedule,
    stats::{Stats, quantile},
};

/// A run's numbers besides its stats.
#[derive(Debug, Clone, Copy)]
pub struct Counts {
    pub sent: u64,
    pub connections: u64,
    pub behind: Duration,
    pub cpu_ms: u64,
}

/// The result line. `ok` is true when every request was answered correctly.
pub fn line(args: &Args, stats: &Stats, counts: Counts) -> String {
    let schedule = Schedule::new(args);
    let q = |histogram, at| quantile(histogram, at, stats.max_us).to_string();
    // From the start to the last answer, or to the schedule's end if that is later.
    let seconds = stats.last_answer.max(schedule.end()).as_secs_f64();
    let achieved = (stats.answered as f64 / seconds).round() as u64;
    let windows = windows(&schedule, stats, args.window_ms);
    let mut fields = vec![
        ("workload", "load".to_string()),
        ("server", args.server.name.clone()),
        ("rate", args.rate.to_string()),
        ("duration_ms", args.duration_ms.to_string()),
        ("sent", counts.sent.to_string()),
        ("answered", stats.answered.to_string()),
        ("errors", stats.errors().to_string()),
    ];
    fields.extend(stats.by_kind().map(|(key, n)| (key, n.to_string())));
    fields.extend([
        ("achieved_rate", achieved.to_string()),
        ("connections", counts.connections.to_string()),
        ("p50_us", q(&stats.latency, 0.5)),
        ("p90_us", q(&stats.latency, 0.9)),
        ("p99_us", q(&stats.latency, 0.99)),
        ("p999_us", q(&stats.latency, 0.999)),
        ("max_us", stats.max_us.to_string()),
        ("uncorrected_p99_us", q(&stats.uncorrected, 0.99)),
        ("cheap_p99_us", q(&stats.cheap, 0.99)),
        ("heavy_p99_us", q(&stats.heavy, 0.99)),
        ("behind_us", counts.behind.as_micros().to_string()),
        ("cpu_ms", counts.cpu_ms.to_string()),
    ]);
    let p99s: Vec<String> = windows.iter().map(Window::p99).collect();
    fields.push(("p99_windows_us", p99s.join(",")));
    if let (Some(rate), Some(ms), Some(change)) =
        (args.then_rate, args.then_ms, schedule.phase_change())
    {
        let recovery = recovery_ms(&windows, args.window_ms, change, args.target_p99_us);
        fields.extend([
            ("then_rate", rate.to_string()),
            ("then_ms", ms.to_string()),
            ("then_p99_us", q(&stats.second_phase, 0.99)),
            ("then_errors", stats.second_phase_errors.to_string()),
            (
                "recovery_ms",
                recovery.map_or("never".into(), |ms| ms.to_string()),
            ),
        ]);
    }
    fields.push(("ok", (stats.errors() == 0).to_string()));
    let pairs: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
    pairs.join(" ")
}

/// One window of the run, by intended start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    /// The p99 of its answers; `None` when it has none.
    p99_us: Option<u64>,
    /// Some request due in it failed.
    failed: bool,
    /// Some request was due in it at all.
    any_due: bool,
}

impl Window {
    /// Its p99, or `-` for a window with no answers.
    fn p99(&self) -> String {
        self.p99_us.map_or("-".into(), |us| us.to_string())
    }

    /// Served as wished: no failure, and a p99 at most `target_us` (or no request).
    fn good(&self, target_us: u64) -> bool {
        !self.failed && self.p99_us.map_or(!self.any_due, |us| us <= target_us)
    }
}

fn windows(schedule: &Schedule, stats: &Stats, window_ms: u64) -> Vec<Window> {
    let ms = Duration::from_millis;
    stats
        .windows()
        .enumerate()
        .map(|(i, (p99_us, failed))| {
            let from = i as u64 * window_ms;
            let any_due = schedule.any_due(ms(from), ms(from + window_ms));
            Window {
                p99_us,
                failed,
                any_due,
            }
        })
        .collect()
}

/// From the phase change to the end of the first window after which every window
/// is good; `None` (never) when the last one is not.
fn recovery_ms(
    windows: &[Window],
    window_ms: u64,
    change: Duration,
    target_us: u64,
) -> Option<u64> {
    let change_ms = change.as_millis() as u64;
    // The windows that hold second-phase time: from the one the change falls in.
    let first = (change_ms / window_ms) as usize;
    let after = windows.get(first..).unwrap_or(&[]);
    match after.iter().rposition(|w| !w.good(target_us)) {
        None => Some(0),
        Some(i) if first + i + 1 == windows.len() => None,
        Some(i) => Some(((first + i + 1) as u64 * window_ms).saturating_sub(change_ms)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn windows(p99s: &[Option<u64>]) -> Vec<Window> {
        let window = |&p99_us: &Option<u64>| Window {
            p99_us,
            failed: false,
            any_due: true,
        };
        p99s.iter().map(window).collect()
    }

    #[test]
    fn recovery_is_the_end_of_the_last_bad_window_after_the_change() {
        let change = Duration::from_millis(250);
        let at = |p99s: &[Option<u64>]| recovery_ms(&windows(p99s), 100, change, 10);
        // Windows of 100 ms; the change falls in window 2 (200..300).
        assert_eq!(
            at(&[Some(50), Some(50), Some(50), Some(50), Some(5)]),
            Some(150)
        );
        assert_eq!(
            at(&[Some(50), Some(50), Some(5), Some(5), Some(5)]),
            Some(0)
        );
        assert_eq!(at(&[Some(5), Some(5), Some(5), Some(5), Some(50)]), None);
        assert_eq!(
            at(&[Some(5), Some(5), Some(5), None, Some(5)]),
            Some(150),
            "no answers"
        );
        let mut failed = windows(&[Some(5); 5]);
        failed[3].failed = true;
        assert_eq!(recovery_ms(&failed, 100, change, 10), Some(150));
        failed[3] = Window {
            p99_us: None,
            failed: false,
            any_due: false,
        };
        assert_eq!(
            recovery_ms(&failed, 100, change, 10),
            Some(0),
            "nothing was due"
        );
    }

    #[test]
    fn an_empty_window_prints_a_dash() {
        let printed: Vec<String> = windows(&[Some(7), None]).iter().map(Window::p99).collect();
        assert_eq!(printed, ["7", "-"]);
    }
}
