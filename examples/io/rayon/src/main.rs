//! # io, rayon: blocking requests on a CPU pool, a deliberate misfit
//!
//! The ids become a parallel iterator on a pool of `--workers` threads, and each thread
//! keeps a connection (`client.rs`) for the ids it is handed (`map_init`). It works,
//! and it is a deliberate misfit: a thread blocked on the network is a core's worth of
//! pool doing nothing, and the real concurrency is the pool size, whatever
//! `--concurrency` says, so R requests of D ms take about R / W x D; use threads or
//! async for I/O, and rayon for CPU work. Without `--server` an embedded api-server
//! (tokio + hyper, on a thread of its own) answers; it is not part of this paradigm and
//! not counted: the benchmark passes `--server` to a separate one.
//!
//! Compare with: `examples/io/threads`, `examples/cpu/rayon` (rayon's real job).
//!
//! ```text
//! cargo run --release -p rayon-io -- --requests 100 --concurrency 100 --delay-ms 50 --workers 2
//! ```

use api_server::Target;
use rayon::prelude::*;
use workload::{Error, IoArgs, Report, Workload, io, io::Tally, sys};

mod client;

use client::Client;

const PROGRAM: &str = "rayon-io";
const PARADIGM: &str = "rayon";

fn main() -> Result<(), Error> {
    let args = IoArgs::parse_for(PROGRAM).refuse_offload(PROGRAM);
    sys::raise_open_file_limit()?;
    // Without --server, an api-server runs in this process until `target` drops.
    let target = Target::new(args.server.as_deref())?;
    run(&args, &target.host)?.print(&args)
}

/// Fetches every id with a parallel iterator, a connection per pool thread's run.
fn run(args: &IoArgs, host: &str) -> Result<Report, Error> {
    // At most --concurrency connections: a pool thread holds at most one.
    let threads = args.workers.min(args.concurrency as usize);
    sys::threads_fit(threads as u64, "pool threads")?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads) // default: RAYON_NUM_THREADS, else one per core
        .build()
        .map_err(|e| Error::from(e).context("start pool threads"))?;
    let total = pool.install(|| {
        (0..args.requests)
            .into_par_iter()
            .map_init(
                // Once per batch of ids a thread takes.
                || Client::new(host, args.patience(), args.bytes),
                |client, id| {
                    let answer = client.get(id, args.delay_ms, args.bytes);
                    Ok((id, answer.map_err(|e| e.context(format!("request {id}")))?))
                },
            )
            // Each batch of ids tallies its own answers; the batches merge at the end.
            .try_fold(Tally::default, |mut tally, answer: Result<_, Error>| {
                let (id, answer) = answer?;
                tally.answer(&answer);
                tally.work(io::work(id, args.work)); // by the pool thread that fetched it
                Ok::<_, Error>(tally)
            })
            .try_reduce(Tally::default, |a, b| Ok(a.merge(b)))
    })?;
    Ok(Report::io(PARADIGM, pool.current_num_threads(), &total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_spec_and_names_every_fault() {
        testkit::io::check_run(&[2], testkit::io::Compute::OwnThread, run);
    }
}
