//! compio-serve's threads: a pinned thread per runtime, with a compio runtime of its own
//! that runs `run` (main.rs) on its own listener of the one port
//! (`serve::listen_shared`), a thread that takes the stop signals, and the main thread,
//! which hears what they all say and tells every runtime when to stop.

use std::{
    io,
    panic::{self, AssertUnwindSafe},
    sync::mpsc,
    thread,
};

use nix::sys::signal::{SigSet, Signal};
use workload::{
    Error, ServeArgs,
    serve::{self, AcceptErrors},
    sys,
};

use crate::{PROGRAM, run};

/// What the main thread hears from the runtimes and from the signal thread.
pub enum Said {
    Listening,
    Accept(io::Error),
    Signal,
    /// A runtime stopped: how many requests it dropped, or why it failed.
    Ended(Result<usize, Error>),
}

/// Starts a pinned thread per runtime, says `listening=` once each listens, and closes a
/// channel that every runtime waits on at each stop signal (never sent on: closing wakes
/// every receiver, on any runtime): at the first they stop accepting and wait out their
/// grace, at a second they stop at once. Returns once every runtime has ended, as
/// tokio-serve does: `Err` where one dropped requests or failed. What it runs is said once
/// they all listen: where io_uring is refused, the runtimes' error is the only line.
pub fn serve(
    listeners: Vec<std::net::TcpListener>,
    args: &ServeArgs,
    nofile: u64,
) -> Result<(), Error> {
    // A thread per runtime, and the signal thread.
    sys::threads_fit(args.workers as u64 + 1, "threads")?;
    let (addr, grace) = (listeners[0].local_addr()?, args.grace());
    let (tell, said) = mpsc::channel();
    hear_signals(tell.clone())?;
    let ((stop, stopped), (hurry, hurried)) =
        (async_channel::bounded(1), async_channel::bounded(1));
    for (w, listener) in listeners.into_iter().enumerate() {
        let (signalled, tell) = ([stopped.clone(), hurried.clone()], tell.clone());
        let args = args.clone(); // for `run`, on the runtime's own thread
        thread::Builder::new()
            .name(format!("core-{w}"))
            .spawn(move || {
                // A runtime that panics still says it ended, or the main thread would
                // wait for it forever.
                let serving = AssertUnwindSafe(|| run(w, listener, &tell, signalled, &args));
                let ended = panic::catch_unwind(serving)
                    .unwrap_or_else(|_| Err(Error::msg(format!("runtime {w} panicked"))));
                let _ = tell.send(Said::Ended(ended)); // Err: `serve` has returned
            })
            .map_err(|e| Error::from(e).context(format!("start runtime thread {w}")))?;
    }
    let mut errors = AcceptErrors::new(PROGRAM);
    let (mut listening, mut ended, mut dropped) = (0, 0, 0);
    while ended < args.workers {
        match said.recv().expect("this thread holds a sender") {
            Said::Listening => {
                listening += 1;
                if listening == args.workers {
                    serve::say_listening(addr)?;
                    let workers = args.workers;
                    eprintln!(
                        "{PROGRAM}: a task per connection, {workers} runtimes, \
                         open-file limit {nofile}"
                    );
                }
            }
            Said::Accept(e) => errors.log(&e),
            // `close` is false where it was closed already: a second signal closes the other.
            Said::Signal => _ = stop.close() || hurry.close(),
            // A runtime that failed fails the server; the others end with the process.
            Said::Ended(left) => (ended, dropped) = (ended + 1, dropped + left?),
        }
    }
    match hurry.is_closed() {
        false => serve::none_dropped(dropped, grace),
        true => Err(serve::second_signal_error(dropped as u64)),
    }
}

/// Blocks SIGINT, SIGTERM and SIGHUP in this thread and every thread started after it, and
/// starts one that takes them with `sigwait` and says each. Not compio's `signal`: each
/// is one wait, whose handler is set when it is first polled and taken back (the default
/// action again: the process dies) once no other waits, and it needs a runtime to poll
/// it: one more on the main thread costs an io_uring and an eventfd, and on one of the W
/// runtimes it would end with its grace, while another may still wait for a second signal.
fn hear_signals(tell: mpsc::Sender<Said>) -> Result<(), Error> {
    let stop_signals = SigSet::from_iter([Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP]);
    stop_signals.thread_block()?;
    thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            // Err: the main thread has returned, and the process is ending.
            while stop_signals.wait().is_ok() && tell.send(Said::Signal).is_ok() {}
        })
        .map_err(|e| Error::from(e).context("start the signal thread"))?;
    Ok(())
}
