//! The Markdown tables of a run: a full table per point (report.md), here, and a
//! compact table per scenario (the README), in [`compact`]; both made from
//! loaded cells, rows named and noted alike.

mod compact;

use std::fmt::Write as _;

use crate::{
    render::figures::{measure, per_unit},
    render::leaders::leaders,
    results::stats::{bytes, ratio, secs},
    results::{Cell, Record},
    scenarios::paradigms::{self, Paradigm},
    scenarios::{self, Measure, Workload},
};
pub use compact::{compact, compact_p99, compact_with_kernel};

/// A row's name in a point's table: bold when it is its language's fastest,
/// or ties with it (the ranges of their timed runs overlap: "tied fastest"),
/// the reference said as one, and "noisy: rerun" after a noisy cell's name.
pub fn row_name(record: &Record, cell: &Cell, p: &Paradigm) -> String {
    let leaders = leaders(record, &cell.scenario, cell.x, p.language);
    let leads = leaders.iter().any(|c| c.paradigm == p.name);
    let language = if p.is_python() { " in Python" } else { "" };
    let mut name = match (p.is_reference(), leads, leaders.len()) {
        (true, _, _) => format!("{} (reference: hyper)", p.name),
        (_, true, 1) => format!("**{}** (fastest{language})", p.name),
        (_, true, _) => format!("**{}** (tied fastest{language})", p.name),
        _ => p.name.to_string(),
    };
    if cell.noisy().is_some() {
        name += " — noisy: rerun";
    }
    name
}

/// Under a point's table, a line for each cell with something to say beside
/// its numbers: what limits it beside its paradigm (a pool smaller than the
/// connections), why its time is noisy, what the kernel's TCP counters saw.
pub fn notes(record: &Record, scenario: &str, x: Option<u64>) -> String {
    let mut md = String::new();
    for p in &paradigms::ROWS {
        let Some(cell) = record.cell(scenario, x, p.name) else {
            continue;
        };
        let retimed = cell.around.as_ref().is_some_and(|a| a.retimed);
        let said = [
            (!cell.note.is_empty()).then(|| cell.note.clone()),
            cell.noisy().map(|n| {
                n + if retimed {
                    ", after a second attempt"
                } else {
                    ""
                }
            }),
            (retimed && cell.noisy().is_none())
                .then(|| "timed a second time: its first attempt was noisy".to_string()),
            cell.net_note(),
        ];
        for text in said.into_iter().flatten() {
            let _ = writeln!(md, "- **{}**: {text}.", p.name);
        }
    }
    match md.is_empty() {
        true => md,
        false => md + "\n",
    }
}

/// `cell` against its own language's sequential program at its point.
pub(super) fn vs_sequential(record: &Record, cell: &Cell, p: &Paradigm) -> String {
    let base = record.cell(&cell.scenario, cell.x, p.language.baseline());
    match (base.and_then(Cell::timing), cell.timing()) {
        (Some(base), Some(t)) => ratio(base, t).to_string(),
        _ => "–".into(),
    }
}

pub(super) fn kib(k: u64) -> String {
    bytes(k as f64 * 1024.0)
}

