//! # spawn, crossbeam: one scoped crossbeam thread per unit
//!
//! Each unit is a thread started inside `crossbeam::scope`, which guarantees that every
//! thread has ended when the scope returns, so units could borrow from the parent's
//! stack; std adopted the idea as `std::thread::scope` in Rust 1.63. It is the same OS
//! thread as in `threads-spawn`, with the same cost and limits.
//!
//! Compare with: `examples/spawn/threads`, `examples/spawn/rayon`.
//!
//! ```text
//! cargo run --release -p crossbeam-spawn -- --units 1000 --sleep-ms 0
//! ```

use std::{thread, time::Duration};

use workload::{Error, Report, SpawnArgs, Workload, spawn, sys};

const PROGRAM: &str = "crossbeam-spawn";
const PARADIGM: &str = "crossbeam";

fn main() -> Result<(), Error> {
    let args = SpawnArgs::parse_for(PROGRAM);
    run(&args)?.print(&args)
}

/// Starts every unit as a scoped thread, then joins them all and sums their results.
fn run(args: &SpawnArgs) -> Result<Report, Error> {
    // The caps (the thread limits, `vm.max_map_count`, address space) are checked
    // before any unit starts: at `vm.max_map_count` std aborts rather than fail a spawn.
    sys::threads_fit(args.units, "unit threads")?;
    let total = crossbeam::scope(|scope| {
        let mut units = Vec::new();
        for i in 0..args.units {
            let unit = scope
                .builder()
                .spawn(move |_| unit(i, args.sleep_ms))
                .map_err(|e| Error::from(e).context(format!("start unit {i}")))?;
            units.push(unit);
        }
        let mut total = 0;
        for unit in units {
            total += unit.join().expect("a unit does not panic");
        }
        Ok::<u64, Error>(total)
    })
    // crossbeam's scope turns a panicking thread into an `Err` instead of a panic.
    .expect("a unit does not panic")?;
    Ok(Report::new(PARADIGM, args.units as usize, total))
}

/// One unit: sleep with this paradigm's sleep (the thread's), then `add_two`.
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
        testkit::spawn::check_run(testkit::spawn::Units::OwnThreadOrProcess, run);
    }
}
