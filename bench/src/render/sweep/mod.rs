//! The sweeps across cores, read from a run: per paradigm and point, the time
//! and the speed-up against the paradigm's own first point (cpu-cores), or the
//! requests per second, in all and per core (serve-cores); where each point's
//! programs ran; how far the machine's cores let one say anything. And the same
//! for several runs side by side, for `bench compare` ([`compare`]).

use std::fmt::Write as _;

use crate::{
    render::servers::{per_second, rate},
    results::noise::tie,
    results::stats::{ratio, secs},
    results::{Cell, Record},
    scenarios::paradigms::{self, Paradigm},
    scenarios::{Scenario, Workload, read_cpu_list},
};

/// What a serve point that may measure its client more than its server says.
const CLIENT_BOUND: &str = "client-bound possible";

/// A scenario's points in this run, in order: the worker counts.
fn points(record: &Record, scenario: &Scenario) -> Vec<u64> {
    record.points(scenario.name).into_iter().flatten().collect()
}

/// The cell at the sweep's first point (one core) that `cell` is read against.
fn base<'a>(record: &'a Record, cell: &Cell) -> Option<&'a Cell> {
    let first = *record.points(&cell.scenario).first()?;
    record.cell(&cell.scenario, first, &cell.paradigm)
}

/// What a sweep's cell puts on its chart, as (low, value, high), in the
/// statistic its table gives, as the report's other tables do: cpu: the
/// speed-up against the paradigm's first point, the ratio of their mean times,
/// ± hyperfine's uncertainty; serve: requests per second per core from the
/// median time (whiskers: the slowest and the fastest run).
pub fn scaling(record: &Record, cell: &Cell) -> Option<(f64, f64, f64)> {
    let t = cell.timing()?;
    let x = cell.x? as f64;
    if !cell.server.is_empty() {
        let requests = cell.field("requests")? as f64 / x;
        return Some((requests / t.max, requests / t.median, requests / t.min));
    }
    let speed_up = ratio(base(record, cell)?.timing()?, t);
    let err = speed_up.err.unwrap_or(0.0);
    // The axis is log2, with no zero: a whisker reaching past an eighth of the
    // value (an uncertainty of 88%) stops there.
    let low = (speed_up.value - err).max(speed_up.value / 8.0);
    Some((low, speed_up.value, speed_up.value + err))
}

/// One cell of a sweep's table: cpu: its time, and past the first point the
/// speed-up, ± hyperfine's uncertainty; serve: requests/s, in all and per core.
/// Past the first point, timed runs whose ranges overlap the first point's are
/// a tie, and said as one; a noisy time says so.
fn text(record: &Record, cell: &Cell, serving: bool) -> String {
    let Some(t) = cell.timing() else {
        return short_why(cell);
    };
    let x = cell.x.unwrap_or(1);
    let first = base(record, cell).filter(|b| b.x != cell.x);
    let mut text = match (serving, rate(cell)) {
        (true, Some(r)) => format!("{} ({} per core)", per_second(r), per_second(r / x as f64)),
        _ => secs(t.median),
    };
    if let Some(one) = first.and_then(Cell::timing) {
        if !serving {
            let _ = write!(text, ", {}", ratio(one, t));
        }
        if tie(one, t) {
            text += match serving {
                true => " (per core as on 1: tie)",
                false => " (ties 1 core)",
            };
        }
    }
    if cell.noisy().is_some() {
        text += " (noisy: rerun)";
    }
    text
}

/// A table cell: blank where there is no point.
fn cell_text(text: &str) -> String {
    match text.is_empty() {
        true => " |".into(),
        false => format!(" {text} |"),
    }
}

/// A point's name: `1 core`, `4 cores`.
fn cores(x: u64) -> String {
    format!("{x} {}", if x == 1 { "core" } else { "cores" })
}

