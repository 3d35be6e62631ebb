//! The response side: a reader that turns bytes, however they are split across
//! reads, into complete responses (by `Content-Length` or chunked), and why bytes
//! are not one.

use std::fmt;

use super::{MAX_HEAD_BYTES, MAX_HEADERS};

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
    TooManyHeaders,
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
            Self::TooManyHeaders => write!(f, "response has over {MAX_HEADERS} headers"),
            Self::NoContentLength => write!(
                f,
                "response has no Content-Length and is not chunked (a body ended by \
                 closing the connection cannot be told from a lost one)"
            ),
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
    /// A chunked body: the chunks decoded so far, and where the next one starts.
    body: Vec<u8>,
    next: usize,
}

#[derive(Debug)]
struct Head {
    status: u16,
    reason: String,
    head_len: usize,
    framing: Framing,
    close: bool,
}

/// How a body's end is known.
#[derive(Debug, Clone, Copy)]
enum Framing {
    Length(usize),
    Chunked,
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
            self.next = self.head.as_ref().map_or(0, |h| h.head_len);
        }
        let Some(head) = &self.head else {
            return Ok(None);
        };
        let end = match head.framing {
            Framing::Length(len) if self.buf.len() >= head.head_len + len => {
                self.body = self.buf[head.head_len..head.head_len + len].to_vec();
                head.head_len + len
            }
            Framing::Length(_) => return Ok(None),
            Framing::Chunked => match self.read_chunks()? {
                Some(end) => end,
                None => return Ok(None),
            },
        };
        let head = self.head.take().expect("matched Some just above");
        self.buf.drain(..end);
        self.next = 0;
        Ok(Some(Response {
            status: head.status,
            reason: head.reason,
            body: std::mem::take(&mut self.body),
            close: head.close,
        }))
    }

    /// Decodes the chunks that have arrived; the end of the body (after its
    /// trailer) once the last chunk and the trailer are in.
    fn read_chunks(&mut self) -> Result<Option<usize>, HttpError> {
        loop {
            let rest = &self.buf[self.next..];
            let (size_len, size) = match httparse::parse_chunk_size(rest) {
                Ok(httparse::Status::Complete(found)) => found,
                Ok(httparse::Status::Partial) => return Ok(None),
                Err(_) => return Err(HttpError::Malformed("bad chunk size".into())),
            };
            let size = usize::try_from(size)
                .map_err(|_| HttpError::Malformed(format!("chunk of {size} bytes")))?;
            let data = &rest[size_len..];
            if size == 0 {
                // The trailer: header lines, then an empty line.
                let end = if data.starts_with(b"\r\n") {
                    Some(2)
                } else {
                    data.windows(4)
                        .position(|w| w == b"\r\n\r\n")
                        .map(|i| i + 4)
                };
                return match end {
                    Some(end) => Ok(Some(self.next + size_len + end)),
                    None if data.len() > MAX_HEAD_BYTES => Err(HttpError::HeadTooLarge),
                    None => Ok(None),
                };
            }
            if data.len() < size + 2 {
                return Ok(None);
            }
            if &data[size..size + 2] != b"\r\n" {
                return Err(HttpError::Malformed("chunk not followed by CRLF".into()));
            }
            self.body.extend_from_slice(&data[..size]);
            self.next += size_len + size + 2;
        }
    }

    fn parse_head(&self) -> Result<Option<Head>, HttpError> {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut response = httparse::Response::new(&mut headers);
        let head_len = match response.parse(&self.buf) {
            Ok(httparse::Status::Complete(n)) if n > MAX_HEAD_BYTES => {
                return Err(HttpError::HeadTooLarge);
            }
            Ok(httparse::Status::Complete(n)) => n,
            Ok(httparse::Status::Partial) if self.buf.len() > MAX_HEAD_BYTES => {
                return Err(HttpError::HeadTooLarge);
            }
            Ok(httparse::Status::Partial) => return Ok(None),
            Err(httparse::Error::TooManyHeaders) => return Err(HttpError::TooManyHeaders),
            Err(e) => return Err(HttpError::Malformed(e.to_string())),
        };
        let status = response.code.expect("complete responses have a code");
        let mut close = response.version == Some(0);
        let (mut body_len, mut chunked) = (None, false);
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
                // Only `chunked` alone: a compressed body is not what was asked for.
                if !value.eq_ignore_ascii_case("chunked") {
                    return Err(HttpError::Unsupported(format!(
                        "Transfer-Encoding: {value}"
                    )));
                }
                chunked = true;
            } else if header.name.eq_ignore_ascii_case("connection") {
                close |= value
                    .split(',')
                    .any(|v| v.trim().eq_ignore_ascii_case("close"));
            }
        }
        // 1xx, 204 and 304 have no body; chunked overrides a length (RFC 9112, 6.3);
        // everything else must say how long it is.
        let framing = match (status, chunked, body_len) {
            (100..=199 | 204 | 304, _, _) => Framing::Length(0),
            (_, true, _) => Framing::Chunked,
            (_, false, Some(len)) => Framing::Length(len),
            (_, false, None) => return Err(HttpError::NoContentLength),
        };
        Ok(Some(Head {
            status,
            reason: response.reason.unwrap_or("").to_string(),
            head_len,
            framing,
            close,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Extra: yes\r\n\r\nhello";

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
    fn chunked_bodies_in_any_split() {
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n\
                        5;ext=1\r\nhello\r\n1\r\n,\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";
        let both = [&chunked[..], OK].concat();
        for split in 0..=both.len() {
            let mut reader = ResponseReader::default();
            let mut got = Vec::new();
            for piece in [&both[..split], &both[split..]] {
                if !piece.is_empty() {
                    got.extend(reader.feed(piece).unwrap());
                }
            }
            assert_eq!(got[0].body, b"hello, world", "split at {split}");
            // What followed the chunked body is the next response, intact.
            if let Some(next) = got.get(1) {
                assert_eq!(next.body, b"hello", "split at {split}");
            }
        }
        let no_trailer =
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n";
        let got = ResponseReader::default().feed(no_trailer).unwrap().unwrap();
        assert_eq!(got.body, b"hi");
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

        let gzip = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n";
        assert!(matches!(
            ResponseReader::default().feed(gzip),
            Err(HttpError::Unsupported(_))
        ));
        let mut many = b"HTTP/1.1 200 OK\r\n".to_vec();
        for i in 0..=MAX_HEADERS {
            many.extend(format!("X-{i}: {i}\r\n").as_bytes());
        }
        many.extend(b"Content-Length: 0\r\n\r\n");
        let err = ResponseReader::default().feed(&many).unwrap_err();
        assert_eq!(err.to_string(), "response has over 64 headers");
        let bad_chunk = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
        assert!(matches!(
            ResponseReader::default().feed(bad_chunk),
            Err(HttpError::Malformed(_))
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
