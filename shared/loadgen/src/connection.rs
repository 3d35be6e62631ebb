//! One connection of the pool: a task that takes due ids from the queue one at a
//! time, sends each on its keep-alive connection, reads and checks the answer, and
//! records it. A task per connection, not per request: a request costs a queue
//! pop, a write, the reads and a lock, and the buffers are the connection's, reused.
//!
//! A connection that fails is dropped; the task opens a new one for its next
//! request. A reused connection found closed before any byte of an answer (the
//! server closed it while idle) gets the request once more on a new connection, as
//! the io clients do (GET is idempotent: RFC 9112, 9.3.1).

use std::{
    io,
    sync::{Arc, atomic::Ordering::Relaxed},
    time::Instant,
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    sync::OwnedSemaphorePermit,
};
use workload::http::{self, HttpError, Response, ResponseReader};

use crate::{
    check, pacer,
    pool::Pool,
    stats::{Answered, Kind},
};

/// Read buffer per connection: a 1 KiB answer comes in one read.
const READ_BUFFER: usize = 16 << 10;

/// How a connection task starts: on a connection already open, or with a
/// permit to open one for its first request.
pub enum Opening {
    Open(TcpStream),
    Connect(OwnedSemaphorePermit),
}

/// Serves requests from the queue until it is closed and empty. Counted in
/// `open` (and `free` while it waits) by whoever started it, until it ends.
pub async fn serve(pool: Arc<Pool>, opening: Opening) {
    let (stream, permit) = match opening {
        Opening::Open(stream) => (Some(stream), None),
        Opening::Connect(permit) => (None, Some(permit)),
    };
    let mut connection = Connection {
        permit,
        stream,
        reader: ResponseReader::new(pool.bytes),
        max_body: pool.bytes,
        buf: vec![0; READ_BUFFER],
        request: Vec::with_capacity(256),
    };
    while let Ok(k) = pool.queue.recv().await {
        pool.free.fetch_sub(1, Relaxed);
        connection.request(&pool, k).await;
        pool.free.fetch_add(1, Relaxed);
        // Awake anyway: send what fell due meanwhile, without a wake of its own.
        pacer::release(&pool);
    }
    pool.free.fetch_sub(1, Relaxed);
    drop(connection); // its permit too, if it never connected
    if pool.open.fetch_sub(1, Relaxed) == 1 {
        pool.all_closed.notify_one(); // the last one: the run is over
    }
}

struct Connection {
    /// The connect permit it was started with, for its first connect.
    permit: Option<OwnedSemaphorePermit>,
    stream: Option<TcpStream>,
    reader: ResponseReader,
    /// What a `200`'s body may hold: the bytes asked for.
    max_body: u64,
    buf: Vec<u8>,
    request: Vec<u8>,
}

/// How an exchange failed: `Unanswered` (closed before any byte of the answer)
/// may be sent again once if the connection was a reused one.
enum Failed {
    Unanswered(String),
    Other(Kind, String),
}

impl Connection {
    /// Request `k`, from its send to its record: an answer or a failure by kind.
    async fn request(&mut self, pool: &Pool, k: u64) {
        let due = pool.schedule.due(k);
        let deadline = pool.start + due + pool.timeout;
        let work = pool.schedule.work(k);
        let ms = pool.timeout.as_millis();
        let outcome = match Instant::now() < deadline {
            false => Err((
                Kind::Timeout,
                format!("not sent within {ms} ms of its start"),
            )),
            true => {
                match tokio::time::timeout_at(deadline.into(), self.exchange(pool, k, work)).await {
                    Ok(outcome) => outcome,
                    Err(_) => {
                        self.close(); // the answer may still come: this connection is spoilt
                        let why = format!("no complete answer within {ms} ms of its start");
                        Err((Kind::Timeout, why))
                    }
                }
            }
        };
        let checked = outcome.and_then(|(response, written, done)| {
            if response.close {
                self.close(); // the server said so: the next request opens a new one
            }
            check::answer(k, pool.bytes, work, &response, pool.primes.as_ref())
                .map(|()| (written, done))
                .map_err(|why| (Kind::Wrong, why))
        });
        match checked {
            Ok((written, done)) => pool.stats().answer(&Answered {
                due,
                latency: done.saturating_duration_since(pool.start + due),
                uncorrected: done.saturating_duration_since(written),
                done: done.saturating_duration_since(pool.start),
                heavy: work > 0,
                second_phase: pool.schedule.in_second_phase(k),
            }),
            Err((kind, why)) => pool.stats().fail(k, due, kind, why),
        }
    }

