//! # serve, sequential: one connection at a time
//!
//! An iterative server, the baseline: the main thread serves a connection until the
//! client closes, then accepts the next, so one client holds the others up in the
//! backlog: a silent or slow one for the head timeout (10 s by default), an idle one the
//! idle timeout (30 s), a heavy one (`work=N`) while its primes are counted (`--offload`
//! is refused). One thread cannot wait on a socket and a signal at once: SIGINT or
//! SIGTERM notes the time and wakes the accept loop with a connection to itself; a
//! connection reads, waits out a delay (a `peek` sees the client hang up) and writes in
//! steps to look at it (a second signal stops at once).
//!
//! Compare with: `examples/serve/threads`, `examples/io/sequential`.
//!
//! ```text
//! cargo run --release -p sequential-serve -- --listen 127.0.0.1:8080
//! ```

use std::{
    io::{self, ErrorKind::Interrupted, ErrorKind::WouldBlock, Read, Write},
    net::{TcpListener, TcpStream},
    sync::{OnceLock, atomic::AtomicBool, atomic::Ordering},
    thread,
    time::{Duration, Instant},
};

use workload::{
    Error, ServeArgs,
    http::{RequestReader, Timeouts},
    serve::{self, AcceptErrors, reply_to},
    sys,
};

const PROGRAM: &str = "sequential-serve";
const NO_OFFLOAD: &str = "serves connections in turn on one thread: a pool would leave it waiting";
/// When SIGINT or SIGTERM came: no connection is accepted or request answered after it.
static STOPPED: OnceLock<Instant> = OnceLock::new();
/// A request is in flight: what a second signal drops.
static IN_FLIGHT: AtomicBool = AtomicBool::new(false);
/// How often the thread, waiting for a request, out a delay or to write, looks at `STOPPED`.
const POLL: Duration = Duration::from_millis(50);

fn main() -> Result<(), Error> {
    let args = ServeArgs::parse_without_workers(PROGRAM).refuse_offload(PROGRAM, NO_OFFLOAD);
    let nofile = sys::raise_open_file_limit()?; // a file descriptor per connection: all of them
    let listener = serve::listen(args.listen, false)
        .map_err(|e| Error::from(e).context(format!("listen on {}", args.listen)))?;
    eprintln!("{PROGRAM}: one connection at a time, 1 worker, open-file limit {nofile}");
    run(listener, args.grace(), args.timeouts())
}

/// Serves connections one after another, until a stop, a request in flight for up to `grace`.
fn run(listener: TcpListener, grace: Duration, timeouts: Timeouts) -> Result<(), Error> {
    let addr = listener.local_addr()?;
    ctrlc::set_handler(move || match STOPPED.set(Instant::now()) {
        Err(_) => serve::stop_at_once(IN_FLIGHT.load(Ordering::SeqCst).into()), // a second signal
        Ok(()) => drop(TcpStream::connect(addr)), // wakes the accept loop (Err: it is closed)
    })?;
    serve::say_listening(addr)?;
    let mut errors = AcceptErrors::new(PROGRAM);
    loop {
        let stream = match listener.accept() {
            _ if STOPPED.get().is_some() => return Ok(()), // no request is left in flight
            Ok((stream, _)) => stream,
            // Out of file descriptors, or a connection reset before we took it: not fatal.
            Err(e) => {
                errors.log(&e);
                thread::sleep(AcceptErrors::BACK_OFF);
                continue;
            }
        };
        let served = serve_connection(stream, grace, timeouts);
        IN_FLIGHT.store(false, Ordering::SeqCst);
        // Only `give_up_after` makes `Other` (the grace is over); others end one connection.
        if served.is_err_and(|e| e.kind() == io::ErrorKind::Other) {
            return Err(serve::dropped_error(1, grace));
        }
    }
}

/// Serves one keep-alive connection until it closes, fails or times out, or a stop comes.
fn serve_connection(mut stream: TcpStream, grace: Duration, timeouts: Timeouts) -> io::Result<()> {
    let (mut reader, mut buf) = (RequestReader::new(timeouts), [0; 4 << 10]);
    stream.set_write_timeout(Some(POLL))?;
    loop {
        let mut next = reader.feed(&[]); // bytes kept may hold a next request (pipelining)
        while let Ok(None) = next {
            if STOPPED.get().is_some() {
                return Ok(()); // a stop closes a connection between requests
            }
            // Wakes every POLL, at a signal (a timed read is not restarted), at the deadline (Err).
            stream.set_read_timeout(Some(reader.time_left()?.min(POLL)))?;
            match stream.read(&mut buf) {
                Ok(0) => return Ok(()), // the client is done (or gave up mid-request)
                Ok(n) => next = reader.feed(&buf[..n]),
                Err(e) if matches!(e.kind(), WouldBlock | Interrupted) => {}
                Err(e) => return Err(e),
            }
        }
        let mut reply = reply_to(next.map(|r| r.expect("the loop ends on Some")));
        IN_FLIGHT.store(true, Ordering::SeqCst); // before the check: a second signal counts it
        if STOPPED.get().is_some() || hung_up(&stream, reply.delay, grace)? {
            return Ok(()); // stopping, or nobody to answer: close
        }
        reply.count_primes(); // work=N, on this thread: it would wait for the count anyway
        // Written in steps too: a client that does not read must not hold the stop up.
        let (mut pieces, mut taken) = (reply.pieces(), Instant::now());
        while let Some(mut unsent) = pieces.next_piece() {
            while !unsent.is_empty() {
                match stream.write(unsent) {
                    Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                    Ok(n) => (unsent, taken) = (&unsent[n..], Instant::now()),
                    Err(e) if matches!(e.kind(), WouldBlock | Interrupted) => give_up_after(grace)?,
                    Err(e) => return Err(e),
                }
                if taken.elapsed() >= timeouts.write {
                    return Err(io::ErrorKind::TimedOut.into()); // a client that does not read
                }
            }
        }
        if reply.close {
            return Ok(());
        }
        IN_FLIGHT.store(false, Ordering::SeqCst);
    }
}

/// Waits out `delay` in `peek`s of at most POLL each: `true` if the client hangs up first.
fn hung_up(stream: &TcpStream, delay: Duration, grace: Duration) -> io::Result<bool> {
    let (due, mut left) = (Instant::now() + delay, delay);
    while !left.is_zero() {
        give_up_after(grace)?;
        stream.set_read_timeout(Some(left.min(POLL)))?;
        match stream.peek(&mut [0]) {
            Ok(0) => return Ok(true),               // EOF (a reset is the `Err`)
            Ok(_) => thread::sleep(left.min(POLL)), // bytes of a next request: it is there
            Err(e) if matches!(e.kind(), WouldBlock | Interrupted) => {}
            Err(e) => return Err(e),
        }
        left = due.saturating_duration_since(Instant::now());
    }
    Ok(false)
}

/// `Other` once a stop's grace is over: the request in flight is given up.
fn give_up_after(grace: Duration) -> io::Result<()> {
    match STOPPED.get() {
        Some(at) if at.elapsed() >= grace => Err(io::Error::other("the grace is over")),
        _ => Ok(()),
    }
}
