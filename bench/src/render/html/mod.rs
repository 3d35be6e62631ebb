//! `report.html`: the run as one page that opens from disk, offline, years
//! later: its stylesheet, script, data and charts inside it. A header (the
//! folder, date, mode, note, commit), the heatmap of every cell
//! ([`heatmap`], its figures from [`columns`]), report.md's summary and its
//! sections per scenario with their charts inline ([`sections`]), a panel with
//! what stands behind a clicked cell ([`details`]), the machine card, and two
//! paradigms' programs side by side with their differences ([`sources`]).
//! Made from the same record as report.md: the same input makes the same bytes.

mod columns;
mod counted;
mod details;
mod git;
mod heatmap;
mod open_loop;
mod sections;
mod sources;

use std::{collections::HashMap, fs, path::PathBuf};

use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde_json::{Value, json};

use crate::{
    results::{Cell, NOTE, Record},
    scenarios::{self, Measure, Scenario, load::LoadKind},
};

/// The page's file name in a run's folder.
pub const PAGE: &str = "report.html";
const CSS: &str = include_str!("page.css");
const JS: &str = include_str!("page.js");
/// What the heatmap's figures are, and when two tie, as the report's tables say.
const FIGURES: &str = "Figures: a timed scenario's median wall time (per hop in the rings), or memory per live unit (spawn-memory, ring-size: user space, against the first point); serve-load's capacity, the highest rate held with p99 within 10 ms (higher is better; its runs as squares beside it: held within the target, over it, not held, loadgen's limit); serve-overload's p99 at 1.5x the capacity; serve-mixed's cheap requests' p99, inline and offloaded. Ties: timed runs' ranges overlap (leaving out each one's fastest and slowest of four or more); capacities within one narrowed step of the climb; serve-mixed's p99s within 2x (one run each). Not ranked, grey and with their figure (their ratio in their title): the reference server; the sized pools; the sequential program in ring and spawn, a baseline (a loop with no hand-off; units called one after another); serve-overload's servers that failed requests (their p99 is the answered ones'); serve-mixed's runs at half the capacity.";
/// The machine card's rows: meta.env's keys, in the order a reader asks.
const MACHINE: [(&str, &str); 17] = [
    ("cpu", "CPU"),
    ("cores", "cores"),
    ("cpu_topology", "topology"),
    ("memory", "memory"),
    ("kernel", "kernel"),
    ("os", "OS"),
    ("rustc", "rustc"),
    ("hyperfine", "hyperfine"),
    ("wrk", "wrk"),
    ("oha", "oha"),
    ("python", "Python"),
    ("crates", "crates"),
    ("counters", "counters"),
    ("kernel_memory", "kernel's memory"),
    ("io_uring", "io_uring"),
    ("raised_limits", "raised limits"),
    ("command", "command"),
];

/// The run's cells, each known by its place in `cells.jsonl` (the page's
/// data is indexed by it) and by its `data-cell` name. A cell is found by its
/// address: the columns hold references into the record.
pub struct Cells {
    index: HashMap<*const Cell, usize>,
}

impl Cells {
    fn new(record: &Record) -> Self {
        let index = record
            .cells
            .iter()
            .enumerate()
            .map(|(i, c)| (c as *const Cell, i))
            .collect();
        Cells { index }
    }

    /// Its place among the run's cells.
    pub fn index(&self, cell: &Cell) -> usize {
        self.index[&(cell as *const Cell)]
    }

    /// `SCENARIO|X|PARADIGM`, X empty for a scenario's one point.
    pub fn key(&self, cell: &Cell) -> String {
        let x = cell.x.map_or(String::new(), |x| x.to_string());
        format!("{}|{x}|{}", cell.scenario, cell.paradigm)
    }
}

/// Writes `report.html` beside the report whose text is `report` and the
/// machine card `machine`, with the charts already in `charts/`.
pub fn write(record: &Record, report: &str, machine: &str) -> Result<PathBuf, String> {
    let path = record.dir.join(PAGE);
    let text = page(record, report, machine).into_string();
    fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

fn page(record: &Record, report: &str, machine: &str) -> Markup {
    let ran: Vec<&'static Scenario> = scenarios::ALL
        .iter()
        .filter(|s| record.has(s.name))
        .collect();
    let cells = Cells::new(record);
    let columns = columns(record, &ran);
    let parts = sections::split(report, &ran);
    let charts = record.dir.join("charts");
    let name = record.name();
    let mut labels = details::Labels::default();
    let details: Vec<Value> = record
        .cells
        .iter()
        .map(|c| details::cell(record, &cells, c, &mut labels))
        .collect();
    let data = json!({
        "cells": details,
        "labels": labels.0,
        "points": columns.iter().map(point).collect::<Vec<_>>(),
        "src": sources::data(record),
    });
    // Inside <script>, `</` would end it and `<!--` change how it is read:
    // JSON says the same with `<\/` and `<\u0021--`.
    let data = data
        .to_string()
        .replace("</", r"<\/")
        .replace("<!--", r"<\u0021--");
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Benchmark run " (name) }
                style { (PreEscaped(CSS)) }
            }
            body {
                (header(record, &name, &ran))
                main {
                    section #heatmap {
                        h2 { "Every cell" }
                        p { "A row per paradigm, a column per point of each scenario; each cell is its figure over the best of its column, coloured on a log scale; a grey cell is not ranked and shows its figure. Click one for what stands behind it (hover for its figure)." }
                        p.figures-said { (FIGURES) }
                        (heatmap::table(&cells, &ran, &columns))
                    }
                    @if !parts.summary.is_empty() {
                        section #summary { (PreEscaped(sections::markdown(&parts.summary, &charts))) }
                    }
                    @for (s, body) in &parts.scenarios {
                        section id={ "s-" (s.name) } .scenario {
                            h2 { (s.title) }
                            div.lesson { (PreEscaped(sections::markdown(s.shows, &charts))) }
                            (PreEscaped(sections::markdown(&without_lesson(body, s.shows), &charts)))
                        }
                    }
                    aside #details hidden tabindex="-1" aria-label="The cell's details" { button.close type="button" title="close (Esc)" aria-label="Close" { "×" } div.body {} }
                    (machine_card(record, &parts.intro, machine, &charts))
                    section #side {
                        h2 { "Side by side" }
                        p.said {}
                        div.pick {
                            label { "workload " select #side-w {} }
                            label { "A " select #side-a {} }
                            label { "B " select #side-b {} }
                        }
                        div #side-figures {}
                        div #side-notes {}
                        div #side-code .code {}
                    }
                }
                footer {
                    "Made by " code { "bench report" } " from this folder's cells.jsonl, meta.env and raw/; to make it again: "
                    code { "cargo run --release -p bench -- report " (regenerate(record)) }
                    ". Nothing on this page is fetched: it works offline."
                }
                script type="application/json" #data { (PreEscaped(data)) }
                script { (PreEscaped(JS)) }
            }
        }
    }
}

