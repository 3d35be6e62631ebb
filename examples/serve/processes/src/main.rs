//! # serve, processes: a pre-forked pool of processes sharing one port
//!
//! The classic pre-forked server: the parent starts `--workers` copies of its own
//! binary, each of which listens on the same port (`SO_REUSEPORT`: the kernel
//! spreads new connections over the listening sockets) and serves each connection
//! on a thread of its own, as threads-serve does (gunicorn's gthread workers). It
//! buys isolation (a crash ends one worker, not a shared address space) and, where
//! a runtime has a lock, one per process; it costs a process's memory per worker
//! and a pipe protocol for everything the workers must tell the parent. A worker
//! says one line per event on its stdout pipe: `listening` (the parent prints
//! `listening=` once all have), `accept <error>` (the parent logs them, at most
//! once a second for all), and `dropped N` before it exits 0 after a shutdown. A
//! worker dies with the parent however the parent ends (`PR_SET_PDEATHSIG`).
//! `SO_REUSEPORT` has a cost of its own: a second copy started by the same user on
//! the same port joins the group and takes a share of the connections, where any
//! other server would fail with "Address already in use".
//!
//! SIGINT or SIGTERM: the parent sends SIGTERM to every worker, each lets its
//! requests in flight finish for up to `--grace-ms`, and the parent exits 0 or
//! says how many they dropped in all. A worker that ends on its own ends the
//! server too: the parent stops the others, and exits 1 naming it if it failed.
//!
//! Compare with: `examples/serve/threads`, `examples/cpu/processes`.
//!
//! ```text
//! cargo run --release -p processes-serve -- --listen 127.0.0.1:8080
//! ```

use std::{
    env,
    io::{self, BufRead, BufReader, Write},
    net::SocketAddr,
    os::unix::process::{ExitStatusExt, parent_id},
    process::{self, Child, ChildStdout, Command, Stdio},
    sync::mpsc::{self, Sender},
    thread,
    time::Duration,
};

use nix::{
    sys::{
        prctl,
        signal::{self, Signal},
    },
    unistd::Pid,
};
use socket2::{Domain, Socket, Type};
use workload::{
    Error, ServeArgs,
    serve::{self, AcceptErrors, Drain, Threads},
    sys,
};

const PROGRAM: &str = "processes-serve";
/// Set in a child's environment: "you are a worker, listen on --listen".
const WORKER_ENV: &str = "PROCESSES_SERVE_WORKER";
/// Set in a child's environment to the parent's pid.
const PARENT_ENV: &str = "PROCESSES_SERVE_PARENT";

fn main() -> Result<(), Error> {
    let args = ServeArgs::parse_for(PROGRAM);
    // Each connection is a file descriptor: take all the hard limit allows (the
    // workers inherit it).
    let nofile = sys::raise_open_file_limit()?;
    if env::var_os(WORKER_ENV).is_some() {
        die_with_parent()?;
        return worker(args.listen, args.grace());
    }
    sys::processes_fit(args.workers as u64, "worker processes")?;
    let reserved = reserve(args.listen)
        .map_err(|e| Error::from(e).context(format!("listen on {}", args.listen)))?;
    let addr = reserved.local_addr()?.as_socket().expect("an inet socket");
    let (events, inbox) = mpsc::channel();
    let stop = events.clone();
    // Err: the parent is past its last event, and exiting anyway.
    ctrlc::set_handler(move || drop(stop.send(Event::Stop)))?;
    let mut workers = Reaper(Vec::new());
    // Started from the main thread, which lives as long as the process: the
    // kernel sends PR_SET_PDEATHSIG when the thread that started a child ends.
    for w in 0..args.workers {
        let mut child = Command::new(env::current_exe()?)
            .args(["--listen", &addr.to_string()])
            .args(["--grace-ms", &args.grace_ms.to_string()])
            .env(WORKER_ENV, w.to_string())
            .env(PARENT_ENV, process::id().to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| Error::from(e).context(format!("start worker process {w}")))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let events = events.clone();
        thread::spawn(move || relay(w, stdout, &events));
        workers.0.push(child);
    }
    run(&mut workers, addr, &args, nofile, &inbox)
}

/// What reaches the parent's main thread: a worker's line, its end, a signal.
enum Event {
    Said(usize, String),
    Ended(usize),
    Stop,
}