/// `FAILED` or `skipped`, without the reason (the point's table has it).
fn short_why(cell: &Cell) -> String {
    cell.why_not()
        .and_then(|w| w.split(':').next().map(str::to_string))
        .unwrap_or_else(|| "–".into())
}

/// The rows: every paradigm with a cell in the sweep that was not skipped.
fn swept(record: &Record, scenario: &Scenario) -> Vec<&'static Paradigm> {
    let ran = |p: &&Paradigm| {
        let cells = record.cells.iter().filter(|c| c.scenario == scenario.name);
        cells
            .filter(|c| c.paradigm == p.name)
            .any(|c| !c.why_not().is_some_and(|w| w.starts_with("skipped")))
    };
    paradigms::ROWS.iter().filter(ran).collect()
}

/// The sweep's section of a report: what the machine allows one to say, where
/// each point ran, the table, who sat out and why, and the scaling chart
/// (under `charts`, the charts' folder as the document links it).
pub fn section(record: &Record, scenario: &Scenario, charts: &str) -> String {
    let xs = points(record, scenario);
    let serving = scenario.workload == Workload::Serve;
    let last = xs.last().map_or("?".into(), u64::to_string);
    let mut md = format!(
        "This machine has {}, so the sweep stops at {last}: nothing here says how these programs do on more. On a larger machine, run `scripts/bench.sh --only cpu-cores,serve-cores`, and `bench compare DIR DIR` puts its sweep beside this one.\n\n",
        machine(record)
    );
    md += &placements(record, scenario, &xs);
    md += "| paradigm |";
    for &x in &xs {
        let bound = serving && client_bound_at(record, scenario, x);
        let _ = match bound {
            true => write!(md, " {} ({CLIENT_BOUND}) |", cores(x)),
            false => write!(md, " {} |", cores(x)),
        };
    }
    let _ = writeln!(md, "\n|---|{}", "---:|".repeat(xs.len()));
    for p in swept(record, scenario) {
        let _ = write!(md, "| {} |", p.name);
        for &x in &xs {
            let cell = record.cell(scenario.name, Some(x), p.name);
            md += &cell_text(&cell.map_or(String::new(), |c| text(record, c, serving)));
        }
        md += "\n";
    }
    md += match serving {
        true => {
            "\nRequests per second are the client's (tokio-io, verified), from its median time, as the chart below draws them (whiskers: the slowest and the fastest run); per core, divided by the server's cores. Every core of the server had the same load at every point, so equal rates per core are perfect scaling as far as the client kept up: it had CPUs of its own, at least as many as the server's, except at a point marked \"client-bound possible\" (it shared the server's CPUs, or had fewer of its own), where a lower rate per core may be the client's, not the server's. \"tie\": the timed runs' ranges overlap the first point's.\n"
        }
        false => {
            "\nEach cell: the median time, and past the first point the speed-up: the paradigm's mean time on one core over its mean time here, ± hyperfine's uncertainty, as the report's other ratios and the chart below; the ideal is the core count. \"ties 1 core\": the timed runs' ranges overlap the first point's, so more cores bought nothing measurable.\n"
        }
    };
    md += &sat_out(record, scenario, xs.first().copied());
    let _ = writeln!(
        md,
        "\n![{} (scaling)]({charts}/{}-scaling.svg)\n",
        scenario.title, scenario.name
    );
    md
}

/// Whether a serve cell's client may have set its rate: it shared the
/// server's CPUs (unpinned) or had fewer of its own than the server, as the
/// cell's `taskset` lists say. Never for a cell without a server.
pub fn client_bound(cell: &Cell) -> bool {
    let cpus = |command: &[String]| match command {
        [taskset, _, list, ..] if taskset == "taskset" => read_cpu_list(list).map(|c| c.len()),
        _ => None,
    };
    let server = cpus(&cell.server).or(cell.x.map(|x| x as usize));
    match (cell.server.is_empty(), cpus(&cell.command)) {
        (true, _) => false,
        (false, None) => true,
        (false, Some(client)) => server.is_some_and(|server| client < server),
    }
}

