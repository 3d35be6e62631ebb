//! The counting pass: one more run of a verified program, untimed, that says
//! why its time is what it is. Syscalls and CPU migrations come from `perf stat`
//! where it works (events counted for the whole process tree); context switches,
//! voluntary and involuntary, and page faults from the rusage of the children the
//! benchmark waited for, which also covers the program's own children. Where the
//! kernel has the tracepoints, perf also counts ([`Extra`]) `sched_yield` calls by
//! name (a spinning channel's backoff, crossbeam's, yields before it parks; std's
//! never), `io_uring_enter` calls (a completion runtime's way into the kernel),
//! and wake-ups of a task on another CPU.

use std::{fs, path::Path, process::Command};

use crate::results::{Counters, PerfCounts};

use nix::sys::resource::{UsageWho, getrusage};

const EVENTS: &str = "raw_syscalls:sys_enter,cpu-migrations";

/// A count perf adds where this kernel has its tracepoints, each probed on its
/// own: a cell has it, or `None` where it was not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extra {
    /// `sched_yield` calls, of the syscalls.
    Yields,
    /// `io_uring_enter` calls, of the syscalls.
    UringEnters,
    /// Wake-ups of a task on another CPU that set that CPU going: an interrupt
    /// sent to it (`ipi_send_cpu`), or, where it polls while idle, a flag set
    /// with none (`sched_wake_idle_without_ipi`). Two threads handing a byte to
    /// and fro 100,000 times through pipes, measured here: pinned to one CPU,
    /// 53; to two, 194,110 + 3,385 of 199,904 wake-ups. A wake-up queued behind
    /// another program's task on a busy CPU interrupts nothing and is not
    /// counted (with a compile beside it: 42,241 of 183,588). `sched_wakeup`
    /// fires on the woken CPU, outside the counted tree: it missed 80% of them.
    CrossWakeups,
}

impl Extra {
    pub const ALL: [Extra; 3] = [Extra::Yields, Extra::UringEnters, Extra::CrossWakeups];

    /// The tracepoints whose counts it sums.
    fn events(self) -> &'static [&'static str] {
        match self {
            Extra::Yields => &["syscalls:sys_enter_sched_yield"],
            Extra::UringEnters => &["syscalls:sys_enter_io_uring_enter"],
            Extra::CrossWakeups => &["ipi:ipi_send_cpu", "sched:sched_wake_idle_without_ipi"],
        }
    }

    /// Its events for `perf stat -e`.
    fn list(self) -> String {
        self.events().join(",")
    }
}

/// How this machine counts.
#[derive(Debug, Clone)]
pub enum Counting {
    /// perf's version, and the [`Extra`] counts it makes here.
    Perf(String, Vec<Extra>),
    /// Only rusage, and why perf is not used.
    Rusage(String),
}

impl Counting {
    /// perf if `perf stat` counts the events here (it needs the tracepoint and,
    /// as a user, a permissive perf_event_paranoid), else rusage alone.
    pub fn detect() -> Self {
        let probe = |events: &str| {
            let out = std::env::temp_dir().join(format!("bench-perf-probe-{}", std::process::id()));
            let probe = Command::new("perf")
                .args(["stat", "-x,", "-e", events, "-o"])
                .arg(&out)
                .args(["--", "true"])
                .output();
            let text = fs::read_to_string(&out).unwrap_or_default();
            let _ = fs::remove_file(&out); // scratch
            (probe, text)
        };
        let extras = Extra::ALL.into_iter().filter(|&extra| {
            let (o, text) = probe(&format!("{EVENTS},{}", extra.list()));
            o.is_ok_and(|o| o.status.success()) && counted(&text, extra).is_ok_and(|c| c.is_some())
        });
        let extras = extras.collect();
        match probe(EVENTS) {
            (Ok(o), text) if o.status.success() && parse_perf(&text).is_ok() => {
                let version = Command::new("perf").arg("--version").output();
                let version = version.map_or(String::new(), |v| {
                    String::from_utf8_lossy(&v.stdout).trim().to_string()
                });
                Counting::Perf(version, extras)
            }
            (Ok(o), _) => Counting::Rusage(format!(
                "perf stat cannot count {EVENTS} here: {}",
                String::from_utf8_lossy(&o.stderr)
                    .lines()
                    .next()
                    .unwrap_or("no output")
            )),
            (Err(e), _) => Counting::Rusage(format!("no perf ({e})")),
        }
    }

