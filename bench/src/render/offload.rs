//! What CPU work inside I/O costs each client and what offloading buys: io-work
//! beside io-work-offload, client by client, at the most work each language did.

use std::fmt::Write as _;

use crate::{
    render::figures::p99,
    results::stats::{ratio, secs},
    results::{Cell, Outcome, Record},
    scenarios::{
        paradigms::{self, Language},
        primer,
    },
};

const INLINE: &str = primer::OFFLOADING[0].name;
const OFFLOADED: &str = primer::OFFLOADING[1].name;

/// The comparison, one table per amount of work: the most Python offloaded, and
/// the most of all; empty when the run lacks either scenario.
pub fn table(record: &Record) -> String {
    if !(record.has(INLINE) && record.has(OFFLOADED)) {
        return String::new();
    }
    let offloaded_at = |language: Language| {
        record.points(OFFLOADED).into_iter().rev().find(|&x| {
            paradigms::ALL
                .iter()
                .filter(|p| p.language == language)
                .any(|p| timed(record.cell(OFFLOADED, x, p.name)).is_some())
        })
    };
    let mut at: Vec<Option<u64>> = [offloaded_at(Language::Python), offloaded_at(Language::Rust)]
        .into_iter()
        .flatten()
        .collect();
    at.sort();
    at.dedup();
    let mut md = String::new();
    for x in at {
        let _ = writeln!(
            md,
            "\nAt `--work {}`: each client's median time and p99 latency, computing where its \
             idiom says (io-work) and, for the async ones, on the runtime's blocking pool \
             (`--offload`).\n",
            x.unwrap_or(0)
        );
        md += "| client | time | p99 latency | time, --offload | p99, --offload | offloading: time | offloading: p99 |\n";
        md += "|---|---:|---:|---:|---:|---:|---:|\n";
        for p in &paradigms::ALL {
            let Some(inline) = timed(record.cell(INLINE, x, p.name)) else {
                continue;
            };
            let time = |c: &Cell| c.median().map_or("–".into(), secs);
            let latency = |c: &Cell| p99(c).map_or("–".into(), secs);
            let offloaded = record.cell(OFFLOADED, x, p.name);
            let [t, l, faster, lower] = match offloaded.map(|c| (c, &c.outcome)) {
                Some((
                    o,
                    Outcome::Ok {
                        timing: Some(t), ..
                    },
                )) => [
                    time(o),
                    latency(o),
                    ratio(inline.timing().expect("timed"), t).to_string(),
                    match (p99(inline), p99(o)) {
                        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
                        _ => "–".into(),
                    },
                ],
                Some((_, Outcome::Failed(_))) => {
                    ["FAILED".into(), "–".into(), "–".into(), "–".into()]
                }
                Some((_, Outcome::Skipped(_))) => {
                    ["–".into(), "–".into(), "n/a".into(), "n/a".into()]
                }
                _ => ["–".into(), "–".into(), "–".into(), "–".into()],
            };
            let _ = writeln!(
                md,
                "| {} | {} | {} | {t} | {l} | {faster} | {lower} |",
                p.name,
                time(inline),
                latency(inline)
            );
        }
    }
    if !md.is_empty() {
        md += "\n`offloading: time` is io-work's mean time over io-work-offload's, ± hyperfine's \
               uncertainty (above 1×: offloading is faster); `offloading: p99` is io-work's p99 \
               over io-work-offload's (above 1×: offloading lowers the tail). `n/a`: a blocking \
               client, which computes on the thread or process that read the answer either \
               way (each scenario's own table says why a cell was skipped or failed).\n";
    }
    md
}

/// The cell, if it was verified and timed.
fn timed(cell: Option<&Cell>) -> Option<&Cell> {
    cell.filter(|c| c.median().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::testing::{cell, ok, record};

    #[test]
    fn offloading_is_compared_client_by_client() {
        let record = record(vec![
            ok(INLINE, "threads", 0.8, 110_000),
            ok(INLINE, "tokio", 0.8, 140_000),
            ok(INLINE, "smol", 0.8, 140_000),
            cell(OFFLOADED, "threads", Outcome::Skipped("blocking".into())),
            ok(OFFLOADED, "tokio", 0.4, 35_000),
            cell(
                OFFLOADED,
                "smol",
                Outcome::Failed("request 3: refused".into()),
            ),
        ]);
        let md = table(&record);
        assert!(md.contains("At `--work 1000`"), "{md}");
        assert!(
            md.contains("| threads | 800.0 ms | 110.0 ms | – | – | n/a | n/a |"),
            "{md}"
        );
        assert!(
            md.contains("| tokio | 800.0 ms | 140.0 ms | 400.0 ms | 35.0 ms | 2.00× | 4.00× |"),
            "{md}"
        );
        assert!(
            md.contains("| smol | 800.0 ms | 140.0 ms | FAILED | – | – | – |"),
            "{md}"
        );
    }

    #[test]
    fn no_table_without_both_scenarios() {
        assert_eq!(table(&record(vec![ok(INLINE, "tokio", 0.8, 1)])), "");
        assert_eq!(table(&record(vec![ok(OFFLOADED, "tokio", 0.8, 1)])), "");
    }
}
