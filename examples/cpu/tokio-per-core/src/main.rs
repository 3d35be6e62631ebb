//! # cpu, tokio-per-core: a current-thread runtime per core, a static share of jobs each
//!
//! `--workers` OS threads, each pinned to a CPU, each running its own current-thread
//! tokio runtime: thread-per-core, the model of Seastar, Glommio and monoio. Runtime
//! w spawns jobs w, w+W, w+2W, ... as tasks and nothing else; a task never leaves its
//! thread, so no queue or cache line is shared. The lesson is what that costs for
//! CPU work: the share is fixed before the run, no runtime steals another's jobs, and
//! a runtime whose jobs happen to be dearer finishes last while the others idle (see
//! cpu-granularity with few jobs). For serving sockets, where each connection is its
//! own small share, it is the model's strength; for this, rayon is simpler.
//!
//! Compare with: `examples/cpu/tokio` (one runtime, work stealing),
//! `examples/cpu/compio` (the same shape on io_uring), `examples/cpu/rayon`.
//!
//! ```text
//! cargo run --release -p tokio-per-core-cpu -- --limit 2000000 --jobs 1000 --workers 2
//! ```

use std::thread;

use workload::{CpuArgs, Error, Report, Workload, cores, cpu, sys};

const PROGRAM: &str = "tokio-per-core-cpu";
const PARADIGM: &str = "tokio-per-core";

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
    // A current-thread runtime: this thread polls every task it spawns, and no other.
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    runtime.block_on(async {
        let mine: Vec<_> = cpu::job_ranges(limit, jobs)
            .skip(w)
            .step_by(workers)
            .map(|range| tokio::spawn(async move { cpu::count_primes(range) }))
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
        testkit::cpu::check_run(testkit::cpu::Workers::Asked, run);
    }
}
