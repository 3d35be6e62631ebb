//! The api-server of `DESIGN.md`: `GET /work?id=I&delay_ms=D&bytes=B` waits D ms
//! without blocking a thread, then answers `200 OK` with B bytes of splitmix64
//! seeded with I. A bad query gets `400` and a one-line reason.
//!
//! It is the one server every io client meets, so it is built to be boring: hyper's
//! HTTP/1.1 on a tokio runtime, a task per connection, keep-alive, and a timer (not a
//! thread) per waiting request, so it holds tens of thousands of connections.
//! Query values are percent-decoded; an HTTP/1.1 request without `Host` gets `400`.
//! A heavy request (`work=N`) has its primes counted on the task that serves it, or
//! with `--offload` on tokio's blocking pool (`spawn_blocking`), and says the count
//! in `X-Primes`.
//!
//! Hostile clients meet the serve programs' limits: hyper's head timer closes slow,
//! silent and idle connections (one timer for both: the shorter of the head and idle
//! timeouts); a write that makes no progress for the write timeout ends its
//! connection (hyper has no write timeout: `Connection` adds it); bodies are made
//! 64 KiB at a time as hyper sends them (`Work`), so a client that does not read
//! holds about 128 KiB, not 16 MiB; a request waiting out its delay is cancelled when
//! its client closes or resets (`handle` peeks); a flood does not starve the others
//! (tokio's cooperative budget).
//!
//! # Layout
//!
//! - [`serve`]: accept and serve until a stop future completes, then let the
//!   requests in flight finish (or drop them at a second), and say how many it
//!   had to drop.
//! - [`bind`]: a listener with a backlog deep enough for a burst of 10,000 connects.
//! - [`Embedded`]: the server on its own thread, on 127.0.0.1:0, for tests and io
//!   examples started without `--server`.
//! - [`Target`]: what an io example talks to: `--server`, or an [`Embedded`] one.
//! - [`parse_query`]: the query rules, as a pure function (`workload::serve`'s).
//! - `body.rs`: a 200 answer's body, splitmix64 made a piece at a time as hyper sends it.
//! - `connection.rs`: the socket as hyper reads and writes it, with a write timeout.
//! - `embedded.rs`: [`Embedded`] and [`Target`].

use std::{
    future::Future,
    io,
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use bytes::Bytes;
use http_body_util::{Either, Full};
use hyper::{
    Method, Request, Response, StatusCode, Version, body::Incoming, header::HOST,
    service::service_fn,
};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
};
use tokio::net::{TcpListener, TcpStream};
use workload::{
    Error,
    http::{MAX_HEAD_BYTES, Timeouts},
    io::BodyStream,
    serve::{AcceptErrors, Work},
};

/// The listen backlog: a burst of 10,000 connects must not overflow it (the same
/// as every serve program's, `workload::serve::BACKLOG`).
const BACKLOG: u32 = workload::serve::BACKLOG as u32;
/// How long a shutdown waits for requests in flight before it drops them: the
/// longest delay a request may ask for, and five seconds more.
pub const GRACE: Duration = workload::serve::GRACE;
/// The embedded server stops with the program that started it, whose clients are
/// done (or failed): it waits at most this long for requests still in flight.
const EMBEDDED_GRACE: Duration = Duration::from_secs(5);

// The query rules are the serve workload's, shared with every serve program.
pub use workload::serve::{DEFAULT_BYTES, Query, parse_query};

mod body;
mod connection;
mod embedded;

use body::Body;
use connection::Connection;
pub use embedded::{Embedded, Target};

