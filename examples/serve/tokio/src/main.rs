//! # serve, tokio: one task per connection
//!
//! The accept loop spawns a task for each connection, which reads a request, awaits
//! a `tokio::time::sleep` for its delay and writes the answer until the client
//! closes: tokio's idiomatic server (the api-server's shape, with hyper's HTTP). A
//! waiting task is a parked future and a timer entry, not a thread, so 10,000
//! connections cost little more than 100. SIGINT and SIGTERM are futures that end
//! the accept loop in `select!`; a `watch` channel closes the idle connections, and
//! the tasks, in a `JoinSet`, are awaited for up to the grace, then aborted.
//!
//! Compare with: `examples/serve/threads`, `examples/serve/smol`, `shared/api-server`.
//!
//! ```text
//! cargo run --release -p tokio-serve -- --listen 127.0.0.1:8080
//! ```

use std::{io, time::Duration};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    signal::unix::{SignalKind, signal},
    sync::watch,
    task::JoinSet,
};
use workload::{
    Error, ServeArgs,
    http::RequestReader,
    serve::{self, AcceptErrors, reply_to},
    sys,
};

const PROGRAM: &str = "tokio-serve";

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
    // Explicit worker count: #[tokio::main] would start one worker per core. With
    // --workers 1, a current-thread runtime: one thread does everything.
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
        // The runtime's signal futures, made before `listening=`: none is missed. The
        // same three as its siblings' `ctrlc` (with its `termination` feature).
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
                let _ = serve_connection(stream, stopped).await;
            });
        }
        drop(listener); // new connections are refused from here on
        stop.send_replace(true); // idle connections close, the others after their answer
        let all_ended = async { while connections.join_next().await.is_some() {} };
        // Err: the grace is over; dropping the set aborts the tasks still running.
        let _ = tokio::time::timeout(grace, all_ended).await;
        serve::none_dropped(connections.len(), grace)
    })
}

/// Serves one keep-alive connection until the client closes it, sends bytes that
/// are not a request (answered 400 or 431, then closed), or the server stops.
/// Each delay is a timer: the task waits, its thread serves other connections.
async fn serve_connection(
    mut stream: TcpStream,
    mut stopped: watch::Receiver<bool>,
) -> io::Result<()> {
    let mut reader = RequestReader::default();
    let (mut buf, mut out) = (vec![0; 4 << 10], Vec::new());
    loop {
        // Bytes already kept may hold the next request (a pipelining client).
        let mut next = reader.feed(&[]);
        while let Ok(None) = next {
            // Waiting for a request the task races the stop, which closes the connection.
            let n = tokio::select! {
                read = stream.read(&mut buf) => read?,
                _ = stopped.changed() => return Ok(()),
            };
            if n == 0 {
                return Ok(()); // the client is done (or gave up mid-request)
            }
            next = reader.feed(&buf[..n]);
        }
        let reply = reply_to(next.map(|r| r.expect("the loop ends on Some")));
        if *stopped.borrow() {
            return Ok(()); // stopping: close instead of starting another answer
        }
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

// Tests: tests/cli.rs checks the binary (CARGO_BIN_EXE_tokio-serve) as a client meets it.
