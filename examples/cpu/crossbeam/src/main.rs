//! # cpu, crossbeam: scoped threads that share one crossbeam channel of jobs
//!
//! Every job's range goes into a crossbeam channel first; then `--workers` threads
//! receive from clones of one receiver, so an idle worker takes the next range (a
//! dynamic split) with one lock-free pop. The multi-consumer channel is what crossbeam
//! adds over std, whose `mpsc` receiver cannot be shared between workers without a
//! lock: this is the idiomatic shape of a worker pool fed from a queue.
//!
//! Compare with: `examples/cpu/threads` (an atomic counter as the queue),
//! `examples/cpu/rayon` (work stealing).
//!
//! ```text
//! cargo run --release -p crossbeam-cpu -- --limit 2000000 --jobs 1000 --workers 2
//! ```

use std::{ops::Range, thread};

use crossbeam::channel::{self, Receiver};
use workload::{CpuArgs, Error, Report, Workload, cpu, sys};

const PROGRAM: &str = "crossbeam-cpu";
const PARADIGM: &str = "crossbeam";

fn main() -> Result<(), Error> {
    let args = CpuArgs::parse_for(PROGRAM);
    run(&args)?.print(&args)
}

/// Queues every job's range, starts `--workers` threads on the queue, sums their subtotals.
fn run(args: &CpuArgs) -> Result<Report, Error> {
    sys::threads_fit(args.workers as u64, "worker threads")?;
    // Filled before the workers start: feeding a small bounded channel while they run
    // would save memory, but on few cores the feeder and the workers then wake each
    // other for every job, which costs more than a small job.
    let (jobs, queue) = channel::unbounded();
    for range in cpu::job_ranges(args.limit, args.jobs) {
        jobs.send(range)
            .expect("`queue` is alive, so the channel is open");
    }
    drop(jobs); // closes the channel: workers stop once it is empty
    // std's scoped threads: `crossbeam::scope` came first, and std adopted it in Rust 1.63.
    let total = thread::scope(|scope| {
        let mut workers = Vec::new();
        for w in 0..args.workers {
            let queue = queue.clone();
            let worker = thread::Builder::new()
                .spawn_scoped(scope, move || work(queue))
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

/// One worker: count ranges from the channel until it closes; return the primes counted.
fn work(queue: Receiver<Range<u64>>) -> u64 {
    let mut subtotal = 0;
    for range in queue {
        subtotal += cpu::count_primes(range);
    }
    subtotal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_pi_for_any_split() {
        testkit::cpu::check_run(testkit::cpu::Workers::Asked, run);
    }
}
