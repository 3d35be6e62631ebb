//! The heatmap's columns: what one is (a point of a timed scenario, or the
//! figure a load scenario is judged by, in [`super::open_loop`]), each
//! paradigm's figure in it, normalised to the best of the column, and who ties
//! with the best, by the rules the report's tables use (here, a timed point's:
//! [`crate::results::noise::tie`]). Every cell of the run is in exactly one
//! column, as its entry or as one of its entry's other runs.

use crate::{
    render::figures::{figure, memory_per_unit},
    results::noise::tie,
    results::stats::{Memory, PerUnit, bytes, secs},
    results::{Cell, Outcome, Record},
    scenarios::paradigms::{self, Paradigm},
    scenarios::{Measure, Scenario},
};

/// One column of the heatmap.
pub struct Column<'a> {
    pub scenario: &'static Scenario,
    /// The point (`100`), or the figure's name in a load scenario; empty for
    /// a scenario's one point.
    pub label: String,
    /// What the figure is, for the column's title.
    pub figure: String,
    /// Higher is better (a capacity); lower is better otherwise.
    pub higher: bool,
    /// How two of its figures tie: their timed runs' ranges overlap, or they
    /// are less than this factor apart, or (`None` of both) never.
    pub tie_within: Option<f64>,
    /// A paradigm's entry, in the order of the tables' rows.
    pub entries: Vec<Entry<'a>>,
}

/// One paradigm in one column.
pub struct Entry<'a> {
    pub paradigm: &'static Paradigm,
    /// The cell its figure comes from (serve-load: the run at its capacity).
    pub cell: &'a Cell,
    /// serve-load: its other runs, by rate; empty otherwise.
    pub more: Vec<&'a Cell>,
    pub value: Option<f64>,
    /// The figure as the tables print it, or why there is none.
    pub text: String,
    /// How many times worse than the best of the column (1.0 is the best).
    pub ratio: Option<f64>,
    /// It may be the column's best: a paradigm (not the reference, nor a
    /// sized pool, nor the sequential baseline of ring and spawn), run at the
    /// scenario's own rate. The page shows an unranked entry's figure, grey.
    pub ranked: bool,
    pub best: bool,
    pub tied: bool,
    /// What else to say of it: noisy, failed requests, a lower rate.
    pub marks: Vec<String>,
    /// Some of its requests failed (serve-overload): its p99 is of the rest.
    pub failed_requests: bool,
}

impl<'a> Entry<'a> {
    pub fn new(
        paradigm: &'static Paradigm,
        cell: &'a Cell,
        value: Option<f64>,
        text: String,
    ) -> Self {
        let ranked = paradigms::ALL.iter().any(|p| p.name == paradigm.name);
        let marks = match (paradigm.is_reference(), paradigm.sized) {
            (true, _) => vec!["the reference server: not ranked".into()],
            (_, true) => vec!["a pool sized to the connections: not ranked".into()],
            _ => Vec::new(),
        };
        Entry {
            paradigm,
            cell,
            more: Vec::new(),
            value,
            text,
            ratio: None,
            ranked,
            best: false,
            tied: false,
            marks,
            failed_requests: false,
        }
    }
}

