//! # serve, crossbeam: a fixed pool of threads fed connections by a channel
//!
//! The main thread hands connections over a `crossbeam::channel::bounded(0)` to `--workers`
//! threads: the classic pool, where W silent or slow clients hold the server till socket
//! timeouts close them (a head in 10 s by default), W heavy ones till their primes are
//! counted (`work=N`); a delay is a `peek` that ends if the client hangs up. SIGINT or
//! SIGTERM wakes the accept loop and a waiting hand-over (`select!`); the main thread waits
//! on a condition variable for requests in flight (a second signal stops at once).
//!
//! Compare with: `examples/serve/threads`, `examples/serve/rayon`, `examples/io/crossbeam`.
//!
//! ```text
//! cargo run --release -p crossbeam-serve -- --listen 127.0.0.1:8080
//! ```

use std::{
    io::{self, ErrorKind, Read, Write},
    net::{TcpListener, TcpStream},
    sync::{Condvar, Mutex, atomic::AtomicBool, atomic::Ordering},
    thread,
    time::{Duration, Instant},
};

use crossbeam::channel::{self, select};
use workload::{
    Error, ServeArgs,
    http::{RequestReader, Timeouts},
    serve::{self, AcceptErrors, reply_to},
    sys,
};

const PROGRAM: &str = "crossbeam-serve";
const NO_OFFLOAD: &str = "counts primes on the connection's worker: a pool would leave it waiting";
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
    let workers = args.workers;
    eprintln!("{PROGRAM}: a pool fed by a channel, {workers} workers, open-file limit {nofile}");
    run(listener, &args)
}

/// Serves connections on a pool, until a stop; then waits `grace` for requests in flight.
fn run(listener: TcpListener, args: &ServeArgs) -> Result<(), Error> {
    let (addr, timeouts) = (listener.local_addr()?, args.timeouts());
    sys::threads_fit(args.workers as u64, "worker threads")?;
    let (connections, queue) = channel::bounded::<TcpStream>(0); // a hand-over, no queue
    let serve = move |stream| drop(serve_connection(stream, timeouts)); // ends it alone
    for (w, queue) in (0..args.workers).map(|w| (w, queue.clone())) {
        let spawned = thread::Builder::new().spawn(move || queue.iter().for_each(serve));
        spawned.map_err(|e| Error::from(e).context(format!("start worker thread {w}")))?;
    }
    let (stop, stopped) = channel::bounded(1);
    ctrlc::set_handler(move || match STOPPING.swap(true, Ordering::SeqCst) {
        true => serve::stop_at_once(*IN_FLIGHT.lock().expect(UNPOISONED)), // a second signal
        false => drop((stop.try_send(()), TcpStream::connect(addr))), // wakes both (Err: awake)
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
        select! { // while every worker is busy this waits (new connections in the backlog)
            send(connections, stream) -> sent => sent.expect("the workers never end first"),
            recv(stopped) -> _ => break,
        }
    }
    drop((listener, connections)); // new connections are refused, idle workers' `recv` ends
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
