//! What the thread-per-core paradigms ask of the OS: a CPU for each worker thread,
//! and io_uring. A pinned thread never migrates, so its runtime's caches and
//! timers stay on one core; `taskset` before the program narrows the CPUs it
//! picks from, so a benchmark can sweep 1, 2, 4, ... cores.

use std::{cell::Cell, fs, io};

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
    let cpus = allowed_cpus()?;
    let Some(&cpu) = cpus.get(worker % cpus.len().max(1)) else {
        return Err(io::Error::other("this thread may run on no CPU"));
    };
    let mut only = CpuSet::new();
    only.set(cpu)?;
    sched_setaffinity(Pid::from_raw(0), &only)?;
    Ok(cpu)
}

/// The CPUs the calling thread may run on, in numeric order: what `taskset` left
/// it. [`pin_to_core`] picks from them; the benchmark pins programs to them.
pub fn allowed_cpus() -> io::Result<Vec<usize>> {
    let allowed = sched_getaffinity(Pid::from_raw(0))?; // the calling thread
    Ok((0..CpuSet::count())
        .filter(|&cpu| allowed.is_set(cpu).unwrap_or(false))
        .collect())
}

/// Lets the calling thread run on every CPU the process may (the main thread's set,
/// which no program pins), once per thread: a blocking pool's threads are started
/// by a pinned runtime thread and inherit its one CPU, so work offloaded to them
/// would get no other core. Call it first in an offloaded closure; after the first
/// call on a thread it costs a thread-local read.
pub fn unpin() -> io::Result<()> {
    thread_local!(static UNPINNED: Cell<bool> = const { Cell::new(false) });
    if UNPINNED.get() {
        return Ok(());
    }
    let process = sched_getaffinity(Pid::this())?; // the main thread's CPUs
    sched_setaffinity(Pid::from_raw(0), &process)?;
    UNPINNED.set(true);
    Ok(())
}

/// The one-line error of a compio program whose runtime could not start. Where the
/// kernel refused io_uring itself (EPERM or EACCES: `kernel.io_uring_disabled` or a
/// seccomp filter; ENOSYS: a kernel without it; EINVAL: one too old for the ring
/// compio asks for), it says so and that the program needs it; any other error (the
/// open-file limit, memory) is that error, with what was being done.
pub fn compio_runtime_error(e: io::Error) -> Error {
    match io_uring_refusal(&e) {
        Some(why) => Error::msg(why),
        None => Error::from(e).context("start a compio runtime".to_string()),
    }
}

/// `io_uring is unavailable here (...)` where `e` is the kernel refusing io_uring,
/// else `None`: the line the benchmark and the tests skip compio's cells on.
pub fn io_uring_refusal(e: &io::Error) -> Option<String> {
    const EPERM: i32 = 1;
    const EACCES: i32 = 13;
    const EINVAL: i32 = 22;
    const ENOSYS: i32 = 38;
    matches!(e.raw_os_error(), Some(EPERM | EACCES | EINVAL | ENOSYS)).then(|| {
        format!(
            "io_uring is unavailable here ({e}; {}): compio needs it, and has no epoll \
             fallback in this project, so that its numbers are io_uring's",
            io_uring_state()
        )
    })
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
    fn an_unpinned_thread_may_run_where_the_process_may() {
        let process = sched_getaffinity(Pid::this()).unwrap();
        let after = std::thread::spawn(|| {
            pin_to_core(0).unwrap();
            unpin().unwrap();
            sched_getaffinity(Pid::from_raw(0)).unwrap()
        });
        assert_eq!(after.join().unwrap(), process);
    }

    #[test]
    fn the_io_uring_error_says_why_and_what_needs_it() {
        let line = compio_runtime_error(io::Error::from_raw_os_error(1)).to_string();
        assert!(line.starts_with("io_uring is unavailable here (Operation not permitted"));
        assert!(line.contains("compio needs it"), "{line}");
        assert!(!line.contains('\n'));
    }

    #[test]
    fn another_error_is_not_blamed_on_io_uring() {
        let e = io::Error::from_raw_os_error(24); // EMFILE: the open-file limit
        assert_eq!(io_uring_refusal(&e), None);
        let line = compio_runtime_error(e).to_string();
        assert!(line.starts_with("start a compio runtime: "), "{line}");
        assert!(!line.contains("io_uring is unavailable"), "{line}");
    }
}
