//! The serve scenarios' tables: a server per row, all met by the one client. Its
//! time is the client's (hyperfine's), its memory and threads the server's, read
//! from outside; beside them the hyper api-server, the reference, and wrk's
//! second opinion on each server's throughput.

use std::fmt::Write as _;

use crate::{
    render::figures::{server_memory, server_peak_kib},
    results::stats::{Memory, bytes, ratio, secs},
    results::{Cell, Record},
    scenarios::paradigms::{self, REFERENCE},
    scenarios::{self, CLIENT},
};

/// Requests a second the client got through, from its median time.
fn rate(cell: &Cell) -> Option<f64> {
    Some(cell.field("requests")? as f64 / cell.median()?)
}

pub(super) fn per_second(r: f64) -> String {
    match r {
        r if r >= 10_000.0 => format!("{:.1}k/s", r / 1_000.0),
        r => format!("{r:.0}/s"),
    }
}

/// Every server at one point: the client's time and rate, against the language's
/// sequential server and the reference, the server's memory and threads, the
/// requests' latencies; wrk's rate where the scenario has it; memory per
/// connection where the scenario measures it.
pub fn full(record: &Record, scenario: &str, x: Option<u64>) -> String {
    let Some(s) = scenarios::named(scenario) else {
        return String::new();
    };
    let per_connection = s.kernel_memory;
    let mut md = format!(
        "| server | median ({CLIENT}) | min–max | requests/s | vs sequential | time / api-server's | server peak memory | server threads (most) | p50 latency | p99 latency |"
    );
    let mut align = String::from("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    if per_connection {
        md += " memory per connection | with the kernel |";
        align += "---:|---:|";
    }
    if s.wrk.is_some() {
        md += " wrk: requests/s |";
        align += "---:|";
    }
    let _ = writeln!(md, "\n{align}");
    let reference = record.cell(scenario, x, REFERENCE.name);
    for p in &paradigms::ROWS {
        let Some(cell) = record.cell(scenario, x, p.name) else {
            continue;
        };
        let name = crate::render::tables::row_name(record, cell, p);
        let extra = usize::from(per_connection) * 2 + usize::from(s.wrk.is_some());
        let Some(t) = cell.timing() else {
            let why = cell.why_not().unwrap_or_default().replace('|', "/");
            let _ = writeln!(md, "| {name} | {why} |{}", " |".repeat(8 + extra));
            continue;
        };
        let spread = match t.runs {
            1 => "1 run".to_string(),
            n => format!("{}–{} ({n} runs)", secs(t.min), secs(t.max)),
        };
        let baseline = record
            .cell(scenario, x, p.language.baseline())
            .and_then(Cell::timing);
        let vs = |other: Option<&crate::results::Timing>, mine_first: bool| match other {
            Some(o) if mine_first => ratio(t, o).to_string(),
            Some(o) => ratio(o, t).to_string(),
            None => "–".into(),
        };
        let us = |key| {
            cell.field(key)
                .map_or("–".into(), |us| secs(us as f64 / 1e6))
        };
        let _ = write!(
            md,
            "| {name} | {} | {spread} | {} | {} | {} | {} | {} | {} | {} |",
            secs(t.median),
            rate(cell).map_or("–".into(), per_second),
            vs(baseline, false),
            vs(reference.and_then(Cell::timing), true),
            server_peak_kib(cell).map_or("–".into(), |k| bytes(k as f64 * 1024.0)),
            cell.server_memory
                .first()
                .map_or("–".into(), |m| m.threads.to_string()),
            us("p50_us"),
            us("p99_us"),
        );
        if per_connection {
            for kind in [Memory::UserSpace, Memory::WithKernel] {
                let _ = write!(
                    md,
                    " {} |",
                    server_memory(cell, kind).map_or("–".into(), bytes)
                );
            }
        }
        if s.wrk.is_some() {
            let _ = write!(md, " {} |", wrk_text(cell));
        }
        md += "\n";
    }
    md += &format!(
        "\nTime, rate and latencies are the client's ({CLIENT}, verified), the same for every server; memory and threads are the server's, read from outside over its processes (VmHWM summed; threads sampled every 10 ms)"
    );
    if per_connection {
        md += "; memory per connection is (peak - idle) / connections, the peaks reset when the server said it listens, in user space and, from the server's memory cgroup, with the kernel's share";
    }
    if s.wrk.is_some() {
        md += "; wrk ran one thread over as many connections as the client, against a fresh server: where wrk gets far more than the client, the client is what limits the rate";
    }
    md += ". In the table below, CPU time is the server's while the client ran; its syscalls, switches and faults are of its whole run, start-up and stop included.\n\n";
    md + &crate::render::tables::notes(record, scenario, x)
}

