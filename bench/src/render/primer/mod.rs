//! The primer's table rebuilt from a run: for each kind of work, the fastest
//! paradigm in Python and in Rust, whether the primer's answer is Python's
//! fastest, how its Rust twin does; then its claims about processes and threads.
//! Who is fastest, ties included, is in [`crate::render::leaders`]; the claims in [`claims`];
//! the rows of the open-loop scenarios, which no hyperfine time decides, in
//! [`crate::render::load::primer`].

mod claims;

use std::fmt::Write as _;

use crate::{
    render::leaders::{leaders_concurrent, runner_up},
    render::load,
    render::why,
    results::stats::{Memory, ratio, secs},
    results::{Cell, Record},
    scenarios::{paradigms::Language, primer},
};
use claims::hop_claim;
pub(super) use claims::{memory_claim, start_claim};

pub(super) fn short(name: &str) -> &str {
    name.trim_start_matches("python-")
}

pub fn table(record: &Record, heading: &str) -> String {
    let mut md = format!("{heading} The primer's table, rebuilt from this run\n\n");
    md += "Ratios are of mean times, ± hyperfine's uncertainty (none after a single run). \
        Paradigms whose timed runs' ranges overlap the fastest's (from four runs on, leaving out each one's fastest and slowest run) are a tie, and said as one.\n\n";
    md += "| kind of work (scenario) | the primer says | fastest in Python here | does the primer hold in Python? | fastest in Rust here | the primer's choice in Rust | Python's fastest / Rust's |\n";
    md += "|---|---|---|---|---|---|---:|\n";
    let rows = primer::ROWS.iter().filter(|r| record.has(r.scenario.name));
    for r in rows.clone() {
        if r.scenario.load.is_some() {
            md += &load::primer::row(record, r);
            continue;
        }
        let primer::Row {
            kind,
            scenario,
            choice,
            twin,
        } = *r;
        let scenario = scenario.name;
        // io-slow: at the most connections Python ran, and at the most of all.
        let points = record.points(scenario);
        let mut at = vec![points.last().copied().flatten()];
        if let Some(x) = points.iter().rev().find(|&&x| {
            record
                .cell(scenario, x, choice)
                .and_then(Cell::median)
                .is_some()
        }) && *x != at[0]
        {
            at.insert(0, *x);
        }
        for x in at {
            md += &row(record, kind, scenario, x, choice, twin);
        }
    }
    if rows.clone().any(|r| r.scenario.load.is_some()) {
        md += &format!("\n{}\n", load::primer::SAID);
    }
    md += "\n| the primer's claim | in Python | in Rust |\n|---|---|---|\n";
    let _ = writeln!(
        md,
        "| processes are slower to start than threads ({}: time per unit) | {} | {} |",
        primer::STARTING.name,
        start_claim(record, &primer::IN_PYTHON),
        start_claim(record, &primer::IN_RUST),
    );
    let _ = writeln!(
        md,
        "| processes exchange data through pipes, threads share memory ({}: time per hop) | {} | {} |",
        primer::HANDING_OFF.name,
        hop_claim(record, &primer::IN_PYTHON),
        hop_claim(record, &primer::IN_RUST),
    );
    for (claim, memory) in [
        (
            format!(
                "each process costs its own memory ({}: memory per live unit, user space)",
                primer::LIVING.name
            ),
            Memory::UserSpace,
        ),
        (
            "… and with the kernel's share (a memory cgroup's peak: stacks, page tables)".into(),
            Memory::WithKernel,
        ),
    ] {
        let _ = writeln!(
            md,
            "| {claim} | {} | {} |",
            memory_claim(record, &primer::IN_PYTHON, memory),
            memory_claim(record, &primer::IN_RUST, memory),
        );
    }
    let timed: Vec<primer::Row> = primer::ROWS
        .into_iter()
        .filter(|r| r.scenario.load.is_none())
        .collect();
    let why = why::primer_lines(record, &timed);
    if !why.is_empty() {
        md += "\nWhy, per unit of work, from each program's counting run (how it counted: `machine.md`):\n\n";
        md += &why;
    }
    md + "\n"
}

