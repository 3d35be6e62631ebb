//! The server watch: what the serve scenarios read of a server besides the
//! client's time, its memory, threads and CPU time, from outside over its
//! process group (every process a server starts stays in the group the
//! benchmark made for it). wrk's second opinion on its throughput is in
//! [`crate::measure::wrk`].

use std::{
    fs,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    thread,
    time::Duration,
};

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

#[cfg(test)]
mod tests {
    use super::*;

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
