//! A cell's timed runs: hyperfine's timing of them ([`Timing`], joined from raw/)
//! and what was read around them ([`Around`], in its `cells.jsonl` line), TCP's
//! counters among it ([`Net`]).

use serde_json::{Value, json};

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
    /// serve: the server's CPU time (user + system, read from /proc in 10 ms
    /// ticks) during each timed run, in the order of `cpu` (`None` for a run
    /// that shared its hyperfine call with warm-ups); empty for other
    /// scenarios and in runs recorded before it was kept.
    pub server_cpu: Vec<Option<f64>>,
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
    /// serve: the server's mean CPU time per timed run, over the runs it was
    /// read alone in; `None` where none was.
    pub fn server_cpu(&self) -> Option<f64> {
        let read: Vec<f64> = self.server_cpu.iter().flatten().copied().collect();
        (!read.is_empty()).then(|| read.iter().sum::<f64>() / read.len() as f64)
    }

    pub(super) fn to_json(&self) -> Value {
        json!({
            "cpu_s": self.cpu,
            "switches": self.switches,
            "server_cpu_s": self.server_cpu,
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
            server_cpu: v["server_cpu_s"]
                .as_array()
                .map_or(Vec::new(), |s| s.iter().map(Value::as_f64).collect()),
            steal: v["steal"].as_f64(),
            others: v["others"].as_f64(),
            net: Net::from_json(&v["net"]),
            retimed: v["retimed"].as_bool().unwrap_or(false),
            noisy: v["noisy"].as_str().map(str::to_string),
        })
    }
}

/// TCP's counters that say a connection waited in the kernel rather than in the
/// program: the whole machine's, so read around one run at a time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Net {
    /// A completed connection found the accept queue full (`somaxconn` caps
    /// every backlog): the SYN-ACK's ACK is dropped and the client resends.
    pub listen_overflows: u64,
    /// Connection requests the listener dropped, overflows included.
    pub listen_drops: u64,
    /// Retransmission timeouts: each costs the connection at least 200 ms, a
    /// lost SYN a second.
    pub tcp_timeouts: u64,
}

impl Net {
    /// What moved from `before` to `self`.
    pub fn since(self, before: Net) -> Net {
        Net {
            listen_overflows: self
                .listen_overflows
                .saturating_sub(before.listen_overflows),
            listen_drops: self.listen_drops.saturating_sub(before.listen_drops),
            tcp_timeouts: self.tcp_timeouts.saturating_sub(before.tcp_timeouts),
        }
    }

    pub fn add(self, other: Net) -> Net {
        Net {
            listen_overflows: self.listen_overflows + other.listen_overflows,
            listen_drops: self.listen_drops + other.listen_drops,
            tcp_timeouts: self.tcp_timeouts + other.tcp_timeouts,
        }
    }

    /// What a table says of a cell whose runs met these, or `None` when
    /// nothing moved.
    pub fn note(self) -> Option<String> {
        if self == Net::default() {
            return None;
        }
        let mut said = Vec::new();
        if self.listen_overflows > 0 || self.listen_drops > 0 {
            said.push(format!(
                "{} listen-queue overflows ({} drops)",
                self.listen_overflows, self.listen_drops
            ));
        }
        if self.tcp_timeouts > 0 {
            said.push(format!("{} TCP retransmission timeouts", self.tcp_timeouts));
        }
        Some(format!(
            "the kernel: {} in its runs (warm-ups included); the time includes retransmissions, not only the paradigm",
            said.join(", ")
        ))
    }

    pub fn to_json(self) -> Value {
        json!({
            "listen_overflows": self.listen_overflows,
            "listen_drops": self.listen_drops,
            "tcp_timeouts": self.tcp_timeouts,
        })
    }

    pub fn from_json(v: &Value) -> Option<Net> {
        Some(Net {
            listen_overflows: v["listen_overflows"].as_u64()?,
            listen_drops: v["listen_drops"].as_u64()?,
            tcp_timeouts: v["tcp_timeouts"].as_u64()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_servers_cpu_reads_back_and_old_lines_have_none() {
        let around = Around {
            cpu: vec![0.5, 0.4, 0.6],
            server_cpu: vec![None, Some(0.30), Some(0.20)],
            ..Around::default()
        };
        let back = Around::from_json(&around.to_json()).unwrap();
        assert_eq!(back, around);
        // The round with warm-ups in it is left out.
        assert!((back.server_cpu().unwrap() - 0.25).abs() < 1e-12);
        // A cells.jsonl line from before: as it was, with no server CPU.
        let old = serde_json::json!({"cpu_s": [0.16, 0.29], "steal": 0.0, "net": null,
            "retimed": false, "noisy": null});
        let old = Around::from_json(&old).unwrap();
        assert!(old.server_cpu.is_empty() && old.server_cpu().is_none());
        assert_eq!(old.cpu, [0.16, 0.29]);
    }
}
