//! # serve, compio: a runtime per core on io_uring, each with its own listener on one port
//!
//! tokio-per-core-serve's shape (`--workers` pinned threads, each a runtime with its own
//! `SO_REUSEPORT` listener on one port, a connection a task on one runtime for life) on compio:
//! where that one waits in epoll for a socket to be ready, then reads it, here the kernel does the
//! accept, the read, the `peek` and the write, each with a buffer the task hands over and gets
//! back. The accept is one multishot submission kept across `select!`s (a dropped accept could
//! close a connection it took). At 4 connections and no delay that made 0.55 syscalls a request on
//! one runtime (1.2 on two), all `io_uring_enter`, against tokio-per-core-serve's 2.7, yet no less
//! CPU: more of it in the kernel (a 2-core VM). A heavy request (`work=N`) is counted on its task,
//! holding the runtime's one thread, or with `--offload` on its blocking pool, whose threads first
//! unpin themselves. Here is what a runtime runs; `runtimes.rs` starts and stops them.
//!
//! Compare with: `examples/serve/tokio-per-core` (the same on epoll),
//! `examples/serve/tokio` (one runtime, work stealing), `shared/api-server`.
//!
//! ```text
//! cargo run --release -p compio-serve -- --listen 127.0.0.1:8080 --workers 2
//! ```

mod runtimes;

use std::{future, sync::mpsc};

use async_channel::Receiver;
use compio::io::{AsyncRead, AsyncWriteExt};
use compio::runtime::{CancelToken, spawn, spawn_blocking};
use compio::{BufResult, net::TcpListener, net::TcpStream, time};
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

/// Runtime `w`: pins its thread, serves its listener, a task per connection, until the first
/// stop signal, then waits the grace (or a second signal); returns how many requests it dropped.
fn run(
    w: usize,
    listener: std::net::TcpListener,
    tell: &mpsc::Sender<Said>,
    [stopped, hurried]: [Receiver<()>; 2],
    args: &ServeArgs,
) -> Result<usize, Error> {
    let (grace, timeouts, offload) = (args.grace(), args.timeouts(), args.offload);
    cores::pin_to_core(w)?;
    let runtime = compio::runtime::RuntimeBuilder::new() // this thread polls all its tasks
        .build() // its 1,024-entry ring holds 10,000 connections
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
                    Err(e) => {
                        let _ = tell.send(Said::Accept(e)); // the main thread logs them all
                        time::sleep(AcceptErrors::BACK_OFF).await;
                        continue; // out of file descriptors, or reset before taken: not fatal
                    }
                },
                _ = connections.select_next_some() => continue, // reaped: only live ones stay
                _ = stopped.recv().fuse() => break,
            };
            let stop = stop.clone();
            connections.push(spawn(async move {
                // A client that hangs up mid-answer, or a count that panics, ends only its own.
                let _ = serve_connection(stream, stop, timeouts, offload).await;
            }));
        }
        drop(incoming); // its accept is cancelled
        drop(listener); // new connections are refused from here on
        stop.cancel(); // idle connections close, the others after their answer
        let all_ended = async { while connections.next().await.is_some() {} };
        select! {
            _ = time::timeout(grace, all_ended).fuse() => {} // Elapsed: its drop cancels the rest
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
    offload: bool,
) -> Result<(), Error> {
    let (mut reader, mut buf) = (RequestReader::new(timeouts), vec![0; 4 << 10]);
    loop {
        let mut next = reader.feed(&[]); // kept bytes may hold a next request (pipelining)
        while let Ok(None) = next {
            let BufResult(n, back) = select! { // Err (TimedOut) past the head or idle deadline
                read = time::timeout(reader.time_left()?, stream.read(buf)).fuse() => read?,
                _ = stop.clone().wait().fuse() => return Ok(()),
            };
            buf = back; // the kernel's till the read was done (a cancelled one drops it)
            match n? {
                0 => return Ok(()), // the client is done (or gave up mid-request)
                n => next = reader.feed(&buf[..n]),
            }
        }
        let mut reply = reply_to(next.map(|r| r.expect("the loop ends on Some")));
        if stop.is_cancelled() {
            return Ok(()); // stopping: close instead of starting another answer
        }
        // Its blocking pool's threads inherit this thread's one CPU: each unpins itself first.
        if let (Some(work), true) = (reply.work(), offload) {
            let unpinned = spawn_blocking(move || cores::unpin().map(|()| work.count()));
            reply.set_primes(unpinned.await??);
        }
        reply.count_primes(); // work=N, if not offloaded: here, holding this runtime's thread
        // No timer for 0 ms (it waits for the next tick); a client that hangs up cancels it.
        if !reply.delay.is_zero() {
            let hung_up = async {
                if let Ok(1) = stream.peek([0; 1]).await.0 {
                    future::pending::<()>().await; // a next request's bytes: the delay runs on
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