/// Every column of the run, scenario by scenario in the table's order.
fn columns<'a>(record: &'a Record, scenarios: &[&'static Scenario]) -> Vec<columns::Column<'a>> {
    let mut all = Vec::new();
    for &scenario in scenarios {
        match scenario.load.map(|l| l.kind) {
            None => all.extend(columns::timed(record, scenario)),
            Some(LoadKind::Climb) => all.push(open_loop::climb(record, scenario)),
            Some(LoadKind::Overload) => all.push(open_loop::overload(record, scenario)),
            Some(LoadKind::Mixed) => all.extend(open_loop::mixed(record, scenario)),
        }
    }
    all
}

/// The run's name, date, mode, commit and note, links to its Markdown, and
/// the page's contents.
fn header(record: &Record, name: &str, ran: &[&'static Scenario]) -> Markup {
    let note = fs::read_to_string(record.dir.join(NOTE)).ok().map(|text| {
        // The note's own heading is the folder's name, which the page's is too.
        let body: Vec<&str> = text
            .lines()
            .skip_while(|l| l.starts_with("# ") || l.is_empty())
            .collect();
        sections::markdown(&body.join("\n"), &record.dir.join("charts"))
    });
    html! {
        header #top {
            h1 { "Benchmark run " (name) }
            p.meta {
                span { "date " b { (record.meta("date")) } }
                span { "mode " b { (record.meta("mode")) } }
                span { "commit " code { (record.meta("commit")) } }
                @if !record.complete { span.incomplete { "incomplete: stopped before its last point" } }
                span { a href="report.md" { "report.md" } " · " a href="machine.md" { "machine.md" } }
            }
            @if let Some(note) = note { div.note { (PreEscaped(note)) } }
            nav {
                a href="#heatmap" { "every cell" }
                a href="#summary" { "summary" }
                @for s in ran { a href={ "#s-" (s.name) } { (s.name) } }
                a href="#machine" { "machine" }
                a href="#side" { "side by side" }
            }
        }
    }
}

/// The machine and how it was measured: meta.env's keys, report.md's opening
/// paragraphs, and machine.md whole.
fn machine_card(record: &Record, intro: &str, machine: &str, charts: &std::path::Path) -> Markup {
    // The intro's heading names the run, which the page's header does.
    let how: Vec<&str> = intro.lines().filter(|l| !l.starts_with("# ")).collect();
    html! {
        section #machine {
            h2 { "The machine" }
            table.card {
                @for (key, what) in MACHINE {
                    @let value = record.meta(key);
                    @if value != "?" && !value.is_empty() {
                        tr { th scope="row" { (what) } td { (value) } }
                    }
                }
            }
            h3 { "How it was measured" }
            (PreEscaped(sections::markdown(&how.join("\n"), charts)))
            details { summary { "machine.md" } (PreEscaped(sections::markdown(machine, charts))) }
        }
    }
}

/// A scenario's section without the lesson at its start, which the page shows apart.
fn without_lesson(body: &str, shows: &str) -> String {
    match body.trim_start().strip_prefix(shows) {
        Some(rest) => rest.to_string(),
        None => body.to_string(),
    }
}

/// A column as the side by side's table reads it: each paradigm's figure there.
fn point(c: &columns::Column<'_>) -> Value {
    let entries: serde_json::Map<String, Value> = c
        .entries
        .iter()
        .map(|e| {
            // A time's tie range (its timed runs' middle range), where ranges decide ties.
            let timed = c.tie_within.is_none() && c.scenario.measure != Measure::MemoryPerUnit;
            let range = e.cell.timing().filter(|_| timed).map(|t| t.middle_range());
            (e.paradigm.name.to_string(), json!([e.value, e.text, range]))
        })
        .collect();
    json!({
        "s": c.scenario.name,
        "w": c.scenario.workload.name(),
        "l": c.label,
        "fig": c.figure,
        "hi": c.higher,
        "tie": c.tie_within,
        "e": entries,
    })
}

/// The folder as `bench report` is given it: `results/NAME` for a run kept in
/// the repository's results/, else `DIR` (this page's folder).
fn regenerate(record: &Record) -> String {
    let parent = record.dir.parent().and_then(|p| p.file_name());
    match parent.is_some_and(|p| p == "results") {
        true => format!("results/{}", record.name()),
        false => "DIR".into(),
    }
}
