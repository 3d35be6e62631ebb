//! The README's front door, made from the newest complete full run: the
//! answers ("your kind of work -> use this -> why, in one line -> the
//! numbers"), then one compact table and one chart per workload. Every table
//! and its explanation is docs/FINDINGS.md's ([`super::readme::summary`]).

mod because;

use std::fmt::Write as _;

use because::{alike, contrast};

use crate::{
    render::figures::figure,
    render::leaders::leaders_concurrent,
    render::load::{self, answers},
    render::primer::{memory_claim, short, start_claim},
    render::tables,
    results::stats::{Memory, ratio, secs},
    results::{Cell, Record},
    scenarios::{
        self,
        paradigms::Language,
        primer::{self, IN_PYTHON, IN_RUST, Row},
    },
};

/// The answers: a row per kind of work of the primer's table, and its claims
/// about starting units and their memory.
pub fn answers(record: &Record, link: &str) -> String {
    let kind = match record.is_full() {
        true => "the newest complete full run",
        false => "a run that is not a complete full one",
    };
    let mut md = format!(
        "From {kind}, `{link}` ({}, {}, {} cores, commit {}); a tie (timed runs that overlap the fastest's) is said as one, fastest first, and none of it is picked out. Python's best is the reference point. Every cell of the run, and any two paradigms' sources side by side: `{link}/report.html`, a page to open in a browser from a clone (`cargo run --release -p bench -- report {link} --open`).\n\n",
        record.meta("date"),
        record.meta("cpu"),
        record.meta("cores"),
        record.meta("commit"),
    );
    md += "| your kind of work | use this in Rust | why, in one line | the numbers |\n|---|---|---|---|\n";
    for row in primer::ROWS.iter().filter(|r| record.has(r.scenario.name)) {
        md += &match row.scenario.load {
            Some(_) => load_row(record, row),
            None => timed_row(record, row),
        };
    }
    if record.has(primer::STARTING.name) {
        md += &starting_row(record);
    }
    if record.has(primer::LIVING.name) {
        let _ = writeln!(
            md,
            "| many units alive at once ({}) | a task | a task is only its future's state; a thread adds a stack and the kernel's task, a process its own address space (memory per live unit with the kernel's share) | Rust: {}; Python: {} |",
            primer::LIVING.name,
            memory_claim(record, &IN_RUST, Memory::WithKernel),
            memory_claim(record, &IN_PYTHON, Memory::WithKernel),
        );
    }
    md
}

/// `**a**`, or for a tie `tie: a, b, c and 2 more` with none picked out.
fn named(names: &[&str]) -> String {
    match names {
        [] => "–".into(),
        [one] => format!("**{one}**"),
        _ => {
            let shown: Vec<&str> = names.iter().take(4).copied().collect();
            let more = names.len().saturating_sub(4);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            format!("tie: {}{more}", shown.join(", "))
        }
    }
}

/// The largest point where a language has a fastest paradigm.
fn largest(record: &Record, scenario: &str, language: Language) -> Option<Option<u64>> {
    let points = record.points(scenario);
    points
        .into_iter()
        .rev()
        .find(|x| !leaders_concurrent(record, scenario, *x, language).is_empty())
}

/// A timed row: Rust's fastest (and its tie) at the largest point, why from
/// the counters, and the numbers beside the primer's twin and Python's best,
/// at the largest point where Python ran too.
fn timed_row(record: &Record, row: &Row) -> String {
    let (name, measure) = (row.scenario.name, row.scenario.measure);
    let Some(x) = largest(record, name, Language::Rust) else {
        return String::new();
    };
    let rust = leaders_concurrent(record, name, x, Language::Rust);
    let best = rust[0];
    let twin = record
        .cell(name, x, row.twin)
        .filter(|c| c.timing().is_some());
    let tied = |p: &str| rust.iter().any(|c| c.paradigm == p);
    let why = match twin {
        Some(t) if !tied(row.twin) => contrast(best, t),
        _ => alike(&rust),
    };
    // Per unit of work where the tables give it so (a hop), else wall time.
    let shown = |c: &Cell| {
        let value = figure(record, c, measure, Memory::UserSpace);
        format!("{} {}", short(&c.paradigm), value.map_or("–".into(), secs))
    };
    let mut numbers = format!(
        "{}: {}",
        row.scenario.at(x).trim_start(),
        tie_list(&rust, &shown)
    );
    if let Some(t) = twin.filter(|_| !tied(row.twin)) {
        let _ = write!(
            numbers,
            "; {} ({} as long)",
            shown(t),
            ratio(t.timing().unwrap(), best.timing().unwrap())
        );
    }
    if let Some(px) = largest(record, name, Language::Python) {
        let py = leaders_concurrent(record, name, px, Language::Python);
        if px != x {
            // Rust's best where Python's ran, for a like-for-like comparison.
            let at_px = leaders_concurrent(record, name, px, Language::Rust);
            let _ = write!(
                numbers,
                ";{}: Rust {}",
                row.scenario.at(px),
                tie_list(&at_px, &shown)
            );
        }
        let and = if px != x { ", against" } else { ";" };
        let _ = write!(numbers, "{and} Python {}", tie_list(&py, &shown));
    }
    let names: Vec<&str> = rust.iter().map(|c| c.paradigm.as_str()).collect();
    format!(
        "| {} ({name}{}) | {} | {why} | {} |\n",
        row.kind,
        row.scenario.at(x),
        named(&names),
        numbers.trim_start_matches(": ")
    )
}

