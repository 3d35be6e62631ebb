//! The spawn workload's scenarios: the cost of starting a unit, and the memory of a live one.

use super::{Axis, Measure, Raise, Scenario, Sizes, Workload, kinds::repeats, rules::*};

/// `spawn-cost`.
pub const COST: Scenario = Scenario {
    name: "spawn-cost",
    title: "spawn: start and join",
    workload: Workload::Spawn,
    shows: "K units that return at once: the cost of starting and joining one.",
    axis: Some(Axis {
        flag: "--units",
        unit: "units",
        one: "unit",
    }),
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
        points: &[100, 1_000, 10_000],
        flags: |x| vec![("--units", x), ("--sleep-ms", 0)],
        repeats: &[(0, repeats(1, 5))],
        checks: 1,
    },
    quick: Sizes {
        points: &[10, 100],
        flags: |x| vec![("--units", x), ("--sleep-ms", 0)],
        repeats: &[(0, repeats(0, 1))],
        checks: 1,
    },
    skip: |x, p, _| over_process_budget(x, p),
};

/// `spawn-memory`.
pub const MEMORY: Scenario = Scenario {
    name: "spawn-memory",
    title: "spawn: live memory",
    workload: Workload::Spawn,
    shows: "K units alive at once, each sleeping: memory per live unit is (peak at \
            K - peak at 0) / K, peaks taken from several verified runs, and a \
            difference within their spread is shown as noise, not a number.",
    axis: Some(Axis {
        flag: "--units",
        unit: "units",
        one: "unit",
    }),
    measure: Measure::MemoryPerUnit,
    kernel_memory: true,
    workers: None,
    offload: false,
    latency: false,
    wrk: None,
    sized_pools: false,
    pinned: false,
    raises: &[Raise::Threads],
    load: None,
    full: Sizes {
        points: &[0, 1_000, 10_000, 100_000, 1_000_000],
        flags: |x| vec![("--units", x), ("--sleep-ms", 1_000)],
        // From 100,000 units memory is the point, and a run takes seconds
        // (100,000 threads: 11 s here): one timed run.
        repeats: &[(0, repeats(1, 3)), (100_000, repeats(0, 1))],
        checks: 3,
    },
    quick: Sizes {
        points: &[0, 10, 100],
        flags: |x| vec![("--units", x), ("--sleep-ms", 100)],
        repeats: &[(0, repeats(0, 1))],
        checks: 2,
    },
    skip: |x, p, machine| match p.short() {
        _ if x == 0 => None,
        "sequential" => Some("units sleep one after another".into()),
        "rayon" => Some(format!("sleeping jobs run {} at a time", machine.cores)),
        "threads" | "crossbeam" | "threading" if machine.threads_refused(x).is_some() => {
            machine.threads_refused(x)
        }
        "threading" if x > PYTHON_THREADS => Some(format!(
            "Python: up to {PYTHON_THREADS} threads (a run of 100000 takes minutes)"
        )),
        _ => over_process_budget(x, p),
    },
};
