//! `bench report`: what a reader gets from a results folder: `report.md` (the
//! primer's table, the thread-per-core comparison, then per scenario its
//! lesson, the flags it really ran with, a chart and a table per point; the
//! open-loop scenarios, which hyperfine does not time, their own sections from
//! [`load`]), `machine.md`, `charts/*.svg`, `report.html` (all of it in one
//! page, [`html`]), and the generated blocks of the README and
//! docs/FINDINGS.md ([`readme`], [`front`]). Nothing
//! here measures: every number comes from the folder.

mod charts;
pub mod compare;
mod figures;
mod front;
mod html;
mod leaders;
mod load;
mod offload;
mod per_core;
mod primer;
mod readme;
mod servers;
mod sweep;
mod tables;
mod why;

use std::{fmt::Write as _, fs, path::Path};

use crate::{
    results::Record,
    scenarios::{self, Measure, Workload},
};
pub use html::PAGE;
pub use readme::fill;

/// Writes report.md, machine.md and the charts into the run's folder.
pub fn write(record: &Record) -> Result<(), String> {
    let charts_dir = record.dir.join("charts");
    fs::create_dir_all(&charts_dir).map_err(|e| format!("{}: {e}", charts_dir.display()))?;
    // The load scenarios have no timings to draw: their charts are their own.
    let timed = scenarios::ALL.iter().filter(|s| s.load.is_none());
    for scenario in timed.filter(|s| record.has(s.name)) {
        let path = |suffix| charts_dir.join(format!("{}{suffix}.svg", scenario.name));
        charts::draw(record, scenario, &path(""))?;
        if scenario.latency {
            charts::draw(
                record,
                &scenario.with_measure(Measure::Latency),
                &path("-p99"),
            )?;
        }
        if server_memory_chart(scenario) {
            let memory = scenario.with_measure(Measure::ServerMemory);
            charts::draw(record, &memory, &path("-memory"))?;
        }
        if scenario.sweeps_cores() {
            charts::scaling::draw(record, scenario, &path("-scaling"))?;
        }
    }
    load::charts(record, &charts_dir)?;
    let (report, machine) = (report(record), machine(record));
    save(&record.dir.join("report.md"), &report)?;
    save(&record.dir.join("machine.md"), &machine)?;
    html::write(record, &report, &machine).map(|_| ())
}

/// A serve scan that measures memory gets a second chart: the server's memory
/// per connection.
pub(super) fn server_memory_chart(scenario: &scenarios::Scenario) -> bool {
    scenario.workload == Workload::Serve && scenario.kernel_memory && scenario.axis.is_some()
}

fn save(path: &Path, text: &str) -> Result<(), String> {
    fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The flags a scenario's programs really ran with at `x`, from a cell's command
/// (the api-server's address, different per point, is left out).
fn flags(record: &Record, scenario: &str, x: Option<u64>) -> String {
    let Some(cell) = record
        .cells
        .iter()
        .find(|c| c.scenario == scenario && c.x == x)
    else {
        return String::new();
    };
    let start = cell
        .command
        .iter()
        .position(|a| a.starts_with("--"))
        .unwrap_or(cell.command.len());
    let mut shown = Vec::new();
    let mut args = cell.command[start..].iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--server" => {
                args.next();
            }
            _ => shown.push(arg.as_str()),
        }
    }
    if !cell.server.is_empty() {
        // serve: the client's flags, and the server's (its program left out).
        let server = cell.server.iter().skip_while(|a| !a.starts_with("--"));
        let server: Vec<&str> = server.map(String::as_str).collect();
        return format!(
            "{} {}` against each server with `{}",
            crate::scenarios::CLIENT,
            shown.join(" "),
            server.join(" ")
        );
    }
    shown.join(" ")
}

