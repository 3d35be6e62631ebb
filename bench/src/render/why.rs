//! Why the numbers differ: the counting pass and the memory passes, per unit of
//! work (per job, per request, per unit), as a table per point and as a line per
//! row of the primer's table.

use std::fmt::Write as _;

use crate::{
    render::figures::{memory_per_unit, units_of_work},
    render::leaders::leaders_concurrent,
    results::stats::{Memory, PerUnit, secs},
    results::{Cell, Counters, Record},
    scenarios::paradigms::{self, Language},
    scenarios::{self, Scenario, Workload, primer},
};

/// A count per unit of work, to three significant digits or so.
pub(super) fn per(count: f64) -> String {
    match count {
        0.0 => "0".into(),
        c if c >= 100.0 => format!("{c:.0}"),
        c if c >= 10.0 => format!("{c:.1}"),
        c if c >= 0.1 => format!("{c:.2}"),
        c => format!("{c:.3}"),
    }
}

/// A table of every counted paradigm at one point.
pub fn table(record: &Record, scenario: &Scenario, x: Option<u64>) -> String {
    let cells: Vec<&Cell> = paradigms::ROWS
        .iter()
        .filter_map(|p| record.cell(scenario.name, x, p.name))
        .filter(|c| c.counters.is_some())
        .collect();
    let Some((_, noun)) = cells.iter().find_map(|c| units_of_work(c)) else {
        return String::new();
    };
    // A serve scenario's memory is its server's: in its own table (crate::render::servers).
    let serving = scenario.workload == Workload::Serve;
    let memory = scenario.kernel_memory
        && !serving
        && x != record.points(scenario.name).first().copied().flatten();
    let one = scenario.axis.map_or("unit", |a| a.one);
    // serve: the wall time is the client's; the rest is the server's.
    let (whose, wall) = match serving {
        true => (", the server's", "wall time (the client's)"),
        false => ("", "wall time"),
    };
    // Older runs, and machines without the tracepoint, have no sched_yield
    // count; io_uring_enter shows where some program entered io_uring at all.
    let any = |f: fn(&Counters) -> bool| cells.iter().any(|c| c.counters.as_ref().is_some_and(f));
    let yields = any(|c| c.sched_yields.is_some());
    let uring = any(|c| c.uring_enters.is_some_and(|n| n > 0));
    let wakeups = any(|c| c.cross_wakeups.is_some());
    let mut md = format!(
        "| per {noun}{whose} | {wall} | CPU time | syscalls | {}{}voluntary switches | involuntary switches | CPU migrations | {}page faults |",
        if yields { "of them sched_yield | " } else { "" },
        if uring {
            "of them io_uring_enter | "
        } else {
            ""
        },
        if wakeups { "cross-CPU wake-ups | " } else { "" },
    );
    if memory {
        let _ = write!(
            md,
            " memory per {one}, user space | with the kernel | of it, the kernel's |"
        );
    }
    md += "\n|---|---:|---:|---:|---:|---:|---:|---:|";
    md += &"---:|".repeat([yields, uring, wakeups].iter().filter(|&&b| b).count());
    md += if memory { "---:|---:|---:|\n" } else { "\n" };
    for cell in cells {
        let (Some((n, _)), Some(c)) = (units_of_work(cell), cell.counters) else {
            continue;
        };
        let cpu = match cpu_seconds(cell) {
            // /proc counts a server's CPU in 10 ms ticks: none is less than one.
            Some(0.0) if !cell.server.is_empty() => format!("< {}", secs(0.01 / n)),
            Some(cpu) => secs(cpu / n),
            None => "–".into(),
        };
        let wall = cell.median().map_or("–".into(), |m| secs(m / n));
        let optional = |v: Option<u64>| v.map_or("not measured".into(), |v| per(v as f64 / n));
        let column = |shown: bool, v: Option<u64>| match shown {
            true => format!(" {} |", optional(v)),
            false => String::new(),
        };
        let _ = write!(
            md,
            "| {} | {wall} | {cpu} | {} |{}{} {} | {} | {} |{} {} |",
            cell.paradigm,
            optional(c.syscalls),
            column(yields, c.sched_yields),
            column(uring, c.uring_enters),
            per(c.voluntary as f64 / n),
            per(c.involuntary as f64 / n),
            optional(c.migrations),
            column(wakeups, c.cross_wakeups),
            per(c.page_faults as f64 / n),
        );
        if memory {
            for kind in [Memory::UserSpace, Memory::WithKernel, Memory::KernelOnly] {
                let value = memory_per_unit(record, cell, kind);
                let _ = write!(
                    md,
                    " {} |",
                    value.map_or("–".into(), |v: PerUnit| v.to_string())
                );
            }
        }
        md += "\n";
    }
    md + "\n"
}

/// The point a summary shows a scenario's why-table at: where the most
/// paradigms were counted, the larger x on a tie.
pub fn telling_point(record: &Record, scenario: &str) -> Option<Option<u64>> {
    let counted = |x: &Option<u64>| {
        let cells = paradigms::ALL
            .iter()
            .filter_map(|p| record.cell(scenario, *x, p.name));
        cells
            .filter(|c| c.counters.is_some() && units_of_work(c).is_some())
            .count()
    };
    let points = record.points(scenario);
    let best = points.iter().map(counted).max().filter(|&n| n > 0)?;
    points.into_iter().rev().find(|x| counted(x) == best)
}

