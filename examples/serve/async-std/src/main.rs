//! # serve, async-std: one task per connection
//!
//! async-std is discontinued (RUSTSEC-2025-0052 points to smol) and stays as a labelled historical
//! entry. The accept loop spawns a task per connection, which reads a request, awaits
//! `task::sleep` for its delay and writes the answer: async-std's idiomatic server. A heavy
//! request (`work=N`) is counted on its task, holding its thread, or with `--offload` on
//! `task::spawn_blocking`'s pool. With no signal futures of its own and its `race` unstable,
//! SIGINT and SIGTERM (`ctrlc`) close a channel raced with `futures_lite`'s `or`, a second signal
//! another. Reads and writes are under `io::timeout` (slow, silent, idle or non-reading clients),
//! delays race a `peek` (a client gone cancels). No cooperative budget: a task yields every 16
//! pieces written, or a flood starves others.
//!
//! Compare with: `examples/serve/smol` (its successor), `examples/serve/tokio`.
//!
//! ```text
//! cargo run --release -p async-std-serve -- --listen 127.0.0.1:8080
//! ```

use async_global_executor::GlobalExecutorConfig;
use async_std::{
    channel::{self, Receiver},
    future::timeout,
    io::{self, ReadExt, WriteExt},
    net::{TcpListener, TcpStream},
    task::{self, spawn_blocking},
};
use futures_lite::{FutureExt, future};
use workload::{
    Error, ServeArgs,
    http::{RequestReader, Timeouts},
    serve::{self, AcceptErrors, reply_to},
    sys,
};

const PROGRAM: &str = "async-std-serve";
const YIELD_EVERY: u32 = 16; // pieces written between yields: a yield wakes a sibling thread

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
    // Must run before any async-std call; later calls keep the first configuration.
    // Without it: ASYNC_STD_THREAD_COUNT threads, or one per core. Its reactor and
    // timers are async-io's thread.
    async_global_executor::init_with_config(
        GlobalExecutorConfig::default()
            .with_min_threads(args.workers)
            .with_max_threads(args.workers),
    );
    // Never sent on: closing wakes every receiver. `close` is false if closed: a 2nd hurries.
    let ((stop, stopped), (hurry, hurried)) = (channel::bounded(1), channel::bounded::<()>(1));
    ctrlc::set_handler(move || _ = stop.close() || hurry.close())?;
    serve::say_listening(listener.local_addr()?)?;
    task::block_on(async {
        let listener = TcpListener::from(listener); // Async::new: nonblocking
        let (connection, connections) = channel::bounded::<()>(1);
        let mut errors = AcceptErrors::new(PROGRAM);
        loop {
            let stream = match listener.accept().or(closed(&stopped)).await {
                _ if stopped.is_closed() => break,
                Ok((stream, _)) => stream,
                Err(e) => {
                    errors.log(&e);
                    task::sleep(AcceptErrors::BACK_OFF).await;
                    continue; // out of file descriptors, or reset before taken: not fatal
                }
            };
            let (stopped, connection) = (stopped.clone(), connection.clone());
            // The task is detached: it ends with its connection, or with the process.
            task::spawn(async move {
                let _connection = connection; // a sender, never used: counted until the task ends
                // A client that hangs up mid-answer, or a count that panics, ends only its own.
                let _ = serve_connection(stream, stopped, timeouts, offload).await;
            });
        }
        drop((listener, connection)); // new connections are refused from here on
        let left = || connections.sender_count();
        let all_ended = io::timeout(grace, async { Ok(connections.recv().await) });
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
            let read = io::timeout(reader.time_left()?, stream.read(&mut buf));
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
            reply.set_primes(spawn_blocking(move || work.count()).await);
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
            timeout(reply.delay, hung_up).await.unwrap_or(Ok(()))?; // Err(TimeoutError): waited
        }
        let mut pieces = reply.pieces();
        while let Some(piece) = pieces.next_piece() {
            io::timeout(timeouts.write, stream.write_all(piece)).await?;
            written += 1;
            if written % YIELD_EVERY == 0 {
                task::yield_now().await; // no budget makes a task that is always ready yield
            }
        }
        if reply.close {
            return Ok(());
        }
    }
}

/// Ends (with an error) once `channel` is closed: nothing is ever sent on it.
async fn closed<T>(channel: &Receiver<()>) -> io::Result<T> {
    let _ = channel.recv().await;
    Err(io::ErrorKind::Interrupted.into())
}