/// What a scenario shows and the sizes it ran at, from the scenario table and
/// the run's own commands: a quick run states its quick sizes.
pub(super) fn describe(record: &Record, scenario: &scenarios::Scenario) -> String {
    let points = record.points(scenario.name);
    let mut text = format!("{}\n\n", scenario.shows);
    match (scenario.axis, points.first()) {
        (Some(axis), Some(&first)) => {
            let xs: Vec<String> = points.iter().flatten().map(|x| x.to_string()).collect();
            let _ = write!(
                text,
                "x = `{}` ({}): {}. At the first point every program ran with `{}`.",
                axis.flag,
                axis.unit,
                xs.join(", "),
                flags(record, scenario.name, first)
            );
        }
        _ => {
            let _ = write!(
                text,
                "Every program ran with `{}`.",
                flags(record, scenario.name, None)
            );
        }
    }
    text
}

pub fn report(record: &Record) -> String {
    let mut md = format!(
        "# Benchmark run: {}, {} mode\n\n",
        record.meta("date"),
        record.meta("mode")
    );
    md += "Machine, versions and the exact command: [machine.md](machine.md). Raw data: `cells.jsonl` (each program's check and result lines) and `raw/` (hyperfine's JSON).\n\n";
    if !record.complete {
        md += "**This run is incomplete**: it was stopped or failed before its last point.\n\n";
    }
    if record.meta("mode") == "quick" {
        md += "Quick mode: tiny sizes and one run each, to check that everything works; its numbers say little.\n\n";
    }
    md += "Each program was run and its checksum verified before it was timed; a program that failed shows FAILED and its error, never a time. Times are hyperfine's medians with min–max; CPU is (user + sys) / median; `vs sequential` is the mean time of the language's sequential program over this one's, ± hyperfine's uncertainty; peak memory is the verified run's `peak_rss_kib`.\n\n";
    md += &primer::table(record, "##");
    md += &per_core::section(record, "##");
    for scenario in scenarios::ALL.iter().filter(|s| record.has(s.name)) {
        if scenario.load.is_some() {
            md += &load::section(record, scenario, "##", "charts", load::Depth::Full);
            continue;
        }
        let _ = writeln!(
            md,
            "## {}\n\n{}\n\n![{}](charts/{}.svg)\n",
            scenario.title,
            describe(record, scenario),
            scenario.title,
            scenario.name
        );
        if scenario.latency {
            let _ = writeln!(
                md,
                "![{} (p99 latency)](charts/{}-p99.svg)\n",
                scenario.title, scenario.name
            );
        }
        if server_memory_chart(scenario) {
            let _ = writeln!(
                md,
                "![{} (server memory per connection)](charts/{}-memory.svg)\n",
                scenario.title, scenario.name
            );
        }
        if scenario.wrk.is_some() {
            md += &servers::reference_line(record, scenario.name);
        }
        if scenario.sweeps_cores() {
            md += &sweep::section(record, scenario, "charts");
        }
        for x in record.points(scenario.name) {
            if let Some(x) = x {
                let unit = scenario.axis.map_or("", |a| a.unit);
                let _ = writeln!(md, "### {x} {unit}\n");
            }
            md += &match scenario.workload {
                Workload::Serve => servers::full(record, scenario.name, x),
                _ => tables::full(record, scenario.name, x),
            };
            md += &why::table(record, scenario, x);
        }
        let offloading = scenario.offload.then(|| offload::table(record));
        if let Some(table) = offloading.filter(|t| !t.is_empty()) {
            md += &format!("### What offloading buys\n{table}\n");
        }
    }
    md
}

pub fn machine(record: &Record) -> String {
    let mut md = String::from("# The machine and the run\n\n| | |\n|---|---|\n");
    for (key, value) in &record.meta {
        let _ = writeln!(md, "| {key} | {} |", value.replace('|', "/"));
    }
    let _ = writeln!(
        md,
        "| complete | {} |",
        if record.complete { "yes" } else { "no" }
    );
    md
}
