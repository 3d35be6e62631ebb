//! `api-server`: the HTTP API every io example calls, as its own process, so that
//! every client in a benchmark meets the same server.
//!
//!     cargo run --release -p api-server -- --listen 127.0.0.1:8080
//!     curl -i 'http://127.0.0.1:8080/work?id=7&delay_ms=100&bytes=16'
//!
//! It prints `listening=HOST:PORT` once it accepts connections, serves until SIGINT or
//! SIGTERM, lets requests in flight finish, and exits 0.

use std::{io::Write, net::SocketAddr};

use clap::Parser;
use tokio::signal::unix::{SignalKind, signal};
use workload::{Error, sys};

/// The slow HTTP/1.1 API of DESIGN.md: GET /work?id=I&delay_ms=D&bytes=B.
#[derive(Parser, Debug)]
#[command(name = "api-server")]
struct Args {
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Runtime worker threads.
    #[arg(long, value_name = "W", default_value_t = sys::available_cores())]
    workers: usize,
}

fn main() -> Result<(), Error> {
    let args = Args::parse();
    if args.workers == 0 {
        return Err(Error::msg("--workers must be at least 1"));
    }
    // Each connection is a file descriptor: take all the hard limit allows.
    let nofile = sys::raise_open_file_limit()
        .map_err(|e| Error::from(e).context("raise open-file limit"))?;
    // Explicit worker count: #[tokio::main] would pick one per core silently.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.workers)
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
        api_server::serve(listener, async {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
        .await;
        Ok(())
    })
}