    /// For the machine description.
    pub fn describe(&self) -> String {
        match self {
            Counting::Perf(version, extras) => {
                let missing: Vec<String> = Extra::ALL
                    .iter()
                    .filter(|e| !extras.contains(e))
                    .map(|e| format!(" ({}: no such tracepoint here)", e.list()))
                    .collect();
                let wakeups = match extras.contains(&Extra::CrossWakeups) {
                    true => format!(
                        "; cross-CPU wake-ups are {}: a wake-up that sent another CPU an interrupt, or set a polling idle one going without one; a wake-up queued behind another program on a busy CPU interrupts nothing and is not counted",
                        Extra::CrossWakeups.events().join(" + ")
                    ),
                    false => String::new(),
                };
                format!(
                    "{version}: syscalls and migrations from perf stat -e {}{} (children included){wakeups}; switches and page faults from rusage",
                    self.events(),
                    missing.concat()
                )
            }
            Counting::Rusage(why) => {
                format!(
                    "rusage only (switches, page faults); syscalls and migrations not measured: {why}"
                )
            }
        }
    }

    /// perf's `-e`: the events always counted and the extras counted here.
    fn events(&self) -> String {
        let mut events = EVENTS.to_string();
        if let Counting::Perf(_, extras) = self {
            for extra in extras {
                events = format!("{events},{}", extra.list());
            }
        }
        events
    }

    /// The command to run for counting, writing perf's CSV to `csv`.
    pub fn command(&self, command: &[String], csv: &Path) -> Vec<String> {
        match self {
            Counting::Perf(..) => {
                let events = self.events();
                let mut perf = vec!["perf", "stat", "-x,", "-e", &events, "-o"]
                    .into_iter()
                    .map(String::from)
                    .collect::<Vec<_>>();
                perf.push(csv.to_string_lossy().into());
                perf.push("--".into());
                perf.extend(command.iter().cloned());
                perf
            }
            Counting::Rusage(_) => command.to_vec(),
        }
    }
}

/// The rusage of every child reaped so far; the difference across one program's
/// run is that program's (and its children's).
pub fn children_so_far() -> Counters {
    match getrusage(UsageWho::RUSAGE_CHILDREN) {
        Ok(u) => Counters {
            syscalls: None,
            migrations: None,
            sched_yields: None,
            uring_enters: None,
            cross_wakeups: None,
            voluntary: u.voluntary_context_switches().max(0) as u64,
            involuntary: u.involuntary_context_switches().max(0) as u64,
            page_faults: (u.minor_page_faults() + u.major_page_faults()).max(0) as u64,
            machine_switches: None,
            cpu_us: Some(
                [u.user_time(), u.system_time()]
                    .iter()
                    .map(|t| (t.tv_sec() * 1_000_000 + t.tv_usec()).max(0) as u64)
                    .sum(),
            ),
        },
        Err(_) => Counters::default(), // cannot fail for RUSAGE_CHILDREN on Linux
    }
}

/// [`PerfCounts`] from `perf stat -x,` output: `value,unit,event,...`.
pub fn parse_perf(csv: &str) -> Result<PerfCounts, String> {
    let need = |event: &str| count(csv, event)?.ok_or_else(|| format!("perf counted no {event}"));
    Ok(PerfCounts {
        syscalls: need("raw_syscalls:sys_enter")?,
        migrations: need("cpu-migrations")?,
        sched_yields: counted(csv, Extra::Yields)?,
        uring_enters: counted(csv, Extra::UringEnters)?,
        cross_wakeups: counted(csv, Extra::CrossWakeups)?,
    })
}

/// An [`Extra`]'s count: the sum of its events, `None` where perf was not
/// asked for them all.
fn counted(csv: &str, extra: Extra) -> Result<Option<u64>, String> {
    let counts: Option<Vec<u64>> = extra
        .events()
        .iter()
        .map(|e| count(csv, e))
        .collect::<Result<_, _>>()?;
    Ok(counts.map(|c| c.iter().sum()))
}

