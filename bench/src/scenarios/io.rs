//! The io workload's scenarios: fast and slow I/O, and CPU work per response, inline and offloaded.

use super::{Axis, Measure, Raise, Scenario, Sizes, Workload, kinds::repeats, rules::*};

/// `io-fast`.
pub const FAST: Scenario = Scenario {
    name: "io-fast",
    title: "io, fast",
    workload: Workload::Io,
    shows: "No server delay over a few keep-alive connections: the cost of the I/O \
            itself, the primer's fast-I/O row.",
    axis: None,
    measure: Measure::Time,
    kernel_memory: false,
    workers: None,
    offload: false,
    latency: false,
    wrk: None,
    sized_pools: false,
    pinned: false,
    raises: &[],
    load: None,
    full: Sizes {
        points: &[0],
        flags: |_| io_flags(20_000, 4, 0),
        repeats: &[(0, repeats(1, 5))],
        checks: 1,
    },
    quick: Sizes {
        points: &[0],
        flags: |_| io_flags(200, 4, 0),
        repeats: &[(0, repeats(0, 1))],
        checks: 1,
    },
    skip: |_, _, _| None,
};

/// `io-slow`.
pub const SLOW: Scenario = Scenario {
    name: "io-slow",
    title: "io, slow",
    workload: Workload::Io,
    shows: "Every request waits out the server's delay, two requests per \
            connection: the ideal is twice the delay at every x. The primer's \
            slow-I/O, many-connections row.",
    axis: Some(Axis {
        flag: "--concurrency",
        unit: "connections",
        one: "connection",
    }),
    measure: Measure::Time,
    kernel_memory: true,
    workers: None,
    offload: false,
    latency: false,
    wrk: None,
    sized_pools: false,
    pinned: false,
    raises: &[Raise::Backlog],
    load: None,
    full: Sizes {
        points: &[100, 1_000, 10_000],
        flags: |x| io_flags(2 * x, x, 100),
        // 10,000 connections: no warm-up; three runs for a median and spread.
        repeats: &[(0, repeats(1, 3)), (10_000, repeats(0, 3))],
        checks: 1,
    },
    quick: Sizes {
        points: &[10, 100],
        flags: |x| io_flags(2 * x, x, 20),
        repeats: &[(0, repeats(0, 1))],
        checks: 1,
    },
    skip: |x, p, machine| match p.short() {
        "sequential" => Some(format!("one connection: {} requests in a row", 2 * x)),
        _ if p.is_python() && x > PYTHON_CONNECTIONS => {
            Some(format!("Python: up to {PYTHON_CONNECTIONS} connections"))
        }
        "rayon" => Some(format!(
            "rayon: {} connections (pool size), {} rounds",
            machine.cores,
            2 * x / machine.cores as u64
        )),
        "processes" if x > workload::io::MAX_PROCESSES => Some(format!(
            "{x} processes: above its ceiling of {}",
            workload::io::MAX_PROCESSES
        )),
        _ => None,
    },
};

/// `io-work`.
pub const WORK: Scenario = Scenario {
    name: "io-work",
    title: "io with CPU work per response",
    workload: Workload::Io,
    shows: "Slow I/O over many connections, and after each answer the client counts \
            the primes among `--work N` numbers (later requests' numbers are larger, \
            so they cost more). A blocking client computes on its connection's own \
            thread, which the OS time-slices; an async client computes inside its \
            task, on the executor thread that every other connection of that thread \
            waits for. The second chart is the run's p99 request latency (request \
            written to body read, the work excluded).",
    axis: WORK_AXIS,
    measure: Measure::Time,
    kernel_memory: false,
    workers: None,
    offload: false,
    latency: true,
    wrk: None,
    sized_pools: false,
    pinned: false,
    raises: &[],
    load: None,
    full: work_sizes(&[0, 300, 1_000, 3_000, 10_000], false),
    quick: work_sizes(&[0, 1_000], true),
    skip: |x, p, machine| work_skipped(x, p, machine),
};

/// `io-work-offload`.
pub const WORK_OFFLOAD: Scenario = Scenario {
    name: "io-work-offload",
    title: "io with CPU work, offloaded",
    workload: Workload::Io,
    shows: "io-work with `--offload`: the async clients count their primes on the \
            runtime's blocking pool (tokio's, tokio-per-core's, async-std's and \
            compio's `spawn_blocking`, smol's `unblock`, asyncio's `run_in_executor`) \
            and the task awaits the answer, so the executor thread goes on serving \
            the other connections. Blocking clients have nothing to offload: see io-work.",
    axis: WORK_AXIS,
    measure: Measure::Time,
    kernel_memory: false,
    workers: None,
    offload: true,
    latency: true,
    wrk: None,
    sized_pools: false,
    pinned: false,
    raises: &[],
    load: None,
    full: work_sizes(&[300, 1_000, 3_000, 10_000], false),
    quick: work_sizes(&[1_000], true),
    skip: |x, p, machine| match p.short() {
        "tokio" | "async-std" | "smol" | "tokio-per-core" | "compio" | "asyncio" => {
            work_skipped(x, p, machine)
        }
        _ => Some(
            "a blocking client: it computes on its connection's own thread or process \
             (rayon: a pool thread) either way; see io-work"
                .into(),
        ),
    },
};
