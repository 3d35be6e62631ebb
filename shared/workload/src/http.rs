//! Sans-I/O HTTP/1.1 for the io clients, on `httparse`: the bytes of a request, and
//! a reader that turns bytes, however they are split across reads, into responses;
//! and for the serve programs, a reader of requests ([`RequestReader`]).
//! The caller owns the socket (blocking or async): every io example has its own
//! connection in its `client.rs`, and this module only sees bytes, except the
//! [`Answer`] every client returns, with its latency.
//!
//! Bodies are read by `Content-Length` or `Transfer-Encoding: chunked` (chunk sizes
//! parsed by httparse); a body ended only by the connection closing is refused, since
//! a client cannot tell it from a lost connection. A head may have at most
//! [`MAX_HEADERS`] headers and [`MAX_HEAD_BYTES`] bytes, a chunk-size line (its
//! extensions included) [`MAX_HEAD_BYTES`] bytes, and a body no more than the
//! request asked for: the same limits as the Python clients'. Interim `1xx` answers
//! are skipped. A request whose reused connection turns out closed before any byte
//! of its answer is a [`Failure::Unanswered`], which a client sends once more.

mod request;
mod response;
mod scan;

use std::{io, time::Duration};

pub use request::{MAX_REQUEST_BODY, Request, RequestError, RequestReader, Timeouts};
pub use response::{HttpError, Response, ResponseReader};

use crate::Error;

/// The most headers a response may have.
pub const MAX_HEADERS: usize = 64;
/// The most bytes a response head (or a chunked body's trailer) may have.
pub const MAX_HEAD_BYTES: usize = 64 << 10;

/// The error of a request that had no complete answer in time: `patience` is
/// D + T, and connecting counts too.
pub fn no_answer(patience: Duration) -> Error {
    Error::msg(format!("no answer within {} ms", patience.as_millis()))
}

/// How a request failed. `Unanswered`: its connection closed, or was reset, before
/// any byte of the answer came; on a reused keep-alive connection that is the
/// server having closed it while it was idle, and a client sends the request once
/// more on a new connection (GET is idempotent: RFC 9112, 9.3.1). A client reads a
/// reset as a close (an empty read), so that the reader says whether the answer had
/// begun; a write that finds the connection closed or reset is `Unanswered` too.
#[derive(Debug)]
pub enum Failure {
    Unanswered(Error),
    Failed(Error),
}

impl From<HttpError> for Failure {
    fn from(e: HttpError) -> Self {
        match e {
            HttpError::Closed { partial: false } => Self::Unanswered(e.into()),
            _ => Self::Failed(e.into()),
        }
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        match e.kind() {
            io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset => {
                Self::Unanswered(e.into())
            }
            _ => Self::Failed(e.into()),
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Self::Failed(e)
    }
}

impl From<Failure> for Error {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Unanswered(e) | Failure::Failed(e) => e,
        }
    }
}

/// A `200` answer to one request: its body, and its latency, from just before the
/// request's first byte is written to its body's last byte read. Connecting, when
/// a client must open a connection first, is not in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub body: Vec<u8>,
    pub latency: Duration,
}

/// Appends the request for `id` to `out`: `GET /work?...` with a `Host` header.
pub fn write_request(out: &mut Vec<u8>, host: &str, id: u64, delay_ms: u64, bytes: u64) {
    write_work_request(out, host, id, delay_ms, bytes, 0);
}

/// As [`write_request`], with `&work=N` when `work` is not 0: the server counts the
/// primes in `[id*N, id*N + N)` and says how many in `X-Primes`. Written straight
/// into `out`, so a client that reuses `out` allocates nothing per request.
pub fn write_work_request(
    out: &mut Vec<u8>,
    host: &str,
    id: u64,
    delay_ms: u64,
    bytes: u64,
    work: u64,
) {
    use std::io::Write;
    // Writing to a Vec cannot fail.
    let _ = write!(out, "GET /work?id={id}&delay_ms={delay_ms}&bytes={bytes}");
    if work > 0 {
        let _ = write!(out, "&work={work}");
    }
    let _ = write!(out, " HTTP/1.1\r\nHost: {host}\r\n\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_bytes() {
        let mut out = Vec::new();
        write_request(&mut out, "127.0.0.1:8080", 7, 50, 1_024);
        assert_eq!(
            out,
            b"GET /work?id=7&delay_ms=50&bytes=1024 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n"
        );
        out.clear();
        write_work_request(&mut out, "h:1", 9, 0, 8, 100);
        assert_eq!(
            out,
            b"GET /work?id=9&delay_ms=0&bytes=8&work=100 HTTP/1.1\r\nHost: h:1\r\n\r\n"
        );
    }

    #[test]
    fn only_a_close_before_any_byte_may_be_sent_again() {
        let unanswered = |failure: Failure| matches!(failure, Failure::Unanswered(_));
        assert!(unanswered(HttpError::Closed { partial: false }.into()));
        assert!(!unanswered(HttpError::Closed { partial: true }.into()));
        assert!(unanswered(
            io::Error::from(io::ErrorKind::BrokenPipe).into()
        ));
        assert!(unanswered(
            io::Error::from(io::ErrorKind::ConnectionReset).into()
        ));
        assert!(!unanswered(io::Error::from(io::ErrorKind::TimedOut).into()));
        assert!(!unanswered(no_answer(Duration::from_millis(5)).into()));
        let error = Error::from(Failure::from(HttpError::Closed { partial: false }));
        assert_eq!(error.to_string(), "connection closed before a response");
    }
}
