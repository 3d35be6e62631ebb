//! The scenario table: the only place a scenario exists. Its name, title, the
//! lesson it shows, its points and flags (full and quick), its run counts and why
//! a paradigm skips a point. Every description in a report is made from here, so
//! a quick report states its own sizes.

use workload::io;

pub use crate::limits::Limits;

mod kinds;
mod rules;

use kinds::runs;
pub use kinds::{Axis, CLIENT, CLIENT_PARADIGM, Measure, Runs, Scenario, Sizes, unit_of_work};
use rules::*;

/// Every scenario, in report order.
pub const ALL: [Scenario; 13] = [
    Scenario {
        name: "cpu",
        title: "cpu: count primes",
        workload: "cpu",
        shows: "Primes below the limit by trial division, split into jobs, on every core: \
                the primer's CPU-bound row.",
        axis: None,
        measure: Measure::Time,
        kernel_memory: false,
        workers: None,
        offload: false,
        latency: false,
        wrk: false,
        full: Sizes {
            points: &[0],
            flags: |_| vec![("--limit", 2_000_000), ("--jobs", 1_000)],
            runs: &[(0, runs(1, 5))],
            checks: 1,
        },
        quick: Sizes {
            points: &[0],
            flags: |_| vec![("--limit", 100_000), ("--jobs", 100)],
            runs: &[(0, runs(0, 1))],
            checks: 1,
        },
        skip: |_, _, _| None,
    },
    Scenario {
        name: "cpu-granularity",
        title: "cpu granularity",
        workload: "cpu",
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
        wrk: false,
        full: Sizes {
            points: &[1, 10, 100, 1_000, 10_000, 100_000],
            flags: |x| vec![("--limit", 2_000_000), ("--jobs", x)],
            runs: &[(0, runs(1, 5))],
            checks: 1,
        },
        quick: Sizes {
            points: &[1, 100, 10_000],
            flags: |x| vec![("--limit", 100_000), ("--jobs", x)],
            runs: &[(0, runs(0, 1))],
            checks: 1,
        },
        skip: |_, p, _| {
            p.is_python()
                .then(|| "Python: the cpu scenario only (seconds a run)".into())
        },
    },
    Scenario {
        name: "io-fast",
        title: "io, fast",
        workload: "io",
        shows: "No server delay over a few keep-alive connections: the cost of the I/O \
                itself, the primer's fast-I/O row.",
        axis: None,
        measure: Measure::Time,
        kernel_memory: false,
        workers: None,
        offload: false,
        latency: false,
        wrk: false,
        full: Sizes {
            points: &[0],
            flags: |_| io_flags(20_000, 4, 0),
            runs: &[(0, runs(1, 5))],
            checks: 1,
        },
        quick: Sizes {
            points: &[0],
            flags: |_| io_flags(200, 4, 0),
            runs: &[(0, runs(0, 1))],
            checks: 1,
        },
        skip: |_, _, _| None,
    },
    Scenario {
        name: "io-slow",
        title: "io, slow",
        workload: "io",
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
        wrk: false,
        full: Sizes {
            points: &[100, 1_000, 10_000],
            flags: |x| io_flags(2 * x, x, 100),
            // 10,000 connections: no warm-up; three runs for a median and spread.
            runs: &[(0, runs(1, 3)), (10_000, runs(0, 3))],
            checks: 1,
        },
        quick: Sizes {
            points: &[10, 100],
            flags: |x| io_flags(2 * x, x, 20),
            runs: &[(0, runs(0, 1))],
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
            "processes" if x > io::MAX_PROCESSES => Some(format!(
                "{x} processes: above its ceiling of {}",
                io::MAX_PROCESSES
            )),
            _ => None,
        },
    },
    Scenario {
        name: "io-work",
        title: "io with CPU work per response",
        workload: "io",
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
        wrk: false,
        full: work_sizes(&[0, 300, 1_000, 3_000, 10_000], false),
        quick: work_sizes(&[0, 1_000], true),
        skip: |x, p, machine| work_skipped(x, p, machine),
    },
    Scenario {
        name: "io-work-offload",
        title: "io with CPU work, offloaded",
        workload: "io",
        shows: "io-work with `--offload`: the async clients count their primes on the \
                runtime's blocking pool (tokio's and async-std's `spawn_blocking`, smol's \
                `unblock`, asyncio's `run_in_executor`) and the task awaits the answer, \
                so the executor thread goes on serving the other connections. Blocking \
                clients have nothing to offload: see io-work.",
        axis: WORK_AXIS,
        measure: Measure::Time,
        kernel_memory: false,
        workers: None,
        offload: true,
        latency: true,
        wrk: false,
        full: work_sizes(&[300, 1_000, 3_000, 10_000], false),
        quick: work_sizes(&[1_000], true),
        skip: |x, p, machine| match p.short() {
            "tokio" | "async-std" | "smol" | "asyncio" => work_skipped(x, p, machine),
            _ => Some(
                "a blocking client: it computes on its connection's own thread or process \
                 (rayon: a pool thread) either way; see io-work"
                    .into(),
            ),
        },
    },
    Scenario {
        name: "serve-fast",
        title: "serve, fast",
        workload: "serve",
        shows: "Each paradigm's server, driven by one verified client (tokio-io) over a \
                few keep-alive connections with no delay: what a server costs per \
                request when nothing waits. The hyper api-server that every io client \
                meets runs beside them as the reference. wrk, an independent load \
                generator, measures every server as well, so that a client at its own \
                limit cannot pass for a slow server. Client and server share the cores.",
        axis: None,
        measure: Measure::Time,
        kernel_memory: false,
        workers: None,
        offload: false,
        latency: false,
        wrk: true,
        full: Sizes {
            points: &[0],
            flags: |_| io_flags(20_000, 4, 0),
            runs: &[(0, runs(1, 5))],
            checks: 1,
        },
        quick: Sizes {
            points: &[0],
            flags: |_| io_flags(200, 4, 0),
            runs: &[(0, runs(0, 1))],
            checks: 1,
        },
        skip: |_, _, _| None,
    },
    Scenario {
        name: "serve-slow",
        title: "serve, slow",
        workload: "serve",
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
        wrk: false,
        full: Sizes {
            points: &[100, 1_000, 10_000],
            flags: |x| io_flags(2 * x, x, 100),
            runs: &[(0, runs(1, 3)), (10_000, runs(0, 3))],
            checks: 1,
        },
        quick: Sizes {
            points: &[10, 100],
            flags: |x| io_flags(2 * x, x, 20),
            runs: &[(0, runs(0, 1))],
            checks: 1,
        },
        skip: |x, p, machine| serve_slow_skipped(x, p, machine),
    },
    Scenario {
        name: "spawn-cost",
        title: "spawn: start and join",
        workload: "spawn",
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
        wrk: false,
        full: Sizes {
            points: &[100, 1_000, 10_000],
            flags: |x| vec![("--units", x), ("--sleep-ms", 0)],
            runs: &[(0, runs(1, 5))],
            checks: 1,
        },
        quick: Sizes {
            points: &[10, 100],
            flags: |x| vec![("--units", x), ("--sleep-ms", 0)],
            runs: &[(0, runs(0, 1))],
            checks: 1,
        },
        skip: |x, p, _| over_process_budget(x, p),
    },
    Scenario {
        name: "spawn-memory",
        title: "spawn: live memory",
        workload: "spawn",
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
        wrk: false,
        full: Sizes {
            points: &[0, 1_000, 10_000, 100_000, 1_000_000],
            flags: |x| vec![("--units", x), ("--sleep-ms", 1_000)],
            // From 100,000 units memory is the point, and a run takes seconds
            // (100,000 threads: 11 s here): one timed run.
            runs: &[(0, runs(1, 3)), (100_000, runs(0, 1))],
            checks: 3,
        },
        quick: Sizes {
            points: &[0, 10, 100],
            flags: |x| vec![("--units", x), ("--sleep-ms", 100)],
            runs: &[(0, runs(0, 1))],
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
    },
    Scenario {
        name: "ring-hop",
        title: "ring: a hand-off",
        workload: "ring",
        shows: "A token passed around a ring of units, each talking only to its \
                neighbours through the paradigm's own channel (pipes between \
                processes): the cost of one hand-off between units, the primer's \
                'exchanging data'. The sequential loop does the same arithmetic with \
                no hand-off at all.",
        axis: None,
        measure: Measure::TimePerWork,
        kernel_memory: false,
        workers: None,
        offload: false,
        latency: false,
        wrk: false,
        full: Sizes {
            points: &[0],
            // 200,000 hops: tokio 0.04 s, Python's threads seconds a run.
            flags: |_| vec![("--units", 100), ("--laps", 2_000)],
            runs: &[(0, runs(1, 5))],
            checks: 1,
        },
        quick: Sizes {
            points: &[0],
            flags: |_| vec![("--units", 10), ("--laps", 100)],
            runs: &[(0, runs(0, 1))],
            checks: 1,
        },
        skip: |_, p, machine| ring_refused(None, p, machine),
    },
    Scenario {
        name: "ring-hop-1",
        title: "ring: a hand-off on one thread",
        workload: "ring",
        shows: "The same ring with `--workers 1`: tasks on a single-threaded runtime, \
                where a hand-off is a function call on one thread, against ring-hop's \
                runtimes of one thread per core, where it can be a wake-up across \
                cores. Units that are threads or processes are in ring-hop only: \
                `--workers` does not change them.",
        axis: None,
        measure: Measure::TimePerWork,
        kernel_memory: false,
        workers: Some(1),
        offload: false,
        latency: false,
        wrk: false,
        full: Sizes {
            points: &[0],
            flags: |_| vec![("--units", 100), ("--laps", 2_000)],
            runs: &[(0, runs(1, 5))],
            checks: 1,
        },
        quick: Sizes {
            points: &[0],
            flags: |_| vec![("--units", 10), ("--laps", 100)],
            runs: &[(0, runs(0, 1))],
            checks: 1,
        },
        skip: |_, p, machine| match p.short() {
            "sequential" | "tokio" | "async-std" | "smol" if !p.is_python() => None,
            "rayon" => ring_refused(
                None,
                p,
                &Limits {
                    cores: 1,
                    ..*machine
                },
            ),
            _ if p.is_python() => {
                Some("Python: in ring-hop (asyncio runs on one thread there too)".into())
            }
            _ => Some(
                "one OS thread or process per unit whatever --workers says: see ring-hop".into(),
            ),
        },
    },
    Scenario {
        name: "ring-size",
        title: "ring: live units",
        workload: "ring",
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
        wrk: false,
        full: Sizes {
            points: &[10, 1_000, 10_000, 100_000],
            flags: |x| vec![("--units", x), ("--laps", 1)],
            runs: &[(0, runs(1, 3)), (100_000, runs(0, 1))],
            checks: 3,
        },
        quick: Sizes {
            points: &[10, 100, 1_000],
            flags: |x| vec![("--units", x), ("--laps", 1)],
            runs: &[(0, runs(0, 1))],
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
    },
];

/// The scenario of that name.
pub fn named(name: &str) -> Option<&'static Scenario> {
    ALL.iter().find(|s| s.name == name)
}

/// Every scenario's name, for `--help` and errors.
pub fn names() -> Vec<&'static str> {
    ALL.iter().map(|s| s.name).collect()
}

#[cfg(test)]
mod tests;
