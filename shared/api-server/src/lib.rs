//! The api-server of `DESIGN.md`: `GET /work?id=I&delay_ms=D&bytes=B` waits D ms
//! without blocking a thread, then answers `200 OK` with B bytes of splitmix64
//! seeded with I. A bad query gets `400` and a one-line reason.
//!
//! It is the one server every io client meets, so it is built to be boring: hyper's
//! HTTP/1.1 on a tokio runtime, a task per connection, keep-alive, and a timer (not a
//! thread) per waiting request, so it holds tens of thousands of connections.
//! Query values are percent-decoded; an HTTP/1.1 request without `Host` gets `400`.
//!
//! # Layout
//!
//! - [`serve`]: accept and serve until a shutdown future completes, then let the
//!   requests in flight finish, and say how many it had to drop.
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
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    thread,
    time::Duration,
};

use bytes::Bytes;
use http_body_util::Full;
use hyper::{
    Method, Request, Response, StatusCode, Version, body::Incoming, header::HOST,
    service::service_fn,
};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
};
use tokio::{net::TcpListener, sync::oneshot};

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
use workload::serve::AcceptErrors;
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

/// Serves `listener` until `shutdown` completes, then lets requests in flight finish
/// for up to `grace`, and returns how many it had to drop (0: none).
pub async fn serve(
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
) -> usize {
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    // No header-read timeout (hyper's default is 30 s): a keep-alive connection
    // whose client computes between requests (io --work) must stay open.
    http.timer(TokioTimer::new())
        .keep_alive(true)
        .header_read_timeout(None);
    let in_flight = Arc::new(AtomicUsize::new(0));
    let mut failures = AcceptErrors::new("api-server");
    tokio::pin!(shutdown);
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
            () = &mut shutdown => break,
        };
        // Small responses go out at once rather than waiting for Nagle's timer.
        let _ = stream.set_nodelay(true); // best effort: only latency depends on it
        let in_flight = in_flight.clone();
        let service = service_fn(move |request| {
            // Counted from its head until its answer is made, or it is dropped.
            let counted = InFlight::enter(&in_flight);
            async move {
                let answer = handle(request).await;
                drop(counted);
                answer
            }
        });
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that sends garbage or hangs up mid-request ends only its own
            // connection (hyper has already answered garbage with 400).
            let _ = connection.await;
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => 0,
        () = tokio::time::sleep(grace) => in_flight.load(Ordering::SeqCst),
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

async fn handle(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
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
    // next 1 ms tick, and "fast I/O" would measure the timer's granularity.
    if query.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(query.delay_ms)).await;
    }
    let body = workload::io::body(query.id, query.bytes as usize);
    let response = Response::builder()
        .header("content-type", "application/octet-stream")
        .body(Full::new(Bytes::from(body)))
        .expect("static headers are valid");
    Ok(response)
}

fn text(status: StatusCode, line: &str) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "text/plain; charset=utf-8")
        .body(Full::new(Bytes::from(format!("{line}\n"))))
        .expect("static headers are valid")
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
                runtime.block_on(serve(listener, stopped, EMBEDDED_GRACE));
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
