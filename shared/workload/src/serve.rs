//! The server side of the io workload, for the serve programs: what to answer to
//! a request (the api-server's rules, as pure functions), a listening socket made
//! alike for every paradigm, the line a server exits with when it drops requests,
//! and room for connection threads within the OS's limits.
//!
//! A server reads a request with [`http::RequestReader`], asks [`Reply::to`] what
//! to answer, counts a heavy request's [`Reply::work`] its paradigm's way (on the
//! thread or task that serves the connection, or on a pool for blocking work),
//! waits [`Reply::delay`] its paradigm's way (a sleeping thread, a runtime's
//! timer), and writes [`Reply::pieces`] one at a time. Nothing here
//! decides how connections are spread over threads, processes or tasks, nor how a
//! server stops: its connection loop and its shutdown are the paradigm, in each
//! example.

mod threads;

use std::{
    io,
    net::SocketAddr,
    time::{Duration, Instant},
};

pub use threads::{Seat, Threads};

use crate::{
    Error,
    http::{Request, RequestError},
    io::{self as workload_io, BodyStream, MAX_BYTES, MAX_DELAY_MS},
};

/// The listen backlog: a burst of 10,000 connects must not overflow it, or the
/// kernel drops SYNs and clients wait a second for the retry. Linux caps it at
/// `net.core.somaxconn`.
pub const BACKLOG: i32 = 16_384;
/// How long a shutdown waits for requests in flight before it drops them: the
/// longest delay a request may ask for, and five seconds more.
pub const GRACE: Duration = Duration::from_millis(MAX_DELAY_MS + 5_000);
/// Without a `bytes` parameter a request gets this many body bytes.
pub const DEFAULT_BYTES: u64 = 1_024;
/// The most `work` a request may ask for: ten million numbers to test.
pub const MAX_WORK: u64 = 10_000_000;
/// The end of a request's range of numbers, `(id + 1) * work`, may not pass this
/// (the io workload's own limit): trial division grows with the numbers tested, so
/// a large id with a large `work` would hold a core for minutes.
pub const MAX_WORK_END: u64 = workload_io::MAX_WORK_TOTAL;

/// One valid `/work` query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Query {
    pub id: u64,
    pub delay_ms: u64,
    pub bytes: u64,
    /// Count the primes in `[id*work, id*work + work)` before answering; 0: none.
    pub work: u64,
}

/// A heavy request's CPU work (`work=N`): the primes in `[id*N, id*N + N)`, by
/// the cpu workload's trial division. `Copy` and `Send`, so that a server can
/// count it where its paradigm puts blocking work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Work {
    pub id: u64,
    pub n: u64,
}

impl Work {
    /// Counts the primes: CPU only, no I/O, as long as `n` says.
    pub fn count(self) -> u64 {
        workload_io::work(self.id, self.n)
    }
}

/// Parses a `/work` query string. `id` is required; `delay_ms` and `work` default
/// to 0 and `bytes` to [`DEFAULT_BYTES`]; other keys are ignored; keys and values
/// are percent-decoded. The error is the one-line reason that the 400 answer carries.
pub fn parse_query(query: Option<&str>) -> Result<Query, String> {
    let (mut id, mut delay_ms, mut bytes, mut work) = (None, None, None, None);
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decoded = |text: &str| {
            let bytes = percent_encoding::percent_decode_str(text);
            bytes.decode_utf8().map(|s| s.into_owned())
        };
        let key = decoded(key).map_err(|_| format!("{key:?} is not UTF-8 once decoded"))?;
        let value = decoded(value).map_err(|_| format!("{key}: {value:?} is not UTF-8"))?;
        let slot = match key.as_str() {
            "id" => &mut id,
            "delay_ms" => &mut delay_ms,
            "bytes" => &mut bytes,
            "work" => &mut work,
            _ => continue,
        };
        let number = value
            .parse::<u64>()
            .map_err(|_| format!("{key}: {value:?} is not a u64"))?;
        *slot = Some(number);
    }
    let id = id.ok_or("id: missing")?;
    let delay_ms = delay_ms.unwrap_or(0);
    if delay_ms > MAX_DELAY_MS {
        return Err(format!("delay_ms: {delay_ms} is over {MAX_DELAY_MS}"));
    }
    let bytes = bytes.unwrap_or(DEFAULT_BYTES);
    if bytes > MAX_BYTES {
        return Err(format!("bytes: {bytes} is over {MAX_BYTES}"));
    }
    let work = work.unwrap_or(0);
    if work > MAX_WORK {
        return Err(format!("work: {work} is over {MAX_WORK}"));
    }
    let end = id.checked_add(1).and_then(|n| n.checked_mul(work));
    if work > 0 && end.is_none_or(|end| end > MAX_WORK_END) {
        return Err(format!(
            "work: id {id} x work {work} is over {MAX_WORK_END}: too long to count"
        ));
    }
    Ok(Query {
        id,
        delay_ms,
        bytes,
        work,
    })
}

/// What to answer to one request, and how long to wait first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// Wait this long before writing the answer: the paradigm's way of waiting
    /// (a sleeping thread, a runtime's timer) is what the serve workload compares.
    /// Zero means no wait at all: a runtime's timer would still wait for its next tick.
    pub delay: Duration,
    pub status: u16,
    body: Body,
    /// Close the connection after this answer.
    pub close: bool,
    /// Say `connection: keep-alive` (an HTTP/1.0 client asked to keep it).
    keep_alive: bool,
    /// Head only (`HEAD`): the body's length is said, the body is not sent.
    head_only: bool,
    /// An interim `100 Continue` first (the client sent `Expect: 100-continue`).
    interim: bool,
    /// A heavy request's CPU work, counted before the answer is written.
    work: Option<Work>,
    /// Its count, once counted: said in an `X-Primes` header.
    primes: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Body {
    /// `bytes` bytes of splitmix64 seeded with `id`, made only when written.
    Work { id: u64, bytes: u64 },
    /// A one-line reason.
    Text(String),
}

