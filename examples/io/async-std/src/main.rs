//! # io, async-std: one task per connection
//!
//! async-std has been discontinued by its maintainers (RUSTSEC-2025-0052 points to
//! smol); it stays here as a labelled historical entry because older code uses it.
//! `--concurrency` tasks each hold one keep-alive `async_std::net::TcpStream`
//! (`client.rs`) and take ids from a shared counter; a waiting task is a parked future,
//! not a thread, on the global executor sized here to `--workers` threads. Without
//! `--server` an embedded api-server (tokio + hyper, on a thread of its own) answers;
//! it is not part of this paradigm and not counted: the benchmark passes `--server` to
//! a separate one.
//!
//! Compare with: `examples/io/smol` (its successor), `examples/io/tokio`.
//!
//! ```text
//! cargo run --release -p async-std-io -- --requests 1000 --concurrency 100 --delay-ms 50
//! ```

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use api_server::Target;
use async_global_executor::GlobalExecutorConfig;
use async_std::task;
use workload::{Error, IoArgs, Report, Workload, io, io::Tally, sys};

mod client;

use client::Client;

const PROGRAM: &str = "async-std-io";
const PARADIGM: &str = "async-std";

fn main() -> Result<(), Error> {
    let args = IoArgs::parse_for(PROGRAM);
    sys::raise_open_file_limit()?;
    // Without --server, an api-server runs in this process until `target` drops.
    let target = Target::new(args.server.as_deref())?;
    run(&args, &target.host)?.print(&args)
}

/// Spawns a task per connection on one shared id counter, and merges their tallies.
fn run(args: &IoArgs, host: &str) -> Result<Report, Error> {
    sys::threads_fit(args.workers as u64, "executor threads")?;
    // Must run before any async-std call; later calls keep the first configuration.
    // Without it: `ASYNC_STD_THREAD_COUNT` threads, or one per core; the reactor is
    // async-io's own thread. It starts one thread, and panics if it cannot; the rest
    // start on the next line, where a thread that cannot start is an error.
    async_global_executor::init_with_config(
        GlobalExecutorConfig::default()
            .with_min_threads(1)
            .with_max_threads(args.workers),
    );
    task::block_on(async_global_executor::spawn_more_threads(args.workers - 1))
        .map_err(|e| Error::from(e).context("start executor threads"))?;
    let connections = args.concurrency.min(args.requests);
    let next_id = Arc::new(AtomicU64::new(0));
    let (host, args) = (Arc::<str>::from(host), Arc::new(args.clone()));
    let total = task::block_on(async {
        let mut tasks = Vec::new();
        for _ in 0..connections {
            tasks.push(task::spawn(connection(
                next_id.clone(),
                host.clone(),
                args.clone(),
            )));
        }
        let mut total = Tally::default();
        for task in tasks {
            total = total.merge(task.await?);
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
        // other connection on it waits; --offload counts them on the `blocking` crate's
        // pool (up to 500 threads).
        let primes = match (args.work, args.offload) {
            (n, true) if n > 0 => task::spawn_blocking(move || io::work(id, n)).await,
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
        testkit::io::check_run(&[2], testkit::io::Compute::Executor, run);
    }
}
