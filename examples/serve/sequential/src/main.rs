//! # serve, sequential: one connection at a time
//!
//! An iterative server, the baseline: the main thread accepts a connection and
//! serves it (`workload::serve::serve_blocking`: read a request, sleep its delay,
//! write the answer, read the next) until the client closes it, and only then
//! accepts the next. Its limit is plain: a keep-alive client that holds its
//! connection open blocks every other client, whose connections wait in the listen
//! backlog (taken by the kernel, never answered) until it hangs up, and requests of
//! D ms are answered one after another. `--workers` is accepted, as every server
//! takes it, and not used: the main thread is the one worker.
//!
//! SIGINT or SIGTERM (`ctrlc`, a handler thread): stop taking requests, let the one
//! in flight finish for up to `--grace-ms`, and exit, which closes the connection.
//!
//! Compare with: `examples/serve/threads`, `examples/io/sequential`.
//!
//! ```text
//! cargo run --release -p sequential-serve -- --listen 127.0.0.1:8080
//! ```

use std::{net::TcpListener, thread};

use workload::{
    Error, ServeArgs,
    serve::{self, AcceptErrors, Drain},
    sys,
};

const PROGRAM: &str = "sequential-serve";

fn main() -> Result<(), Error> {
    let args = ServeArgs::parse_for(PROGRAM);
    // Each connection is a file descriptor: take all the hard limit allows.
    let nofile = sys::raise_open_file_limit()?;
    let listener = serve::listen(args.listen, false)
        .map_err(|e| Error::from(e).context(format!("listen on {}", args.listen)))?;
    // The connection being served counts its requests here; it lives as long as the process.
    let drain: &'static Drain = Box::leak(Box::default());
    let grace = args.grace();
    ctrlc::set_handler(move || drain.stop_and_exit(grace))?;
    serve::say_listening(listener.local_addr()?)?;
    // --workers is not used: there is nothing to share the connections with.
    eprintln!("{PROGRAM}: one connection at a time, 1 worker, open-file limit {nofile}");
    run(&listener, drain)
}

/// Accepts a connection and serves it until its client is done, then the next.
fn run(listener: &TcpListener, drain: &Drain) -> Result<(), Error> {
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
        // A client that hangs up mid-answer ends only its own connection; the
        // next one waits in the backlog until this returns.
        let _ = serve::serve_blocking(stream, drain);
    }
}

// The tests are in tests/cli.rs: a server is checked as a client meets it, through
// its binary (CARGO_BIN_EXE_sequential-serve).