/// The most bytes of an answer made at once: a body is made and written in
/// pieces of this size, so a client that does not read holds one piece, not 16 MiB.
pub const PIECE: usize = 64 << 10;

impl Reply {
    /// The api-server's answer to `request`: 400 for an HTTP/1.1 request without
    /// `Host` or a bad query, 404 for another path, 405 for another method, else
    /// 200 after the query's delay.
    pub fn to(request: &Request) -> Self {
        let answer = |status, body| Self {
            delay: Duration::ZERO,
            status,
            body,
            close: request.close,
            keep_alive: request.minor_version == 0 && !request.close,
            head_only: request.method == "HEAD",
            interim: request.expect_continue,
            work: None,
            primes: None,
        };
        let text = |status, line: &str| answer(status, Body::Text(format!("{line}\n")));
        if request.minor_version == 1 && !request.host {
            return text(400, "Host: missing (HTTP/1.1 requires it)");
        }
        if request.path != "/work" {
            return text(404, "not found: the only path is /work");
        }
        if request.method != "GET" {
            return text(405, "method not allowed: use GET");
        }
        match parse_query(request.query.as_deref()) {
            Ok(query) => Self {
                delay: Duration::from_millis(query.delay_ms),
                work: (query.work > 0).then_some(Work {
                    id: query.id,
                    n: query.work,
                }),
                ..answer(
                    200,
                    Body::Work {
                        id: query.id,
                        bytes: query.bytes,
                    },
                )
            },
            Err(reason) => text(400, &reason),
        }
    }

    /// The answer to bytes that were not a request: its status and reason, and the
    /// connection closes (where the next request starts cannot be known).
    pub fn refuse(error: &RequestError) -> Self {
        Self {
            delay: Duration::ZERO,
            status: error.status(),
            body: Body::Text(format!("{error}\n")),
            close: true,
            keep_alive: false,
            head_only: false,
            interim: false,
            work: None,
            primes: None,
        }
    }

    /// The CPU work to count before this answer is written (`work=N`), until its
    /// count is given to [`Reply::set_primes`]; `None` for a plain request. Where
    /// it is counted is the paradigm's choice: [`Reply::count_primes`] counts it
    /// here, on the caller's thread.
    pub fn work(&self) -> Option<Work> {
        self.work.filter(|_| self.primes.is_none())
    }

    /// Gives the answer its count of primes, for its `X-Primes` header.
    pub fn set_primes(&mut self, primes: u64) {
        self.primes = Some(primes);
    }

    /// Counts the work, if any, on the calling thread: inline.
    pub fn count_primes(&mut self) {
        if let Some(work) = self.work() {
            self.set_primes(work.count());
        }
    }

    /// The answer's bytes, head and body, made a piece at a time as they are
    /// written: `while let Some(piece) = pieces.next_piece() { write(piece) }`.
    pub fn pieces(&self) -> Pieces {
        let (kind, len) = match &self.body {
            Body::Work { bytes, .. } => ("application/octet-stream", *bytes),
            Body::Text(line) => ("text/plain; charset=utf-8", line.len() as u64),
        };
        let connection = match (self.close, self.keep_alive) {
            (true, _) => "connection: close\r\n",
            (false, true) => "connection: keep-alive\r\n",
            (false, false) => "",
        };
        let interim = if self.interim {
            "HTTP/1.1 100 Continue\r\n\r\n"
        } else {
            ""
        };
        let primes = match self.primes {
            Some(count) => format!("x-primes: {count}\r\n"),
            None => String::new(),
        };
        let head = format!(
            "{interim}HTTP/1.1 {} {}\r\ncontent-type: {kind}\r\ncontent-length: {len}\r\n{primes}{connection}\r\n",
            self.status,
            reason(self.status),
        );
        let mut buf = head.into_bytes();
        let mut body = BodyStream::new(0, 0);
        if !self.head_only {
            match &self.body {
                Body::Text(line) => buf.extend_from_slice(line.as_bytes()),
                Body::Work { id, bytes } => body = BodyStream::new(*id, *bytes),
            }
        }
        Pieces {
            buf,
            head: true,
            body,
        }
    }
}

/// An answer's bytes, made a piece of at most [`PIECE`] bytes at a time.
#[derive(Debug)]
pub struct Pieces {
    buf: Vec<u8>,
    /// The head (with a short body) is in `buf` and not yet handed out.
    head: bool,
    /// The work body still to make (none for a text answer: it is in the head's piece).
    body: BodyStream,
}

impl Pieces {
    /// The next piece to write, or `None` once the whole answer is out.
    pub fn next_piece(&mut self) -> Option<&[u8]> {
        if std::mem::take(&mut self.head) {
            // The head's piece also carries as much of the body as fits in it.
            let room = PIECE.saturating_sub(self.buf.len());
            self.body.take(&mut self.buf, room);
            return Some(&self.buf);
        }
        self.buf.clear();
        self.body.take(&mut self.buf, PIECE);
        (!self.buf.is_empty()).then_some(&self.buf[..])
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        501 => "Not Implemented",
        _ => "Unknown",
    }
}

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

/// A request read from `reader`, or what to do about the bytes instead.
pub fn reply_to(next: Result<Request, RequestError>) -> Reply {
    match next {
        Ok(request) => Reply::to(&request),
        Err(error) => Reply::refuse(&error),
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
