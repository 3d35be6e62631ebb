//! What CPU work inside I/O costs each client and what offloading buys: io-work
//! beside io-work-offload, client by client, at the most work each language did.

use std::fmt::Write as _;

use crate::{
    paradigms::{self, Language},
    results::{Cell, Run},
    stats::{ratio, secs},
    tables::p99,
};

const INLINE: &str = "io-work";
const OFFLOADED: &str = "io-work-offload";

/// The comparison, one table per amount of work: the most Python ran, and the
/// most of all; empty when the run has neither scenario's cells.
pub fn table(run: &Run) -> String {
    if !(run.has(INLINE) && run.has(OFFLOADED)) {
        return String::new();
    }
    let timed_at = |language: Language| {
        run.points(INLINE).into_iter().rev().find(|&x| {
            paradigms::ALL
                .iter()
                .filter(|p| p.language == language)
                .any(|p| {
                    run.cell(OFFLOADED, x, p.name)
                        .and_then(Cell::median)
                        .is_some()
                })
        })
    };
    let mut at: Vec<Option<u64>> = [timed_at(Language::Python), timed_at(Language::Rust)]
        .into_iter()
        .flatten()
        .collect();
    at.sort();
    at.dedup();
    let mut md = String::new();
    for x in at {
        let _ = writeln!(
            md,
            "\nAt `--work {}`: each client's time and p99 latency, computing where its idiom \
             says (io-work) and, for the async ones, on the runtime's blocking pool (`--offload`).\n",
            x.unwrap_or(0)
        );
        md += "| client | time | p99 latency | time, --offload | p99, --offload | offloading: time | offloading: p99 |\n";
        md += "|---|---:|---:|---:|---:|---:|---:|\n";
        for p in &paradigms::ALL {
            let Some(inline) = run.cell(INLINE, x, p.name).filter(|c| c.median().is_some()) else {
                continue;
            };
            let offloaded = run
                .cell(OFFLOADED, x, p.name)
                .filter(|c| c.median().is_some());
            let time = |c: &Cell| c.median().map_or("–".into(), secs);
            let latency = |c: &Cell| p99(c).map_or("–".into(), secs);
            let (t, l, speedup, better) = match offloaded {
                Some(o) => (
                    time(o),
                    latency(o),
                    ratio(inline.timing().expect("timed"), o.timing().expect("timed")).to_string(),
                    match (p99(inline), p99(o)) {
                        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
                        _ => "–".into(),
                    },
                ),
                None => ("–".into(), "–".into(), "own thread".into(), "–".into()),
            };
            let _ = writeln!(
                md,
                "| {} | {} | {} | {t} | {l} | {speedup} | {better} |",
                p.name,
                time(inline),
                latency(inline)
            );
        }
    }
    if !md.is_empty() {
        md += "\n`offloading`: io-work's figure over io-work-offload's (above 1×: offloading is faster); \
               a blocking client computes on its connection's own thread either way.\n";
    }
    md
}
