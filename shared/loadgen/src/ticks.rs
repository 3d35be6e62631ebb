//! The pacer's clock: a thread that sleeps until each time the pacer may have to
//! wake, and wakes it by writing that time into a socket the pacer awaits on the
//! runtime, if it has to: requests due by then are still unsent (no connection
//! ran to send them), or requests wait in the queue (to see how late the runtime
//! answers, and to open connections).
//!
//! tokio's timer rounds every deadline up to its next whole millisecond, so a
//! schedule kept with `sleep_until` would send each request up to 1 ms late and
//! charge it for that (its latency runs from the intended time): a healthy server
//! would read half a millisecond slower than it is. A thread's sleep
//! (`clock_nanosleep`, its timer slack set to 1 ns) wakes within tens of µs; on a
//! 2-vCPU VM, requests went out 50-65 µs after their time at the median. The
//! thread only keeps time; the pacer, on the runtime with the connections, does
//! the sending, so a busy runtime still makes it late, and `behind_us` sees that.

use std::{
    io::{self, Write},
    os::unix::net,
    sync::{Arc, atomic::Ordering::Relaxed},
    thread,
    time::{Duration, Instant},
};

use tokio::{io::AsyncReadExt, net::UnixStream};

use crate::pool::Pool;

/// The clock wakes at most once per tick for due requests, and the pacer sends
/// every request due by then: above 4,000 requests per second, requests go in
/// batches, each up to 250 µs late (and charged for it) if no connection sent it
/// sooner. Each wake costs two context switches (the clock's and the runtime's),
/// about 15 µs of CPU each on a 2-vCPU VM: at 10,000 requests per second, a
/// 100 µs tick cost loadgen 1.3 s of CPU in a 3 s run, 250 µs 0.85 s, 1 ms 0.53 s.
const TICK: Duration = Duration::from_micros(250);
/// The clock wakes at least this often, and wakes the pacer while requests wait in
/// the queue: how late the pacer wakes then is how busy the runtime is.
const PROBE: Duration = Duration::from_millis(1);

/// The pacer's end of the clock.
pub struct Ticks {
    socket: UnixStream,
}

impl Ticks {
    /// Starts the clock thread for `pool`'s schedule. It stops once nothing is
    /// left to send, at T past the schedule's end, or when this is dropped.
    pub fn start(pool: Arc<Pool>) -> io::Result<Self> {
        let (ours, theirs) = net::UnixStream::pair()?;
        ours.set_nonblocking(true)?; // tokio's side must not block
        let socket = UnixStream::from_std(ours)?;
        thread::Builder::new()
            .name("loadgen-clock".into())
            .spawn(move || keep_time(&pool, theirs))?;
        Ok(Self { socket })
    }

    /// Waits for the next wake: its time after the start, or `None` once the clock
    /// has stopped.
    pub async fn next(&mut self) -> io::Result<Option<Duration>> {
        let mut nanos = [0; 8];
        match self.socket.read_exact(&mut nanos).await {
            Ok(_) => Ok(Some(Duration::from_nanos(u64::from_le_bytes(nanos)))),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// The clock thread: sleeps until each wake and, if the pacer is needed, writes
/// the wake's time in nanoseconds after the start.
fn keep_time(pool: &Pool, mut socket: net::UnixStream) {
    // The kernel lets a sleep run up to 50 µs late by default, to group wakes;
    // this thread's wakes are the schedule. Best effort: without it, 50 µs later.
    let _ = nix::sys::prctl::set_timerslack(1);
    let schedule = pool.schedule;
    let end = schedule.end() + pool.timeout;
    let mut at = Duration::ZERO;
    while !pool.all_taken() {
        let next = pool.next.load(Relaxed);
        at = wake_after(at, (next < schedule.total()).then(|| schedule.due(next)));
        if at > end {
            return;
        }
        thread::sleep((pool.start + at).saturating_duration_since(Instant::now()));
        let next = pool.next.load(Relaxed);
        let unsent = next < schedule.total() && schedule.due(next) <= at;
        let nanos = at.as_nanos() as u64; // hours at most: it fits
        if (unsent || !pool.queue.is_empty()) && socket.write_all(&nanos.to_le_bytes()).is_err() {
            return; // the pacer has gone
        }
    }
}

/// The wake after the one at `last`: when the next request is due (`None`: all
/// are sent), but no sooner than a [`TICK`] and no later than a [`PROBE`] after.
fn wake_after(last: Duration, due: Option<Duration>) -> Duration {
    let probe = last + PROBE;
    due.map_or(probe, |due| due.clamp(last + TICK, probe))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wake_per_request_no_closer_than_a_tick_no_further_than_a_probe() {
        let us = Duration::from_micros;
        assert_eq!(wake_after(us(0), Some(us(20))), us(250), "a tick at least");
        assert_eq!(
            wake_after(us(100), Some(us(450))),
            us(450),
            "when it is due"
        );
        assert_eq!(
            wake_after(us(100), Some(us(5_000))),
            us(1_100),
            "a probe at most"
        );
        assert_eq!(wake_after(us(100), None), us(1_100));
    }
}
