//! # cpu, compio: a compio runtime per core, a static share of jobs each
//!
//! `--workers` OS threads, each pinned to a CPU, each running its own compio runtime
//! (one io_uring each): thread-per-core, as in `examples/cpu/tokio-per-core`, on a
//! completion-based runtime. Runtime w spawns jobs w, w+W, w+2W, ... as tasks; no
//! runtime steals another's, so a runtime whose jobs happen to be dearer finishes
//! last while the others idle. There is no I/O here: the ring is made and never
//! used, and the numbers should match tokio-per-core's. Where the kernel refuses
//! io_uring, it says so in one line and exits 1.
//!
//! Compare with: `examples/cpu/tokio-per-core` (the same shape on tokio),
//! `examples/cpu/rayon` (work stealing).
//!
//! ```text
//! cargo run --release -p compio-cpu -- --limit 2000000 --jobs 1000 --workers 2
//! ```

use std::thread;

use workload::{CpuArgs, Error, Report, Workload, cores, cpu, sys};

const PROGRAM: &str = "compio-cpu";
const PARADIGM: &str = "compio";

fn main() -> Result<(), Error> {
    let args = CpuArgs::parse_for(PROGRAM);
    run(&args)?.print(&args)
}

/// Starts a pinned thread with a runtime of its own per worker, and sums their shares.
fn run(args: &CpuArgs) -> Result<Report, Error> {
    sys::threads_fit(args.workers as u64, "runtime threads")?;
    let (limit, jobs, workers) = (args.limit, args.jobs, args.workers);
    let mut cores = Vec::new();
    for w in 0..workers {
        let core = thread::Builder::new()
            .name(format!("core-{w}"))
            .spawn(move || share(w, workers, limit, jobs))
            .map_err(|e| Error::from(e).context(format!("start runtime thread {w}")))?;
        cores.push(core);
    }
    let mut total = 0;
    for (w, core) in cores.into_iter().enumerate() {
        let panicked = |_| Error::msg(format!("runtime thread {w} panicked"));
        total += core.join().map_err(panicked)??;
    }
    Ok(Report::new(PARADIGM, workers, total))
}

/// Runtime `w` of `workers`: pins its thread, then counts jobs w, w+W, ... as tasks.
fn share(w: usize, workers: usize, limit: u64, jobs: u64) -> Result<u64, Error> {
    cores::pin_to_core(w)?;
    // A compio runtime is single-threaded: this thread polls every task it spawns.
    let runtime = compio::runtime::RuntimeBuilder::new()
        .build()
        .map_err(cores::compio_runtime_error)?;
    runtime.block_on(async {
        let mine: Vec<_> = cpu::job_ranges(limit, jobs)
            .skip(w)
            .step_by(workers)
            .map(|range| compio::runtime::spawn(async move { cpu::count_primes(range) }))
            .collect();
        let mut subtotal = 0;
        for job in mine {
            subtotal += job.await?;
        }
        Ok(subtotal)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_pi_for_any_split() {
        if testkit::uring::skip() {
            return;
        }
        testkit::cpu::check_run(testkit::cpu::Workers::Asked, run);
    }
}
