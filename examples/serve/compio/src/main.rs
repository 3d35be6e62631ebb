//! # serve, compio: a runtime per core on io_uring, each with its own listener on one port
//!
//! tokio-per-core-serve's shape (`--workers` pinned threads, each a runtime with its own
//! `SO_REUSEPORT` listener on one port, a connection a task on one runtime for life) on
//! compio: where that one waits in epoll for a socket to be ready, then reads it, here the
//! kernel does the accept, the read, the `peek` and the write, each with a buffer the task
//! hands over and gets back. The accept is one multishot submission kept across `select!`s
//! (a dropped accept could close a connection it took). At 4 connections and no delay
//! that made 0.55 syscalls a request on one runtime (1.2 on two), all `io_uring_enter`,
//! against tokio-per-core-serve's 2.7, yet no less CPU: more of it in the kernel (a 2-core
//! VM). Here is what a runtime runs; `runtimes.rs` starts and stops them.
//!
//! Compare with: `examples/serve/tokio-per-core` (the same on epoll),
//! `examples/serve/tokio` (one runtime, work stealing), `shared/api-server`.
//!
//! ```text
//! cargo run --release -p compio-serve -- --listen 127.0.0.1:8080 --workers 2
//! ```

mod runtimes;

use std::{future, sync::mpsc, time::Duration};

use async_channel::Receiver;
use compio::io::{AsyncRead, AsyncWriteExt};
use compio::{BufResult, net::TcpListener, net::TcpStream, runtime::CancelToken, time};
use futures_util::{FutureExt, StreamExt, select, stream::FuturesUnordered};
use runtimes::Said;
use workload::{
    Error, ServeArgs, cores,
    http::{RequestReader, Timeouts},
    serve::{self, AcceptErrors, reply_to},
    sys,
};

const PROGRAM: &str = "compio-serve";

fn main() -> Result<(), Error> {
    let args = ServeArgs::parse_for(PROGRAM);
    let nofile = sys::raise_open_file_limit()?;
    let listeners = serve::listen_shared(args.listen, args.workers)
        .map_err(|e| Error::from(e).context(format!("listen on {}", args.listen)))?;
    runtimes::serve(listeners, &args, nofile) // says what it runs once they all listen
}

/// Runtime `w`: pins its thread, serves its listener's connections, a task each, until
/// the first stop signal, then waits `grace` (or for a second signal) for requests in
/// flight; returns how many it dropped.
fn run(
    w: usize,
    listener: std::net::TcpListener,
    tell: &mpsc::Sender<Said>,
    [stopped, hurried]: [Receiver<()>; 2],
    timeouts: Timeouts,
    grace: Duration,
) -> Result<usize, Error> {
    cores::pin_to_core(w)?;
    // Single-threaded: this thread polls every task. Its 1,024-entry ring holds 10,000 connections.
    let runtime = compio::runtime::RuntimeBuilder::new()
        .build()
        .map_err(cores::compio_runtime_error)?;
    runtime.block_on(async {
        let listener = TcpListener::from_std(listener)?;
        let _ = tell.send(Said::Listening); // Err: the main thread has returned
        let (stop, mut connections) = (CancelToken::new(), FuturesUnordered::new());
        let mut incoming = listener.incoming(); // one multishot accept for every connection
        loop {
            let stream = select! {
                accepted = incoming.select_next_some() => match accepted {
                    Ok(stream) => stream,
                    // Out of file descriptors, or a connection reset before we took it: not fatal.
                    Err(e) => {
                        let _ = tell.send(Said::Accept(e)); // the main thread logs them all
                        time::sleep(AcceptErrors::BACK_OFF).await;
                        continue;
                    }
                },
                // A connection's task ended: reaped, so that the set holds live ones only.
                _ = connections.select_next_some() => continue,
                _ = stopped.recv().fuse() => break,
            };
            let stop = stop.clone();
            connections.push(compio::runtime::spawn(async move {
                // A client that hangs up mid-answer ends only its own connection.
                let _ = serve_connection(stream, stop, timeouts).await;
            }));
        }
        drop(incoming); // its accept is cancelled
        drop(listener); // new connections are refused from here on
        stop.cancel(); // idle connections close, the others after their answer
        let all_ended = async { while connections.next().await.is_some() {} };
        select! {
            // Elapsed: the grace is over; dropping the set cancels the tasks still running.
            _ = time::timeout(grace, all_ended).fuse() => {}
            _ = hurried.recv().fuse() => {}
        }
        Ok(connections.len())
    })
}

/// Serves one keep-alive connection until the client closes it, is refused, too slow, or a stop.
async fn serve_connection(
    mut stream: TcpStream,
    stop: CancelToken,
    timeouts: Timeouts,
) -> Result<(), Error> {
    let (mut reader, mut buf) = (RequestReader::new(timeouts), vec![0; 4 << 10]);
    loop {
        let mut next = reader.feed(&[]); // kept bytes may hold a next request (pipelining)
        while let Ok(None) = next {
            // Err (TimedOut) past the head or idle deadline; the stop closes it too.
            let BufResult(n, back) = select! {
                read = time::timeout(reader.time_left()?, stream.read(buf)).fuse() => read?,
                _ = stop.clone().wait().fuse() => return Ok(()),
            };
            buf = back; // the kernel's till the read was done (a cancelled one drops it)
            match n? {
                0 => return Ok(()), // the client is done (or gave up mid-request)
                n => next = reader.feed(&buf[..n]),
            }
        }
        let reply = reply_to(next.map(|r| r.expect("the loop ends on Some")));
        if stop.is_cancelled() {
            return Ok(()); // stopping: close instead of starting another answer
        }
        // No timer for 0 ms (it would wait for the next tick). The delay races a `peek` (into
        // a byte of its own): a close or reset cancels the request; a next request's bytes:
        if !reply.delay.is_zero() {
            let hung_up = async {
                if let Ok(1) = stream.peek([0; 1]).await.0 {
                    future::pending::<()>().await; // still there, and the delay runs on
                }
            };
            select! {
                _ = time::sleep(reply.delay).fuse() => {}
                _ = hung_up.fuse() => return Ok(()),
            }
        }
        let mut pieces = reply.pieces();
        while let Some(piece) = pieces.next_piece() {
            let write = stream.write_all(piece.to_vec()); // the kernel's till done: a copy
            time::timeout(timeouts.write, write).await?.0?;
        }
        if reply.close {
            return Ok(());
        }
    }
}

// Tests: tests/cli.rs checks the binary (CARGO_BIN_EXE_compio-serve) as a client meets it.
