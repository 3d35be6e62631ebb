//! # spawn, tokio: one task per unit, on a runtime of `--workers` threads
//!
//! Each unit is a task: a future that `tokio::spawn` boxes onto the heap and a runtime
//! of `--workers` threads polls. `tokio::time::sleep` registers a timer and yields, so
//! a sleeping unit holds no thread, and 100,000 units can wait at once on two threads;
//! a task costs a few hundred bytes where a thread costs a stack.
//!
//! Compare with: `examples/spawn/threads`, `examples/spawn/smol`.
//!
//! ```text
//! cargo run --release -p tokio-spawn -- --units 100000 --sleep-ms 1000 --workers 2
//! ```

use std::time::Duration;

use workload::{Error, Report, SpawnArgs, Workload, spawn, sys};

const PROGRAM: &str = "tokio-spawn";
const PARADIGM: &str = "tokio";

fn main() -> Result<(), Error> {
    let args = SpawnArgs::parse_for(PROGRAM);
    run(&args)?.print(&args)
}

/// Spawns every unit as a task, then awaits them all and sums what they return.
fn run(args: &SpawnArgs) -> Result<Report, Error> {
    // tokio panics when a worker thread cannot start: check the OS's limits first.
    sys::threads_fit(args.workers as u64, "worker threads")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.workers) // `#[tokio::main]`'s default: one per core
        .enable_time()
        .build()?;
    let total = runtime.block_on(async {
        let mut units = Vec::new();
        for i in 0..args.units {
            units.push(tokio::spawn(unit(i, args.sleep_ms)));
        }
        let mut total = 0;
        for unit in units {
            total += unit.await?;
        }
        Ok::<u64, Error>(total)
    })?;
    Ok(Report::new(PARADIGM, args.workers, total))
}

/// One unit: sleep with this paradigm's sleep (a timer), then `add_two`.
async fn unit(i: u64, sleep_ms: u64) -> u64 {
    if sleep_ms > 0 {
        tokio::time::sleep(Duration::from_millis(sleep_ms)).await;
    }
    spawn::add_two(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_add_two() {
        testkit::spawn::check_run(testkit::spawn::Units::Tasks, run);
    }
}
