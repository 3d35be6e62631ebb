//! The request side, for the serve programs: a reader that turns bytes, however
//! they are split across reads, into complete request heads, and why bytes are not
//! one; and how long a server waits for them ([`RequestReader::time_left`]). A
//! request is handed over as soon as its head is complete; its body
//! (`Content-Length` or `Transfer-Encoding: chunked`) is read and dropped as it
//! arrives, before the next request: no route takes one.
//!
//! The bytes' way: `head.rs` parses a complete head into a [`Request`] and the
//! body that follows it; `body.rs` drops that body as it arrives.

use std::{
    fmt, io,
    time::{Duration, Instant},
};

mod body;
mod head;

use body::Body;
use head::parse;

use super::{
    MAX_HEAD_BYTES, MAX_HEADERS,
    scan::{blank_line_end, scan},
};

/// The most bytes of a request body that are read (and dropped) before the
/// request is refused: no route of the api-server takes a body.
pub const MAX_REQUEST_BODY: usize = 64 << 10;

/// A head is parsed on every feed up to this many bytes (garbage is refused at
/// once); past it, only when a line of it ends.
const CHECKED_AS_IT_COMES: usize = 1 << 10;

/// A complete request head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// The target's path, before any `?` (an absolute-form target's path; a
    /// `#fragment` dropped).
    pub path: String,
    /// The target's query, after the `?`, if there was one.
    pub query: Option<String>,
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    pub minor_version: u8,
    /// A `Host` header was sent, or the target named its host (absolute form).
    pub host: bool,
    /// The connection ends after the answer: `Connection: close`, or HTTP/1.0
    /// without `Connection: keep-alive`.
    pub close: bool,
    /// `Expect: 100-continue` on an HTTP/1.1 request with a body: the client may
    /// wait for an interim `100 Continue` before it sends the body.
    pub expect_continue: bool,
}

/// Why bytes did not make a request. Every one is answered with its status and
/// this text, and the connection is closed after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestError {
    Malformed(String),
    HeadTooLarge,
    TooManyHeaders,
    Unsupported(String),
    /// A transfer coding other than `chunked` alone.
    NotImplemented(String),
}

impl RequestError {
    /// The status an answer to it carries: 431 for a head too large, 501 for a
    /// transfer coding the server does not know, else 400.
    pub fn status(&self) -> u16 {
        match self {
            Self::HeadTooLarge | Self::TooManyHeaders => 431,
            Self::NotImplemented(_) => 501,
            Self::Malformed(_) | Self::Unsupported(_) => 400,
        }
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(why) => write!(f, "malformed request: {why}"),
            Self::HeadTooLarge => write!(f, "request head over {MAX_HEAD_BYTES} bytes"),
            Self::TooManyHeaders => write!(f, "request has over {MAX_HEADERS} headers"),
            Self::Unsupported(what) | Self::NotImplemented(what) => {
                write!(f, "unsupported request: {what}")
            }
        }
    }
}

impl std::error::Error for RequestError {}

/// How long a server waits for a client: for a request head to be complete (from
/// its first byte, or from the accept for a connection's first request), for the
/// next request on an idle keep-alive connection, and for a piece of an answer to
/// be taken by a client that does not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub head: Duration,
    pub idle: Duration,
    pub write: Duration,
}

impl Timeouts {
    /// The serve programs' defaults (their flags'): 10 s for a head, 30 s for a next
    /// request, 10 s for a piece of an answer.
    pub const DEFAULT: Self = Self {
        head: Duration::from_secs(10),
        idle: Duration::from_secs(30),
        write: Duration::from_secs(10),
    };
}

/// Reads requests from a byte stream fed in pieces of any size; bytes after a
/// request are kept for the next one (a pipelining client).
///
/// ```
/// # use workload::http::{RequestReader, Timeouts};
/// # use std::time::Duration;
/// # let t = Duration::from_secs(1);
/// let mut reader = RequestReader::new(Timeouts { head: t, idle: t, write: t });
/// assert_eq!(reader.feed(b"GET /work?id=1 HTTP/1.1\r\nhost: x\r").unwrap(), None);
/// let request = reader.feed(b"\n\r\n").unwrap().unwrap();
/// assert_eq!((request.path.as_str(), request.query.as_deref()), ("/work", Some("id=1")));
/// ```
#[derive(Debug)]
pub struct RequestReader {
    buf: Vec<u8>,
    /// The head's end is not before this offset in `buf`: each byte is scanned once.
    scanned: usize,
    /// What is left of the body of the request handed over last.
    body: Body,
    timeouts: Timeouts,
    /// Since when the server has waited, and for what; `None` between a request
    /// and the next wait.
    waiting: Option<(Instant, Wait)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wait {
    Head,
    Idle,
}

impl RequestReader {
    /// A reader for a connection accepted now: its first head must be complete
    /// within `timeouts.head`.
    pub fn new(timeouts: Timeouts) -> Self {
        Self {
            buf: Vec::new(),
            scanned: 0,
            body: Body::None,
            timeouts,
            waiting: Some((Instant::now(), Wait::Head)),
        }
    }

