//! # cpu, rayon: a parallel iterator on an explicitly sized pool
//!
//! The job numbers become a parallel iterator on a pool of `--workers` threads; rayon
//! splits it in halves on demand and idle threads steal the halves that busy threads
//! have not started, so the dear ranges at the end are shared out without any queue in
//! our code. This is rayon's home ground: CPU-bound, independent jobs.
//!
//! Compare with: `examples/cpu/threads` (a shared counter), `examples/cpu/crossbeam`
//! (a channel), `examples/cpu/sequential` (the same loop, serial).
//!
//! ```text
//! cargo run --release -p rayon-cpu -- --limit 2000000 --jobs 1000 --workers 2
//! ```

use rayon::prelude::*;
use workload::{CpuArgs, Error, Report, Workload, cpu, sys};

const PROGRAM: &str = "rayon-cpu";
const PARADIGM: &str = "rayon";

fn main() -> Result<(), Error> {
    let args = CpuArgs::parse_for(PROGRAM);
    run(&args)?.print(&args)
}

/// Counts every job's primes with a parallel iterator inside a `--workers` pool.
fn run(args: &CpuArgs) -> Result<Report, Error> {
    sys::threads_fit(args.workers as u64, "pool threads")?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.workers) // default: RAYON_NUM_THREADS, else one per core
        .build()
        .map_err(|e| Error::from(e).context("start pool threads"))?;
    let total = pool.install(|| {
        (0..args.jobs)
            .into_par_iter()
            .map(|k| cpu::count_primes(cpu::job_range(args.limit, args.jobs, k)))
            .sum()
    });
    Ok(Report::new(PARADIGM, pool.current_num_threads(), total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_pi_for_any_split() {
        testkit::cpu::check_run(testkit::cpu::Workers::Asked, run);
    }
}
