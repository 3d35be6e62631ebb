//! Requests in flight, counted so that a shutdown can let them finish: on SIGINT
//! or SIGTERM a server stops taking requests, waits until none is in flight (or
//! the grace is over), and exits, which closes the idle keep-alive connections.

use std::{
    sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
    thread,
    time::{Duration, Instant},
};

use crate::{Error, sys};

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
    /// or `grace` is over; returns how many had to be dropped (0: none).
    pub fn stop(&self, grace: Duration) -> u64 {
        self.stopping.store(true, Ordering::SeqCst);
        let deadline = Instant::now() + grace;
        while self.in_flight() > 0 && Instant::now() < deadline {
            thread::sleep(POLL);
        }
        self.in_flight() as u64
    }

    /// [`Drain::stop`], then ends the process: exit status 0, or 1 with one
    /// `Error: ...` line. Called from a signal handler's thread (`ctrlc`), it ends
    /// every thread and task of the server at once.
    pub fn stop_and_exit(&self, grace: Duration) -> ! {
        match self.stop(grace) {
            0 => std::process::exit(0),
            dropped => {
                eprintln!("Error: {}", dropped_error(dropped, grace));
                std::process::exit(1)
            }
        }
    }
}

/// The one line a server exits with when its grace ran out: the processes
/// server sums its workers' counts into it.
pub fn dropped_error(dropped: u64, grace: Duration) -> Error {
    Error::msg(format!(
        "dropped {dropped} request(s) still in flight after the {} ms grace",
        grace.as_millis()
    ))
}

/// Connection threads, counted, with room for more checked against the OS's
/// limits every [`Threads::STEP`] of them: std aborts the whole process when a
/// thread it starts cannot map its signal stack (at `vm.max_map_count`), so a
/// thread-per-connection server refuses a connection instead, and goes on.
#[derive(Debug, Default)]
pub struct Threads {
    live: AtomicU64,
    /// Threads up to this many are known to fit.
    room: AtomicU64,
}

/// A connection thread's seat, counted until dropped (when the thread ends).
#[derive(Debug)]
pub struct Seat<'a>(&'a Threads);

impl Drop for Seat<'_> {
    fn drop(&mut self) {
        self.0.live.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Threads {
    /// How many more threads one look at the OS's limits admits: a look reads
    /// /proc (the process's memory maps among it), too dear for every connection.
    pub const STEP: u64 = 256;

    /// No thread yet, and no look taken: usable in a `static`.
    pub const fn new() -> Self {
        Self {
            live: AtomicU64::new(0),
            room: AtomicU64::new(0),
        }
    }

    /// A seat for one more connection thread, or why the OS has no room for it.
    pub fn admit(&self) -> Result<Seat<'_>, Error> {
        let live = self.live.fetch_add(1, Ordering::SeqCst) + 1;
        let seat = Seat(self);
        if live > self.room.load(Ordering::SeqCst) {
            // Near a limit, where a step no longer fits, each thread is looked at.
            let step = match sys::threads_fit(Self::STEP, "connection threads") {
                Ok(()) => Self::STEP,
                Err(_) => sys::threads_fit(1, "a connection thread").map(|()| 1)?,
            };
            self.room.store(live + step - 1, Ordering::SeqCst);
        }
        Ok(seat)
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
            assert_eq!(drain.stop(Duration::from_secs(5)), 0);
        });
        assert!(drain.stopping() && drain.enter().is_none());
        assert_eq!(drain.in_flight(), 0);
    }

    #[test]
    fn threads_are_admitted_in_steps_and_counted() {
        let threads = Threads::default();
        let seats: Vec<_> = (0..300).map(|_| threads.admit().unwrap()).collect();
        assert_eq!(threads.live.load(Ordering::SeqCst), 300);
        assert!(threads.room.load(Ordering::SeqCst) >= 300);
        drop(seats);
        assert_eq!(threads.live.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn requests_past_the_grace_are_counted() {
        let drain = Drain::default();
        let _held = drain.enter();
        let grace = Duration::from_millis(20);
        let err = dropped_error(drain.stop(grace), grace);
        assert_eq!(
            err.to_string(),
            "dropped 1 request(s) still in flight after the 20 ms grace"
        );
    }
}
