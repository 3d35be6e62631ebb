//! HTTP as RFC 9110 and 9112 say, as the api-server (hyper) answers it: targets in
//! absolute form or with a fragment, request bodies (chunked too) read and
//! dropped, lengths two parsers could read apart refused, `HEAD` without a body,
//! HTTP/1.0 keep-alive said, `Expect: 100-continue` answered, a half-closed
//! request answered, and a head sent a byte at a time read at a linear cost.

use std::{
    io::{Read, Write},
    net::Shutdown,
    thread,
    time::Duration,
};

use workload::io;

use super::{
    answers::{connect, get, read_response, send},
    hostile::tree_cpu,
};

/// Every rule of this module against the server at `addr` (pid `pid`).
pub fn check_http_rules(addr: &str, pid: u32) {
    // One connection at a time, each closed as the next opens: a server that serves
    // one at a time (sequential) would wait on an open one for its idle timeout.
    let mut stream = connect(addr);
    let absolute = format!("GET http://{addr}/work?id=5&bytes=8 HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    assert_eq!(
        send(&mut stream, absolute.as_bytes()).body,
        io::body(5, 8),
        "absolute form"
    );
    let fragment = send(
        &mut stream,
        b"GET /work?id=6&bytes=8#top HTTP/1.1\r\nHost: t\r\n\r\n",
    );
    assert_eq!(fragment.body, io::body(6, 8), "a fragment is dropped");
    let chunked = b"POST /work?id=1 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n\
                    5\r\nhello\r\n0\r\n\r\n";
    assert_eq!(
        send(&mut stream, chunked).status,
        405,
        "a chunked body is read"
    );
    assert_eq!(
        get(&mut stream, "/work?id=7&bytes=8").body,
        io::body(7, 8),
        "and dropped"
    );
    for (raw, what) in [
        (&b"POST /work?id=1 HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxy"[..],
            "two Content-Length"),
        (b"POST /work?id=1 HTTP/1.1\r\nHost: t\r\nContent-Length: +1\r\n\r\nx", "Content-Length: +1"),
    ] {
        stream = connect(addr);
        assert_eq!(send(&mut stream, raw).status, 400, "{what}");
    }
    // HEAD: the head of a 405, no body: the next answer follows it directly.
    stream = connect(addr);
    stream
        .write_all(b"HEAD /work?id=1 HTTP/1.1\r\nHost: t\r\n\r\nGET /work?id=2&bytes=3 HTTP/1.1\r\nHost: t\r\n\r\n")
        .expect("send");
    let both = read_until(&mut stream, |got| got.ends_with(&io::body(2, 3)));
    let text = String::from_utf8_lossy(&both);
    assert!(text.starts_with("HTTP/1.1 405 "), "{text}");
    let second = text
        .find("\r\n\r\n")
        .map(|end| &text[end + 4..])
        .unwrap_or("");
    assert!(
        second.starts_with("HTTP/1.1 200 "),
        "no body after HEAD's head: {text:?}"
    );
    // HTTP/1.0 with keep-alive: said in the answer, and the connection stays open.
    stream = connect(addr);
    let old = b"GET /work?id=1&bytes=4 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
    stream.write_all(old).expect("send");
    let head = read_until(&mut stream, |got| got.ends_with(&io::body(1, 4)));
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    assert!(head.contains("\r\nconnection: keep-alive\r\n"), "{head}");
    assert_eq!(send(&mut stream, old).status, 200, "kept alive");
    // Expect: 100-continue: the client hears from the server before it sends its body.
    stream = connect(addr);
    let expect =
        b"POST /work?id=1 HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
    stream.write_all(expect).expect("send");
    // The interim answer and the final one may come in one segment: one reading.
    let heard = |got: &[u8], head: &str| String::from_utf8_lossy(got).contains(head);
    let mut got = read_until(&mut stream, |got| heard(got, "\r\n\r\n"));
    if got.starts_with(b"HTTP/1.1 100 ") {
        stream.write_all(b"abc").expect("send the body");
        if !heard(&got, "HTTP/1.1 405 ") {
            got.extend(read_until(&mut stream, |got| heard(got, "HTTP/1.1 405 ")));
        }
        got.drain(..b"HTTP/1.1 100 Continue\r\n\r\n".len());
    }
    let text = String::from_utf8_lossy(&got);
    assert!(
        text.starts_with("HTTP/1.1 405 "),
        "Expect: 100-continue: {text:?}"
    );
    // A request followed by a half-close is answered.
    stream = connect(addr);
    stream
        .write_all(b"GET /work?id=8&bytes=8 HTTP/1.1\r\nHost: t\r\n\r\n")
        .expect("send");
    stream.shutdown(Shutdown::Write).expect("half-close");
    assert_eq!(
        read_response(&mut stream).body,
        io::body(8, 8),
        "half-closed"
    );
    // A 60 KB head a byte per segment: each byte scanned once, not the head again.
    stream = connect(addr);
    stream.set_nodelay(true).expect("TCP_NODELAY");
    let head = format!(
        "GET /work?id=9&bytes=8 HTTP/1.1\r\nHost: t\r\nX: {}\r\n\r\n",
        "a".repeat(60_000)
    );
    let before = tree_cpu(pid);
    for byte in head.as_bytes() {
        stream.write_all(&[*byte]).expect("send a byte");
    }
    assert_eq!(read_response(&mut stream).body, io::body(9, 8));
    let spent = tree_cpu(pid) - before;
    assert!(
        spent < Duration::from_millis(1_500),
        "a 60 KB head a byte at a time cost {spent:?} of CPU"
    );
}

/// Reads until `done` says what came is complete (10 s at most).
fn read_until(stream: &mut std::net::TcpStream, done: impl Fn(&[u8]) -> bool) -> Vec<u8> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("a read timeout");
    let (mut got, mut buf) = (Vec::new(), [0; 4096]);
    while !done(&got) {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
        thread::yield_now();
    }
    got
}
