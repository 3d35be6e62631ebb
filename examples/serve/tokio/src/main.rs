//! # serve, tokio: one task per connection
//!
//! The accept loop spawns a task per connection, which reads a request, awaits
//! `tokio::time::sleep` for its delay and writes the answer: tokio's idiomatic server (the
//! api-server's shape, with hyper's HTTP); a waiting task is a parked future, not a thread. A
//! heavy request (`work=N`) is counted on its task, holding its thread, or with `--offload` on
//! tokio's blocking pool. SIGINT and SIGTERM, raced in `select!`, end the accept loop (a `watch`
//! closes idle connections, a `JoinSet` is awaited for the grace), a second the wait. Reads and
//! 64 KiB pieces written are under a `timeout`, a delay races a `peek` (a client gone cancels
//! it), and tokio's cooperative budget makes an always-ready task yield: a flood starves no one.
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
    task::{JoinSet, spawn_blocking},
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
    let (grace, timeouts, offload) = (args.grace(), args.timeouts(), args.offload);
    // Explicit worker count: #[tokio::main] would start one worker per core. With
    // --workers 1, a current-thread runtime: one thread does everything.
    let mut builder = match args.workers {
        1 => tokio::runtime::Builder::new_current_thread(),
        _ => tokio::runtime::Builder::new_multi_thread(),
    };
    let runtime = builder.worker_threads(args.workers).enable_all().build()?;
    listener.set_nonblocking(true)?; // the runtime's reactor waits, not this thread
    let served = runtime.block_on(async {
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
                    Err(e) => {
                        errors.log(&e);
                        tokio::time::sleep(AcceptErrors::BACK_OFF).await;
                        continue; // out of file descriptors, or reset before taken: not fatal
                    }
                },
                Some(_) = connections.join_next() => continue, // reaped: only live ones stay
                _ = interrupt.recv() => break,
                _ = terminate.recv() => break,
                _ = hangup.recv() => break,
            };
            let stopped = stopped.clone();
            connections.spawn(async move {
                // A client that hangs up mid-answer, or a count that panics, ends only its own.
                let _ = serve_connection(stream, stopped, timeouts, offload).await;
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
    });
    runtime.shutdown_background(); // a drop would wait for a count still running
    served
}

/// Serves one keep-alive connection until the client closes it, is refused, too slow, or a stop.
async fn serve_connection(
    mut stream: TcpStream,
    mut stopped: watch::Receiver<bool>,
    timeouts: Timeouts,
    offload: bool,
) -> io::Result<()> {
    let (mut reader, mut buf) = (RequestReader::new(timeouts), vec![0; 4 << 10]);
    loop {
        let mut next = reader.feed(&[]); // kept bytes may hold a next request (pipelining)
        while let Ok(None) = next {
            let n = tokio::select! { // Err (TimedOut) past the head or idle deadline
                read = timeout(reader.time_left()?, stream.read(&mut buf)) => read??,
                _ = stopped.changed() => return Ok(()),
            };
            match n {
                0 => return Ok(()), // the client is done (or gave up mid-request)
                n => next = reader.feed(&buf[..n]),
            }
        }
        let mut reply = reply_to(next.map(|r| r.expect("the loop ends on Some")));
        if *stopped.borrow() {
            return Ok(()); // stopping: close instead of starting another answer
        }
        if let (Some(work), true) = (reply.work(), offload) {
            reply.set_primes(spawn_blocking(move || work.count()).await?);
        }
        reply.count_primes(); // work=N, if not offloaded: here, holding this worker thread
        // No timer for 0 ms (it waits for the next tick); a client that hangs up cancels it.
        if !reply.delay.is_zero() {
            tokio::select! {
                _ = tokio::time::sleep(reply.delay) => {}
                Ok(0) | Err(_) = stream.peek(&mut buf) => return Ok(()), // Ok(n): a next request
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
