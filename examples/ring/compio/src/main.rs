//! # ring, compio: a compio runtime per core, a block of units each
//!
//! `--workers` OS threads, each pinned to a CPU, each running its own compio runtime;
//! the K units are split into W contiguous blocks, one per runtime, so a lap crosses
//! threads only W times. compio has no channel: each hop is an `async-channel` (any
//! executor's). Within a block a hop is an executor tick and an `io_uring_enter` (0.4 us);
//! across blocks the send wakes a runtime asleep in `io_uring_enter` by writing to its
//! eventfd, polled in its ring (30 us on a 2-core VM, where a futex wake takes 5 to 10).
//!
//! Compare with: `examples/ring/tokio-per-core` (the same shape on tokio),
//! `examples/ring/tokio` (one runtime, work stealing).
//!
//! ```text
//! cargo run --release -p compio-ring -- --units 100 --laps 10000 --workers 2
//! ```

use std::thread;

use async_channel::{Receiver, Sender};
use compio::runtime::spawn;
use workload::{Error, Report, RingArgs, Workload, cores, ring, sys};

const PROGRAM: &str = "compio-ring";
const PARADIGM: &str = "compio";

/// Unit u, with its inbox (from unit u-1) and unit u+1's.
type Unit = (u64, Receiver<u64>, Sender<u64>);

fn main() -> Result<(), Error> {
    let args = RingArgs::parse_for(PROGRAM);
    run(&args)?.print(&args)
}

/// Links the K units by channels, then starts a pinned thread with a runtime of its own
/// per block of units; the block with unit 0 returns the token.
fn run(args: &RingArgs) -> Result<Report, Error> {
    sys::threads_fit(args.workers as u64, "runtime threads")?;
    let (k, workers) = (args.units, args.workers as u64);
    // Capacity 1: a ring has one token in flight. Channel u is unit u's inbox, and
    // unit u sends into channel u+1 (unit K-1 into channel 0).
    let (mut to_right, from_left): (Vec<_>, Vec<_>) =
        (0..k).map(|_| async_channel::bounded(1)).unzip();
    to_right.rotate_left(1);
    let mut units = (0..k)
        .zip(from_left)
        .zip(to_right)
        .map(|((u, from_left), to_right)| (u, from_left, to_right));
    let mut cores = Vec::new();
    for w in 0..workers {
        // Block w: units w*K/W up to (w+1)*K/W, in order.
        let (start, end) = (w * k / workers, (w + 1) * k / workers);
        let block: Vec<Unit> = units.by_ref().take((end - start) as usize).collect();
        let args = args.clone();
        let core = thread::Builder::new()
            .name(format!("core-{w}"))
            .spawn(move || run_block(w as usize, block, args))
            .map_err(|e| Error::from(e).context(format!("start runtime thread {w}")))?;
        cores.push(core);
    }
    let mut token = None;
    // From the last: a failed runtime's own error, not unit 0's "hung up", is said.
    for (w, core) in cores.into_iter().enumerate().rev() {
        let panicked = |_| Error::msg(format!("runtime thread {w} panicked"));
        token = token.or(core.join().map_err(panicked)??);
    }
    let token = token.expect("one block holds unit 0");
    Ok(Report::new(PARADIGM, args.workers, token))
}

/// Runtime `w`: pins its thread and runs its block's units as tasks; unit 0's, if it
/// holds it, returns the token.
fn run_block(w: usize, block: Vec<Unit>, args: RingArgs) -> Result<Option<u64>, Error> {
    cores::pin_to_core(w)?;
    // A compio runtime is single-threaded: this thread polls every task it spawns.
    let runtime = compio::runtime::RuntimeBuilder::new()
        .build()
        .map_err(cores::compio_runtime_error)?;
    runtime.block_on(async {
        let (mut first, mut units) = (None, Vec::new());
        for (u, from_left, to_right) in block {
            match u {
                0 => first = Some(spawn(pass(to_right, from_left, args.clone()))),
                u => units.push(spawn(unit(u, args.laps, from_left, to_right))),
            }
        }
        let token = match first {
            Some(first) => Some(first.await??),
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
