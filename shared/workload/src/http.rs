//! Sans-I/O HTTP/1.1 for the io clients, on `httparse`: the bytes of a request, and
//! a reader that turns bytes, however they are split across reads, into responses.
//! The caller owns the socket (blocking or async); this module only sees bytes,
//! except [`BlockingClient`], the blocking socket loop that the synchronous io
//! examples share (it starts nothing and waits only on its own socket), and the
//! [`Answer`] every client returns, with its latency.

use std::{
    fmt,
    io::{Read, Write},
    net::TcpStream,
    time::{Duration, Instant},
};

use crate::Error;

const MAX_HEADERS: usize = 64;
const MAX_HEAD_BYTES: usize = 64 << 10;

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
    out.extend_from_slice(
        format!(
            "GET /work?id={id}&delay_ms={delay_ms}&bytes={bytes} HTTP/1.1\r\nHost: {host}\r\n\r\n"
        )
        .as_bytes(),
    );
}

/// A complete response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub reason: String,
    pub body: Vec<u8>,
    /// The server said `Connection: close` (or spoke HTTP/1.0): open a new connection
    /// for the next request.
    pub close: bool,
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
    NoContentLength,
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
            Self::NoContentLength => write!(f, "response has no Content-Length"),
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

/// Reads responses from a byte stream fed in pieces of any size.
///
/// ```
/// # use workload::http::ResponseReader;
/// let mut reader = ResponseReader::default();
/// assert_eq!(reader.feed(b"HTTP/1.1 200 OK\r\ncontent-LENGTH: 2\r\n\r\nh").unwrap(), None);
/// let response = reader.feed(b"i").unwrap().unwrap();
/// assert_eq!((response.status, response.body), (200, b"hi".to_vec()));
/// ```
#[derive(Debug, Default)]
pub struct ResponseReader {
    buf: Vec<u8>,
    head: Option<Head>,
}

#[derive(Debug)]
struct Head {
    status: u16,
    reason: String,
    head_len: usize,
    body_len: usize,
    close: bool,
}

impl ResponseReader {
    /// Adds bytes read from the connection; an empty slice means the peer closed it.
    /// Returns the response once it is complete. Bytes after it are kept for the next.
    pub fn feed(&mut self, data: &[u8]) -> Result<Option<Response>, HttpError> {
        if data.is_empty() {
            return Err(HttpError::Closed {
                partial: !self.buf.is_empty(),
            });
        }
        self.buf.extend_from_slice(data);
        if self.head.is_none() {
            self.head = self.parse_head()?;
        }
        match &self.head {
            Some(head) if self.buf.len() >= head.head_len + head.body_len => {
                let head = self.head.take().expect("matched Some just above");
                let rest = self.buf.split_off(head.head_len + head.body_len);
                let body = self.buf.split_off(head.head_len);
                self.buf = rest;
                Ok(Some(Response {
                    status: head.status,
                    reason: head.reason,
                    body,
                    close: head.close,
                }))
            }
            _ => Ok(None),
        }
    }

    fn parse_head(&self) -> Result<Option<Head>, HttpError> {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut response = httparse::Response::new(&mut headers);
        let head_len = match response.parse(&self.buf) {
            Ok(httparse::Status::Complete(n)) => n,
            Ok(httparse::Status::Partial) if self.buf.len() > MAX_HEAD_BYTES => {
                return Err(HttpError::HeadTooLarge);
            }
            Ok(httparse::Status::Partial) => return Ok(None),
            Err(e) => return Err(HttpError::Malformed(e.to_string())),
        };
        let status = response.code.expect("complete responses have a code");
        let mut close = response.version == Some(0);
        let mut body_len = None;
        for header in response.headers.iter() {
            let value = std::str::from_utf8(header.value)
                .map_err(|_| HttpError::Malformed(format!("{} is not UTF-8", header.name)))?
                .trim();
            if header.name.eq_ignore_ascii_case("content-length") {
                let len = value
                    .parse()
                    .map_err(|_| HttpError::Malformed(format!("Content-Length {value:?}")))?;
                if body_len.is_some_and(|earlier| earlier != len) {
                    return Err(HttpError::Malformed("conflicting Content-Length".into()));
                }
                body_len = Some(len);
            } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
                return Err(HttpError::Unsupported(format!(
                    "Transfer-Encoding: {value}"
                )));
            } else if header.name.eq_ignore_ascii_case("connection") {
                close |= value
                    .split(',')
                    .any(|v| v.trim().eq_ignore_ascii_case("close"));
            }
        }
        // 1xx, 204 and 304 have no body; everything else must say how long it is.
        let body_len = match (status, body_len) {
            (100..=199 | 204 | 304, _) => 0,
            (_, Some(len)) => len,
            (_, None) => return Err(HttpError::NoContentLength),
        };
        Ok(Some(Head {
            status,
            reason: response.reason.unwrap_or("").to_string(),
            head_len,
            body_len,
            close,
        }))
    }
}

