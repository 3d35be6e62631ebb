//! Room for one more connection thread, asked of the OS's limits before it starts.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::{Error, sys};

/// Connection threads, counted, with room for more checked against the OS's
/// limits every [`Threads::STEP`] of them: std aborts the whole process when a
/// thread it starts cannot map its signal stack (at `vm.max_map_count`), so a
/// thread-per-connection server refuses a connection instead, and goes on.
#[derive(Debug, Default)]
pub struct Threads {
    live: AtomicU64,
    /// Threads up to this many are known to fit.
    room: AtomicU64,
    /// A look found no room: connections are refused without another look (which
    /// reads /proc) until a thread ends.
    full: AtomicBool,
}

/// A connection thread's seat, counted until dropped (when the thread ends).
#[derive(Debug)]
pub struct Seat<'a>(&'a Threads);

impl Drop for Seat<'_> {
    fn drop(&mut self) {
        self.0.live.fetch_sub(1, Ordering::SeqCst);
        self.0.full.store(false, Ordering::SeqCst); // a seat is free: worth a look
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
            full: AtomicBool::new(false),
        }
    }

    /// A seat for one more connection thread, or why the OS has no room for it.
    pub fn admit(&self) -> Result<Seat<'_>, Error> {
        let live = self.live.fetch_add(1, Ordering::SeqCst) + 1;
        if live > self.room.load(Ordering::SeqCst) {
            match self.look() {
                Ok(step) => self.room.store(live + step - 1, Ordering::SeqCst),
                Err(why) => {
                    self.live.fetch_sub(1, Ordering::SeqCst); // no seat: `full` stays
                    let held = live - 1;
                    return Err(Error::msg(format!(
                        "no room for another connection thread ({held} running): {why}"
                    )));
                }
            }
        }
        Ok(Seat(self))
    }

    /// How many more threads fit, from a look at the OS's limits: a step, or near
    /// a limit, where a step no longer fits, one; or why none does.
    fn look(&self) -> Result<u64, String> {
        if self.full.load(Ordering::SeqCst) {
            return Err("still at the OS's limits, until one of them ends".into());
        }
        if sys::no_room_for_threads(Self::STEP).is_none() {
            return Ok(Self::STEP);
        }
        match sys::no_room_for_threads(1) {
            None => Ok(1),
            Some(why) => {
                self.full.store(true, Ordering::SeqCst);
                Err(why)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn once_full_it_refuses_without_a_look_until_a_thread_ends() {
        let threads = Threads::default();
        let seat = threads.admit().unwrap();
        // As a look at the limits that found no room leaves it.
        threads.full.store(true, Ordering::SeqCst);
        threads.room.store(1, Ordering::SeqCst);
        let refused = threads.admit().unwrap_err().to_string();
        assert_eq!(
            refused,
            "no room for another connection thread (1 running): \
             still at the OS's limits, until one of them ends"
        );
        assert_eq!(
            threads.live.load(Ordering::SeqCst),
            1,
            "a refusal holds no seat"
        );
        drop(seat);
        let _seat = threads.admit().expect("a thread ended: a look finds room");
    }
}
