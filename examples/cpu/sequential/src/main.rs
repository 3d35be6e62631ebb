//! # cpu, sequential: every job, one after another, on the main thread
//!
//! The baseline every other paradigm is measured against. One thread counts the
//! primes of each job range in order; the split into `--jobs` only changes the loop,
//! never the work, so its time is what the work itself costs on one core.
//!
//! Compare with: `examples/cpu/threads`, `examples/cpu/rayon`.
//!
//! ```text
//! cargo run --release -p sequential-cpu -- --limit 2000000 --jobs 1000
//! ```

use workload::{CpuArgs, Error, Report, Workload, cpu};

const PROGRAM: &str = "sequential-cpu";
const PARADIGM: &str = "sequential";

fn main() -> Result<(), Error> {
    let args = CpuArgs::parse_for(PROGRAM);
    run(&args)?.print(&args)
}

/// Counts every job's primes on this thread. `--workers` is accepted for a uniform
/// command line and ignored: there is exactly one worker.
fn run(args: &CpuArgs) -> Result<Report, Error> {
    let mut total = 0;
    for range in cpu::job_ranges(args.limit, args.jobs) {
        total += cpu::count_primes(range);
    }
    Ok(Report::new(PARADIGM, 1, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_pi_for_any_split() {
        testkit::cpu::check_run(testkit::cpu::Workers::One, run);
    }
}