/// One event's count in perf's CSV, `None` where it has no line.
fn count(csv: &str, event: &str) -> Result<Option<u64>, String> {
    let value = csv
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .find_map(|l| {
            let fields: Vec<&str> = l.split(',').collect();
            (fields.get(2) == Some(&event)).then(|| fields[0].to_string())
        });
    value
        .map(|v| {
            v.parse::<u64>()
                .map_err(|_| format!("perf could not count {event}: {v}"))
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `perf stat -x, -e raw_syscalls:sys_enter,cpu-migrations -o FILE -- threads-spawn ...`
    /// as perf 6.1 wrote it on the developer machine.
    const CAPTURED: &str = "# started on Wed Nov 25 14:18:51 2026\n\n\
        2228,,raw_syscalls:sys_enter,10523468,100.00,211.717,K/sec\n\
        59,,cpu-migrations,10523468,100.00,5.607,K/sec\n";

    #[test]
    fn perf_csv_is_read_by_event_name() {
        let plain = PerfCounts {
            syscalls: 2228,
            migrations: 59,
            ..PerfCounts::default()
        };
        assert_eq!(parse_perf(CAPTURED), Ok(plain));
        let with_yields = format!("{CAPTURED}80000,,syscalls:sys_enter_sched_yield,1,100.00,,\n");
        let yields = PerfCounts {
            sched_yields: Some(80_000),
            ..plain
        };
        assert_eq!(parse_perf(&with_yields), Ok(yields));
        // The extras as perf 6.1 wrote them here, ipi_send_cpumask beside (not asked).
        let extras = format!(
            "{with_yields}412,,syscalls:sys_enter_io_uring_enter,1,100.00,,\n\
             0,,ipi:ipi_send_cpumask,1,100.00,,\n194110,,ipi:ipi_send_cpu,1,100.00,,\n\
             3385,,sched:sched_wake_idle_without_ipi,1,100.00,,\n"
        );
        let all = PerfCounts {
            uring_enters: Some(412),
            cross_wakeups: Some(194_110 + 3_385),
            ..yields
        };
        assert_eq!(parse_perf(&extras), Ok(all));
        // Half of a sum is no count.
        let half = format!("{CAPTURED}194110,,ipi:ipi_send_cpu,1,100.00,,\n");
        assert_eq!(parse_perf(&half).unwrap().cross_wakeups, None);
        let said = Counting::Perf("perf 6.1".into(), vec![Extra::CrossWakeups]).describe();
        assert!(said.contains("cpu-migrations,ipi:ipi_send_cpu,sched:sched_wake_idle_without_ipi (syscalls:sys_enter_sched_yield: no such tracepoint here) (syscalls:sys_enter_io_uring_enter: no such"), "{said}");
        assert!(said.contains("cross-CPU wake-ups are ipi:ipi_send_cpu + sched:sched_wake_idle_without_ipi: a wake-up that sent another CPU an interrupt, or set a polling idle one going without one; a wake-up queued behind another program on a busy CPU interrupts nothing and is not counted;"), "{said}");
        let unsupported =
            "<not supported>,,raw_syscalls:sys_enter,0,100.00,,\n59,,cpu-migrations,1,100.00,,\n";
        assert!(
            parse_perf(unsupported)
                .unwrap_err()
                .contains("could not count")
        );
        assert!(parse_perf("").unwrap_err().contains("no raw_syscalls"));
    }

    #[test]
    fn rusage_of_a_child_counts_its_switches_and_faults() {
        let before = children_so_far();
        // A child that sleeps (a voluntary switch) and touches memory (faults).
        let status = Command::new("sh")
            .args(["-c", "sleep 0.05; x=$(seq 1 2000)"])
            .status()
            .unwrap();
        assert!(status.success());
        let counted = Counters::between(before, children_so_far(), None);
        assert!(counted.voluntary >= 1, "{counted:?}");
        assert!(counted.page_faults > 10, "{counted:?}");
        assert_eq!(counted.syscalls, None);
        let back = Counters::from_json(&counted.to_json()).unwrap();
        assert_eq!(back, counted);
    }
}
