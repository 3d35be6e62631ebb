//! # ring, async-std: one task per unit, linked by `async_std::channel`
//!
//! async-std has been discontinued by its maintainers (RUSTSEC-2025-0052 points to
//! smol); it stays here as a labelled historical entry because older code uses it. Each
//! unit is a task between two `async_std::channel`s, its inbox and its right
//! neighbour's: tasks that share nothing but messages, async-std's idiomatic way to
//! exchange data, on the global executor sized here to `--workers` threads.
//!
//! Compare with: `examples/ring/smol` (its successor), `examples/ring/tokio`.
//!
//! ```text
//! cargo run --release -p async-std-ring -- --units 100 --laps 10000 --workers 1
//! ```

use std::mem;

use async_global_executor::GlobalExecutorConfig;
use async_std::{
    channel::{self, Receiver, Sender},
    task,
};
use workload::{Error, Report, RingArgs, Workload, ring, sys};

const PROGRAM: &str = "async-std-ring";
const PARADIGM: &str = "async-std";

fn main() -> Result<(), Error> {
    let args = RingArgs::parse_for(PROGRAM);
    run(&args)?.print(&args)
}

/// Spawns units 1..K as tasks, each between two channels, and unit 0 as one more.
fn run(args: &RingArgs) -> Result<Report, Error> {
    sys::threads_fit(args.workers as u64, "executor threads")?;
    // Must run before any async-std call; later calls keep the first configuration.
    // Without it: `ASYNC_STD_THREAD_COUNT` threads, or one per core. It starts one
    // thread, and panics if it cannot; the rest start on the next line, where a
    // thread that cannot start is an error.
    async_global_executor::init_with_config(
        GlobalExecutorConfig::default()
            .with_min_threads(1)
            .with_max_threads(args.workers),
    );
    task::block_on(async_global_executor::spawn_more_threads(args.workers - 1))
        .map_err(|e| Error::from(e).context("start executor threads"))?;
    // This thread only waits: the units run on the executor's threads.
    let token = task::block_on(async {
        // Capacity 1: a ring has one token in flight.
        let (to_first, mut from_left) = channel::bounded(1);
        let mut units = Vec::new();
        for u in 1..args.units {
            let (to_right, next_from_left) = channel::bounded(1);
            let from_left = mem::replace(&mut from_left, next_from_left);
            units.push(task::spawn(unit(u, args.laps, from_left, to_right)));
        }
        // What is left is the channel from unit K-1: unit 0's left. Unit 0 is a task
        // too, so that it runs on an executor thread, not on this one.
        let token = task::spawn(pass(to_first, from_left, args.clone())).await;
        // Each unit has ended, or ends now that unit 0's channels are closed.
        for unit in units {
            unit.await;
        }
        token
    })?;
    Ok(Report::new(PARADIGM, args.workers, token))
}

/// Unit 0, a task: each lap, send the token to unit 1 (0 at first), then take it
/// back from unit K-1 and hop. Hop K*M is the last lap's receive.
async fn pass(
    to_right: Sender<u64>,
    from_left: Receiver<u64>,
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
            .map_err(|_| Error::msg(format!("unit 0: unit {last} hung up")))?;
        t = ring::hop(received, 0);
    }
    Ok(t)
}

/// Unit u, a task: M times, take the token from the left, hop, send it right.
async fn unit(u: u64, laps: u64, from_left: Receiver<u64>, to_right: Sender<u64>) {
    for _ in 0..laps {
        // A closed channel means the ring is being taken down and unit 0 says
        // why, so this unit just ends.
        let Ok(t) = from_left.recv().await else {
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

    // The executor is global and sized once per process: `Tasks` runs every case on
    // 2 workers.
    #[test]
    fn computes_the_token() {
        testkit::ring::check_run(testkit::ring::Units::Tasks, run);
    }
}
