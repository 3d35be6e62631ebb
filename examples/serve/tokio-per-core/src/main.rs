//! # serve, tokio-per-core: a runtime per core, each with its own listener on one port
//!
//! `--workers` threads, each pinned to a CPU, each running its own current-thread tokio runtime
//! with its own `SO_REUSEPORT` listener on the same port: the kernel spreads new connections over
//! the listeners, and a connection is a task on the runtime that accepted it for its whole life,
//! as in Seastar or Glommio. That task is tokio-serve's (timeouts, pieces, a delay racing a
//! `peek`, tokio's budget); a heavy request (`work=N`) is counted on it, holding the runtime's one
//! thread, or with `--offload` on the runtime's blocking pool, whose threads first unpin
//! themselves. A thread takes the signals (`sigwait`), and the main thread tells every runtime
//! through a `watch` to stop accepting and wait out the grace, or at a second, to stop. The
//! misfit: the kernel's hash spreads connections, not load, so one runtime can get the busy
//! connections while another idles, and no runtime helps another (tokio-serve's work stealing
//! does). Here is what a runtime runs; `runtimes.rs` starts and stops them.
//!
//! Compare with: `examples/serve/tokio` (one runtime, work stealing),
//! `examples/serve/processes` (`SO_REUSEPORT` over processes), `shared/api-server`.
//!
//! ```text
//! cargo run --release -p tokio-per-core-serve -- --listen 127.0.0.1:8080 --workers 2
//! ```

mod runtimes;

use std::{io, sync::mpsc};

use runtimes::Said;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::watch,
    task::{JoinSet, spawn_blocking},
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

/// Runtime `w`: pins its thread, serves its listener, a task per connection, until the first
/// stop signal, then waits the grace (or a second signal); returns how many requests it dropped.
fn run(
    w: usize,
    listener: std::net::TcpListener,
    tell: &mpsc::Sender<Said>,
    mut signals: watch::Receiver<u32>,
    args: &ServeArgs,
) -> Result<usize, Error> {
    let (grace, timeouts, offload) = (args.grace(), args.timeouts(), args.offload);
    cores::pin_to_core(w)?;
    let runtime = tokio::runtime::Builder::new_current_thread() // this thread polls all its tasks
        .enable_all()
        .build()?;
    listener.set_nonblocking(true)?; // the runtime's reactor waits, not this thread
    let dropped = runtime.block_on(async {
        let listener = TcpListener::from_std(listener)?;
        let _ = tell.send(Said::Listening); // Err: the main thread has returned
        let (stop, stopped) = watch::channel(false);
        let mut connections = JoinSet::new();
        loop {
            let stream = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        let _ = tell.send(Said::Accept(e)); // the main thread logs them all
                        tokio::time::sleep(AcceptErrors::BACK_OFF).await;
                        continue; // out of file descriptors, or reset before taken: not fatal
                    }
                },
                Some(_) = connections.join_next() => continue, // reaped: only live ones stay
                _ = signals.changed() => break,
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
            _ = timeout(grace, all_ended) => {} // Elapsed: dropping the set aborts the rest
            _ = signals.wait_for(|&n| n > 1) => {}
        }
        Ok(connections.len())
    });
    runtime.shutdown_background(); // a drop would wait for a count still running
    dropped
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
        // Its blocking pool's threads inherit this thread's one CPU: each unpins itself first.
        if let (Some(work), true) = (reply.work(), offload) {
            let unpinned = spawn_blocking(move || cores::unpin().map(|()| work.count()));
            reply.set_primes(unpinned.await??);
        }
        reply.count_primes(); // work=N, if not offloaded: here, holding this runtime's thread
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
