//! The answers' tests: a why from the counts, a tie said as one; the
//! workloads' serve-load part answers the four questions under its table.

use super::*;
use crate::results::{Cell, Counters, Outcome, testing};
use workload::ResultLine;

/// A ring-hop cell of 100 units x 2,000 laps (200,000 hops), timed over
/// `min..max` seconds, with these voluntary switches and CPU seconds.
fn hop(paradigm: &str, min: f64, max: f64, switches: u64, cpu: f64) -> Cell {
    let mut cell = testing::ok("ring-hop", paradigm, (min + max) / 2.0, 0);
    let line = format!("workload=ring paradigm={paradigm} units=100 laps=2000 checksum=1 ok=true");
    let mut timing = cell.timing().cloned().unwrap();
    (timing.min, timing.max, timing.runs) = (min, max, 5);
    (timing.user, timing.system) = (cpu, 0.0);
    let lines = vec![ResultLine::parse(&line).unwrap()];
    let timing = Some(timing);
    (cell.x, cell.outcome) = (None, Outcome::Ok { lines, timing });
    cell.counters = Some(Counters {
        syscalls: Some(switches * 2),
        voluntary: switches,
        ..Counters::default()
    });
    cell
}

fn row<'a>(md: &'a str, kind: &str) -> &'a str {
    md.lines()
        .find(|l| l.starts_with(kind))
        .unwrap_or_else(|| panic!("no row {kind} in {md}"))
}

/// A winner set apart from the primer's twin is explained by the count
/// that differs most between them, per unit of work.
#[test]
fn the_why_is_the_count_that_differs_most() {
    let record = testing::record(vec![
        hop("sequential", 0.002, 0.003, 0, 0.002),
        hop("threads", 1.8, 2.0, 268_000, 2.0),
        hop("tokio", 0.045, 0.05, 3_000, 0.06),
    ]);
    let md = answers(&record, "results/x");
    let row = row(&md, "| exchanging data between units");
    assert!(row.contains("| **tokio** |"), "{row}");
    assert!(
        row.contains("per hop, threads makes 1.34 voluntary context switches to tokio's 0.015"),
        "{row}"
    );
    assert!(row.contains("10.0 µs of CPU to tokio's 300 ns"), "{row}");
    assert!(md.contains("`results/x/report.html`"), "{md}");
    // Per hop, as the ring's tables give it: 200,000 hops.
    assert!(
        row.contains("| tokio 238 ns; threads 9.5 µs (40.00× as long) |"),
        "{row}"
    );
}

/// Overlapping runs are a tie: every tied paradigm is named, none is
/// called the one to use alone, and the why says what they share.
#[test]
fn a_tie_is_said_as_one() {
    let record = testing::record(vec![
        hop("tokio", 0.045, 0.06, 3_000, 0.06),
        hop("smol", 0.05, 0.07, 3_000, 0.066),
        hop("threads", 0.055, 0.065, 3_000, 0.065),
    ]);
    let row = row(&answers(&record, "r"), "| exchanging data between units").to_string();
    assert!(row.contains("| tie: tokio, threads, smol |"), "{row}");
    assert!(
        row.contains("3 tie within the noise, spending 300 ns–330 ns of CPU per hop: the work"),
        "{row}"
    );
    assert!(
        row.contains("| tie: tokio 262 ns … smol 300 ns (3) |"),
        "{row}"
    );
}

#[test]
fn the_readme_answers_the_four_questions_under_the_capacities() {
    let md = workloads(&crate::render::load::fixtures::loaded(), "results/run");
    let capacities = md
        .find("| server | capacity at p99 <= 10 ms |")
        .expect("the table");
    let answers = md
        .find("The four questions a server is chosen by")
        .expect("the answers");
    assert!(capacities < answers, "{md}");
    for question in [
        "**How much load before the tail breaks?**",
        "**What does a request cost at the same load?**",
        "**What happens past the capacity?**",
        "**What does a heavy request do to the cheap ones?**",
    ] {
        assert!(md[answers..].contains(question), "{question}\n{md}");
    }
    assert!(
        md.contains("tokio >= 100,000/s"),
        "a bound, without the rate it could not send: {md}"
    );
}
