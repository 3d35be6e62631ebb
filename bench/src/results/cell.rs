//! One paradigm at one point of one scenario: how its check went, the result lines
//! it printed, its counters and cgroup peaks, and (joined from raw/) its timing;
//! and its line of `cells.jsonl`, written and read back here.

use serde_json::{Value, json};
use workload::ResultLine;

use super::{Around, Counters, LoadRun, Peak, ServerMemory, Timing, Verdict, Wrk, judge};
use crate::scenarios::load::TARGET_P99_US;

#[derive(Debug, Clone)]
pub enum Outcome {
    /// Verified: the result lines of its checks, and its timing once timed.
    Ok {
        lines: Vec<ResultLine>,
        timing: Option<Timing>,
    },
    Failed(String),
    Skipped(String),
}

/// One paradigm at one point of one scenario.
#[derive(Debug, Clone)]
pub struct Cell {
    pub scenario: String,
    pub x: Option<u64>,
    pub paradigm: String,
    pub command: Vec<String>,
    pub outcome: Outcome,
    /// From the counting pass, once verified and timed.
    pub counters: Option<Counters>,
    /// Memory with the kernel's share, one per check, where a cgroup was made
    /// (for serve, the server's).
    pub peaks: Vec<Peak>,
    /// serve: the server's command (without `--listen`), which `command`, the
    /// client, meets; empty otherwise.
    pub server: Vec<String>,
    /// serve: the server's memory and threads, one per check.
    pub server_memory: Vec<ServerMemory>,
    /// serve-fast: wrk's measure of the server, or why there is none.
    pub wrk: Option<Result<Wrk, String>>,
    /// What was read around its timed runs; `None` in runs made before it was.
    pub around: Option<Around>,
    /// What limits the cell beside its paradigm (a pool smaller than the
    /// connections), said wherever it is shown; empty when nothing does.
    pub note: String,
    /// A load scenario's run (its result line is `loadgen`'s); `None` otherwise.
    pub load: Option<LoadRun>,
}

impl Cell {
    pub fn new(
        scenario: &str,
        x: Option<u64>,
        paradigm: &str,
        command: Vec<String>,
        outcome: Outcome,
    ) -> Self {
        Cell {
            scenario: scenario.into(),
            x,
            paradigm: paradigm.into(),
            command,
            outcome,
            counters: None,
            peaks: Vec::new(),
            server: Vec::new(),
            server_memory: Vec::new(),
            wrk: None,
            around: None,
            note: String::new(),
            load: None,
        }
    }

    /// Why its time is not to be trusted (`noisy: rerun (...)`), or `None`.
    pub fn noisy(&self) -> Option<String> {
        let why = self.around.as_ref()?.noisy.as_ref()?;
        Some(format!("noisy: rerun ({why})"))
    }

    /// What the kernel's TCP counters say of its timed runs, or `None`.
    pub fn net_note(&self) -> Option<String> {
        self.around.as_ref()?.net?.note()
    }

    pub fn timing(&self) -> Option<&Timing> {
        match &self.outcome {
            Outcome::Ok { timing, .. } => timing.as_ref(),
            _ => None,
        }
    }

    pub fn median(&self) -> Option<f64> {
        self.timing().map(|t| t.median)
    }

    /// The verified result lines (several for a memory scenario).
    pub fn lines(&self) -> &[ResultLine] {
        match &self.outcome {
            Outcome::Ok { lines, .. } => lines,
            _ => &[],
        }
    }

    /// A number from the first verified result line, such as `workers`.
    pub fn field(&self, key: &str) -> Option<u64> {
        self.lines().first()?.number(key)
    }

    /// Why there is no time: `FAILED: ...` or `skipped: ...`.
    pub fn why_not(&self) -> Option<String> {
        match &self.outcome {
            Outcome::Ok { timing: None, .. } => Some("not timed".into()),
            Outcome::Ok { .. } => None,
            Outcome::Failed(why) => Some(format!("FAILED: {why}")),
            Outcome::Skipped(why) => Some(format!("skipped: {why}")),
        }
    }

    /// A load cell's verdict, judged by [`judge`] from its line and wall time, as
    /// `bench run` judged it (a run stored by an older benchmark reads by today's rules).
    pub fn load_verdict(&self) -> Option<Verdict> {
        let run = self.load.as_ref()?;
        Some(judge(self.lines().first()?, run.wall_us))
    }

    /// A load cell's run held its rate with p99 within the latency target: the
    /// runs a server's capacity is made of.
    pub fn within_target(&self) -> bool {
        self.load_verdict().is_some_and(|v| v.held())
            && self.field("p99_us").is_some_and(|p| p <= TARGET_P99_US)
    }

