//! The worker side of processes-serve: a re-run of the parent's binary that
//! listens on the shared port and serves each connection on a thread of its own,
//! as threads-serve does, telling the parent what happens on its stdout pipe.

use std::{
    env,
    io::{
        self,
        ErrorKind::{Interrupted, WouldBlock},
        Write,
    },
    net::SocketAddr,
    os::unix::process::parent_id,
    sync::{OnceLock, atomic::Ordering},
    thread,
    time::{Duration, Instant},
};

use nix::sys::{prctl, signal::Signal};
use socket2::SockRef;
use workload::{
    Error,
    http::Timeouts,
    serve::{self, AcceptErrors, Threads},
};

use crate::{
    PARENT_ENV,
    connection::{ANSWERED, IN_FLIGHT, STOPPING, UNPOISONED, serve_connection},
};

/// How often the accept loop looks at `STOPPING`. A connection to itself cannot
/// wake it: the kernel may hand that to another worker's socket on the shared port.
const POLL: Duration = Duration::from_millis(100);
/// When SIGTERM came: the grace counts from it, not from the accept loop's next look.
static STOPPED: OnceLock<Instant> = OnceLock::new();
/// Connection threads: at the OS's limits a connection is refused, not the process aborted.
static THREADS: Threads = Threads::new();

/// The worker side: listen on the shared port and serve each connection on a
/// thread of its own until SIGTERM, then say how many requests it dropped.
pub fn run(addr: SocketAddr, grace: Duration, timeouts: Timeouts) -> Result<(), Error> {
    let listener = serve::listen(addr, true)
        .map_err(|e| Error::from(e).context(format!("listen on {addr}")))?;
    // Linux's accept gives up after a socket's receive timeout too (socket(7)).
    SockRef::from(&listener).set_read_timeout(Some(POLL))?;
    // SIGTERM from the parent, or SIGINT from a terminal's Ctrl-C (both, then: a
    // second signal is the parent's to count). What is in flight is told under the
    // lock, in order with each request's end, for a parent stopped by a second signal.
    ctrlc::set_handler(|| {
        STOPPED.get_or_init(Instant::now);
        STOPPING.store(true, Ordering::SeqCst);
        let in_flight = IN_FLIGHT.lock().expect(UNPOISONED);
        tell_parent(&format!("in-flight {in_flight}"));
    })?;
    tell_parent("listening");
    loop {
        let stream = match listener.accept() {
            _ if STOPPING.load(Ordering::SeqCst) => break,
            Ok((stream, _)) => stream,
            // POLL is over, or a signal came (an accept with a timeout is not restarted).
            Err(e) if matches!(e.kind(), WouldBlock | Interrupted) => continue,
            // Out of file descriptors, or a connection reset before we took it: not
            // fatal. The parent logs it, at most once a second.
            Err(e) => {
                tell_parent(&format!("accept {e}"));
                thread::sleep(AcceptErrors::BACK_OFF);
                continue;
            }
        };
        // No room for another thread, or the OS refused one: only this connection is
        // dropped, unanswered (std would abort the process at `vm.max_map_count`).
        let spawned = THREADS.admit().and_then(|seat| {
            // A seat until the connection ends, which ends no other (the `Err` is dropped).
            let serve = move || drop((seat, serve_connection(stream, timeouts)));
            Ok(thread::Builder::new().spawn(serve)?)
        });
        if let Err(e) = spawned {
            tell_parent(&format!("accept {e}"));
        }
    }
    drop(listener); // new connections are refused from here on
    let left = grace.saturating_sub(STOPPED.get().expect("set before STOPPING").elapsed());
    let in_flight = IN_FLIGHT.lock().expect(UNPOISONED);
    let waited = ANSWERED.wait_timeout_while(in_flight, left, |n| *n > 0);
    // The parent sums the workers' counts into its one Error line; returning ends
    // the threads still asleep or blocked in read with the process.
    tell_parent(&format!("dropped {}", waited.expect(UNPOISONED).0));
    Ok(())
}

/// Writes one line to the parent, on the stdout pipe.
pub fn tell_parent(line: &str) {
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
