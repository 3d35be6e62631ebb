//! # spawn, smol: one task per unit, on an executor run by `--workers` threads
//!
//! Each unit is a task on this program's own `smol::Executor`, run by `--workers`
//! scoped threads: the pattern smol's documentation gives for a multi-threaded
//! executor. `Timer::after` registers a timer with smol's reactor and yields, so
//! sleeping units hold no thread.
//!
//! Compare with: `examples/spawn/tokio`, `examples/spawn/async-std`.
//!
//! ```text
//! cargo run --release -p smol-spawn -- --units 100000 --sleep-ms 1000 --workers 2
//! ```

use std::{thread, time::Duration};

use smol::{Executor, Timer, channel, future};
use workload::{Error, Report, SpawnArgs, Workload, spawn, sys};

const PROGRAM: &str = "smol-spawn";
const PARADIGM: &str = "smol";

fn main() -> Result<(), Error> {
    let args = SpawnArgs::parse_for(PROGRAM);
    run(&args)?.print(&args)
}

/// Runs an executor on `--workers` threads, spawns every unit on it, sums the results.
fn run(args: &SpawnArgs) -> Result<Report, Error> {
    sys::threads_fit(args.workers as u64, "executor threads")?;
    // Our own: smol's global executor has one thread unless `SMOL_THREADS` says otherwise.
    let executor = Executor::new();
    let total = thread::scope(|scope| {
        // Dropping `stop` closes the channel, which ends every `executor.run`; it is
        // made in here so that an early return drops it before the scope joins.
        let (stop, stopped) = channel::unbounded::<()>();
        for w in 0..args.workers {
            let stopped = stopped.clone();
            let executor = &executor;
            thread::Builder::new()
                .spawn_scoped(scope, move || {
                    // futures-lite's block_on, not `smol::block_on` as examples/io/smol
                    // uses: with only timers that fire together, a thread blocked in
                    // epoll adds the reactor's cost (it measured no faster).
                    future::block_on(executor.run(stopped.recv()))
                })
                .map_err(|e| Error::from(e).context(format!("start executor thread {w}")))?;
        }
        let mut units = Vec::new();
        for i in 0..args.units {
            units.push(executor.spawn(unit(i, args.sleep_ms)));
        }
        let total = future::block_on(async {
            let mut total = 0;
            for unit in units {
                total += unit.await;
            }
            total
        });
        drop(stop);
        Ok::<u64, Error>(total)
    })?;
    Ok(Report::new(PARADIGM, args.workers, total))
}

/// One unit: sleep with this paradigm's sleep (a timer), then `add_two`.
async fn unit(i: u64, sleep_ms: u64) -> u64 {
    if sleep_ms > 0 {
        Timer::after(Duration::from_millis(sleep_ms)).await;
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
