//! A results folder, written ([`Writer`], in [`writer`]) and loaded ([`Record`]):
//! `meta.env` (the machine and the run), `cells.jsonl` (one line per paradigm
//! per point: how its check went and the result lines it printed),
//! `raw/<scenario>[-x].<paradigm>.json` (hyperfine's own export of that program,
//! named with `-n <paradigm>`), the `README.md` note of why the run was made,
//! and the `complete` marker. A timing is joined to its cell by paradigm name.
//! This layer owns every stored type: a cell and its line in [`cell`], its
//! timed runs in [`timed`], its counters and peaks in [`counted`], a serve
//! cell's server in [`server`], a load cell's run in [`load`], hyperfine's
//! exports in [`hyperfine`]; and what
//! stored numbers mean, in [`stats`] and [`noise`].

mod cell;
mod counted;
mod hyperfine;
mod load;
pub mod noise;
mod server;
pub mod stats;
#[cfg(test)]
pub mod testing;
mod timed;
mod writer;

pub use cell::{Cell, Outcome};
pub use counted::{Counters, Peak, PerfCounts};
pub(crate) use hyperfine::load_hyperfine;
pub use hyperfine::raw_json;
pub use load::{LoadRun, Oha, Verdict, judge};
pub use server::{ServerMemory, Wrk};
pub use stats::per_connection;
pub use timed::{Around, Net, Timing};
pub use writer::Writer;

use std::{
    fmt::Write as _,
    fs,
    path::{Path, PathBuf},
};

/// The marker a run writes when it finished every point it was asked for.
pub const COMPLETE: &str = "complete";
pub const CELLS: &str = "cells.jsonl";
pub const META: &str = "meta.env";
/// Why the run was made (`bench run --note`), for a reader of results/.
pub const NOTE: &str = "README.md";

/// One results folder, loaded.
#[derive(Debug, Clone)]
pub struct Record {
    pub dir: PathBuf,
    pub meta: Vec<(String, String)>,
    pub cells: Vec<Cell>,
    /// Every point it was asked for was done (the `complete` marker).
    pub complete: bool,
}

impl Record {
    pub fn load(dir: &Path) -> Result<Self, String> {
        let read = |name: &str| {
            fs::read_to_string(dir.join(name))
                .map_err(|e| format!("{}: {e}", dir.join(name).display()))
        };
        let meta = read_meta(&read(META)?);
        let mut cells = read(CELLS)?
            .lines()
            .enumerate()
            .map(|(i, l)| Cell::from_json(l).map_err(|e| format!("{CELLS}:{}: {e}", i + 1)))
            .collect::<Result<Vec<_>, _>>()?;
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
        let complete = dir.join(COMPLETE).exists();
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

    /// The folder's own name: `2026-12-06-vm-3`.
    pub fn name(&self) -> String {
        self.dir
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into())
    }
}

/// The newest complete full run under `results`, by the date it recorded. A
/// folder that is not one, or cannot be read, is passed over.
pub fn newest_full(results: &Path) -> Result<Option<Record>, String> {
    let mut newest: Option<(String, PathBuf)> = None;
    for entry in fs::read_dir(results).map_err(|e| format!("{}: {e}", results.display()))? {
        let dir = entry.map_err(|e| e.to_string())?.path();
        let Ok(text) = fs::read_to_string(dir.join(META)) else {
            continue;
        };
        let meta = read_meta(&text);
        let get = |key: &str| meta.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        let marked = dir.join(COMPLETE).exists();
        let full = marked && get("mode") == Some("full") && matches!(get("only"), None | Some(""));
        // `date` is `YYYY-MM-DD HH:MM:SS UTC`: its text order is its time order.
        if let (true, Some(date)) = (full, get("date"))
            && newest.as_ref().is_none_or(|(d, _)| date > d.as_str())
        {
            newest = Some((date.to_string(), dir));
        }
    }
    newest.map(|(_, dir)| Record::load(&dir)).transpose()
}

/// `key=value` lines, in order.
pub fn read_meta(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The arguments as one string that a POSIX shell (and hyperfine `-N`, which
/// splits the same way) reads back exactly: paths with spaces survive.
pub fn quote(command: &[String]) -> String {
    let plain = |a: &String| {
        !a.is_empty()
            && a.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-./,=:@+%".contains(c))
    };
    command
        .iter()
        .map(|a| {
            if plain(a) {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn write_meta(meta: &[(String, String)]) -> String {
    let mut text = String::new();
    for (key, value) in meta {
        let _ = writeln!(text, "{key}={}", value.replace('\n', " "));
    }
    text
}
