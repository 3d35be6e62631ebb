//! A program at the OS's limits on threads and processes: under a small
//! RLIMIT_NPROC, and asked for more threads than `vm.max_map_count` leaves room
//! for. Either way it must refuse before it starts any, with one `Error:` line that
//! names the limit and its value, and exit status 1: never a panic, an abort or a
//! result line ([`cli::assert_fails_cleanly`]).

use std::fs;

use crate::cli;

/// The RLIMIT_NPROC the checks run a program under: room for the program itself,
/// not for the threads or processes they ask it to start.
pub const NPROC: u64 = 20;
/// Memory maps a live Rust thread holds (`workload::sys::MAPS_PER_THREAD`).
const MAPS_PER_THREAD: u64 = 4;

/// Runs `program` with `args` under RLIMIT_NPROC = [`NPROC`] and asserts that it
/// refuses, naming the limit. Root is exempt from RLIMIT_NPROC, so as root the
/// program runs as user nobody (65534), through `setpriv`.
pub fn check_nproc(program: &[&str], args: &[&str]) -> String {
    let nproc = format!("--nproc={NPROC}");
    let mut command = match real_uid() {
        Some(0) => cli::command(&[
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "prlimit",
        ]),
        _ => cli::command(&["prlimit"]),
    };
    let out = command
        .arg(nproc)
        .arg("--")
        .args(program)
        .args(args)
        .output();
    cli::assert_fails_cleanly(out, &format!("RLIMIT_NPROC is {NPROC}"))
}

/// `vm.max_map_count`, and one thread more than it leaves room for: what a
/// program must refuse before it starts any. A test whose flag cannot ask for that
/// many (a machine whose max_map_count was raised far) has nothing to check.
pub fn past_map_count() -> (u64, u64) {
    let max: u64 = fs::read_to_string("/proc/sys/vm/max_map_count")
        .expect("vm.max_map_count")
        .trim()
        .parse()
        .expect("a number");
    (max, max / MAPS_PER_THREAD + 1)
}

/// Runs `program` with `args`, which ask for [`past_map_count`]'s threads, and
/// asserts that it refuses, naming `vm.max_map_count` with its value.
pub fn check_map_count(program: &[&str], args: &[&str]) -> String {
    let (max, _) = past_map_count();
    let out = cli::command(program).args(args).output();
    cli::assert_fails_cleanly(out, &format!("vm.max_map_count is {max}"))
}

/// This process's real user id, from /proc.
fn real_uid() -> Option<u32> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
