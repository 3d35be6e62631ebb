//! # serve, threads: one OS thread per connection
//!
//! The main thread accepts connections and starts a thread for each, which reads a
//! request, sleeps its delay and writes the answer until the client closes: std's
//! classic server, a stack and a kernel task per connection. SIGINT or SIGTERM sets
//! a flag that ends the accept loop, the main thread waits on a condition variable
//! for the requests in flight, and threads asleep or in `read` end with the process.
//!
//! Compare with: `examples/serve/crossbeam`, `examples/serve/tokio`, `examples/io/threads`.
//!
//! ```text
//! cargo run --release -p threads-serve -- --listen 127.0.0.1:8080
//! ```

use std::{
    io::{self, Read, Write},
    net::{TcpListener, TcpStream},
    sync::{
        Condvar, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    thread,
    time::Duration,
};

use workload::{
    Error, ServeArgs,
    http::RequestReader,
    serve::{self, AcceptErrors, Threads, reply_to},
    sys,
};

const PROGRAM: &str = "threads-serve";
/// Set by SIGINT or SIGTERM: no connection is accepted or request answered after it.
static STOPPING: AtomicBool = AtomicBool::new(false);
/// Requests in flight, under a lock so that the main thread can wait for the last.
static IN_FLIGHT: Mutex<usize> = Mutex::new(0);
static ANSWERED: Condvar = Condvar::new();
const UNPOISONED: &str = "no thread panics while it holds the count";
static THREADS: Threads = Threads::new();

fn main() -> Result<(), Error> {
    let args = ServeArgs::parse_for(PROGRAM);
    // Each connection is a file descriptor: take all the hard limit allows.
    let nofile = sys::raise_open_file_limit()?;
    let listener = serve::listen(args.listen, false)
        .map_err(|e| Error::from(e).context(format!("listen on {}", args.listen)))?;
    eprintln!("{PROGRAM}: a thread per connection (--workers not used), open-file limit {nofile}");
    run(listener, args.grace())
}

/// Serves connections, a thread each, until a stop; then waits `grace` for requests in flight.
fn run(listener: TcpListener, grace: Duration) -> Result<(), Error> {
    let addr = listener.local_addr()?;
    ctrlc::set_handler(move || {
        STOPPING.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(addr); // wakes the accept loop (Err: it is closed)
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
        // No room for another thread, or the OS refused one: only this connection is
        // dropped, unanswered (std would abort the process at `vm.max_map_count`).
        let spawned = THREADS.admit().and_then(|seat| {
            let spawned = thread::Builder::new().spawn(move || {
                let _seat = seat; // counted until the connection ends
                // A client that hangs up mid-answer ends only its own connection.
                let _ = serve_connection(stream);
            });
            Ok(spawned?)
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

/// Serves one keep-alive connection until the client closes it, sends bytes that
/// are not a request (answered 400 or 431, then closed), or the server stops.
/// Each delay sleeps this thread: that is what a blocking server does.
fn serve_connection(mut stream: TcpStream) -> io::Result<()> {
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

// Tests: tests/cli.rs checks the binary (CARGO_BIN_EXE_threads-serve) as a client meets it.
