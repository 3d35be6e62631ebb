//! # ring, threads: one OS thread per unit, linked by mpsc channels
//!
//! Unit 0 is the main thread; units 1..K are scoped `std::thread`s, each owning the
//! `Receiver` from its left neighbour and the `Sender` to its right one, so no unit
//! touches another's memory: the token moves, and a hop costs a wake-up of the thread
//! that waits for it. This is the idiomatic std way for threads to exchange data, with
//! K threads each blocked in `recv` while the token is elsewhere.
//!
//! Compare with: `examples/ring/crossbeam`, `examples/ring/processes`.
//!
//! ```text
//! cargo run --release -p threads-ring -- --units 100 --laps 1000
//! ```

use std::{
    mem,
    sync::mpsc::{self, Receiver, Sender},
    thread,
};

use workload::{Error, Report, RingArgs, Workload, ring, sys};

const PROGRAM: &str = "threads-ring";
const PARADIGM: &str = "threads";

fn main() -> Result<(), Error> {
    let args = RingArgs::parse_for(PROGRAM);
    run(&args)?.print(&args)
}

/// Starts units 1..K as threads, each between two channels, and plays unit 0.
fn run(args: &RingArgs) -> Result<Report, Error> {
    // A ring past the OS's limits on threads is refused, the limit named, before any unit starts.
    sys::threads_fit(args.units - 1, "unit threads")?;
    let token = thread::scope(|scope| {
        // Made inside the scope: if a start fails, returning drops `to_first`, each
        // started unit then sees its left channel close and ends, and the scope
        // can join them.
        let (to_first, mut from_left) = mpsc::channel();
        for u in 1..args.units {
            let (to_right, next_from_left) = mpsc::channel();
            let from_left = mem::replace(&mut from_left, next_from_left);
            thread::Builder::new()
                .spawn_scoped(scope, move || unit(u, args.laps, from_left, to_right))
                .map_err(|e| Error::from(e).context(format!("start unit {u}")))?;
        }
        // What is left is the channel from unit K-1: unit 0's left.
        pass(to_first, from_left, args)
    })?;
    Ok(Report::new(PARADIGM, args.units as usize, token))
}

/// Unit 0, on the main thread: each lap, send the token to unit 1 (0 at first),
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

/// Unit u, on its own thread: M times, take the token from the left, hop, send
/// it right.
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
        testkit::ring::check_run(testkit::ring::Units::OwnThreadOrProcess, run);
    }
}
