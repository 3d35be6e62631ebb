//! The request side, for the serve programs: a reader that turns bytes, however
//! they are split across reads, into complete request heads, and why bytes are not
//! one; and how long a server waits for them ([`RequestReader::time_left`]). A
//! request is handed over as soon as its head is complete; its body
//! (`Content-Length` or `Transfer-Encoding: chunked`) is read and dropped as it
//! arrives, before the next request: no route takes one.

use std::{
    fmt, io,
    time::{Duration, Instant},
};

use super::{MAX_HEAD_BYTES, MAX_HEADERS};

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

/// The body still to be dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Body {
    None,
    Length(usize),
    /// A chunked body, the sum of its chunks so far: a chunk-size line next; or
    /// `left` bytes of a chunk's data, then its CRLF (`left` 0: the CRLF next).
    ChunkLine {
        sum: usize,
    },
    ChunkData {
        left: usize,
        sum: usize,
    },
    /// After the last chunk: trailer lines, `bytes` of them so far, to an empty line.
    Trailer {
        bytes: usize,
    },
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
        let end = (from..self.buf.len()).find(|&i| {
            self.buf[i] == b'\n'
                && (self.buf[..i].ends_with(b"\n") || self.buf[..i].ends_with(b"\n\r"))
        });
        self.scanned = self.buf.len();
        if let Some(end) = end {
            return match end + 1 > MAX_HEAD_BYTES {
                true => Err(RequestError::HeadTooLarge),
                false => Ok(Some(end + 1)),
            };
        }
        if self.buf.len() > MAX_HEAD_BYTES {
            return Err(RequestError::HeadTooLarge);
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

    /// Drops the body bytes that have arrived of the request handed over last.
    fn drop_body(&mut self) -> Result<(), RequestError> {
        loop {
            match self.body {
                Body::None => return Ok(()),
                Body::Length(left) | Body::ChunkData { left, .. } if left > 0 => {
                    let n = left.min(self.buf.len());
                    self.buf.drain(..n);
                    self.body = match self.body {
                        Body::Length(_) if n == left => Body::None,
                        Body::Length(_) => Body::Length(left - n),
                        Body::ChunkData { sum, .. } => Body::ChunkData {
                            left: left - n,
                            sum,
                        },
                        _ => unreachable!("matched Length or ChunkData"),
                    };
                    if n < left {
                        return Ok(());
                    }
                }
                Body::Length(_) => self.body = Body::None,
                Body::ChunkData { sum, .. } => {
                    if self.buf.len() < 2 {
                        return Ok(());
                    }
                    if self.buf[..2] != *b"\r\n" {
                        return Err(malformed("chunk data not followed by CRLF"));
                    }
                    self.buf.drain(..2);
                    self.body = Body::ChunkLine { sum };
                }
                Body::ChunkLine { sum } => {
                    let Some(line) = self.line("chunk-size line")? else {
                        return Ok(());
                    };
                    let size = chunk_size(&line)?;
                    let sum = sum.saturating_add(size);
                    if sum > MAX_REQUEST_BODY {
                        return Err(RequestError::Unsupported(format!(
                            "a chunked body over {MAX_REQUEST_BODY} bytes (no route takes a body)"
                        )));
                    }
                    self.body = match size {
                        0 => Body::Trailer { bytes: 0 },
                        left => Body::ChunkData { left, sum },
                    };
                }
                Body::Trailer { bytes } => {
                    let Some(line) = self.line("trailer line")? else {
                        return Ok(());
                    };
                    let bytes = bytes + line.len();
                    if bytes > MAX_HEAD_BYTES {
                        return Err(malformed(&format!("trailers over {MAX_HEAD_BYTES} bytes")));
                    }
                    self.body = match line.is_empty() {
                        true => Body::None,
                        false => Body::Trailer { bytes },
                    };
                }
            }
        }
    }

    /// The line at the start of `buf`, without its LF (or CRLF), taken out once it
    /// is all in; a line over [`MAX_HEAD_BYTES`] is refused. Scanned once: `scanned`.
    fn line(&mut self, what: &str) -> Result<Option<Vec<u8>>, RequestError> {
        let from = self.scanned.min(self.buf.len());
        let Some(i) = self.buf[from..].iter().position(|&b| b == b'\n') else {
            if self.buf.len() > MAX_HEAD_BYTES {
                return Err(malformed(&format!("{what} over {MAX_HEAD_BYTES} bytes")));
            }
            self.scanned = self.buf.len();
            return Ok(None);
        };
        self.scanned = 0;
        let mut line: Vec<u8> = self.buf.drain(..from + i + 1).collect();
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        Ok(Some(line))
    }
}

