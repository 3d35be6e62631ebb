//! The cpu workload's scenarios: the primes in one go, and split ever finer.

use super::{Axis, Measure, Scenario, Sizes, Workload, kinds::repeats};

/// `cpu`.
pub const CPU: Scenario = Scenario {
    name: "cpu",
    title: "cpu: count primes",
    workload: Workload::Cpu,
    shows: "Primes below the limit by trial division, split into jobs, on every core: \
            the primer's CPU-bound row.",
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
        flags: |_| vec![("--limit", 2_000_000), ("--jobs", 1_000)],
        repeats: &[(0, repeats(1, 5))],
        checks: 1,
    },
    quick: Sizes {
        points: &[0],
        flags: |_| vec![("--limit", 100_000), ("--jobs", 100)],
        repeats: &[(0, repeats(0, 1))],
        checks: 1,
    },
    skip: |_, _, _| None,
};

/// `cpu-granularity`.
pub const GRANULARITY: Scenario = Scenario {
    name: "cpu-granularity",
    title: "cpu granularity",
    workload: Workload::Cpu,
    shows: "The same primes split into more and more jobs: where the cost of \
            handing out a job bites, and what work stealing buys when jobs are few.",
    axis: Some(Axis {
        flag: "--jobs",
        unit: "jobs",
        one: "job",
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
        points: &[1, 10, 100, 1_000, 10_000, 100_000],
        flags: |x| vec![("--limit", 2_000_000), ("--jobs", x)],
        repeats: &[(0, repeats(1, 5))],
        checks: 1,
    },
    quick: Sizes {
        points: &[1, 100, 10_000],
        flags: |x| vec![("--limit", 100_000), ("--jobs", x)],
        repeats: &[(0, repeats(0, 1))],
        checks: 1,
    },
    skip: |_, p, _| {
        p.is_python()
            .then(|| "Python: the cpu scenario only (seconds a run)".into())
    },
};
