//! # io, tokio: one task per connection
//!
//! `--concurrency` tasks each hold one keep-alive `tokio::net::TcpStream` (`client.rs`)
//! and take ids from a shared counter. A task waiting on the network is a parked future
//! of a few hundred bytes, not a thread: the runtime's epoll loop wakes it when the
//! socket is ready, so 10,000 connections cost little more than 100. This is the
//! primer's "slow I/O, many connections: asyncio". Without `--server` an embedded
//! api-server (tokio + hyper, on a thread of its own) answers; it is not part of this
//! paradigm and not counted: the benchmark passes `--server` to a separate one.
//!
//! Compare with: `examples/io/threads`, `examples/io/smol`, `examples/python/io_asyncio.py`.
//!
//! ```text
//! cargo run --release -p tokio-io -- --requests 1000 --concurrency 100 --delay-ms 50 --workers 1
//! ```

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use api_server::Target;
use tokio::task::JoinSet;
use workload::{Error, IoArgs, Report, Workload, io, io::Tally, sys};

mod client;

use client::Client;

const PROGRAM: &str = "tokio-io";
const PARADIGM: &str = "tokio";

fn main() -> Result<(), Error> {
    let args = IoArgs::parse_for(PROGRAM);
    sys::raise_open_file_limit()?;
    // Without --server, an api-server runs in this process until `target` drops.
    let target = Target::new(args.server.as_deref())?;
    run(&args, &target.host)?.print(&args)
}

/// Spawns a task per connection on one shared id counter, and merges their tallies.
fn run(args: &IoArgs, host: &str) -> Result<Report, Error> {
    // tokio panics when a worker thread cannot start: check the OS's limits first.
    sys::threads_fit(args.workers as u64, "worker threads")?;
    // --workers 1: a current-thread runtime, one thread doing everything, as Python's
    // asyncio does.
    let mut builder = match args.workers {
        1 => tokio::runtime::Builder::new_current_thread(),
        _ => tokio::runtime::Builder::new_multi_thread(),
    };
    if args.workers > 1 {
        builder.worker_threads(args.workers); // `#[tokio::main]`'s default: one per core
    }
    let runtime = builder.enable_all().build()?;
    let connections = args.concurrency.min(args.requests);
    let next_id = Arc::new(AtomicU64::new(0));
    let (host, args) = (Arc::<str>::from(host), Arc::new(args.clone()));
    let total = runtime.block_on(async {
        let mut tasks = JoinSet::new();
        for _ in 0..connections {
            tasks.spawn(connection(next_id.clone(), host.clone(), args.clone()));
        }
        let mut total = Tally::default();
        // The first error returns, and dropping the JoinSet cancels the other tasks.
        while let Some(tally) = tasks.join_next().await {
            total = total.merge(tally??);
        }
        Ok::<Tally, Error>(total)
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
        // other connection on it waits; --offload counts them on tokio's blocking pool
        // (up to 512 threads).
        let primes = match (args.work, args.offload) {
            (n, true) if n > 0 => tokio::task::spawn_blocking(move || io::work(id, n)).await?,
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
