//! # serve, tokio-per-core: a runtime per core, each with its own listener on one port
//!
//! `--workers` OS threads, each pinned to a CPU, each running its own current-thread
//! tokio runtime with its own `SO_REUSEPORT` listener on the same port: the kernel
//! spreads new connections over the listeners, and a connection is a task on the
//! runtime that accepted it for its whole life, as in Seastar or Glommio. That task is
//! tokio-serve's: timeouts, pieces, a delay racing a `peek`, tokio's budget against a
//! flood. A thread takes the signals (`sigwait`), and the main thread tells every runtime
//! through a `watch` to stop accepting and wait out the grace, or at a second, to stop.
//! The misfit: the kernel's hash spreads connections, not load, so one runtime can get
//! the busy connections while another idles, and no runtime helps another (tokio-serve's
//! work stealing does). Here is what a runtime runs; `runtimes.rs` starts and stops them.
//!
//! Compare with: `examples/serve/tokio` (one runtime, work stealing),
//! `examples/serve/processes` (`SO_REUSEPORT` over processes), `shared/api-server`.
//!
//! ```text
//! cargo run --release -p tokio-per-core-serve -- --listen 127.0.0.1:8080 --workers 2
//! ```

mod runtimes;

use std::{io, sync::mpsc, time::Duration};

use runtimes::Said;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::watch,
    task::JoinSet,
    time::timeout,
};
use workload::{
    Error, ServeArgs, cores,
    http::{RequestReader, Timeouts},
    serve::{self, AcceptErrors, reply_to},
    sys,
};

const PROGRAM: &str = "tokio-per-core-serve";

fn main() -> Result<(), Error> {
    let args = ServeArgs::parse_for(PROGRAM);
    let nofile = sys::raise_open_file_limit()?;
    let listeners = serve::listen_shared(args.listen, args.workers)
        .map_err(|e| Error::from(e).context(format!("listen on {}", args.listen)))?;
    let workers = args.workers;
    eprintln!("{PROGRAM}: a task per connection, {workers} runtimes, open-file limit {nofile}");
    runtimes::serve(listeners, &args)
}

/// Runtime `w`: pins its thread, serves its listener's connections, a task each, until
/// the first stop signal, then waits `grace` (or for a second signal) for requests in
/// flight; returns how many it dropped.
fn run(
    w: usize,
    listener: std::net::TcpListener,
    tell: &mpsc::Sender<Said>,
    mut signals: watch::Receiver<u32>,
    timeouts: Timeouts,
    grace: Duration,
) -> Result<usize, Error> {
    cores::pin_to_core(w)?;
    // A current-thread runtime: this thread polls every task it spawns, and no other.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    listener.set_nonblocking(true)?; // the runtime's reactor waits, not this thread
    runtime.block_on(async {
        let listener = TcpListener::from_std(listener)?;
        let _ = tell.send(Said::Listening); // Err: the main thread has returned
        let (stop, stopped) = watch::channel(false);
        let mut connections = JoinSet::new();
        loop {
            let stream = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => stream,
                    // Out of file descriptors, or a connection reset before we took it: not fatal.
                    Err(e) => {
                        let _ = tell.send(Said::Accept(e)); // the main thread logs them all
                        tokio::time::sleep(AcceptErrors::BACK_OFF).await;
                        continue;
                    }
                },
                // A connection's task ended: reaped, so that the set holds live ones only.
                Some(_) = connections.join_next() => continue,
                _ = signals.changed() => break,
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
            // Elapsed: the grace is over; dropping the set aborts the tasks still running.
            _ = timeout(grace, all_ended) => {}
            _ = signals.wait_for(|&n| n > 1) => {}
        }
        Ok(connections.len())
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

// Tests: tests/cli.rs checks the binary (CARGO_BIN_EXE_tokio-per-core-serve) as a client meets it.
