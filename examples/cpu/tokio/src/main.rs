//! # cpu, tokio: CPU jobs on the blocking pool, awaited from the event loop
//!
//! A tokio worker thread is an event loop: a task that computes for a second holds
//! that thread for a second, and every timer, socket and task queued behind it
//! waits (with `--workers 1`, everything stops). So CPU jobs go to
//! `spawn_blocking`, tokio's pool for work that does not yield, and the event loop
//! only awaits their results. The pool is capped at `--workers` threads; tokio's
//! default cap is 512, which would start one thread per job here. For a program
//! that only computes, rayon is simpler; this is how an async service does it.
//!
//! Compare with: `examples/cpu/smol`, `examples/cpu/async-std`, `examples/cpu/rayon`.
//!
//! ```text
//! cargo run --release -p tokio-cpu -- --limit 2000000 --jobs 1000 --workers 2
//! ```

use tokio::task::JoinSet;
use workload::{CpuArgs, Error, Report, Workload, cpu, sys};

const PROGRAM: &str = "tokio-cpu";
const PARADIGM: &str = "tokio";

fn main() -> Result<(), Error> {
    let args = CpuArgs::parse_for(PROGRAM);
    run(&args)?.print(&args)
}

/// Spawns every job on the blocking pool and sums the results as they finish.
fn run(args: &CpuArgs) -> Result<Report, Error> {
    // The pool starts threads only while jobs wait, so it never uses more than jobs.
    let workers = args.workers.min(args.jobs as usize);
    // tokio panics when no pool thread can start: check the OS's limits first.
    sys::threads_fit(workers as u64, "blocking threads")?;
    // The event loop is this thread; the blocking pool does the counting.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .max_blocking_threads(args.workers) // default: 512
        .build()?;
    let total = runtime.block_on(async {
        let mut jobs = JoinSet::new();
        for range in cpu::job_ranges(args.limit, args.jobs) {
            jobs.spawn_blocking(move || cpu::count_primes(range));
        }
        let mut total = 0;
        while let Some(count) = jobs.join_next().await {
            total += count?;
        }
        Ok::<u64, Error>(total)
    })?;
    Ok(Report::new(PARADIGM, workers, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    // The blocking pool starts a thread only while a job waits: never more than jobs.
    #[test]
    fn agrees_with_pi_for_any_split() {
        testkit::cpu::check_run(testkit::cpu::Workers::AtMostJobs, run);
    }
}
