//! # io, smol: one task per connection, on an executor run by `--workers` threads
//!
//! `--concurrency` tasks each hold one keep-alive `smol::net::TcpStream` (`client.rs`)
//! and take ids from a shared counter; a waiting task is a parked future, woken by
//! smol's reactor when its socket is ready. They run on this program's own `Executor`,
//! on `--workers` scoped threads that take turns waiting in that reactor when idle;
//! with `--workers 1` one thread polls every connection, the closest match to Python's
//! asyncio. Without `--server` an embedded api-server (tokio + hyper, on a thread of
//! its own) answers; it is not part of this paradigm and not counted: the benchmark
//! passes `--server` to a separate one.
//!
//! Compare with: `examples/io/tokio`, `examples/io/async-std`, `examples/python/io_asyncio.py`.
//!
//! ```text
//! cargo run --release -p smol-io -- --requests 1000 --concurrency 100 --delay-ms 50 --workers 1
//! ```

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    thread,
};

use api_server::Target;
use smol::{Executor, channel, future};
use workload::{Error, IoArgs, Report, Workload, io, io::Tally, sys};

mod client;

use client::Client;

const PROGRAM: &str = "smol-io";
const PARADIGM: &str = "smol";

fn main() -> Result<(), Error> {
    let args = IoArgs::parse_for(PROGRAM);
    sys::raise_open_file_limit()?;
    // Without --server, an api-server runs in this process until `target` drops.
    let target = Target::new(args.server.as_deref())?;
    run(&args, &target.host)?.print(&args)
}

/// Runs an executor on `--workers` threads, spawns a task per connection on one
/// shared id counter, and merges their tallies.
fn run(args: &IoArgs, host: &str) -> Result<Report, Error> {
    sys::threads_fit(args.workers as u64, "executor threads")?;
    // Our own: smol's global executor has one thread unless `SMOL_THREADS` says otherwise.
    let executor = Executor::new();
    let connections = args.concurrency.min(args.requests);
    let next_id = Arc::new(AtomicU64::new(0));
    let (host, args) = (Arc::<str>::from(host), Arc::new(args.clone()));
    let total = thread::scope(|scope| {
        // Dropping `stop` closes the channel, which ends every `executor.run`; it is
        // made in here so that an early return drops it before the scope joins.
        let (stop, stopped) = channel::unbounded::<()>();
        for w in 0..args.workers {
            let stopped = stopped.clone();
            let executor = &executor;
            thread::Builder::new()
                .spawn_scoped(scope, move || {
                    // smol's block_on, as the global executor's threads use: an idle
                    // thread waits in epoll itself, not for async-io's thread to hand
                    // it each ready socket (futures-lite's: io-fast ~1.25x as long).
                    smol::block_on(executor.run(stopped.recv()))
                })
                .map_err(|e| Error::from(e).context(format!("start executor thread {w}")))?;
        }
        let mut tasks = Vec::new();
        for _ in 0..connections {
            tasks.push(executor.spawn(connection(next_id.clone(), host.clone(), args.clone())));
        }
        // The first error returns, and dropping the other tasks cancels them.
        let total = future::block_on(async {
            let mut total = Tally::default();
            for task in tasks {
                total = total.merge(task.await?);
            }
            Ok::<Tally, Error>(total)
        });
        drop(stop);
        total
    })?;
    Ok(Report::io(PARADIGM, args.workers, &total))
}

/// One connection's task: fetch ids from the shared counter until they run out.
async fn connection(
    next_id: Arc<AtomicU64>,
    host: Arc<str>,
    args: Arc<IoArgs>,
) -> Result<Tally, Error> {
    let mut client = Client::new(&host, args.patience(), args.bytes);
    let mut tally = Tally::default();
    loop {
        // Relaxed is enough: the counter only hands out distinct ids.
        let id = next_id.fetch_add(1, Ordering::Relaxed);
        if id >= args.requests {
            return Ok(tally);
        }
        let answer = client
            .get(id, args.delay_ms, args.bytes)
            .await
            .map_err(|e| e.context(format!("request {id}")))?;
        tally.answer(&answer);
        // Counted inline (no --offload), the primes hold this executor thread, and every
        // other connection on it waits; --offload counts them on the `blocking` crate's
        // pool (up to 500 threads).
        let primes = match (args.work, args.offload) {
            (n, true) if n > 0 => smol::unblock(move || io::work(id, n)).await,
            (n, _) => io::work(id, n),
        };
        tally.work(primes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_spec_and_names_every_fault() {
        // --workers 1 is the single-threaded form, the closest match to asyncio.
        testkit::io::check_run(&[1, 3], testkit::io::Compute::Executor, run);
    }
}