/// Says `listening=` once every worker listens, logs their accept errors, and on
/// SIGINT or SIGTERM (or a worker's end) stops them all and waits for them.
fn run(
    workers: &mut Reaper,
    addr: SocketAddr,
    args: &ServeArgs,
    nofile: u64,
    inbox: &mpsc::Receiver<Event>,
) -> Result<(), Error> {
    let mut errors = AcceptErrors::new(PROGRAM);
    let (mut listening, mut ended, mut dropped, mut failed) = (0, 0, 0u64, None);
    while ended < workers.0.len() {
        match inbox.recv().expect("the signal handler holds a sender") {
            Event::Stop => workers.terminate(),
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
                ("accept", why) => errors.log(&io::Error::other(why)),
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
                // One worker fewer is not the server asked for: stop the others.
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
/// listening sockets join the group the kernel spreads them over).
fn reserve(addr: SocketAddr) -> io::Result<Socket> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.set_reuse_port(true)?;
    socket.bind(&addr.into())?;
    Ok(socket)
}

/// Passes worker `w`'s lines to the main thread, then its end (the pipe closes
/// when the worker exits).
fn relay(w: usize, stdout: ChildStdout, events: &Sender<Event>) {
    // A read error ends the pipe as EOF does; a send error means the parent is
    // exiting and needs no more events.
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        let _ = events.send(Event::Said(w, line));
    }
    let _ = events.send(Event::Ended(w));
}

/// The worker side: listen on the shared port and serve each connection on a
/// thread of its own until SIGTERM, then say how many requests it dropped.
fn worker(addr: SocketAddr, grace: Duration) -> Result<(), Error> {
    let listener = serve::listen(addr, true)
        .map_err(|e| Error::from(e).context(format!("listen on {addr}")))?;
    // Every connection thread counts its requests here; it lives as long as the process.
    let drain: &'static Drain = Box::leak(Box::default());
    ctrlc::set_handler(move || {
        // The parent sums the workers' counts into its one Error line.
        let dropped = drain.stop(grace).map_or_else(|_| drain.in_flight(), |()| 0);
        tell_parent(&format!("dropped {dropped}"));
        process::exit(0)
    })?;
    tell_parent("listening");
    // Counts the connection threads; it lives as long as the process, as they may.
    let threads: &'static Threads = Box::leak(Box::default());
    loop {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors, or a connection reset before we took it:
                // neither is fatal. The parent logs it, at most once a second.
                tell_parent(&format!("accept {e}"));
                thread::sleep(AcceptErrors::BACK_OFF);
                continue;
            }
        };
        let seat = match threads.admit() {
            Ok(seat) => seat,
            Err(e) => {
                // No room for another thread: this connection closes unanswered.
                tell_parent(&format!("accept {e}"));
                continue;
            }
        };
        let spawned = thread::Builder::new().spawn(move || {
            let _seat = seat; // counted until the connection ends
            // A client that hangs up mid-answer ends only its own connection.
            let _ = serve::serve_blocking(stream, drain);
        });
        if let Err(e) = spawned {
            // The OS refused a thread: this connection is dropped, the others go on.
            tell_parent(&format!("accept {e}"));
        }
    }
}

/// Writes one line to the parent, on the stdout pipe.
fn tell_parent(line: &str) {
    let mut stdout = io::stdout().lock();
    // It fails only once the parent is gone, and PR_SET_PDEATHSIG then ends us.
    let _ = writeln!(stdout, "{line}").and_then(|()| stdout.flush());
}

/// In a child, first thing: have the kernel send SIGKILL when the parent ends, then
/// check that the parent has not ended already (the child would have a new one).
fn die_with_parent() -> Result<(), Error> {
    prctl::set_pdeathsig(Signal::SIGKILL)?;
    match env::var(PARENT_ENV) {
        Ok(parent) if parent == parent_id().to_string() => Ok(()),
        _ => Err(Error::msg("the parent process has ended")),
    }
}

/// Owns the workers: when dropped, on success or on any error, it kills those
/// still running and waits for all of them, so no worker outlives the parent and
/// none is left a zombie.
struct Reaper(Vec<Child>);

impl Reaper {
    /// Sends SIGTERM to every worker still running: each drains and exits.
    fn terminate(&mut self) {
        for child in &mut self.0 {
            // A worker reaped already is not signalled: its pid may be another's.
            if let Ok(None) = child.try_wait() {
                // Not reaped, so the pid is still the worker's: this cannot fail.
                let _ = signal::kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM);
            }
        }
    }
}

impl Drop for Reaper {
    fn drop(&mut self) {
        for child in &mut self.0 {
            // Errors mean the child is gone already, which is what we want.
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

// The tests are in tests/cli.rs: this program runs its own binary, which only
// integration tests can name (CARGO_BIN_EXE_processes-serve).
