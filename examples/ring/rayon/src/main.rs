//! # ring, rayon: one job per unit, on a pool of `--workers` threads (a misfit)
//!
//! Unit 0 runs in `pool.scope`, units 1..K are jobs spawned in that scope, linked by
//! std mpsc channels as in `threads-ring`. This is a deliberate misfit: a rayon job is
//! a unit of parallel computation and cannot yield, so a job blocked in `recv` holds
//! its pool thread until the token comes. A ring of more jobs than threads would
//! deadlock, so this program refuses `--units K` above `--workers W` before it starts
//! anything.
//!
//! Compare with: `examples/ring/threads`, `examples/ring/tokio`.
//!
//! ```text
//! cargo run --release -p rayon-ring -- --units 100 --laps 1000 --workers 100
//! ```

use std::{
    mem,
    sync::mpsc::{self, Receiver, Sender},
};

use workload::{Error, Report, RingArgs, Workload, ring, sys};

const PROGRAM: &str = "rayon-ring";
const PARADIGM: &str = "rayon";

fn main() -> Result<(), Error> {
    let args = RingArgs::parse_for(PROGRAM);
    if args.units > args.workers as u64 {
        // A flag error, as clap's are: the reason and the usage, and status 2.
        RingArgs::refuse(
            PROGRAM,
            format!(
                "--units {k} needs --workers {k} or more: a rayon job blocked on a \
                 channel holds its pool thread, so a ring of more jobs than threads would deadlock",
                k = args.units
            ),
        );
    }
    run(&args)?.print(&args)
}

/// Spawns units 1..K as jobs in one scope, each between two channels, and plays
/// unit 0 on the pool thread that runs the scope: K jobs on W >= K threads.
fn run(args: &RingArgs) -> Result<Report, Error> {
    sys::threads_fit(args.workers as u64, "pool threads")?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.workers) // default: RAYON_NUM_THREADS, else one per core
        .build()
        .map_err(|e| Error::from(e).context("start pool threads"))?;
    let token = pool.scope(|scope| {
        let (to_first, mut from_left) = mpsc::channel();
        for u in 1..args.units {
            let (to_right, next_from_left) = mpsc::channel();
            let from_left = mem::replace(&mut from_left, next_from_left);
            // Spawning a job cannot fail: it is queued, and an idle thread steals it.
            scope.spawn(move |_| unit(u, args.laps, from_left, to_right));
        }
        // What is left is the channel from unit K-1: unit 0's left.
        pass(to_first, from_left, args)
    })?;
    Ok(Report::new(PARADIGM, pool.current_num_threads(), token))
}

/// Unit 0, on a pool thread: each lap, send the token to unit 1 (0 at first),
/// then take it back from unit K-1 and hop. Hop K*M is the last lap's receive.
fn pass(to_right: Sender<u64>, from_left: Receiver<u64>, args: &RingArgs) -> Result<u64, Error> {
    let last = args.units - 1;
    let mut t = 0;
    for _ in 0..args.laps {
        to_right
            .send(t)
            .map_err(|_| Error::msg("unit 0: unit 1 hung up"))?;
        let received = from_left
            .recv()
            .map_err(|_| Error::msg(format!("unit 0: unit {last} hung up")))?;
        t = ring::hop(received, 0);
    }
    Ok(t)
}

/// Unit u, a job holding its pool thread: M times, take the token from the left,
/// hop, send it right.
fn unit(u: u64, laps: u64, from_left: Receiver<u64>, to_right: Sender<u64>) {
    for _ in 0..laps {
        // A closed channel means the ring is being taken down and unit 0 says
        // why, so this unit just ends.
        let Ok(t) = from_left.recv() else { return };
        if to_right.send(ring::hop(t, u)).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computes_the_token() {
        testkit::ring::check_run(testkit::ring::Units::PoolJobs, run);
    }
}
