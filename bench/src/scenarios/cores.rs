//! The sweeps across cores: the same work at 1, 2, 4, ... workers, each point
//! pinned to that many of the machine's CPUs, up to its own count and no
//! further ([`Scenario::points`]). cpu-cores keeps the work fixed (speed-up
//! against one core); serve-cores gives every core the same load (requests per
//! second per core). Where a point's programs run, and with how many workers,
//! is [`super::placement`]'s.

use super::{Axis, Limits, Measure, Scenario, Sizes, Workload, kinds::repeats, rules::io_flags};
use crate::scenarios::paradigms::Paradigm;

/// A sweep's x: the worker count, which is also the CPUs the point runs on.
const WORKERS: Option<Axis> = Some(Axis {
    flag: "--workers",
    unit: "cores",
    one: "core",
});

/// Powers of two up to `--workers`' limit; a machine runs those up to its cores,
/// then its cores where they are not a power of two.
const POWERS: &[u64] = &[1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/// serve-cores' load per core: serve-fast's requests and connections.
pub const REQUESTS_PER_CORE: u64 = 20_000;
pub const CONNECTIONS_PER_CORE: u64 = 4;

/// `cpu-cores`.
pub const CPU: Scenario = Scenario {
    name: "cpu-cores",
    title: "cpu across cores",
    workload: Workload::Cpu,
    shows: "The cpu scenario's work, primes by trial division split into jobs \
            (its sizes below), at 1, 2, 4, ... workers, each point pinned to that \
            many logical CPUs, one per physical core before any core's second \
            hyperthread (`taskset -c`; the thread-per-core runtimes pin a worker \
            to each of them): how each paradigm's time falls as cores are added. \
            The work is the same at every point: speed-up is the paradigm's mean \
            time on one core over its mean time on x, ± hyperfine's uncertainty, \
            and the ideal is x. sequential runs one thread whatever `--workers` \
            says.",
    axis: WORKERS,
    measure: Measure::Time,
    kernel_memory: false,
    workers: None,
    offload: false,
    latency: false,
    wrk: None,
    sized_pools: false,
    pinned: true,
    raises: &[],
    load: None,
    full: Sizes {
        points: POWERS,
        // Five times cpu's limit: long on one core, so that start-up stays
        // small beside the work at many cores.
        flags: |_| vec![("--limit", 10_000_000), ("--jobs", 1_000)],
        repeats: &[(0, repeats(1, 5))],
        checks: 1,
    },
    quick: Sizes {
        points: POWERS,
        flags: |_| vec![("--limit", 100_000), ("--jobs", 100)],
        repeats: &[(0, repeats(0, 1))],
        checks: 1,
    },
    skip: cpu_skipped,
};

/// `serve-cores`.
pub const SERVE: Scenario = Scenario {
    name: "serve-cores",
    title: "serve across cores",
    workload: Workload::Serve,
    shows: "Each server whose `--workers` is its count of threads or processes, at \
            1, 2, 4, ... workers, pinned to that many logical CPUs, one per \
            physical core first (`taskset -c`), under a load that grows with \
            them: per core, serve-fast's requests over 4 keep-alive connections, \
            so at x cores x times its requests over 4·x connections, from one \
            verified client (tokio-io; the sizes below). Every core of the server \
            gets the same work at every point, so the ideal is a flat line of \
            requests per second per core, as far as the client keeps up. Four \
            connections per core, not a fixed four: a server that gives each \
            worker its own listener (SO_REUSEPORT) or its own connections can use \
            no more cores than it has connections, and the kernel spreads them \
            unevenly, so a fixed few would measure the client, not the server. \
            The client runs on the CPUs the server does not, while any remain, \
            and at the machine's last point shares the server's: a point where \
            it shares them or has fewer than the server is marked client-bound \
            possible, its rate perhaps the client's (the list above the table \
            says where each point ran).",
    axis: WORKERS,
    measure: Measure::Time,
    kernel_memory: false,
    workers: None,
    offload: false,
    latency: false,
    wrk: None,
    sized_pools: false,
    pinned: true,
    raises: &[],
    load: None,
    full: Sizes {
        points: POWERS,
        flags: |x| io_flags(REQUESTS_PER_CORE * x, CONNECTIONS_PER_CORE * x, 0),
        repeats: &[(0, repeats(1, 5))],
        checks: 1,
    },
    quick: Sizes {
        points: POWERS,
        flags: |x| io_flags(200 * x, CONNECTIONS_PER_CORE * x, 0),
        repeats: &[(0, repeats(0, 1))],
        checks: 1,
    },
    skip: serve_skipped,
};

/// Python's rows are the primer's: the sweep is of Rust's runtimes.
const PYTHON: &str = "Python: not swept; its programs run in cpu and serve-fast, on every core";

/// Who sits out cpu-cores: whoever ignores `--workers`.
pub fn cpu_skipped(_: u64, p: &Paradigm, _: &Limits) -> Option<String> {
    match p.short() {
        _ if p.is_python() => Some(PYTHON.into()),
        "sequential" => Some(
            "one thread whatever `--workers` says: each row's 1-core point stands in for it".into(),
        ),
        _ => None,
    }
}

/// Who sits out serve-cores: the servers whose threads are not `--workers`
/// (a thread per connection, one thread) and the fixed pools, which hold a
/// worker per connection, so that at x workers the other 3·x connections wait
/// for the whole run.
pub fn serve_skipped(x: u64, p: &Paradigm, _: &Limits) -> Option<String> {
    let connections = CONNECTIONS_PER_CORE * x;
    match p.short() {
        _ if p.is_python() => Some(PYTHON.into()),
        "sequential" => Some("one thread serves one connection at a time, whatever `--workers` says".into()),
        "threads" => Some("a thread per connection whatever `--workers` says: its threads follow the connections, not the cores".into()),
        "crossbeam" | "rayon" => Some(format!(
            "a fixed pool of {x} {} holds a worker per connection: the other {} of {connections} connections would wait for the whole run",
            if x == 1 { "worker" } else { "workers" },
            connections - x
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenarios::{limits::DEVELOPER_MACHINE, named, paradigms::Language};

    fn machine(cores: usize) -> Limits {
        Limits {
            cores,
            ..DEVELOPER_MACHINE
        }
    }

    fn xs(scenario: &Scenario, quick: bool, cores: usize) -> Vec<u64> {
        let points = scenario.points(quick, &machine(cores));
        points.into_iter().map(|x| x.unwrap()).collect()
    }

    /// Rust paradigms by name, those of the thread-per-core issue included
    /// (they join `paradigms::ALL` elsewhere): the rules read names only.
    fn rust(name: &'static str) -> Paradigm {
        Paradigm {
            name,
            language: Language::Rust,
            family: name,
            sized: false,
        }
    }

    #[test]
    fn the_points_stop_at_the_machines_cores_and_end_on_them() {
        for scenario in [&CPU, &SERVE] {
            assert_eq!(xs(scenario, false, 2), [1, 2]);
            assert_eq!(xs(scenario, true, 2), [1, 2], "quick: the same points");
            assert_eq!(xs(scenario, false, 1), [1]);
            assert_eq!(xs(scenario, false, 6), [1, 2, 4, 6]);
            assert_eq!(xs(scenario, false, 64), [1, 2, 4, 8, 16, 32, 64]);
            // `--workers` stops at 1024, and so does the sweep.
            assert_eq!(xs(scenario, false, 1500).last(), Some(&1024));
        }
        // Other scans keep their points on any machine.
        let slow = named("serve-slow").unwrap();
        assert_eq!(
            slow.points(false, &machine(64)),
            slow.points(false, &machine(2))
        );
    }

    #[test]
    fn who_sits_out_is_said_by_name() {
        let limits = machine(2);
        let runs = |scenario: &Scenario, name| (scenario.skip)(2, &rust(name), &limits).is_none();
        for name in [
            "processes",
            "threads",
            "crossbeam",
            "rayon",
            "tokio",
            "async-std",
            "smol",
        ] {
            assert!(runs(&CPU, name), "cpu-cores {name}");
        }
        for name in ["tokio-per-core", "compio"] {
            assert!(runs(&CPU, name) && runs(&SERVE, name), "{name}");
        }
        for name in ["processes", "tokio", "async-std", "smol", "api-server"] {
            assert!(runs(&SERVE, name), "serve-cores {name}");
        }
        assert!(!runs(&CPU, "sequential") && !runs(&SERVE, "sequential"));
        for name in ["threads", "crossbeam", "rayon"] {
            assert!(!runs(&SERVE, name), "serve-cores {name}");
        }
        let pool = (SERVE.skip)(2, &rust("rayon"), &limits).unwrap();
        assert!(pool.contains("a fixed pool of 2 workers holds a worker per connection: the other 6 of 8 connections"), "{pool}");
        let python = crate::scenarios::paradigms::named("python-multiprocessing").unwrap();
        assert_eq!((CPU.skip)(1, python, &limits).as_deref(), Some(PYTHON));
        assert_eq!((SERVE.skip)(1, python, &limits).as_deref(), Some(PYTHON));
    }

    #[test]
    fn each_core_gets_serve_fasts_load() {
        let flags = (SERVE.full.flags)(4);
        assert!(flags.contains(&("--requests", 80_000)), "{flags:?}");
        assert_eq!(SERVE.full.connections_at(4), Some(16));
        let fast = named("serve-fast").unwrap();
        assert_eq!((SERVE.full.flags)(1), (fast.full.flags)(0));
    }

    /// A quick run states its own sizes (printed below the text from its
    /// commands), so neither sweep's text names one, at either size.
    #[test]
    fn the_texts_state_no_sizes() {
        for scenario in [&CPU, &SERVE] {
            for sizes in [&scenario.full, &scenario.quick] {
                for (flag, value) in (sizes.flags)(1) {
                    let with_commas = value
                        .to_string()
                        .as_bytes()
                        .rchunks(3)
                        .rev()
                        .map(|d| std::str::from_utf8(d).unwrap())
                        .collect::<Vec<_>>()
                        .join(",");
                    for said in [value.to_string(), with_commas] {
                        let named = value > 4 && scenario.shows.contains(&said);
                        assert!(!named, "{}: {flag} {said}", scenario.name);
                    }
                }
            }
            assert!(!scenario.shows.contains("five times"), "{}", scenario.name);
        }
    }
}
