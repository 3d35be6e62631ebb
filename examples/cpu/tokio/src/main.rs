//! # cpu, tokio: a task per job, on a runtime dedicated to CPU jobs
//!
//! Each job is a task (`tokio::spawn`) on a multi-thread runtime of `--workers` threads
//! that does nothing else: tokio's docs send CPU-bound work to rayon or to "an extra
//! Tokio runtime dedicated to CPU-bound tasks", and this is that runtime. A task that
//! computes never yields, so a runtime that also served sockets would stall them until
//! it ended. It works; for a program that only computes, rayon is simpler.
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
        .worker_threads(args.workers) // `#[tokio::main]`'s default: one per core
        .build()?;
    let (limit, jobs) = (args.limit, args.jobs);
    // The sum is a task too: a future that `block_on` awaits from outside the runtime
    // is not a worker, so every finished job would wake this foreign thread, which on
    // a busy machine preempts a worker. This thread only waits for the sum.
    let total = runtime.block_on(runtime.spawn(async move {
        let jobs: Vec<_> = cpu::job_ranges(limit, jobs)
            // A task, not `spawn_blocking`: that is for CPU work that shares a runtime
            // with sockets (`examples/io/tokio --offload`), not for this program.
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
