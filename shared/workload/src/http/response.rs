//! The response side: a reader that turns bytes, however they are split across
//! reads, into complete responses (by `Content-Length` or chunked), and why bytes
//! are not one.
//!
//! The bytes' way: `head.rs` parses a complete head (status, framing, the body's
//! limit); the reader takes the body and chunks after it. Where a head, line or
//! trailer ends is found by `http/scan.rs`, which the request reader uses too.

use std::fmt;

mod head;

use head::{Framing, Head, parse_head};

use super::{
    MAX_HEAD_BYTES, MAX_HEADERS,
    scan::{blank_line_end, line_break_end, line_end, scan},
};

/// A complete response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub reason: String,
    pub body: Vec<u8>,
    /// The server said `Connection: close` (or spoke HTTP/1.0): open a new connection
    /// for the next request.
    pub close: bool,
    /// The `X-Primes` header (any case), when it is a decimal count: what a server
    /// counted for a request with `work=N`. `None` when it is absent or not a count.
    pub primes: Option<u64>,
}

impl Response {
    /// The body of a `200` response; any other status is an error carrying the
    /// status line and the first line of the body (the api-server's reason).
    pub fn into_ok_body(self) -> Result<Vec<u8>, HttpError> {
        if self.status == 200 {
            return Ok(self.body);
        }
        let text = String::from_utf8_lossy(&self.body);
        let first = text
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(200)
            .collect();
        Err(HttpError::Status {
            status: self.status,
            reason: self.reason,
            body: first,
        })
    }
}

