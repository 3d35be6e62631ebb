//! # spawn, sequential: the primer's `add_two`, K times, as plain calls
//!
//! The baseline for the spawn workload: a "unit" is a function call on the main
//! thread, so nothing is started or joined and K units that each sleep D ms take
//! K x D ms. It shows the cost the other paradigms add to do the same in parallel.
//!
//! Compare with: `examples/spawn/threads`, `examples/spawn/tokio`.
//!
//! ```text
//! cargo run --release -p sequential-spawn -- --units 1000 --sleep-ms 0
//! ```

use std::{thread, time::Duration};

use workload::{Error, Report, SpawnArgs, Workload, spawn};

const PROGRAM: &str = "sequential-spawn";
const PARADIGM: &str = "sequential";

fn main() -> Result<(), Error> {
    let args = SpawnArgs::parse_for(PROGRAM);
    run(&args)?.print(&args)
}

/// Runs unit after unit on this thread and sums what they return.
fn run(args: &SpawnArgs) -> Result<Report, Error> {
    let mut total = 0;
    for i in 0..args.units {
        total += unit(i, args.sleep_ms);
    }
    Ok(Report::new(PARADIGM, 1, total))
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
        testkit::spawn::check_run(testkit::spawn::Units::Inline, run);
    }
}
