//! A worker's connection thread, as threads-serve's: the loop that serves one
//! keep-alive connection (a heavy request's primes are counted on this thread), and
//! the count of requests in flight that a stopping worker waits for on a condition
//! variable.

use std::{
    io::{self, ErrorKind, Read, Write},
    net::TcpStream,
    sync::{Condvar, Mutex, atomic::AtomicBool, atomic::Ordering},
    thread,
    time::{Duration, Instant},
};

use workload::{
    http::{RequestReader, Timeouts},
    serve::reply_to,
};

use crate::worker::tell_parent;

/// Set by SIGINT or SIGTERM: no connection is accepted or request answered after it.
pub static STOPPING: AtomicBool = AtomicBool::new(false);
/// Requests in flight, under a lock so that the main thread can wait for the last.
pub static IN_FLIGHT: Mutex<usize> = Mutex::new(0);
pub static ANSWERED: Condvar = Condvar::new();
pub const UNPOISONED: &str = "no thread panics while it holds the count";

/// Serves one keep-alive connection until it closes, fails or times out, or a stop comes.
pub fn serve_connection(mut stream: TcpStream, timeouts: Timeouts) -> io::Result<()> {
    let (mut reader, mut buf) = (RequestReader::new(timeouts), [0; 4 << 10]);
    stream.set_write_timeout(Some(timeouts.write))?; // a client that does not read
    loop {
        let mut next = reader.feed(&[]); // bytes kept may hold a next request (pipelining)
        while let Ok(None) = next {
            stream.set_read_timeout(Some(reader.time_left()?))?; // Err: too slow, closed
            match stream.read(&mut buf)? {
                0 => return Ok(()), // the client is done (or gave up mid-request)
                n => next = reader.feed(&buf[..n]),
            }
        }
        let mut reply = reply_to(next.map(|r| r.expect("the loop ends on Some")));
        let _counted = in_flight(); // before the check, so that a stop cannot miss it
        if STOPPING.load(Ordering::SeqCst) || hung_up(&stream, reply.delay)? {
            return Ok(()); // stopping, or nobody to answer: close
        }
        reply.count_primes(); // work=N, on this thread: it would wait for the count anyway
        let mut pieces = reply.pieces(); // made as written: a piece held at a time
        while let Some(piece) = pieces.next_piece() {
            stream.write_all(piece)?;
        }
        if reply.close {
            return Ok(());
        }
    }
}

/// Waits out `delay` in a `peek` with a timeout: `true` if the client hangs up first.
fn hung_up(stream: &TcpStream, delay: Duration) -> io::Result<bool> {
    let (due, mut left) = (Instant::now() + delay, delay);
    while !left.is_zero() {
        stream.set_read_timeout(Some(left))?;
        match stream.peek(&mut [0]) {
            Ok(0) => return Ok(true),     // EOF (a reset is the `Err`)
            Ok(_) => thread::sleep(left), // bytes of a next request: it is there
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => {}
            Err(e) => return Err(e),
        }
        left = due.saturating_duration_since(Instant::now());
    }
    Ok(false)
}

/// A request in flight, counted in `IN_FLIGHT` from `in_flight()` until dropped.
struct InFlight;

fn in_flight() -> InFlight {
    *IN_FLIGHT.lock().expect(UNPOISONED) += 1;
    InFlight
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut in_flight = IN_FLIGHT.lock().expect(UNPOISONED);
        *in_flight -= 1;
        if STOPPING.load(Ordering::SeqCst) {
            // Under the lock, so that the lines come in order: a parent stopped by a
            // second signal says what was still in flight.
            tell_parent(&format!("in-flight {in_flight}"));
            ANSWERED.notify_one(); // the stopping main thread waits for the last one
        }
    }
}
