//! # serve, crossbeam: a fixed pool of threads fed connections by a channel
//!
//! The main thread accepts connections and hands each one over a crossbeam
//! channel to a pool of `--workers` threads, which receive from clones of one
//! receiver (the multi-consumer channel that std's `mpsc` lacks) and serve a
//! connection until its client closes it (`workload::serve::serve_blocking`). This
//! is the classic thread pool of servers, and its lesson is that a pool caps
//! concurrency: W connections are served at once, and a keep-alive connection holds
//! its worker even while idle. The channel holds no connection (`bounded(0)`): while
//! every worker is busy the main thread waits to hand one over, and the next
//! connections wait in the listen backlog, not in this process's file descriptors.
//!
//! SIGINT or SIGTERM (`ctrlc`, a handler thread): stop taking requests, let those
//! in flight finish for up to `--grace-ms`, and exit, which ends every thread.
//!
//! Compare with: `examples/serve/threads` (a thread per connection),
//! `examples/serve/rayon`, `examples/io/crossbeam`.
//!
//! ```text
//! cargo run --release -p crossbeam-serve -- --listen 127.0.0.1:8080
//! ```

use std::{
    net::{TcpListener, TcpStream},
    thread,
};

use crossbeam::channel::{self, Receiver};
use workload::{
    Error, ServeArgs,
    serve::{self, AcceptErrors, Drain},
    sys,
};

const PROGRAM: &str = "crossbeam-serve";

fn main() -> Result<(), Error> {
    let args = ServeArgs::parse_for(PROGRAM);
    // Each connection is a file descriptor: take all the hard limit allows.
    let nofile = sys::raise_open_file_limit()?;
    let listener = serve::listen(args.listen, false)
        .map_err(|e| Error::from(e).context(format!("listen on {}", args.listen)))?;
    // Every worker thread counts its requests here; it lives as long as the process.
    let drain: &'static Drain = Box::leak(Box::default());
    let grace = args.grace();
    ctrlc::set_handler(move || drain.stop_and_exit(grace))?;
    serve::say_listening(listener.local_addr()?)?;
    eprintln!(
        "{PROGRAM}: a pool of threads fed by a channel, {} workers, open-file limit {nofile}",
        args.workers
    );
    run(&listener, drain, args.workers)
}

/// Starts `workers` threads, then accepts connections until the process ends,
/// handing each to the first worker free to take it.
fn run(listener: &TcpListener, drain: &Drain, workers: usize) -> Result<(), Error> {
    sys::threads_fit(workers as u64, "worker threads")?;
    let (connections, queue) = channel::bounded(0); // a hand-over, no queue
    thread::scope(|scope| {
        for w in 0..workers {
            let queue = queue.clone();
            thread::Builder::new()
                .spawn_scoped(scope, move || worker(queue, drain))
                .map_err(|e| Error::from(e).context(format!("start worker thread {w}")))?;
        }
        let mut errors = AcceptErrors::new(PROGRAM);
        loop {
            let stream = match listener.accept() {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before we took
                    // it: neither is fatal.
                    errors.log(&e);
                    thread::sleep(AcceptErrors::BACK_OFF);
                    continue;
                }
            };
            connections
                .send(stream)
                .expect("the workers hold the receivers as long as the process lives");
        }
    })
}

/// One worker thread: serves each connection it receives until its client is done.
fn worker(queue: Receiver<TcpStream>, drain: &Drain) {
    for stream in queue {
        // A client that hangs up mid-answer ends only its own connection.
        let _ = serve::serve_blocking(stream, drain);
    }
}

// The tests are in tests/cli.rs: a server is checked as a client meets it, through
// its binary (CARGO_BIN_EXE_crossbeam-serve).
