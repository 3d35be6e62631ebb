//! # cpu, threads: scoped OS threads that take jobs from a shared counter
//!
//! `std::thread::scope` starts `--workers` OS threads that borrow `args`. Each takes
//! the next job number from one `AtomicU64`, a dynamic split: a thread that drew
//! cheap early ranges simply takes more. Rust threads run in parallel (no GIL), so
//! plain threads are an idiomatic, std-only answer for CPU work. A static split
//! (thread t takes the t-th block of jobs) would leave the thread holding the last,
//! dearest block working alone at the end.
//!
//! Compare with: `examples/cpu/crossbeam` (a channel as the queue),
//! `examples/cpu/rayon` (work stealing), `examples/cpu/processes`.
//!
//! ```text
//! cargo run --release -p threads-cpu -- --limit 2000000 --jobs 1000 --workers 2
//! ```

use std::{
    sync::atomic::{AtomicU64, Ordering},
    thread,
};

use workload::{CpuArgs, Error, Report, Workload, cpu, sys};

const PROGRAM: &str = "threads-cpu";
const PARADIGM: &str = "threads";

fn main() -> Result<(), Error> {
    let args = CpuArgs::parse_for(PROGRAM);
    run(&args)?.print(&args)
}

/// Starts `--workers` threads that share one job counter, and sums their subtotals.
fn run(args: &CpuArgs) -> Result<Report, Error> {
    sys::threads_fit(args.workers as u64, "worker threads")?;
    let next_job = AtomicU64::new(0);
    let total = thread::scope(|scope| {
        let mut workers = Vec::new();
        for w in 0..args.workers {
            let worker = thread::Builder::new()
                .spawn_scoped(scope, || work(&next_job, args))
                .map_err(|e| Error::from(e).context(format!("start worker thread {w}")))?;
            workers.push(worker);
        }
        let subtotals = workers
            .into_iter()
            .map(|w| w.join().expect("count_primes does not panic"));
        Ok::<u64, Error>(subtotals.sum())
    })?;
    Ok(Report::new(PARADIGM, args.workers, total))
}

/// One worker: take job numbers until they run out; return the primes counted.
fn work(next_job: &AtomicU64, args: &CpuArgs) -> u64 {
    let mut subtotal = 0;
    loop {
        // Relaxed is enough: the counter only hands out distinct numbers, and the
        // results travel back through `join`, which synchronizes.
        let k = next_job.fetch_add(1, Ordering::Relaxed);
        if k >= args.jobs {
            return subtotal;
        }
        subtotal += cpu::count_primes(cpu::job_range(args.limit, args.jobs, k));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_pi_for_any_split() {
        testkit::cpu::check_run(testkit::cpu::Workers::Asked, run);
    }
}
