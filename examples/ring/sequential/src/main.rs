//! # ring, sequential: the token's K*M hops as one loop
//!
//! The baseline for the ring workload: every unit is a call on the main thread, so
//! a hand-off from unit u to unit u + 1 is the next turn of the loop: no channel,
//! no pipe, no wake-up. What each other paradigm takes longer than this, divided by
//! the K*M hops, is what one hand-off costs there. Each hop needs the token of the
//! one before, so the ring is a chain even here: no paradigm can run hops in
//! parallel, and each only adds hand-offs between them.
//!
//! Compare with: `examples/ring/threads`, `examples/ring/processes`.
//!
//! ```text
//! cargo run --release -p sequential-ring -- --units 100 --laps 1000
//! ```

use workload::{Error, Report, RingArgs, Workload, ring};

const PROGRAM: &str = "sequential-ring";
const PARADIGM: &str = "sequential";

fn main() -> Result<(), Error> {
    let args = RingArgs::parse_for(PROGRAM);
    run(&args)?.print(&args)
}

/// Plays every unit in turn on this thread, lap after lap: unit 0 starts with 0,
/// units 1..K each fold in their number, and unit 0's turn ends the lap. Passing
/// the token on is the next turn of the loop.
fn run(args: &RingArgs) -> Result<Report, Error> {
    let mut t = 0;
    for _ in 0..args.laps {
        for u in 1..args.units {
            t = unit(u, t);
        }
        t = unit(0, t); // hop K*M is the last lap's turn of unit 0
    }
    Ok(Report::new(PARADIGM, 1, t))
}

/// One unit's turn: fold its number into the token it received.
fn unit(u: u64, t: u64) -> u64 {
    ring::hop(t, u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computes_the_token() {
        testkit::ring::check_run(testkit::ring::Units::Inline, run);
    }
}
