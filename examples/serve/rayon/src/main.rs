//! # serve, rayon: blocking connections on a CPU pool, a deliberate misfit
//!
//! The main thread accepts connections and `spawn`s each one onto a rayon pool of
//! `--workers` threads, where it is served until its client closes it
//! (`workload::serve::serve_blocking`). It works, and it is wrong for a server:
//! rayon's pool is sized for cores and made for work that keeps them busy, and a
//! thread that sleeps out a delay or waits on an idle keep-alive connection is a
//! core's worth of pool doing nothing, so only W connections are served at once and
//! the rest wait, accepted, in rayon's queue (anything else on the pool waits with
//! them). It is here so that the benchmark shows what that costs; use threads or
//! async to serve, and rayon for the CPU work a request might do.
//!
//! SIGINT or SIGTERM (`ctrlc`, a handler thread): stop taking requests, let those
//! in flight finish for up to `--grace-ms`, and exit, which ends every thread.
//!
//! Compare with: `examples/serve/crossbeam` (a pool made for this),
//! `examples/serve/threads`, `examples/io/rayon`.
//!
//! ```text
//! cargo run --release -p rayon-serve -- --listen 127.0.0.1:8080
//! ```

use std::{net::TcpListener, thread};

use rayon::ThreadPool;
use workload::{
    Error, ServeArgs,
    serve::{self, AcceptErrors, Drain},
    sys,
};

const PROGRAM: &str = "rayon-serve";

fn main() -> Result<(), Error> {
    let args = ServeArgs::parse_for(PROGRAM);
    // Each connection is a file descriptor: take all the hard limit allows.
    let nofile = sys::raise_open_file_limit()?;
    let listener = serve::listen(args.listen, false)
        .map_err(|e| Error::from(e).context(format!("listen on {}", args.listen)))?;
    // Every pool thread counts its requests here; it lives as long as the process.
    let drain: &'static Drain = Box::leak(Box::default());
    let grace = args.grace();
    ctrlc::set_handler(move || drain.stop_and_exit(grace))?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.workers) // default: RAYON_NUM_THREADS, else one per core
        .build()?;
    serve::say_listening(listener.local_addr()?)?;
    eprintln!(
        "{PROGRAM}: a connection per rayon job, {} workers, open-file limit {nofile}",
        pool.current_num_threads()
    );
    run(&listener, drain, &pool)
}

/// Accepts connections until the process ends, each served as a job on `pool`.
fn run(listener: &TcpListener, drain: &'static Drain, pool: &ThreadPool) -> Result<(), Error> {
    let mut errors = AcceptErrors::new(PROGRAM);
    loop {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors, or a connection reset before we took it:
                // neither is fatal.
                errors.log(&e);
                thread::sleep(AcceptErrors::BACK_OFF);
                continue;
            }
        };
        // The job holds its pool thread until the client closes the connection;
        // the connections accepted meanwhile wait in the pool's queue.
        pool.spawn(move || {
            // A client that hangs up mid-answer ends only its own connection.
            let _ = serve::serve_blocking(stream, drain);
        });
    }
}

// The tests are in tests/cli.rs: a server is checked as a client meets it, through
// its binary (CARGO_BIN_EXE_rayon-serve).
