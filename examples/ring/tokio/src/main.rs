//! # ring, tokio: one task per unit, linked by `tokio::sync::mpsc` channels
//!
//! Each unit is a task between two `tokio::sync::mpsc` channels, its inbox and its
//! right neighbour's: tasks that share nothing but messages, the idiomatic way for
//! tokio tasks to exchange data. A unit waiting for the token is a parked future, so
//! 100,000 units cost memory, not threads.
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

/// Spawns units 1..K as tasks, each between two channels, and unit 0 as one more.
fn run(args: &RingArgs) -> Result<Report, Error> {
    // tokio panics when a worker thread cannot start: check the OS's limits first.
    sys::threads_fit(args.workers as u64, "worker threads")?;
    // --workers 1: a current-thread runtime, where a hand-off is a function call on one
    // thread (the send wakes the receiver, which that thread polls next).
    let mut builder = match args.workers {
        1 => tokio::runtime::Builder::new_current_thread(),
        _ => tokio::runtime::Builder::new_multi_thread(),
    };
    if args.workers > 1 {
        builder.worker_threads(args.workers); // `#[tokio::main]`'s default: one per core
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
        // What is left is the channel from unit K-1: unit 0's left. Unit 0 is a task
        // too, so that it runs on a worker thread, not on this one.
        let token = tokio::spawn(pass(to_first, from_left, args.clone())).await?;
        // Each unit has ended, or ends now that unit 0's channels are closed.
        for unit in units {
            unit.await?;
        }
        token
    })?;
    Ok(Report::new(PARADIGM, args.workers, token))
}

/// Unit 0, a task: each lap, send the token to unit 1 (0 at first), then take it
/// back from unit K-1 and hop. Hop K*M is the last lap's receive.
async fn pass(
    to_right: Sender<u64>,
    mut from_left: Receiver<u64>,
    args: RingArgs,
) -> Result<u64, Error> {
    let last = args.units - 1;
    let mut t = 0;
    for _ in 0..args.laps {
        to_right
            .send(t)
            .await
            .map_err(|_| Error::msg("unit 0: unit 1 hung up"))?;
        let received = from_left
            .recv()
            .await
            .ok_or_else(|| Error::msg(format!("unit 0: unit {last} hung up")))?;
        t = ring::hop(received, 0);
    }
    Ok(t)
}

/// Unit u, a task: M times, take the token from the left, hop, send it right.
async fn unit(u: u64, laps: u64, mut from_left: Receiver<u64>, to_right: Sender<u64>) {
    for _ in 0..laps {
        // A closed channel means the ring is being taken down and unit 0 says
        // why, so this unit just ends.
        let Some(t) = from_left.recv().await else {
            return;
        };
        if to_right.send(ring::hop(t, u)).await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computes_the_token() {
        testkit::ring::check_run(testkit::ring::Units::Tasks, run);
    }
}
