//! Where a point's programs run: on how many of the CPUs the benchmark may
//! use, counted from the first, and with how many workers. `measure` turns
//! these into CPU numbers and `taskset`.

use std::ops::Range;

use super::{Limits, Scenario, Workload};

/// Where a program runs: its `--workers`, and the CPUs it is pinned to, counted
/// among those the benchmark may use (`None`: unpinned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub workers: usize,
    pub cpus: Option<Range<usize>>,
}

/// Where a point's programs run: the cell's program (for serve, the client)
/// and, for serve, the paradigm's server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub program: Place,
    pub server: Place,
}

/// Where a point's programs run. Outside a sweep: with the scenario's workers
/// (the machine's cores by default), a pinned scenario's on as many CPUs, the
/// first. In a sweep, at x: the paradigm's program or server on the first x
/// CPUs with x workers; a serve sweep's client on the CPUs after them, a worker
/// each, or where none remain, unpinned with the cores' count, sharing them.
pub fn placement(scenario: &Scenario, x: Option<u64>, machine: &Limits) -> Placement {
    let cores = machine.cores;
    let Some(n) = x.filter(|_| scenario.sweeps_cores()).map(|x| x as usize) else {
        let workers = scenario.workers.unwrap_or(cores);
        let program = Place {
            workers,
            cpus: scenario.pinned.then_some(0..workers),
        };
        let server = Place {
            workers,
            cpus: None,
        };
        return Placement { program, server };
    };
    let server = Place {
        workers: n,
        cpus: scenario.pinned.then_some(0..n),
    };
    let program = match scenario.workload {
        Workload::Serve if scenario.pinned && n < cores => Place {
            workers: cores - n,
            cpus: Some(n..cores),
        },
        Workload::Serve => Place {
            workers: cores,
            cpus: None,
        },
        _ => server.clone(),
    };
    Placement { program, server }
}

/// A CPU list as taskset and the kernel write it, in numeric order, runs as
/// ranges: `0-3,8`. Written here and read back by [`read_cpu_list`], so the
/// report reads a cell's `taskset -c` as `measure` wrote it.
pub fn cpu_list(cpus: &[usize]) -> String {
    let mut sorted = cpus.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for cpu in sorted {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == cpu => *end = cpu,
            _ => runs.push((cpu, cpu)),
        }
    }
    let runs = runs.iter().map(|&(a, b)| match a == b {
        true => a.to_string(),
        false => format!("{a}-{b}"),
    });
    runs.collect::<Vec<_>>().join(",")
}

/// The CPUs of a list as [`cpu_list`] and the kernel's sysfs write it; `None`
/// where it is not one.
pub fn read_cpu_list(list: &str) -> Option<Vec<usize>> {
    let mut cpus = Vec::new();
    for run in list.trim().split(',') {
        let (a, b) = run.split_once('-').unwrap_or((run, run));
        cpus.extend(a.trim().parse::<usize>().ok()?..=b.trim().parse().ok()?);
    }
    Some(cpus)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenarios::{limits::DEVELOPER_MACHINE, named};

    fn machine(cores: usize) -> Limits {
        Limits {
            cores,
            ..DEVELOPER_MACHINE
        }
    }

    #[test]
    fn a_point_runs_on_its_first_cpus_and_a_client_on_the_rest() {
        let place = |workers, cpus| Place { workers, cpus };
        let two = machine(2);
        let (cpu_cores, serve_cores) = (named("cpu-cores").unwrap(), named("serve-cores").unwrap());
        let cpu = placement(cpu_cores, Some(2), &two);
        assert_eq!(cpu.program, place(2, Some(0..2)));
        let one = placement(serve_cores, Some(1), &two);
        assert_eq!(one.server, place(1, Some(0..1)));
        assert_eq!(
            one.program,
            place(1, Some(1..2)),
            "the client on the other CPU"
        );
        let all = placement(serve_cores, Some(2), &two);
        assert_eq!(all.server, place(2, Some(0..2)));
        assert_eq!(
            all.program,
            place(2, None),
            "no CPU left: the client shares"
        );
        let big = placement(serve_cores, Some(16), &machine(64));
        assert_eq!(big.program, place(48, Some(16..64)));
        // Outside a sweep, as before: ring-hop-1 on CPU 0, serve-fast unpinned.
        let ring = placement(named("ring-hop-1").unwrap(), None, &two);
        assert_eq!(ring.program, place(1, Some(0..1)));
        let fast = placement(named("serve-fast").unwrap(), None, &two);
        assert_eq!(
            (fast.program, fast.server),
            (place(2, None), place(2, None))
        );
    }

    #[test]
    fn cpu_lists_are_written_and_read_as_the_kernel_writes_them() {
        assert_eq!(cpu_list(&[0, 1, 2, 3, 8]), "0-3,8");
        // One per physical core first (siblings numbered side by side): a set.
        assert_eq!(cpu_list(&[0, 2, 4, 6]), "0,2,4,6");
        assert_eq!(cpu_list(&[2, 0, 1]), "0-2");
        assert_eq!(read_cpu_list("0-3,8"), Some(vec![0, 1, 2, 3, 8]));
        assert_eq!(read_cpu_list("5\n"), Some(vec![5]));
        assert_eq!(read_cpu_list("0-x"), None);
        assert_eq!(read_cpu_list(&cpu_list(&[6, 7, 12])), Some(vec![6, 7, 12]));
    }
}
