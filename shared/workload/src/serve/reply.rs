//! The answer to a request, made from its query: its status, the delay to wait,
//! the work to count, and its bytes, made a piece at a time as they are written.

use std::time::Duration;

use super::{Work, parse_query};
use crate::{
    http::{Request, RequestError},
    io::BodyStream,
};

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

/// A request read from `reader`, or what to do about the bytes instead.
pub fn reply_to(next: Result<Request, RequestError>) -> Reply {
    match next {
        Ok(request) => Reply::to(&request),
        Err(error) => Reply::refuse(&error),
    }
}
