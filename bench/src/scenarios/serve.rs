//! The serve workload's scenarios: every server under one verified client, with no delay and with many slow connections.

use super::{
    Axis, Measure, Raise, Scenario, Sizes, Workload, WrkSeconds, kinds::repeats, rules::*,
};

/// `serve-fast`.
pub const FAST: Scenario = Scenario {
    name: "serve-fast",
    title: "serve, fast",
    workload: Workload::Serve,
    shows: "Each paradigm's server, driven by one verified client (tokio-io) over a \
            few keep-alive connections with no delay: what a server costs per \
            request when nothing waits. The hyper api-server that every io client \
            meets runs beside them as the reference. wrk, an independent load \
            generator, measures every server as well, so that a client at its own \
            limit cannot pass for a slow server. Client and server share the cores. \
            crossbeam's and rayon's servers are fixed pools that hold a worker per \
            open connection: at the cores' count, connections beyond the pool wait \
            for the whole run (their rows say so), so they also run sized to the \
            connections (`crossbeam-sized`, `rayon-sized`).",
    axis: None,
    measure: Measure::Time,
    kernel_memory: false,
    workers: None,
    offload: false,
    latency: false,
    wrk: Some(WrkSeconds { full: 3, quick: 1 }),
    sized_pools: true,
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

/// `serve-slow`.
pub const SLOW: Scenario = Scenario {
    name: "serve-slow",
    title: "serve, slow",
    workload: Workload::Serve,
    shows: "Every request waits out the server's delay, two requests per \
            connection, every connection open at once, from one verified client \
            (tokio-io): the ideal is twice the delay at every x. A \
            thread-per-connection server sleeps a thread per waiting request; an \
            async server parks a task on a timer. The server's memory is read from \
            outside over its process tree, idle and at the end of the run: per \
            connection it is (peak - idle) / connections, in user space (its \
            processes' VmHWM) and, in a memory cgroup of its own, with the \
            kernel's share (stacks, socket buffers).",
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
        repeats: &[(0, repeats(1, 3)), (10_000, repeats(0, 3))],
        checks: 1,
    },
    quick: Sizes {
        points: &[10, 100],
        flags: |x| io_flags(2 * x, x, 20),
        repeats: &[(0, repeats(0, 1))],
        checks: 1,
    },
    skip: |x, p, machine| serve_slow_skipped(x, p, machine),
};
