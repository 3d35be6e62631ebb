//! # io, sequential: one keep-alive connection, one request at a time
//!
//! The baseline for the io workload: a single blocking `TcpStream` (in `client.rs`),
//! one request in flight, so R requests that each wait D ms on the server take at least
//! R x D ms, whatever `--concurrency` allows; every other paradigm overlaps those
//! waits. `--work`'s primes are counted on the same thread between requests. Without
//! `--server` an embedded api-server (tokio + hyper, on a thread of its own) answers;
//! it is not part of this paradigm and not counted: the benchmark passes `--server` to
//! a separate one.
//!
//! Compare with: `examples/io/threads`, `examples/io/tokio`.
//!
//! ```text
//! cargo run --release -p sequential-io -- --requests 100 --delay-ms 10
//! ```

use api_server::Target;
use workload::{Error, IoArgs, Report, Workload, io, io::Tally, sys};

mod client;

use client::Client;

const PROGRAM: &str = "sequential-io";
const PARADIGM: &str = "sequential";

fn main() -> Result<(), Error> {
    let mut args = IoArgs::parse_for(PROGRAM).refuse_offload(PROGRAM);
    args.concurrency = 1; // one connection, whatever --concurrency asks: the line says so
    sys::raise_open_file_limit()?;
    // Without --server, an api-server runs in this process until `target` drops.
    let target = Target::new(args.server.as_deref())?;
    run(&args, &target.host)?.print(&args)
}

/// Fetches request after request over one connection, working after each answer.
fn run(args: &IoArgs, host: &str) -> Result<Report, Error> {
    let mut client = Client::new(host, args.patience(), args.bytes);
    let mut tally = Tally::default();
    for id in 0..args.requests {
        let answer = client
            .get(id, args.delay_ms, args.bytes)
            .map_err(|e| e.context(format!("request {id}")))?;
        tally.answer(&answer);
        tally.work(io::work(id, args.work)); // on this thread, between requests
    }
    Ok(Report::io(PARADIGM, 1, &tally))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_spec_and_names_every_fault() {
        testkit::io::check_run(&[2], testkit::io::Compute::OwnThread, run);
    }
}
