//! # io, tokio-per-core: a current-thread runtime per core, a share of the connections each
//!
//! `--workers` OS threads, each pinned to a CPU, each running its own current-thread
//! tokio runtime with its own epoll loop: runtime w opens connections w, w+W, ... as
//! tasks, each a keep-alive `tokio::net::TcpStream` (`client.rs`, tokio-io's), and no
//! task leaves its thread. The one thing the runtimes share is the id counter. Waiting
//! costs what it costs in tokio-io; what changes is the CPU work: with `--work`, a
//! runtime's primes hold its thread and only its own connections wait, and none of
//! them can move to an idle runtime (the misfit: a share fixed before the run).
//! Without `--server` an embedded api-server (tokio + hyper, on a thread of its own)
//! answers; it is not part of this paradigm and not counted.
//!
//! Compare with: `examples/io/tokio` (one runtime, work stealing), `examples/io/threads`.
//!
//! ```text
//! cargo run --release -p tokio-per-core-io -- --requests 1000 --concurrency 100 --delay-ms 50 --workers 2
//! ```

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    thread,
};

use api_server::Target;
use tokio::task::JoinSet;
use workload::{Error, IoArgs, Report, Workload, cores, io, io::Tally, sys};

mod client;

use client::Client;

const PROGRAM: &str = "tokio-per-core-io";
const PARADIGM: &str = "tokio-per-core";

fn main() -> Result<(), Error> {
    let args = IoArgs::parse_for(PROGRAM);
    sys::raise_open_file_limit()?;
    // Without --server, an api-server runs in this process until `target` drops.
    let target = Target::new(args.server.as_deref())?;
    run(&args, &target.host)?.print(&args)
}

/// Starts a pinned thread with a runtime of its own per worker, each with its share of
/// the connections on one shared id counter, and merges their tallies.
fn run(args: &IoArgs, host: &str) -> Result<Report, Error> {
    sys::threads_fit(args.workers as u64, "runtime threads")?;
    let connections = args.concurrency.min(args.requests);
    let next_id = Arc::new(AtomicU64::new(0));
    let (host, args) = (Arc::<str>::from(host), Arc::new(args.clone()));
    let mut cores = Vec::new();
    for w in 0..args.workers {
        let (next_id, host, args) = (next_id.clone(), host.clone(), args.clone());
        let core = thread::Builder::new()
            .name(format!("core-{w}"))
            .spawn(move || {
                // A runtime that fails, to start or later, takes the ids left: all stop.
                let stop_all = |_: &Error| next_id.store(args.requests, Ordering::Relaxed);
                share(w, connections, next_id.clone(), host, args.clone()).inspect_err(stop_all)
            })
            .map_err(|e| Error::from(e).context(format!("start runtime thread {w}")))?;
        cores.push(core);
    }
    let mut total = Tally::default();
    for (w, core) in cores.into_iter().enumerate() {
        let panicked = |_| Error::msg(format!("runtime thread {w} panicked"));
        total = total.merge(core.join().map_err(panicked)??);
    }
    Ok(Report::io(PARADIGM, args.workers, &total))
}

/// Runtime `w`: pins its thread, then runs connections w, w+W, ... as tasks.
fn share(
    w: usize,
    connections: u64,
    next_id: Arc<AtomicU64>,
    host: Arc<str>,
    args: Arc<IoArgs>,
) -> Result<Tally, Error> {
    cores::pin_to_core(w)?;
    // A current-thread runtime: this thread polls every task it spawns, and no other.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut tasks = JoinSet::new();
        for _ in (w as u64..connections).step_by(args.workers) {
            tasks.spawn(connection(next_id.clone(), host.clone(), args.clone()));
        }
        let mut subtotal = Tally::default();
        // The first error returns, and dropping the JoinSet cancels the other tasks.
        while let Some(tally) = tasks.join_next().await {
            subtotal = subtotal.merge(tally??);
        }
        Ok(subtotal)
    })
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
        // Counted inline (no --offload), the primes hold this runtime's thread, and every
        // other connection on it waits; --offload counts them on this runtime's own
        // blocking pool (up to 512 threads), whose threads inherit this one's CPU until
        // they unpin themselves, as here: then the primes may run on any core.
        let primes = match (args.work, args.offload) {
            (n, true) if n > 0 => {
                tokio::task::spawn_blocking(move || cores::unpin().map(|()| io::work(id, n)))
                    .await??
            }
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
        // One runtime, and three: more than a small machine's CPUs (pinning wraps round),
        // and more than some cases' connections (a runtime with none ends at once).
        testkit::io::check_run(&[1, 3], testkit::io::Compute::Executor, run);
    }
}
