//! How a server starts and stops: an address in use, a request in flight at
//! SIGTERM (and one dropped after the grace, at SIGINT), and the open-file limit.

use std::{
    io::{ErrorKind, Read, Write},
    net::TcpStream,
    thread,
    time::Duration,
};

use workload::io;

use super::{
    Server, Serves,
    answers::{connect, get, read_response},
};
use crate::cli;

/// On SIGTERM a request in flight gets its answer and the server exits 0, an idle
/// keep-alive connection not holding it up, and a request sent on it after the
/// signal closed unanswered; on SIGINT with a grace shorter than the requests'
/// delay, it exits 1 and says how many it dropped (two where it serves two
/// connections at once: the processes server sums its workers'); and a client
/// that never reads its answer holds up neither the stop nor its exit status.
/// (So each signal meets a request in flight; `check_server` also stops an idle
/// server with SIGINT.)
pub fn check_in_flight(program: &[&str], serves: Serves) {
    check_in_flight_on(program, serves, serves.workers());
}

/// [`check_in_flight`] with `--workers workers`: a runtime that changes its
/// kind with the count (tokio's current-thread runtime at 1) stops alike.
pub fn check_in_flight_on(program: &[&str], serves: Serves, workers: usize) {
    let workers = &workers.to_string();
    let in_flight = |addr: &str, delay_ms: u64, bytes: u64| {
        let mut stream = connect(addr);
        let request =
            format!("GET /work?id=4&delay_ms={delay_ms}&bytes={bytes} HTTP/1.1\r\nHost: t\r\n\r\n");
        stream
            .write_all(request.as_bytes())
            .expect("send a request");
        stream
    };
    let server = Server::start(&[], program, &["--workers", workers]);
    // An idle keep-alive connection must not hold the shutdown up (an iterative
    // server would serve only it, and never see the request in flight).
    let mut idle = (serves != Serves::OneAtATime).then(|| connect(&server.addr));
    if let Some(idle) = &mut idle {
        assert_eq!(get(idle, "/work?id=1&bytes=2").status, 200);
    }
    let mut stream = in_flight(&server.addr, 1_500, 8);
    thread::sleep(Duration::from_millis(300));
    server.signal("TERM");
    thread::sleep(Duration::from_millis(200));
    if let Some(idle) = &mut idle {
        closed_unanswered(idle);
    }
    let (status, stderr) = server.wait(Duration::from_secs(10));
    assert_eq!(status.code(), Some(0), "exit 0 on SIGTERM: {stderr}");
    let response = read_response(&mut stream);
    assert_eq!(
        response.body,
        io::body(4, 8),
        "the request in flight finished"
    );

    let server = Server::start(&[], program, &["--workers", workers, "--grace-ms", "300"]);
    let at_once = if serves == Serves::OneAtATime { 1 } else { 2 };
    let _streams: Vec<_> = (0..at_once)
        .map(|_| in_flight(&server.addr, 5_000, 8))
        .collect();
    thread::sleep(Duration::from_millis(300));
    let (status, stderr) = server.stop("INT", Duration::from_secs(10));
    assert_eq!(status.code(), Some(1), "{stderr}");
    let dropped =
        format!("Error: dropped {at_once} request(s) still in flight after the 300 ms grace");
    assert_eq!(stderr.lines().last(), Some(dropped.as_str()), "{stderr}");

    // 16 MiB no socket buffer holds: its write waits for a reader that never comes.
    let server = Server::start(&[], program, &["--workers", workers, "--grace-ms", "300"]);
    let _unread = in_flight(&server.addr, 0, io::MAX_BYTES);
    thread::sleep(Duration::from_millis(300));
    let (status, stderr) = server.stop("TERM", Duration::from_secs(10));
    assert_eq!(
        status.code(),
        Some(1),
        "a never-read answer is dropped: {stderr}"
    );
    assert_eq!(
        stderr.lines().last(),
        Some("Error: dropped 1 request(s) still in flight after the 300 ms grace"),
        "{stderr}"
    );
}

/// A request on a keep-alive connection after the server began to stop: the
/// connection closes without an answer.
fn closed_unanswered(stream: &mut TcpStream) {
    // The write may fail already: the server may have closed the connection.
    let _ = stream.write_all(b"GET /work?id=2&bytes=2 HTTP/1.1\r\nHost: t\r\n\r\n");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("set a read timeout");
    let mut byte = [0; 1];
    match stream.read(&mut byte) {
        Ok(0) => {}
        Err(e) if matches!(e.kind(), ErrorKind::ConnectionReset | ErrorKind::BrokenPipe) => {}
        other => panic!("a request after the stop must be closed unanswered: {other:?}"),
    }
}

/// `--listen` on a port that is taken: exit 1 with one `Error: listen on ADDR: ...`.
pub fn check_address_in_use(program: &[&str]) {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a port");
    let addr = taken.local_addr().expect("its address").to_string();
    let out = cli::output(program, &["--listen", &addr]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let last = stderr.lines().last().unwrap_or("");
    assert!(
        last.starts_with(&format!("Error: listen on {addr}: ")),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "no listening= line");
}

/// With 16 file descriptors, 40 connections: the server logs the failed accepts
/// at most once a second, and answers again once the connections are gone.
pub fn check_open_file_limit(program: &[&str], workers: &str) {
    let server = Server::start(
        &["prlimit", "--nofile=16:16"],
        program,
        &["--workers", workers],
    );
    let held: Vec<TcpStream> = (0..40).map(|_| connect(&server.addr)).collect();
    thread::sleep(Duration::from_millis(2_500));
    drop(held);
    thread::sleep(Duration::from_millis(500));
    let mut fresh = connect(&server.addr);
    assert_eq!(get(&mut fresh, "/work?id=5&bytes=8").body, io::body(5, 8));
    drop(fresh);
    let (_, stderr) = server.stop("KILL", Duration::from_secs(10));
    let said: Vec<&str> = stderr.lines().filter(|l| l.contains("accept: ")).collect();
    assert!(said.len() <= 4, "at most once a second: {stderr}");
    assert!(
        said.iter()
            .skip(1)
            .all(|l| l.contains("more since the last message")),
        "{stderr}"
    );
}
