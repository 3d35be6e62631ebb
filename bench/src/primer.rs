//! The primer's table rebuilt from a run: for each kind of work, the fastest
//! paradigm in Python and in Rust, whether the primer's answer is Python's
//! fastest, how its Rust twin does; then its claims about processes and threads.

use std::fmt::Write as _;

use crate::{
    paradigms::{self, Language, Paradigm},
    results::{Cell, Run},
    stats::{Memory, bytes, ratio, secs, tie},
    tables::memory_per_unit,
    why,
};

/// The primer's rows: the kind of work, its scenario, the primer's Python
/// answer, and that answer's twin in Rust.
const ROWS: [(&str, &str, &str, &str); 7] = [
    ("CPU bound", "cpu", "python-multiprocessing", "processes"),
    (
        "fast I/O, few connections",
        "io-fast",
        "python-threading",
        "threads",
    ),
    (
        "exchanging data between units (a hand-off)",
        "ring-hop",
        "python-threading",
        "threads",
    ),
    (
        "slow I/O, many connections",
        "io-slow",
        "python-asyncio",
        "tokio",
    ),
    (
        "slow I/O with CPU work per response",
        "io-work",
        "python-asyncio",
        "tokio",
    ),
    (
        "a server: fast I/O, few connections",
        "serve-fast",
        "python-threading",
        "threads",
    ),
    (
        "a server: slow I/O, many connections",
        "serve-slow",
        "python-asyncio",
        "tokio",
    ),
];

/// The fastest of a language at a point and every paradigm of it whose timed
/// runs' range overlaps the fastest's, fastest first: more than one is a tie,
/// and no sentence names one of them the fastest.
pub fn leaders<'a>(
    run: &'a Run,
    scenario: &str,
    x: Option<u64>,
    language: Language,
) -> Vec<&'a Cell> {
    leaders_of(run, scenario, x, |p| p.language == language)
}

/// [`leaders`] among the paradigms that do the work concurrently.
pub fn leaders_concurrent<'a>(
    run: &'a Run,
    scenario: &str,
    x: Option<u64>,
    language: Language,
) -> Vec<&'a Cell> {
    let ring = scenario.starts_with("ring");
    leaders_of(run, scenario, x, |p| {
        p.language == language && !(ring && p.name == language.baseline())
    })
}

fn leaders_of<'a>(
    run: &'a Run,
    scenario: &str,
    x: Option<u64>,
    keep: impl Fn(&Paradigm) -> bool,
) -> Vec<&'a Cell> {
    let Some(best) = fastest_of(run, scenario, x, &keep) else {
        return Vec::new();
    };
    let fast = best.timing().expect("the fastest was timed");
    let mut tied: Vec<&Cell> = paradigms::ALL
        .iter()
        .filter(|p| keep(p) && p.name != best.paradigm)
        .filter_map(|p| run.cell(scenario, x, p.name))
        .filter(|c| c.timing().is_some_and(|t| tie(t, fast)))
        .collect();
    tied.sort_by(|a, b| {
        a.median()
            .unwrap_or(0.0)
            .total_cmp(&b.median().unwrap_or(0.0))
    });
    tied.insert(0, best);
    tied
}

/// The fastest timed cell at a point among the paradigms `keep` accepts.
fn fastest_of<'a>(
    run: &'a Run,
    scenario: &str,
    x: Option<u64>,
    keep: &impl Fn(&Paradigm) -> bool,
) -> Option<&'a Cell> {
    paradigms::ALL
        .iter()
        .filter(|p| keep(p))
        .filter_map(|p| run.cell(scenario, x, p.name))
        .filter_map(|c| Some((c, c.median()?)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(c, _)| c)
}

fn short(name: &str) -> &str {
    name.trim_start_matches("python-")
}

pub fn table(run: &Run, heading: &str) -> String {
    let mut md = format!("{heading} The primer's table, rebuilt from this run\n\n");
    md += "Ratios are of mean times, ± hyperfine's uncertainty (none after a single run). \
        Paradigms whose timed runs' ranges overlap the fastest's (from four runs on, leaving out each one's fastest and slowest run) are a tie, and said as one.\n\n";
    md += "| kind of work (scenario) | the primer says | fastest in Python here | does the primer hold in Python? | fastest in Rust here | the primer's choice in Rust | Python's fastest / Rust's |\n";
    md += "|---|---|---|---|---|---|---:|\n";
    for (kind, scenario, choice, twin) in ROWS.iter().filter(|r| run.has(r.1)) {
        // io-slow: at the most connections Python ran, and at the most of all.
        let points = run.points(scenario);
        let mut at = vec![points.last().copied().flatten()];
        if let Some(x) = points.iter().rev().find(|&&x| {
            run.cell(scenario, x, choice)
                .and_then(Cell::median)
                .is_some()
        }) && *x != at[0]
        {
            at.insert(0, *x);
        }
        for x in at {
            md += &row(run, kind, scenario, x, choice, twin);
        }
    }
    md += "\n| the primer's claim | in Python | in Rust |\n|---|---|---|\n";
    let _ = writeln!(
        md,
        "| processes are slower to start than threads (spawn-cost: time per unit) | {} | {} |",
        start_claim(run, "python-multiprocessing", "python-threading"),
        start_claim(run, "processes", "threads"),
    );
    let _ = writeln!(
        md,
        "| processes exchange data through pipes, threads share memory (ring-hop: time per hop) | {} | {} |",
        hop_claim(
            run,
            "python-multiprocessing",
            "python-threading",
            "python-asyncio"
        ),
        hop_claim(run, "processes", "threads", "tokio"),
    );
    for (claim, memory) in [
        (
            "each process costs its own memory (spawn-memory: memory per live unit, user space)",
            Memory::UserSpace,
        ),
        (
            "… and with the kernel's share (a memory cgroup's peak: stacks, page tables)",
            Memory::WithKernel,
        ),
    ] {
        let _ = writeln!(
            md,
            "| {claim} | {} | {} |",
            memory_claim(
                run,
                "python-multiprocessing",
                "python-threading",
                "python-asyncio",
                memory
            ),
            memory_claim(run, "processes", "threads", "tokio", memory),
        );
    }
    let why = why::primer_lines(run, &ROWS);
    if !why.is_empty() {
        md += "\nWhy, per unit of work, from each program's counting run (how it counted: `machine.md`):\n\n";
        md += &why;
    }
    md + "\n"
}

