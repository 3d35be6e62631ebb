//! What the serve scenarios measure besides the client's time: the server's
//! memory and threads, read from outside over its process group (every process
//! a server starts stays in the group the benchmark made for it); wrk's second
//! opinion on its throughput is in [`crate::measure::wrk`].

use std::{
    fs,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    thread,
    time::Duration,
};

use serde_json::{Value, json};

use crate::results::stats::Memory;

/// A server's memory in one verified run: idle (just after it said it listens,
/// when its peaks are reset to that) and at the end of the run, summed over the
/// processes of its group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ServerMemory {
    /// The sum of its processes' VmRSS, idle.
    pub idle_kib: u64,
    /// The sum of its processes' VmHWM (peak resident set) after the run.
    pub peak_kib: u64,
    /// The most threads its processes had at once (sampled every 10 ms).
    pub threads: u64,
    /// Its processes, at the end of the run.
    pub processes: u64,
    /// Its memory cgroup's usage while idle, in bytes, where it ran in one.
    pub cgroup_idle: Option<u64>,
}

impl ServerMemory {
    pub fn to_json(self) -> Value {
        json!({
            "idle_kib": self.idle_kib,
            "peak_kib": self.peak_kib,
            "threads": self.threads,
            "processes": self.processes,
            "cgroup_idle": self.cgroup_idle,
        })
    }

    pub fn from_json(v: &Value) -> Option<Self> {
        Some(Self {
            idle_kib: v["idle_kib"].as_u64()?,
            peak_kib: v["peak_kib"].as_u64()?,
            threads: v["threads"].as_u64()?,
            processes: v["processes"].as_u64()?,
            cgroup_idle: v["cgroup_idle"].as_u64(),
        })
    }
}

/// The live processes of process group `group`, from /proc.
pub fn members(group: u32) -> Vec<u32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_string_lossy().parse::<u32>().ok())
        .filter(|pid| {
            let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
                return false;
            };
            // After the name's ")": state, ppid, pgrp.
            let rest = stat.rsplit_once(") ").map_or("", |(_, rest)| rest);
            let fields: Vec<&str> = rest.split(' ').collect();
            fields.get(2) == Some(&group.to_string().as_str()) && fields[0] != "Z"
        })
        .collect()
}

/// (VmRSS, VmHWM, threads) summed over the group's processes, and how many.
pub fn snapshot(group: u32) -> (u64, u64, u64, u64) {
    of(&members(group))
}

/// (VmRSS, VmHWM, threads) summed over `pids`, and how many of them are alive.
fn of(pids: &[u32]) -> (u64, u64, u64, u64) {
    let mut sums = (0, 0, 0, 0);
    for pid in pids {
        let Ok(status) = fs::read_to_string(format!("/proc/{pid}/status")) else {
            continue; // it ended between the scan and now
        };
        sums.3 += 1;
        let field = |key: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
                .unwrap_or(0)
        };
        sums.0 += field("VmRSS:");
        sums.1 += field("VmHWM:");
        sums.2 += field("Threads:");
    }
    sums
}

/// /proc's clock ticks a second (USER_HZ): 100 on every Linux architecture the
/// benchmark runs on, whatever the kernel's own tick.
const TICKS_PER_SECOND: u64 = 100;

/// User and system CPU time so far of the group's live processes, in µs (their
/// threads', ended ones included), from /proc/<pid>/stat.
pub fn cpu_us(group: u32) -> u64 {
    let ticks: u64 = members(group)
        .iter()
        .filter_map(|pid| {
            let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let rest = stat.rsplit_once(") ")?.1;
            let fields: Vec<&str> = rest.split(' ').collect();
            // After the name: utime and stime are the 12th and 13th fields.
            Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
        })
        .sum();
    ticks * 1_000_000 / TICKS_PER_SECOND
}

/// Sets each of the group's processes' peak resident set (VmHWM) to what it has
/// now (`clear_refs` 5), so that a peak read later is the run's, not start-up's.
pub fn reset_peaks(group: u32) {
    for pid in members(group) {
        // Root or the same user may; where it cannot, the peak keeps start-up's.
        let _ = fs::write(format!("/proc/{pid}/clear_refs"), "5");
    }
}

/// Samples a group's thread count every 10 ms until stopped: the most it had at
/// once. Its processes are found once, at the start (a server starts its workers
/// before it says it listens), so that a sample reads a few small files only.
pub struct Sampler {
    group: u32,
    stop: Arc<AtomicBool>,
    handle: thread::JoinHandle<u64>,
}

impl Sampler {
    pub fn start(group: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let pids = members(group);
        let handle = thread::spawn(move || {
            let mut most = 0;
            while !stopped.load(Ordering::SeqCst) {
                most = most.max(of(&pids).2);
                thread::sleep(Duration::from_millis(10));
            }
            most
        });
        Self {
            group,
            stop,
            handle,
        }
    }

    /// The most threads seen, and the group's [`snapshot`] at the end.
    pub fn finish(self) -> (u64, (u64, u64, u64, u64)) {
        self.stop.store(true, Ordering::SeqCst);
        let most = self.handle.join().unwrap_or(0); // a panicked sampler saw nothing
        let last = snapshot(self.group);
        (most.max(last.2), last)
    }
}

/// A server's memory per connection in one cell, from the mean of its checks:
/// (peak - idle) / connections, in user space or with the kernel's share.
pub fn per_connection(
    memory: &[ServerMemory],
    peaks: &[crate::measure::cgroup::Peak],
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

    #[test]
    fn memory_per_connection_is_the_growth_over_idle() {
        let m = ServerMemory {
            idle_kib: 1_000,
            peak_kib: 3_000,
            threads: 101,
            processes: 1,
            cgroup_idle: Some(2 << 20),
        };
        let peak = crate::measure::cgroup::Peak {
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

    #[test]
    fn a_group_is_found_by_its_id() {
        use std::os::unix::process::CommandExt;
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .process_group(0)
            .spawn()
            .unwrap();
        let group = child.id();
        assert_eq!(members(group), vec![group]);
        let (rss, hwm, threads, processes) = snapshot(group);
        assert!(rss > 0 && hwm >= rss && threads == 1 && processes == 1);
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(members(group).is_empty());
    }
}
