//! The thread-per-core question, answered from a run: tokio's work-stealing
//! pool, a tokio runtime per pinned core, and a compio runtime per core on
//! io_uring, side by side where the difference shows (serve-fast, io-fast,
//! ring-hop with ring-hop-1 beside it), each against the one before it; with
//! monoio's published figures as the anchor, marked as theirs.

use std::fmt::Write as _;

use crate::{
    render::figures::units_of_work,
    render::servers::{per_second, rate},
    render::why::per,
    results::noise::tie,
    results::stats::{ratio, secs},
    results::{Cell, Counters, Record},
    scenarios::primer::{self, PER_CORE},
    scenarios::{Scenario, Workload},
};

const INTRO: &str = "tokio's work-stealing pool beside tokio-per-core (a current-thread \
    tokio runtime per pinned worker thread, on epoll, otherwise the tokio program) and compio \
    (the same shape on io_uring, buffers passed by ownership): tokio-per-core against tokio \
    shows what the scheduling alone changes, compio against tokio-per-core what the I/O \
    interface changes. CPU per unit of work is from the timed runs: for serve-fast the \
    server's user + system time during each (read from /proc in 10 ms ticks; the mean of \
    the runs timed without warm-ups), elsewhere hyperfine's mean user + system; never the \
    counting run's, whose tracing of every syscall costs a program more the more syscalls \
    it makes. The counts are per unit of work, from each program's counting run (for \
    serve-fast, the server's; how it counted: machine.md); one io_uring_enter may submit and \
    reap many operations, so with io_uring a request can cost a fraction of a syscall. \
    Comparisons are of mean times of the same work (for serve-fast, the client's), ± \
    hyperfine's uncertainty; where the ranges of the timed runs overlap, a tie; where \
    either time is noisy (the machine's more than the program's), no verdict: rerun.";

/// monoio's own benchmark, in its maintainers' words and numbers: theirs, not
/// this run's (monoio's docs/en/benchmark.md and .github/resources/benchmark/raw_data.txt).
pub const MONOIO: &str = "**The anchor: monoio's published figures (theirs, not this run's).** \
    monoio, a thread-per-core io_uring runtime like compio, against tokio, in an echo server \
    with 100-byte messages at the best rate each reached: on one core 232.9k requests/s \
    against tokio's 205.7k (1.13×), on four cores 868.5k against 430.9k (2.02×); at a fixed \
    384k requests/s on four cores (1 KiB messages, 80 connections per core, the CPU held at \
    3.2 GHz), 198% CPU against tokio's 366%. Their machine: an Intel Xeon Gold 5118 @ 2.30 \
    GHz, Linux 5.15.4, Rust nightly-2021-11-26, the client on another machine over 10 GbE \
    (monoio's docs/en/benchmark.md and its raw data, 2021-12-01). Here client and server \
    share one machine's cores, the requests are HTTP/1.1 and the runtime is compio: compare \
    the direction, not the numbers.";

/// The section under `heading` (`##` in report.md, `###` in the README); empty
/// where the run has no thread-per-core cell in these scenarios.
pub fn section(record: &Record, heading: &str) -> String {
    let shown = |s: &&Scenario| {
        let per_core = |c: &Cell| PER_CORE[1..].contains(&c.paradigm.as_str());
        record
            .cells
            .iter()
            .any(|c| c.scenario == s.name && per_core(c))
    };
    let scenarios = [primer::SERVING, primer::FETCHING, primer::HANDING_OVER[0]];
    let scenarios: Vec<&Scenario> = scenarios.into_iter().filter(shown).collect();
    if scenarios.is_empty() {
        return String::new();
    }
    let mut md = format!("{heading} Thread-per-core\n\n{INTRO}\n\n");
    for scenario in scenarios {
        for x in record.points(scenario.name) {
            md += &table(record, scenario, x, heading);
        }
    }
    md + MONOIO + "\n\n"
}

/// What a column of figures shows of a cell.
#[derive(Clone, Copy)]
enum Figure {
    /// The client's requests per second: requests / its median wall time.
    Rate,
    Median,
    /// Median wall time per hop, in the scenario or, pinned, on one CPU.
    PerHop,
    PerHopOnOne,
}

