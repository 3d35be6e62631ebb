//! What the scenario table is made of besides its entries: the flags of the io
//! scenarios, io-work's axis and sizes, and the rules by which a paradigm sits
//! out a point, with the budgets behind them.

use super::{Axis, Limits, Repeats, Sizes, kinds::repeats};
use crate::scenarios::paradigms::Paradigm;

/// Processes the benchmark starts at most in one run: a budget for its time (a
/// process costs about ten threads to start), not a limit of the programs.
pub const PROCESS_BUDGET: u64 = 1_000;
/// Python's programs start an interpreter's worth of state per process or
/// thread: the benchmark stops them at this many connections.
pub const PYTHON_CONNECTIONS: u64 = 1_000;

/// Python starts threads slowly: 100,000 took 96 s a run here (Rust: 11 s), so
/// the benchmark stops Python's threads at this many.
pub const PYTHON_THREADS: u64 = 10_000;

/// Python counts primes some thirty times slower than Rust (the cpu scenario's
/// sequential programs): the benchmark stops Python's io-work at this much work
/// per request.
pub const PYTHON_WORK: u64 = 1_000;

pub fn io_flags(requests: u64, concurrency: u64, delay_ms: u64) -> Vec<(&'static str, u64)> {
    vec![
        ("--requests", requests),
        ("--concurrency", concurrency),
        ("--delay-ms", delay_ms),
        ("--bytes", 1_024),
    ]
}

/// io-work's axis: how many numbers each request's work counts primes among.
pub const WORK_AXIS: Option<Axis> = Some(Axis {
    flag: "--work",
    unit: "numbers per request",
    one: "number",
});

/// io-work's sizes at `points`: 1,000 requests over 100 connections, 10 ms each,
/// three timed runs; quick: 100 over 20, 5 ms, one run.
pub const fn work_sizes(points: &'static [u64], quick: bool) -> Sizes {
    const FULL: &[(u64, Repeats)] = &[(0, repeats(1, 3))];
    const QUICK: &[(u64, Repeats)] = &[(0, repeats(0, 1))];
    match quick {
        false => Sizes {
            points,
            flags: |x| work_flags(1_000, 100, 10, x),
            repeats: FULL,
            checks: 1,
        },
        true => Sizes {
            points,
            flags: |x| work_flags(100, 20, 5, x),
            repeats: QUICK,
            checks: 1,
        },
    }
}

pub fn work_flags(
    requests: u64,
    concurrency: u64,
    delay_ms: u64,
    work: u64,
) -> Vec<(&'static str, u64)> {
    let mut flags = io_flags(requests, concurrency, delay_ms);
    flags.push(("--work", work));
    flags
}

/// Who sits out io-work: the clients with one or two connections (seconds of
/// waiting in a row, as in io-slow), and Python past the work it does in seconds.
pub fn work_skipped(x: u64, p: &Paradigm, machine: &Limits) -> Option<String> {
    match p.short() {
        "sequential" => Some("one connection: every request's delay in a row".into()),
        "rayon" => Some(format!(
            "rayon: {} connections (pool size): the delays in rounds of {}",
            machine.cores, machine.cores
        )),
        _ if p.is_python() && x > PYTHON_WORK => Some(format!(
            "Python: up to --work {PYTHON_WORK} (trial division in Python takes seconds a run)"
        )),
        _ => None,
    }
}

/// rayon-ring refuses a ring of more jobs than pool threads (blocked jobs would
/// deadlock the pool), and the benchmark runs it on `cores` threads; every ring
/// of the benchmark has more units than that.
pub fn ring_refused(units: Option<u64>, p: &Paradigm, machine: &Limits) -> Option<String> {
    let cores = machine.cores as u64;
    (p.short() == "rayon" && units.is_none_or(|k| k > cores)).then(|| {
        let ring = units.map_or("a ring".into(), |k| format!("a ring of {k} jobs"));
        format!("rayon: {ring} needs a pool thread per job (--workers {cores}): blocked jobs would deadlock the pool")
    })
}

pub fn over_process_budget(x: u64, p: &Paradigm) -> Option<String> {
    (matches!(p.short(), "processes" | "multiprocessing") && x > PROCESS_BUDGET)
        .then(|| format!("{x} processes: the benchmark starts at most {PROCESS_BUDGET}"))
}

/// Who sits out serve-slow: servers that serve one connection, or a pool's worth,
/// at a time (the client holds every connection open, so the rest wait their
/// turn: seconds past its timeout), Python past its connections, threads past a
/// limit of the machine.
pub fn serve_slow_skipped(x: u64, p: &Paradigm, machine: &Limits) -> Option<String> {
    let cores = machine.cores;
    match p.short() {
        "sequential" => Some(format!(
            "one connection at a time: the last of {x} waits for every other's two requests"
        )),
        "crossbeam" | "rayon" if !p.is_python() => Some(format!(
            "a pool of {cores} threads serves {cores} connections at a time: the other {} wait their turn",
            x.saturating_sub(cores as u64)
        )),
        _ if p.is_python() && x > PYTHON_CONNECTIONS => {
            Some(format!("Python: up to {PYTHON_CONNECTIONS} connections"))
        }
        "threads" | "threading" if machine.threads_refused(x).is_some() => {
            machine.threads_refused(x)
        }
        _ => None,
    }
}
