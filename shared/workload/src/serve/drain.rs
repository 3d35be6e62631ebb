//! Requests in flight, counted so that a shutdown can let them finish: on SIGINT
//! or SIGTERM a server stops taking requests, waits until none is in flight (or
//! the grace is over), and exits, which closes the idle keep-alive connections.

use std::{
    sync::atomic::{AtomicBool, AtomicUsize, Ordering},
    thread,
    time::{Duration, Instant},
};

use crate::Error;

/// How often a shutdown looks whether the requests in flight are done.
const POLL: Duration = Duration::from_millis(5);

/// The count of requests being answered, and whether the server is stopping.
#[derive(Debug, Default)]
pub struct Drain {
    stopping: AtomicBool,
    in_flight: AtomicUsize,
}

/// One request being answered, counted until dropped.
#[derive(Debug)]
pub struct InFlight<'a>(&'a Drain);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Drain {
    /// Counts a request about to be answered; `None` once the server is stopping,
    /// and then the connection closes instead (as hyper's graceful shutdown
    /// closes idle connections).
    pub fn enter(&self) -> Option<InFlight<'_>> {
        // Counted first, then checked: `stop` sets the flag first, then reads the
        // count, so a request is either seen by the shutdown or refused here.
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        let counted = InFlight(self);
        (!self.stopping.load(Ordering::SeqCst)).then_some(counted)
    }

    /// Whether a shutdown has begun.
    pub fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Requests being answered now.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    /// Stops taking requests and waits, on this thread, until none is in flight
    /// or `grace` is over; then says how many had to be dropped, if any.
    pub fn stop(&self, grace: Duration) -> Result<(), Error> {
        self.stopping.store(true, Ordering::SeqCst);
        let deadline = Instant::now() + grace;
        while self.in_flight() > 0 && Instant::now() < deadline {
            thread::sleep(POLL);
        }
        match self.in_flight() {
            0 => Ok(()),
            dropped => Err(Error::msg(format!(
                "dropped {dropped} request(s) still in flight after the {} ms grace",
                grace.as_millis()
            ))),
        }
    }

    /// [`Drain::stop`], then ends the process: exit status 0, or 1 with one
    /// `Error: ...` line. Called from a signal handler's thread (`ctrlc`), it ends
    /// every thread and task of the server at once.
    pub fn stop_and_exit(&self, grace: Duration) -> ! {
        match self.stop(grace) {
            Ok(()) => std::process::exit(0),
            Err(e) => {
                eprintln!("Error: {e}");
                std::process::exit(1)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stop_waits_for_requests_in_flight_and_refuses_new_ones() {
        let drain = Drain::default();
        let counted = drain.enter().expect("not stopping yet");
        assert_eq!(drain.in_flight(), 1);
        thread::scope(|scope| {
            scope.spawn(|| {
                thread::sleep(Duration::from_millis(50));
                drop(counted);
            });
            assert!(drain.stop(Duration::from_secs(5)).is_ok());
        });
        assert!(drain.stopping() && drain.enter().is_none());
        assert_eq!(drain.in_flight(), 0);
    }

    #[test]
    fn requests_past_the_grace_are_counted() {
        let drain = Drain::default();
        let _held = drain.enter();
        let err = drain.stop(Duration::from_millis(20)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "dropped 1 request(s) still in flight after the 20 ms grace"
        );
    }
}