impl Figure {
    fn of(workload: Workload) -> &'static [Figure] {
        match workload {
            Workload::Serve => &[Figure::Rate],
            Workload::Io => &[Figure::Median, Figure::Rate],
            Workload::Ring => &[Figure::PerHop, Figure::PerHopOnOne],
            Workload::Cpu | Workload::Spawn => &[Figure::Median],
        }
    }

    fn header(self) -> String {
        match self {
            Figure::Rate => "requests/s (the client's median)".into(),
            Figure::Median => "median".into(),
            Figure::PerHop => "per hop".into(),
            Figure::PerHopOnOne => format!("per hop on one CPU ({})", primer::HANDING_OVER[1].name),
        }
    }

    fn value(self, record: &Record, cell: &Cell) -> Option<String> {
        let per_hop = |c: &Cell| Some(secs(c.median()? / units_of_work(c)?.0));
        match self {
            Figure::Rate => rate(cell).map(per_second),
            Figure::Median => cell.median().map(secs),
            Figure::PerHop => per_hop(cell),
            Figure::PerHopOnOne => {
                per_hop(record.cell(primer::HANDING_OVER[1].name, cell.x, &cell.paradigm)?)
            }
        }
    }
}

/// The three at one point of `scenario`, then each against the one before it.
fn table(record: &Record, scenario: &Scenario, x: Option<u64>, heading: &str) -> String {
    let noun = scenario.workload.unit_of_work().1;
    let figures = Figure::of(scenario.workload);
    let cells: Vec<&Cell> = PER_CORE
        .iter()
        .filter_map(|p| record.cell(scenario.name, x, p))
        .collect();
    let counted =
        |f: fn(Counters) -> Option<u64>| cells.iter().any(|c| c.counters.and_then(f).is_some());
    let (uring, wakeups) = (counted(|c| c.uring_enters), counted(|c| c.cross_wakeups));
    let whose = match scenario.workload {
        Workload::Serve => "server CPU",
        _ => "CPU",
    };
    let mut md = format!(
        "{heading}# {}{}\n\n| paradigm |",
        scenario.name,
        scenario.at(x)
    );
    for figure in figures {
        let _ = write!(md, " {} |", figure.header());
    }
    let _ = write!(md, " {whose} per {noun} | syscalls per {noun} |");
    md += if uring {
        " of them io_uring_enter |"
    } else {
        ""
    };
    let _ = write!(md, " CPU migrations per {noun} |");
    if wakeups {
        let _ = write!(md, " cross-CPU wake-ups per {noun} |");
    }
    let columns = figures.len() + 3 + usize::from(uring) + usize::from(wakeups);
    let _ = writeln!(md, "\n|---|{}", "---:|".repeat(columns));
    for cell in &cells {
        // As the other tables mark it: the machine, not the program, set its time.
        let noisy = cell.noisy().map_or("", |_| " — noisy: rerun");
        let _ = write!(md, "| {}{noisy} |", cell.paradigm);
        if cell.timing().is_none() {
            let why = cell.why_not().unwrap_or_default().replace('|', "/");
            let _ = writeln!(md, " {why} |{}", " |".repeat(columns - 1));
            continue;
        }
        for figure in figures {
            let _ = write!(
                md,
                " {} |",
                figure.value(record, cell).unwrap_or("–".into())
            );
        }
        let n = units_of_work(cell).map_or(0.0, |u| u.0);
        let count = |v: Option<u64>| match v {
            Some(v) if n > 0.0 => per(v as f64 / n),
            _ => "not measured".into(),
        };
        let c = cell.counters.unwrap_or_default();
        let cpu = match timed_cpu(cell).filter(|_| n > 0.0) {
            // /proc counts a server's CPU in 10 ms ticks: none is less than one.
            Some(0.0) if !cell.server.is_empty() => format!("< {}", secs(0.01 / n)),
            Some(s) => secs(s / n),
            None => "–".into(),
        };
        let _ = write!(md, " {cpu} | {} |", count(c.syscalls));
        md += &if uring {
            format!(" {} |", count(c.uring_enters))
        } else {
            String::new()
        };
        let _ = write!(md, " {} |", count(c.migrations));
        md += &if wakeups {
            format!(" {} |", count(c.cross_wakeups))
        } else {
            String::new()
        };
        md += "\n";
    }
    md += "\n";
    let changes = ["the scheduling alone", "the I/O interface"];
    for (pair, change) in PER_CORE.windows(2).zip(changes) {
        let (a, b) = (pair[1], pair[0]);
        let _ = writeln!(
            md,
            "- {a} against {b} ({change}): {}.",
            against(record, scenario.name, x, a, b)
        );
    }
    if scenario.workload == Workload::Ring {
        md += &crossing(record, scenario, x);
    }
    md + "\n"
}

