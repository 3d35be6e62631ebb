//! A results folder, written ([`Writer`], in [`writer`]) and loaded ([`Run`]): `meta.env`
//! (the machine and the run), `cells.jsonl` (one line per paradigm per point: how
//! its check went and the result lines it printed), `raw/<scenario>[-x].<paradigm>.json`
//! (hyperfine's own export of that program, named with `-n <paradigm>`) and the
//! `complete` marker. A timing is joined to its cell by paradigm name. Folders of
//! the earlier scripts/bench.sh (`cells.tsv`) are read too ([`legacy`]), so old
//! runs compare.

mod legacy;
mod writer;

pub use writer::Writer;

use std::{
    fmt::Write as _,
    fs,
    path::{Path, PathBuf},
};

use serde_json::{Value, json};
use workload::ResultLine;

use crate::{cgroup::Peak, counters::Counters};

/// The marker a run writes when it finished every point it was asked for.
pub const COMPLETE: &str = "complete";
pub const CELLS: &str = "cells.jsonl";
pub const META: &str = "meta.env";

/// One hyperfine measurement of one program, in seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Timing {
    pub mean: f64,
    /// `None` with a single run.
    pub stddev: Option<f64>,
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub user: f64,
    pub system: f64,
    /// Timed runs (hyperfine's `times`).
    pub runs: usize,
}

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
    /// Memory with the kernel's share, one per check, where a cgroup was made.
    pub peaks: Vec<Peak>,
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
        }
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
        json!({
            "scenario": self.scenario,
            "x": self.x,
            "paradigm": self.paradigm,
            "status": status,
            "reason": reason,
            "command": self.command,
            "result_lines": lines,
            "counters": self.counters.map(Counters::to_json),
            "cgroup_peaks": self.peaks.iter().map(|p| json!({"total": p.total, "kernel": p.kernel})).collect::<Vec<_>>(),
        })
        .to_string()
    }

    fn from_json(line: &str) -> Result<Self, String> {
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
        Ok(cell)
    }
}

/// Where one cell's hyperfine export is: `raw/io-slow-1000.tokio.json`,
/// `raw/cpu.threads.json`.
pub fn raw_json(dir: &Path, scenario: &str, x: Option<u64>, paradigm: &str) -> PathBuf {
    dir.join("raw").join(match x {
        Some(x) => format!("{scenario}-{x}.{paradigm}.json"),
        None => format!("{scenario}.{paradigm}.json"),
    })
}

/// One results folder, loaded.
#[derive(Debug, Clone)]
pub struct Run {
    pub dir: PathBuf,
    pub meta: Vec<(String, String)>,
    pub cells: Vec<Cell>,
    /// Every point it was asked for was done (the `complete` marker).
    pub complete: bool,
}

impl Run {
    pub fn load(dir: &Path) -> Result<Self, String> {
        let read = |name: &str| {
            fs::read_to_string(dir.join(name))
                .map_err(|e| format!("{}: {e}", dir.join(name).display()))
        };
        let meta = read_meta(&read(META)?);
        let legacy = !dir.join(CELLS).exists() && dir.join("cells.tsv").exists();
        let (mut cells, complete) = if legacy {
            // The shell version wrote report.md last, after every point.
            (
                legacy::cells(dir, &read("cells.tsv")?)?,
                dir.join("report.md").exists(),
            )
        } else {
            let cells = read(CELLS)?
                .lines()
                .enumerate()
                .map(|(i, l)| Cell::from_json(l).map_err(|e| format!("{CELLS}:{}: {e}", i + 1)))
                .collect::<Result<Vec<_>, _>>()?;
            (cells, dir.join(COMPLETE).exists())
        };
        if !legacy {
            for cell in &mut cells {
                let json = raw_json(dir, &cell.scenario, cell.x, &cell.paradigm);
                let timings = load_hyperfine(&json)?;
                if let Outcome::Ok { timing, .. } = &mut cell.outcome {
                    *timing = timings
                        .into_iter()
                        .find(|(n, _)| *n == cell.paradigm)
                        .map(|t| t.1);
                }
            }
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            meta,
            cells,
            complete,
        })
    }

    pub fn meta(&self, key: &str) -> &str {
        self.meta
            .iter()
            .find(|(k, _)| k == key)
            .map_or("?", |(_, v)| v.as_str())
    }

    /// A complete run of every scenario at full size: the kind the README shows.
    pub fn is_full(&self) -> bool {
        self.complete && self.meta("mode") == "full" && matches!(self.meta("only"), "" | "?")
    }

    pub fn has(&self, scenario: &str) -> bool {
        self.cells.iter().any(|c| c.scenario == scenario)
    }

    /// The points of a scenario, in the order they were run.
    pub fn points(&self, scenario: &str) -> Vec<Option<u64>> {
        let mut points = Vec::new();
        for cell in self.cells.iter().filter(|c| c.scenario == scenario) {
            if !points.contains(&cell.x) {
                points.push(cell.x);
            }
        }
        points
    }

    pub fn cell(&self, scenario: &str, x: Option<u64>, paradigm: &str) -> Option<&Cell> {
        self.cells
            .iter()
            .find(|c| c.scenario == scenario && c.x == x && c.paradigm == paradigm)
    }

    /// The folder's own name: `2026-11-25-vm-2`.
    pub fn name(&self) -> String {
        self.dir
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into())
    }
}