/// Whether a serve sweep's point `x` may be its client's (its cells share
/// one placement).
pub fn client_bound_at(record: &Record, scenario: &Scenario, x: u64) -> bool {
    let at = |c: &&Cell| c.scenario == scenario.name && c.x == Some(x);
    record.cells.iter().filter(at).any(client_bound)
}

/// The machine's logical CPUs, with their physical cores and packages where
/// the run recorded them (runs before that took the first x CPUs).
fn machine(record: &Record) -> String {
    let cores = record.meta("cores");
    let logical = format!("{cores} logical CPU{}", if cores == "1" { "" } else { "s" });
    match record.meta("cpu_topology") {
        "?" => logical,
        t if t
            .strip_prefix(&logical)
            .is_some_and(|r| r.starts_with([',', ' '])) =>
        {
            t.into()
        }
        // Fewer for the benchmark (a CPU quota) than it may run on.
        t => format!("{logical} (of the CPUs it may run on: {t})"),
    }
}

/// Where each point's programs ran, from the cells' own commands: the
/// `taskset` before the program, and for serve before the server, and the
/// client's `--workers`.
fn placements(record: &Record, scenario: &Scenario, xs: &[u64]) -> String {
    let pin = |command: &[String]| match command {
        [taskset, _, cpus, ..] if taskset == "taskset" => Some(format!("`{cpus}`")),
        _ => None,
    };
    let mut said = Vec::new();
    for &x in xs {
        let Some(cell) = record
            .cells
            .iter()
            .find(|c| c.scenario == scenario.name && c.x == Some(x))
        else {
            continue;
        };
        let at = cores(x);
        let program = pin(&cell.command).unwrap_or_else(|| "no CPUs in particular".into());
        if cell.server.is_empty() {
            said.push(format!("{at}: on CPUs {program}"));
            continue;
        }
        let server = pin(&cell.server).unwrap_or_else(|| "no CPUs in particular".into());
        let workers = cell.command.iter().skip_while(|a| *a != "--workers").nth(1);
        let workers = workers.map_or(String::new(), |w| format!(" (`--workers {w}`)"));
        let client = match pin(&cell.command) {
            Some(cpus) => format!("on CPUs {cpus}"),
            None => "unpinned, sharing the server's CPUs".into(),
        };
        let bound = match client_bound(cell) {
            true => format!(" ({CLIENT_BOUND})"),
            false => String::new(),
        };
        said.push(format!(
            "{at}: the server on CPUs {server}, the client{workers} {client}{bound}"
        ));
    }
    match said.is_empty() {
        true => String::new(),
        false => format!(
            "Where each point ran (`taskset -c`): {}.\n\n",
            said.join("; ")
        ),
    }
}

/// Who sat the sweep out, with the reason given at its first point; those
/// with the same reason (Python's four, the fixed pools) named together.
fn sat_out(record: &Record, scenario: &Scenario, first: Option<u64>) -> String {
    let mut reasons: Vec<(String, Vec<&str>)> = Vec::new();
    for p in &paradigms::ROWS {
        let Some(cell) = record.cell(scenario.name, first, p.name) else {
            continue;
        };
        let Some(why) = cell
            .why_not()
            .and_then(|w| Some(w.strip_prefix("skipped: ")?.to_string()))
        else {
            continue;
        };
        match reasons.iter_mut().find(|(w, _)| *w == why) {
            Some((_, names)) => names.push(p.name),
            None => reasons.push((why, vec![p.name])),
        }
    }
    let mut md = String::new();
    for (why, names) in &reasons {
        let _ = writeln!(md, "- **{}**: {why}.", names.join("**, **"));
    }
    match md.is_empty() {
        true => md,
        false => format!("\nNot swept:\n\n{md}"),
    }
}

mod compare;

pub use compare::compare;

#[cfg(test)]
pub mod fixtures;
#[cfg(test)]
mod tests;
