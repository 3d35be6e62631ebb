//! # serve, tokio: one task per connection
//!
//! The accept loop spawns a task for each connection; that task reads a request,
//! awaits a `tokio::time::sleep` for its delay, writes the answer, and reads the
//! next, until the client closes the connection: `workload::serve::serve_blocking`
//! with `.await`. A waiting task is a parked future of a few hundred bytes and a
//! timer entry, not a thread, so 10,000 connections each waiting 100 ms cost
//! little more than 100. This is tokio's idiomatic server (the api-server is the
//! same shape, with hyper's HTTP): the limits are the open-file limit and, for
//! work between awaits, the `--workers` threads. With `--workers 1` it runs on a
//! current-thread runtime, one thread doing everything.
//!
//! SIGINT or SIGTERM (`ctrlc`, a handler thread): stop taking requests, let those
//! in flight finish for up to `--grace-ms`, and exit, which ends every task.
//!
//! Compare with: `examples/serve/threads`, `examples/serve/smol`, `shared/api-server`.
//!
//! ```text
//! cargo run --release -p tokio-serve -- --listen 127.0.0.1:8080
//! ```

use std::io;

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};
use workload::{
    Error, ServeArgs,
    http::RequestReader,
    serve::{self, AcceptErrors, Drain, reply_to},
    sys,
};

const PROGRAM: &str = "tokio-serve";

fn main() -> Result<(), Error> {
    let args = ServeArgs::parse_for(PROGRAM);
    // Each connection is a file descriptor: take all the hard limit allows.
    let nofile = sys::raise_open_file_limit()?;
    let listener = serve::listen(args.listen, false)
        .map_err(|e| Error::from(e).context(format!("listen on {}", args.listen)))?;
    // Every connection task counts its requests here; it lives as long as the process.
    let drain: &'static Drain = Box::leak(Box::default());
    let grace = args.grace();
    // ctrlc, not the runtime's signals: one shutdown for all eight servers. The
    // handler thread waits while the runtime's threads finish the requests in flight.
    ctrlc::set_handler(move || drain.stop_and_exit(grace))?;
    serve::say_listening(listener.local_addr()?)?;
    let workers = args.workers;
    eprintln!("{PROGRAM}: a task per connection, {workers} workers, open-file limit {nofile}");
    run(listener, workers, drain)
}

/// Accepts connections until the process ends, each served by a task of its own.
fn run(
    listener: std::net::TcpListener,
    workers: usize,
    drain: &'static Drain,
) -> Result<(), Error> {
    // Explicit worker count: #[tokio::main] would start one worker per core.
    let mut builder = match workers {
        1 => tokio::runtime::Builder::new_current_thread(),
        _ => tokio::runtime::Builder::new_multi_thread(),
    };
    if workers > 1 {
        builder.worker_threads(workers);
    }
    let runtime = builder.enable_all().build()?;
    // The runtime's reactor waits for connections, not this thread.
    listener.set_nonblocking(true)?;
    runtime.block_on(async {
        let listener = TcpListener::from_std(listener)?;
        let mut errors = AcceptErrors::new(PROGRAM);
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before we took it:
                    // neither is fatal.
                    errors.log(&e);
                    tokio::time::sleep(AcceptErrors::BACK_OFF).await;
                    continue;
                }
            };
            // The task is detached: it ends with its connection, or with the process.
            tokio::spawn(async move {
                // A client that hangs up mid-answer ends only its own connection.
                let _ = serve_connection(stream, drain).await;
            });
        }
    })
}

/// Serves one keep-alive connection until the client closes it, sends bytes that
/// are not a request (answered 400 or 431, then closed), or the server stops.
/// Each delay is a timer: the task waits, its thread serves other connections.
async fn serve_connection(mut stream: TcpStream, drain: &Drain) -> io::Result<()> {
    let mut reader = RequestReader::default();
    let (mut buf, mut out) = (vec![0; 4 << 10], Vec::new());
    loop {
        // Bytes already kept may hold the next request (a pipelining client).
        let mut next = reader.feed(&[]);
        while let Ok(None) = next {
            let n = stream.read(&mut buf).await?;
            if n == 0 {
                return Ok(()); // the client is done (or gave up mid-request)
            }
            next = reader.feed(&buf[..n]);
        }
        let reply = reply_to(next.map(|r| r.expect("the loop ends on Some")));
        let Some(_counted) = drain.enter() else {
            return Ok(()); // stopping: close instead of starting another answer
        };
        // No timer at all for 0 ms: it would still wait for the runtime's next tick.
        if !reply.delay.is_zero() {
            tokio::time::sleep(reply.delay).await;
        }
        out.clear();
        reply.write(&mut out);
        stream.write_all(&out).await?;
        if reply.close {
            return Ok(());
        }
    }
}

// The tests are in tests/cli.rs: a server is checked as a client meets it, through
// its binary (CARGO_BIN_EXE_tokio-serve).
