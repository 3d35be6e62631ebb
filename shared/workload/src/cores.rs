//! What the thread-per-core paradigms ask of the OS: a CPU for each worker thread,
//! and io_uring. A pinned thread never migrates, so its runtime's caches and
//! timers stay on one core; `taskset` before the program narrows the CPUs it
//! picks from, so a benchmark can sweep 1, 2, 4, ... cores.

use std::{fs, io};

use nix::{
    sched::{CpuSet, sched_getaffinity, sched_setaffinity},
    unistd::Pid,
};

use crate::Error;

/// Pins the calling thread to the `worker`-th CPU this process may run on
/// (counting round: worker `n` of more workers than CPUs shares CPU `n mod cpus`),
/// and returns that CPU's number. A thread started by an unpinned thread inherits
/// the process's CPUs, so each worker calls this first thing.
pub fn pin_to_core(worker: usize) -> io::Result<usize> {
    let here = Pid::from_raw(0); // the calling thread
    let allowed = sched_getaffinity(here)?;
    let cpus: Vec<usize> = (0..CpuSet::count())
        .filter(|&cpu| allowed.is_set(cpu).unwrap_or(false))
        .collect();
    let Some(&cpu) = cpus.get(worker % cpus.len().max(1)) else {
        return Err(io::Error::other("this thread may run on no CPU"));
    };
    let mut only = CpuSet::new();
    only.set(cpu)?;
    sched_setaffinity(here, &only)?;
    Ok(cpu)
}

/// The one-line error of a program whose io_uring could not start: why the kernel
/// refused it (its `kernel.io_uring_disabled` setting, or a kernel or seccomp
/// filter without it) and that the program needs it.
pub fn io_uring_unavailable(e: io::Error) -> Error {
    Error::msg(format!(
        "io_uring is unavailable here ({e}; {}): compio needs it, and has no epoll fallback \
         in this project, so that its numbers are io_uring's",
        io_uring_state()
    ))
}

/// The kernel's io_uring setting, in words, for error lines and the machine
/// description: `kernel.io_uring_disabled = 0 (on for every process)`.
pub fn io_uring_state() -> String {
    match fs::read_to_string("/proc/sys/kernel/io_uring_disabled") {
        Ok(value) => {
            let value = value.trim();
            let meaning = match value {
                "0" => "on for every process",
                "1" => "on only for root and the group in kernel.io_uring_group",
                "2" => "off for every process",
                _ => "unknown value",
            };
            format!("kernel.io_uring_disabled = {value} ({meaning})")
        }
        // Kernels before 6.6 have no such setting: io_uring is on where it was built in.
        Err(_) => "no kernel.io_uring_disabled (a kernel before 6.6, or not Linux)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worker_is_pinned_to_a_cpu_it_may_run_on() {
        let allowed = sched_getaffinity(Pid::from_raw(0)).unwrap();
        let cpu = std::thread::spawn(|| pin_to_core(0))
            .join()
            .unwrap()
            .unwrap();
        assert!(allowed.is_set(cpu).unwrap());
        let pinned = std::thread::spawn(move || {
            pin_to_core(1).unwrap();
            sched_getaffinity(Pid::from_raw(0)).unwrap()
        });
        let only = pinned.join().unwrap();
        let count = (0..CpuSet::count())
            .filter(|&c| only.is_set(c).unwrap())
            .count();
        assert_eq!(count, 1, "a pinned thread may run on one CPU");
    }

    #[test]
    fn the_io_uring_error_says_why_and_what_needs_it() {
        let e = io_uring_unavailable(io::Error::from_raw_os_error(1));
        let line = e.to_string();
        assert!(line.starts_with("io_uring is unavailable here (Operation not permitted"));
        assert!(line.contains("compio needs it"), "{line}");
        assert!(!line.contains('\n'));
    }
}