fn row(run: &Run, kind: &str, scenario: &str, x: Option<u64>, choice: &str, twin: &str) -> String {
    let kind = match x {
        None => format!("{kind} ({scenario})"),
        Some(x) => {
            let unit = crate::scenarios::named(scenario).and_then(|s| s.axis);
            format!("{kind} ({scenario}, {x} {})", unit.map_or("", |a| a.unit))
        }
    };
    let says = short(choice);
    let not_run = |p: &str| {
        run.cell(scenario, x, p)
            .and_then(Cell::why_not)
            .unwrap_or_else(|| "not run".into())
            .replace('|', "/")
    };
    let py = leaders_concurrent(run, scenario, x, Language::Python);
    let rust = leaders_concurrent(run, scenario, x, Language::Rust);
    let mine = run
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
            match runner_up(run, scenario, x, choice) {
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
        run.cell(scenario, x, twin).filter(|c| c.timing().is_some()),
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

/// The second fastest of `choice`'s language at a point.
fn runner_up<'a>(run: &'a Run, scenario: &str, x: Option<u64>, choice: &str) -> Option<&'a Cell> {
    let language = paradigms::named(choice)?.language;
    fastest_of(run, scenario, x, &|p: &Paradigm| {
        p.language == language && p.name != choice
    })
}

/// Start-and-join time per unit of processes against threads, at the largest
/// K where both were timed.
fn start_claim(run: &Run, process: &str, thread: &str) -> String {
    let timed = |x: Option<u64>, p: &str| {
        run.cell("spawn-cost", x, p)
            .filter(|c| c.timing().is_some())
    };
    let found = run
        .points("spawn-cost")
        .into_iter()
        .rev()
        .find_map(|x| Some((timed(x, process)?, timed(x, thread)?, x?)));
    let Some((p, t, k)) = found else {
        return "–".into();
    };
    let per = |c: &Cell| secs(c.median().unwrap_or(0.0) / k as f64);
    format!(
        "{} {} per unit, {} {}: {} (K = {k})",
        short(process),
        per(p),
        short(thread),
        per(t),
        ratio(p.timing().unwrap(), t.timing().unwrap())
    )
}

/// Wall time per hop of a process ring against a thread ring (and tasks).
fn hop_claim(run: &Run, process: &str, thread: &str, task: &str) -> String {
    let timed = |p: &str| {
        run.cell("ring-hop", None, p)
            .filter(|c| c.timing().is_some())
    };
    let (Some(p), Some(t)) = (timed(process), timed(thread)) else {
        return "–".into();
    };
    let per = |c: &Cell| {
        let hops = why::units_of_work(c).map_or(1.0, |(n, _)| n);
        secs(c.median().unwrap_or(0.0) / hops)
    };
    let task_text = timed(task).map_or(String::new(), |c| {
        format!("; {} {} per hop", short(task), per(c))
    });
    format!(
        "{} {} per hop, {} {}: {}{task_text}",
        short(process),
        per(p),
        short(thread),
        per(t),
        ratio(p.timing().unwrap(), t.timing().unwrap())
    )
}

/// Memory per live unit of processes against threads (and a task), at the
/// largest K where both processes and threads were measured above the noise.
fn memory_claim(run: &Run, process: &str, thread: &str, task: &str, memory: Memory) -> String {
    let per = |x: Option<u64>, p: &str| {
        memory_per_unit(run, run.cell("spawn-memory", x, p)?, memory)?.bytes()
    };
    let found = run
        .points("spawn-memory")
        .into_iter()
        .rev()
        .find_map(|x| Some((per(x, process)?, per(x, thread)?, per(x, task), x?)));
    let Some((p, t, task_bytes, k)) = found else {
        return "–".into();
    };
    let task_text = task_bytes.map_or(String::new(), |b| {
        let name = short(task);
        let a = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        format!("; {a} {name} task {}", bytes(b))
    });
    format!(
        "{} {} per live unit, {} {}: {:.1}×{task_text} (K = {k})",
        short(process),
        bytes(p),
        short(thread),
        bytes(t),
        p / t
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{
        Outcome,
        testing::{ok, run},
    };

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
        let run = run(vec![
            ranged("sequential", 0.130, 0.136),
            ranged("processes", 0.068, 0.071),
            ranged("threads", 0.067, 0.073),
            ranged("rayon", 0.075, 0.080),
            ranged("python-multiprocessing", 1.69, 1.89),
            ranged("python-threading", 1.85, 4.13),
            ranged("python-sequential", 3.2, 3.4),
        ]);
        let table = table(&run, "##");
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
        let leaders = leaders(&run, "cpu", None, Language::Rust);
        assert_eq!(
            leaders.len(),
            2,
            "rayon's range does not reach the fastest's"
        );
    }
}
