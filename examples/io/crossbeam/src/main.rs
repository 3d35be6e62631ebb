//! # io, crossbeam: connection threads fed ids by a crossbeam channel
//!
//! Every request id goes into a crossbeam channel first; then `--concurrency`
//! scoped threads, each holding one keep-alive connection, receive ids from clones
//! of one receiver until it is empty. The multi-consumer channel is what crossbeam
//! adds over std (an `mpsc` receiver cannot be shared without a lock), and it is
//! the shape of a worker pool that takes jobs from a queue. Blocking reads, so the
//! cost per connection is that of `threads-io`: a thread and a stack. `--work`'s
//! primes are counted on the connection's thread; each keeps its own `Tally` of
//! answers and latencies, merged at the end.
//!
//! A request with no complete answer within D + T ms (`--timeout-ms`) fails the
//! run: each thread's `Client` (client.rs) sets socket timeouts to what is left of it.
//!
//! Compare with: `examples/io/threads` (a shared counter), `examples/io/tokio`.
//!
//! ```text
//! cargo run --release -p crossbeam-io -- --requests 1000 --concurrency 100 --delay-ms 50
//! ```

use std::thread;

use api_server::Target;
use crossbeam::channel::{self, Receiver};
use workload::{Error, IoArgs, Report, Workload, io, io::Tally, sys};

mod client;

use client::Client;

const PROGRAM: &str = "crossbeam-io";
const PARADIGM: &str = "crossbeam";

fn main() -> Result<(), Error> {
    let args = IoArgs::parse_for(PROGRAM).refuse_offload(PROGRAM);
    sys::raise_open_file_limit()?;
    // Without --server, an api-server runs in this process until `target` drops.
    let target = Target::new(args.server.as_deref())?;
    run(&args, &target.host)?.print(&args)
}

/// Queues every id, starts a thread per connection on the queue, merges their tallies.
fn run(args: &IoArgs, host: &str) -> Result<Report, Error> {
    let connections = args.concurrency.min(args.requests) as usize;
    sys::threads_fit(connections as u64, "connection threads")?;
    let (ids, queue) = channel::unbounded();
    for id in 0..args.requests {
        ids.send(id)
            .expect("`queue` is alive, so the channel is open");
    }
    drop(ids); // closes the channel: connections stop once it is empty
    let total = thread::scope(|scope| {
        let mut workers = Vec::new();
        for c in 0..connections {
            let queue = queue.clone();
            let worker = thread::Builder::new()
                .spawn_scoped(scope, move || connection(queue, host, args))
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

/// One connection's thread: fetch ids from the channel until it closes.
fn connection(queue: Receiver<u64>, host: &str, args: &IoArgs) -> Result<Tally, Error> {
    let mut client = Client::new(host, args.patience());
    let mut tally = Tally::default();
    for id in queue {
        let answer = client
            .get(id, args.delay_ms, args.bytes)
            .map_err(|e| e.context(format!("request {id}")))?;
        tally.answer(&answer);
        tally.work(io::work(id, args.work));
    }
    Ok(tally)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_spec_and_names_every_fault() {
        testkit::io::check_run(&[2], testkit::io::Compute::OwnThread, run);
    }
}
