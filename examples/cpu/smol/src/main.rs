//! # cpu, smol: an executor of its own, run by `--workers` threads
//!
//! smol's `unblock` sends closures to a shared blocking pool sized by the
//! `BLOCKING_MAX_THREADS` variable (default 500), and smol's global executor has
//! one thread unless `SMOL_THREADS` says otherwise. Neither is sized from code, so
//! this program builds its own `Executor`, runs it on `--workers` scoped threads,
//! and spawns each job as a task there. A task that computes never yields, so this
//! executor must serve CPU jobs only: an executor that also drives sockets would
//! stall them until the job ends.
//!
//! Compare with: `examples/cpu/tokio` (blocking pool), `examples/cpu/async-std`,
//! `examples/cpu/rayon`.
//!
//! ```text
//! cargo run --release -p smol-cpu -- --limit 2000000 --jobs 1000 --workers 2
//! ```

use std::thread;

use smol::{Executor, channel, future};
use workload::{CpuArgs, Error, Report, Workload, cpu, sys};

const PROGRAM: &str = "smol-cpu";
const PARADIGM: &str = "smol";

fn main() -> Result<(), Error> {
    let args = CpuArgs::parse_for(PROGRAM);
    run(&args)?.print(&args)
}

/// Runs an executor on `--workers` threads, spawns every job on it, sums the results.
fn run(args: &CpuArgs) -> Result<Report, Error> {
    sys::threads_fit(args.workers as u64, "executor threads")?;
    let executor = Executor::new();
    let total = thread::scope(|scope| {
        // Dropping `stop` closes the channel, which ends every `executor.run`; it is
        // made in here so that an early return drops it before the scope joins.
        let (stop, stopped) = channel::unbounded::<()>();
        for w in 0..args.workers {
            let stopped = stopped.clone();
            let executor = &executor;
            thread::Builder::new()
                .spawn_scoped(scope, move || {
                    future::block_on(executor.run(stopped.recv()))
                })
                .map_err(|e| Error::from(e).context(format!("start executor thread {w}")))?;
        }
        let jobs: Vec<_> = cpu::job_ranges(args.limit, args.jobs)
            .map(|range| executor.spawn(async move { cpu::count_primes(range) }))
            .collect();
        let total = future::block_on(async {
            let mut total = 0;
            for job in jobs {
                total += job.await;
            }
            total
        });
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