    /// How long the server may still wait for bytes: the head timeout from a
    /// request's first byte (or from the accept), the idle timeout from the end of
    /// the last answer (the first call after a request starts that wait). `Err`
    /// (`TimedOut`) once it is over: the server closes the connection unanswered.
    pub fn time_left(&mut self) -> io::Result<Duration> {
        let (since, wait) = *self.waiting.get_or_insert_with(|| {
            let wait = match self.buf.is_empty() && self.body == Body::None {
                true => Wait::Idle,
                false => Wait::Head,
            };
            (Instant::now(), wait)
        });
        let (limit, what) = match wait {
            Wait::Head => (self.timeouts.head, "no complete request head"),
            Wait::Idle => (self.timeouts.idle, "no next request"),
        };
        match limit.checked_sub(since.elapsed()) {
            Some(left) if !left.is_zero() => Ok(left),
            _ => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("{what} within {} ms", limit.as_millis()),
            )),
        }
    }

    /// Adds bytes read from the connection and returns the next complete request,
    /// if one is in. `feed(&[])` looks for another one in the bytes already kept.
    pub fn feed(&mut self, data: &[u8]) -> Result<Option<Request>, RequestError> {
        if !data.is_empty() && matches!(self.waiting, Some((_, Wait::Idle))) {
            self.waiting = Some((Instant::now(), Wait::Head)); // a next request's first byte
        }
        self.buf.extend_from_slice(data);
        self.drop_body()?;
        if self.body != Body::None {
            return Ok(None);
        }
        let Some(head_len) = self.scan()? else {
            return Ok(None);
        };
        let (request, body) = parse(&self.buf[..head_len])?;
        self.buf.drain(..head_len);
        (self.body, self.scanned) = (body, 0);
        self.waiting = None; // its body is dropped by the next feeds, after its answer
        if self.buf.is_empty() && self.buf.capacity() > 8 << 10 {
            self.buf = Vec::new(); // a big head's buffer is not kept for an idle connection
        }
        Ok(Some(request))
    }

    /// Whether part of a request has arrived (a peer closing now cut it off).
    pub fn is_partial(&self) -> bool {
        !self.buf.is_empty() || self.body != Body::None
    }

    /// Finds the end of the head in `buf`, scanning each byte once; on the way
    /// the request line is checked as soon as it is complete.
    fn scan(&mut self) -> Result<Option<usize>, RequestError> {
        // Empty lines before a request line are skipped (RFC 9112, 2.2).
        let mut blank = 0;
        while let Some(rest) = self.buf.get(blank..) {
            blank += match rest {
                [b'\r', b'\n', ..] => 2,
                [b'\n', ..] => 1,
                _ => break,
            };
        }
        self.buf.drain(..blank);
        self.scanned = self.scanned.saturating_sub(blank);
        let from = self.scanned;
        let too_large = RequestError::HeadTooLarge;
        if let Some(end) = scan(&mut self.scanned, &self.buf, blank_line_end, too_large)? {
            return Ok(Some(end));
        }
        // A short head is parsed as it comes, so that garbage (a TLS hello) is
        // refused at once; past CHECKED_AS_IT_COMES bytes, only when a line ends (at
        // most 66 times: the 65th header is one too many). Never a rescan per byte.
        if self.buf.len() <= CHECKED_AS_IT_COMES || self.buf[from..].contains(&b'\n') {
            let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
            match httparse::Request::new(&mut headers).parse(&self.buf) {
                Err(httparse::Error::TooManyHeaders) => return Err(RequestError::TooManyHeaders),
                Err(e) => return Err(RequestError::Malformed(e.to_string())),
                Ok(_) => {}
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests;
