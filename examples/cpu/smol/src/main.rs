//! # cpu, smol: a task per job, on an executor dedicated to CPU jobs
//!
//! Each job is a task on this program's own `smol::Executor`, run by `--workers` scoped
//! threads and doing nothing else. A task that computes never yields, so an executor
//! that also drove sockets would stall them until it ended.
//!
//! Compare with: `examples/cpu/tokio`, `examples/cpu/async-std`, `examples/cpu/rayon`.
//!
//! ```text
//! cargo run --release -p smol-cpu -- --limit 2000000 --jobs 1000 --workers 2
//! ```

use std::{sync::Arc, thread};

use smol::{Executor, channel, future};
use workload::{CpuArgs, Error, Report, Workload, cpu, sys};

const PROGRAM: &str = "smol-cpu";
const PARADIGM: &str = "smol";

fn main() -> Result<(), Error> {
    let args = CpuArgs::parse_for(PROGRAM);
    run(&args)?.print(&args)
}

/// Runs an executor on `--workers` threads, spawns every job as a task on it, and
/// sums their results in a task of that executor.
fn run(args: &CpuArgs) -> Result<Report, Error> {
    sys::threads_fit(args.workers as u64, "executor threads")?;
    // Our own: smol's global executor has one thread unless `SMOL_THREADS` says
    // otherwise. Shared with the summing task, which spawns the jobs on it.
    let executor = Arc::new(Executor::new());
    let total = thread::scope(|scope| {
        // Dropping `stop` closes the channel, which ends every `executor.run`; it is
        // made in here so that an early return drops it before the scope joins.
        let (stop, stopped) = channel::unbounded::<()>();
        for w in 0..args.workers {
            let stopped = stopped.clone();
            let executor = &executor;
            thread::Builder::new()
                .spawn_scoped(scope, move || {
                    // futures-lite's block_on, not `smol::block_on` as examples/io/smol
                    // uses: with no sockets to wait for, a thread blocked in epoll only
                    // adds the reactor's cost.
                    future::block_on(executor.run(stopped.recv()))
                })
                .map_err(|e| Error::from(e).context(format!("start executor thread {w}")))?;
        }
        let (limit, jobs, spawner) = (args.limit, args.jobs, executor.clone());
        // The sum is a task too: a future that `block_on` awaits from outside the
        // executor is not a worker, so every finished job would wake this foreign
        // thread. This thread only waits for the sum.
        let total = future::block_on(executor.spawn(async move {
            let jobs: Vec<_> = cpu::job_ranges(limit, jobs)
                // A task, not `unblock` (a pool sized only by `BLOCKING_MAX_THREADS`,
                // default 500): that is for CPU work that shares an executor with
                // sockets (`examples/io/smol --offload`), not for this program.
                .map(|range| spawner.spawn(async move { cpu::count_primes(range) }))
                .collect();
            let mut total = 0;
            for job in jobs {
                total += job.await;
            }
            total
        }));
        drop(stop);
        Ok::<u64, Error>(total)
    })?;
    Ok(Report::new(PARADIGM, args.workers, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_pi_for_any_split() {
        testkit::cpu::check_run(testkit::cpu::Workers::Asked, run);
    }
}
