//! # serve, crossbeam: a fixed pool of threads fed connections by a channel
//!
//! The main thread hands each connection over a `crossbeam::channel::bounded(0)` to
//! `--workers` threads receiving from clones of one receiver (std's `mpsc` has one
//! consumer): the classic pool, capping concurrency, an idle connection holding its
//! worker. SIGINT or SIGTERM sets a flag and wakes the accept loop and a waiting
//! hand-over (`select!`); the main thread waits on a condition variable for requests
//! in flight, and workers asleep or in `read` end with the process.
//!
//! Compare with: `examples/serve/threads`, `examples/serve/rayon`, `examples/io/crossbeam`.
//!
//! ```text
//! cargo run --release -p crossbeam-serve -- --listen 127.0.0.1:8080
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

use crossbeam::channel::{self, select};
use workload::{
    Error, ServeArgs,
    http::RequestReader,
    serve::{self, AcceptErrors, reply_to},
    sys,
};

const PROGRAM: &str = "crossbeam-serve";
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
    let workers = args.workers;
    eprintln!("{PROGRAM}: a pool fed by a channel, {workers} workers, open-file limit {nofile}");
    run(listener, workers, args.grace())
}

/// Serves connections on a pool, until a stop; then waits `grace` for requests in flight.
fn run(listener: TcpListener, workers: usize, grace: Duration) -> Result<(), Error> {
    sys::threads_fit(workers as u64, "worker threads")?;
    let (connections, queue) = channel::bounded::<TcpStream>(0); // a hand-over, no queue
    for w in 0..workers {
        let queue = queue.clone();
        // A client that hangs up mid-answer ends only its own connection.
        let worker = move || queue.iter().for_each(|s| drop(serve_connection(s)));
        let spawned = thread::Builder::new().spawn(worker);
        spawned.map_err(|e| Error::from(e).context(format!("start worker thread {w}")))?;
    }
    let (stop, stopped) = channel::bounded(1);
    let addr = listener.local_addr()?;
    ctrlc::set_handler(move || {
        STOPPING.store(true, Ordering::SeqCst);
        let _ = stop.try_send(()); // wakes a hand-over (Err: it is sent already)
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
        // While every worker is busy this waits (new connections in the backlog).
        select! {
            send(connections, stream) -> sent => sent.expect("the workers never end first"),
            recv(stopped) -> _ => break,
        }
    }
    // New connections are refused from here on; idle workers, waiting in `recv`, end.
    drop((listener, connections));
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

// Tests: tests/cli.rs checks the binary (CARGO_BIN_EXE_crossbeam-serve) as a client meets it.
