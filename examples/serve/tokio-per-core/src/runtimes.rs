//! tokio-per-core-serve's threads: a pinned thread per runtime, with a current-thread runtime of its own
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
use tokio::sync::watch;
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

/// Starts a pinned thread per runtime, says `listening=` once each listens, and counts
/// the stop signals into a `watch` that every runtime waits on: at the first they stop
/// accepting and wait out their grace, at a second they stop at once. Returns once every
/// runtime has ended, as tokio-serve does: `Err` where one dropped requests or failed.
pub fn serve(listeners: Vec<std::net::TcpListener>, args: &ServeArgs) -> Result<(), Error> {
    // A thread per runtime, and the signal thread.
    sys::threads_fit(args.workers as u64 + 1, "threads")?;
    let (addr, grace) = (listeners[0].local_addr()?, args.grace());
    let (tell, said) = mpsc::channel();
    hear_signals(tell.clone())?;
    let (signals, signalled) = watch::channel(0); // how many stop signals came
    for (w, listener) in listeners.into_iter().enumerate() {
        let (signalled, tell, args) = (signalled.clone(), tell.clone(), args.clone());
        thread::Builder::new()
            .name(format!("core-{w}"))
            .spawn(move || {
                // A runtime that panics (tokio's build does, out of file descriptors)
                // still says it ended, or the main thread would wait for it forever.
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
                }
            }
            Said::Accept(e) => errors.log(&e),
            Said::Signal => signals.send_modify(|n| *n += 1),
            // A runtime that failed fails the server; the others end with the process.
            Said::Ended(left) => (ended, dropped) = (ended + 1, dropped + left?),
        }
    }
    match *signals.borrow() {
        0 | 1 => serve::none_dropped(dropped, grace),
        _ => Err(serve::second_signal_error(dropped as u64)),
    }
}

/// Blocks SIGINT, SIGTERM and SIGHUP in this thread and every thread started after it, and
/// starts one that takes them with `sigwait` and says each. Not tokio's signal streams:
/// they live on a runtime. One more on the main thread costs four more file descriptors
/// (epoll, its clone, an eventfd, a clone of tokio's signal pipe; W runtimes already take
/// 4W, and 5 + 5W in all, where the open-file check allows 32), and on one of the W
/// runtimes they would end with its grace, while another may still wait for a second signal.
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
