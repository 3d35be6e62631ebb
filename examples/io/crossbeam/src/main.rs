//! # io, crossbeam: connection threads fed ids by a crossbeam channel
//!
//! Every request id goes into a crossbeam channel first; then `--concurrency` scoped
//! threads, each holding one keep-alive connection (`client.rs`), receive ids from
//! clones of one receiver until it is empty. The multi-consumer channel is what
//! crossbeam adds over std (an `mpsc` receiver cannot be shared without a lock): the
//! shape of a worker pool that takes jobs from a queue, on the threads and blocking
//! reads of `threads-io`. Without `--server` an embedded api-server (tokio + hyper, on
//! a thread of its own) answers; it is not part of this paradigm and not counted: the
//! benchmark passes `--server` to a separate one.
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
    // A stack and a kernel task per connection: past the OS's thread limits this is
    // refused before the first thread starts (at `vm.max_map_count` std would abort).
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
    let mut client = Client::new(host, args.patience(), args.bytes);
    let mut tally = Tally::default();
    for id in queue {
        let answer = client
            .get(id, args.delay_ms, args.bytes)
            .map_err(|e| e.context(format!("request {id}")))?;
        tally.answer(&answer);
        // On this connection's thread, which the OS time-slices with the others.
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