/// The newest complete full run under `results`, by the date it recorded. A
/// folder that is not one, or cannot be read, is passed over.
pub fn newest_full(results: &Path) -> Result<Option<Run>, String> {
    let mut newest: Option<(String, PathBuf)> = None;
    for entry in fs::read_dir(results).map_err(|e| format!("{}: {e}", results.display()))? {
        let dir = entry.map_err(|e| e.to_string())?.path();
        let Ok(text) = fs::read_to_string(dir.join(META)) else {
            continue;
        };
        let meta = read_meta(&text);
        let get = |key: &str| meta.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        let marked = dir.join(COMPLETE).exists()
            || (dir.join("cells.tsv").exists() && dir.join("report.md").exists());
        let full = marked && get("mode") == Some("full") && matches!(get("only"), None | Some(""));
        // `date` is `YYYY-MM-DD HH:MM:SS UTC`: its text order is its time order.
        if let (true, Some(date)) = (full, get("date"))
            && newest.as_ref().is_none_or(|(d, _)| date > d.as_str())
        {
            newest = Some((date.to_string(), dir));
        }
    }
    newest.map(|(_, dir)| Run::load(&dir)).transpose()
}

/// `key=value` lines, in order.
pub fn read_meta(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub fn write_meta(meta: &[(String, String)]) -> String {
    let mut text = String::new();
    for (key, value) in meta {
        let _ = writeln!(text, "{key}={}", value.replace('\n', " "));
    }
    text
}

/// hyperfine's export: each result's name (`-n`) and its timing; none if the
/// point was never timed.
pub(crate) fn load_hyperfine(path: &Path) -> Result<Vec<(String, Timing)>, String> {
    let Ok(text) = fs::read_to_string(path) else {
        return Ok(Vec::new());
    };
    let json: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut timings = Vec::new();
    for result in json["results"].as_array().into_iter().flatten() {
        let number = |key: &str| {
            result[key]
                .as_f64()
                .ok_or_else(|| format!("{}: no {key}", path.display()))
        };
        let timing = Timing {
            mean: number("mean")?,
            stddev: result["stddev"].as_f64(),
            median: number("median")?,
            min: number("min")?,
            max: number("max")?,
            user: number("user")?,
            system: number("system")?,
            runs: result["times"].as_array().map_or(0, Vec::len),
        };
        timings.push((result["command"].as_str().unwrap_or("").to_string(), timing));
    }
    Ok(timings)
}

/// Cells and runs made up for the tables' and reports' tests: io cells at
/// `--work 1000` with a median time and a p99 latency.
#[cfg(test)]
pub mod testing {
    use super::*;

    pub fn cell(scenario: &str, paradigm: &str, outcome: Outcome) -> Cell {
        Cell::new(scenario, Some(1_000), paradigm, Vec::new(), outcome)
    }

    pub fn ok(scenario: &str, paradigm: &str, seconds: f64, p99_us: u64) -> Cell {
        let line = format!(
            "workload=io paradigm={paradigm} checksum=1 ok=true p50_us={} p99_us={p99_us}",
            p99_us / 2
        );
        let timing = Timing {
            mean: seconds,
            stddev: None,
            median: seconds,
            min: seconds,
            max: seconds,
            user: 0.0,
            system: 0.0,
            runs: 1,
        };
        let lines = vec![ResultLine::parse(&line).unwrap()];
        let timing = Some(timing);
        cell(scenario, paradigm, Outcome::Ok { lines, timing })
    }

    pub fn run(cells: Vec<Cell>) -> Run {
        Run {
            dir: "unused".into(),
            meta: Vec::new(),
            cells,
            complete: true,
        }
    }
}
