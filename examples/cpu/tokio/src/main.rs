//! # cpu, tokio: a task per job, on a runtime dedicated to CPU jobs
//!
//! tokio's docs send CPU-bound work to rayon or to "an extra Tokio runtime dedicated
//! to CPU-bound tasks": this is that runtime, multi-thread with `--workers` threads
//! (`#[tokio::main]` would start one per core), and each job is a task on it
//! (`tokio::spawn`). A task that computes never yields, so a runtime that also
//! served sockets would stall them until it ended; this one serves nothing else.
//! The sum is a task too: a future awaited by `block_on` from outside the runtime
//! is not a worker, so every finished job would wake that foreign thread, which on
//! a busy machine preempts a worker. `spawn_blocking` is the lesson of
//! io-work-offload (`examples/io/tokio --offload`), where CPU work shares a runtime
//! with sockets, not of this program. For a program that only computes, rayon is
//! simpler.
//!
//! Compare with: `examples/cpu/smol`, `examples/cpu/async-std`, `examples/cpu/rayon`.
//!
//! ```text
//! cargo run --release -p tokio-cpu -- --limit 2000000 --jobs 1000 --workers 2
//! ```

use workload::{CpuArgs, Error, Report, Workload, cpu, sys};

const PROGRAM: &str = "tokio-cpu";
const PARADIGM: &str = "tokio";

fn main() -> Result<(), Error> {
    let args = CpuArgs::parse_for(PROGRAM);
    run(&args)?.print(&args)
}

/// Spawns every job as a task on a runtime of `--workers` threads, and sums their
/// results in a task of that runtime.
fn run(args: &CpuArgs) -> Result<Report, Error> {
    // tokio panics when a worker thread cannot start: check the OS's limits first.
    sys::threads_fit(args.workers as u64, "worker threads")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.workers) // default: one per core
        .build()?;
    let (limit, jobs) = (args.limit, args.jobs);
    // This thread only waits for the sum; the jobs wake the summing task, a worker.
    let total = runtime.block_on(runtime.spawn(async move {
        let jobs: Vec<_> = cpu::job_ranges(limit, jobs)
            .map(|range| tokio::spawn(async move { cpu::count_primes(range) }))
            .collect();
        let mut total = 0;
        for job in jobs {
            total += job.await?;
        }
        Ok::<u64, Error>(total)
    }))??;
    // The runtime's own count, so the tests see the workers it really has.
    let workers = runtime.metrics().num_workers();
    Ok(Report::new(PARADIGM, workers, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    // `workers` is `num_workers()`: a runtime of any other size fails here.
    #[test]
    fn agrees_with_pi_for_any_split() {
        testkit::cpu::check_run(testkit::cpu::Workers::Asked, run);
    }
}
