//! # ring, smol: one task per unit, linked by `smol::channel`
//!
//! Each unit is a task between two `smol::channel`s, its inbox and its right
//! neighbour's: tasks that share nothing but messages, smol's idiomatic way to exchange
//! data. They run on this program's own `smol::Executor`, on `--workers` scoped
//! threads: the pattern smol's documentation gives for a multi-threaded executor.
//!
//! Compare with: `examples/ring/tokio`, `examples/ring/async-std`.
//!
//! ```text
//! cargo run --release -p smol-ring -- --units 100 --laps 10000 --workers 1
//! ```

use std::{mem, thread};

use smol::{
    Executor,
    channel::{self, Receiver, Sender},
    future,
};
use workload::{Error, Report, RingArgs, Workload, ring, sys};

const PROGRAM: &str = "smol-ring";
const PARADIGM: &str = "smol";

fn main() -> Result<(), Error> {
    let args = RingArgs::parse_for(PROGRAM);
    run(&args)?.print(&args)
}

/// Runs an executor on `--workers` threads, spawns units 1..K as tasks, each between
/// two channels, and unit 0 as one more.
fn run(args: &RingArgs) -> Result<Report, Error> {
    sys::threads_fit(args.workers as u64, "executor threads")?;
    // Our own: smol's global executor has one thread unless `SMOL_THREADS` says otherwise.
    let executor = Executor::new();
    let token = thread::scope(|scope| {
        // Dropping `stop` closes the channel, which ends every `executor.run`; it is
        // made in here so that an early return drops it before the scope joins.
        let (stop, stopped) = channel::unbounded::<()>();
        for w in 0..args.workers {
            let stopped = stopped.clone();
            let executor = &executor;
            thread::Builder::new()
                .spawn_scoped(scope, move || {
                    // futures-lite's block_on, not `smol::block_on` as examples/io/smol
                    // uses: with no sockets to wait for, a thread blocked in epoll only
                    // adds the reactor's cost (the ring took ~5% longer).
                    future::block_on(executor.run(stopped.recv()))
                })
                .map_err(|e| Error::from(e).context(format!("start executor thread {w}")))?;
        }
        // Capacity 1: a ring has one token in flight.
        let (to_first, mut from_left) = channel::bounded(1);
        let mut units = Vec::new();
        for u in 1..args.units {
            let (to_right, next_from_left) = channel::bounded(1);
            let from_left = mem::replace(&mut from_left, next_from_left);
            units.push(executor.spawn(unit(u, args.laps, from_left, to_right)));
        }
        // What is left is the channel from unit K-1: unit 0's left. Unit 0 is a task
        // too, so that it runs on an executor thread, not on this one.
        let first = executor.spawn(pass(to_first, from_left, args.clone()));
        let token = future::block_on(async {
            let token = first.await;
            // Each unit has ended, or ends now that unit 0's channels are closed.
            for unit in units {
                unit.await;
            }
            token
        });
        drop(stop);
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

    #[test]
    fn computes_the_token() {
        testkit::ring::check_run(testkit::ring::Units::Tasks, run);
    }
}
