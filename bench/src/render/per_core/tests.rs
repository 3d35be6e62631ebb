//! The thread-per-core section, from made-up cells: each against the one before
//! it, ties said as ties, a hop across CPUs beside one on one CPU.

use super::*;
use crate::results::{
    Outcome, Timing,
    testing::{cell, record},
};
use workload::ResultLine;

/// A timed cell of `scenario` whose result line says `fields`, with
/// five runs between `min` and `max` seconds and `counters`.
fn timed(scenario: &str, paradigm: &str, fields: &str, min: f64, max: f64, c: Counters) -> Cell {
    let line = format!("workload=x paradigm={paradigm} {fields} checksum=1 ok=true");
    let mid = (min + max) / 2.0;
    let timing = Timing {
        mean: mid,
        stddev: None,
        median: mid,
        min,
        max,
        user: 0.0,
        system: 0.0,
        runs: 5,
        times: vec![min, min, mid, max, max],
    };
    let outcome = Outcome::Ok {
        lines: vec![ResultLine::parse(&line).unwrap()],
        timing: Some(timing),
    };
    let mut cell = cell(scenario, paradigm, outcome);
    (cell.x, cell.counters) = (None, Some(c));
    if scenario == "serve-fast" {
        cell.server = vec![format!("{paradigm}-serve")];
    }
    cell
}

fn counts(syscalls: u64, uring: u64, migrations: u64, wakeups: u64, cpu_us: u64) -> Counters {
    Counters {
        syscalls: Some(syscalls),
        migrations: Some(migrations),
        uring_enters: Some(uring),
        cross_wakeups: Some(wakeups),
        cpu_us: Some(cpu_us),
        ..Counters::default()
    }
}

/// `cell` with its server's CPU time in each timed run (`None`: with warm-ups).
fn served(mut cell: Cell, runs: &[Option<f64>]) -> Cell {
    cell.around = Some(crate::results::Around {
        server_cpu: runs.to_vec(),
        ..Default::default()
    });
    cell
}

#[test]
fn serve_fast_sets_the_three_side_by_side_each_against_the_one_before() {
    let requests = "requests=20000";
    // The counting run's server CPU (the last count) is perf's too: not shown.
    let record = record(vec![
        served(
            timed(
                "serve-fast",
                "tokio",
                requests,
                0.38,
                0.42,
                counts(80_000, 0, 200, 10_000, 900_000),
            ),
            &[None, Some(0.20), Some(0.20)],
        ),
        // Recorded before the timed runs' server CPU was kept.
        timed(
            "serve-fast",
            "tokio-per-core",
            requests,
            0.28,
            0.32,
            counts(60_000, 0, 0, 20, 150_000),
        ),
        served(
            timed(
                "serve-fast",
                "compio",
                requests,
                0.29,
                0.33,
                counts(30_000, 20_000, 0, 20, 400_000),
            ),
            &[Some(0.11), Some(0.13)],
        ),
    ]);
    let md = section(&record, "##");
    assert!(md.starts_with("## Thread-per-core\n\n"), "{md}");
    assert!(md.contains("### serve-fast\n\n| paradigm | requests/s (the client's median) | server CPU per request | syscalls per request | of them io_uring_enter | CPU migrations per request | cross-CPU wake-ups per request |\n|---|---:|---:|---:|---:|---:|---:|\n"), "{md}");
    assert!(
        md.contains("| tokio | 50.0k/s | 10.0 µs | 4.00 | 0 | 0.010 | 0.50 |"),
        "{md}"
    );
    assert!(
        md.contains("| compio | 64.5k/s | 6.0 µs | 1.50 | 1.00 | 0 | 0.001 |"),
        "{md}"
    );
    assert!(
        md.contains("| tokio-per-core | 66.7k/s | – | 3.00 |"),
        "{md}"
    );
    assert!(
        md.contains("- tokio-per-core against tokio (the scheduling alone): takes 0.75× as long."),
        "{md}"
    );
    // Their timed runs' ranges overlap: said as a tie, never as a ratio.
    assert!(md.contains("- compio against tokio-per-core (the I/O interface): a tie: the ranges of their timed runs overlap."), "{md}");
    assert!(md.ends_with(&format!("{MONOIO}\n\n")));
    assert!(MONOIO.contains("theirs, not this run's") && MONOIO.contains("Xeon Gold 5118"));
}

