//! Cells and runs made up for the tables' and reports' tests: io cells at
//! `--work 1000` with a median time and a p99 latency.

use workload::ResultLine;

use super::{Cell, Outcome, Record, Timing};

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
        times: vec![seconds],
    };
    let lines = vec![ResultLine::parse(&line).unwrap()];
    let timing = Some(timing);
    cell(scenario, paradigm, Outcome::Ok { lines, timing })
}

/// A timing of three runs, all `mean` seconds long, with hyperfine's `stddev`.
pub fn timing(mean: f64, stddev: Option<f64>) -> Timing {
    Timing {
        mean,
        stddev,
        median: mean,
        min: mean,
        max: mean,
        user: 0.0,
        system: 0.0,
        runs: 3,
        times: Vec::new(),
    }
}

pub fn record(cells: Vec<Cell>) -> Record {
    Record {
        dir: "unused".into(),
        meta: Vec::new(),
        cells,
        complete: true,
    }
}
