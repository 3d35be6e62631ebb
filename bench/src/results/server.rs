//! What a serve cell stores of its server beside the client's time: its
//! memory and threads ([`ServerMemory`], read from outside), and wrk's measure
//! of its throughput ([`Wrk`]).

use serde_json::{Value, json};

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