/// The CPU time a cell's counters explain: the program's (hyperfine's user +
/// system), or for serve the server's, from its counting run's rusage.
pub(super) fn cpu_seconds(cell: &Cell) -> Option<f64> {
    match cell.server.is_empty() {
        true => cell.timing().map(|t| t.user + t.system),
        false => cell.counters?.cpu_us.map(|us| us as f64 / 1e6),
    }
}

/// One cell's counters in a phrase: `tokio: 4.1 syscalls, 0.3 + 0.0 switches, 9.0 µs CPU`.
fn phrase(cell: &Cell) -> Option<String> {
    let ((n, _), c, cpu) = (units_of_work(cell)?, cell.counters?, cpu_seconds(cell)?);
    let of_them = |count: Option<u64>, name: &str| {
        count.filter(|&k| k > 0).map_or(String::new(), |k| {
            format!(" ({} {name})", per(k as f64 / n))
        })
    };
    let syscalls = c.syscalls.map_or(String::new(), |s| {
        let yields = of_them(c.sched_yields, "sched_yield");
        let uring = of_them(c.uring_enters, "io_uring_enter");
        format!("{} syscalls{yields}{uring}, ", per(s as f64 / n))
    });
    let wakeups = c.cross_wakeups.map_or(String::new(), |w| {
        format!(", {} cross-CPU wake-ups", per(w as f64 / n))
    });
    Some(format!(
        "{}: {syscalls}{} voluntary and {} involuntary switches{wakeups}, {} CPU",
        cell.paradigm,
        per(c.voluntary as f64 / n),
        per(c.involuntary as f64 / n),
        secs(cpu / n)
    ))
}

/// Per row of the primer's table, what its fastest paradigms and its choices
/// did per unit of work.
pub fn primer_lines(record: &Record, rows: &[primer::Row]) -> String {
    let mut md = String::new();
    for &primer::Row {
        kind,
        scenario,
        choice,
        twin,
    } in rows
    {
        let scenario = scenario.name;
        // Where the primer's own choice was counted (Python stops at 1,000
        // connections), else the largest point.
        let points = record.points(scenario);
        let counted = |x: &&Option<u64>| {
            record
                .cell(scenario, **x, choice)
                .is_some_and(|c| c.counters.is_some())
        };
        let Some(x) = points.iter().rev().find(counted).or(points.last()).copied() else {
            continue;
        };
        let mut names: Vec<String> = Vec::new();
        for language in [Language::Rust, Language::Python] {
            for best in leaders_concurrent(record, scenario, x, language) {
                names.push(best.paradigm.clone());
            }
        }
        names.extend([twin.to_string(), choice.to_string()]);
        let mut seen = Vec::new();
        names.retain(|n| {
            let new = !seen.contains(n);
            seen.push(n.clone());
            new
        });
        let phrases: Vec<String> = names
            .iter()
            .filter_map(|n| phrase(record.cell(scenario, x, n)?))
            .collect();
        if phrases.is_empty() {
            continue;
        }
        let at = scenarios::named(scenario).map_or(String::new(), |s| s.at(x));
        let noun = scenarios::named(scenario).map_or("unit", |s| s.workload.unit_of_work().1);
        let _ = writeln!(
            md,
            "- **{kind}** ({scenario}{at}), per {noun}: {}.",
            phrases.join("; ")
        );
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{Outcome, testing};
    use workload::ResultLine;

    /// An io-fast cell of 1,000 requests with these counts.
    fn counted(paradigm: &str, uring_enters: Option<u64>, cross_wakeups: Option<u64>) -> Cell {
        let mut cell = testing::ok("io-fast", paradigm, 0.5, 900);
        let line = format!("workload=io paradigm={paradigm} requests=1000 checksum=1 ok=true");
        let timing = cell.timing().cloned();
        let lines = vec![ResultLine::parse(&line).unwrap()];
        (cell.x, cell.outcome) = (None, Outcome::Ok { lines, timing });
        cell.counters = Some(Counters {
            syscalls: Some(1_500),
            uring_enters,
            cross_wakeups,
            ..Counters::default()
        });
        cell
    }

    #[test]
    fn io_uring_enter_and_cross_cpu_wake_ups_show_where_counted() {
        let io_fast = scenarios::named("io-fast").unwrap();
        let cells = vec![
            counted("tokio", Some(0), Some(900)),
            counted("compio", Some(1_200), Some(10)),
        ];
        let md = table(&testing::record(cells), io_fast, None);
        assert!(md.contains("| syscalls | of them io_uring_enter | voluntary switches | involuntary switches | CPU migrations | cross-CPU wake-ups | page faults |"), "{md}");
        assert!(
            md.contains(
                "| compio | 500.0 µs | 0 ns | 1.50 | 1.20 | 0 | 0 | not measured | 0.010 | 0 |"
            ),
            "{md}"
        );
        let line =
            phrase(&testing::record(vec![counted("compio", Some(1_200), Some(10))]).cells[0]);
        assert!(line.unwrap().starts_with("compio: 1.50 syscalls (1.20 io_uring_enter), 0 voluntary and 0 involuntary switches, 0.010 cross-CPU wake-ups"));
        // A run made before they were counted has neither column.
        let old = table(
            &testing::record(vec![counted("tokio", None, None)]),
            io_fast,
            None,
        );
        assert!(
            !old.contains("io_uring_enter") && !old.contains("cross-CPU"),
            "{old}"
        );
        // Nobody entered io_uring: no column of zeros.
        let epoll = table(
            &testing::record(vec![counted("tokio", Some(0), None)]),
            io_fast,
            None,
        );
        assert!(!epoll.contains("io_uring_enter"), "{epoll}");
    }
}
