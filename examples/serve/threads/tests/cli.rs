//! threads-serve as the io clients meet it (see `testkit::serve`), and at its
//! limit on threads.

use std::{
    io::{ErrorKind, Read, Write},
    net::TcpStream,
    thread,
    time::{Duration, Instant},
};

use testkit::serve::{Server, send};

const EXE: &str = env!("CARGO_BIN_EXE_threads-serve");

#[test]
fn serves_like_the_api_server() {
    testkit::serve::check_server(&[EXE], testkit::serve::Serves::Every);
}

#[test]
fn hides_workers_from_its_help() {
    let help = testkit::cli::output(&[EXE], &["--help"]).stdout;
    assert!(!String::from_utf8_lossy(&help).contains("--workers"));
}

/// At the OS's limit on threads (here RLIMIT_AS, which each thread's stack counts
/// against) a connection is refused at once, without a look at /proc per refusal
/// (it refused about 40 a second at 3,000 threads), the log says why, and a
/// connection is served again as soon as a thread ends.
#[test]
fn at_its_thread_limit_it_refuses_at_once_and_recovers() {
    let long = ["--head-timeout-ms", "60000"]; // no held thread ends on its own
    let server = Server::start(&["prlimit", "--as=419430400"], &[EXE], &long);
    // A head begun and never finished holds its thread (for the head timeout).
    let open = || {
        let mut stream = TcpStream::connect(&server.addr).expect("connect");
        stream.write_all(b"G").expect("send a byte");
        stream
    };
    let refused = |stream: &mut TcpStream, within: Duration| {
        stream
            .set_read_timeout(Some(within))
            .expect("a read timeout");
        match stream.read(&mut [0]) {
            Ok(n) => n == 0,
            Err(e) => matches!(e.kind(), ErrorKind::ConnectionReset | ErrorKind::BrokenPipe),
        }
    };
    let mut held = Vec::new();
    loop {
        let mut stream = open();
        if refused(&mut stream, Duration::from_millis(100)) {
            break;
        }
        held.push(stream);
        assert!(
            held.len() < 2_000,
            "no thread limit within 2,000 connections"
        );
    }
    let started = Instant::now();
    let mut more: Vec<_> = (0..300).map(|_| open()).collect();
    for stream in &mut more {
        assert!(
            refused(stream, Duration::from_secs(5)),
            "refused at the limit"
        );
    }
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "300 refusals took {took:?}");
    drop(held.pop());
    thread::sleep(Duration::from_millis(300));
    let mut stream = TcpStream::connect(&server.addr).expect("connect");
    let raw = b"GET /work?id=1&bytes=8 HTTP/1.1\r\nHost: t\r\n\r\n";
    assert_eq!(
        send(&mut stream, raw).status,
        200,
        "a thread ended: room again"
    );
    let (status, stderr) = server.stop("TERM", Duration::from_secs(10));
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("threads-serve: accept: no room for another connection thread ("),
        "{stderr}"
    );
}
