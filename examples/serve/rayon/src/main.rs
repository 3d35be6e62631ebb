//! # serve, rayon: blocking connections on a CPU pool, a deliberate misfit
//!
//! The main thread `spawn`s each connection onto a rayon pool of `--workers` threads,
//! which serves it until its client closes. It works, and it is wrong for a server:
//! a thread that sleeps out a delay or waits on an idle connection is a core's worth
//! of pool doing nothing, so W connections are served at once and the rest wait in
//! rayon's queue; use threads or async to serve, rayon for a request's CPU work.
//! SIGINT or SIGTERM sets a flag and wakes the accept loop; the main thread waits on
//! a condition variable for requests in flight, and busy jobs end with the process.
//!
//! Compare with: `examples/serve/crossbeam` (a pool made for this),
//! `examples/serve/threads`, `examples/io/rayon`.
//!
//! ```text
//! cargo run --release -p rayon-serve -- --listen 127.0.0.1:8080
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

use rayon::ThreadPool;
use workload::{
    Error, ServeArgs,
    http::RequestReader,
    serve::{self, AcceptErrors, reply_to},
    sys,
};

const PROGRAM: &str = "rayon-serve";
/// Set by SIGINT or SIGTERM: no connection is accepted or request answered after it.
static STOPPING: AtomicBool = AtomicBool::new(false);
/// Requests in flight, under a lock so that the main thread can wait for the last.
static IN_FLIGHT: Mutex<usize> = Mutex::new(0);
static ANSWERED: Condvar = Condvar::new();
const UNPOISONED: &str = "no thread panics while it holds the count";

fn main() -> Result<(), Error> {
    let args = ServeArgs::parse_for(PROGRAM);
    // Each connection is a file descriptor: take all the hard limit allows.
    let nofile = sys::raise_open_file_limit()?;
    let listener = serve::listen(args.listen, false)
        .map_err(|e| Error::from(e).context(format!("listen on {}", args.listen)))?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.workers) // default: RAYON_NUM_THREADS, else one per core
        .build()?;
    let workers = pool.current_num_threads();
    eprintln!("{PROGRAM}: a connection per rayon job, {workers} workers, open-file limit {nofile}");
    run(listener, &pool, args.grace())
}

/// Serves connections as jobs on `pool`, until a stop; then waits `grace` for requests in flight.
fn run(listener: TcpListener, pool: &ThreadPool, grace: Duration) -> Result<(), Error> {
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
        // The job holds its pool thread until the client closes the connection; the
        // connections accepted meanwhile wait in the pool's queue.
        pool.spawn(move || {
            // A client that hangs up mid-answer ends only its own connection.
            let _ = serve_connection(stream);
        });
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

// Tests: tests/cli.rs checks the binary (CARGO_BIN_EXE_rayon-serve) as a client meets it.