fn row(
    record: &Record,
    kind: &str,
    scenario: &str,
    x: Option<u64>,
    choice: &str,
    twin: &str,
) -> String {
    let kind = match x {
        None => format!("{kind} ({scenario})"),
        Some(x) => {
            let unit = crate::scenarios::named(scenario).and_then(|s| s.axis);
            format!("{kind} ({scenario}, {x} {})", unit.map_or("", |a| a.unit))
        }
    };
    let says = short(choice);
    let not_run = |p: &str| {
        record
            .cell(scenario, x, p)
            .and_then(Cell::why_not)
            .unwrap_or_else(|| "not run".into())
            .replace('|', "/")
    };
    let py = leaders_concurrent(record, scenario, x, Language::Python);
    let rust = leaders_concurrent(record, scenario, x, Language::Rust);
    let mine = record
        .cell(scenario, x, choice)
        .filter(|c| c.timing().is_some());
    let among = |cells: &[&Cell], name: &str| cells.iter().any(|c| c.paradigm == name);
    let others = |cells: &[&Cell], name: &str| {
        let names: Vec<&str> = cells
            .iter()
            .map(|c| short(&c.paradigm))
            .filter(|n| *n != short(name))
            .collect();
        names.join(", ")
    };
    let holds = match (py.first(), mine) {
        (Some(_), Some(_)) if py.len() > 1 && among(&py, choice) => format!(
            "a tie: the ranges of {says}'s and {}'s timed runs overlap",
            others(&py, choice)
        ),
        (Some(best), Some(mine)) if best.paradigm == choice => {
            match runner_up(record, scenario, x, choice) {
                Some(next) => format!(
                    "yes: {} takes {} as long",
                    short(&next.paradigm),
                    ratio(next.timing().unwrap(), mine.timing().unwrap())
                ),
                None => "yes".into(),
            }
        }
        (Some(best), Some(mine)) => format!(
            "no: {says} takes {} as long as {}",
            ratio(mine.timing().unwrap(), best.timing().unwrap()),
            short(&best.paradigm)
        ),
        _ => format!("– ({says}: {})", not_run(choice)),
    };
    let twin_text = match (
        rust.first(),
        record
            .cell(scenario, x, twin)
            .filter(|c| c.timing().is_some()),
    ) {
        (Some(_), Some(t)) if among(&rust, twin) && rust.len() > 1 => format!(
            "{twin}: {}, tied with the fastest",
            secs(t.median().unwrap_or(0.0)),
        ),
        (Some(best), Some(t)) => format!(
            "{twin}: {}, {} the fastest",
            secs(t.median().unwrap_or(0.0)),
            ratio(t.timing().unwrap(), best.timing().unwrap())
        ),
        _ => format!("{twin}: {}", not_run(twin)),
    };
    let show = |cells: &[&Cell]| {
        let named: Vec<String> = cells
            .iter()
            .map(|c| {
                format!(
                    "{}: {}",
                    short(&c.paradigm),
                    secs(c.median().unwrap_or(0.0))
                )
            })
            .collect();
        match named.len() {
            0 => "–".into(),
            1 => named[0].clone(),
            _ => format!("tie: {}", named.join(", ")),
        }
    };
    let across = match (py.first(), rust.first()) {
        (Some(p), Some(r)) => ratio(p.timing().unwrap(), r.timing().unwrap()).to_string(),
        _ => "–".into(),
    };
    format!(
        "| {kind} | {says} | {} | {holds} | {} | {twin_text} | {across} |\n",
        show(&py),
        show(&rust)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::leaders::leaders;
    use crate::results::{
        Outcome,
        testing::{ok, record},
    };

    /// The open-loop rows sit among the others, and say what they compare.
    #[test]
    fn the_load_rows_say_what_they_compare() {
        let table = table(&crate::render::load::fixtures::loaded(), "##");
        assert!(
            table.contains("| a server: the most load at a 10 ms p99 (serve-load) | asyncio |")
        );
        assert!(table.contains(load::primer::SAID), "{table}");
    }

    /// A cpu cell whose timed runs spanned `min..max` seconds.
    fn ranged(paradigm: &str, min: f64, max: f64) -> Cell {
        let mut cell = ok("cpu", paradigm, (min + max) / 2.0, 0);
        cell.x = None;
        if let Outcome::Ok {
            timing: Some(t), ..
        } = &mut cell.outcome
        {
            (t.min, t.max, t.stddev, t.runs) = (min, max, Some((max - min) / 4.0), 5);
        }
        cell
    }

    /// Overlapping ranges are a tie: the primer's table names both, and says
    /// the primer's choice ties rather than wins.
    #[test]
    fn overlapping_ranges_are_said_as_a_tie() {
        let record = record(vec![
            ranged("sequential", 0.130, 0.136),
            ranged("processes", 0.068, 0.071),
            ranged("threads", 0.067, 0.073),
            ranged("rayon", 0.075, 0.080),
            ranged("python-multiprocessing", 1.69, 1.89),
            ranged("python-threading", 1.85, 4.13),
            ranged("python-sequential", 3.2, 3.4),
        ]);
        let table = table(&record, "##");
        let row = table
            .lines()
            .find(|l| l.starts_with("| CPU bound"))
            .unwrap();
        assert!(
            row.contains("| tie: multiprocessing: 1.79 s, threading: 2.99 s |"),
            "{row}"
        );
        assert!(
            row.contains(
                "| a tie: the ranges of multiprocessing's and threading's timed runs overlap |"
            ),
            "{row}"
        );
        assert!(
            row.contains("| tie: processes: 69.5 ms, threads: 70.0 ms |"),
            "{row}"
        );
        assert!(
            row.contains("| processes: 69.5 ms, tied with the fastest |"),
            "{row}"
        );
        let leaders = leaders(&record, "cpu", None, Language::Rust);
        assert_eq!(
            leaders.len(),
            2,
            "rayon's range does not reach the fastest's"
        );
    }
}
