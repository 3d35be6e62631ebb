//! # spawn, rayon: one job per unit, on a pool of `--workers` threads
//!
//! Each unit is a job spawned in a `rayon::scope` on a pool of `--workers` threads. A
//! rayon job is a unit of parallelism, not of concurrency: it keeps its thread until it
//! returns, and rayon has no sleep that yields, so K sleeping units take ceil(K / W) x
//! D, in batches of W. With D = 0 this shows how cheap a job is to start; with D > 0 it
//! is a deliberate misfit, shown so that nobody uses rayon to wait.
//!
//! Compare with: `examples/spawn/threads`, `examples/spawn/tokio`.
//!
//! ```text
//! cargo run --release -p rayon-spawn -- --units 1000 --sleep-ms 0 --workers 2
//! ```

use std::{
    sync::atomic::{AtomicU64, Ordering},
    thread,
    time::Duration,
};

use workload::{Error, Report, SpawnArgs, Workload, spawn, sys};

const PROGRAM: &str = "rayon-spawn";
const PARADIGM: &str = "rayon";

fn main() -> Result<(), Error> {
    let args = SpawnArgs::parse_for(PROGRAM);
    run(&args)?.print(&args)
}

/// Spawns every unit as a job in one scope; the scope returns when all have run.
fn run(args: &SpawnArgs) -> Result<Report, Error> {
    sys::threads_fit(args.workers as u64, "pool threads")?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.workers) // default: RAYON_NUM_THREADS, else one per core
        .build()
        .map_err(|e| Error::from(e).context("start pool threads"))?;
    // Jobs return nothing, so each adds its result here; Relaxed is enough because
    // the end of the scope synchronizes with every job.
    let total = AtomicU64::new(0);
    pool.scope(|scope| {
        for i in 0..args.units {
            let total = &total;
            scope.spawn(move |_| {
                total.fetch_add(unit(i, args.sleep_ms), Ordering::Relaxed);
            });
        }
    });
    Ok(Report::new(
        PARADIGM,
        pool.current_num_threads(),
        total.into_inner(),
    ))
}

/// One unit: sleep with the only sleep a rayon job has (its thread's), then `add_two`.
fn unit(i: u64, sleep_ms: u64) -> u64 {
    if sleep_ms > 0 {
        thread::sleep(Duration::from_millis(sleep_ms));
    }
    spawn::add_two(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_add_two() {
        testkit::spawn::check_run(testkit::spawn::Units::PoolJobs, run);
    }
}