/// A timed scenario: a column per point, its figure as the compact tables
/// read it; a time that ties with the best's (their runs' ranges overlap) is
/// tied. In ring and spawn the sequential program is not ranked.
pub fn timed<'a>(record: &'a Record, scenario: &'static Scenario) -> Vec<Column<'a>> {
    let memory = scenario.measure == Measure::MemoryPerUnit;
    let base = record.points(scenario.name).first().copied().flatten();
    let mut columns = Vec::new();
    for x in record.points(scenario.name) {
        let mut entries = Vec::new();
        for p in &paradigms::ROWS {
            let Some(cell) = record.cell(scenario.name, x, p.name) else {
                continue;
            };
            let value = figure(record, cell, scenario.measure, Memory::UserSpace);
            let text = match (value, &cell.outcome) {
                (Some(v), _) if memory => bytes(v),
                (Some(v), _) => secs(v),
                (None, Outcome::Ok { .. }) if memory && x == base => "base".into(),
                // Its size (`< noise (±120 B)`) is in the cell's title and details.
                (None, Outcome::Ok { .. }) if memory => {
                    match memory_per_unit(record, cell, Memory::UserSpace) {
                        Some(PerUnit::Noise(_)) => "< noise".into(),
                        _ => "–".into(),
                    }
                }
                _ => short_why(cell),
            };
            let mut entry = Entry::new(p, cell, value, text);
            // As `leaders_concurrent` has it: a baseline, not a contender.
            if scenario.workload.sequential_is_baseline() && p.name == p.language.baseline() {
                entry.ranked = false;
                entry
                    .marks
                    .push("the sequential baseline: not ranked".into());
            }
            entry.marks.extend(cell.noisy());
            if memory && value.is_none() {
                let noise = memory_per_unit(record, cell, Memory::UserSpace);
                entry.marks.extend(noise.map(|n| format!("per unit: {n}")));
            }
            entries.push(entry);
        }
        let ties = |best: &Entry<'_>, other: &Entry<'_>| match (best.cell.timing(), memory) {
            (Some(b), false) => other.cell.timing().is_some_and(|t| tie(t, b)),
            _ => other.value == best.value,
        };
        rank(&mut entries, false, ties);
        let label = match (scenario.axis, x) {
            (Some(_), Some(x)) => x.to_string(),
            _ => String::new(),
        };
        let figure = match scenario.measure {
            Measure::MemoryPerUnit => "memory per live unit (user space)",
            Measure::TimePerWork => "median wall time per unit of work",
            _ => "median wall time",
        };
        columns.push(Column {
            scenario,
            label,
            figure: format!("{figure}{}", scenario.at(x)),
            higher: false,
            tie_within: None,
            entries,
        });
    }
    columns
}

/// Finds the best of the ranked entries, each entry's ratio to it, and who ties.
pub fn rank(
    entries: &mut [Entry<'_>],
    higher: bool,
    ties: impl Fn(&Entry<'_>, &Entry<'_>) -> bool,
) {
    let better = |a: f64, b: f64| if higher { a > b } else { a < b };
    let mut best: Option<usize> = None;
    for (i, e) in entries.iter().enumerate() {
        let (Some(v), true) = (e.value, e.ranked) else {
            continue;
        };
        if best.is_none_or(|b| entries[b].value.is_some_and(|bv| better(v, bv))) {
            best = Some(i);
        }
    }
    let Some(b) = best else {
        return;
    };
    let top = entries[b].value.unwrap_or(1.0).max(f64::MIN_POSITIVE);
    let tied: Vec<bool> = entries.iter().map(|e| ties(&entries[b], e)).collect();
    for (i, e) in entries.iter_mut().enumerate() {
        e.ratio = e.value.map(|v| match higher {
            true => top / v.max(f64::MIN_POSITIVE),
            false => v / top,
        });
        e.best = i == b;
        e.tied = i != b && e.ranked && tied[i];
    }
}

/// Why a cell has no figure, in the word a heatmap cell has room for.
pub fn short_why(cell: &Cell) -> String {
    match &cell.outcome {
        Outcome::Failed(_) => "FAILED".into(),
        Outcome::Skipped(_) => "skipped".into(),
        Outcome::Ok { timing: None, .. } if cell.load.is_none() => "not timed".into(),
        Outcome::Ok { .. } => "–".into(),
    }
}

#[cfg(test)]
mod tests {
    use crate::{results::testing, scenarios};

    /// In spawn and ring the sequential program is a baseline: it has a
    /// ratio (for its title) but is neither the best nor a tie, and the
    /// fastest of the rest is the best.
    #[test]
    fn the_sequential_baseline_of_spawn_is_not_ranked() {
        let record = testing::record(vec![
            testing::ok("spawn-cost", "sequential", 0.1, 0),
            testing::ok("spawn-cost", "threads", 0.4, 0),
            testing::ok("spawn-cost", "tokio", 0.2, 0),
        ]);
        let columns = super::timed(&record, scenarios::named("spawn-cost").unwrap());
        let entry = |name: &str| {
            let entries = &columns[0].entries;
            entries.iter().find(|e| e.paradigm.name == name).unwrap()
        };
        let sequential = entry("sequential");
        assert!(!sequential.ranked && !sequential.best && !sequential.tied);
        assert_eq!(sequential.ratio, Some(0.5));
        assert!(entry("tokio").best && entry("threads").ratio == Some(2.0));
    }
}
