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

#[derive(Debug)]
struct Head {
    status: u16,
    reason: String,
    framing: Framing,
    close: bool,
    /// The most bytes its body may have.
    limit: u64,
}

/// How a body's end is known.
#[derive(Debug, Clone, Copy)]
enum Framing {
    Length(u64),
    Chunked,
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
        }
    }
}

/// Finds the end of a head, line or trailer in `rest` with `find`, from where the
/// last scan stopped: `None` until it is in, `too_long` past [`MAX_HEAD_BYTES`].
fn scan(
    scanned: &mut usize,
    rest: &[u8],
    find: impl Fn(&[u8], usize) -> Option<usize>,
    too_long: HttpError,
) -> Result<Option<usize>, HttpError> {
    match find(rest, *scanned) {
        Some(end) if end > MAX_HEAD_BYTES => Err(too_long),
        Some(end) => {
            *scanned = 0;
            Ok(Some(end))
        }
        None if rest.len() > MAX_HEAD_BYTES => Err(too_long),
        None => {
            // A line break is at most 3 bytes (`\n\r\n`): start the next scan
            // where one may begin.
            *scanned = rest.len().saturating_sub(2);
            Ok(None)
        }
    }
}

/// The end of the line break at `at` (`\r\n`, or a bare `\n` as httparse allows).
fn line_break_end(bytes: &[u8], at: usize) -> Option<usize> {
    match bytes.get(at..)? {
        [b'\r', b'\n', ..] => Some(at + 2),
        [b'\n', ..] => Some(at + 1),
        _ => None,
    }
}

/// The end of the first line, searched from `from`.
fn line_end(bytes: &[u8], from: usize) -> Option<usize> {
    let at = bytes.get(from..)?.iter().position(|&b| b == b'\n')?;
    Some(from + at + 1)
}

/// The end of the first blank line (a line break right after another), searched
/// from `from`.
fn blank_line_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut from = from;
    while let Some(end) = line_end(bytes, from) {
        if let Some(blank) = line_break_end(bytes, end) {
            return Some(blank);
        }
        from = end;
    }
    None
}

