//! # io, threads: one OS thread per connection
//!
//! `--concurrency` scoped threads each hold one keep-alive connection (`client.rs`) and
//! take request ids from a shared `AtomicU64` until they run out. A thread blocked in
//! `read` waits for the server without using a core, so R requests of D ms over C
//! connections take about R / C x D: the primer's "fast I/O, few connections: threads",
//! and Rust threads go further than the primer expects (10,000 fit, see
//! examples/spawn). Without `--server` an embedded api-server (tokio + hyper, on a
//! thread of its own) answers; it is not part of this paradigm and not counted: the
//! benchmark passes `--server` to a separate one.
//!
//! Compare with: `examples/io/crossbeam`, `examples/io/tokio`, `examples/io/sequential`.
//!
//! ```text
//! cargo run --release -p threads-io -- --requests 1000 --concurrency 100 --delay-ms 50
//! ```

use std::{
    sync::atomic::{AtomicU64, Ordering},
    thread,
};

use api_server::Target;
use workload::{Error, IoArgs, Report, Workload, io, io::Tally, sys};

mod client;

use client::Client;

const PROGRAM: &str = "threads-io";
const PARADIGM: &str = "threads";

fn main() -> Result<(), Error> {
    let args = IoArgs::parse_for(PROGRAM).refuse_offload(PROGRAM);
    sys::raise_open_file_limit()?;
    // Without --server, an api-server runs in this process until `target` drops.
    let target = Target::new(args.server.as_deref())?;
    run(&args, &target.host)?.print(&args)
}

/// Starts a thread per connection on one shared id counter, and merges their tallies.
fn run(args: &IoArgs, host: &str) -> Result<Report, Error> {
    let connections = args.concurrency.min(args.requests) as usize;
    // A stack and a kernel task per connection: past the OS's thread limits this is
    // refused before the first thread starts (at `vm.max_map_count` std would abort).
    sys::threads_fit(connections as u64, "connection threads")?;
    let next_id = AtomicU64::new(0);
    let total = thread::scope(|scope| {
        let mut workers = Vec::new();
        for c in 0..connections {
            let worker = thread::Builder::new()
                .spawn_scoped(scope, || connection(&next_id, host, args))
                .map_err(|e| Error::from(e).context(format!("start connection thread {c}")))?;
            workers.push(worker);
        }
        let mut total = Tally::default();
        for worker in workers {
            total = total.merge(worker.join().expect("a connection does not panic")?);
        }
        Ok::<Tally, Error>(total)
    })?;
    Ok(Report::io(PARADIGM, connections, &total))
}

/// One connection's thread: fetch ids from the shared counter until they run out.
fn connection(next_id: &AtomicU64, host: &str, args: &IoArgs) -> Result<Tally, Error> {
    let mut client = Client::new(host, args.patience(), args.bytes);
    let mut tally = Tally::default();
    loop {
        // Relaxed is enough: the counter only hands out distinct ids.
        let id = next_id.fetch_add(1, Ordering::Relaxed);
        if id >= args.requests {
            return Ok(tally);
        }
        let answer = client
            .get(id, args.delay_ms, args.bytes)
            .map_err(|e| e.context(format!("request {id}")))?;
        tally.answer(&answer);
        // On this connection's thread, which the OS time-slices with the others.
        tally.work(io::work(id, args.work));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_spec_and_names_every_fault() {
        testkit::io::check_run(&[2], testkit::io::Compute::OwnThread, run);
    }
}