    pub fn failed(&self) -> bool {
        matches!(self.outcome, Outcome::Failed(_))
    }

    /// The line of `cells.jsonl` for this cell (its timing lives in raw/).
    pub fn to_json(&self) -> String {
        let (status, reason, lines) = match &self.outcome {
            Outcome::Ok { lines, .. } => ("ok", "", lines.iter().map(|l| l.to_string()).collect()),
            Outcome::Failed(why) => ("FAILED", why.as_str(), Vec::new()),
            Outcome::Skipped(why) => ("skipped", why.as_str(), Vec::new()),
        };
        let mut v = json!({
            "scenario": self.scenario,
            "x": self.x,
            "paradigm": self.paradigm,
            "status": status,
            "reason": reason,
            "command": self.command,
            "result_lines": lines,
            "counters": self.counters.map(Counters::to_json),
            "cgroup_peaks": self.peaks.iter().map(|p| json!({"total": p.total, "kernel": p.kernel})).collect::<Vec<_>>(),
        });
        if let Some(around) = &self.around {
            v["timed_runs"] = around.to_json();
        }
        if !self.note.is_empty() {
            v["note"] = json!(self.note);
        }
        // Only serve cells have a server: other lines read as they always did.
        if !self.server.is_empty() {
            v["server"] = json!(self.server);
            v["server_memory"] = self.server_memory.iter().map(|m| m.to_json()).collect();
            v["wrk"] = self.wrk.as_ref().map_or(Value::Null, Wrk::to_json);
        }
        if let Some(load) = &self.load {
            v["load"] = load.to_json();
        }
        v.to_string()
    }

    /// Reads back a line that [`Cell::to_json`] wrote (without its timing).
    pub(super) fn from_json(line: &str) -> Result<Self, String> {
        let v: Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let text = |key: &str| {
            v[key]
                .as_str()
                .map(str::to_string)
                .ok_or(format!("no {key}"))
        };
        let reason = text("reason")?;
        let outcome = match text("status")?.as_str() {
            "ok" => {
                let lines = v["result_lines"].as_array().ok_or("no result_lines")?;
                let lines = lines
                    .iter()
                    .map(|l| ResultLine::parse(l.as_str().unwrap_or("")))
                    .collect::<Result<_, _>>()
                    .map_err(|e| e.to_string())?;
                Outcome::Ok {
                    lines,
                    timing: None,
                }
            }
            "FAILED" => Outcome::Failed(reason),
            _ => Outcome::Skipped(reason),
        };
        let command = v["command"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| Some(a.as_str()?.to_string()))
            .collect();
        let mut cell = Cell::new(
            &text("scenario")?,
            v["x"].as_u64(),
            &text("paradigm")?,
            command,
            outcome,
        );
        cell.counters = Counters::from_json(&v["counters"]);
        cell.peaks = v["cgroup_peaks"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| {
                Some(Peak {
                    total: p["total"].as_u64()?,
                    kernel: p["kernel"].as_u64(),
                })
            })
            .collect();
        let server = v["server"].as_array().into_iter().flatten();
        cell.server = server
            .filter_map(|a| Some(a.as_str()?.to_string()))
            .collect();
        cell.server_memory = v["server_memory"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(ServerMemory::from_json)
            .collect();
        cell.wrk = Wrk::from_json(&v["wrk"]).filter(|_| !v["wrk"].is_null());
        cell.around = Around::from_json(&v["timed_runs"]);
        cell.note = v["note"].as_str().unwrap_or("").to_string();
        cell.load = LoadRun::from_json(&v["load"]);
        Ok(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_serve_cell_reads_back_with_its_server() {
        let mut cell = super::super::testing::ok("serve-fast", "tokio", 0.5, 900);
        cell.server = vec!["tokio-serve".into(), "--workers".into(), "2".into()];
        cell.server_memory = vec![ServerMemory {
            idle_kib: 2_000,
            peak_kib: 3_000,
            threads: 4,
            processes: 1,
            cgroup_idle: Some(1 << 20),
        }];
        cell.wrk = Some(Err("wrk not found".into()));
        let back = Cell::from_json(&cell.to_json()).unwrap();
        assert_eq!(back.server, cell.server);
        assert_eq!(back.server_memory, cell.server_memory);
        assert_eq!(back.wrk, cell.wrk);
        // Other cells keep the lines they always had.
        let plain = super::super::testing::ok("io-fast", "tokio", 0.5, 900);
        assert!(!plain.to_json().contains("server"));
        assert!(Cell::from_json(&plain.to_json()).unwrap().wrk.is_none());
    }
}
