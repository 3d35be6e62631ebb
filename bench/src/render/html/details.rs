//! What stands behind each cell, for the page's details panel: its commands,
//! result lines, every timed run (the panel draws them on a strip), its
//! counters per unit of work and its memory with and without the kernel's
//! share ([`super::counted`]), a load run's rate, latencies, errors and
//! verdict, and why it has no figure.
//! Each value is formatted here, as the report formats it, so that the page's
//! script only lays rows out.

use serde_json::{Value, json};

use super::{
    Cells,
    counted::{self, row},
};
use crate::{
    render::load::{rate, thousands},
    results::stats::secs,
    results::{Cell, Outcome, Record, Verdict, quote},
    scenarios,
};

/// A section of the panel: its title and its rows of (what, value).
type Section = (&'static str, Vec<(String, String)>);

/// The rows' names, each kept once in the page's data, which gives a row the
/// number of its name: most of the names recur in every cell.
#[derive(Default)]
pub struct Labels(pub Vec<String>);

impl Labels {
    fn number(&mut self, label: &str) -> usize {
        match self.0.iter().position(|l| l == label) {
            Some(i) => i,
            None => {
                self.0.push(label.to_string());
                self.0.len() - 1
            }
        }
    }
}

/// One cell's details as the page's data embeds them.
pub fn cell(record: &Record, cells: &Cells, cell: &Cell, labels: &mut Labels) -> Value {
    let status = match &cell.outcome {
        Outcome::Ok { .. } => "ok",
        Outcome::Failed(_) => "FAILED",
        Outcome::Skipped(_) => "skipped",
    };
    let retimed = cell.around.as_ref().is_some_and(|a| a.retimed);
    // A load cell is `loadgen`'s run: hyperfine never times it.
    let why_not = cell
        .why_not()
        .filter(|_| cell.failed() || cell.load.is_none());
    let notes: Vec<String> = [
        why_not,
        (!cell.note.is_empty()).then(|| cell.note.clone()),
        cell.noisy(),
        retimed.then(|| "timed a second time: its first attempt was noisy".into()),
        cell.net_note(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let sections: Vec<Section> = vec![
        ("Timed runs", timed(cell)),
        (counted::title(cell), counted::per_unit(cell)),
        ("Memory", counted::memory(record, cell)),
        ("Load run (loadgen)", load(cell)),
    ];
    let sections: Vec<Value> = sections
        .into_iter()
        .filter(|(_, rows)| !rows.is_empty())
        .map(|(title, rows)| {
            let rows: Vec<Value> = rows
                .into_iter()
                .map(|(what, value)| json!([labels.number(&what), value]))
                .collect();
            json!([title, rows])
        })
        .collect();
    let at = match (&cell.load, cell.x) {
        (Some(_), Some(x)) => format!(" at {}", rate(x)),
        _ => scenarios::named(&cell.scenario).map_or(String::new(), |s| s.at(cell.x)),
    };
    let mut v = json!({
        "k": cells.key(cell),
        "h": format!("{} — {}{at}", cell.paradigm, cell.scenario),
        "st": status,
        "cmd": quote(&cell.command),
        "lines": cell.lines().iter().map(|l| l.to_string()).collect::<Vec<_>>(),
        "notes": notes,
        "sec": sections,
    });
    if !cell.server.is_empty() {
        v["srv"] = json!(quote(&cell.server));
    }
    if let Some(t) = cell.timing().filter(|t| !t.times.is_empty()) {
        let (lo, hi) = t.middle_range();
        v["runs"] = json!({ "times": t.times, "mid": [lo, hi], "median": t.median });
    }
    v
}

/// hyperfine's summary of the timed runs, each run, and what was read around them.
fn timed(cell: &Cell) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    if let Some(t) = cell.timing() {
        let list = |v: &[f64]| v.iter().map(|&s| secs(s)).collect::<Vec<_>>().join(", ");
        let spread = t
            .stddev
            .map_or(String::new(), |s| format!(" ± {}", secs(s)));
        rows.push(row("median", secs(t.median)));
        rows.push(row("mean", format!("{}{spread}", secs(t.mean))));
        rows.push(row(
            "min – max",
            format!("{} – {}", secs(t.min), secs(t.max)),
        ));
        let (lo, hi) = t.middle_range();
        rows.push(row(
            "range a tie is judged on",
            format!("{} – {}", secs(lo), secs(hi)),
        ));
        rows.push(row(
            "user / sys (mean)",
            format!("{} / {}", secs(t.user), secs(t.system)),
        ));
        rows.push(row(
            "CPU",
            format!("{:.0}%", 100.0 * (t.user + t.system) / t.median),
        ));
        rows.push(row(format!("each timed run ({})", t.runs), list(&t.times)));
        if let Some(a) = &cell.around {
            rows.push(row("CPU time of each run", list(&a.cpu)));
            let switches: Vec<String> = a
                .switches
                .iter()
                .map(|s| s.map_or("–".into(), thousands))
                .collect();
            if !switches.is_empty() {
                rows.push(row(
                    "machine's context switches per run",
                    switches.join(", "),
                ));
            }
            if !a.server_cpu.is_empty() {
                let server: Vec<String> = a
                    .server_cpu
                    .iter()
                    .map(|s| s.map_or("–".into(), secs))
                    .collect();
                rows.push(row("server's CPU time per run", server.join(", ")));
            }
            let share =
                |s: Option<f64>| s.map_or("not read".into(), |s| format!("{:.1}%", s * 100.0));
            rows.push(row("host's steal", share(a.steal)));
            rows.push(row("other programs' CPU", share(a.others)));
        }
    }
    if let Some(Ok(w)) = &cell.wrk {
        rows.push(row(
            "wrk",
            format!(
                "{} requests/s ({} requests, {} errors, {} connections, {} s)",
                thousands(w.requests_per_sec.round() as u64),
                thousands(w.requests),
                w.errors,
                w.connections,
                w.seconds
            ),
        ));
    } else if let Some(Err(why)) = &cell.wrk {
        rows.push(row("wrk", why.clone()));
    }
    rows
}

/// A load cell's run: the rate, the verdict, latencies and errors by kind, oha's.
fn load(cell: &Cell) -> Vec<(String, String)> {
    let Some(run) = &cell.load else {
        return Vec::new();
    };
    let n = |key: &str| cell.field(key).unwrap_or(0);
    let us = |key: &str| {
        cell.field(key)
            .map_or("–".into(), |us| secs(us as f64 / 1e6))
    };
    let verdict = match cell.load_verdict() {
        Some(Verdict::Held) if cell.within_target() => "held, p99 within the 10 ms target".into(),
        Some(Verdict::Held) => "held, p99 over the 10 ms target".into(),
        Some(Verdict::NotHeld(why)) => format!("not held: {why}"),
        Some(Verdict::Generator(why)) => format!("loadgen's limit: {why}"),
        None => "–".into(),
    };
    let mut rows = vec![
        row("rate offered", rate(run.rate)),
        row(
            "heavy work",
            if run.offload { "offloaded" } else { "inline" },
        ),
        row("verdict", verdict),
        row(
            "answered",
            format!(
                "{} of {}",
                thousands(n("answered")),
                thousands(n("answered") + n("errors"))
            ),
        ),
        row(
            "errors: timed out / refused / lost / wrong",
            format!(
                "{}: {} / {} / {} / {}",
                n("errors"),
                n("timeouts"),
                n("refused"),
                n("lost"),
                n("wrong")
            ),
        ),
        row(
            "p50 / p90 / p99",
            format!("{} / {} / {}", us("p50_us"), us("p90_us"), us("p99_us")),
        ),
        row(
            "p99.9 / max",
            format!("{} / {}", us("p999_us"), us("max_us")),
        ),
        row("loadgen behind its schedule", us("behind_us")),
    ];
    if cell.field("heavy_p99_us").is_some_and(|h| h > 0) {
        rows.push(row(
            "cheap / heavy p99",
            format!("{} / {}", us("cheap_p99_us"), us("heavy_p99_us")),
        ));
    }
    if cell.field("then_rate").is_some() {
        rows.push(row(
            "then",
            format!(
                "{}: p99 {}, {} failed",
                rate(n("then_rate")),
                us("then_p99_us"),
                n("then_errors")
            ),
        ));
        let back = cell
            .lines()
            .first()
            .and_then(|l| l.get("recovery_ms"))
            .unwrap_or("–");
        rows.push(row("back under the target after (ms)", back));
    }
    let answered = cell.field("answered").filter(|&a| a > 0);
    rows.push(row(
        "server CPU per request",
        answered.map_or("–".into(), |a| {
            secs(run.server_cpu_us as f64 / a as f64 / 1e6)
        }),
    ));
    match &run.oha {
        Some(Ok(o)) => rows.push(row(
            "oha, same rate",
            format!(
                "{} requests, {} errors, p50 {}, p99 {}",
                thousands(o.requests),
                o.errors,
                secs(o.p50_us as f64 / 1e6),
                secs(o.p99_us as f64 / 1e6)
            ),
        )),
        Some(Err(why)) => rows.push(row("oha", why.clone())),
        None => {}
    }
    rows
}
