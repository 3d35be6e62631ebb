//! The server side of the io workload, for the serve programs: what to answer to
//! a request (the api-server's rules, as pure functions), a listening socket made
//! alike for every paradigm, the line a server exits with when it drops requests,
//! and room for connection threads within the OS's limits.
//!
//! A server reads a request with [`crate::http::RequestReader`], asks [`Reply::to`] what
//! to answer, counts a heavy request's [`Reply::work`] its paradigm's way (on the
//! thread or task that serves the connection, or on a pool for blocking work),
//! waits [`Reply::delay`] its paradigm's way (a sleeping thread, a runtime's
//! timer), and writes [`Reply::pieces`] one at a time. Nothing here
//! decides how connections are spread over threads, processes or tasks, nor how a
//! server stops: its connection loop and its shutdown are the paradigm, in each
//! example.
//!
//! In the order the data goes: `query.rs` reads a request's query (and its heavy
//! work), `reply.rs` makes the answer from it, a piece at a time; this file holds
//! what a server does around them (listen, say so, stop and say what it dropped);
//! `threads.rs` the room for connection threads.

mod query;
mod reply;
mod threads;

use std::{
    io,
    net::SocketAddr,
    time::{Duration, Instant},
};

pub use query::{DEFAULT_BYTES, MAX_WORK, MAX_WORK_END, Query, Work, parse_query};
pub use reply::{PIECE, Pieces, Reply, reply_to};
pub use threads::{Seat, Threads};

use crate::{Error, io::MAX_DELAY_MS};

/// The listen backlog: a burst of 10,000 connects must not overflow it, or the
/// kernel drops SYNs and clients wait a second for the retry. Linux caps it at
/// `net.core.somaxconn`.
pub const BACKLOG: i32 = 16_384;
/// How long a shutdown waits for requests in flight before it drops them: the
/// longest delay a request may ask for, and five seconds more.
pub const GRACE: Duration = Duration::from_millis(MAX_DELAY_MS + 5_000);

/// A listening socket on `addr` with a deep [`BACKLOG`], made the same way for
/// every paradigm (async ones hand it to their runtime). With `reuse_port`, other
/// sockets may listen on the same port and the kernel spreads connections over
/// them (`SO_REUSEPORT`): how the processes paradigm shares one port.
pub fn listen(addr: SocketAddr, reuse_port: bool) -> io::Result<std::net::TcpListener> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    if reuse_port {
        socket.set_reuse_port(true)?;
    }
    // Small answers go out at once rather than waiting for Nagle's timer;
    // accepted sockets inherit this.
    socket.set_tcp_nodelay(true)?;
    socket.bind(&addr.into())?;
    socket.listen(BACKLOG)?;
    Ok(socket.into())
}

/// `n` listening sockets on one port, each made by [`listen`] with `SO_REUSEPORT`,
/// over which the kernel spreads new connections: a listener per runtime, for the
/// thread-per-core servers. A plain socket binds `addr` first (and picks the port,
/// where it is 0): beside sockets that do not listen it binds, but where a server
/// listens it fails, a second copy of this one too, which `SO_REUSEPORT` alone would
/// let share the port silently (processes-serve refuses it alike; two copies started
/// within the same few milliseconds could pass).
pub fn listen_shared(addr: SocketAddr, n: usize) -> io::Result<Vec<std::net::TcpListener>> {
    use socket2::{Domain, Socket, Type};
    let plain = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    plain.set_reuse_address(true)?; // as `listen` does, so that they bind beside it
    plain.bind(&addr.into())?;
    let port = plain.local_addr()?.as_socket().expect("an inet socket");
    (0..n).map(|_| listen(port, true)).collect()
}

/// The `listening=HOST:PORT` line every server prints first, on stdout, flushed.
pub fn say_listening(addr: SocketAddr) -> io::Result<()> {
    use std::io::Write;
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "listening={addr}")?;
    crate::report::say_if_debug();
    stdout.flush()
}

/// The one line a server exits with when its grace ran out with `dropped`
/// requests still in flight: the processes server sums its workers' counts into it.
pub fn dropped_error(dropped: u64, grace: Duration) -> Error {
    Error::msg(format!(
        "dropped {dropped} request(s) still in flight after the {} ms grace",
        grace.as_millis()
    ))
}

/// The one line a server exits with when a second SIGINT or SIGTERM cut its grace
/// short, with the requests it dropped then (exit status 1 even for none).
pub fn second_signal_error(dropped: u64) -> Error {
    Error::msg(format!(
        "stopped by a second signal: dropped {dropped} request(s) still in flight"
    ))
}

/// Stops the process at once at a second signal, with [`second_signal_error`]'s
/// line and exit status 1: from a signal handler, where `main` cannot return and
/// the threads still serving cannot be waited for.
pub fn stop_at_once(dropped: usize) -> ! {
    eprintln!("Error: {}", second_signal_error(dropped as u64));
    std::process::exit(1)
}

/// How a server ends once its grace is over: `Ok` when no request was left in
/// flight, else [`dropped_error`] (exit status 1).
pub fn none_dropped(left: usize, grace: Duration) -> Result<(), Error> {
    match left {
        0 => Ok(()),
        n => Err(dropped_error(n as u64, grace)),
    }
}

#[cfg(test)]
mod tests;

/// Accept errors, said at most once a second, with how many came since: out of
/// file descriptors a server keeps serving the connections it has, and must not
/// flood its log (or spin: back off briefly after each).
#[derive(Debug)]
pub struct AcceptErrors {
    program: &'static str,
    said: Option<Instant>,
    unsaid: u64,
}

impl AcceptErrors {
    /// How long to back off after a failed accept, so that EMFILE cannot spin.
    pub const BACK_OFF: Duration = Duration::from_millis(10);

    pub fn new(program: &'static str) -> Self {
        Self {
            program,
            said: None,
            unsaid: 0,
        }
    }

    /// Logs `e` on stderr unless a line was written less than a second ago.
    pub fn log(&mut self, e: &dyn std::fmt::Display) {
        if self
            .said
            .is_some_and(|at| at.elapsed() < Duration::from_secs(1))
        {
            self.unsaid += 1;
            return;
        }
        let program = self.program;
        match self.unsaid {
            0 => eprintln!("{program}: accept: {e}"),
            n => eprintln!("{program}: accept: {e} ({n} more since the last message)"),
        }
        (self.said, self.unsaid) = (Some(Instant::now()), 0);
    }
}
