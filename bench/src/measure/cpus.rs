//! Which CPUs a pinned program runs on: the scenario table counts them from
//! the first ([`crate::scenarios::placement`]); here they become CPU numbers, the
//! n-th of the CPUs this process may run on, one per physical core first (so a
//! point of x ≤ the physical cores runs on x distinct cores, wherever the
//! kernel numbers hyperthread siblings), and a `taskset -c LIST` before the
//! program. A machine or container whose CPUs do not start at 0 works too.
//!
//! A thread-per-core program under `taskset -c 0,2` pins its worker w to the
//! w-th CPU of that set in numeric order (`workload::cores::pin_to_core`):
//! the same CPUs, each once, whatever order they were chosen in.

use std::{collections::HashMap, fs, ops::Range};

use crate::scenarios::{cpu_list, read_cpu_list};

/// A CPU's physical core: its package and the lowest-numbered CPU of the
/// core's hyperthreads (its siblings), which names the core machine-wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Core {
    pub package: u64,
    pub first: usize,
}

/// The CPUs this process may run on, one per physical core first; `0..n`
/// where they cannot be read.
pub fn allowed(n: usize) -> Vec<usize> {
    physical_first(&cores(n))
}

/// Their layout, for `meta.env`: `4 logical CPUs, 2 physical cores (SMT: 2
/// threads per core), 1 package`.
pub fn topology(n: usize) -> String {
    layout(&cores(n))
}

/// The CPUs this process may run on, in numeric order, each with its
/// physical core as sysfs describes it (`None` where it does not).
fn cores(n: usize) -> Vec<(usize, Option<Core>)> {
    let cpus = workload::cores::allowed_cpus().unwrap_or_else(|_| (0..n).collect());
    let core = |cpu: usize| {
        let read = |file: &str| {
            fs::read_to_string(format!("/sys/devices/system/cpu/cpu{cpu}/topology/{file}")).ok()
        };
        // core_cpus_list since Linux 5.7; thread_siblings_list before it.
        let siblings = read("core_cpus_list").or_else(|| read("thread_siblings_list"))?;
        Some(Core {
            package: read("physical_package_id")?.trim().parse().ok()?,
            first: *read_cpu_list(&siblings)?.iter().min()?,
        })
    };
    cpus.into_iter().map(|cpu| (cpu, core(cpu))).collect()
}

/// `cpus` ordered one per physical core first (the first thread of each core,
/// in numeric order), then each core's second thread, and so on; in numeric
/// order where any CPU's core is unknown.
pub fn physical_first(cpus: &[(usize, Option<Core>)]) -> Vec<usize> {
    let mut sorted = cpus.to_vec();
    sorted.sort_by_key(|c| c.0);
    if sorted.iter().any(|c| c.1.is_none()) {
        return sorted.into_iter().map(|c| c.0).collect();
    }
    let mut threads: HashMap<Option<Core>, usize> = HashMap::new();
    let mut ranked: Vec<(usize, usize)> = sorted
        .into_iter()
        .map(|(cpu, core)| {
            let before = threads.entry(core).or_default();
            *before += 1;
            (*before, cpu)
        })
        .collect();
    ranked.sort_unstable();
    ranked.into_iter().map(|(_, cpu)| cpu).collect()
}

/// `2 logical CPUs, 2 physical cores, 1 package`, with the threads per core
/// where there is more than one, or why the cores are not known.
pub fn layout(cpus: &[(usize, Option<Core>)]) -> String {
    let plural = |n: usize, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    let logical = plural(cpus.len(), "logical CPU");
    let Some(known) = cpus.iter().map(|c| c.1).collect::<Option<Vec<Core>>>() else {
        return format!(
            "{logical} (their physical cores not readable here: pinned in numeric order)"
        );
    };
    let mut threads: HashMap<Core, usize> = HashMap::new();
    for core in &known {
        *threads.entry(*core).or_default() += 1;
    }
    let mut packages: Vec<u64> = known.iter().map(|c| c.package).collect();
    packages.sort_unstable();
    packages.dedup();
    let most = threads.values().copied().max().unwrap_or(1);
    let smt = match (most, threads.values().all(|&t| t == most)) {
        (1, _) => String::new(),
        (n, true) => format!(" (SMT: {n} threads per core, pinned one per core first)"),
        (n, false) => format!(" (SMT: up to {n} threads per core, pinned one per core first)"),
    };
    format!(
        "{logical}, {}{smt}, {}",
        plural(threads.len(), "physical core"),
        plural(packages.len(), "package")
    )
}

