//! # spawn, threads: one OS thread per unit
//!
//! Each unit is a `std::thread` that sleeps with `thread::sleep` and returns `i + 2`
//! through its `JoinHandle`: std's own way to run something at the same time. A thread
//! costs a kernel task and a stack: 2 MiB of address space by default (`RUST_MIN_STACK`
//! changes it), of which only the pages touched become resident. The OS caps how many
//! can live at once; past a cap this program says which unit failed and why.
//!
//! Compare with: `examples/spawn/processes`, `examples/spawn/tokio`.
//!
//! ```text
//! cargo run --release -p threads-spawn -- --units 1000 --sleep-ms 0
//! ```

use std::{thread, time::Duration};

use workload::{Error, Report, SpawnArgs, Workload, spawn, sys};

const PROGRAM: &str = "threads-spawn";
const PARADIGM: &str = "threads";

fn main() -> Result<(), Error> {
    let args = SpawnArgs::parse_for(PROGRAM);
    run(&args)?.print(&args)
}

/// Starts every unit as a thread, then joins them all and sums what they return.
fn run(args: &SpawnArgs) -> Result<Report, Error> {
    // The caps (the thread limits, `vm.max_map_count`, address space) are checked
    // before any unit starts: at `vm.max_map_count` std aborts rather than fail a spawn.
    sys::threads_fit(args.units, "unit threads")?;
    let mut units = Vec::new();
    for i in 0..args.units {
        let sleep_ms = args.sleep_ms;
        let unit = thread::Builder::new()
            .spawn(move || unit(i, sleep_ms))
            .map_err(|e| Error::from(e).context(format!("start unit {i}")))?;
        units.push(unit);
    }
    let mut total = 0;
    for unit in units {
        total += unit.join().expect("a unit does not panic");
    }
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
