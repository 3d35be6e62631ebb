//! `api-server`: the HTTP API every io example calls, as its own process, so that
//! every client in a benchmark meets the same server.
//!
//!     cargo run --release -p api-server -- --listen 127.0.0.1:8080
//!     curl -i 'http://127.0.0.1:8080/work?id=7&delay_ms=100&bytes=16'
//!
//! It prints `listening=HOST:PORT` once it accepts connections, serves until SIGINT or
//! SIGTERM, lets requests in flight finish (for up to `--grace-ms`, by default the
//! longest delay a request may ask for and 5 s more), and exits 0; if it had to drop
//! any, it says how many and exits 1.

use std::{io::Write, net::SocketAddr, time::Duration};

use clap::Parser;
use tokio::signal::unix::{SignalKind, signal};
use workload::{Error, sys};

/// The slow HTTP/1.1 API of DESIGN.md: GET /work?id=I&delay_ms=D&bytes=B.
#[derive(Parser, Debug)]
#[command(name = "api-server", allow_negative_numbers = true)]
struct Args {
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Runtime worker threads (1 to 1024: more only cost memory).
    #[arg(long, value_name = "W", default_value_t = sys::available_cores().min(1024) as u16,
          value_parser = clap::value_parser!(u16).range(1..=1024))]
    workers: u16,
    /// After SIGINT or SIGTERM, how long requests in flight may take to finish.
    #[arg(long = "grace-ms", value_name = "G",
          default_value_t = api_server::GRACE.as_millis() as u64)]
    grace_ms: u64,
}

fn main() -> Result<(), Error> {
    let args = Args::parse();
    // Each connection is a file descriptor: take all the hard limit allows.
    let nofile = sys::raise_open_file_limit()
        .map_err(|e| Error::from(e).context("raise open-file limit"))?;
    // Explicit worker count: #[tokio::main] would pick one per core silently.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.workers.into())
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = api_server::bind(args.listen)
            .map_err(|e| Error::from(e).context(format!("listen on {}", args.listen)))?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        let mut stdout = std::io::stdout();
        writeln!(stdout, "listening={}", listener.local_addr()?)?;
        stdout.flush()?;
        eprintln!(
            "api-server: {} workers, open-file limit {nofile}",
            args.workers
        );
        let stop = async {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        };
        let grace = Duration::from_millis(args.grace_ms);
        match api_server::serve(listener, stop, grace).await {
            0 => Ok(()),
            dropped => Err(workload::serve::dropped_error(dropped as u64, grace)),
        }
    })
}
