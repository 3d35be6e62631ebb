//! The api-server of `DESIGN.md`: `GET /work?id=I&delay_ms=D&bytes=B` waits D ms
//! without blocking a thread, then answers `200 OK` with B bytes of splitmix64
//! seeded with I. A bad query gets `400` and a one-line reason.
//!
//! It is the one server every io client meets, so it is built to be boring: hyper's
//! HTTP/1.1 on a tokio runtime, a task per connection, keep-alive, and a timer (not a
//! thread) per waiting request, so it holds tens of thousands of connections.
//! Query values are percent-decoded; an HTTP/1.1 request without `Host` gets `400`.
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

use std::{
    convert::Infallible,
    future::Future,
    io,
    net::SocketAddr,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    task::{Context, Poll, ready},
    thread,
    time::Duration,
};

use bytes::Bytes;
use http_body_util::{Either, Full};
use hyper::{
    Method, Request, Response, StatusCode, Version,
    body::{Body, Frame, Incoming, SizeHint},
    header::HOST,
    service::service_fn,
};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
    sync::oneshot,
    time::Sleep,
};
use workload::{
    Error,
    http::{MAX_HEAD_BYTES, Timeouts},
    io::SplitMix64,
    serve::{AcceptErrors, PIECE},
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
            async move { handle(request, &client, counted).await }
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
struct InFlight(Arc<AtomicUsize>);

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

/// An answer's body: a line of text, or [`Work`].
type Answer = Response<Either<Full<Bytes>, Work>>;

/// Answers `request`, `counted` until its body is out; `Err` (no answer, the
/// connection closes) if `client` hangs up while it waits.
async fn handle(
    request: Request<Incoming>,
    client: &TcpStream,
    counted: InFlight,
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
    let body = Work {
        rng: SplitMix64::new(query.id),
        left: query.bytes,
        _counted: counted,
    };
    let response = Response::builder()
        .header("content-type", "application/octet-stream")
        .body(Either::Right(body))
        .expect("static headers are valid");
    Ok(response)
}

fn text(status: StatusCode, line: &str) -> Answer {
    Response::builder()
        .status(status)
        .header("content-type", "text/plain; charset=utf-8")
        .body(Either::Left(Full::new(Bytes::from(format!("{line}\n")))))
        .expect("static headers are valid")
}

/// `left` bytes of splitmix64, made a [`PIECE`] (64 KiB) at a time as hyper asks for
/// them: a client that does not read holds a piece or two, never the whole body.
struct Work {
    rng: SplitMix64,
    left: u64,
    /// The request is in flight until hyper drops its body, after the last piece.
    _counted: InFlight,
}

impl Body for Work {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        let n = this.left.min(PIECE as u64) as usize;
        if n == 0 {
            return Poll::Ready(None);
        }
        // Every piece but the last is a multiple of 8 bytes: the stream goes on unbroken.
        let mut piece = Vec::with_capacity(n.next_multiple_of(8));
        while piece.len() < n {
            piece.extend_from_slice(&this.rng.next_u64().to_le_bytes());
        }
        piece.truncate(n);
        this.left -= n as u64;
        Poll::Ready(Some(Ok(Frame::data(Bytes::from(piece)))))
    }

    fn is_end_stream(&self) -> bool {
        self.left == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.left) // hyper says it as the content-length
    }
}

/// A connection as hyper reads and writes it, with the write timeout hyper has not:
/// a write that makes no progress for `limit` fails (`TimedOut`) and ends it. The
/// socket is shared (`Arc`) with the requests, which `peek` it while they wait.
struct Connection {
    stream: Arc<TcpStream>,
    limit: Duration,
    /// Since the socket stopped taking bytes: a timer of `limit`.
    stalled: Option<Pin<Box<Sleep>>>,
}

impl Connection {
    fn new(stream: Arc<TcpStream>, limit: Duration) -> Self {
        Self {
            stream,
            limit,
            stalled: None,
        }
    }

    /// Writes with `write` once the socket can take bytes, or fails once it has
    /// taken none for `limit`.
    fn poll_write_with(
        &mut self,
        cx: &mut Context<'_>,
        write: impl Fn(&TcpStream) -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        loop {
            if self.stream.poll_write_ready(cx)?.is_pending() {
                let limit = self.limit;
                let stalled = self
                    .stalled
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
                ready!(stalled.as_mut().poll(cx));
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("the client took no byte for {} ms", limit.as_millis()),
                )));
            }
            match write(&self.stream) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                written => {
                    self.stalled = None;
                    return Poll::Ready(written);
                }
            }
        }
    }
}

impl AsyncRead for Connection {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        loop {
            ready!(self.stream.poll_read_ready(cx))?;
            match self.stream.try_read(buf.initialize_unfilled()) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                read => return Poll::Ready(read.map(|n| buf.advance(n))),
            }
        }
    }
}

impl AsyncWrite for Connection {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().poll_write_with(cx, |s| s.try_write(buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.get_mut()
            .poll_write_with(cx, |s| s.try_write_vectored(bufs))
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(())) // a TCP socket keeps no buffer of its own to flush
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Nothing to do before hyper drops the connection, which closes the socket
        // (once the last request holding it has ended).
        Poll::Ready(Ok(()))
    }
}

/// The api-server running in this process on its own thread with a single-threaded
/// tokio runtime, until dropped. The thread is the server's, not the client's: io
/// examples do not count it among their workers.
pub struct Embedded {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Embedded {
    /// Starts a server on 127.0.0.1 with a free port.
    pub fn start() -> io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let listener = runtime.block_on(async { bind(SocketAddr::from(([127, 0, 0, 1], 0))) })?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = thread::Builder::new()
            .name("api-server".into())
            .spawn(move || {
                let stopped = async {
                    // Err means the Embedded was dropped without a send: stop all the same.
                    let _ = stopped.await;
                };
                let serving = serve(
                    listener,
                    stopped,
                    std::future::pending(), // no second signal
                    EMBEDDED_GRACE,
                    Timeouts::DEFAULT,
                );
                // Err: requests dropped as the program that started it ends; its own
                // result says what its clients got.
                let _ = runtime.block_on(serving);
            })?;
        Ok(Self {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Embedded {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(()); // Err: the server already ended; nothing to stop.
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join(); // Err: it panicked, and its message is printed already.
        }
    }
}

/// The server an io example talks to: the one `--server` names, or one it started.
pub struct Target {
    /// `HOST:PORT`, to connect to and to send as the `Host` header.
    pub host: String,
    _embedded: Option<Embedded>,
}

impl Target {
    pub fn new(server: Option<&str>) -> io::Result<Self> {
        match server {
            Some(host) => Ok(Self {
                host: host.to_string(),
                _embedded: None,
            }),
            None => {
                let embedded = Embedded::start()?;
                Ok(Self {
                    host: embedded.addr().to_string(),
                    _embedded: Some(embedded),
                })
            }
        }
    }
}
