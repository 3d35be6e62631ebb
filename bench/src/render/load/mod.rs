//! The open-loop scenarios' sections (`scenarios::load`): serve-load's
//! capacities and the rate every Rust server held ([`ladder`], from
//! [`capacity`]), oha beside `loadgen` and `loadgen`'s own ceiling ([`oha`]);
//! serve-overload's servers past their capacity ([`overload`]); serve-mixed's
//! heavy request beside cheap ones ([`mixed`]); their charts ([`chart`]) and
//! their rows of the primer's table ([`primer`]) and of `bench compare` ([`compare`]). Every figure is `loadgen`'s
//! result line or what was read of the server from outside, never a hyperfine
//! time: the generic tables and charts, which read timings, leave them out.

pub mod answers;
mod capacity;
mod chart;
mod compare;
mod ladder;
mod mixed;
mod oha;
mod overload;
pub mod primer;

use std::{fmt::Write as _, path::Path};

use crate::{
    results::stats::secs,
    results::{Cell, LoadRun, Outcome, Record, Verdict},
    scenarios::{
        Scenario,
        load::{LOAD, LoadKind, LoadSizes, MIXED},
        paradigms::{self, Paradigm},
    },
};
pub use capacity::{capacity, tie_ratio};
pub use compare::compare;
pub use ladder::brief as capacities;
pub use mixed::{CLAIMED, pair};

/// How much of a section: the report's, or the README's compact one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    Full,
    Compact,
}

/// A load scenario's section: its heading, its lesson, the sizes it really ran
/// with, its charts (linked under `charts`) and its tables.
pub fn section(
    record: &Record,
    scenario: &Scenario,
    heading: &str,
    charts: &str,
    depth: Depth,
) -> String {
    let mut md = format!(
        "{heading} {}\n\n{}\n\n{}\n\n",
        scenario.title,
        scenario.shows,
        sizes(record, scenario)
    );
    let sub = format!("{heading}#");
    md += &match scenario.load.map(|l| l.kind) {
        Some(LoadKind::Climb) => {
            answers::list(record) + &ladder::section(record, charts, &sub, depth)
        }
        Some(LoadKind::Overload) => overload::section(record, scenario, charts),
        Some(LoadKind::Mixed) => mixed::section(record, scenario),
        None => String::new(),
    };
    md
}

/// A server's cheap requests' p99 in serve-mixed, inline and offloaded (µs),
/// where both runs held.
pub fn cheap_p99s(record: &Record, paradigm: &str) -> Option<(u64, u64)> {
    let (inline, offloaded) = mixed::pair(&runs(record, MIXED.name, paradigm));
    mixed::cheap_p99s(inline, offloaded)
}

/// The load scenarios' charts, into `dir`: `serve-load.svg` (p99 against the
/// offered rate), `serve-load-p50.svg`, `serve-overload.svg` (p99 window by window).
pub fn charts(record: &Record, dir: &Path) -> Result<(), String> {
    chart::draw_all(record, dir)
}

