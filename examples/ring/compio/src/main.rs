//! # ring, compio: a compio runtime per core, a block of units each
//!
//! `--workers` OS threads, each pinned to a CPU, each running its own compio runtime
//! (one io_uring each); the units are split in contiguous blocks, one per runtime, so
//! only W of a lap's K hops cross threads. compio has no channel of its own: every hop
//! is an `async-channel` of capacity 1, which wakes tasks on any executor. A hop within
//! a runtime is a tick of its executor, and compio checks its ring after each tick (an
//! `io_uring_enter` a hop, about 0.4 us); a hop across wakes a runtime asleep in
//! `io_uring_enter` by writing to its eventfd, which a multishot poll in its ring
//! watches (about 30 us on a 2-core VM, where a futex between threads takes 5 to 10).
//!
//! Compare with: `examples/ring/tokio-per-core` (the same shape on tokio),
//! `examples/ring/tokio` (one runtime, work stealing).
//!
//! ```text
//! cargo run --release -p compio-ring -- --units 100 --laps 10000 --workers 1
//! ```

use std::thread;

use async_channel::{Receiver, Sender};
use workload::{Error, Report, RingArgs, Workload, cores, ring, sys};

const PROGRAM: &str = "compio-ring";
const PARADIGM: &str = "compio";

/// A unit's two ends: its inbox, and its right neighbour's.
type Ends = (Receiver<u64>, Sender<u64>);

fn main() -> Result<(), Error> {
    let args = RingArgs::parse_for(PROGRAM);
    run(&args)?.print(&args)
}

/// Links the units by channels, then starts a pinned thread with a runtime of its own
/// per block of units; runtime 0 holds unit 0, which ends with the token.
fn run(args: &RingArgs) -> Result<Report, Error> {
    sys::threads_fit(args.workers as u64, "runtime threads")?;
    let (units, workers) = (args.units, args.workers);
    // Channel u carries the token from unit u to unit u+1; capacity 1: a ring has one
    // token in flight. Unit u's inbox is channel u-1, so unit 0's is channel K-1's.
    let (to_right, mut inboxes): (Vec<_>, Vec<_>) =
        (0..units).map(|_| async_channel::bounded(1)).unzip();
    inboxes.rotate_right(1);
    let mut ends = inboxes.into_iter().zip(to_right);
    // Blocks of ceil(K/W) units: with W > K the last runtimes get none.
    let per = units.div_ceil(workers as u64);
    let mut cores = Vec::new();
    for w in 0..workers {
        let block: Vec<Ends> = ends.by_ref().take(per as usize).collect();
        let (first, args) = (w as u64 * per, args.clone());
        let core = thread::Builder::new()
            .name(format!("core-{w}"))
            .spawn(move || share(w, first, block, args))
            .map_err(|e| Error::from(e).context(format!("start runtime thread {w}")))?;
        cores.push(core);
    }
    // Runtime 0, which holds unit 0, is joined last: a runtime that could not start
    // hung up on its neighbours, so its error, the cause, comes first.
    let mut token = None;
    for core in cores.into_iter().rev() {
        token = core.join().expect("a runtime thread does not panic")?;
    }
    let token = token.expect("runtime 0 holds unit 0");
    Ok(Report::new(PARADIGM, workers, token))
}

/// Runtime `w`: pins its thread, spawns units first, first+1, ... as tasks, and
/// awaits them; returns the token if it holds unit 0.
fn share(w: usize, first: u64, block: Vec<Ends>, args: RingArgs) -> Result<Option<u64>, Error> {
    cores::pin_to_core(w)?;
    // A compio runtime is single-threaded: this thread polls every task it spawns.
    let runtime = compio::runtime::RuntimeBuilder::new()
        .build()
        .map_err(cores::io_uring_unavailable)?;
    runtime.block_on(async {
        // Dropping a compio JoinHandle cancels its task (tokio's detaches it): keep them.
        let mut block = (first..).zip(block).peekable();
        let first_unit = block
            .next_if(|&(u, _)| u == 0)
            .map(|(_, (from_left, to_right))| {
                compio::runtime::spawn(pass(to_right, from_left, args.clone()))
            });
        let units: Vec<_> = block
            .map(|(u, (from_left, to_right))| {
                compio::runtime::spawn(unit(u, args.laps, from_left, to_right))
            })
            .collect();
        let token = match first_unit {
            Some(pass) => Some(pass.await??),
            None => None,
        };
        // Each unit has ended, or ends now that unit 0's channels are closed.
        for unit in units {
            unit.await?;
        }
        Ok(token)
    })
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
        if testkit::uring::skip() {
            return;
        }
        testkit::ring::check_run(testkit::ring::Units::Tasks, run);
    }
}
