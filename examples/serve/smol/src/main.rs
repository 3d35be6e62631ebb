//! # serve, smol: one task per connection, on an executor run by `--workers` threads
//!
//! The accept loop spawns a task for each connection, which reads a request, awaits
//! a `smol::Timer` for its delay and writes the answer until the client closes:
//! smol's idiomatic server. smol itself has no signal futures (the async-signal
//! crate adds them): SIGINT and SIGTERM (`ctrlc`, as in smol's own example) close a
//! channel whose `recv` the accept loop and each idle connection race with
//! `future::or`. The tasks hold senders of a second channel, closed when the last
//! ends; those left after the grace drop unanswered.
//!
//! Compare with: `examples/serve/tokio`, `examples/serve/async-std`, `examples/io/smol`.
//!
//! ```text
//! cargo run --release -p smol-serve -- --listen 127.0.0.1:8080
//! ```

use std::{io, thread, time::Duration};

use smol::{
    Executor, Timer,
    channel::{self, Receiver},
    future,
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};
use workload::{
    Error, ServeArgs,
    http::RequestReader,
    serve::{self, AcceptErrors, reply_to},
    sys,
};

const PROGRAM: &str = "smol-serve";

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
    // The global executor would have one thread (or SMOL_THREADS): this one has W.
    let executor = Executor::new();
    // Never sent on: closing it wakes every receiver at once.
    let (stop, stopped) = channel::bounded::<()>(1);
    ctrlc::set_handler(move || {
        stop.close();
    })?;
    serve::say_listening(listener.local_addr()?)?;
    thread::scope(|scope| {
        // The executor's threads run until `_running` drops, as this closure returns.
        let (_running, ended) = channel::bounded::<()>(1);
        for w in 0..workers {
            let (ended, executor) = (ended.clone(), &executor);
            thread::Builder::new()
                .spawn_scoped(scope, move || {
                    // async-io's block_on, not futures-lite's: an idle executor thread
                    // waits in epoll itself rather than for a wake from async-io's
                    // thread, a hand-off per request (serve-fast took ~1.5x as long).
                    smol::block_on(executor.run(ended.recv()))
                })
                .map_err(|e| Error::from(e).context(format!("start executor thread {w}")))?;
        }
        smol::block_on(async {
            let listener = TcpListener::try_from(listener)?; // Async::new: nonblocking
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
                        Timer::after(AcceptErrors::BACK_OFF).await;
                        continue;
                    }
                };
                let (stopped, connection) = (stopped.clone(), connection.clone());
                executor
                    .spawn(async move {
                        let _connection = connection; // counted until the task ends
                        // A client that hangs up mid-answer ends only its own connection.
                        let _ = serve_connection(stream, stopped).await;
                    })
                    .detach();
            }
            drop((listener, connection)); // new connections are refused from here on
            let grace_over = async {
                Timer::after(grace).await;
                Ok(())
            };
            // `recv` ends (Err: closed) when the last task drops its sender.
            let _ = future::or(connections.recv(), grace_over).await;
            serve::none_dropped(connections.sender_count(), grace)
        })
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
            Timer::after(reply.delay).await;
        }
        out.clear();
        reply.write(&mut out);
        stream.write_all(&out).await?;
        if reply.close {
            return Ok(());
        }
    }
}

// Tests: tests/cli.rs checks the binary (CARGO_BIN_EXE_smol-serve) as a client meets it.