    /// Writes request `k` and reads its answer: the answer, when the request was
    /// written, and when the answer's last byte came.
    async fn exchange(
        &mut self,
        pool: &Pool,
        k: u64,
        work: u64,
    ) -> Result<(Response, Instant, Instant), (Kind, String)> {
        self.request.clear();
        let (delay, bytes) = (pool.delay_ms, pool.bytes);
        http::write_work_request(&mut self.request, &pool.host, k, delay, bytes, work);
        let (reused, mut wrote) = (self.stream.is_some(), false);
        let mut outcome = self.send(pool, &mut wrote).await;
        if reused && matches!(outcome, Err(Failed::Unanswered(_))) {
            self.close();
            outcome = self.send(pool, &mut wrote).await;
        }
        if wrote {
            pool.sent.fetch_add(1, Relaxed); // once, even if it was written twice
        }
        outcome.map_err(|failed| {
            self.close();
            match failed {
                Failed::Unanswered(why) => (Kind::Lost, why),
                Failed::Other(kind, why) => (kind, why),
            }
        })
    }

    /// One try: connect if need be, write (setting `wrote`), read until the
    /// answer is complete.
    async fn send(
        &mut self,
        pool: &Pool,
        wrote: &mut bool,
    ) -> Result<(Response, Instant, Instant), Failed> {
        let Self {
            permit,
            stream,
            reader,
            buf,
            request,
            ..
        } = self;
        let stream = match stream {
            Some(stream) => stream,
            None => {
                let refused = |e: &dyn std::fmt::Display| {
                    Failed::Other(Kind::Refused, format!("connect to {}: {e}", pool.host))
                };
                // A reconnect waits for a permit as a new connection does; the
                // permit goes back when the connect ends, or is cut off.
                let _permit = match permit.take() {
                    Some(permit) => permit,
                    None => {
                        (pool.connects.clone().acquire_owned().await).map_err(|e| refused(&e))?
                    }
                };
                let connected = TcpStream::connect(pool.addr)
                    .await
                    .map_err(|e| refused(&e))?;
                // A request is one small write: Nagle's timer would only delay it.
                let _ = connected.set_nodelay(true); // best effort: only latency depends on it
                pool.opened.fetch_add(1, Relaxed);
                stream.insert(connected)
            }
        };
        let written = Instant::now();
        *wrote = true;
        stream.write_all(request).await.map_err(write_failed)?;
        loop {
            // A reset is a close: the reader knows whether the answer had begun.
            let n = match stream.read(buf).await {
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset => 0,
                Err(e) => return Err(Failed::Other(Kind::Lost, e.to_string())),
                Ok(n) => n,
            };
            match reader.feed(&buf[..n]) {
                Ok(Some(response)) => return Ok((response, written, Instant::now())),
                Ok(None) => {}
                Err(e @ HttpError::Closed { partial: false }) => {
                    return Err(Failed::Unanswered(e.to_string()));
                }
                Err(e @ HttpError::Closed { partial: true }) => {
                    return Err(Failed::Other(Kind::Lost, e.to_string()));
                }
                Err(e) => return Err(Failed::Other(Kind::Wrong, e.to_string())),
            }
        }
    }

    /// Drops the connection, and whatever of an answer its reader held.
    fn close(&mut self) {
        self.stream = None;
        self.reader = ResponseReader::new(self.max_body);
    }
}

/// A write that finds the connection closed or reset: the server never read it.
fn write_failed(e: io::Error) -> Failed {
    match e.kind() {
        io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset => {
            Failed::Unanswered(e.to_string())
        }
        _ => Failed::Other(Kind::Lost, e.to_string()),
    }
}
