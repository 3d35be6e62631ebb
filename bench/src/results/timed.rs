//! A cell's timed runs: hyperfine's timing of them ([`Timing`], joined from raw/)
//! and what was read around them ([`Around`], in its `cells.jsonl` line).

use serde_json::{Value, json};

use crate::measure::host::Net;

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
    /// Each timed run's wall time, in the order run (empty where not read).
    pub times: Vec<f64>,
}

impl Timing {
    /// The range a tie is judged on: the middle runs' (all but the fastest and
    /// the slowest, from four runs on), so that one run that met a slow second
    /// neither makes nor breaks a tie; min–max with fewer runs.
    pub fn middle_range(&self) -> (f64, f64) {
        let mut times = self.times.clone();
        times.sort_by(f64::total_cmp);
        match times.len() {
            n if n >= 4 => (times[1], times[n - 2]),
            _ => (self.min, self.max),
        }
    }
}

/// What was read around a cell's timed runs, beside hyperfine's times: what
/// says whether those times are the program's or the machine's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Around {
    /// Each timed run's CPU time (hyperfine's user + system), in seconds.
    pub cpu: Vec<f64>,
    /// The machine's context switches during each timed run (`None` for a run
    /// that shared its hyperfine call with warm-ups), in the order of `cpu`.
    pub switches: Vec<Option<u64>>,
    /// The host's steal time during the cell's runs, as a share of the CPU
    /// time the machine had meanwhile (wall time × cores); `None`: not read.
    pub steal: Option<f64>,
    /// The CPU time other programs on the machine took during the cell's runs
    /// (all of it, less the program's and its server's), as a share of the
    /// machine's CPU time meanwhile; `None`: not read.
    pub others: Option<f64>,
    /// TCP's counters around the timed runs, for a program that connects.
    pub net: Option<Net>,
    /// Timed a second time, because the first attempt was noisy.
    pub retimed: bool,
    /// Why its time is the machine's more than the program's, or `None`.
    pub noisy: Option<String>,
}

impl Around {
    pub(super) fn to_json(&self) -> Value {
        json!({
            "cpu_s": self.cpu,
            "switches": self.switches,
            "steal": self.steal,
            "others": self.others,
            "net": self.net.map(Net::to_json),
            "retimed": self.retimed,
            "noisy": self.noisy,
        })
    }

    pub(super) fn from_json(v: &Value) -> Option<Self> {
        Some(Around {
            cpu: v["cpu_s"]
                .as_array()?
                .iter()
                .filter_map(Value::as_f64)
                .collect(),
            switches: v["switches"]
                .as_array()
                .map_or(Vec::new(), |s| s.iter().map(Value::as_u64).collect()),
            steal: v["steal"].as_f64(),
            others: v["others"].as_f64(),
            net: Net::from_json(&v["net"]),
            retimed: v["retimed"].as_bool().unwrap_or(false),
            noisy: v["noisy"].as_str().map(str::to_string),
        })
    }
}
