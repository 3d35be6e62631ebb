//! # serve, sequential: one connection at a time
//!
//! An iterative server, the baseline: the main thread accepts a connection and serves
//! it (read a request, sleep its delay, write the answer) until the client closes,
//! and only then accepts the next, so one keep-alive client holds every other up in
//! the listen backlog. One thread cannot wait on a socket and a signal at once:
//! SIGINT or SIGTERM notes the time and wakes the accept loop with a connection to
//! itself, and a connection reads with a timeout and sleeps in steps to look at it,
//! closing when idle and giving up a request still in flight when the grace is over.
//!
//! Compare with: `examples/serve/threads`, `examples/io/sequential`.
//!
//! ```text
//! cargo run --release -p sequential-serve -- --listen 127.0.0.1:8080
//! ```

use std::{
    io::{
        self,
        ErrorKind::{Interrupted, WouldBlock},
        Read, Write,
    },
    net::{TcpListener, TcpStream},
    sync::OnceLock,
    thread,
    time::{Duration, Instant},
};

use workload::{
    Error, ServeArgs,
    http::RequestReader,
    serve::{self, AcceptErrors, reply_to},
    sys,
};

const PROGRAM: &str = "sequential-serve";
/// When SIGINT or SIGTERM came: no connection is accepted or request answered after it.
static STOPPED: OnceLock<Instant> = OnceLock::new();
/// How often the thread, waiting for a request, sleeping out a delay or waiting to
/// write, looks at `STOPPED`.
const POLL: Duration = Duration::from_millis(50);

fn main() -> Result<(), Error> {
    let args = ServeArgs::parse_for(PROGRAM);
    // Each connection is a file descriptor: take all the hard limit allows.
    let nofile = sys::raise_open_file_limit()?;
    let listener = serve::listen(args.listen, false)
        .map_err(|e| Error::from(e).context(format!("listen on {}", args.listen)))?;
    // --workers is not used: there is nothing to share the connections with.
    eprintln!("{PROGRAM}: one connection at a time, 1 worker, open-file limit {nofile}");
    run(listener, args.grace())
}

/// Serves connections one after another, until a stop, a request in flight for up to `grace`.
fn run(listener: TcpListener, grace: Duration) -> Result<(), Error> {
    let addr = listener.local_addr()?;
    ctrlc::set_handler(move || {
        STOPPED.get_or_init(Instant::now);
        let _ = TcpStream::connect(addr); // wakes the accept loop (Err: it is closed)
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
        match serve_connection(stream, grace) {
            // The grace is over with a request in flight: it closes unanswered.
            Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                return Err(serve::dropped_error(1, grace));
            }
            // A client that hangs up mid-answer ends only its own connection; the
            // next one waits in the backlog until this returns.
            _ => {}
        }
    }
}

/// Serves one keep-alive connection until the client closes it, sends bytes that
/// are not a request (answered 400 or 431, then closed), or the server stops.
/// Each delay sleeps this thread: that is what a blocking server does.
fn serve_connection(mut stream: TcpStream, grace: Duration) -> io::Result<()> {
    let mut reader = RequestReader::default();
    let (mut buf, mut out) = (vec![0; 4 << 10], Vec::new());
    stream.set_read_timeout(Some(POLL))?;
    stream.set_write_timeout(Some(POLL))?;
    loop {
        // Bytes already kept may hold the next request (a pipelining client).
        let mut next = reader.feed(&[]);
        while let Ok(None) = next {
            // Waiting for a request the thread wakes every POLL (WouldBlock), or at a
            // signal (Interrupted: a read with a timeout is not restarted), to look at
            // `STOPPED`: a stop closes the connection.
            let n = match stream.read(&mut buf) {
                Err(e) if matches!(e.kind(), WouldBlock | Interrupted) => match STOPPED.get() {
                    Some(_) => return Ok(()),
                    None => continue,
                },
                read => read?,
            };
            if n == 0 {
                return Ok(()); // the client is done (or gave up mid-request)
            }
            next = reader.feed(&buf[..n]);
        }
        let reply = reply_to(next.map(|r| r.expect("the loop ends on Some")));
        if STOPPED.get().is_some() {
            return Ok(()); // stopping: close instead of starting another answer
        }
        // Sleeps in steps of POLL, looking at `STOPPED` between them.
        let due = Instant::now() + reply.delay;
        while let Some(left) = due.checked_duration_since(Instant::now()) {
            give_up_after(grace)?;
            thread::sleep(left.min(POLL));
        }
        out.clear();
        reply.write(&mut out);
        // Written in steps too: a client that does not read must not hold the stop up.
        let mut unsent = &out[..];
        while !unsent.is_empty() {
            match stream.write(unsent) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => unsent = &unsent[n..],
                Err(e) if matches!(e.kind(), WouldBlock | Interrupted) => give_up_after(grace)?,
                Err(e) => return Err(e),
            }
        }
        if reply.close {
            return Ok(());
        }
    }
}

/// `TimedOut` once a stop's grace is over: the request in flight is given up.
fn give_up_after(grace: Duration) -> io::Result<()> {
    match STOPPED.get() {
        Some(at) if at.elapsed() >= grace => Err(io::ErrorKind::TimedOut.into()),
        _ => Ok(()),
    }
}

// Tests: tests/cli.rs checks the binary (CARGO_BIN_EXE_sequential-serve) as a client meets it.
