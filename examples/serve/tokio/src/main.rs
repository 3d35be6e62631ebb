//! # serve, tokio: one task per connection
//!
//! The accept loop spawns a task for each connection, which reads a request, awaits
//! a `tokio::time::sleep` for its delay and writes the answer until the client
//! closes: tokio's idiomatic server (the api-server's shape, with hyper's HTTP). A
//! waiting task is a parked future and a timer entry, not a thread. SIGINT and
//! SIGTERM are futures raced in `select!`: the first ends the accept loop (a `watch`
//! closes idle connections, a `JoinSet` is awaited for the grace), a second the wait.
//! Hostile clients: each read and each 64 KiB piece written is under a `timeout`; a
//! delay races a `peek` (a client that hangs up cancels it); tokio's cooperative
//! budget makes a task whose socket is always ready yield: a flood starves no one.
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
    signal::unix::{SignalKind, signal},
    sync::watch,
    task::JoinSet,
    time::timeout,
};
use workload::{
    Error, ServeArgs,
    http::{RequestReader, Timeouts},
    serve::{self, AcceptErrors, reply_to},
    sys,
};

const PROGRAM: &str = "tokio-serve";

fn main() -> Result<(), Error> {
    let args = ServeArgs::parse_for(PROGRAM);
    let nofile = sys::raise_open_file_limit()?;
    let listener = serve::listen(args.listen, false)
        .map_err(|e| Error::from(e).context(format!("listen on {}", args.listen)))?;
    let workers = args.workers;
    eprintln!("{PROGRAM}: a task per connection, {workers} workers, open-file limit {nofile}");
    run(listener, &args)
}

/// Serves connections, a task each, until a stop; then waits `grace` for requests in flight.
fn run(listener: std::net::TcpListener, args: &ServeArgs) -> Result<(), Error> {
    let (workers, grace, timeouts) = (args.workers, args.grace(), args.timeouts());
    // Explicit worker count: #[tokio::main] would start one worker per core. With
    // --workers 1, a current-thread runtime: one thread does everything.
    let mut builder = match workers {
        1 => tokio::runtime::Builder::new_current_thread(),
        _ => tokio::runtime::Builder::new_multi_thread(),
    };
    let runtime = builder.worker_threads(workers).enable_all().build()?;
    listener.set_nonblocking(true)?; // the runtime's reactor waits, not this thread
    runtime.block_on(async {
        let listener = TcpListener::from_std(listener)?;
        // Made before `listening=`, none is missed: the three of its siblings' `ctrlc`.
        let (mut interrupt, mut terminate, mut hangup) = (
            signal(SignalKind::interrupt())?,
            signal(SignalKind::terminate())?,
            signal(SignalKind::hangup())?,
        );
        serve::say_listening(listener.local_addr()?)?;
        let (stop, stopped) = watch::channel(false);
        let mut connections = JoinSet::new();
        let mut errors = AcceptErrors::new(PROGRAM);
        loop {
            let stream = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => stream,
                    // Out of file descriptors, or a connection reset before we took it: not fatal.
                    Err(e) => {
                        errors.log(&e);
                        tokio::time::sleep(AcceptErrors::BACK_OFF).await;
                        continue;
                    }
                },
                // A connection's task ended: reaped, so that the set holds live ones only.
                Some(_) = connections.join_next() => continue,
                _ = interrupt.recv() => break,
                _ = terminate.recv() => break,
                _ = hangup.recv() => break,
            };
            let stopped = stopped.clone();
            connections.spawn(async move {
                // A client that hangs up mid-answer ends only its own connection.
                let _ = serve_connection(stream, stopped, timeouts).await;
            });
        }
        drop(listener); // new connections are refused from here on
        stop.send_replace(true); // idle connections close, the others after their answer
        let all_ended = async { while connections.join_next().await.is_some() {} };
        tokio::select! {
            // Err: the grace is over; dropping the set aborts the tasks still running.
            _ = timeout(grace, all_ended) => serve::none_dropped(connections.len(), grace),
            _ = interrupt.recv() => Err(serve::second_signal_error(connections.len() as u64)),
            _ = terminate.recv() => Err(serve::second_signal_error(connections.len() as u64)),
            _ = hangup.recv() => Err(serve::second_signal_error(connections.len() as u64)),
        }
    })
}

/// Serves one keep-alive connection until the client closes it, is refused, too slow, or a stop.
async fn serve_connection(
    mut stream: TcpStream,
    mut stopped: watch::Receiver<bool>,
    timeouts: Timeouts,
) -> io::Result<()> {
    let (mut reader, mut buf) = (RequestReader::new(timeouts), vec![0; 4 << 10]);
    loop {
        let mut next = reader.feed(&[]); // kept bytes may hold a next request (pipelining)
        while let Ok(None) = next {
            // Err (TimedOut) past the head or idle deadline; the stop closes it too.
            let n = tokio::select! {
                read = timeout(reader.time_left()?, stream.read(&mut buf)) => read??,
                _ = stopped.changed() => return Ok(()),
            };
            match n {
                0 => return Ok(()), // the client is done (or gave up mid-request)
                n => next = reader.feed(&buf[..n]),
            }
        }
        let reply = reply_to(next.map(|r| r.expect("the loop ends on Some")));
        if *stopped.borrow() {
            return Ok(()); // stopping: close instead of starting another answer
        }
        // No timer for 0 ms (it would wait for the next tick). The delay races a `peek`:
        // a close or reset cancels the request; a next request's bytes: still there.
        if !reply.delay.is_zero() {
            tokio::select! {
                _ = tokio::time::sleep(reply.delay) => {}
                Ok(0) | Err(_) = stream.peek(&mut buf) => return Ok(()),
            }
        }
        let mut pieces = reply.pieces();
        while let Some(piece) = pieces.next_piece() {
            timeout(timeouts.write, stream.write_all(piece)).await??;
        }
        if reply.close {
            return Ok(());
        }
    }
}

// Tests: tests/cli.rs checks the binary (CARGO_BIN_EXE_tokio-serve) as a client meets it.
