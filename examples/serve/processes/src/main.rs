//! # serve, processes: a pre-forked pool of processes sharing one port
//!
//! The parent starts `--workers` copies of its own binary, which all listen on one port
//! (`SO_REUSEPORT`: the kernel spreads new connections over their sockets) and serve
//! each connection on a thread of its own, as threads-serve does (gunicorn's gthread
//! workers), slow clients, delays and heavy requests (`work=N`; `--offload` is refused)
//! alike: isolation, for a process's memory per worker and a pipe for all a worker tells
//! the parent. On SIGINT or SIGTERM the parent sends SIGTERM to every worker, each stops
//! as threads-serve does and reports what it dropped, and the parent waits for them all,
//! or not at a second signal; a worker dies with the parent however it ends.
//!
//! The parent is here, its pool of workers in `pool.rs`, a worker's accept loop and
//! stop in `worker.rs`, its connection threads in `connection.rs`.
//!
//! Compare with: `examples/serve/threads`, `examples/cpu/processes`.
//!
//! ```text
//! cargo run --release -p processes-serve -- --listen 127.0.0.1:8080
//! ```

mod connection;
mod pool;
mod worker;

use std::{env, io, net::SocketAddr, os::unix::process::ExitStatusExt, sync::mpsc};

use nix::sys::signal::Signal;
use pool::{Event, Reaper};
use socket2::{Domain, Socket, Type};
use workload::{
    Error, ServeArgs,
    serve::{self, AcceptErrors},
    sys,
};

const PROGRAM: &str = "processes-serve";
const NO_OFFLOAD: &str = "counts primes on the connection's thread: a pool would leave it waiting";
/// Set in a child's environment: "you are a worker, listen on --listen".
pub const WORKER_ENV: &str = "PROCESSES_SERVE_WORKER";
/// Set in a child's environment to the parent's pid.
pub const PARENT_ENV: &str = "PROCESSES_SERVE_PARENT";

fn main() -> Result<(), Error> {
    let args = ServeArgs::parse_for(PROGRAM).refuse_offload(PROGRAM, NO_OFFLOAD);
    // Each connection is a file descriptor: take all the hard limit allows (the
    // workers inherit it).
    let nofile = sys::raise_open_file_limit()?;
    if env::var_os(WORKER_ENV).is_some() {
        worker::die_with_parent()?;
        return worker::run(args.listen, args.grace(), args.timeouts());
    }
    sys::processes_fit(args.workers as u64, "worker processes")?;
    let reserved = reserve(args.listen)
        .map_err(|e| Error::from(e).context(format!("listen on {}", args.listen)))?;
    let addr = reserved.local_addr()?.as_socket().expect("an inet socket");
    let (events, inbox) = mpsc::channel();
    let stop = events.clone();
    // Err: the parent is past its last event, and exiting anyway.
    ctrlc::set_handler(move || drop(stop.send(Event::Stop)))?;
    let mut workers = pool::start(&args, addr, &events)?;
    run(&mut workers, addr, &args, nofile, &inbox)
}

/// Says `listening=` once every worker listens, logs their accept errors, and on
/// SIGINT or SIGTERM (or a worker's end) stops them all and waits for them; a
/// second signal stops at once (the workers are killed with the [`Reaper`]). A
/// worker says one line per event on its stdout pipe: `listening`, `accept <error>`
/// (logged at most once a second for all), once stopping `in-flight N` at the stop
/// and at each request's end, and `dropped N` before it exits 0.
fn run(
    workers: &mut Reaper,
    addr: SocketAddr,
    args: &ServeArgs,
    nofile: u64,
    inbox: &mpsc::Receiver<Event>,
) -> Result<(), Error> {
    let mut errors = AcceptErrors::new(PROGRAM);
    let (mut listening, mut ended, mut dropped, mut failed) = (0, 0, 0u64, None);
    let (mut stopping, mut in_flight) = (false, vec![0; workers.0.len()]);
    while ended < workers.0.len() {
        match inbox.recv().expect("the signal handler holds a sender") {
            // A second signal: what the workers said was in flight is dropped.
            Event::Stop if stopping => {
                return Err(serve::second_signal_error(in_flight.iter().sum()));
            }
            Event::Stop => {
                stopping = true;
                workers.terminate();
            }
            Event::Said(w, line) => match line.split_once(' ').unwrap_or((&line, "")) {
                ("listening", _) => {
                    listening += 1;
                    if listening == workers.0.len() {
                        serve::say_listening(addr)?;
                        eprintln!(
                            "{PROGRAM}: pre-forked processes on one port, a thread per \
                             connection in each, {listening} workers, open-file limit {nofile}"
                        );
                    }
                }
                ("accept", why) => errors.log(&why),
                ("in-flight", n) => in_flight[w] = n.parse()?,
                ("dropped", n) => dropped += n.parse::<u64>()?,
                _ => return Err(Error::msg(format!("worker {w} said {line:?}"))),
            },
            Event::Ended(w) => {
                ended += 1;
                let child = &mut workers.0[w];
                let (pid, status) = (child.id(), child.wait()?);
                // SIGTERM itself: it came before the worker set its handler, when
                // it had no request yet.
                if !status.success() && status.signal() != Some(Signal::SIGTERM as i32) {
                    let why =
                        format!("worker process {w} (pid {pid}) ended unexpectedly: {status}");
                    failed.get_or_insert(Error::msg(why));
                }
                // One worker fewer is not the server asked for: stop the others, and
                // exit 1 naming it if it failed.
                workers.terminate();
            }
        }
    }
    match (failed, dropped) {
        (Some(e), _) => Err(e),
        (None, 0) => Ok(()),
        (None, n) => Err(serve::dropped_error(n, args.grace())),
    }
}

/// Binds `addr` with `SO_REUSEPORT` and does not listen: this picks the port if
/// `addr`'s is 0 and holds it for the workers, and gets no connections (only
/// listening sockets join the group the kernel spreads them over). `SO_REUSEPORT`
/// would let a second copy started by the same user join the group and take a share
/// of the connections, so a plain socket binds the port too: beside a socket that
/// does not listen (this one) it binds, and where a server listens it fails with
/// "Address already in use", as any other server does. (Two copies started within
/// the same few milliseconds could still both pass.)
fn reserve(addr: SocketAddr) -> io::Result<Socket> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.set_reuse_port(true)?;
    socket.bind(&addr.into())?;
    let plain = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    plain.set_reuse_address(true)?; // as `serve::listen` does: no TIME_WAIT conflict
    plain.bind(&socket.local_addr()?)?;
    Ok(socket)
}

// The tests are in tests/cli.rs: this program runs its own binary, which only
// integration tests can name (CARGO_BIN_EXE_processes-serve).
