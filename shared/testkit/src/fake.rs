//! Deliberately odd, broken or hostile HTTP servers, for the io clients' fault
//! tests: a client must read any valid HTTP/1.1 and fail loudly, naming the
//! request, on anything else, in bounded time and memory. A fake server is plain
//! std threads, one per connection, on 127.0.0.1:0; it serves until the test
//! process ends (a hostile one's connection, until its client hangs up).

use std::{
    io::{Read, Write},
    net::{SocketAddr, TcpListener, TcpStream},
    thread,
    time::Duration,
};

use api_server::{Query, parse_query};

/// How the fake server answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Correct bodies, in odd but valid HTTP: header names in odd case and order,
    /// extra headers, and the response written in small pieces with pauses, so
    /// that it reaches the client split across many reads.
    OddButValid,
    /// Reads the request, then closes the connection without a word.
    CloseBeforeAnswer,
    /// Sends the head and half the body, then closes.
    CloseMidBody,
    /// Answers `503 Service Unavailable`.
    Unavailable,
    /// Correct bodies, sent `Transfer-Encoding: chunked` in chunks of odd sizes,
    /// with a chunk extension and a trailer: valid HTTP/1.1 every client must read.
    Chunked,
    /// Reads the request and never answers, holding the connection open.
    Hang,
    /// Sends a status line, then one header byte every 50 ms, forever.
    Dribble,
    /// A `200` with no Content-Length and no chunking: the body ends when the
    /// connection closes, which a client cannot tell from a lost connection.
    CloseDelimited,
    /// A response head of 1 MiB.
    HugeHead,
    /// A response with 200 headers.
    ManyHeaders,
    /// `100 Continue` and `103 Early Hints` (with a header) before each answer:
    /// interim answers, which a client skips (RFC 9110, 15.2).
    Interim,
    /// Answers one request per connection and closes it, keep-alive as it said it
    /// was, as a server does with a connection left idle: a client finds its next
    /// request's connection closed before any byte of an answer, and sends it again
    /// on a new one.
    CloseWhenIdle,
    /// Answers a connection's first request; to its second it sends half an answer
    /// and closes: an error, not a request to send again.
    CutSecondAnswer,
    /// A chunk-size line whose extension never ends.
    EndlessChunkExtension,
    /// `Content-Length: 10^15`, then zeros for as long as the client reads.
    HugeContentLength,
    /// The body asked for as one chunk, then more chunks for as long as the client
    /// reads.
    ChunksPastTheBody,
    /// The body asked for in 1-byte chunks, each with 1 KiB of extension: valid HTTP,
    /// but 16 MiB of body is 16 GiB on the wire, sent as fast as the client reads,
    /// so that its socket is always ready and only its deadline ends the request.
    PaddedOneByteChunks,
}

/// The valid odd answers every client must read to the right checksum.
pub const VALID: [Behaviour; 4] = [
    Behaviour::OddButValid,
    Behaviour::Chunked,
    Behaviour::Interim,
    Behaviour::CloseWhenIdle,
];

/// Each fault, and the words a client's error must contain for it. A client under
/// test runs with a short `--timeout-ms`, so the hanging ones fail in well under a
/// second.
pub const FAULTS: [(Behaviour, &str); 9] = [
    (
        Behaviour::CloseBeforeAnswer,
        "connection closed before a response",
    ),
    (
        Behaviour::CloseMidBody,
        "connection closed in the middle of a response",
    ),
    (
        Behaviour::Unavailable,
        "server answered 503 Service Unavailable",
    ),
    (Behaviour::Hang, "no answer within "),
    (Behaviour::Dribble, "no answer within "),
    (Behaviour::CloseDelimited, "no Content-Length"),
    (Behaviour::HugeHead, "response head over 65536 bytes"),
    (Behaviour::ManyHeaders, "response has over 64 headers"),
    (
        Behaviour::CutSecondAnswer,
        "connection closed in the middle of a response",
    ),
];

/// Servers that send what was not asked for, for as long as a client reads: each,
/// the `--bytes` a client asks it for, and the words its error must contain. A
/// client must refuse the first three as soon as it can tell (an unbounded client
/// reads gigabytes), and end the last at its deadline however fast bytes arrive.
pub const HOSTILE: [(Behaviour, u64, &str); 4] = [
    (
        Behaviour::EndlessChunkExtension,
        1_024,
        "chunk-size line over 65536 bytes",
    ),
    (
        Behaviour::HugeContentLength,
        1_024,
        "response body over 1024 bytes",
    ),
    (
        Behaviour::ChunksPastTheBody,
        1_024,
        "response body over 1024 bytes",
    ),
    (
        Behaviour::PaddedOneByteChunks,
        16 << 20,
        "no answer within ",
    ),
];

/// Starts a fake server on 127.0.0.1:0 and returns its address.
pub fn start(behaviour: Behaviour) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let addr = listener
        .local_addr()
        .expect("a bound listener has an address");
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            thread::spawn(move || serve(stream, behaviour));
        }
    });
    addr
}

