//! # serve, async-std: one task per connection
//!
//! async-std is discontinued (RUSTSEC-2025-0052 points to smol) and stays as a
//! labelled historical entry. The accept loop spawns a task for each connection,
//! which reads a request, awaits `task::sleep` for its delay and writes the answer
//! until the client closes: async-std's idiomatic server. With no signal futures of its own and
//! its `race` unstable, SIGINT and SIGTERM (`ctrlc`) close a channel raced with
//! `futures_lite::future::or`, as in smol; the tasks hold senders of a second channel,
//! awaited with `future::timeout`, and those left after the grace end with the process.
//!
//! Compare with: `examples/serve/smol` (its successor), `examples/serve/tokio`.
//!
//! ```text
//! cargo run --release -p async-std-serve -- --listen 127.0.0.1:8080
//! ```

use std::{io, time::Duration};

use async_global_executor::GlobalExecutorConfig;
use async_std::{
    channel::{self, Receiver},
    future::timeout,
    io::{ReadExt, WriteExt},
    net::{TcpListener, TcpStream},
    task,
};
use futures_lite::future;
use workload::{
    Error, ServeArgs,
    http::RequestReader,
    serve::{self, AcceptErrors, reply_to},
    sys,
};

const PROGRAM: &str = "async-std-serve";

fn main() -> Result<(), Error> {
    let args = ServeArgs::parse_for(PROGRAM);
    // Each connection is a file descriptor: take all the hard limit allows.
    let nofile = sys::raise_open_file_limit()?;
    let listener = serve::listen(args.listen, false)
        .map_err(|e| Error::from(e).context(format!("listen on {}", args.listen)))?;
    let workers = args.workers;
    eprintln!("{PROGRAM}: a task per connection, {workers} workers, open-file limit {nofile}");
    run(listener, workers, args.grace())
}

/// Serves connections, a task each, until a stop; then waits `grace` for requests in flight.
fn run(listener: std::net::TcpListener, workers: usize, grace: Duration) -> Result<(), Error> {
    // Must run before any async-std call; later calls keep the first configuration.
    // Without it: ASYNC_STD_THREAD_COUNT threads, or one per core. Its reactor and
    // timers are async-io's thread.
    async_global_executor::init_with_config(
        GlobalExecutorConfig::default()
            .with_min_threads(workers)
            .with_max_threads(workers),
    );
    // Never sent on: closing it wakes every receiver at once.
    let (stop, stopped) = channel::bounded::<()>(1);
    ctrlc::set_handler(move || {
        stop.close();
    })?;
    serve::say_listening(listener.local_addr()?)?;
    task::block_on(async {
        let listener = TcpListener::from(listener); // Async::new: nonblocking
        // Every task holds a sender, never used: `recv` ends when the last drops.
        let (connection, connections) = channel::bounded::<()>(1);
        let mut errors = AcceptErrors::new(PROGRAM);
        loop {
            // The stop first (`or` polls it first); it ends only when the channel closes.
            let stop = async {
                let _ = stopped.recv().await;
                None
            };
            let stream = match future::or(stop, async { Some(listener.accept().await) }).await {
                None => break,
                Some(Ok((stream, _))) => stream,
                // Out of file descriptors, or a connection reset before we took it: not fatal.
                Some(Err(e)) => {
                    errors.log(&e);
                    task::sleep(AcceptErrors::BACK_OFF).await;
                    continue;
                }
            };
            let (stopped, connection) = (stopped.clone(), connection.clone());
            // The task is detached: it ends with its connection, or with the process.
            task::spawn(async move {
                let _connection = connection; // counted until the task ends
                // A client that hangs up mid-answer ends only its own connection.
                let _ = serve_connection(stream, stopped).await;
            });
        }
        drop((listener, connection)); // new connections are refused from here on
        // `recv` ends (Err: closed) when the last task drops its sender.
        let _ = timeout(grace, connections.recv()).await;
        serve::none_dropped(connections.sender_count(), grace)
    })
}

/// Serves one keep-alive connection until the client closes it, sends bytes that
/// are not a request (answered 400 or 431, then closed), or the server stops.
/// Each delay is a timer: the task waits, its thread serves other connections.
async fn serve_connection(mut stream: TcpStream, stopped: Receiver<()>) -> io::Result<()> {
    let mut reader = RequestReader::default();
    let (mut buf, mut out) = (vec![0; 4 << 10], Vec::new());
    loop {
        // Bytes already kept may hold the next request (a pipelining client).
        let mut next = reader.feed(&[]);
        while let Ok(None) = next {
            // Waiting for a request the task races the stop, which reads as a close.
            let stop = async {
                let _ = stopped.recv().await; // ends only when the channel closes
                Ok(0)
            };
            let n = future::or(stream.read(&mut buf), stop).await?;
            if n == 0 {
                return Ok(()); // the client is done (or gave up mid-request)
            }
            next = reader.feed(&buf[..n]);
        }
        let reply = reply_to(next.map(|r| r.expect("the loop ends on Some")));
        if stopped.is_closed() {
            return Ok(()); // stopping: close instead of starting another answer
        }
        // No timer at all for 0 ms: it would still wait for the runtime's next tick.
        if !reply.delay.is_zero() {
            task::sleep(reply.delay).await;
        }
        out.clear();
        reply.write(&mut out);
        stream.write_all(&out).await?;
        if reply.close {
            return Ok(());
        }
    }
}

// Tests: tests/cli.rs checks the binary (CARGO_BIN_EXE_async-std-serve) as a client meets it.