#[test]
fn a_hop_across_runtimes_stands_beside_one_on_one_cpu() {
    let hops = "units=100 laps=2000";
    let skipped = Outcome::Skipped("io_uring is unavailable here (...)".into());
    let mut no_ring = cell("ring-hop", "compio", skipped);
    no_ring.x = None;
    let record = record(vec![
        timed(
            "ring-hop",
            "tokio",
            hops,
            0.19,
            0.21,
            counts(1_000, 0, 400, 150_000, 0),
        ),
        timed(
            "ring-hop",
            "tokio-per-core",
            hops,
            0.39,
            0.41,
            counts(1_000, 0, 0, 190_000, 0),
        ),
        no_ring,
        timed(
            "ring-hop-1",
            "tokio",
            hops,
            0.039,
            0.041,
            Counters::default(),
        ),
        timed(
            "ring-hop-1",
            "tokio-per-core",
            hops,
            0.029,
            0.031,
            Counters::default(),
        ),
    ]);
    let md = section(&record, "###");
    assert!(
        md.starts_with("### Thread-per-core\n\n") && md.contains("#### ring-hop\n"),
        "{md}"
    );
    assert!(
        md.contains("| per hop | per hop on one CPU (ring-hop-1) |"),
        "{md}"
    );
    assert!(
        md.contains("| tokio | 1.0 µs | 200 ns | 0 ns | 0.005 | 0 | 0.002 | 0.75 |"),
        "{md}"
    );
    assert!(
        md.contains("| compio | skipped: io_uring is unavailable here (...) |"),
        "{md}"
    );
    // Every row as wide as the header.
    let widths: Vec<usize> = md
        .lines()
        .filter(|l| l.starts_with('|'))
        .map(|l| l.matches('|').count())
        .collect();
    assert!(widths.iter().all(|&w| w == widths[0]), "{widths:?}");
    assert!(
        md.contains("(the I/O interface): – (compio: skipped: io_uring is unavailable"),
        "{md}"
    );
    assert!(
        md.contains(
            "(ring-hop over ring-hop-1, the same hops): tokio 5.00×, tokio-per-core 13.33×."
        ),
        "{md}"
    );
}

#[test]
fn a_run_without_the_thread_per_core_paradigms_has_no_section() {
    let tokio = timed(
        "serve-fast",
        "tokio",
        "requests=200",
        0.1,
        0.1,
        Counters::default(),
    );
    assert_eq!(section(&record(vec![tokio]), "##"), "");
}

#[test]
fn a_noisy_time_gives_no_verdict() {
    let requests = "requests=20000";
    let mut compio = timed(
        "serve-fast",
        "compio",
        requests,
        0.20,
        0.22,
        counts(30_000, 20_000, 0, 20, 120_000),
    );
    compio.around = Some(crate::results::Around {
        noisy: Some("the host stole 8% of the CPU during its runs".into()),
        ..Default::default()
    });
    let serving = record(vec![
        timed(
            "serve-fast",
            "tokio",
            requests,
            0.38,
            0.42,
            counts(1, 0, 0, 0, 1),
        ),
        timed(
            "serve-fast",
            "tokio-per-core",
            requests,
            0.28,
            0.32,
            counts(1, 0, 0, 0, 1),
        ),
        compio,
    ]);
    let md = section(&serving, "##");
    assert!(md.contains("| compio — noisy: rerun | 95.2k/s |"), "{md}");
    // Apart from tokio-per-core's, but noisy: no ratio, and why.
    assert!(md.contains("- compio against tokio-per-core (the I/O interface): (noisy: rerun) no verdict, compio: the host stole 8% of the CPU during its runs.\n"), "{md}");
    assert!(
        md.contains("- tokio-per-core against tokio (the scheduling alone): takes 0.75× as long."),
        "{md}"
    );
    // A hop across CPUs against one on one CPU: no ratio where either is noisy.
    let hops = "units=100 laps=2000";
    let mut one = timed(
        "ring-hop-1",
        "tokio",
        hops,
        0.039,
        0.041,
        Counters::default(),
    );
    one.around = Some(crate::results::Around {
        noisy: Some("other programs took 12% of the machine's CPU during its runs".into()),
        ..Default::default()
    });
    let record = record(vec![
        timed("ring-hop", "tokio", hops, 0.19, 0.21, Counters::default()),
        timed(
            "ring-hop",
            "tokio-per-core",
            hops,
            0.39,
            0.41,
            Counters::default(),
        ),
        one,
        timed(
            "ring-hop-1",
            "tokio-per-core",
            hops,
            0.029,
            0.031,
            Counters::default(),
        ),
    ]);
    let md = section(&record, "##");
    assert!(
        md.contains("(ring-hop over ring-hop-1, the same hops): tokio (noisy: rerun), tokio-per-core 13.33×."),
        "{md}"
    );
}
