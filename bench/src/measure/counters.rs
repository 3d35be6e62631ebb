//! The counting pass: one more run of a verified program, untimed, that says
//! why its time is what it is. Syscalls and CPU migrations come from `perf stat`
//! where it works (events counted for the whole process tree); context switches,
//! voluntary and involuntary, and page faults from the rusage of the children the
//! benchmark waited for, which also covers the program's own children. Where the
//! kernel has the tracepoint, perf also counts `sched_yield` calls by name: a
//! spinning channel's backoff (crossbeam's) yields before it parks, std's never.

use std::{fs, path::Path, process::Command};

use crate::results::{Counters, PerfCounts};

use nix::sys::resource::{UsageWho, getrusage};

const EVENTS: &str = "raw_syscalls:sys_enter,cpu-migrations";
/// The syscall tracepoint that names `sched_yield`, counted where it exists.
const YIELDS: &str = "syscalls:sys_enter_sched_yield";

/// How this machine counts.
#[derive(Debug, Clone)]
pub enum Counting {
    /// perf's version, and whether it counts `sched_yield` too.
    Perf(String, bool),
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
        let yields = match probe(&format!("{EVENTS},{YIELDS}")) {
            (Ok(o), text) => o.status.success() && parse_perf(&text).is_ok_and(|c| c.2.is_some()),
            _ => false,
        };
        match probe(EVENTS) {
            (Ok(o), text) if o.status.success() && parse_perf(&text).is_ok() => {
                let version = Command::new("perf").arg("--version").output();
                let version = version.map_or(String::new(), |v| {
                    String::from_utf8_lossy(&v.stdout).trim().to_string()
                });
                Counting::Perf(version, yields)
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
            Counting::Perf(version, yields) => format!(
                "{version}: syscalls and migrations from perf stat -e {EVENTS}{} (children included); switches and page faults from rusage",
                match yields {
                    true => format!(",{YIELDS}"),
                    false => format!(" ({YIELDS}: no such tracepoint here)"),
                }
            ),
            Counting::Rusage(why) => {
                format!(
                    "rusage only (switches, page faults); syscalls and migrations not measured: {why}"
                )
            }
        }
    }

    /// The command to run for counting, writing perf's CSV to `csv`.
    pub fn command(&self, command: &[String], csv: &Path) -> Vec<String> {
        match self {
            Counting::Perf(_, yields) => {
                let events = match yields {
                    true => format!("{EVENTS},{YIELDS}"),
                    false => EVENTS.to_string(),
                };
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
    let count = |event: &str| {
        csv.lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .find_map(|l| {
                let fields: Vec<&str> = l.split(',').collect();
                (fields.get(2) == Some(&event)).then(|| fields[0].to_string())
            })
            .ok_or_else(|| format!("perf counted no {event}"))
            .and_then(|v| {
                v.parse::<u64>()
                    .map_err(|_| format!("perf could not count {event}: {v}"))
            })
    };
    let yields = csv.contains(YIELDS).then(|| count(YIELDS)).transpose()?;
    Ok((
        count("raw_syscalls:sys_enter")?,
        count("cpu-migrations")?,
        yields,
    ))
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
        assert_eq!(parse_perf(CAPTURED), Ok((2228, 59, None)));
        let with_yields = format!("{CAPTURED}80000,,syscalls:sys_enter_sched_yield,1,100.00,,\n");
        assert_eq!(parse_perf(&with_yields), Ok((2228, 59, Some(80_000))));
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
