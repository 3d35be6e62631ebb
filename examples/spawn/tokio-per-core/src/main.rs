//! # spawn, tokio-per-core: a current-thread runtime per core, a share of the tasks each
//!
//! `--workers` OS threads, each pinned to a CPU, each running its own current-thread
//! tokio runtime: thread-per-core. Unit i is a task on runtime i mod W, and never leaves
//! it. `tokio::time::sleep` registers a timer on that runtime and yields, so a sleeping
//! unit holds no thread: a live unit costs a task (a few hundred bytes), as in tokio-spawn,
//! not a stack. The share is fixed before the run; for units that all sleep alike, it is
//! fair, and no runtime steals another's tasks or shares a queue with it.
//!
//! Compare with: `examples/spawn/tokio` (one runtime, work stealing),
//! `examples/spawn/threads`, `examples/cpu/tokio-per-core`.
//!
//! ```text
//! cargo run --release -p tokio-per-core-spawn -- --units 100000 --sleep-ms 1000 --workers 2
//! ```

use std::{thread, time::Duration};

use workload::{Error, Report, SpawnArgs, Workload, cores, spawn, sys};

const PROGRAM: &str = "tokio-per-core-spawn";
const PARADIGM: &str = "tokio-per-core";

fn main() -> Result<(), Error> {
    let args = SpawnArgs::parse_for(PROGRAM);
    run(&args)?.print(&args)
}

/// Starts a pinned thread with a runtime of its own per worker, and sums their shares.
fn run(args: &SpawnArgs) -> Result<Report, Error> {
    sys::threads_fit(args.workers as u64, "runtime threads")?;
    let (units, sleep_ms, workers) = (args.units, args.sleep_ms, args.workers);
    let mut cores = Vec::new();
    for w in 0..workers {
        let core = thread::Builder::new()
            .name(format!("core-{w}"))
            .spawn(move || share(w, workers, units, sleep_ms))
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

/// Runtime `w` of `workers`: pins its thread, spawns units w, w+W, ... as tasks, then
/// awaits them all and sums what they return.
fn share(w: usize, workers: usize, units: u64, sleep_ms: u64) -> Result<u64, Error> {
    cores::pin_to_core(w)?;
    // A current-thread runtime: this thread polls every task it spawns, and no other.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    runtime.block_on(async {
        let mut mine = Vec::new();
        for i in (w as u64..units).step_by(workers) {
            mine.push(tokio::spawn(unit(i, sleep_ms)));
        }
        let mut subtotal = 0;
        for unit in mine {
            subtotal += unit.await?;
        }
        Ok(subtotal)
    })
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
