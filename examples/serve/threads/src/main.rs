//! # serve, threads: one OS thread per connection
//!
//! The main thread accepts connections and starts a thread for each, which serves it
//! until the client closes: std's classic server. Socket timeouts close a silent or
//! slow client at its deadline (a head within 10 s by default), a delay is a `peek`
//! that ends if the client hangs up, and slow clients cost a thread each until the
//! OS's limits refuse more. A heavy request's primes (`work=N`) are counted on its
//! connection's thread, which would wait for a pool as long, so `--offload` is refused.
//! SIGINT or SIGTERM ends the accept loop and the main thread waits on a condition
//! variable for requests in flight (a second signal stops at once).
//!
//! Compare with: `examples/serve/crossbeam`, `examples/serve/tokio`, `examples/io/threads`.
//!
//! ```text
//! cargo run --release -p threads-serve -- --listen 127.0.0.1:8080
//! ```

use std::{
    io::{self, ErrorKind, Read, Write},
    net::{TcpListener, TcpStream},
    sync::{Condvar, Mutex, atomic::AtomicBool, atomic::Ordering},
    thread,
    time::{Duration, Instant},
};

use workload::{
    Error, ServeArgs,
    http::{RequestReader, Timeouts},
    serve::{self, AcceptErrors, Threads, reply_to},
    sys,
};

const PROGRAM: &str = "threads-serve";
const NO_OFFLOAD: &str = "counts primes on the connection's thread: a pool would leave it waiting";
/// Set by SIGINT or SIGTERM: no connection is accepted or request answered after it.
static STOPPING: AtomicBool = AtomicBool::new(false);
/// Requests in flight, under a lock so that the main thread can wait for the last.
static IN_FLIGHT: Mutex<usize> = Mutex::new(0);
static ANSWERED: Condvar = Condvar::new();
const UNPOISONED: &str = "no thread panics while it holds the count";
static THREADS: Threads = Threads::new();

fn main() -> Result<(), Error> {
    let args = ServeArgs::parse_without_workers(PROGRAM).refuse_offload(PROGRAM, NO_OFFLOAD);
    let nofile = sys::raise_open_file_limit()?; // a file descriptor per connection: all of them
    let listener = serve::listen(args.listen, false)
        .map_err(|e| Error::from(e).context(format!("listen on {}", args.listen)))?;
    eprintln!("{PROGRAM}: a thread per connection (--workers not used), open-file limit {nofile}");
    run(listener, args.grace(), args.timeouts())
}

/// Serves connections, a thread each, until a stop; then waits `grace` for requests in flight.
fn run(listener: TcpListener, grace: Duration, timeouts: Timeouts) -> Result<(), Error> {
    let addr = listener.local_addr()?;
    ctrlc::set_handler(move || match STOPPING.swap(true, Ordering::SeqCst) {
        true => serve::stop_at_once(*IN_FLIGHT.lock().expect(UNPOISONED)), // a second signal
        false => drop(TcpStream::connect(addr)), // wakes the accept loop (Err: it is closed)
    })?;
    serve::say_listening(addr)?;
    let mut errors = AcceptErrors::new(PROGRAM);
    loop {
        let stream = match listener.accept() {
            _ if STOPPING.load(Ordering::SeqCst) => break, // woken by the signal handler
            Ok((stream, _)) => stream,
            // Out of file descriptors, or a connection reset before we took it: not fatal.
            Err(e) => {
                errors.log(&e);
                thread::sleep(AcceptErrors::BACK_OFF);
                continue;
            }
        };
        // No room for a thread: this connection is dropped (std would abort the process).
        let spawned = THREADS.admit().and_then(|seat| {
            // A seat until the connection ends, which ends no other (the `Err` is dropped).
            let serve = move || drop((seat, serve_connection(stream, timeouts)));
            Ok(thread::Builder::new().spawn(serve)?)
        });
        if let Err(e) = spawned {
            errors.log(&e);
        }
    }
    drop(listener); // new connections are refused from here on
    let in_flight = IN_FLIGHT.lock().expect(UNPOISONED);
    let waited = ANSWERED.wait_timeout_while(in_flight, grace, |n| *n > 0);
    serve::none_dropped(*waited.expect(UNPOISONED).0, grace)
}

/// Serves one keep-alive connection until it closes, fails or times out, or a stop comes.
fn serve_connection(mut stream: TcpStream, timeouts: Timeouts) -> io::Result<()> {
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
        *IN_FLIGHT.lock().expect(UNPOISONED) -= 1;
        if STOPPING.load(Ordering::SeqCst) {
            ANSWERED.notify_one(); // the stopping main thread waits for the last one
        }
    }
}
