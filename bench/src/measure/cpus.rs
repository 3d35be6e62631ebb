//! Which CPUs a pinned program runs on: the scenario table counts them from
//! the first ([`crate::scenarios::placement`]); here they become CPU numbers, the
//! n-th CPU this process may run on (as `workload::cores::pin_to_core` counts
//! them, so a machine or container whose CPUs do not start at 0 works too), and
//! a `taskset -c LIST` before the program.

use std::ops::Range;

use nix::{
    sched::{CpuSet, sched_getaffinity},
    unistd::Pid,
};

/// The CPUs this process may run on, in order; `0..n` where they cannot be read.
pub fn allowed(n: usize) -> Vec<usize> {
    match sched_getaffinity(Pid::from_raw(0)) {
        Ok(set) => (0..CpuSet::count())
            .filter(|&cpu| set.is_set(cpu).unwrap_or(false))
            .collect(),
        Err(_) => (0..n).collect(),
    }
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
    vec!["taskset".into(), "-c".into(), list(&cpus)]
}

/// A CPU list as taskset and the kernel write it: runs as ranges, `0-3,8`.
fn list(cpus: &[usize]) -> String {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for &cpu in cpus {
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
    }
}
