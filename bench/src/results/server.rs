//! What a serve cell stores of its server beside the client's time: its
//! memory and threads ([`ServerMemory`], read from outside), its memory per
//! connection, and wrk's measure of its throughput ([`Wrk`]).

use serde_json::{Value, json};

use super::{counted::Peak, stats::Memory};

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

/// A server's memory per connection in one cell, from the mean of its checks:
/// (peak - idle) / connections, in user space or with the kernel's share.
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