/// What wrk made of a cell's server: its rate, or why there is none.
fn wrk_text(cell: &Cell) -> String {
    match &cell.wrk {
        Some(Ok(w)) if w.errors == 0 => per_second(w.requests_per_sec),
        Some(Ok(w)) => format!("{} errors", w.errors),
        Some(Err(why)) => format!("– ({})", why.replace('|', "/")),
        None => "–".into(),
    }
}

/// The README's compact table of a serve scenario with a scan: the server's
/// memory per connection at each point, in user space or with the kernel's share.
pub fn compact_memory(record: &Record, scenario: &str, kind: Memory) -> String {
    let points: Vec<u64> = record.points(scenario).into_iter().flatten().collect();
    let mut md = String::from("| server |");
    for x in &points {
        let _ = write!(md, " {x} connections |");
    }
    let _ = writeln!(md, "\n|---|{}", "---:|".repeat(points.len()));
    for p in &paradigms::ROWS {
        let cells: Vec<Option<&Cell>> = points
            .iter()
            .map(|&x| record.cell(scenario, Some(x), p.name))
            .collect();
        if cells
            .iter()
            .all(|c| c.is_none_or(|c| server_memory(c, kind).is_none()))
        {
            continue;
        }
        let _ = write!(md, "| {} |", p.name);
        for cell in cells {
            let value = cell.and_then(|c| server_memory(c, kind));
            let _ = write!(md, " {} |", value.map_or("–".into(), bytes));
        }
        md += "\n";
    }
    md
}

/// The line under serve-fast that compares hand-written HTTP with hyper on the
/// same runtime: tokio-serve's time against the reference's.
pub fn reference_line(record: &Record, scenario: &str) -> String {
    let (Some(tokio), Some(reference)) = (
        record.cell(scenario, None, "tokio").and_then(Cell::timing),
        record
            .cell(scenario, None, REFERENCE.name)
            .and_then(Cell::timing),
    ) else {
        return String::new();
    };
    format!(
        "tokio-serve (hand-written HTTP on tokio) takes {} the time of the api-server (hyper on tokio) with the same client.\n\n",
        ratio(tokio, reference)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        results::testing::{ok, record},
        results::{ServerMemory, Wrk},
    };

    fn served(paradigm: &str, x: Option<u64>, seconds: f64, peak_kib: u64) -> Cell {
        let mut cell = ok("serve-slow", paradigm, seconds, 200_000);
        cell.x = x;
        cell.server = vec![format!("{paradigm}-serve")];
        cell.server_memory = vec![ServerMemory {
            idle_kib: 1_000,
            peak_kib,
            threads: 3,
            processes: 1,
            cgroup_idle: None,
        }];
        cell
    }

    #[test]
    fn a_server_row_shows_its_own_memory_and_the_reference() {
        let record = record(vec![
            served("threads", Some(1_000), 0.25, 11_000),
            served("tokio", Some(1_000), 0.21, 3_000),
            served("api-server", Some(1_000), 0.20, 4_000),
        ]);
        let table = full(&record, "serve-slow", Some(1_000));
        assert!(
            table.contains("| **tokio** (fastest) | 210.0 ms |"),
            "{table}"
        );
        assert!(
            table.contains("| api-server (reference: hyper) | 200.0 ms |"),
            "{table}"
        );
        // (11,000 - 1,000) KiB over 1,000 connections.
        assert!(table.contains("10.0 KiB"), "{table}");
        let memory = compact_memory(&record, "serve-slow", Memory::UserSpace);
        assert!(memory.contains("| threads | 10.0 KiB |"), "{memory}");
    }

    #[test]
    fn wrk_errors_are_never_a_rate() {
        let mut cell = ok("serve-fast", "tokio", 0.5, 1_000);
        cell.wrk = Some(Ok(Wrk {
            requests_per_sec: 40_000.0,
            requests: 120_000,
            errors: 3,
            connections: 4,
            seconds: 3,
        }));
        assert_eq!(wrk_text(&cell), "3 errors");
        cell.wrk = Some(Err("wrk not found".into()));
        assert_eq!(wrk_text(&cell), "– (wrk not found)");
    }
}
