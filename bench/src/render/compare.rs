//! `bench compare DIR DIR..`: the same scenarios from several runs (several
//! machines, or before and after a change) side by side, each against the first.

use std::fmt::Write as _;

use crate::{
    render::{figures, load, sweep},
    results::Record,
    results::stats::{PerUnit, ratio, secs},
    scenarios::paradigms,
    scenarios::{self, Measure},
};

pub fn compare(records: &[Record]) -> String {
    let mut md = String::from(
        "# Runs compared\n\n| run | date | machine | mode | commit |\n|---|---|---|---|---|\n",
    );
    for (i, record) in records.iter().enumerate() {
        let _ = writeln!(
            md,
            "| {} `{}` | {} | {}: {}, {} cores, {} | {}{} | {} |",
            i + 1,
            record.name(),
            record.meta("date"),
            record.meta("host"),
            record.meta("cpu"),
            record.meta("cores"),
            record.meta("memory"),
            record.meta("mode"),
            if record.complete { "" } else { ", incomplete" },
            record.meta("commit")
        );
    }
    md += "\nEach cell: the run's median (or memory per live unit); after a `/`, that run's mean time over run 1's, ± hyperfine's uncertainty. Timings from different machines compare the machines, not only the programs.\n\n";
    for scenario in scenarios::ALL
        .iter()
        .filter(|s| records.iter().any(|r| r.has(s.name)))
    {
        let _ = writeln!(md, "## {}\n", scenario.title);
        if scenario.sweeps_cores() {
            md += &sweep::compare(records, scenario);
            continue;
        }
        if scenario.load.is_some() {
            md += &load::compare(records, scenario);
            continue;
        }
        let mut points: Vec<Option<u64>> = Vec::new();
        for record in records {
            for x in record.points(scenario.name) {
                let baseline = scenario.measure == Measure::MemoryPerUnit && x == Some(0);
                if !points.contains(&x) && !baseline {
                    points.push(x);
                }
            }
        }
        for x in points {
            if let (Some(x), Some(axis)) = (x, scenario.axis) {
                let _ = writeln!(md, "### {x} {}\n", axis.unit);
            }
            md += "| paradigm |";
            for i in 1..=records.len() {
                let _ = write!(md, " run {i} |");
            }
            md += "\n|---|";
            md += &"---:|".repeat(records.len());
            md += "\n";
            for p in &paradigms::ALL {
                let cells: Vec<_> = records
                    .iter()
                    .map(|r| (r, r.cell(scenario.name, x, p.name)))
                    .collect();
                if cells.iter().all(|(_, c)| c.is_none()) {
                    continue;
                }
                let first = cells[0].1.and_then(|c| c.timing());
                let mut row = format!("| {} |", p.name);
                for (i, (record, cell)) in cells.iter().enumerate() {
                    let text = match cell {
                        None => "not in this run".into(),
                        Some(c) if scenario.measure == Measure::MemoryPerUnit => {
                            figures::per_unit(record, c)
                                .map_or_else(|| short_why(c), |u: PerUnit| u.to_string())
                        }
                        Some(c) => match (c.timing(), first) {
                            (Some(t), Some(f)) if i > 0 => {
                                format!("{} / {}", secs(t.median), ratio(t, f))
                            }
                            (Some(t), _) => secs(t.median),
                            (None, _) => short_why(c),
                        },
                    };
                    let _ = write!(row, " {} |", text.replace('|', "/"));
                }
                md += &row;
                md += "\n";
            }
            md += "\n";
        }
    }
    md
}

/// `FAILED` or `skipped`, without the reason (each run's report has it).
fn short_why(cell: &crate::results::Cell) -> String {
    cell.why_not()
        .and_then(|w| w.split(':').next().map(str::to_string))
        .unwrap_or_else(|| "–".into())
}
