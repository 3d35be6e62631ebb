//! # serve, compio: a compio runtime per core, each with a listener of its own
//!
//! `--workers` pinned threads, each running its own compio runtime (one io_uring), listen
//! on one port (`SO_REUSEPORT`: the kernel spreads connections over their sockets); a
//! runtime spawns a task per connection it accepts, which never leaves it. Every accept,
//! read and write is an io_uring operation that owns its buffer until it completes. Each
//! runtime hears SIGINT, SIGTERM and SIGHUP itself (compio's handler wakes them all): the
//! first stops its accepts and a `CancelToken` closes its idle connections, a second cuts
//! the grace short. Without io_uring it says why in one line and exits 1. A connection's
//! task is in `connection.rs`; the sockets that share the port, in `port.rs`.
//!
//! Compare with: `examples/serve/tokio-per-core` (the same on epoll), `examples/serve/tokio`.
//!
//! ```text
//! cargo run --release -p compio-serve -- --listen 127.0.0.1:8080
//! ```

use std::{io, pin::pin, sync::LazyLock, sync::Mutex, sync::mpsc, thread};

use compio::{net::TcpListener, runtime::CancelToken, signal::unix::signal, time};
use futures_util::{FutureExt, StreamExt, future::FusedFuture, select, stream::FuturesUnordered};
use nix::sys::signal::Signal;
use workload::{Error, ServeArgs, cores, serve, serve::AcceptErrors, sys};

mod connection;
mod port;

const PROGRAM: &str = "compio-serve";
/// One log for every runtime, at most a line a second: locked on an accept error only.
static ERRORS: LazyLock<Mutex<AcceptErrors>> =
    LazyLock::new(|| Mutex::new(AcceptErrors::new(PROGRAM)));

fn main() -> Result<(), Error> {
    let args = ServeArgs::parse_for(PROGRAM);
    let nofile = sys::raise_open_file_limit()?;
    sys::threads_fit(args.workers as u64, "runtime threads")?;
    let listeners = port::listen(args.listen, args.workers)
        .map_err(|e| Error::from(e).context(format!("listen on {}", args.listen)))?;
    run(listeners, &args, nofile)
}

/// Starts a pinned thread with a runtime of its own per listener, says `listening=` once
/// every one listens, and sums what their stops left in flight.
fn run(listeners: Vec<std::net::TcpListener>, args: &ServeArgs, nofile: u64) -> Result<(), Error> {
    let (addr, workers) = (listeners[0].local_addr()?, listeners.len());
    let (ready, readied) = mpsc::channel();
    let mut cores = Vec::new();
    for (w, listener) in listeners.into_iter().enumerate() {
        let (ready, args) = (ready.clone(), args.clone());
        let core = thread::Builder::new()
            .name(format!("core-{w}"))
            // An error comes before it says it listens (Err: `run` returned another's).
            .spawn(move || {
                share(w, listener, &ready, &args)
                    .inspect_err(|e| drop(ready.send(Err(Error::msg(e)))))
            })
            .map_err(|e| Error::from(e).context(format!("start runtime thread {w}")))?;
        cores.push(core);
    }
    drop(ready); // each runtime holds its own: says it listens, or why it could not start
    for _ in 0..workers {
        readied.recv().expect("every runtime says before it ends")?;
    }
    serve::say_listening(addr)?;
    eprintln!("{PROGRAM}: {workers} runtimes, a task per connection, open-file limit {nofile}");
    let (mut left, mut hurried) = (0, false);
    for core in cores {
        let (its_left, it_hurried) = core.join().expect("a runtime thread does not panic")?;
        (left, hurried) = (left + its_left, hurried || it_hurried);
    }
    match hurried {
        true => Err(serve::second_signal_error(left as u64)),
        false => serve::none_dropped(left, args.grace()),
    }
}

/// Runtime `w`: serves `listener`'s connections, a task each, until a signal, then waits
/// the grace for requests in flight: how many it left, and whether a second signal came.
fn share(
    w: usize,
    listener: std::net::TcpListener,
    ready: &mpsc::Sender<Result<(), Error>>,
    args: &ServeArgs,
) -> Result<(usize, bool), Error> {
    let (grace, timeouts) = (args.grace(), args.timeouts());
    cores::pin_to_core(w)?;
    // A compio runtime is single-threaded: this thread polls every task it spawns. Its
    // default ring (1,024 submissions, 2,048 completions) holds 10,000 connections: an
    // operation in flight takes no slot, and completions past 2,048 wait in the kernel.
    let runtime = compio::runtime::RuntimeBuilder::new()
        .build()
        .map_err(cores::io_uring_unavailable)?;
    runtime.block_on(async {
        let listener = TcpListener::from_std(listener)?;
        let mut signalled = pin!(any_signal().fuse());
        // compio's `signal` sets its handler when first polled: polled once before
        // `listening=`, no signal is missed (Some(Ok): one came, the loop does not start).
        signalled.as_mut().now_or_never().transpose()?;
        ready.send(Ok(())).expect("`run` waits for every runtime");
        let (stop, mut connections) = (CancelToken::new(), FuturesUnordered::new());
        // A multishot accept: one operation, a completion per connection, never dropped
        // by `select!` (a dropped accept is cancelled, and a connection it took is closed).
        let mut incoming = listener.incoming();
        while !signalled.is_terminated() {
            let stream = select! {
                accepted = incoming.select_next_some() => match accepted {
                    Ok(stream) => stream,
                    // Out of file descriptors, or a connection reset before we took it: not fatal.
                    Err(e) => {
                        ERRORS.lock().expect("no runtime panics logging").log(&e);
                        time::sleep(AcceptErrors::BACK_OFF).await;
                        continue;
                    }
                },
                // A connection's task ended: reaped, so that the set holds live ones only.
                _ = connections.select_next_some() => continue,
                _ = signalled => continue, // the loop ends
            };
            let stop = stop.clone();
            connections.push(compio::runtime::spawn(async move {
                // A client that hangs up mid-answer ends only its own connection.
                let _ = connection::serve(stream, stop, timeouts).await;
            }));
        }
        drop(incoming); // its accept is cancelled
        drop(listener); // new connections go to the other runtimes, then none
        stop.cancel(); // idle connections close, the others after their answer
        let all_ended = async { while connections.next().await.is_some() {} };
        // compio's listeners are one-shot, and the default action is back once none is
        // left: the second signal's are made in this same poll, before a second can come.
        let hurried = select! {
            _ = time::timeout(grace, all_ended).fuse() => false,
            _ = any_signal().fuse() => true,
        };
        Ok((connections.len(), hurried))
    })
}

/// Ends at the first SIGINT, SIGTERM or SIGHUP (Err: a handler could not be set).
async fn any_signal() -> io::Result<()> {
    let signals = [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP];
    let signals = signals.map(|s| signal(s as i32).boxed_local());
    futures_util::future::select_all(signals).await.0
}