fn serve(mut stream: TcpStream, behaviour: Behaviour) {
    let mut pending = Vec::new();
    let mut chunk = [0; 4096];
    for answered in 0.. {
        // Read one request head; a client that hangs up ends the connection.
        let head_len = loop {
            if let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                break end + 4;
            }
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => pending.extend_from_slice(&chunk[..n]),
            }
        };
        let mut headers = [httparse::EMPTY_HEADER; 16];
        let mut request = httparse::Request::new(&mut headers);
        let path = match request.parse(&pending[..head_len]) {
            Ok(_) => request.path.unwrap_or("").to_string(),
            Err(_) => return,
        };
        pending.drain(..head_len);
        let query = parse_query(path.split_once('?').map(|(_, q)| q)).unwrap_or(Query {
            id: 0,
            delay_ms: 0,
            bytes: 0,
            work: 0,
        });
        let body = workload::io::body(query.id, query.bytes as usize);
        // Write errors mean the client left; the fake server just stops.
        let _ = match behaviour {
            Behaviour::CloseBeforeAnswer => return,
            Behaviour::Hang => {
                thread::sleep(Duration::from_secs(3_600));
                return;
            }
            Behaviour::Dribble => {
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nX-Slow: ");
                while stream.write_all(b"a").is_ok() {
                    thread::sleep(Duration::from_millis(50));
                }
                return;
            }
            Behaviour::CloseDelimited => {
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
                let _ = stream.write_all(&body);
                return;
            }
            Behaviour::HugeHead => {
                let filler = "a".repeat(1 << 20);
                let head =
                    format!("HTTP/1.1 200 OK\r\nX-Big: {filler}\r\nContent-Length: 0\r\n\r\n");
                stream.write_all(head.as_bytes())
            }
            Behaviour::ManyHeaders => {
                let mut head = String::from("HTTP/1.1 200 OK\r\n");
                for i in 0..200 {
                    head += &format!("X-Header-{i}: {i}\r\n");
                }
                head += &format!("Content-Length: {}\r\n\r\n", body.len());
                stream.write_all(&[head.as_bytes(), &body].concat())
            }
            Behaviour::Chunked => {
                let mut response =
                    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Extra: 1\r\n\r\n".to_vec();
                for (i, piece) in body.chunks(333).enumerate() {
                    let extension = if i == 0 { ";name=value" } else { "" };
                    response.extend(format!("{:X}{extension}\r\n", piece.len()).as_bytes());
                    response.extend(piece);
                    response.extend(b"\r\n");
                }
                response.extend(b"0\r\nX-Trailer: done\r\n\r\n");
                for piece in response.chunks(response.len().div_ceil(7).max(1)) {
                    let _ = stream.write_all(piece);
                    thread::sleep(Duration::from_millis(1));
                }
                Ok(())
            }
            Behaviour::Interim => {
                let interim = b"HTTP/1.1 100 Continue\r\n\r\n\
                    HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n";
                let _ = stream.write_all(interim);
                thread::sleep(Duration::from_millis(1));
                stream.write_all(&plain_answer(&body))
            }
            Behaviour::CloseWhenIdle => {
                let _ = stream.write_all(&plain_answer(&body));
                return;
            }
            Behaviour::CutSecondAnswer if answered == 0 => stream.write_all(&plain_answer(&body)),
            Behaviour::CutSecondAnswer => {
                let answer = plain_answer(&body);
                let _ = stream.write_all(&answer[..answer.len() - body.len() / 2]);
                return;
            }
            Behaviour::EndlessChunkExtension => {
                let head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;";
                let _ = stream.write_all(head);
                let filler = [b'a'; 64 << 10];
                while stream.write_all(&filler).is_ok() {}
                return;
            }
            Behaviour::HugeContentLength => {
                let head = b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000000000\r\n\r\n";
                let _ = stream.write_all(head);
                let zeros = [0; 64 << 10];
                while stream.write_all(&zeros).is_ok() {}
                return;
            }
            Behaviour::ChunksPastTheBody => {
                let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
                let first = format!("{head}{:X}\r\n", body.len());
                let _ = stream.write_all(&[first.as_bytes(), &body, b"\r\n"].concat());
                let more = [&b"10000\r\n"[..], &[0; 1 << 16], b"\r\n"].concat();
                while stream.write_all(&more).is_ok() {}
                return;
            }
            Behaviour::PaddedOneByteChunks => {
                let head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
                let mut line = b"1;pad=".to_vec();
                line.resize(1_024, b'x');
                line.extend(b"\r\n");
                let mut out = head.to_vec();
                for piece in body.chunks(256) {
                    for &byte in piece {
                        out.extend(&line);
                        out.extend([byte, b'\r', b'\n']);
                    }
                    if stream.write_all(&out).is_err() {
                        return;
                    }
                    out.clear();
                }
                stream.write_all(b"0\r\n\r\n")
            }
            Behaviour::Unavailable => stream.write_all(
                b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 12\r\n\r\nbusy, sorry\n",
            ),
            Behaviour::CloseMidBody => {
                let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len());
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body[..body.len() / 2]);
                return;
            }
            Behaviour::OddButValid => {
                let head = format!(
                    "HTTP/1.1 200 Fine\r\nX-Extra: 1\r\nconnection: Keep-Alive\r\nServer: fake\r\ncontent-LENGTH:  {} \r\nDate: today\r\n\r\n",
                    body.len()
                );
                let response = [head.as_bytes(), &body].concat();
                for piece in response.chunks(response.len().div_ceil(5).max(1)) {
                    let _ = stream.write_all(piece);
                    thread::sleep(Duration::from_millis(2));
                }
                Ok(())
            }
        };
    }
}

/// `200 OK` with `body`, by its `Content-Length`.
fn plain_answer(body: &[u8]) -> Vec<u8> {
    let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len());
    [head.as_bytes(), body].concat()
}