/// `taskset -c LIST` for the CPUs at `places` among `allowed`, or nothing for
/// an unpinned program.
pub fn taskset(places: Option<&Range<usize>>, allowed: &[usize]) -> Vec<String> {
    let Some(places) = places else {
        return Vec::new();
    };
    let cpus: Vec<usize> = places
        .clone()
        .map(|i| allowed.get(i).copied().unwrap_or(i))
        .collect();
    vec!["taskset".into(), "-c".into(), cpu_list(&cpus)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_become_the_allowed_cpus_as_a_list() {
        assert_eq!(taskset(Some(&(0..1)), &[0, 1]), ["taskset", "-c", "0"]);
        assert_eq!(taskset(Some(&(0..2)), &[0, 1]), ["taskset", "-c", "0-1"]);
        assert_eq!(taskset(Some(&(1..2)), &[0, 1]), ["taskset", "-c", "1"]);
        // A container on CPUs 4-7 and 12: the first three are 4-6.
        let container = [4, 5, 6, 7, 12];
        assert_eq!(taskset(Some(&(0..3)), &container)[2], "4-6");
        assert_eq!(taskset(Some(&(2..5)), &container)[2], "6-7,12");
        assert!(taskset(None, &container).is_empty());
        // This process may run somewhere.
        assert!(!allowed(1).is_empty());
        assert!(topology(1).contains("logical CPU"));
    }

    /// A made-up machine's CPUs with their cores: `(cpu, package, first sibling)`.
    fn machine(cpus: &[(usize, u64, usize)]) -> Vec<(usize, Option<Core>)> {
        let core = |package, first| Some(Core { package, first });
        cpus.iter().map(|&(cpu, p, f)| (cpu, core(p, f))).collect()
    }

    #[test]
    fn one_cpu_per_physical_core_comes_first() {
        // Siblings numbered side by side (0-1 one core, 2-3 the next): two
        // cores are CPUs 0 and 2, not one core's two threads.
        let adjacent = machine(&[(0, 0, 0), (1, 0, 0), (2, 0, 2), (3, 0, 2)]);
        assert_eq!(physical_first(&adjacent), [0, 2, 1, 3]);
        assert_eq!(taskset(Some(&(0..2)), &physical_first(&adjacent))[2], "0,2");
        assert_eq!(
            layout(&adjacent),
            "4 logical CPUs, 2 physical cores (SMT: 2 threads per core, pinned one per core first), 1 package"
        );
        // Siblings half the machine apart (0 and 2 one core): numeric order is already it.
        let apart = machine(&[(0, 0, 0), (1, 0, 1), (2, 0, 0), (3, 0, 1)]);
        assert_eq!(physical_first(&apart), [0, 1, 2, 3]);
        // Two packages, no SMT; and a container given CPUs 5, 4 and 9.
        let two = machine(&[(1, 1, 1), (0, 0, 0)]);
        assert_eq!(physical_first(&two), [0, 1]);
        assert_eq!(layout(&two), "2 logical CPUs, 2 physical cores, 2 packages");
        let container = machine(&[(5, 0, 4), (4, 0, 4), (9, 0, 9)]);
        assert_eq!(physical_first(&container), [4, 9, 5]);
        // A CPU whose core is unknown: numeric order, said.
        let unknown = vec![(1, None), (0, None)];
        assert_eq!(physical_first(&unknown), [0, 1]);
        assert!(layout(&unknown).starts_with("2 logical CPUs (their physical cores not readable"));
        assert_eq!(
            layout(&machine(&[(0, 0, 0)])),
            "1 logical CPU, 1 physical core, 1 package"
        );
    }
}
