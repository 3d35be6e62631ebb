//! A worker's connection thread, as threads-serve's: the loop that serves one
//! keep-alive connection, and the count of requests in flight that a stopping
//! worker waits for on a condition variable.

use std::{
    io::{self, Read, Write},
    net::TcpStream,
    sync::{
        Condvar, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    thread,
};

use workload::{http::RequestReader, serve::reply_to};

/// Set by SIGINT or SIGTERM: no connection is accepted or request answered after it.
pub static STOPPING: AtomicBool = AtomicBool::new(false);
/// Requests in flight, under a lock so that the main thread can wait for the last.
pub static IN_FLIGHT: Mutex<usize> = Mutex::new(0);
pub static ANSWERED: Condvar = Condvar::new();
pub const UNPOISONED: &str = "no thread panics while it holds the count";

/// Serves one keep-alive connection until the client closes it, sends bytes that
/// are not a request (answered 400 or 431, then closed), or the server stops.
/// Each delay sleeps this thread: that is what a blocking server does.
pub fn serve_connection(mut stream: TcpStream) -> io::Result<()> {
    let mut reader = RequestReader::default();
    let (mut buf, mut out) = (vec![0; 4 << 10], Vec::new());
    loop {
        // Bytes already kept may hold the next request (a pipelining client).
        let mut next = reader.feed(&[]);
        while let Ok(None) = next {
            // Waiting for a request the thread blocks in read, where no stop reaches it.
            let n = stream.read(&mut buf)?;
            if n == 0 {
                return Ok(()); // the client is done (or gave up mid-request)
            }
            next = reader.feed(&buf[..n]);
        }
        let reply = reply_to(next.map(|r| r.expect("the loop ends on Some")));
        let _counted = in_flight(); // before the check, so that a stop cannot miss it
        if STOPPING.load(Ordering::SeqCst) {
            return Ok(()); // stopping: close instead of starting another answer
        }
        if !reply.delay.is_zero() {
            thread::sleep(reply.delay);
        }
        out.clear();
        reply.write(&mut out);
        stream.write_all(&out)?;
        if reply.close {
            return Ok(());
        }
    }
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
        if *in_flight == 0 && STOPPING.load(Ordering::SeqCst) {
            ANSWERED.notify_one(); // the stopping main thread waits for the last one
        }
    }
}