/// One blocking keep-alive connection to `host`, opened on first use and again
/// after a response that says `Connection: close`.
#[derive(Debug)]
pub struct BlockingClient {
    host: String,
    stream: Option<TcpStream>,
    reader: ResponseReader,
    buf: Vec<u8>,
}

impl BlockingClient {
    pub fn new(host: &str) -> Self {
        Self {
            host: host.to_string(),
            stream: None,
            reader: ResponseReader::default(),
            buf: vec![0; 4 << 10],
        }
    }

    /// Sends request `id` and returns its `200` answer, or why not.
    pub fn get(&mut self, id: u64, delay_ms: u64, bytes: u64) -> Result<Answer, Error> {
        let stream = match &mut self.stream {
            Some(stream) => stream,
            None => {
                let stream = TcpStream::connect(&self.host)
                    .map_err(|e| Error::from(e).context(format!("connect to {}", self.host)))?;
                self.stream.insert(stream)
            }
        };
        let mut request = Vec::new();
        write_request(&mut request, &self.host, id, delay_ms, bytes);
        let started = Instant::now();
        stream.write_all(&request)?;
        let response = loop {
            let n = stream.read(&mut self.buf)?;
            if let Some(response) = self.reader.feed(&self.buf[..n])? {
                break response;
            }
        };
        let latency = started.elapsed();
        if response.close {
            self.stream = None; // the server will close it: the next request reconnects
        }
        let body = response.into_ok_body()?;
        Ok(Answer { body, latency })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Extra: yes\r\n\r\nhello";

    #[test]
    fn request_bytes() {
        let mut out = Vec::new();
        write_request(&mut out, "127.0.0.1:8080", 7, 50, 1_024);
        assert_eq!(
            out,
            b"GET /work?id=7&delay_ms=50&bytes=1024 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n"
        );
    }

    #[test]
    fn any_split_gives_the_same_response() {
        for split in 0..=OK.len() {
            let mut reader = ResponseReader::default();
            let mut got = None;
            for piece in [&OK[..split], &OK[split..]] {
                if !piece.is_empty() {
                    got = got.or(reader.feed(piece).unwrap());
                }
            }
            let response = got.unwrap_or_else(|| panic!("split at {split}"));
            assert_eq!((response.status, &response.body[..]), (200, &b"hello"[..]));
            assert!(!response.close);
        }
        // One byte at a time.
        let mut reader = ResponseReader::default();
        let last = OK
            .iter()
            .map(|b| reader.feed(&[*b]).unwrap())
            .last()
            .unwrap();
        assert_eq!(last.unwrap().body, b"hello");
    }

    #[test]
    fn header_names_in_any_case_and_order() {
        let raw = b"HTTP/1.1 200 OK\r\ndate: x\r\ncOnNeCtIoN: keep-alive, Close\r\nCONTENT-length: 2\r\n\r\nhi";
        let response = ResponseReader::default().feed(raw).unwrap().unwrap();
        assert_eq!(response.body, b"hi");
        assert!(response.close);
        let old = b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n";
        assert!(
            ResponseReader::default().feed(old).unwrap().unwrap().close,
            "1.0 closes"
        );
    }

    #[test]
    fn two_responses_in_one_read() {
        let mut reader = ResponseReader::default();
        let both = [OK, b"HTTP/1.1 204 No Content\r\n\r\n"].concat();
        assert_eq!(reader.feed(&both).unwrap().unwrap().body, b"hello");
        let second = reader.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        // The 204 was buffered; feeding more completes it first.
        assert_eq!(second.unwrap().unwrap().status, 204);
    }

    #[test]
    fn errors_say_what_went_wrong() {
        let mut reader = ResponseReader::default();
        assert_eq!(reader.feed(b""), Err(HttpError::Closed { partial: false }));
        assert_eq!(reader.feed(&OK[..20]).unwrap(), None);
        assert_eq!(reader.feed(b""), Err(HttpError::Closed { partial: true }));

        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        assert!(matches!(
            ResponseReader::default().feed(chunked),
            Err(HttpError::Unsupported(_))
        ));
        let no_len = b"HTTP/1.1 200 OK\r\n\r\n";
        assert_eq!(
            ResponseReader::default().feed(no_len),
            Err(HttpError::NoContentLength)
        );
        let garbage = b"SSH-2.0-OpenSSH\r\n\r\n";
        assert!(matches!(
            ResponseReader::default().feed(garbage),
            Err(HttpError::Malformed(_))
        ));
        let huge = vec![b'a'; MAX_HEAD_BYTES + 1];
        let mut reader = ResponseReader::default();
        let err = reader
            .feed(b"HTTP/1.1 200 OK\r\nX: ")
            .and_then(|_| reader.feed(&huge));
        assert_eq!(err, Err(HttpError::HeadTooLarge));
    }

    #[test]
    fn non_200_carries_the_reason() {
        let raw = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 24\r\n\r\nid: missing or not a u64";
        let response = ResponseReader::default().feed(raw).unwrap().unwrap();
        let err = response.into_ok_body().unwrap_err();
        assert_eq!(
            err.to_string(),
            "server answered 400 Bad Request: id: missing or not a u64"
        );
    }
}
