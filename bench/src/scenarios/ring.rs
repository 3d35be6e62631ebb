//! The ring workload's scenarios: a hand-off, a hand-off on one thread, and rings of more and more units.

use super::{Axis, Limits, Measure, Scenario, Sizes, Workload, kinds::repeats, rules::*};

/// `ring-hop`.
pub const HOP: Scenario = Scenario {
    name: "ring-hop",
    title: "ring: a hand-off",
    workload: Workload::Ring,
    shows: "A token passed around a ring of units, each talking only to its \
            neighbours through the paradigm's own channel (pipes between \
            processes): the cost of one hand-off between units, the primer's \
            'exchanging data'. The sequential loop does the same arithmetic with \
            no hand-off at all. The thread-per-core paradigms (tokio-per-core, \
            compio) spread the units over their pinned runtimes, so a hop to a \
            unit of another runtime crosses threads and CPUs: what a hop that \
            crosses runtimes costs.",
    axis: None,
    measure: Measure::TimePerWork,
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
        // 200,000 hops: tokio 0.04 s, Python's threads seconds a run.
        flags: |_| vec![("--units", 100), ("--laps", 2_000)],
        repeats: &[(0, repeats(1, 5))],
        checks: 1,
    },
    quick: Sizes {
        points: &[0],
        flags: |_| vec![("--units", 10), ("--laps", 100)],
        repeats: &[(0, repeats(0, 1))],
        checks: 1,
    },
    skip: |_, p, machine| ring_refused(None, p, machine),
};

/// `ring-hop-1`.
pub const HOP_1: Scenario = Scenario {
    name: "ring-hop-1",
    title: "ring: a hand-off on one CPU",
    workload: Workload::Ring,
    shows: "The same ring on one CPU: every program pinned to it (`taskset -c 0`), \
            the runtimes with `--workers 1`. A task's hand-off is then a function \
            call on one thread; a thread's or a process's is a switch on one CPU. \
            Against ring-hop, where the receiver may sleep on the other CPU, this \
            takes out the cross-CPU wake-up: the sender's kernel must send an \
            interrupt to wake the other CPU, which leaves its idle state, and the \
            token crosses caches, on every hop (compare the two why-tables' \
            migrations and switches).",
    axis: None,
    measure: Measure::TimePerWork,
    kernel_memory: false,
    workers: Some(1),
    offload: false,
    latency: false,
    wrk: None,
    sized_pools: false,
    pinned: true,
    raises: &[],
    load: None,
    full: Sizes {
        points: &[0],
        flags: |_| vec![("--units", 100), ("--laps", 2_000)],
        repeats: &[(0, repeats(1, 5))],
        checks: 1,
    },
    quick: Sizes {
        points: &[0],
        flags: |_| vec![("--units", 10), ("--laps", 100)],
        repeats: &[(0, repeats(0, 1))],
        checks: 1,
    },
    skip: |_, p, machine| match p.short() {
        _ if p.is_python() => {
            Some("Python: in ring-hop (asyncio runs on one thread there too)".into())
        }
        _ => ring_refused(
            None,
            p,
            &Limits {
                cores: 1,
                ..*machine
            },
        ),
    },
};

/// `ring-size`.
pub const SIZE: Scenario = Scenario {
    name: "ring-size",
    title: "ring: live units",
    workload: Workload::Ring,
    shows: "Rings of more and more units, each blocked on a receive until the \
            token comes by once: memory per live unit (against the smallest \
            ring), and in the why-table the time per hop as the ring grows.",
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
    raises: &[],
    load: None,
    full: Sizes {
        points: &[10, 1_000, 10_000, 100_000],
        flags: |x| vec![("--units", x), ("--laps", 1)],
        repeats: &[(0, repeats(1, 3)), (100_000, repeats(0, 1))],
        checks: 3,
    },
    quick: Sizes {
        points: &[10, 100, 1_000],
        flags: |x| vec![("--units", x), ("--laps", 1)],
        repeats: &[(0, repeats(0, 1))],
        checks: 2,
    },
    skip: |x, p, machine| match p.short() {
        "threads" | "crossbeam" | "threading" if machine.threads_refused(x).is_some() => {
            machine.threads_refused(x)
        }
        "threading" if x > PYTHON_THREADS => Some(format!(
            "Python: up to {PYTHON_THREADS} threads (a run of 100000 takes minutes)"
        )),
        _ => ring_refused(Some(x), p, machine).or_else(|| over_process_budget(x, p)),
    },
};
