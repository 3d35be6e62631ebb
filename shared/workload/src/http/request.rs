//! The request side, for the serve programs: a reader that turns bytes, however
//! they are split across reads, into complete request heads, and why bytes are not
//! one. A request's body (`Content-Length`) is read and dropped: no route takes one.

use std::fmt;

use super::{MAX_HEAD_BYTES, MAX_HEADERS};

/// The most bytes of a request body that are read (and dropped) before the
/// request is refused: no route of the api-server takes a body.
pub const MAX_REQUEST_BODY: usize = 64 << 10;

/// A complete request head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// The target's path, before any `?`.
    pub path: String,
    /// The target's query, after the `?`, if there was one.
    pub query: Option<String>,
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    pub minor_version: u8,
    /// A `Host` header was sent (HTTP/1.1 requires one).
    pub host: bool,
    /// The connection ends after the answer: `Connection: close`, or HTTP/1.0
    /// without `Connection: keep-alive`.
    pub close: bool,
}

/// Why bytes did not make a request. Every one is answered with its status and
/// this text, and the connection is closed after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestError {
    Malformed(String),
    HeadTooLarge,
    TooManyHeaders,
    Unsupported(String),
}

impl RequestError {
    /// The status an answer to it carries: 431 for a head too large, else 400.
    pub fn status(&self) -> u16 {
        match self {
            Self::HeadTooLarge | Self::TooManyHeaders => 431,
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
            Self::Unsupported(what) => write!(f, "unsupported request: {what}"),
        }
    }
}

impl std::error::Error for RequestError {}

/// Reads requests from a byte stream fed in pieces of any size; bytes after a
/// request are kept for the next one (a pipelining client).
///
/// ```
/// # use workload::http::RequestReader;
/// let mut reader = RequestReader::default();
/// assert_eq!(reader.feed(b"GET /work?id=1 HTTP/1.1\r\nhost: x\r").unwrap(), None);
/// let request = reader.feed(b"\n\r\n").unwrap().unwrap();
/// assert_eq!((request.path.as_str(), request.query.as_deref()), ("/work", Some("id=1")));
/// ```
#[derive(Debug, Default)]
pub struct RequestReader {
    buf: Vec<u8>,
}

impl RequestReader {
    /// Adds bytes read from the connection and returns the next complete request,
    /// if one is in. `feed(&[])` looks for another one in the bytes already kept.
    pub fn feed(&mut self, data: &[u8]) -> Result<Option<Request>, RequestError> {
        self.buf.extend_from_slice(data);
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut request = httparse::Request::new(&mut headers);
        let head_len = match request.parse(&self.buf) {
            Ok(httparse::Status::Complete(n)) if n > MAX_HEAD_BYTES => {
                return Err(RequestError::HeadTooLarge);
            }
            Ok(httparse::Status::Complete(n)) => n,
            Ok(httparse::Status::Partial) if self.buf.len() > MAX_HEAD_BYTES => {
                return Err(RequestError::HeadTooLarge);
            }
            Ok(httparse::Status::Partial) => return Ok(None),
            Err(httparse::Error::TooManyHeaders) => return Err(RequestError::TooManyHeaders),
            Err(e) => return Err(RequestError::Malformed(e.to_string())),
        };
        let minor_version = request.version.expect("complete requests have a version");
        let (mut host, mut close, mut keep_alive, mut body_len) = (false, false, false, 0);
        for header in request.headers.iter() {
            let value = std::str::from_utf8(header.value)
                .map_err(|_| RequestError::Malformed(format!("{} is not UTF-8", header.name)))?
                .trim();
            let name = header.name;
            if name.eq_ignore_ascii_case("host") {
                host = true;
            } else if name.eq_ignore_ascii_case("connection") {
                for option in value.split(',').map(str::trim) {
                    close |= option.eq_ignore_ascii_case("close");
                    keep_alive |= option.eq_ignore_ascii_case("keep-alive");
                }
            } else if name.eq_ignore_ascii_case("content-length") {
                body_len = value
                    .parse()
                    .map_err(|_| RequestError::Malformed(format!("Content-Length {value:?}")))?;
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                return Err(RequestError::Unsupported(format!(
                    "Transfer-Encoding: {value} (no route takes a body)"
                )));
            }
        }
        if body_len > MAX_REQUEST_BODY {
            return Err(RequestError::Unsupported(format!(
                "a body of {body_len} bytes (no route takes a body)"
            )));
        }
        if self.buf.len() < head_len + body_len {
            return Ok(None); // the body is still coming
        }
        let target = request.path.expect("complete requests have a target");
        let (path, query) = match target.split_once('?') {
            Some((path, query)) => (path, Some(query.to_string())),
            None => (target, None),
        };
        let parsed = Request {
            method: request
                .method
                .expect("complete requests have a method")
                .into(),
            path: path.into(),
            query,
            minor_version,
            host,
            close: close || (minor_version == 0 && !keep_alive),
        };
        self.buf.drain(..head_len + body_len);
        Ok(Some(parsed))
    }