/// Binds `addr` with a deep backlog. Call it inside a tokio runtime.
pub fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = match addr {
        SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4()?,
        SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6()?,
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

/// Serves `listener` until `stop` completes, then lets requests in flight finish for
/// up to `grace`, or until `hurry` completes (a second signal). `Err` says how many
/// requests it had to drop, and why.
pub async fn serve(
    listener: TcpListener,
    stop: impl Future<Output = ()>,
    hurry: impl Future<Output = ()>,
    grace: Duration,
    timeouts: Timeouts,
    offload: bool,
) -> Result<(), Error> {
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    // hyper has one timer for a head, started when it begins to wait for one (at the
    // accept, or as an answer ends): the idle wait counts too, so it gets the shorter
    // of the two, and no connection is kept longer than either says.
    http.timer(TokioTimer::new())
        .keep_alive(true)
        .header_read_timeout(timeouts.head.min(timeouts.idle))
        // A request followed by a half-close is answered (hyper would drop it); hyper
        // then no longer reads while a request waits, so `handle` watches the socket.
        .half_close(true)
        // Heads over 64 KiB get 431, as from every serve program; and hyper buffers
        // at most about 64 KiB of an answer before it waits for the client.
        .max_header_size(MAX_HEAD_BYTES)
        .max_buf_size(MAX_HEAD_BYTES);
    let in_flight = Arc::new(AtomicUsize::new(0));
    let mut failures = AcceptErrors::new("api-server");
    tokio::pin!(stop, hurry);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before we took
                    // it: neither is fatal. Back off briefly so EMFILE cannot spin.
                    failures.log(&e);
                    tokio::time::sleep(AcceptErrors::BACK_OFF).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        // Small responses go out at once rather than waiting for Nagle's timer.
        let _ = stream.set_nodelay(true); // best effort: only latency depends on it
        let stream = Arc::new(stream);
        let io = TokioIo::new(Connection::new(stream.clone(), timeouts.write));
        let in_flight = in_flight.clone();
        let service = service_fn(move |request| {
            // Counted from its head until its answer is written, or it is dropped.
            let counted = InFlight::enter(&in_flight);
            let client = stream.clone();
            async move { handle(request, &client, counted, offload).await }
        });
        let connection = graceful.watch(http.serve_connection(io, service));
        tokio::spawn(async move {
            // A client that sends garbage, hangs up, is too slow or does not read ends
            // only its own connection (hyper has already answered garbage with 400).
            let _ = connection.await;
        });
    }
    drop(listener);
    // After the grace, connections with no request in flight (a head still coming)
    // are closed as the runtime ends, and not counted.
    let left = || in_flight.load(Ordering::SeqCst);
    tokio::select! {
        () = graceful.shutdown() => Ok(()),
        () = tokio::time::sleep(grace) => workload::serve::none_dropped(left(), grace),
        () = &mut hurry => Err(workload::serve::second_signal_error(left() as u64)),
    }
}

/// One request being answered, counted in `in_flight` until it is dropped.
pub(crate) struct InFlight(Arc<AtomicUsize>);

impl InFlight {
    fn enter(in_flight: &Arc<AtomicUsize>) -> Self {
        in_flight.fetch_add(1, Ordering::SeqCst);
        Self(in_flight.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// An answer's body: a line of text, or [`Body`].
type Answer = Response<Either<Full<Bytes>, Body>>;

/// Answers `request`, `counted` until its body is out; `Err` (no answer, the
/// connection closes) if `client` hangs up while it waits.
async fn handle(
    request: Request<Incoming>,
    client: &TcpStream,
    counted: InFlight,
    offload: bool,
) -> io::Result<Answer> {
    if request.version() == Version::HTTP_11 && !request.headers().contains_key(HOST) {
        return Ok(text(
            StatusCode::BAD_REQUEST,
            "Host: missing (HTTP/1.1 requires it)",
        ));
    }
    if request.uri().path() != "/work" {
        return Ok(text(
            StatusCode::NOT_FOUND,
            "not found: the only path is /work",
        ));
    }
    if request.method() != Method::GET {
        return Ok(text(
            StatusCode::METHOD_NOT_ALLOWED,
            "method not allowed: use GET",
        ));
    }
    let query = match parse_query(request.uri().query()) {
        Ok(query) => query,
        Err(reason) => return Ok(text(StatusCode::BAD_REQUEST, &reason)),
    };
    // work=N: on this task, which holds its worker thread meanwhile, or on the
    // blocking pool, which leaves the worker to the other connections.
    let work = Work {
        id: query.id,
        n: query.work,
    };
    let primes = match (query.work, offload) {
        (0, _) => None,
        (_, false) => Some(work.count()),
        (_, true) => Some(tokio::task::spawn_blocking(move || work.count()).await?),
    };
    // A timer, not a sleeping thread: this is what lets one server hold 10,000
    // waiting requests. No timer at all for 0 ms: tokio would still wait for its
    // next 1 ms tick, and "fast I/O" would measure the timer's granularity. The
    // delay races a `peek`: a client that closes or resets cancels its request; a
    // next request's bytes mean it is still there.
    if query.delay_ms > 0 {
        let mut byte = [0];
        tokio::select! {
            () = tokio::time::sleep(Duration::from_millis(query.delay_ms)) => {}
            Ok(0) | Err(_) = client.peek(&mut byte) => {
                return Err(io::Error::new(io::ErrorKind::ConnectionAborted, "client gone"));
            }
        }
    }
    let body = Body {
        body: BodyStream::new(query.id, query.bytes),
        _counted: counted,
    };
    let mut response = Response::builder().header("content-type", "application/octet-stream");
    if let Some(primes) = primes {
        response = response.header("x-primes", primes);
    }
    Ok(response
        .body(Either::Right(body))
        .expect("static headers are valid"))
}

fn text(status: StatusCode, line: &str) -> Answer {
    Response::builder()
        .status(status)
        .header("content-type", "text/plain; charset=utf-8")
        .body(Either::Left(Full::new(Bytes::from(format!("{line}\n")))))
        .expect("static headers are valid")
}
