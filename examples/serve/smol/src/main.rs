//! # serve, smol: one task per connection, on an executor run by `--workers` threads
//!
//! The accept loop spawns a task per connection, which reads a request, awaits a `smol::Timer` for
//! its delay and writes the answer: smol's idiomatic server. A heavy request (`work=N`) is counted
//! on its task, holding its thread, or with `--offload` on `smol::unblock`'s pool. SIGINT and
//! SIGTERM (`ctrlc`; smol has no signal futures) close a channel raced with `or`, a second signal
//! another. Reads and writes race a `Timer`, delays a `peek` (a client gone cancels). No
//! cooperative budget: a task yields every 16 pieces written, or a flood starves others.
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
    future::{self, FutureExt},
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};
use workload::{
    Error, ServeArgs,
    http::{RequestReader, Timeouts},
    serve::{self, AcceptErrors, reply_to},
    sys,
};

const PROGRAM: &str = "smol-serve";
const YIELD_EVERY: u32 = 16; // pieces written between yields: a yield wakes a sibling thread
/// Run by `--workers` threads until the process ends (smol's global one: SMOL_THREADS or 1).
static EXECUTOR: Executor<'static> = Executor::new();

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
    for w in 0..args.workers {
        thread::Builder::new() // async-io's block_on: an idle thread waits in epoll itself
            .spawn(|| smol::block_on(EXECUTOR.run(future::pending::<()>())))
            .map_err(|e| Error::from(e).context(format!("start executor thread {w}")))?;
    }
    // Never sent on: closing wakes every receiver. `close` is false if closed: a 2nd hurries.
    let ((stop, stopped), (hurry, hurried)) = (channel::bounded(1), channel::bounded::<()>(1));
    ctrlc::set_handler(move || _ = stop.close() || hurry.close())?;
    serve::say_listening(listener.local_addr()?)?;
    smol::block_on(async {
        let listener = TcpListener::try_from(listener)?; // Async::new: nonblocking
        let (connection, connections) = channel::bounded::<()>(1);
        let mut errors = AcceptErrors::new(PROGRAM);
        loop {
            let stream = match listener.accept().or(closed(&stopped)).await {
                _ if stopped.is_closed() => break,
                Ok((stream, _)) => stream,
                Err(e) => {
                    errors.log(&e);
                    Timer::after(AcceptErrors::BACK_OFF).await;
                    continue; // out of file descriptors, or reset before taken: not fatal
                }
            };
            let (stopped, connection) = (stopped.clone(), connection.clone());
            let task = EXECUTOR.spawn(async move {
                let _connection = connection; // a sender, never used: counted until the task ends
                // A client that hangs up mid-answer, or a count that panics, ends only its own.
                let _ = serve_connection(stream, stopped, timeouts, offload).await;
            });
            task.detach();
        }
        drop((listener, connection)); // new connections are refused from here on
        let left = || connections.sender_count();
        let all_ended = async { Ok(connections.recv().await) }.or(late(grace));
        match all_ended.or(closed(&hurried)).await {
            _ if hurried.is_closed() => Err(serve::second_signal_error(left() as u64)),
            _ => serve::none_dropped(left(), grace),
        }
    })
}

/// Serves one keep-alive connection until the client closes it, is refused, too slow, or a stop.
async fn serve_connection(
    mut stream: TcpStream,
    stopped: Receiver<()>,
    timeouts: Timeouts,
    offload: bool,
) -> io::Result<()> {
    let (mut reader, mut buf, mut written) = (RequestReader::new(timeouts), vec![0; 4 << 10], 0);
    loop {
        let mut next = reader.feed(&[]); // kept bytes may hold a next request (pipelining)
        while let Ok(None) = next {
            let read = stream.read(&mut buf).or(late(reader.time_left()?));
            match read.or(closed(&stopped)).await? {
                0 => return Ok(()), // the client is done (or gave up mid-request)
                n => next = reader.feed(&buf[..n]),
            }
        }
        let mut reply = reply_to(next.map(|r| r.expect("the loop ends on Some")));
        if stopped.is_closed() {
            return Ok(()); // stopping: close instead of starting another answer
        }
        if let (Some(work), true) = (reply.work(), offload) {
            reply.set_primes(smol::unblock(move || work.count()).await);
        }
        reply.count_primes(); // work=N, if not offloaded: here, holding this executor thread
        // No timer for 0 ms (it waits for the next tick); a client that hangs up cancels it.
        if !reply.delay.is_zero() {
            let hung_up = async {
                match stream.peek(&mut buf).await {
                    Ok(0) | Err(_) => Err(io::Error::from(io::ErrorKind::ConnectionAborted)),
                    Ok(_) => future::pending().await, // a next request's bytes: still there
                }
            };
            future::or(hung_up, async { Ok(Timer::after(reply.delay).await) }).await?;
        }
        let mut pieces = reply.pieces();
        while let Some(piece) = pieces.next_piece() {
            stream.write_all(piece).or(late(timeouts.write)).await?;
            written += 1;
            if written % YIELD_EVERY == 0 {
                future::yield_now().await; // no budget makes a task that is always ready yield
            }
        }
        if reply.close {
            return Ok(());
        }
    }
}

/// Ends with `TimedOut` after `limit`: raced with `or`, smol's timeout.
async fn late<T>(limit: Duration) -> io::Result<T> {
    Timer::after(limit).await;
    Err(io::ErrorKind::TimedOut.into())
}

/// Ends (with an error) once `channel` is closed: nothing is ever sent on it.
async fn closed<T>(channel: &Receiver<()>) -> io::Result<T> {
    let _ = channel.recv().await;
    Err(io::ErrorKind::Interrupted.into())
}
