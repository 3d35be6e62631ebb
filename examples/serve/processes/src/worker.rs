//! The worker side of processes-serve: a re-run of the parent's binary that
//! listens on the shared port and serves each connection on a thread of its own,
//! as threads-serve does, telling the parent what happens on its stdout pipe.

use std::{
    env,
    io::{self, Write},
    net::SocketAddr,
    os::unix::process::parent_id,
    process, thread,
    time::Duration,
};

use nix::sys::{prctl, signal::Signal};
use workload::{
    Error,
    serve::{self, AcceptErrors, Drain, Threads},
};

use crate::PARENT_ENV;

/// The worker side: listen on the shared port and serve each connection on a
/// thread of its own until SIGTERM, then say how many requests it dropped.
pub fn run(addr: SocketAddr, grace: Duration) -> Result<(), Error> {
    let listener = serve::listen(addr, true)
        .map_err(|e| Error::from(e).context(format!("listen on {addr}")))?;
    // Every connection thread counts its requests here; it lives as long as the process.
    let drain: &'static Drain = Box::leak(Box::default());
    ctrlc::set_handler(move || {
        // The parent sums the workers' counts into its one Error line.
        let dropped = drain.stop(grace);
        tell_parent(&format!("dropped {dropped}"));
        process::exit(0)
    })?;
    tell_parent("listening");
    // Counts the connection threads; it lives as long as the process, as they may.
    let threads: &'static Threads = Box::leak(Box::default());
    loop {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors, or a connection reset before we took it:
                // neither is fatal. The parent logs it, at most once a second.
                tell_parent(&format!("accept {e}"));
                thread::sleep(AcceptErrors::BACK_OFF);
                continue;
            }
        };
        let seat = match threads.admit() {
            Ok(seat) => seat,
            Err(e) => {
                // No room for another thread: this connection closes unanswered.
                tell_parent(&format!("accept {e}"));
                continue;
            }
        };
        let spawned = thread::Builder::new().spawn(move || {
            let _seat = seat; // counted until the connection ends
            // A client that hangs up mid-answer ends only its own connection.
            let _ = serve::serve_blocking(stream, drain);
        });
        if let Err(e) = spawned {
            // The OS refused a thread: this connection is dropped, the others go on.
            tell_parent(&format!("accept {e}"));
        }
    }
}

/// Writes one line to the parent, on the stdout pipe.
fn tell_parent(line: &str) {
    let mut stdout = io::stdout().lock();
    // It fails only once the parent is gone, and PR_SET_PDEATHSIG then ends us.
    let _ = writeln!(stdout, "{line}").and_then(|()| stdout.flush());
}

/// In a child, first thing: have the kernel send SIGKILL when the parent ends, then
/// check that the parent has not ended already (the child would have a new one).
pub fn die_with_parent() -> Result<(), Error> {
    prctl::set_pdeathsig(Signal::SIGKILL)?;
    match env::var(PARENT_ENV) {
        Ok(parent) if parent == parent_id().to_string() => Ok(()),
        _ => Err(Error::msg("the parent process has ended")),
    }
}
