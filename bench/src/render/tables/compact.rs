//! The README's table per scenario: paradigms down, points across, the best of
//! each language bold with every paradigm that ties with it.

use super::{kib, vs_sequential};
use crate::{
    render::figures::{figure, measure, memory_per_unit, server_peak_kib},
    render::leaders::leaders_concurrent,
    results::stats::{Memory, bytes, secs},
    results::{Cell, Record},
    scenarios::paradigms::{self, Paradigm},
    scenarios::{self, Measure, Workload},
};

/// Paradigms down, points across: median wall time, or memory per live unit.
/// The best of each language is bold; a paradigm skipped everywhere is left out.
pub fn compact(record: &Record, scenario: &str) -> String {
    compact_of(record, scenario, Memory::UserSpace, measure(scenario))
}

/// The compact table of a memory scenario with the kernel's share.
pub fn compact_with_kernel(record: &Record, scenario: &str) -> String {
    compact_of(record, scenario, Memory::WithKernel, measure(scenario))
}

/// The compact table of an io scenario's p99 request latency.
pub fn compact_p99(record: &Record, scenario: &str) -> String {
    compact_of(record, scenario, Memory::UserSpace, Measure::Latency)
}

fn compact_of(record: &Record, scenario: &str, kind: Memory, measure: Measure) -> String {
    let memory = measure == Measure::MemoryPerUnit;
    let points: Vec<Option<u64>> = record
        .points(scenario)
        .into_iter()
        .filter(|x| !(memory && *x == Some(0)))
        .collect();
    let unit = scenarios::named(scenario)
        .and_then(|s| s.axis)
        .map_or("", |a| a.unit);
    let mut md = String::from("| paradigm |");
    for x in &points {
        md += &match x {
            None => " median | vs sequential | peak memory |".to_string(),
            Some(x) => format!(" {x} {unit} |"),
        };
    }
    md += "\n|---|";
    md += &"---:|".repeat(if points == [None] { 3 } else { points.len() });
    md += "\n";
    let value = |c: &Cell| figure(record, c, measure, kind);
    // A ring's or spawn's sequential program hands nothing off and starts
    // nothing: a baseline, never the fastest (as `leaders_concurrent` says).
    let workload = scenarios::named(scenario).map(|s| s.workload);
    let baseline = matches!(workload, Some(Workload::Ring | Workload::Spawn));
    let contender = |q: &Paradigm| !(baseline && q.name == q.language.baseline());
    for p in &paradigms::ROWS {
        let cells: Vec<&Cell> = points
            .iter()
            .filter_map(|&x| record.cell(scenario, x, p.name))
            .collect();
        if cells.is_empty()
            || cells
                .iter()
                .all(|c| matches!(c.outcome, crate::results::Outcome::Skipped(_)))
        {
            continue;
        }
        let mut row = format!("| {} |", p.name);
        for &x in &points {
            let Some(cell) = record.cell(scenario, x, p.name) else {
                row += " |";
                continue;
            };
            let best = paradigms::ALL
                .iter()
                .filter(|q| q.language == p.language && contender(q))
                .filter_map(|q| value(record.cell(scenario, x, q.name)?))
                .min_by(f64::total_cmp)
                .filter(|_| contender(p));
            // A time that ties with its language's fastest is as bold as it.
            let tied = matches!(measure, Measure::Time | Measure::TimePerWork)
                && leaders_concurrent(record, scenario, x, p.language)
                    .iter()
                    .any(|c| c.paradigm == p.name);
            let noise = memory
                .then(|| memory_per_unit(record, cell, kind))
                .flatten();
            let text = match (value(cell), noise) {
                (Some(v), _) if memory => bytes(v),
                (Some(v), _) => secs(v),
                (None, Some(noise)) => noise.to_string(),
                (None, None) if cell.failed() => "FAILED".into(),
                (None, None) => "–".into(),
            };
            let noisy = match cell.noisy() {
                Some(_) if value(cell).is_some() && !memory => " (noisy: rerun)",
                _ => "",
            };
            row += &if value(cell).is_some() && (value(cell) == best || tied) {
                format!(" **{text}**{noisy} |")
            } else {
                format!(" {text}{noisy} |")
            };
            if x.is_none() {
                // A serve cell's memory is its server's, not the client's.
                let peak = match cell.server.is_empty() {
                    true => cell.field("peak_rss_kib"),
                    false => server_peak_kib(cell),
                };
                let peak = peak.map_or("–".into(), kib);
                row += &format!(" {} | {peak} |", vs_sequential(record, cell, p));
            }
        }
        md += &row;
        md += "\n";
    }
    md
}
