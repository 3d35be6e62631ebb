//! What the pacer, the clock and every connection share: the run's settings, the
//! queue of due requests and how far it has been filled, the counts that decide
//! when a connection is opened, the worst lateness, and the stats.
//!
//! The counts are atomics, not under the stats' lock: they change several times a
//! request, from every connection, and the clock thread reads them between wakes.

use std::{
    sync::{
        Arc, Mutex, MutexGuard, PoisonError,
        atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed},
    },
    time::{Duration, Instant},
};

use async_channel::{Receiver, Sender};
use tokio::sync::{Notify, Semaphore};

use crate::{args::Args, primes::Primes, schedule::Schedule, stats::Stats};

/// The most connects in flight at once, first ones and reconnects alike. A burst
/// of due requests after a stall would otherwise start a connect for each at once,
/// all on the generator's one loop, which then runs later still, and so opens more.
pub const CONNECTING_MAX: usize = 4;

pub struct Pool {
    /// `HOST:PORT` as given: the `Host` header.
    pub host: String,
    pub addr: std::net::SocketAddr,
    pub schedule: Schedule,
    /// The schedule's time zero.
    pub start: Instant,
    pub timeout: Duration,
    pub delay_ms: u64,
    pub bytes: u64,
    /// The base primes that check heavy answers; `None` without heavy requests.
    pub primes: Option<Primes>,
    /// Ids of due requests, in order, taken by whichever connection is free.
    pub due: Sender<u64>,
    pub queue: Receiver<u64>,
    /// The next id to put into the queue (claimed by whoever releases it).
    pub next: AtomicU64,
    /// Ids put into the queue: the last one closes it.
    pub released: AtomicU64,
    /// Connections (tasks) waiting for a request, or started and not yet waiting.
    pub free: AtomicUsize,
    /// Connection tasks running, of at most `connections_max`.
    pub open: AtomicUsize,
    /// A permit per connect in flight, [`CONNECTING_MAX`] in all: held from
    /// before a connection task is started (or a connection is reopened) until
    /// its connect ends, and given back when dropped, a connect cut off by its
    /// request's deadline included.
    pub connects: Arc<Semaphore>,
    pub connections_max: usize,
    /// Told when the last connection task ends.
    pub all_closed: Notify,
    /// Connections opened (connects that succeeded), in all.
    pub opened: AtomicU64,
    /// Requests written, whatever became of them.
    pub sent: AtomicU64,
    /// How late the generator was at worst, in nanoseconds (see `pacer.rs`).
    behind_ns: AtomicU64,
    stats: Mutex<Stats>,
}

impl Pool {
    /// The pool of a run whose clock starts now, once the primes are found.
    pub fn new(args: &Args) -> Self {
        let schedule = Schedule::new(args);
        let window = Duration::from_millis(args.window_ms);
        let primes = schedule.heavy_end().map(Primes::below);
        let (due, queue) = async_channel::unbounded();
        Self {
            host: args.server.name.clone(),
            addr: args.server.addr,
            schedule,
            start: Instant::now(),
            timeout: Duration::from_millis(args.timeout_ms),
            delay_ms: args.delay_ms,
            bytes: args.bytes,
            primes,
            due,
            queue,
            next: AtomicU64::new(0),
            released: AtomicU64::new(0),
            free: AtomicUsize::new(0),
            open: AtomicUsize::new(0),
            connects: Arc::new(Semaphore::new(CONNECTING_MAX)),
            connections_max: args.connections_max as usize,
            all_closed: Notify::new(),
            opened: AtomicU64::new(0),
            sent: AtomicU64::new(0),
            behind_ns: AtomicU64::new(0),
            stats: Mutex::new(Stats::new(schedule.end(), window, schedule.phase_change())),
        }
    }

    /// The stats, for one quick update. A connection that panicked holding them
    /// left nothing half-done that matters: the counts are still counts.
    pub fn stats(&self) -> MutexGuard<'_, Stats> {
        self.stats.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many due requests in the queue no free connection will take.
    pub fn uncovered(&self) -> usize {
        self.queue.len().saturating_sub(self.free.load(Relaxed))
    }

    /// Takes a place for one more connection task, if there is room: with
    /// several runtime threads, two may want the last place at once.
    pub fn take_place(&self) -> bool {
        let room = |open: usize| (open < self.connections_max).then_some(open + 1);
        self.open.fetch_update(Relaxed, Relaxed, room).is_ok()
    }

    /// Notes that the generator was `late` for something it meant to do.
    pub fn fell_behind(&self, late: Duration) {
        let ns = late.as_nanos().try_into().unwrap_or(u64::MAX);
        self.behind_ns.fetch_max(ns, Relaxed);
    }

    /// The worst lateness noted.
    pub fn behind(&self) -> Duration {
        Duration::from_nanos(self.behind_ns.load(Relaxed))
    }

    /// Whether every request is in the queue and the queue is empty: nothing is
    /// left to send.
    pub fn all_taken(&self) -> bool {
        self.due.is_closed() && self.queue.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_most_a_few_connects_in_flight_and_at_most_c_connections() {
        let args = Args::try_parse_args(
            "loadgen --server 127.0.0.1:9 --rate 1000 --duration-ms 100 --connections-max 6"
                .split(' '),
        )
        .unwrap();
        let pool = Pool::new(&args);
        let mut permits: Vec<_> = (0..10)
            .filter_map(|_| pool.connects.clone().try_acquire_owned().ok())
            .collect();
        assert_eq!(permits.len(), CONNECTING_MAX);
        permits.pop(); // one connect ended, or was cut off
        permits.extend(pool.connects.clone().try_acquire_owned().ok());
        assert_eq!(permits.len(), CONNECTING_MAX);
        assert!(pool.connects.clone().try_acquire_owned().is_err());
        let places = (0..10).filter(|_| pool.take_place()).count();
        assert_eq!(places, 6);
    }
}
