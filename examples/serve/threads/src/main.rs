//! # serve, threads: one OS thread per connection
//!
//! The main thread accepts connections and starts a thread for each; that thread
//! reads a request, sleeps for its delay, writes the answer, and reads the next,
//! until the client closes the connection (`workload::serve::serve_blocking`). A
//! sleeping thread uses no core, so 10,000 connections each waiting 100 ms are
//! answered together: the cost is a stack and a kernel task per connection, and
//! the OS's limits on threads. This is the classic server of the primer's "few
//! connections: threads", and it holds far more connections than that suggests.
//! Before its threads reach a limit of the OS (`vm.max_map_count`, where std would
//! abort the process), the server refuses connections instead (`serve::Threads`,
//! which looks every 256 threads): the refusal is logged at most once a second,
//! and the server goes on. `--workers` is accepted and not used: the threads are
//! as many as the connections.
//!
//! SIGINT or SIGTERM (`ctrlc`, a handler thread): stop taking requests, let those
//! in flight finish for up to `--grace-ms`, and exit, which ends every thread.
//!
//! Compare with: `examples/serve/crossbeam`, `examples/serve/tokio`, `examples/io/threads`.
//!
//! ```text
//! cargo run --release -p threads-serve -- --listen 127.0.0.1:8080
//! ```

use std::{net::TcpListener, thread};

use workload::{
    Error, ServeArgs,
    serve::{self, AcceptErrors, Drain, Threads},
    sys,
};

const PROGRAM: &str = "threads-serve";

fn main() -> Result<(), Error> {
    let args = ServeArgs::parse_for(PROGRAM);
    // Each connection is a file descriptor: take all the hard limit allows.
    let nofile = sys::raise_open_file_limit()?;
    let listener = serve::listen(args.listen, false)
        .map_err(|e| Error::from(e).context(format!("listen on {}", args.listen)))?;
    // Every connection thread counts its requests here; it lives as long as the process.
    let drain: &'static Drain = Box::leak(Box::default());
    let grace = args.grace();
    ctrlc::set_handler(move || drain.stop_and_exit(grace))?;
    serve::say_listening(listener.local_addr()?)?;
    eprintln!("{PROGRAM}: a thread per connection (--workers not used), open-file limit {nofile}");
    run(&listener, drain)
}

/// Accepts connections until the process ends, each served on a thread of its own.
fn run(listener: &TcpListener, drain: &'static Drain) -> Result<(), Error> {
    let mut errors = AcceptErrors::new(PROGRAM);
    // Counts the connection threads; it lives as long as the process, as they may.
    let threads: &'static Threads = Box::leak(Box::default());
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
        let seat = match threads.admit() {
            Ok(seat) => seat,
            Err(e) => {
                // No room for another thread: this connection closes unanswered.
                errors.log(&std::io::Error::other(e.to_string()));
                continue;
            }
        };
        let spawned = thread::Builder::new().spawn(move || {
            let _seat = seat; // counted until the connection ends
            // A client that hangs up mid-answer ends only its own connection.
            let _ = serve::serve_blocking(stream, drain);
        });
        if let Err(e) = spawned {
            // The OS refused a thread (a limit on tasks or memory): this connection
            // is dropped, and the others go on.
            errors.log(&e);
        }
    }
}

// The tests are in tests/cli.rs: a server is checked as a client meets it, through
// its binary (CARGO_BIN_EXE_threads-serve).
