//! # ring, tokio: one task per unit, linked by `tokio::sync::mpsc` channels
//!
//! Each unit is a task that owns its inbox, an `mpsc::Receiver`, and a sender into
//! its right neighbour's: tasks that share nothing but messages, the idiomatic way
//! for tokio tasks to exchange data. A unit waiting for the token is a parked
//! future, so 100,000 units cost memory, not threads. With `--workers 1` the runtime
//! is current-thread and a hand-off is a function call on one thread (the send wakes
//! the receiver, which that thread polls next); otherwise it is a multi-thread
//! runtime of `--workers` threads (`#[tokio::main]` would pick one per core).
//!
//! Compare with: `examples/ring/threads`, `examples/ring/smol`, `examples/ring/async-std`.
//!
//! ```text
//! cargo run --release -p tokio-ring -- --units 100 --laps 10000 --workers 1
//! ```

use std::mem;

use tokio::sync::mpsc::{self, Receiver, Sender};
use workload::{Error, Report, RingArgs, Workload, ring, sys};

const PROGRAM: &str = "tokio-ring";
const PARADIGM: &str = "tokio";

fn main() -> Result<(), Error> {
    let args = RingArgs::parse_for(PROGRAM);
    run(&args)?.print(&args)
}

/// Spawns units 1..K, then unit 0, each a task between two channels; unit 0 returns the token.
fn run(args: &RingArgs) -> Result<Report, Error> {
    // tokio panics when a worker thread cannot start: check the OS's limits first.
    sys::threads_fit(args.workers as u64, "worker threads")?;
    let mut builder = match args.workers {
        1 => tokio::runtime::Builder::new_current_thread(),
        _ => tokio::runtime::Builder::new_multi_thread(),
    };
    if args.workers > 1 {
        builder.worker_threads(args.workers); // default: one per core
    }
    let runtime = builder.build()?;
    let token = runtime.block_on(async {
        // Capacity 1: a ring has one token in flight.
        let (to_first, mut from_left) = mpsc::channel(1);
        let mut units = Vec::new();
        for u in 1..args.units {
            let (to_right, next_from_left) = mpsc::channel(1);
            let from_left = mem::replace(&mut from_left, next_from_left);
            units.push(tokio::spawn(unit(u, args.laps, from_left, to_right)));
        }
        // What is left is the channel from unit K-1: unit 0's left. Unit 0 goes last, so
        // every unit and channel exists before the token starts.
        let first = tokio::spawn(unit(0, args.laps, from_left, to_first));
        for unit in units {
            unit.await??;
        }
        first.await?
    })?;
    Ok(Report::new(PARADIGM, args.workers, token))
}

/// One unit: `laps` times, receive the token from the left, hop it and send it right;
/// unit 0 starts the ring with 0 and keeps the last token, hop K*M, which it returns.
async fn unit(
    u: u64,
    laps: u64,
    mut from_left: Receiver<u64>,
    to_right: Sender<u64>,
) -> Result<u64, Error> {
    if u == 0 {
        to_right.send(0).await?;
    }
    let mut t = 0;
    for lap in 1..=laps {
        let Some(received) = from_left.recv().await else {
            // The left neighbour ends early only on an error of its own.
            return Err(Error::msg("left neighbour gone"));
        };
        t = ring::hop(received, u);
        if u != 0 || lap < laps {
            to_right.send(t).await?;
        }
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_the_token_around() {
        testkit::ring::check_run(testkit::ring::Units::Tasks, run);
    }
}
