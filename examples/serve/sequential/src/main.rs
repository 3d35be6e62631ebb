//! # serve, sequential: one connection at a time
//!
//! An iterative server, the baseline: the main thread serves a connection until the
//! client closes, and only then accepts the next, so one client holds every other up
//! in the backlog: a silent or slow one until the head timeout (10 s by default), an
//! idle one the idle timeout (30 s). One thread cannot wait on a socket and a signal at
//! once: SIGINT or SIGTERM notes the time and wakes the accept loop with a connection
//! to itself, and a connection reads, waits out a delay (a `peek`: it sees the client
//! hang up) and writes in steps to look at it (a second signal stops at once).
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
/// When SIGINT or SIGTERM came: no connection is accepted or request answered after it.
static STOPPED: OnceLock<Instant> = OnceLock::new();
/// A request is in flight: what a second signal drops.
static IN_FLIGHT: AtomicBool = AtomicBool::new(false);
/// How often the thread, waiting for a request, waiting out a delay or waiting to
/// write, looks at `STOPPED`.
const POLL: Duration = Duration::from_millis(50);

fn main() -> Result<(), Error> {
    let args = ServeArgs::parse_without_workers(PROGRAM);
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
        // `Other` is `give_up_after`'s alone (std never makes it): the grace is over. Any
        // other error ends only its own connection, the next one waiting in the backlog.
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
            // The read wakes every POLL (WouldBlock), or at a signal (Interrupted: a read
            // with a timeout is not restarted), and at the client's deadline (Err: closed).
            stream.set_read_timeout(Some(reader.time_left()?.min(POLL)))?;
            match stream.read(&mut buf) {
                Ok(0) => return Ok(()), // the client is done (or gave up mid-request)
                Ok(n) => next = reader.feed(&buf[..n]),
                Err(e) if matches!(e.kind(), WouldBlock | Interrupted) => {}
                Err(e) => return Err(e),
            }
        }
        let reply = reply_to(next.map(|r| r.expect("the loop ends on Some")));
        IN_FLIGHT.store(true, Ordering::SeqCst); // before the check: a second signal counts it
        if STOPPED.get().is_some() || hung_up(&stream, reply.delay, grace)? {
            return Ok(()); // stopping, or nobody to answer: close
        }
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
