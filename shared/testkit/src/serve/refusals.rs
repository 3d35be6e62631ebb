//! What a server refuses, as the api-server does: bad queries, other paths and
//! methods, a missing `Host`, garbage and half requests, an oversized head; and
//! what it must still take: HTTP/1.0, percent-escapes, pipelined requests.

use std::{
    io::{Read, Write},
    time::Duration,
};

use workload::{
    http::{ResponseReader, write_request},
    io,
};

use super::answers::{connect, get, send};

/// The api-server's answers to bad queries, other paths and methods, a missing
/// `Host`, HTTP/1.0, percent-escapes; garbage, half requests and hang-ups on
/// connections of their own, after which the server still answers.
pub fn check_refusals(addr: &str) {
    let mut stream = connect(addr);
    for (path, status, reason) in [
        ("/work", 400, "id: missing\n"),
        ("/work?id=abc", 400, "id: \"abc\" is not a u64\n"),
        (
            "/work?id=1&delay_ms=60001",
            400,
            "delay_ms: 60001 is over 60000\n",
        ),
        (
            "/work?id=1&bytes=99999999",
            400,
            "bytes: 99999999 is over 16777216\n",
        ),
        (
            "/elsewhere?id=1",
            404,
            "not found: the only path is /work\n",
        ),
    ] {
        let response = get(&mut stream, path);
        let body = String::from_utf8_lossy(&response.body).into_owned();
        assert_eq!((response.status, body), (status, reason.into()), "{path}");
        assert!(!response.close, "{path}: the connection stays open");
    }
    let post = send(
        &mut stream,
        b"POST /work?id=1 HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello",
    );
    assert_eq!(post.status, 405);
    let decoded = get(&mut stream, "/work?id=%31%32&delay_ms=%30&bytes=1%36");
    assert_eq!(decoded.body, io::body(12, 16));
    assert_eq!(get(&mut stream, "/work?id=%ff").status, 400);
    assert_eq!(get(&mut stream, "/work?id=3").body, io::body(3, 1_024));
    let no_host = send(&mut stream, b"GET /work?id=1 HTTP/1.1\r\n\r\n");
    let body = String::from_utf8_lossy(&no_host.body).into_owned();
    assert_eq!(
        (no_host.status, body),
        (400, "Host: missing (HTTP/1.1 requires it)\n".into())
    );
    // Two requests in one write (pipelined) get two answers, in order.
    let mut two = Vec::new();
    write_request(&mut two, "t", 5, 0, 8);
    write_request(&mut two, "t", 6, 0, 8);
    stream.write_all(&two).expect("send two requests");
    let (mut both, mut chunk) = (Vec::new(), [0; 4096]);
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("set a read timeout");
    while !both.ends_with(&io::body(6, 8)) {
        let n = stream.read(&mut chunk).expect("read two answers");
        assert!(n > 0, "closed after {:?}", String::from_utf8_lossy(&both));
        both.extend_from_slice(&chunk[..n]);
    }
    let first = ResponseReader::default().feed(&both).expect("an answer");
    assert_eq!(first.expect("a whole answer").body, io::body(5, 8));
    drop(stream);

    let mut old = connect(addr);
    let http_1_0 = send(&mut old, b"GET /work?id=3&bytes=4 HTTP/1.0\r\n\r\n");
    assert_eq!(http_1_0.body, io::body(3, 4));
    let mut rest = Vec::new();
    // HTTP/1.0 without keep-alive: the server closes the connection after it.
    old.read_to_end(&mut rest).expect("the server closes");
    assert!(rest.is_empty());

    for junk in [
        &b"\x16\x03\x01\x02\x00garbage\r\n\r\n"[..],
        b"GET /work?id=1 HTT",
        b"GET /work?id=1 HTTP/1.1\r\nHost: t\r\n",
        b"NOT HTTP AT ALL\r\n\r\n",
        b"",
    ] {
        let mut bad = connect(addr);
        bad.write_all(junk).expect("send junk");
        drop(bad);
    }
    let mut bad = connect(addr);
    bad.write_all(b"BLAH\r\n\r\n").expect("send junk");
    let mut answer = Vec::new();
    bad.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("set a read timeout");
    // A malformed request is answered with 400, and the connection closed.
    bad.read_to_end(&mut answer).expect("read to the close");
    assert!(
        answer.starts_with(b"HTTP/1.1 400"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    // A head over 64 KiB: 431, or a reset if the server closed before reading it
    // all (the kernel then discards what it had sent); either way it stays up.
    let huge = format!(
        "GET /work?id=1 HTTP/1.1\r\nX: {}\r\n\r\n",
        "a".repeat(70_000)
    );
    let mut big = connect(addr);
    let _ = big.write_all(huge.as_bytes()); // the server may close before reading it all
    let mut answer = Vec::new();
    let _ = big.read_to_end(&mut answer); // a reset is allowed, as said above
    assert!(
        answer.is_empty() || answer.starts_with(b"HTTP/1.1 431"),
        "{}",
        String::from_utf8_lossy(&answer[..answer.len().min(200)])
    );
    let mut fresh = connect(addr);
    assert_eq!(get(&mut fresh, "/work?id=5&bytes=8").body, io::body(5, 8));
}
