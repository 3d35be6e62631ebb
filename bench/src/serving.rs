//! What the serve scenarios measure besides the client's time: the server's
//! memory and threads, read from outside over its process group (every process
//! a server starts stays in the group the benchmark made for it), and wrk's
//! second opinion on its throughput.

use std::{
    fs,
    path::Path,
    process::Command,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    thread,
    time::Duration,
};

use serde_json::{Value, json};

use crate::stats::Memory;

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
    peaks: &[crate::cgroup::Peak],
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

/// wrk's measure of one server: its rate, and any request that went wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Wrk {
    pub requests_per_sec: f64,
    pub requests: u64,
    /// Non-2xx answers and socket errors: a server with any has no rate.
    pub errors: u64,
    pub connections: u64,
    pub seconds: u64,
}

impl Wrk {
    pub fn to_json(result: &Result<Wrk, String>) -> Value {
        match result {
            Ok(w) => json!({
                "requests_per_sec": w.requests_per_sec,
                "requests": w.requests,
                "errors": w.errors,
                "connections": w.connections,
                "seconds": w.seconds,
            }),
            Err(why) => json!({ "error": why }),
        }
    }

    pub fn from_json(v: &Value) -> Option<Result<Wrk, String>> {
        if let Some(why) = v["error"].as_str() {
            return Some(Err(why.to_string()));
        }
        Some(Ok(Wrk {
            requests_per_sec: v["requests_per_sec"].as_f64()?,
            requests: v["requests"].as_u64()?,
            errors: v["errors"].as_u64()?,
            connections: v["connections"].as_u64()?,
            seconds: v["seconds"].as_u64()?,
        }))
    }
}

/// wrk's command against `addr`: one thread, `connections` keep-alive
/// connections, `seconds` long, the io workload's first request over and over.
pub fn wrk_command(wrk: &Path, addr: &str, connections: u64, seconds: u64) -> Command {
    let mut command = Command::new(wrk);
    command.args([
        "-t1",
        &format!("-c{connections}"),
        &format!("-d{seconds}s"),
        "--timeout",
        "10s",
        &format!("http://{addr}/work?id=1&delay_ms=0&bytes=1024"),
    ]);
    command
}

/// Reads wrk's report: `Requests/sec:`, `N requests in`, and the lines that
/// count non-2xx answers and socket errors.
pub fn parse_wrk(text: &str, connections: u64, seconds: u64) -> Result<Wrk, String> {
    let after = |key: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(key).map(str::trim))
    };
    let rate = after("Requests/sec:")
        .and_then(|v| v.parse::<f64>().ok())
        .ok_or_else(|| format!("no Requests/sec in wrk's output: {:.200}", text.trim()))?;
    let requests = text
        .lines()
        .find_map(|l| l.trim().split_once(" requests in ")?.0.trim().parse().ok())
        .ok_or("no request count in wrk's output")?;
    let non_2xx: u64 = after("Non-2xx or 3xx responses:")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    // `Socket errors: connect 0, read 1, write 0, timeout 0`
    let socket: u64 = after("Socket errors:").map_or(0, |v| {
        v.split(',')
            .filter_map(|part| part.split_whitespace().last()?.parse::<u64>().ok())
            .sum()
    });
    Ok(Wrk {
        requests_per_sec: rate,
        requests,
        errors: non_2xx + socket,
        connections,
        seconds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// wrk 4.1.0 against tokio-serve on the developer machine.
    const CAPTURED: &str =
        "Running 3s test @ http://127.0.0.1:40000/work?id=1&delay_ms=0&bytes=1024
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    95.12us   40.31us   2.10ms   90.00%
    Req/Sec    40.12k     1.02k   42.00k    70.00%
  119812 requests in 3.00s, 134.22MB read
Requests/sec:  39937.12
Transfer/sec:     44.74MB
";

    #[test]
    fn wrks_report_is_read() {
        let w = parse_wrk(CAPTURED, 4, 3).unwrap();
        assert_eq!((w.requests, w.errors), (119_812, 0));
        assert!((w.requests_per_sec - 39_937.12).abs() < 1e-6);
        let broken = CAPTURED.replace(
            "Requests/sec",
            "  Socket errors: connect 0, read 2, write 0, timeout 1\n  Non-2xx or 3xx responses: 5\nRequests/sec",
        );
        assert_eq!(parse_wrk(&broken, 4, 3).unwrap().errors, 8);
        assert!(parse_wrk("unable to connect", 4, 3).is_err());
        let back = Wrk::from_json(&Wrk::to_json(&Ok(w.clone()))).unwrap();
        assert_eq!(back, Ok(w));
        let failed = Err("wrk: not found".to_string());
        assert_eq!(Wrk::from_json(&Wrk::to_json(&failed)), Some(failed));
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
        let peak = crate::cgroup::Peak {
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
        let mut child = Command::new("sleep")
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
