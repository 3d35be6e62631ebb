//! What a load cell stores beside `loadgen`'s result line: the run's rate and
//! whether the server held it, what was read of the server from outside (its CPU
//! time and memory over the run), and oha's second opinion where it was asked.

use serde_json::{Value, json};

use super::ServerMemory;

/// One run of `loadgen` against a fresh server.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadRun {
    /// The offered rate, requests per second (the cell's x too).
    pub rate: u64,
    /// The server counted heavy requests on its pool for blocking work.
    pub offload: bool,
    /// The server's user and system CPU time over the run, µs (its process
    /// group, from /proc): per request, what serving costs at this rate.
    pub server_cpu_us: u64,
    /// The run's wall time, µs, from `loadgen`'s start to its exit.
    pub wall_us: u64,
    /// The server's memory: idle, and its peak over the run.
    pub memory: ServerMemory,
    pub verdict: Verdict,
    /// oha at the same rate against the same server, after `loadgen`.
    pub oha: Option<Result<Oha, String>>,
}

/// Whether the server held the offered rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every request answered right, at least 95% of the rate, p99 at most 1 s.
    Held,
    /// Why not: requests failed, too few answered, or p99 over 1 s.
    NotHeld(String),
    /// `loadgen` could not send at the rate itself: its limit, not the server's.
    Generator(String),
}

impl Verdict {
    pub fn held(&self) -> bool {
        *self == Verdict::Held
    }

    fn to_json(&self) -> Value {
        match self {
            Verdict::Held => json!({ "held": true }),
            Verdict::NotHeld(why) => json!({ "held": false, "why": why }),
            Verdict::Generator(why) => json!({ "held": false, "why": why, "generator": true }),
        }
    }

    fn from_json(v: &Value) -> Option<Self> {
        let why = || v["why"].as_str().unwrap_or("").to_string();
        Some(match (v["held"].as_bool()?, v["generator"].as_bool()) {
            (true, _) => Verdict::Held,
            (false, Some(true)) => Verdict::Generator(why()),
            (false, _) => Verdict::NotHeld(why()),
        })
    }
}

/// oha's measure of a server at one rate (`-q`, `--latency-correction`): its
/// latency percentiles from the intended start, as `loadgen`'s are.
#[derive(Debug, Clone, PartialEq)]
pub struct Oha {
    pub rate: u64,
    pub seconds: f64,
    pub requests: u64,
    /// Answers that were not 200, and connection errors.
    pub errors: u64,
    pub p50_us: u64,
    pub p99_us: u64,
}

impl Oha {
    fn to_json(result: &Result<Oha, String>) -> Value {
        match result {
            Ok(o) => json!({
                "rate": o.rate, "seconds": o.seconds, "requests": o.requests,
                "errors": o.errors, "p50_us": o.p50_us, "p99_us": o.p99_us,
            }),
            Err(why) => json!({ "error": why }),
        }
    }

    fn from_json(v: &Value) -> Option<Result<Oha, String>> {
        if let Some(why) = v["error"].as_str() {
            return Some(Err(why.to_string()));
        }
        Some(Ok(Oha {
            rate: v["rate"].as_u64()?,
            seconds: v["seconds"].as_f64()?,
            requests: v["requests"].as_u64()?,
            errors: v["errors"].as_u64()?,
            p50_us: v["p50_us"].as_u64()?,
            p99_us: v["p99_us"].as_u64()?,
        }))
    }
}

impl LoadRun {
    pub fn to_json(&self) -> Value {
        json!({
            "rate": self.rate,
            "offload": self.offload,
            "server_cpu_us": self.server_cpu_us,
            "wall_us": self.wall_us,
            "server_memory": self.memory.to_json(),
            "verdict": self.verdict.to_json(),
            "oha": self.oha.as_ref().map_or(Value::Null, Oha::to_json),
        })
    }

    pub fn from_json(v: &Value) -> Option<Self> {
        Some(Self {
            rate: v["rate"].as_u64()?,
            offload: v["offload"].as_bool()?,
            server_cpu_us: v["server_cpu_us"].as_u64()?,
            wall_us: v["wall_us"].as_u64()?,
            memory: ServerMemory::from_json(&v["server_memory"])?,
            verdict: Verdict::from_json(&v["verdict"])?,
            oha: Oha::from_json(&v["oha"]).filter(|_| !v["oha"].is_null()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_reads_back() {
        let mut run = LoadRun {
            rate: 5_000,
            offload: true,
            server_cpu_us: 120_000,
            wall_us: 3_010_000,
            memory: ServerMemory::default(),
            verdict: Verdict::Generator("behind".into()),
            oha: Some(Ok(Oha {
                rate: 5_000,
                seconds: 3.0,
                requests: 15_000,
                errors: 0,
                p50_us: 90,
                p99_us: 400,
            })),
        };
        assert_eq!(LoadRun::from_json(&run.to_json()), Some(run.clone()));
        run.verdict = Verdict::NotHeld("3 timeouts".into());
        run.oha = Some(Err("oha not found".into()));
        assert_eq!(LoadRun::from_json(&run.to_json()), Some(run.clone()));
        run.verdict = Verdict::Held;
        run.oha = None;
        assert_eq!(LoadRun::from_json(&run.to_json()), Some(run));
    }
}
