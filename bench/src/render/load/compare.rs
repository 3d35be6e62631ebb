//! The load scenarios in `bench compare`: serve-load's capacity per server,
//! run by run; serve-overload and serve-mixed offer each server rates from its
//! own capacity in that run, so side by side they would compare different loads.

use std::fmt::Write as _;

use super::capacity::capacity;
use crate::{
    results::Record,
    scenarios::{Scenario, load::LoadKind, load::TARGET_P99_US, paradigms},
};

/// A scenario's part of `bench compare`.
pub fn compare(records: &[Record], scenario: &Scenario) -> String {
    if scenario.load.is_none_or(|l| l.kind != LoadKind::Climb) {
        return "Its rates follow each server's capacity in the same run: each run's report has it.\n\n"
            .into();
    }
    let mut md = format!(
        "Each cell: the server's capacity, the highest rate it held with p99 within {} ms.\n\n| server |",
        TARGET_P99_US / 1_000
    );
    for i in 1..=records.len() {
        let _ = write!(md, " run {i} |");
    }
    let _ = writeln!(md, "\n|---|{}", "---:|".repeat(records.len()));
    for p in &paradigms::ROWS {
        let texts: Vec<Option<String>> = records
            .iter()
            .map(|r| capacity(r, p).map(|c| c.text().replace('|', "/")))
            .collect();
        if texts.iter().all(Option::is_none) {
            continue;
        }
        let _ = write!(md, "| {} |", p.name);
        for text in texts {
            let _ = write!(
                md,
                " {} |",
                text.unwrap_or_else(|| "not in this run".into())
            );
        }
        md += "\n";
    }
    md + "\n"
}
