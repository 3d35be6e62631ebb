//! # spawn, async-std: one task per unit, on an executor of `--workers` threads
//!
//! async-std has been discontinued by its maintainers (RUSTSEC-2025-0052 points to
//! smol); it stays here as a labelled historical entry because older code uses it. Each
//! unit is a task spawned with `task::spawn` on the global executor, sized here to
//! `--workers` threads; `task::sleep` registers a timer and yields, so sleeping units
//! hold no thread.
//!
//! Compare with: `examples/spawn/smol` (its successor), `examples/spawn/tokio`.
//!
//! ```text
//! cargo run --release -p async-std-spawn -- --units 100000 --sleep-ms 1000 --workers 2
//! ```

use std::time::Duration;

use async_global_executor::GlobalExecutorConfig;
use async_std::task;
use workload::{Error, Report, SpawnArgs, Workload, spawn, sys};

const PROGRAM: &str = "async-std-spawn";
const PARADIGM: &str = "async-std";

fn main() -> Result<(), Error> {
    let args = SpawnArgs::parse_for(PROGRAM);
    run(&args)?.print(&args)
}

/// Spawns every unit as a task, then awaits them all and sums what they return.
fn run(args: &SpawnArgs) -> Result<Report, Error> {
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
    let total = task::block_on(async {
        let mut units = Vec::new();
        for i in 0..args.units {
            units.push(task::spawn(unit(i, args.sleep_ms)));
        }
        let mut total = 0;
        for unit in units {
            total += unit.await;
        }
        total
    });
    Ok(Report::new(PARADIGM, args.workers, total))
}

/// One unit: sleep with this paradigm's sleep (a timer), then `add_two`.
async fn unit(i: u64, sleep_ms: u64) -> u64 {
    if sleep_ms > 0 {
        task::sleep(Duration::from_millis(sleep_ms)).await;
    }
    spawn::add_two(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The executor is global and sized once per process: `Tasks` runs every case on
    // 2 workers.
    #[test]
    fn sums_add_two() {
        testkit::spawn::check_run(testkit::spawn::Units::Tasks, run);
    }
}