    /// Whether part of a request has arrived (a peer closing now cut it off).
    pub fn is_partial(&self) -> bool {
        !self.buf.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(raw: &[u8]) -> Result<Option<Request>, RequestError> {
        RequestReader::default().feed(raw)
    }

    #[test]
    fn a_request_split_anywhere_reads_the_same() {
        let raw = b"GET /work?id=7&delay_ms=5 HTTP/1.1\r\nHOST: t\r\nX-A: b\r\n\r\n";
        let whole = one(raw).unwrap().unwrap();
        assert_eq!(
            whole,
            Request {
                method: "GET".into(),
                path: "/work".into(),
                query: Some("id=7&delay_ms=5".into()),
                minor_version: 1,
                host: true,
                close: false,
            }
        );
        for split in 1..raw.len() {
            let mut reader = RequestReader::default();
            assert_eq!(reader.feed(&raw[..split]).unwrap(), None, "at {split}");
            assert!(reader.is_partial());
            assert_eq!(reader.feed(&raw[split..]).unwrap().as_ref(), Some(&whole));
            assert!(!reader.is_partial());
        }
    }

    #[test]
    fn pipelined_requests_come_one_at_a_time() {
        let mut reader = RequestReader::default();
        let two =
            b"GET /a HTTP/1.1\r\nHost: t\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyz";
        assert_eq!(reader.feed(two).unwrap().unwrap().path, "/a");
        let second = reader.feed(&[]).unwrap().unwrap();
        assert_eq!((second.method.as_str(), second.host), ("POST", false));
        assert_eq!(reader.feed(&[]).unwrap(), None);
        assert!(!reader.is_partial());
    }

    #[test]
    fn keep_alive_follows_the_version_and_connection_header() {
        let close = |raw: &[u8]| one(raw).unwrap().unwrap().close;
        assert!(!close(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n"));
        assert!(close(
            b"GET / HTTP/1.1\r\nHost: t\r\nConnection: Close\r\n\r\n"
        ));
        assert!(close(b"GET / HTTP/1.0\r\n\r\n"));
        assert!(!close(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    }

    #[test]
    fn garbage_and_oversized_heads_are_refused() {
        assert!(matches!(
            one(b"\x16\x03\x01\x02\x00garbage\r\n\r\n"),
            Err(RequestError::Malformed(_))
        ));
        assert!(matches!(
            one(b"BLAH\r\n\r\n"),
            Err(RequestError::Malformed(_))
        ));
        let huge = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(70_000));
        assert_eq!(one(huge.as_bytes()), Err(RequestError::HeadTooLarge));
        assert_eq!(
            one(&vec![b'G'; MAX_HEAD_BYTES + 1]),
            Err(RequestError::HeadTooLarge)
        );
        let many: String = (0..65).map(|i| format!("X-{i}: v\r\n")).collect();
        let many = format!("GET / HTTP/1.1\r\n{many}\r\n");
        assert_eq!(one(many.as_bytes()), Err(RequestError::TooManyHeaders));
        assert_eq!(RequestError::TooManyHeaders.status(), 431);
        let chunked = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
        assert!(matches!(one(chunked), Err(RequestError::Unsupported(_))));
    }
}
