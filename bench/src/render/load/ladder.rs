//! serve-load's section: each server's capacity at the latency target and why
//! the knee is where it is, in CPU per request against the machine's cores;
//! then every server at the highest rate that every Rust paradigm held within
//! the target; then oha's second opinion and `loadgen`'s own ceiling ([`super::oha`]).

use std::fmt::Write as _;

use super::{
    Depth,
    capacity::{Capacity, capacity, row_name, tie_sentence},
    held, ladder_of, oha, rate, runs, server_cpu, thousands, us, why,
};
use crate::{
    results::stats::{bytes, two_digits},
    results::{Cell, Record},
    scenarios::{
        load::{LOAD, TARGET_P99_US},
        paradigms::{self, Language},
    },
};

/// serve-load's tables, its charts linked under `charts`, subsections at `sub`.
pub fn section(record: &Record, charts: &str, sub: &str, depth: Depth) -> String {
    let target = TARGET_P99_US / 1_000;
    let mut md = format!(
        "![{title}: p99 against the offered rate]({charts}/serve-load.svg)\n\n![{title}: p50 against the offered rate]({charts}/serve-load-p50.svg)\n\nThe charts show held runs only: a run not held is no latency (its failed requests have none).\n\n",
        title = LOAD.title
    );
    let _ = writeln!(md, "{sub} Capacity at p99 <= {target} ms\n");
    md += &capacities(record);
    md += "\n";
    md += &tie_sentence(record);
    md += " The CPU columns are the evidence for where the knee lies: at the capacity, the CPU one request cost the server (its process group, from /proc) and loadgen together, and the rate the machine's cores could carry at that cost. Client and server share the cores: where the capacity is near that rate, the cores ran out; where it is far below, something else did (a lock, a queue, one thread doing the work, the latency target).\n\n";
    md += &notes(record);
    md += &oha::ceiling(record);
    if depth == Depth::Compact {
        return md;
    }
    let _ = writeln!(md, "{sub} Every server at one rate\n");
    md += &common(record);
    let _ = writeln!(md, "{sub} oha beside loadgen\n");
    md += &oha::table(record);
    md
}

/// A row per server: its capacity, the first rate it did not hold, its
/// latencies and CPU at its capacity, and what the cores could carry at that cost.
fn capacities(record: &Record) -> String {
    let cores: Option<f64> = record.meta("cores").parse().ok().filter(|&c| c > 0.0);
    let mut md = format!(
        "| server | capacity at p99 <= {} ms | first rate not held, and why | p50 / p99 at capacity | server CPU per request | CPU per request: server + loadgen | what {} carry at that cost |\n|---|---:|---|---:|---:|---:|---:|\n",
        TARGET_P99_US / 1_000,
        cores.map_or("the cores".into(), |c| format!("{c} cores"))
    );
    for p in &paradigms::ROWS {
        let Some(c) = capacity(record, p) else {
            continue;
        };
        let at = |f: &dyn Fn(&Cell) -> String| c.at.map_or("–".into(), f);
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} |",
            row_name(record, p),
            c.text().replace('|', "/"),
            c.first_not_held_text(),
            at(&|cell| format!("{} / {}", us(cell, "p50_us"), us(cell, "p99_us"))),
            at(&server_cpu),
            at(&|cell| both_cpu(cell).map_or("–".into(), |(s, l)| {
                format!("{} + {} = {}", micros(s), micros(l), micros(s + l))
            })),
            cores_worth(&c, cores),
        );
    }
    md
}

/// The README's table: a row per server, its capacity, its p99 and CPU per
/// request there (the report's table has the evidence beside them).
pub fn brief(record: &Record) -> String {
    let mut md = format!(
        "| server | capacity at p99 <= {} ms | p99 at capacity | server CPU per request |\n|---|---:|---:|---:|\n",
        TARGET_P99_US / 1_000
    );
    for p in &paradigms::ROWS {
        let Some(c) = capacity(record, p) else {
            continue;
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} |",
            row_name(record, p),
            c.text().replace('|', "/"),
            c.at.map_or("–".into(), |cell| us(cell, "p99_us")),
            c.at.map_or("–".into(), server_cpu),
        );
    }
    md
}

/// CPU per request answered at a run, µs: the server's and `loadgen`'s.
pub fn both_cpu(cell: &Cell) -> Option<(f64, f64)> {
    let run = cell.load.as_ref()?;
    let answered = cell.field("answered").filter(|&n| n > 0)? as f64;
    let loadgen = cell.field("cpu_ms")? as f64 * 1_000.0;
    Some((run.server_cpu_us as f64 / answered, loadgen / answered))
}

fn micros(us: f64) -> String {
    crate::results::stats::secs(us / 1e6)
}

