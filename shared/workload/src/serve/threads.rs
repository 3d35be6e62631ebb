//! Room for one more connection thread, asked of the OS's limits before it starts.

use std::sync::atomic::{AtomicU64, Ordering};

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
    fn threads_are_admitted_in_steps_and_counted() {
        let threads = Threads::default();
        let seats: Vec<_> = (0..300).map(|_| threads.admit().unwrap()).collect();
        assert_eq!(threads.live.load(Ordering::SeqCst), 300);
        assert!(threads.room.load(Ordering::SeqCst) >= 300);
        drop(seats);
        assert_eq!(threads.live.load(Ordering::SeqCst), 0);
    }
}
