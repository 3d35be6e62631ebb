//! # cpu, async-std: jobs as tasks on an executor sized from `--workers`
//!
//! async-std has been discontinued by its maintainers (RUSTSEC-2025-0052 points to
//! smol); it stays here as a labelled historical entry because older code uses it.
//! Its executor threads come from `async-global-executor`, which reads
//! `ASYNC_STD_THREAD_COUNT` (default: one per core) unless it is configured before
//! async-std first starts it, as done here; its `spawn_blocking` pool can only be
//! sized by the `BLOCKING_MAX_THREADS` variable (default 500). So each job is a task
//! on an executor that does nothing else: a task that computes never yields, and
//! on an executor that also served sockets it would stall them until it ended.
//!
//! Compare with: `examples/cpu/smol` (its successor), `examples/cpu/tokio`.
//!
//! ```text
//! cargo run --release -p async-std-cpu -- --limit 2000000 --jobs 1000 --workers 2
//! ```

use async_global_executor::GlobalExecutorConfig;
use async_std::task;
use workload::{CpuArgs, Error, Report, Workload, cpu};

const PROGRAM: &str = "async-std-cpu";
const PARADIGM: &str = "async-std";

fn main() -> Result<(), Error> {
    let args = CpuArgs::parse_for(PROGRAM);
    run(&args)?.print(&args)
}

/// Spawns every job as a task on the `--workers` executor and sums the results.
fn run(args: &CpuArgs) -> Result<Report, Error> {
    // Must run before any async-std call; later calls keep the first configuration.
    async_global_executor::init_with_config(
        GlobalExecutorConfig::default()
            .with_min_threads(args.workers)
            .with_max_threads(args.workers),
    );
    let total = task::block_on(async {
        let jobs: Vec<_> = cpu::job_ranges(args.limit, args.jobs)
            .map(|range| task::spawn(async move { cpu::count_primes(range) }))
            .collect();
        let mut total = 0;
        for job in jobs {
            total += job.await;
        }
        total
    });
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