/// The rate the machine's cores carry at the capacity's CPU per request, and
/// the capacity's share of it.
fn cores_worth(c: &Capacity<'_>, cores: Option<f64>) -> String {
    let (Some(cell), Some(cores)) = (c.at, cores) else {
        return "–".into();
    };
    let Some((server, loadgen)) = both_cpu(cell).filter(|(s, l)| s + l > 0.0) else {
        return "–".into();
    };
    let carry = cores * 1e6 / (server + loadgen);
    let share = cell.x.unwrap_or(0) as f64 / carry * 100.0;
    format!(
        "{}/s (the capacity is {share:.0}% of it)",
        thousands(two_digits(carry))
    )
}

/// What limits a server beside its paradigm (a pool smaller than the connections).
fn notes(record: &Record) -> String {
    let mut md = String::new();
    for p in &paradigms::ROWS {
        let cells = runs(record, LOAD.name, p.name);
        if let Some(note) = cells.iter().map(|c| &c.note).find(|n| !n.is_empty()) {
            let _ = writeln!(md, "- **{}**: {note}.", p.name);
        }
    }
    match md.is_empty() {
        true => md,
        false => md + "\n",
    }
}

/// The Rust servers the common rate is chosen among: every paradigm and the
/// sized pools, but the fixed pools at the cores' count, which hold a worker per
/// connection and so fail a request as soon as loadgen opens one connection more
/// than they have workers (their sized rows stand in for them), and the
/// sequential server, which serves one connection at a time and so, when it
/// holds a rate at all, holds the ladder's first by luck.
pub fn common_servers() -> impl Iterator<Item = &'static paradigms::Paradigm> {
    paradigms::ROWS.iter().filter(|p| {
        p.language == Language::Rust
            && !p.is_reference()
            && p.short() != "sequential"
            && (p.sized || !p.is_fixed_pool())
    })
}

/// The highest ladder rate that every one of [`common_servers`] which held any
/// rate within the target held within it, and who was left out, and why.
pub fn common_rate(record: &Record) -> (Option<u64>, Vec<String>) {
    let rust: Vec<_> = common_servers()
        .filter_map(|p| capacity(record, p))
        .collect();
    let (holding, none): (Vec<_>, Vec<_>) = rust.into_iter().partition(|c| c.rate().is_some());
    let mut left: Vec<String> = none
        .iter()
        .map(|c| format!("{} (held no rate within the target)", c.paradigm.name))
        .collect();
    let pools: Vec<&str> = paradigms::ROWS
        .iter()
        .filter(|p| p.is_fixed_pool() && !p.sized && !runs(record, LOAD.name, p.name).is_empty())
        .map(|p| p.name)
        .collect();
    if !pools.is_empty() {
        left.push(format!(
            "{} (a pool of the cores' count, a worker per connection: their sized rows stand in)",
            pools.join(" and ")
        ));
    }
    if !runs(record, LOAD.name, "sequential").is_empty() {
        left.push("sequential (one connection at a time)".into());
    }
    let holds = |c: &Capacity<'_>, r: u64| {
        runs(record, LOAD.name, c.paradigm.name)
            .iter()
            .any(|cell| cell.x == Some(r) && cell.within_target())
    };
    let rate = ladder_of(record)
        .rates
        .iter()
        .copied()
        .filter(|&r| !holding.is_empty() && holding.iter().all(|c| holds(c, r)))
        .max();
    (rate, left)
}

/// Every server at the common rate: latencies, CPU per request, memory, threads.
fn common(record: &Record) -> String {
    let (Some(at), left) = common_rate(record) else {
        return format!(
            "No rate was held within {} ms by every Rust server that held one.\n\n",
            TARGET_P99_US / 1_000
        );
    };
    let mut md = format!(
        "At {}, the highest rate of the ladder that every Rust server which held any rate within {} ms held within it",
        rate(at),
        TARGET_P99_US / 1_000
    );
    if !left.is_empty() {
        let _ = write!(md, " (left out: {})", left.join("; "));
    }
    md += ". Memory and threads are the server's, read from outside over its processes (VmHWM summed; threads sampled).\n\n| server | p50 | p99 | server CPU per request | server peak memory | server threads (most) |\n|---|---:|---:|---:|---:|---:|\n";
    for p in &paradigms::ROWS {
        let cells = runs(record, LOAD.name, p.name);
        if cells.is_empty() {
            continue;
        }
        let name = match p.is_reference() {
            true => format!("{} (reference: hyper)", p.name),
            false => p.name.to_string(),
        };
        let Some(cell) = cells.iter().find(|c| c.x == Some(at)) else {
            let highest = cells.iter().filter_map(|c| c.x).max();
            let said = match highest {
                Some(r) => format!("not offered: its climb ended at {}", rate(r)),
                None => why(cells[0]),
            };
            let _ = writeln!(md, "| {name} | {said} | | | | |");
            continue;
        };
        let Some(run) = held(cell) else {
            let _ = writeln!(md, "| {name} | {} | | | | |", why(cell));
            continue;
        };
        let _ = writeln!(
            md,
            "| {name} | {} | {} | {} | {} | {} |",
            us(cell, "p50_us"),
            us(cell, "p99_us"),
            server_cpu(cell),
            bytes(run.memory.peak_kib as f64 * 1024.0),
            run.memory.threads
        );
    }
    md + "\n"
}