fn malformed(why: &str) -> RequestError {
    RequestError::Malformed(why.into())
}

/// A chunk-size line's size: 1 to 16 hex digits, then blanks, then any extension
/// after a `;`.
fn chunk_size(line: &[u8]) -> Result<usize, RequestError> {
    let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    let blanks_only = line[digits..]
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count();
    let after = &line[digits + blanks_only..];
    if (1..=16).contains(&digits) && (after.is_empty() || after[0] == b';') {
        let hex = std::str::from_utf8(&line[..digits]).expect("hex digits are ASCII");
        return Ok(usize::from_str_radix(hex, 16).expect("at most 16 hex digits fit"));
    }
    let shown: String = line.iter().take(100).map(|&b| b as char).collect();
    Err(malformed(&format!("chunk size {shown:?}")))
}

/// A complete head, parsed: the request and the body that follows it.
fn parse(head: &[u8]) -> Result<(Request, Body), RequestError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    match request.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => {
            return Err(RequestError::Malformed("incomplete head".into()));
        }
        Err(httparse::Error::TooManyHeaders) => return Err(RequestError::TooManyHeaders),
        Err(e) => return Err(RequestError::Malformed(e.to_string())),
    }
    let minor_version = request.version.expect("complete requests have a version");
    let (mut host, mut close, mut keep_alive, mut expect_continue) = (false, false, false, false);
    let (mut lengths, mut codings) = (Vec::<usize>::new(), Vec::<&str>::new());
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
            // Digits alone: `+5` or `5, 6` could be read apart by another parser.
            let bad = || RequestError::Malformed(format!("Content-Length {value:?}"));
            if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            lengths.push(value.parse().unwrap_or(usize::MAX));
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            codings.push(value);
        } else if name.eq_ignore_ascii_case("expect") {
            expect_continue |= value.eq_ignore_ascii_case("100-continue");
        }
    }
    // A proxy and this server could read two lengths, or a length and chunks,
    // differently: a request smuggled behind another (RFC 9112, 6.3). Refused.
    if lengths.iter().any(|&len| len != lengths[0]) {
        return Err(RequestError::Malformed(
            "Content-Length given twice, with different values".into(),
        ));
    }
    if !lengths.is_empty() && !codings.is_empty() {
        return Err(RequestError::Malformed(
            "both Content-Length and Transfer-Encoding".into(),
        ));
    }
    let codings = codings.join(", ");
    if !codings.is_empty() && !codings.eq_ignore_ascii_case("chunked") {
        return Err(RequestError::NotImplemented(format!(
            "Transfer-Encoding: {codings} (only chunked)"
        )));
    }
    let body = match lengths.first() {
        _ if !codings.is_empty() => Body::ChunkLine { sum: 0 },
        Some(&len) if len > MAX_REQUEST_BODY => {
            return Err(RequestError::Unsupported(format!(
                "a body of {len} bytes (no route takes a body)"
            )));
        }
        Some(0) | None => Body::None,
        Some(&len) => Body::Length(len),
    };
    let target = request.path.expect("complete requests have a target");
    let target = target.split('#').next().unwrap_or(""); // a fragment is the client's
    // The absolute form (`http://host/path`, what a proxy is sent) names the host.
    let (target, named_host) = match target.split_once("://") {
        Some((scheme, rest))
            if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") =>
        {
            (rest.find(['/', '?']).map_or("/", |i| &rest[i..]), true)
        }
        _ => (target, false),
    };
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (
            if path.is_empty() { "/" } else { path },
            Some(query.to_string()),
        ),
        None => (target, None),
    };
    let request = Request {
        method: request
            .method
            .expect("complete requests have a method")
            .into(),
        path: path.into(),
        query,
        minor_version,
        host: host || named_host,
        close: close || (minor_version == 0 && !keep_alive),
        expect_continue: expect_continue && minor_version == 1 && body != Body::None,
    };
    Ok((request, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Timeouts = Timeouts {
        head: Duration::from_secs(10),
        idle: Duration::from_secs(10),
        write: Duration::from_secs(10),
    };

    fn reader() -> RequestReader {
        RequestReader::new(T)
    }

    fn one(raw: &[u8]) -> Result<Option<Request>, RequestError> {
        reader().feed(raw)
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
                expect_continue: false,
            }
        );
        for split in 1..raw.len() {
            let mut reader = reader();
            assert_eq!(reader.feed(&raw[..split]).unwrap(), None, "at {split}");
            assert!(reader.is_partial());
            assert_eq!(reader.feed(&raw[split..]).unwrap().as_ref(), Some(&whole));
            assert!(!reader.is_partial());
        }
    }

    #[test]
    fn pipelined_requests_come_one_at_a_time() {
        let mut reader = reader();
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
        let gzip = b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n";
        assert!(matches!(one(gzip), Err(RequestError::NotImplemented(_))));
        assert_eq!(one(gzip).unwrap_err().status(), 501);
    }

    #[test]
    fn targets_in_absolute_form_and_with_a_fragment() {
        let get = |raw: &[u8]| one(raw).unwrap().unwrap();
        let absolute = get(b"GET http://x:1/work?id=1 HTTP/1.1\r\n\r\n");
        assert_eq!(
            (absolute.path.as_str(), absolute.query.as_deref()),
            ("/work", Some("id=1"))
        );
        assert!(absolute.host, "the absolute form names the host");
        let bare = get(b"GET HTTP://x:1 HTTP/1.1\r\n\r\n");
        assert_eq!((bare.path.as_str(), bare.query), ("/", None));
        let fragment = get(b"GET /work?id=2#top HTTP/1.1\r\nHost: t\r\n\r\n");
        assert_eq!(fragment.query.as_deref(), Some("id=2"));
    }

    #[test]
    fn bodies_are_dropped_by_length_or_chunks() {
        let mut reader = reader();
        let raw = b"POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyzGET /b HTTP/1.1\r\n\r\n\
                    POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\
                    3;x=y\r\nabc\r\n0\r\nT: 1\r\n\r\nGET /d HTTP/1.1\r\n\r\n";
        // Split anywhere, the four requests come out and the bodies do not.
        for split in 0..raw.len() {
            let mut paths = Vec::new();
            for piece in [&raw[..split], &raw[split..]] {
                let mut next = reader.feed(piece);
                while let Ok(Some(request)) = next {
                    paths.push(request.path);
                    next = reader.feed(&[]);
                }
                assert_eq!(next, Ok(None), "split at {split}");
            }
            assert_eq!(paths, ["/a", "/b", "/c", "/d"], "split at {split}");
            assert!(!reader.is_partial());
        }
        let expect = b"PUT /a HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n";
        assert!(one(expect).unwrap().unwrap().expect_continue);
        // A body's fault comes after its request (answered first), at the next feed.
        let after = |raw: &[u8]| {
            let mut fresh = super::tests::reader();
            assert!(fresh.feed(raw).unwrap().is_some());
            fresh.feed(&[])
        };
        let over = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10001\r\n";
        assert!(matches!(after(over), Err(RequestError::Unsupported(_))));
        let long_line = [
            &b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1"[..],
            &[b'0'; 70_000],
        ]
        .concat();
        assert!(matches!(after(&long_line), Err(RequestError::Malformed(_))));
    }

    #[test]
    fn lengths_two_parsers_could_read_apart_are_refused() {
        for raw in [
            &b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"[..],
            b"POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: 1, 1\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
        ] {
            assert!(
                matches!(one(raw), Err(RequestError::Malformed(_))),
                "{raw:?}"
            );
        }
        let same = b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx";
        assert!(one(same).unwrap().is_some());
    }

    #[test]
    fn a_head_a_byte_at_a_time_is_scanned_once() {
        let head = format!(
            "GET /work?id=1 HTTP/1.1\r\nX: {}\r\n\r\n",
            "a".repeat(60_000)
        );
        let started = std::time::Instant::now();
        let mut reader = reader();
        let mut got = None;
        for byte in head.as_bytes() {
            got = reader.feed(&[*byte]).unwrap();
        }
        assert!(got.is_some());
        // Rescanning per byte would be 60,000^2 / 2 byte looks: seconds, not this.
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn the_wait_is_the_head_timeout_then_the_idle_one() {
        let short = Duration::from_millis(30);
        let mut reader = RequestReader::new(Timeouts {
            head: short,
            idle: short * 4,
            write: short,
        });
        assert!(reader.time_left().unwrap() <= short);
        reader.feed(b"GET / HTTP/1.1\r\n\r\n").unwrap().unwrap();
        assert!(
            reader.time_left().unwrap() > short * 2,
            "idle after a request"
        );
        reader.feed(b"G").unwrap();
        assert!(reader.time_left().unwrap() <= short, "a head's first byte");
        std::thread::sleep(short);
        let err = reader.time_left().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert_eq!(err.to_string(), "no complete request head within 30 ms");
    }
}
