//! The load scenarios' columns in the heatmap, each the figure the report
//! judges its servers by: serve-load's capacity (higher is better; within one
//! narrowed step of the climb, a tie), serve-overload's p99 at 1.5x the
//! capacity, serve-mixed's cheap p99 inline and offloaded (within 2x, a tie).

use super::columns::{Column, Entry, rank, short_why};
use crate::{
    render::load::{self, CLAIMED, capacity, pair, rate, tie_ratio},
    results::stats::secs,
    results::{Cell, Outcome, Record},
    scenarios::{Scenario, paradigms},
};

/// serve-load: one column, each server's capacity at the latency target; its
/// runs, every rate it was offered, beside it. Capacities less than one
/// narrowed step of the climb apart tie.
pub fn climb<'a>(record: &'a Record, scenario: &'static Scenario) -> Column<'a> {
    let mut entries = Vec::new();
    for p in &paradigms::ROWS {
        let (Some(c), mut runs) = (
            capacity(record, p),
            load::runs(record, scenario.name, p.name),
        ) else {
            continue;
        };
        runs.sort_by_key(|c| c.x);
        let Some(&first) = runs.first() else {
            continue;
        };
        let cell = c.at.unwrap_or(first);
        let text = match (c.rate(), &cell.outcome) {
            (Some(r), _) => format!("{}{}", if c.at_least() { ">= " } else { "" }, rate(r)),
            (None, Outcome::Failed(_)) => "FAILED".into(),
            (None, Outcome::Skipped(_)) => "skipped".into(),
            (None, _) => "none".into(),
        };
        let mut entry = Entry::new(p, cell, c.rate().map(|r| r as f64), text);
        if let Some(why) = &c.none {
            entry.marks.push(format!("no capacity: {why}"));
        }
        if c.at_least() {
            entry.marks.push(c.text());
        }
        entry.more = runs
            .into_iter()
            .filter(|r| !std::ptr::eq(*r, cell))
            .collect();
        entries.push(entry);
    }
    let tie = tie_ratio(record);
    rank(&mut entries, true, |best, other| {
        best.value
            .zip(other.value)
            .is_some_and(|(b, o)| b / o < tie)
    });
    Column {
        scenario,
        label: "capacity".into(),
        figure: "capacity: the highest rate held with p99 <= 10 ms (requests/s)".into(),
        higher: true,
        tie_within: Some(tie),
        entries,
    }
}

/// serve-overload: each server's p99 over its run at 1.5x its capacity; one
/// run each and no rule of ties in the report, so none is said; a server
/// that failed requests (which have no latency) is marked and not ranked.
pub fn overload<'a>(record: &'a Record, scenario: &'static Scenario) -> Column<'a> {
    let mut entries = Vec::new();
    for p in &paradigms::ROWS {
        let runs = load::runs(record, scenario.name, p.name);
        let Some((&cell, more)) = runs.split_first() else {
            continue;
        };
        let value = match (&cell.outcome, &cell.load) {
            (Outcome::Ok { .. }, Some(_)) => cell.field("p99_us").map(|us| us as f64 / 1e6),
            _ => None,
        };
        let text = value.map_or_else(|| short_why(cell), secs);
        let mut entry = Entry::new(p, cell, value, text);
        if let Some(errors) = cell.field("errors").filter(|&e| e > 0) {
            entry.marks.push(format!(
                "{errors} requests failed: the p99 is the answered ones': not ranked"
            ));
            entry.failed_requests = true;
            // A p99 of the answered requests alone is not comparable: not ranked.
            entry.ranked = false;
        }
        entry.more = more.to_vec();
        entries.push(entry);
    }
    rank(&mut entries, false, |best, other| other.value == best.value);
    Column {
        scenario,
        label: "p99".into(),
        figure: "p99 over the run at 1.5x its capacity, then half of it".into(),
        higher: false,
        tie_within: None,
        entries,
    }
}