/// The fastest and its tie, each with its figure: `tokio 236 ns`, or
/// `tie: threads 72.7 ms … processes 76.1 ms (9)`.
fn tie_list(cells: &[&Cell], shown: &dyn Fn(&Cell) -> String) -> String {
    match cells {
        [] => "–".into(),
        [one] => shown(one),
        [first, .., last] => format!("tie: {} … {} ({})", shown(first), shown(last), cells.len()),
    }
}

/// A load row: Rust's best at holding load (or cheap p99 beside a heavy
/// request), and what sets them apart.
fn load_row(record: &Record, row: &Row) -> String {
    let name = row.scenario.name;
    let rust = load::primer::best(record, name, Language::Rust);
    let py = load::primer::best(record, name, Language::Python);
    let names: Vec<&str> = rust.iter().map(|(n, _)| *n).collect();
    let figures = |all: &[(&str, String)]| match all.is_empty() {
        true => "none held".to_string(),
        false => {
            let shown: Vec<String> = all
                .iter()
                .map(|(n, t)| format!("{} {t}", short(n)))
                .collect();
            shown.join(", ")
        }
    };
    let why = if row
        .scenario
        .load
        .is_some_and(|l| l.kind == scenarios::load::LoadKind::Climb)
    {
        match answers::costs(record) {
            Some((at, costs)) if costs.len() > 1 => format!(
                "where \">=\", the climb stopped before the server did (loadgen's limit, or the highest rate offered); at {} a request costs the server {:.1} µs of CPU ({}) to {:.1} µs ({})",
                load::rate(at),
                costs[0].1,
                costs[0].0,
                costs[costs.len() - 1].1,
                costs[costs.len() - 1].0
            ),
            _ => "the servers' CPU per request was not measured apart".into(),
        }
    } else {
        match load::cheap_p99s(record, row.twin) {
            Some((inline, offloaded)) => format!(
                "a heavy request on the event loop delays the cheap ones behind it: {}'s cheap p99 {:.1} ms inline, {:.1} ms with the heavy work offloaded",
                row.twin,
                inline as f64 / 1e3,
                offloaded as f64 / 1e3
            ),
            None => format!("{} held no inline and offloaded pair", row.twin),
        }
    };
    format!(
        "| {} ({name}) | {} | {why} | Rust: {}; Python's best: {} |\n",
        row.kind,
        named(&names),
        figures(&rust),
        figures(&py)
    )
}

/// Starting many short units: Rust's fastest at the largest K, against a
/// process and a thread.
fn starting_row(record: &Record) -> String {
    let scenario = primer::STARTING;
    let Some(x) = largest(record, scenario.name, Language::Rust) else {
        return String::new();
    };
    let rust = leaders_concurrent(record, scenario.name, x, Language::Rust);
    let best = rust[0];
    // Against a process, or where processes stopped short of K, a thread.
    let other = [IN_RUST.process, IN_RUST.thread]
        .into_iter()
        .filter_map(|p| record.cell(scenario.name, x, p))
        .find(|c| c.timing().is_some() && c.paradigm != best.paradigm);
    let why = match other {
        Some(other) => contrast(best, other),
        None => alike(&rust),
    };
    let names: Vec<&str> = rust.iter().map(|c| c.paradigm.as_str()).collect();
    let k = x.unwrap_or(1).max(1) as f64;
    format!(
        "| many short units started and joined ({}{}) | {} | {why} | {} {} per unit; Rust: {}; Python: {} |\n",
        scenario.name,
        scenario.at(x),
        named(&names),
        best.paradigm,
        secs(best.median().unwrap_or(0.0) / k),
        start_claim(record, &IN_RUST),
        start_claim(record, &IN_PYTHON)
    )
}

/// A compact table and a chart per workload, from its telling scenario.
pub fn workloads(record: &Record, link: &str) -> String {
    let mut md = String::new();
    for scenario in ["cpu", "io-slow", "spawn-cost", "ring-hop", "serve-load"] {
        let Some(s) = scenarios::named(scenario).filter(|s| record.has(s.name)) else {
            continue;
        };
        let _ = writeln!(md, "### {} (`{scenario}`)\n\n{}\n", s.title, s.shows);
        md += &match s.load {
            Some(_) => {
                load::capacities(record)
                    + "\nThe four questions a server is chosen by, answered from the same run:\n\n"
                    + &load::answers::items(record)
            }
            None => tables::compact(record, s.name),
        };
        let _ = writeln!(md, "\n![{}]({link}/charts/{}.svg)\n", s.title, s.name);
    }
    md
}

#[cfg(test)]
mod tests;