/// Why bytes did not make a usable response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpError {
    /// The peer closed the connection; `partial` says whether a response had begun.
    Closed {
        partial: bool,
    },
    Malformed(String),
    HeadTooLarge,
    TooManyHeaders,
    NoContentLength,
    /// A body longer than the reader's limit (by its length, or its chunks' sum).
    BodyTooLarge(u64),
    ChunkLineTooLong,
    Unsupported(String),
    Status {
        status: u16,
        reason: String,
        body: String,
    },
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Closed { partial: true } => {
                write!(f, "connection closed in the middle of a response")
            }
            Self::Closed { partial: false } => write!(f, "connection closed before a response"),
            Self::Malformed(why) => write!(f, "malformed response: {why}"),
            Self::HeadTooLarge => write!(f, "response head over {MAX_HEAD_BYTES} bytes"),
            Self::TooManyHeaders => write!(f, "response has over {MAX_HEADERS} headers"),
            Self::NoContentLength => write!(
                f,
                "response has no Content-Length and is not chunked (a body ended by \
                 closing the connection cannot be told from a lost one)"
            ),
            Self::BodyTooLarge(limit) => write!(f, "response body over {limit} bytes"),
            Self::ChunkLineTooLong => write!(f, "chunk-size line over {MAX_HEAD_BYTES} bytes"),
            Self::Unsupported(what) => write!(f, "unsupported response: {what}"),
            Self::Status {
                status,
                reason,
                body,
            } => {
                write!(f, "server answered {status} {reason}")?;
                if !body.is_empty() {
                    write!(f, ": {body}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for HttpError {}

/// Reads responses from a byte stream fed in pieces of any size, in one buffer:
/// a body is decoded where it lies (a chunk's data moved down over the framing
/// before it), and a head, chunk-size line or trailer is scanned for its end once,
/// however it is split. A `200`'s body may have at most `max_body` bytes (what the
/// request asked for), another answer's at most that or [`MAX_HEAD_BYTES`] (it is
/// only a reason); a longer one is refused as soon as its length or a chunk's size
/// says so. Interim `1xx` answers (but `101`) are skipped, as RFC 9110 (15.2) asks.
///
/// ```
/// # use workload::http::ResponseReader;
/// let mut reader = ResponseReader::new(2);
/// assert_eq!(reader.feed(b"HTTP/1.1 200 OK\r\ncontent-LENGTH: 2\r\n\r\nh").unwrap(), None);
/// let response = reader.feed(b"i").unwrap().unwrap();
/// assert_eq!((response.status, response.body), (200, b"hi".to_vec()));
/// ```
#[derive(Debug)]
pub struct ResponseReader {
    max_body: u64,
    /// The body decoded so far (`body_len` bytes), then the bytes not yet parsed.
    buf: Vec<u8>,
    body_len: usize,
    /// How far the unparsed bytes were scanned for the end of a head, chunk-size
    /// line or trailer without finding it.
    scanned: usize,
    /// A byte of the current response has arrived.
    begun: bool,
    head: Option<Head>,
    part: Part,
}

/// A reader of answers of any size the api serves (up to 16 MiB).
impl Default for ResponseReader {
    fn default() -> Self {
        Self::new(crate::io::MAX_BYTES)
    }
}

/// What the next unparsed bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Head,
    /// The rest of a body of known length.
    Body {
        left: u64,
    },
    ChunkSize,
    /// The rest of a chunk's data, then its CRLF.
    ChunkData {
        left: u64,
    },
    ChunkEnd,
    Trailer,
}

impl ResponseReader {
    /// A reader whose `200` bodies may have at most `max_body` bytes.
    pub fn new(max_body: u64) -> Self {
        Self {
            max_body,
            buf: Vec::new(),
            body_len: 0,
            scanned: 0,
            begun: false,
            head: None,
            part: Part::Head,
        }
    }

    /// Adds bytes read from the connection; an empty slice means the peer closed it.
    /// Returns the response once it is complete. Bytes after it are kept for the next.
    pub fn feed(&mut self, data: &[u8]) -> Result<Option<Response>, HttpError> {
        if data.is_empty() {
            return Err(HttpError::Closed {
                partial: self.begun,
            });
        }
        self.begun = true;
        self.buf.extend_from_slice(data);
        let mut pos = self.body_len; // the first byte not yet parsed
        while let Some(used) = self.step(pos)? {
            pos += used;
            if self.part == Part::Head && self.head.is_some() {
                return Ok(Some(self.finish(pos)));
            }
        }
        // Drop what was parsed but not kept, so that the buffer holds the body and
        // the start of one head, line or trailer at most.
        self.buf.drain(self.body_len..pos);
        Ok(None)
    }

    /// Parses the bytes from `pos` as `self.part` says: how many it used, or `None`
    /// when it needs more. A body's bytes are moved down to the end of the body.
    fn step(&mut self, pos: usize) -> Result<Option<usize>, HttpError> {
        let rest = &self.buf[pos..];
        let (used, next) = match self.part {
            Part::Head => {
                let Some(end) = scan(
                    &mut self.scanned,
                    rest,
                    blank_line_end,
                    HttpError::HeadTooLarge,
                )?
                else {
                    return Ok(None);
                };
                let head = parse_head(&rest[..end], self.max_body)?;
                // An interim answer (100 Continue, 103 Early Hints) is not the answer.
                if (100..200).contains(&head.status) && head.status != 101 {
                    return Ok(Some(end));
                }
                let next = match head.framing {
                    Framing::Length(left) => Part::Body { left },
                    Framing::Chunked => Part::ChunkSize,
                };
                self.head = Some(head);
                (end, next)
            }
            Part::Body { left } | Part::ChunkData { left } => {
                let n = rest.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                if n == 0 && left > 0 {
                    return Ok(None);
                }
                if pos != self.body_len {
                    self.buf.copy_within(pos..pos + n, self.body_len);
                }
                self.body_len += n;
                let left = left - n as u64;
                let next = match self.part {
                    Part::Body { .. } if left == 0 => Part::Head, // the response is complete
                    Part::Body { .. } => Part::Body { left },
                    _ if left == 0 => Part::ChunkEnd,
                    _ => Part::ChunkData { left },
                };
                (n, next)
            }
            Part::ChunkSize => {
                let Some(end) = scan(
                    &mut self.scanned,
                    rest,
                    line_end,
                    HttpError::ChunkLineTooLong,
                )?
                else {
                    return Ok(None);
                };
                let size = match httparse::parse_chunk_size(&rest[..end]) {
                    Ok(httparse::Status::Complete((n, size))) if n == end => size,
                    _ => return Err(HttpError::Malformed("bad chunk size".into())),
                };
                // The chunks' sum so far and this one's size against the limit.
                let limit = self.head.as_ref().map_or(0, |head| head.limit);
                if size > limit.saturating_sub(self.body_len as u64) {
                    return Err(HttpError::BodyTooLarge(limit));
                }
                let next = match size {
                    0 => Part::Trailer,
                    left => Part::ChunkData { left },
                };
                (end, next)
            }
            Part::ChunkEnd if rest.len() < 2 => return Ok(None),
            Part::ChunkEnd if &rest[..2] != b"\r\n" => {
                return Err(HttpError::Malformed("chunk not followed by CRLF".into()));
            }
            Part::ChunkEnd => (2, Part::ChunkSize),
            Part::Trailer => {
                // Header lines, then an empty line (at once, if there are none).
                let empty = |bytes: &[u8], from| match from {
                    0 => line_break_end(bytes, 0).or_else(|| blank_line_end(bytes, 0)),
                    _ => blank_line_end(bytes, from),
                };
                let Some(end) = scan(&mut self.scanned, rest, empty, HttpError::HeadTooLarge)?
                else {
                    return Ok(None);
                };
                (end, Part::Head) // the response is complete
            }
        };
        self.part = next;
        Ok(Some(used))
    }

    /// The complete response, its body cut from the buffer; the bytes from `pos` on
    /// stay for the next.
    fn finish(&mut self, pos: usize) -> Response {
        let head = self.head.take().expect("a complete response has a head");
        let rest = self.buf.split_off(pos);
        let mut body = std::mem::replace(&mut self.buf, rest);
        body.truncate(self.body_len);
        self.body_len = 0;
        self.begun = !self.buf.is_empty();
        Response {
            status: head.status,
            reason: head.reason,
            body,
            close: head.close,
            primes: head.primes,
        }
    }
}

#[cfg(test)]
mod tests;
