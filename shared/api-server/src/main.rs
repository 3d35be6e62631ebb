//! `api-server`: the HTTP API every io example calls, as its own process, so that
//! every client in a benchmark meets the same server.
//!
//!     cargo run --release -p api-server -- --listen 127.0.0.1:8080
//!     curl -i 'http://127.0.0.1:8080/work?id=7&delay_ms=100&bytes=16'
//!
//! It prints `listening=HOST:PORT` once it accepts connections, serves until SIGINT or
//! SIGTERM, lets requests in flight finish (for up to `--grace-ms`, by default the
//! longest delay a request may ask for and 5 s more), and exits 0; if it had to drop
//! any, it says how many and exits 1. A second signal stops it at once (exit 1). It
//! takes the serve programs' flags (`workload::ServeArgs`), their timeouts and
//! `--offload` (a heavy request's primes on tokio's blocking pool) included.

use tokio::{
    signal::unix::{SignalKind, signal},
    sync::watch,
};
use workload::{Error, ServeArgs, serve, sys};

fn main() -> Result<(), Error> {
    let args = ServeArgs::parse_for("api-server");
    // Each connection is a file descriptor: take all the hard limit allows.
    let nofile = sys::raise_open_file_limit()
        .map_err(|e| Error::from(e).context("raise open-file limit"))?;
    // Explicit worker count: #[tokio::main] would pick one per core silently.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.workers)
        .enable_all()
        .build()?;
    let served = runtime.block_on(async {
        let listener = api_server::bind(args.listen)
            .map_err(|e| Error::from(e).context(format!("listen on {}", args.listen)))?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        serve::say_listening(listener.local_addr()?)?;
        eprintln!(
            "api-server: {} workers, open-file limit {nofile}",
            args.workers
        );
        // Signals are counted: the first stops the server, a second its grace.
        let (count, signals) = watch::channel(0);
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
                count.send_modify(|n| *n += 1);
            }
        });
        let (mut first, mut second) = (signals.clone(), signals);
        // Err: never, the task above keeps the sender as long as the runtime runs.
        let stop = async move {
            let _ = first.wait_for(|&n| n > 0).await;
        };
        let hurry = async move {
            let _ = second.wait_for(|&n| n > 1).await;
        };
        let (grace, timeouts) = (args.grace(), args.timeouts());
        api_server::serve(listener, stop, hurry, grace, timeouts, args.offload).await
    });
    // A drop would wait for a heavy request still being counted (a worker's or the
    // blocking pool's) past the grace: what was dropped is said, the process ends.
    runtime.shutdown_background();
    served
}
