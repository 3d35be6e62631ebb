//! The api-server against DESIGN.md, over real sockets on 127.0.0.1:0.

use std::{
    io::{Read, Write},
    net::TcpStream,
    process::Command,
    time::{Duration, Instant},
};

use api_server::Embedded;
use workload::http::{Response, ResponseReader, write_request};

fn send(stream: &mut TcpStream, raw: &[u8]) -> Response {
    stream.write_all(raw).unwrap();
    read_response(stream)
}

fn read_response(stream: &mut TcpStream) -> Response {
    let mut reader = ResponseReader::default();
    let mut chunk = [0; 4096];
    loop {
        let n = stream.read(&mut chunk).unwrap();
        if let Some(response) = reader.feed(&chunk[..n]).unwrap() {
            return response;
        }
    }
}

fn get(stream: &mut TcpStream, path: &str) -> Response {
    send(
        stream,
        format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n").as_bytes(),
    )
}

#[test]
fn bodies_follow_the_spec_over_one_keep_alive_connection() {
    let server = Embedded::start().unwrap();
    let mut stream = TcpStream::connect(server.addr()).unwrap();
    let mut checksum = 0u64;
    for id in 0..20 {
        let mut request = Vec::new();
        write_request(&mut request, &server.addr().to_string(), id, 0, 1_024);
        let response = send(&mut stream, &request);
        assert!(!response.close);
        let body = response.into_ok_body().unwrap();
        assert_eq!(body, workload::io::body(id, 1_024));
        checksum = checksum.wrapping_add(workload::io::fnv1a64(&body));
    }
    assert_eq!(checksum, workload::io::expected_checksum(20, 1_024, 0));
    // Odd sizes, the defaults, and the largest body.
    assert_eq!(
        get(&mut stream, "/work?id=3&bytes=13").body,
        workload::io::body(3, 13)
    );
    assert_eq!(get(&mut stream, "/work?id=3").body.len(), 1_024);
    assert_eq!(
        get(&mut stream, "/work?id=3&bytes=16777216").body.len(),
        16 << 20
    );
}

#[test]
fn the_delay_is_waited_without_holding_other_requests() {
    let server = Embedded::start().unwrap();
    let start = Instant::now();
    let mut streams: Vec<_> = (0..50)
        .map(|id| {
            let mut stream = TcpStream::connect(server.addr()).unwrap();
            stream
                .write_all(
                    format!("GET /work?id={id}&delay_ms=200 HTTP/1.1\r\nHost: t\r\n\r\n")
                        .as_bytes(),
                )
                .unwrap();
            stream
        })
        .collect();
    for stream in &mut streams {
        assert_eq!(read_response(stream).status, 200);
    }
    let took = start.elapsed();
    // 50 x 200 ms in sequence would be 10 s; concurrently it is one delay.
    assert!(took >= Duration::from_millis(200), "{took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn bad_requests_get_a_reason_and_the_server_stays_up() {
    let server = Embedded::start().unwrap();
    let mut stream = TcpStream::connect(server.addr()).unwrap();
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
        assert_eq!(
            (response.status, String::from_utf8(response.body).unwrap()),
            (status, reason.into())
        );
    }
    let post = send(
        &mut stream,
        b"POST /work?id=1 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n",
    );
    assert_eq!(post.status, 405);

    // Query values are percent-decoded, and a bad escape is a bad request.
    let decoded = get(&mut stream, "/work?id=%31%32&delay_ms=%30&bytes=1%36");
    assert_eq!(decoded.body, workload::io::body(12, 16));
    let bad_escape = get(&mut stream, "/work?id=%ff");
    assert_eq!(bad_escape.status, 400);
    // HTTP/1.1 requires Host (RFC 9112, 3.2); HTTP/1.0 does not.
    let no_host = send(&mut stream, b"GET /work?id=1 HTTP/1.1\r\n\r\n");
    assert_eq!(
        (no_host.status, String::from_utf8(no_host.body).unwrap()),
        (400, "Host: missing (HTTP/1.1 requires it)\n".into())
    );
    let mut old = TcpStream::connect(server.addr()).unwrap();
    let http_1_0 = send(&mut old, b"GET /work?id=3&bytes=4 HTTP/1.0\r\n\r\n");
    assert_eq!(http_1_0.body, workload::io::body(3, 4));

    // Garbage, a half request, and an abrupt hang-up, each on its own connection.
    for junk in [
        &b"\x16\x03\x01\x02\x00garbage\r\n\r\n"[..],
        b"GET /work?id=1 HTT",
        b"NOT HTTP AT ALL\r\n\r\n",
    ] {
        let mut bad = TcpStream::connect(server.addr()).unwrap();
        bad.write_all(junk).unwrap();
        drop(bad);
    }
    let mut bad = TcpStream::connect(server.addr()).unwrap();
    bad.write_all(b"BLAH\r\n\r\n").unwrap();
    let mut answer = Vec::new();
    // hyper answers a malformed request with 400 and closes the connection.
    bad.read_to_end(&mut answer).unwrap();
    assert!(
        answer.starts_with(b"HTTP/1.1 400"),
        "{}",
        String::from_utf8_lossy(&answer)
    );

    let mut fresh = TcpStream::connect(server.addr()).unwrap();
    assert_eq!(
        get(&mut fresh, "/work?id=5&bytes=8").body,
        workload::io::body(5, 8)
    );
}

#[test]
fn a_burst_of_2000_connections() {
    workload::sys::raise_open_file_limit().unwrap();
    let server = Embedded::start().unwrap();
    // Every connection is open, with its request sent, before any is read.
    let mut streams: Vec<_> = (0..2_000u64)
        .map(|id| {
            let mut stream = TcpStream::connect(server.addr()).unwrap();
            let mut request = Vec::new();
            write_request(&mut request, "t", id, 100, 64);
            stream.write_all(&request).unwrap();
            stream
        })
        .collect();
    let mut checksum = 0u64;
    for stream in &mut streams {
        let body = read_response(stream).into_ok_body().unwrap();
        checksum = checksum.wrapping_add(workload::io::fnv1a64(&body));
    }
    assert_eq!(checksum, workload::io::expected_checksum(2_000, 64, 0));
}

#[test]
fn the_binary_refuses_an_address_in_use_with_one_line() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let output = Command::new(env!("CARGO_BIN_EXE_api-server"))
        .args(["--listen", &addr])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    let last = stderr.lines().last().unwrap();
    assert!(
        last.starts_with(&format!("Error: listen on {addr}: ")),
        "{stderr}"
    );
}
