//! # cpu, async-std: a task per job, on an executor dedicated to CPU jobs
//!
//! async-std has been discontinued by its maintainers (RUSTSEC-2025-0052 points to
//! smol); it stays here as a labelled historical entry because older code uses it. Each
//! job is a task (`task::spawn`) on its global executor, sized here to `--workers`
//! threads and doing nothing else. A task that computes never yields, so an executor
//! that also served sockets would stall them until it ended.
//!
//! Compare with: `examples/cpu/smol` (its successor), `examples/cpu/tokio`.
//!
//! ```text
//! cargo run --release -p async-std-cpu -- --limit 2000000 --jobs 1000 --workers 2
//! ```

use async_global_executor::GlobalExecutorConfig;
use async_std::task;
use workload::{CpuArgs, Error, Report, Workload, cpu, sys};

const PROGRAM: &str = "async-std-cpu";
const PARADIGM: &str = "async-std";

fn main() -> Result<(), Error> {
    let args = CpuArgs::parse_for(PROGRAM);
    run(&args)?.print(&args)
}

/// Spawns every job as a task on an executor of `--workers` threads, and sums their
/// results in a task of that executor.
fn run(args: &CpuArgs) -> Result<Report, Error> {
    sys::threads_fit(args.workers as u64, "executor threads")?;
    // Must run before any async-std call; later calls keep the first configuration.
    // Without it: `ASYNC_STD_THREAD_COUNT` threads, or one per core. It starts one
    // thread, and panics if it cannot; the rest start on the next line, where a
    // thread that cannot start is an error.
    async_global_executor::init_with_config(
        GlobalExecutorConfig::default()
            .with_min_threads(1)
            .with_max_threads(args.workers),
    );
    task::block_on(async_global_executor::spawn_more_threads(args.workers - 1))
        .map_err(|e| Error::from(e).context("start executor threads"))?;
    let (limit, jobs) = (args.limit, args.jobs);
    // The sum is a task too: a future that `block_on` awaits from outside the executor
    // is not a worker, so every finished job would wake this foreign thread. This
    // thread only waits for the sum.
    let total = task::block_on(task::spawn(async move {
        let jobs: Vec<_> = cpu::job_ranges(limit, jobs)
            // A task, not `spawn_blocking` (a pool sized only by `BLOCKING_MAX_THREADS`,
            // default 500): that is for CPU work that shares an executor with sockets
            // (`examples/io/async-std --offload`), not for this program.
            .map(|range| task::spawn(async move { cpu::count_primes(range) }))
            .collect();
        let mut total = 0;
        for job in jobs {
            total += job.await;
        }
        total
    }));
    Ok(Report::new(PARADIGM, args.workers, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    // The executor is global and sized once per process, so this runs `run` on 3
    // workers at each split; tests/cli.rs runs the binary with each worker count.
    #[test]
    fn agrees_with_pi_for_any_split() {
        testkit::cpu::check_run(testkit::cpu::Workers::Global(3), run);
    }
}