/// A complete head: its status, reason, framing and whether the server closes, and
/// its body's limit: for a `200`, `max_body`, what was asked for; for another
/// answer, whose body is only a reason, that or [`MAX_HEAD_BYTES`]. A longer
/// `Content-Length` is refused here, before any of the body is read.
fn parse_head(bytes: &[u8], max_body: u64) -> Result<Head, HttpError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut headers);
    match response.parse(bytes) {
        Ok(httparse::Status::Complete(n)) if n == bytes.len() => {}
        Ok(_) => {
            return Err(HttpError::Malformed(
                "head does not end where it should".into(),
            ));
        }
        Err(httparse::Error::TooManyHeaders) => return Err(HttpError::TooManyHeaders),
        Err(e) => return Err(HttpError::Malformed(e.to_string())),
    }
    let status = response.code.expect("complete responses have a code");
    let mut close = response.version == Some(0);
    let (mut body_len, mut chunked) = (None, false);
    for header in response.headers.iter() {
        let value = std::str::from_utf8(header.value)
            .map_err(|_| HttpError::Malformed(format!("{} is not UTF-8", header.name)))?
            .trim();
        if header.name.eq_ignore_ascii_case("content-length") {
            let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
            let len = value
                .parse()
                .ok()
                .filter(|_| digits)
                .ok_or_else(|| HttpError::Malformed(format!("Content-Length {value:?}")))?;
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
    let limit = match status {
        200 => max_body,
        _ => max_body.max(MAX_HEAD_BYTES as u64),
    };
    let framing = match (status, chunked, body_len) {
        (100..=199 | 204 | 304, _, _) => Framing::Length(0),
        (_, true, _) => Framing::Chunked,
        (_, false, Some(len)) if len > limit => return Err(HttpError::BodyTooLarge(limit)),
        (_, false, Some(len)) => Framing::Length(len),
        (_, false, None) => return Err(HttpError::NoContentLength),
    };
    Ok(Head {
        status,
        reason: response.reason.unwrap_or("").to_string(),
        framing,
        close,
        limit,
    })
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

    /// Feeds `raw` in pieces of `size` bytes: the first response, or the error.
    fn read(reader: &mut ResponseReader, raw: &[u8], size: usize) -> Result<Response, HttpError> {
        for piece in raw.chunks(size) {
            if let Some(response) = reader.feed(piece)? {
                return Ok(response);
            }
        }
        reader
            .feed(b"")
            .map(|_| unreachable!("a close is an error"))
    }

    #[test]
    fn interim_answers_are_skipped() {
        let raw = [
            &b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"[..],
            b"HTTP/1.1 102 Processing\n\n",
            OK,
        ]
        .concat();
        for size in [1, 7, raw.len()] {
            let response = read(&mut ResponseReader::default(), &raw, size).unwrap();
            assert_eq!((response.status, &response.body[..]), (200, &b"hello"[..]));
        }
        // An interim answer is a byte of the answer: a close after it is in the middle.
        let mut reader = ResponseReader::default();
        assert_eq!(reader.feed(b"HTTP/1.1 100 Continue\r\n\r\n"), Ok(None));
        assert_eq!(reader.feed(b""), Err(HttpError::Closed { partial: true }));
        // 101 Switching Protocols is final, and not what a client asked for.
        let switch = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n";
        let response = read(&mut ResponseReader::default(), switch, 100).unwrap();
        let err = response.into_ok_body().unwrap_err();
        assert_eq!(err.to_string(), "server answered 101 Switching Protocols");
    }

    #[test]
    fn a_body_over_the_limit_is_refused_at_once() {
        let huge = b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000000000\r\n\r\n";
        let mut reader = ResponseReader::new(1_024);
        assert_eq!(reader.feed(huge), Err(HttpError::BodyTooLarge(1_024)));
        let exact = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
        assert_eq!(
            read(&mut ResponseReader::new(3), exact, 1).unwrap().body,
            b"abc"
        );
        assert_eq!(
            ResponseReader::new(2).feed(exact),
            Err(HttpError::BodyTooLarge(2))
        );
        // Chunks: refused by the running sum, at the size line that passes it.
        let chunked =
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n";
        let mut reader = ResponseReader::new(4);
        let err = read(&mut reader, chunked, 1).unwrap_err();
        assert_eq!(err.to_string(), "response body over 4 bytes");
        let endless = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF\r\n";
        assert_eq!(
            ResponseReader::new(1_024).feed(endless),
            Err(HttpError::BodyTooLarge(1_024))
        );
        // Another answer's body is only its reason: up to MAX_HEAD_BYTES, whatever
        // the request asked for.
        let busy = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 5\r\n\r\nbusy\n";
        let err = read(&mut ResponseReader::new(0), busy, 3)
            .unwrap()
            .into_ok_body()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "server answered 503 Service Unavailable: busy"
        );
        let long = format!(
            "HTTP/1.1 503 No\r\nContent-Length: {}\r\n\r\n",
            MAX_HEAD_BYTES + 1
        );
        assert_eq!(
            ResponseReader::new(0).feed(long.as_bytes()),
            Err(HttpError::BodyTooLarge(MAX_HEAD_BYTES as u64))
        );
        let signed = b"HTTP/1.1 200 OK\r\nContent-Length: +3\r\n\r\nabc";
        assert!(matches!(
            ResponseReader::default().feed(signed),
            Err(HttpError::Malformed(_))
        ));
    }

    #[test]
    fn a_chunk_size_line_has_the_head_limit() {
        let head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        // Its extensions included, a size line may have MAX_HEAD_BYTES bytes.
        let line = |len: usize| {
            let mut line = b"5;x=".to_vec();
            line.resize(len - 2, b'a');
            line.extend(b"\r\n");
            line
        };
        let fits = [&head[..], &line(MAX_HEAD_BYTES), b"hello\r\n0\r\n\r\n"].concat();
        assert_eq!(
            read(&mut ResponseReader::new(5), &fits, 4_096)
                .unwrap()
                .body,
            b"hello"
        );
        let over = [&head[..], &line(MAX_HEAD_BYTES + 1), b"hello\r\n0\r\n\r\n"].concat();
        let err = read(&mut ResponseReader::new(5), &over, 4_096).unwrap_err();
        assert_eq!(err.to_string(), "chunk-size line over 65536 bytes");
        // An endless one is refused once it is over, without its end.
        let mut reader = ResponseReader::new(5);
        reader.feed(head).unwrap();
        reader.feed(b"5;").unwrap();
        let ext = vec![b'a'; 1_024];
        let refused = (1..).find(|_| reader.feed(&ext).is_err()).unwrap();
        assert_eq!(
            refused,
            MAX_HEAD_BYTES / ext.len(),
            "the piece that passes the limit"
        );
    }

    #[test]
    fn heads_and_lines_fed_a_byte_at_a_time_are_scanned_once() {
        // 60 KB of head, then of chunk extension, a byte per read: a scan from the
        // start at every byte would compare 1.8 * 10^9 bytes for each (many seconds
        // in a debug build); once, a few milliseconds.
        let filler = "a".repeat(60_000);
        let raw = format!(
            "HTTP/1.1 200 OK\r\nX-Big: {filler}\r\nTransfer-Encoding: chunked\r\n\r\n\
             5;{filler}\r\nhello\r\n0\r\nX-Trailer: {filler}\r\n\r\n"
        );
        let started = std::time::Instant::now();
        let response = read(&mut ResponseReader::new(5), raw.as_bytes(), 1).unwrap();
        assert_eq!(response.body, b"hello");
        let took = started.elapsed();
        assert!(took < std::time::Duration::from_secs(2), "{took:?}");
    }

    #[test]
    fn a_chunked_body_is_decoded_in_one_buffer() {
        // 1 MiB in 1-byte chunks is 6 MiB on the wire: the reader keeps the body and
        // one read's bytes, never the wire's.
        let size = 1 << 20;
        let mut raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        for i in 0..size {
            raw.extend(b"1\r\n");
            raw.push(i as u8);
            raw.extend(b"\r\n");
        }
        raw.extend(b"0\r\n\r\n");
        let mut reader = ResponseReader::new(size as u64);
        let body = read(&mut reader, &raw, 4_096).unwrap().body;
        assert!(body.iter().enumerate().all(|(i, &b)| b == i as u8));
        assert!(
            body.capacity() < 2 * size + (64 << 10),
            "{}",
            body.capacity()
        );
    }
}
