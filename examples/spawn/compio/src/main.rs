//! # spawn, compio: a compio runtime per core, a share of the units each
//!
//! `--workers` OS threads, each pinned to a CPU, each running its own compio runtime
//! (one io_uring each): thread-per-core on a completion-based runtime. Unit i is a task
//! on runtime i mod W, and never leaves it. `compio::time::sleep` adds a deadline to the
//! runtime's own timers (a `BTreeMap`), the nearest of which bounds its wait in
//! `io_uring_enter`, so a sleeping unit holds no thread: a live unit costs a task (about
//! 340 bytes at 100,000 live), as in tokio-per-core, not a stack. Where the kernel
//! refuses io_uring, it says so in one line and exits 1.
//!
//! Compare with: `examples/spawn/tokio-per-core` (the same shape on tokio),
//! `examples/spawn/tokio` (one runtime, work stealing).
//!
//! ```text
//! cargo run --release -p compio-spawn -- --units 100000 --sleep-ms 1000 --workers 2
//! ```

use std::{thread, time::Duration};

use workload::{Error, Report, SpawnArgs, Workload, cores, spawn, sys};

const PROGRAM: &str = "compio-spawn";
const PARADIGM: &str = "compio";

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
    // A compio runtime is single-threaded: this thread polls every task it spawns.
    let runtime = compio::runtime::RuntimeBuilder::new()
        .build()
        .map_err(cores::compio_runtime_error)?;
    runtime.block_on(async {
        let mut mine = Vec::new();
        for i in (w as u64..units).step_by(workers) {
            mine.push(compio::runtime::spawn(unit(i, sleep_ms)));
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
        compio::time::sleep(Duration::from_millis(sleep_ms)).await;
    }
    spawn::add_two(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_add_two() {
        if testkit::uring::skip() {
            return;
        }
        testkit::spawn::check_run(testkit::spawn::Units::Tasks, run);
    }
}