/// Every paradigm at one point: time, spread, CPU, speed-up, memory, workers;
/// per live unit for a memory scenario, request latencies for io.
pub fn full(record: &Record, scenario: &str, x: Option<u64>) -> String {
    let memory = measure(scenario) == Measure::MemoryPerUnit;
    let io = scenarios::named(scenario).is_some_and(|s| s.workload == Workload::Io);
    let mut md = String::from(
        "| paradigm | median | min–max | user | sys | CPU | vs sequential | peak memory | workers |",
    );
    md += if memory { " per live unit |" } else { "" };
    md += if io {
        " p50 latency | p99 latency |\n"
    } else {
        "\n"
    };
    md += "|---|---:|---:|---:|---:|---:|---:|---:|---:|";
    md += if memory { "---:|" } else { "" };
    md += if io { "---:|---:|\n" } else { "\n" };
    for p in &paradigms::ALL {
        let Some(cell) = record.cell(scenario, x, p.name) else {
            continue;
        };
        let name = row_name(record, cell, p);
        let Some(t) = cell.timing() else {
            let why = cell.why_not().unwrap_or_default().replace('|', "/");
            let _ = writeln!(
                md,
                "| {name} | {why} | | | | | | | |{}{}",
                if memory { " |" } else { "" },
                if io { " | |" } else { "" }
            );
            continue;
        };
        let spread = match t.runs {
            1 => "1 run".to_string(),
            n => format!("{}–{} ({n} runs)", secs(t.min), secs(t.max)),
        };
        let _ = write!(
            md,
            "| {name} | {} | {spread} | {} | {} | {:.0}% | {} | {} | {} |",
            secs(t.median),
            secs(t.user),
            secs(t.system),
            100.0 * (t.user + t.system) / t.median,
            vs_sequential(record, cell, p),
            cell.field("peak_rss_kib").map_or("–".into(), kib),
            cell.field("workers").map_or("–".into(), |w| w.to_string()),
        );
        if memory {
            let per = per_unit(record, cell).map_or("–".into(), |u| u.to_string());
            let _ = write!(md, " {per} |");
        }
        if io {
            let us = |key| {
                cell.field(key)
                    .map_or("–".into(), |us| secs(us as f64 / 1e6))
            };
            let _ = write!(md, " {} | {} |", us("p50_us"), us("p99_us"));
        }
        md += "\n";
    }
    md + "\n" + &notes(record, scenario, x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::testing::{ok, record};

    /// A made-up results folder: two cpu cells in cells.jsonl, smol's runs
    /// noisy (its CPU per run grew for the same work) and threads' steady, each
    /// with its merged export in raw/; the tables say which is which.
    #[test]
    fn a_noisy_cell_from_cells_jsonl_says_rerun() {
        let dir = std::env::temp_dir().join(format!("bench-noisy-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("raw")).unwrap();
        std::fs::write(dir.join("meta.env"), "mode=full\n").unwrap();
        let line = |paradigm: &str, noisy: &str| {
            format!(
                r#"{{"scenario":"cpu","x":null,"paradigm":"{paradigm}","status":"ok","reason":"","command":[],"result_lines":["workload=cpu paradigm={paradigm} jobs=1000 workers=2 checksum=148933 ok=true"],"counters":null,"cgroup_peaks":[],"timed_runs":{{"cpu_s":[0.16,0.29],"steal":0.0,"net":null,"retimed":true,"noisy":{noisy}}}}}"#
            )
        };
        let cells = [
            line("threads", "null"),
            line(
                "smol",
                r#""CPU time per run 160.0 ms to 290.0 ms for the same work""#,
            ),
        ];
        std::fs::write(dir.join("cells.jsonl"), cells.join("\n") + "\n").unwrap();
        for (paradigm, min, max) in [("threads", 0.080, 0.090), ("smol", 0.085, 0.155)] {
            let export = format!(
                r#"{{"results":[{{"command":"{paradigm}","mean":{max},"stddev":0.01,"median":{min},"min":{min},"max":{max},"user":0.1,"system":0.0,"times":[{min},{max}]}}]}}"#
            );
            std::fs::write(dir.join(format!("raw/cpu.{paradigm}.json")), export).unwrap();
        }
        let record = Record::load(&dir).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        let table = full(&record, "cpu", None);
        assert!(
            table.contains("| **smol** (tied fastest) — noisy: rerun |"),
            "{table}"
        );
        assert!(table.contains("- **smol**: noisy: rerun (CPU time per run 160.0 ms to 290.0 ms for the same work), after a second attempt."), "{table}");
        assert!(
            table.contains("- **threads**: timed a second time"),
            "{table}"
        );
        // Their runs' ranges overlap: a tie, both bold, neither "the fastest".
        assert!(table.contains("| **threads** (tied fastest) |"), "{table}");
        assert!(!table.contains("(fastest)"), "{table}");
        let compact = compact(&record, "cpu");
        assert!(
            compact.contains("| smol | **85.0 ms** (noisy: rerun) |"),
            "{compact}"
        );
    }

    #[test]
    fn io_tables_show_latencies() {
        let record = record(vec![
            ok("io-work", "threads", 0.8, 110_000),
            ok("io-work", "tokio", 0.7, 140_000),
        ]);
        let p99 = compact_p99(&record, "io-work");
        assert!(p99.contains("| threads | **110.0 ms** |"), "{p99}");
        assert!(p99.contains("| tokio | 140.0 ms |"), "{p99}");
        let time = compact(&record, "io-work");
        assert!(time.contains("| tokio | **700.0 ms** |"), "{time}");
        let full = full(&record, "io-work", Some(1_000));
        assert!(full.contains("| p50 latency | p99 latency |"), "{full}");
        assert!(full.contains(" | 55.0 ms | 110.0 ms |\n"), "{full}");
    }
}
