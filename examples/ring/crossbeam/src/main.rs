//! # ring, crossbeam: one scoped crossbeam thread per unit, linked by bounded channels
//!
//! Unit 0 is the main thread; units 1..K are threads in a `crossbeam::scope`, each
//! owning the `Receiver` from its left neighbour and the `Sender` to its right one, of
//! `crossbeam::channel::bounded(1)` channels. This is the idiomatic crossbeam way for
//! threads to pass data, on the same OS threads as `threads-ring`; since Rust 1.67
//! std's mpsc is a port of this channel, so the two differ in the bound and the scope,
//! not in how a hop is handed off.
//!
//! Compare with: `examples/ring/threads`, `examples/ring/rayon`.
//!
//! ```text
//! cargo run --release -p crossbeam-ring -- --units 100 --laps 1000
//! ```

use std::mem;

use crossbeam::channel::{self, Receiver, Sender};
use workload::{Error, Report, RingArgs, Workload, ring, sys};

const PROGRAM: &str = "crossbeam-ring";
const PARADIGM: &str = "crossbeam";

fn main() -> Result<(), Error> {
    let args = RingArgs::parse_for(PROGRAM);
    run(&args)?.print(&args)
}

/// Starts units 1..K as scoped threads, each between two channels, and plays unit 0.
fn run(args: &RingArgs) -> Result<Report, Error> {
    // A ring past the OS's limits on threads is refused, the limit named, before any unit starts.
    sys::threads_fit(args.units - 1, "unit threads")?;
    let token = crossbeam::scope(|scope| {
        // Made inside the scope: if a start fails, returning drops `to_first`, each
        // started unit then sees its left channel close and ends, and the scope
        // can join them. Bound 1: room for the one token in flight, so a send never waits.
        let (to_first, mut from_left) = channel::bounded(1);
        for u in 1..args.units {
            let (to_right, next_from_left) = channel::bounded(1);
            let from_left = mem::replace(&mut from_left, next_from_left);
            scope
                .builder()
                .spawn(move |_| unit(u, args.laps, from_left, to_right))
                .map_err(|e| Error::from(e).context(format!("start unit {u}")))?;
        }
        // What is left is the channel from unit K-1: unit 0's left.
        pass(to_first, from_left, args)
    })
    .expect("a unit does not panic")?;
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
