//! How a server starts and stops: an address in use (a second copy of itself
//! too), a request in flight at SIGTERM (and one dropped after the grace, at
//! SIGINT, or at once at a second signal), requests whose clients left before
//! their answer, and the open-file limit.

use std::{
    io::{ErrorKind, Read, Write},
    net::TcpStream,
    process::{Command, Stdio},
    thread,
    time::{Duration, Instant},
};

use workload::io;

use super::{
    Server, Serves,
    answers::{connect, get, read_response},
    hostile::start,
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

/// With 32 file descriptors, 80 connections: the server logs the failed accepts
/// at most once a second, and answers again once the connections are gone. 32,
/// not fewer: a runtime per core holds its own descriptors (tokio's: epoll, its
/// copy, an eventfd, the signal pipe's copy), 5 + 5W in tokio-per-core-serve.
pub fn check_open_file_limit(program: &[&str], workers: &str) {
    let server = Server::start(
        &["prlimit", "--nofile=32:32"],
        program,
        &["--workers", workers],
    );
    let held: Vec<TcpStream> = (0..80).map(|_| connect(&server.addr)).collect();
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

/// Requests of 10 s whose clients hang up (one closes, one resets) are cancelled:
/// the server (a pool of two included) answers a next request at once, and a
/// SIGTERM finds nothing in flight.
pub fn check_vanishing(program: &[&str], serves: Serves) {
    let server = start(program, serves, &[]);
    let gone = match serves {
        Serves::OneAtATime => 1,
        _ => 2,
    };
    let clients: Vec<TcpStream> = (0..gone)
        .map(|_| {
            let mut stream = connect(&server.addr);
            stream
                .write_all(b"GET /work?id=1&delay_ms=10000 HTTP/1.1\r\nHost: t\r\n\r\n")
                .expect("send a request");
            stream
        })
        .collect();
    thread::sleep(Duration::from_millis(300));
    for (i, stream) in clients.into_iter().enumerate() {
        if i == 1 {
            // A reset rather than a close: SO_LINGER 0.
            let socket = socket2::SockRef::from(&stream);
            socket.set_linger(Some(Duration::ZERO)).expect("SO_LINGER");
        }
        drop(stream);
    }
    let asked = Instant::now();
    let mut stream = connect(&server.addr);
    assert_eq!(get(&mut stream, "/work?id=2&bytes=8").body, io::body(2, 8));
    let took = asked.elapsed();
    assert!(
        took < Duration::from_secs(2),
        "answered {took:?} after its clients left"
    );
    drop(stream);
    let stopping = Instant::now();
    let (status, stderr) = server.stop("TERM", Duration::from_secs(15));
    assert_eq!(status.code(), Some(0), "{stderr}");
    let took = stopping.elapsed();
    assert!(
        took < Duration::from_secs(3),
        "stopped {took:?} after SIGTERM: {stderr}"
    );
}

/// A second SIGINT during the grace stops the server at once: exit 1, and the
/// requests it dropped said.
pub fn check_second_signal(program: &[&str], serves: Serves) {
    let server = start(program, serves, &[]);
    let mut stream = connect(&server.addr);
    stream
        .write_all(b"GET /work?id=1&delay_ms=5000 HTTP/1.1\r\nHost: t\r\n\r\n")
        .expect("send a request");
    thread::sleep(Duration::from_millis(300));
    server.signal("INT");
    thread::sleep(Duration::from_millis(300));
    server.signal("INT");
    let signalled = Instant::now();
    let (status, stderr) = server.wait(Duration::from_secs(10));
    assert!(
        signalled.elapsed() < Duration::from_secs(2),
        "{:?}: {stderr}",
        signalled.elapsed()
    );
    assert_eq!(status.code(), Some(1), "{stderr}");
    let last = stderr.lines().last().unwrap_or("");
    assert!(
        last.starts_with("Error: stopped by a second signal: dropped "),
        "{stderr}"
    );
    assert!(last.ends_with(" request(s) still in flight"), "{stderr}");
}

/// A second copy on a running server's address refuses to start, as on any
/// address in use (`SO_REUSEPORT` would let it share the port silently).
pub fn check_second_copy(program: &[&str], serves: Serves) {
    let server = start(program, serves, &[]);
    let mut second = cli::command(program)
        .args(["--listen", &server.addr])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start a second copy");
    let deadline = Instant::now() + Duration::from_secs(10);
    while second.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = second.kill();
            let _ = Command::new("pkill")
                .args(["-KILL", "-P", &second.id().to_string()])
                .status();
            let _ = second.wait();
            panic!("a second copy on {} started", server.addr);
        }
        thread::sleep(Duration::from_millis(20));
    }
    let out = second.wait_with_output().expect("its output");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let last = stderr.lines().last().unwrap_or("");
    assert!(
        last.starts_with(&format!("Error: listen on {}: ", server.addr)),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "no listening= line");
}