/// The sizes a scenario really ran with, from its cells' commands: `loadgen`'s
/// flags without those that differ run by run (its rates, the server's
/// address), the servers' flags, and the rates offered.
fn sizes(record: &Record, scenario: &Scenario) -> String {
    let cells: Vec<&Cell> = record
        .cells
        .iter()
        .filter(|c| c.scenario == scenario.name && c.load.is_some())
        .collect();
    let Some(first) = cells.first() else {
        return "No server ran.".into();
    };
    let mut shown = Vec::new();
    let mut args = first.command.iter().skip_while(|a| !a.starts_with("--"));
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--server" | "--rate" | "--then-rate" => {
                args.next();
            }
            _ => shown.push(arg.as_str()),
        }
    }
    // The servers' flags, grouped: most servers share them, a few (the sized pools) differ.
    let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
    for cell in &cells {
        let flags = cell.server.iter().skip_while(|a| !a.starts_with("--"));
        let flags: Vec<&str> = flags
            .map(String::as_str)
            .filter(|a| *a != "--offload")
            .collect();
        let flags = flags.join(" ");
        match groups.iter_mut().find(|(f, _)| *f == flags) {
            Some((_, names)) if names.contains(&cell.paradigm.as_str()) => {}
            Some((_, names)) => names.push(&cell.paradigm),
            None => groups.push((flags, vec![&cell.paradigm])),
        }
    }
    groups.sort_by_key(|(_, names)| std::cmp::Reverse(names.len()));
    let mut text = format!(
        "Each run: `loadgen {}` against a fresh server started with `{}`",
        shown.join(" "),
        groups[0].0
    );
    for (flags, names) in &groups[1..] {
        let _ = write!(text, " ({}: `{flags}`)", names.join(", "));
    }
    text += ".";
    if scenario.load.is_some_and(|l| l.kind == LoadKind::Climb) {
        let mut rates: Vec<u64> = cells.iter().filter_map(|c| c.x).collect();
        rates.sort_unstable();
        rates.dedup();
        let ladder = ladder_of(record);
        let (on, between): (Vec<u64>, Vec<u64>) =
            rates.iter().partition(|r| ladder.rates.contains(r));
        let list = |rs: &[u64]| rs.iter().map(|&r| thousands(r)).collect::<Vec<_>>();
        let _ = write!(
            text,
            " Rates offered, requests/s: the ladder's {}",
            list(&on).join(", ")
        );
        if !between.is_empty() {
            let _ = write!(
                text,
                "; narrowed between them: {}",
                list(&between).join(", ")
            );
        }
        text += ".";
    }
    text
}

/// serve-load's sizes in the record's mode.
fn ladder_of(record: &Record) -> &'static LoadSizes {
    let load = LOAD.load.as_ref().expect("serve-load is a load scenario");
    load.sizes(record.meta("mode") == "quick")
}

/// The servers with cells in a scenario, in the order of every table.
fn servers(record: &Record, scenario: &str) -> Vec<&'static Paradigm> {
    paradigms::ROWS
        .iter()
        .filter(|p| !runs(record, scenario, p.name).is_empty())
        .collect()
}

/// One server's cells in a scenario, in the order they ran.
pub(super) fn runs<'a>(record: &'a Record, scenario: &str, paradigm: &str) -> Vec<&'a Cell> {
    record
        .cells
        .iter()
        .filter(|c| c.scenario == scenario && c.paradigm == paradigm)
        .collect()
}

/// The run of a cell whose server held its rate (only then are its latencies
/// latencies: a run not held may have failed requests).
pub(super) fn held(cell: &Cell) -> Option<&LoadRun> {
    cell.load
        .as_ref()
        .filter(|_| cell.load_verdict().is_some_and(|v| v.held()))
}

/// `loadgen` could not keep its own schedule: its limit, not the server's.
fn generator(cell: &Cell) -> bool {
    matches!(cell.load_verdict(), Some(Verdict::Generator(_)))
}

/// Why a cell's run gives no latency: not held and why, FAILED, skipped.
pub(super) fn why(cell: &Cell) -> String {
    let text = match (&cell.outcome, cell.load_verdict()) {
        (_, Some(Verdict::NotHeld(why))) => format!("not held: {why}"),
        (_, Some(Verdict::Generator(why))) => format!("loadgen's limit: {why}"),
        (Outcome::Failed(why), _) => format!("FAILED: {why}"),
        (Outcome::Skipped(why), _) => format!("skipped: {why}"),
        _ => "held".into(),
    };
    text.replace('|', "/")
}

/// A number of µs from a cell's result line, as a time.
fn us(cell: &Cell, key: &str) -> String {
    cell.field(key)
        .map_or("–".into(), |us| secs(us as f64 / 1e6))
}

/// `per` µs of CPU spread over `n` requests, as a time; `–` for none.
fn per_request(cpu_us: u64, n: Option<u64>) -> String {
    match n {
        Some(n) if n > 0 => secs(cpu_us as f64 / n as f64 / 1e6),
        _ => "–".into(),
    }
}

/// The server's CPU time per request answered in a run.
fn server_cpu(cell: &Cell) -> String {
    let Some(run) = &cell.load else {
        return "–".into();
    };
    per_request(run.server_cpu_us, cell.field("answered"))
}

/// `14000` as `14,000`.
pub(super) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A rate: `14,000/s`.
pub(super) fn rate(r: u64) -> String {
    format!("{}/s", thousands(r))
}

#[cfg(test)]
pub mod fixtures;
#[cfg(test)]
mod tests;
