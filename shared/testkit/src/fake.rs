//! Deliberately odd or broken HTTP servers, for the io clients' fault tests: a
//! client must read any valid HTTP/1.1 and fail loudly, naming the request, on
//! anything else. A fake server is plain std threads, one per connection, on
//! 127.0.0.1:0; it serves until the test process ends.

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
}

/// The valid odd answers every client must read to the right checksum.
pub const VALID: [Behaviour; 2] = [Behaviour::OddButValid, Behaviour::Chunked];

/// Each fault, and the words a client's error must contain for it. A client under
/// test runs with a short `--timeout-ms`, so the hanging ones fail in well under a
/// second.
pub const FAULTS: [(Behaviour, &str); 8] = [
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
    loop {
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