/// `a`'s time against `b`'s at a point: a tie where their timed runs' ranges
/// overlap, else the ratio of their means; or why one has no time, or no
/// verdict where either time is noisy.
fn against(record: &Record, scenario: &str, x: Option<u64>, a: &str, b: &str) -> String {
    let (Some(ca), Some(cb)) = (record.cell(scenario, x, a), record.cell(scenario, x, b)) else {
        return "– (not both run)".into();
    };
    let noisy = noisy(&[ca, cb]);
    match (ca.timing(), cb.timing()) {
        (Some(_), Some(_)) if noisy.is_some() => noisy.unwrap_or_default(),
        (Some(ta), Some(tb)) if tie(ta, tb) => {
            "a tie: the ranges of their timed runs overlap".into()
        }
        (Some(ta), Some(tb)) => format!("takes {} as long", ratio(ta, tb)),
        (None, _) => format!("– ({a}: {})", ca.why_not().unwrap_or_default()),
        (_, None) => format!("– ({b}: {})", cb.why_not().unwrap_or_default()),
    }
}

/// What crossing CPUs costs a hop: each one's time per hop in the ring against
/// the same ring pinned to one CPU.
fn crossing(record: &Record, scenario: &Scenario, x: Option<u64>) -> String {
    let one = primer::HANDING_OVER[1].name;
    let said: Vec<String> = PER_CORE
        .iter()
        .filter_map(|p| {
            let (many, single) = (record.cell(scenario.name, x, p)?, record.cell(one, x, p)?);
            let same_work = units_of_work(many)?.0 == units_of_work(single)?.0;
            let (tm, ts) = (many.timing()?, single.timing()?);
            let noisy = many.noisy().or(single.noisy()).is_some();
            same_work.then(|| match (noisy, tie(tm, ts)) {
                (true, _) => format!("{p} (noisy: rerun)"),
                (_, true) => format!("{p} a tie"),
                (_, false) => format!("{p} {}", ratio(tm, ts)),
            })
        })
        .collect();
    match said.is_empty() {
        true => String::new(),
        false => format!(
            "- a hop across CPUs against one on one CPU ({} over {one}, the same hops): {}.\n",
            scenario.name,
            said.join(", ")
        ),
    }
}

/// A timed run's CPU time: hyperfine's mean user + system, or for serve the
/// server's mean over the runs it was read alone in (none in older runs). Not
/// the counting run's: perf's tracing of each syscall inflates it unevenly.
fn timed_cpu(cell: &Cell) -> Option<f64> {
    match cell.server.is_empty() {
        true => cell.timing().map(|t| t.user + t.system),
        false => cell.around.as_ref()?.server_cpu(),
    }
}

/// A comparison of `cells` with a noisy time among them: no verdict, and whose
/// time the machine set, and how; `None` where every time is the program's.
fn noisy(cells: &[&Cell]) -> Option<String> {
    let said: Vec<String> = cells
        .iter()
        .filter_map(|c| {
            Some(format!(
                "{}: {}",
                c.paradigm,
                c.around.as_ref()?.noisy.as_ref()?
            ))
        })
        .collect();
    match said.is_empty() {
        true => None,
        false => Some(format!("(noisy: rerun) no verdict, {}", said.join("; "))),
    }
}

#[cfg(test)]
mod tests;
