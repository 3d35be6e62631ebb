//! # serve, rayon: blocking connections on a CPU pool, a deliberate misfit
//!
//! The main thread `spawn`s each connection onto a rayon pool of `--workers` threads,
//! which serves it until its client closes. It works, and it is wrong for a server:
//! a thread that waits out a delay or on an idle connection is a core's worth of pool
//! doing nothing, so W connections are served at once and the rest wait in rayon's
//! queue: W silent or slow clients hold the server until socket timeouts close them (a
//! head within 10 s by default). A delay is a `peek` that ends if the client hangs up;
//! a heavy request's primes (`work=N`) are counted in its connection's job, whose thread
//! would wait for another pool as long (`--offload` is refused). Use threads or async to
//! serve, rayon for a request's CPU work. SIGINT or SIGTERM wakes the accept loop; the
//! main thread waits on a condition variable for requests in flight (a second signal
//! stops at once), and busy jobs end with the process.
//!
//! Compare with: `examples/serve/crossbeam` (a pool made for this),
//! `examples/serve/threads`, `examples/io/rayon`.
//!
//! ```text
//! cargo run --release -p rayon-serve -- --listen 127.0.0.1:8080
//! ```

use std::{
    io::{self, ErrorKind, Read, Write},
    net::{TcpListener, TcpStream},
    sync::{Condvar, Mutex, atomic::AtomicBool, atomic::Ordering},
    thread,
    time::{Duration, Instant},
};

use rayon::ThreadPool;
use workload::{
    Error, ServeArgs,
    http::{RequestReader, Timeouts},
    serve::{self, AcceptErrors, reply_to},
    sys,
};

const PROGRAM: &str = "rayon-serve";
const NO_OFFLOAD: &str = "counts primes in the connection's job: a pool would leave it waiting";
/// Set by SIGINT or SIGTERM: no connection is accepted or request answered after it.
static STOPPING: AtomicBool = AtomicBool::new(false);
/// Requests in flight, under a lock so that the main thread can wait for the last.
static IN_FLIGHT: Mutex<usize> = Mutex::new(0);
static ANSWERED: Condvar = Condvar::new();
const UNPOISONED: &str = "no thread panics while it holds the count";

fn main() -> Result<(), Error> {
    let args = ServeArgs::parse_for(PROGRAM).refuse_offload(PROGRAM, NO_OFFLOAD);
    let nofile = sys::raise_open_file_limit()?; // a file descriptor per connection: all of them
    let listener = serve::listen(args.listen, false)
        .map_err(|e| Error::from(e).context(format!("listen on {}", args.listen)))?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.workers) // default: RAYON_NUM_THREADS, else one per core
        .build()?;
    let workers = pool.current_num_threads();
    eprintln!("{PROGRAM}: a connection per rayon job, {workers} workers, open-file limit {nofile}");
    run(listener, &pool, &args)
}

/// Serves connections as jobs on `pool`, until a stop; then waits `grace` for requests in flight.
fn run(listener: TcpListener, pool: &ThreadPool, args: &ServeArgs) -> Result<(), Error> {
    let (addr, timeouts) = (listener.local_addr()?, args.timeouts());
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
        // The job holds its pool thread until the client closes the connection; the
        // connections accepted meanwhile wait in the pool's queue.
        pool.spawn(move || drop(serve_connection(stream, timeouts))); // ends it alone
    }
    drop(listener); // new connections are refused from here on
    let in_flight = IN_FLIGHT.lock().expect(UNPOISONED);
    let waited = ANSWERED.wait_timeout_while(in_flight, args.grace(), |n| *n > 0);
    serve::none_dropped(*waited.expect(UNPOISONED).0, args.grace())
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