/// serve-mixed: the cheap requests' p99, inline and offloaded, from runs that
/// held; only runs at the scenario's own rate are ranked (a server run at half
/// its capacity had an easier load), and p99s within 2x tie (one run each).
pub fn mixed<'a>(record: &'a Record, scenario: &'static Scenario) -> Vec<Column<'a>> {
    let quick = record.meta("mode") == "quick";
    let offered = scenario
        .load
        .and_then(|l| l.sizes(quick).rates.first().copied());
    let mut inline = Vec::new();
    let mut offloaded = Vec::new();
    for p in &paradigms::ROWS {
        let runs = load::runs(record, scenario.name, p.name);
        let (a, b) = pair(&runs);
        let rest = runs.iter().copied().filter(|r| {
            ![a, b]
                .iter()
                .any(|c| c.is_some_and(|c| std::ptr::eq(c, *r)))
        });
        let rest: Vec<&Cell> = rest.collect();
        for (cell, into) in [(a, &mut inline), (b, &mut offloaded)] {
            let Some(cell) = cell else { continue };
            let value = load::held(cell)
                .and(cell.field("cheap_p99_us"))
                .map(|us| us as f64 / 1e6);
            let text = match (value, &cell.outcome) {
                (Some(v), _) => secs(v),
                (None, Outcome::Ok { .. }) => "not held".into(),
                _ => short_why(cell),
            };
            let mut entry = Entry::new(p, cell, value, text);
            if cell.x.is_some() && cell.x < offered {
                entry.ranked = false;
                entry
                    .marks
                    .push("run at half its capacity: not ranked".into());
            }
            if value.is_none() && cell.load.is_some() {
                entry.marks.push(load::why(cell));
            }
            into.push(entry);
        }
        // A third run of a server (none so far) stays beside its first.
        let mine = |e: &&mut Entry<'a>| e.paradigm.name == p.name;
        if let Some(first) = inline.last_mut().filter(mine) {
            first.more.extend(rest);
        } else if let Some(first) = offloaded.last_mut().filter(mine) {
            first.more.extend(rest);
        }
    }
    let within = |best: &Entry<'_>, other: &Entry<'_>| {
        best.value
            .zip(other.value)
            .is_some_and(|(b, o)| o / b < CLAIMED)
    };
    rank(&mut inline, false, within);
    rank(&mut offloaded, false, within);
    let figure = "p99 of the cheap requests beside a heavy one in a hundred";
    [("inline", inline), ("offloaded", offloaded)]
        .into_iter()
        .map(|(label, entries)| Column {
            scenario,
            label: label.into(),
            figure: format!("{figure}, the heavy work {label}"),
            higher: false,
            tie_within: Some(CLAIMED),
            entries,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::{
        render::load::fixtures,
        results::{Outcome, testing},
        scenarios::{self, Scenario},
    };

    /// Every cell of a run is in the heatmap once, as an entry or one of its
    /// runs; serve-load's best is the most capacity, with its tie; a FAILED
    /// cell says so; a timed point's figures are over its fastest.
    #[test]
    fn every_cell_is_in_one_column_once() {
        let mut record = fixtures::loaded();
        record.cells.extend([
            testing::ok("io-work", "tokio", 0.5, 900),
            testing::ok("io-work", "threads", 0.6, 900),
            testing::cell("io-work", "smol", Outcome::Failed("exit 1".into())),
        ]);
        let ran: Vec<&'static Scenario> = scenarios::ALL
            .iter()
            .filter(|s| record.has(s.name))
            .collect();
        let columns = super::super::columns(&record, &ran);
        let mut seen = vec![0; record.cells.len()];
        for entry in columns.iter().flat_map(|c| &c.entries) {
            for cell in std::iter::once(entry.cell).chain(entry.more.iter().copied()) {
                let i = record.cells.iter().position(|c| std::ptr::eq(c, cell));
                seen[i.unwrap()] += 1;
            }
        }
        assert!(seen.iter().all(|&n| n == 1), "{seen:?}");
        let entry = |scenario: &str, label: &str, paradigm: &str| {
            let column = columns
                .iter()
                .find(|c| c.scenario.name == scenario && c.label == label)
                .unwrap();
            column
                .entries
                .iter()
                .find(|e| e.paradigm.name == paradigm)
                .unwrap()
        };
        let tokio = entry("serve-load", "capacity", "tokio");
        assert!(tokio.best && tokio.ratio == Some(1.0), "{}", tokio.text);
        // As every table has it, and its runs' titles too.
        assert!(tokio.text.contains(",000/s"), "{}", tokio.text);
        assert!(entry("serve-load", "capacity", "smol").tied);
        assert_eq!(entry("serve-load", "capacity", "async-std").text, "FAILED");
        assert!(entry("io-work", "1000", "tokio").best);
        let threads = entry("io-work", "1000", "threads");
        assert!(!threads.tied && (threads.ratio.unwrap() - 1.2).abs() < 1e-9);
        assert_eq!(entry("io-work", "1000", "smol").text, "FAILED");
    }
}
