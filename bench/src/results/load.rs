//! What a load cell stores beside `loadgen`'s result line: the run's rate and
//! whether the server held it, what was read of the server from outside (its CPU
//! time and memory over the run), and oha's second opinion where it was asked.

use serde_json::{Value, json};
use workload::ResultLine;

use super::ServerMemory;
use crate::scenarios::load::{GENERATOR_SLACK_US, MOST_P99_US, TARGET_P99_US};

/// loadgen is short of CPU when it used this share of its one runtime thread.
const LOADGEN_BUSY: f64 = 0.9;

/// Whether a server held the rate offered, from `loadgen`'s line and its wall
/// time: a wrong, lost or refused answer is always the server's; a run in which
/// loadgen ran out of CPU, or whose tail is loadgen's own lateness, is loadgen's
/// limit here, not the server's. (A server that needs more CPU than the cores
/// loadgen leaves it reaches its own limit on this machine: the capacity table
/// says how many cores' worth each request cost.) The benchmark judges each run
/// with this as it climbs, and a report judges the stored runs with it again.
pub fn judge(line: &ResultLine, wall_us: u64) -> Verdict {
    let n = |key: &str| line.number(key).unwrap_or(0);
    let failed = || {
        format!(
            "{} of {} requests failed ({} timed out, {} refused, {} lost, {} wrong)",
            n("errors"),
            n("answered") + n("errors"),
            n("timeouts"),
            n("refused"),
            n("lost"),
            n("wrong")
        )
    };
    if n("wrong") + n("refused") + n("lost") > 0 {
        return Verdict::NotHeld(failed());
    }
    let late = n("timeouts") > 0 || !line.ok() || n("p99_us") > MOST_P99_US;
    let loadgen = n("cpu_ms") as f64 * 1_000.0 / wall_us.max(1) as f64;
    if loadgen >= LOADGEN_BUSY && (late || n("behind_us") > GENERATOR_SLACK_US) {
        return Verdict::Generator(format!(
            "loadgen fell {} ms behind its own schedule, using {loadgen:.2} of its core: the rate is its limit here, not the server's",
            n("behind_us") / 1_000
        ));
    }
    if tail_is_loadgens(line) {
        return Verdict::Generator(format!(
            "loadgen fell {} ms behind its own schedule, most of the p99 of {} ms: the tail is its lateness, not the server's",
            n("behind_us") / 1_000,
            n("p99_us") / 1_000
        ));
    }
    if late && n("p99_us") > MOST_P99_US && n("errors") == 0 {
        return Verdict::NotHeld(format!("p99 {} ms is over 1 s", n("p99_us") / 1_000));
    }
    if late {
        return Verdict::NotHeld(failed());
    }
    Verdict::Held
}

/// Whether a run's tail is `loadgen`'s own lateness: it fell behind its
/// schedule by more than the slack, its p99 is over the target, and that
/// lateness is more than half of the p99. Its lateness is in every latency it
/// measures, so such a run cannot say the server missed the target (a server
/// that did miss it by itself shows a p99 far beyond loadgen's lateness).
fn tail_is_loadgens(line: &ResultLine) -> bool {
    let n = |key: &str| line.number(key).unwrap_or(0);
    let behind = n("behind_us");
    n("errors") == 0
        && behind > GENERATOR_SLACK_US
        && n("p99_us") > TARGET_P99_US
        && n("p99_us") < 2 * behind
}

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
    /// Every request answered right within the timeout, p99 at most 1 s.
    Held,
    /// Why not: requests failed (wrong, lost, refused, timed out), or p99 over 1 s.
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

    /// A line with every key at a healthy value but those in `fields`.
    fn line(fields: &str) -> ResultLine {
        let base = "workload=load server=s rate=1000 answered=3000 errors=0 timeouts=0 refused=0 lost=0 wrong=0 p99_us=500 behind_us=100 cpu_ms=300 ok=true";
        let text: Vec<String> = base
            .split(' ')
            .map(|pair| {
                let key = pair.split('=').next().unwrap();
                let new = fields
                    .split(' ')
                    .find(|f| f.starts_with(&format!("{key}=")));
                new.unwrap_or(pair).to_string()
            })
            .collect();
        ResultLine::parse(&text.join(" ")).unwrap()
    }

    #[test]
    fn whose_limit_it_was() {
        let wall = 3_000_000;
        assert_eq!(judge(&line(""), wall), Verdict::Held);
        // Late by 15 ms, neither out of CPU nor most of the tail: the server's.
        let slow = judge(&line("behind_us=15000 p99_us=2000000"), wall);
        assert!(
            matches!(slow, Verdict::NotHeld(ref why) if why.contains("over 1 s")),
            "{slow:?}"
        );
        // loadgen out of CPU: its limit, even with small lateness and timeouts.
        let starved = judge(&line("timeouts=5 errors=5 cpu_ms=2900"), wall);
        assert!(
            matches!(starved, Verdict::Generator(ref why) if why.contains("of its core")),
            "{starved:?}"
        );
        // A wrong answer is the server's, however busy loadgen was.
        let wrong = judge(&line("wrong=1 errors=1 behind_us=20000 cpu_ms=2900"), wall);
        assert!(
            matches!(wrong, Verdict::NotHeld(ref why) if why.starts_with("1 of 3001 requests failed")),
            "{wrong:?}"
        );
        // Held on time with loadgen busy: held.
        assert_eq!(judge(&line("cpu_ms=2900"), wall), Verdict::Held);
        // Late by 18 ms with a p99 of 21 ms: the tail is loadgen's lateness;
        // with a p99 of 9 ms the target was met all the same; of 839 ms, the server's.
        let tail = judge(&line("behind_us=18000 p99_us=21000"), wall);
        assert!(
            matches!(tail, Verdict::Generator(ref why) if why.contains("the tail is its lateness")),
            "{tail:?}"
        );
        assert_eq!(
            judge(&line("behind_us=18000 p99_us=9000"), wall),
            Verdict::Held
        );
        assert_eq!(
            judge(&line("behind_us=19000 p99_us=839000"), wall),
            Verdict::Held
        );
    }

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
