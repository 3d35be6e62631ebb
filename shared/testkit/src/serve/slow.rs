//! Slow and silent clients: heads a byte a second, connections that say nothing,
//! keep-alive connections left idle; closed at their deadlines, while a server
//! with a connection each goes on answering the others.

use std::{
    io::{ErrorKind, Read, Write},
    net::TcpStream,
    thread,
    time::{Duration, Instant},
};

use workload::io;

use super::{
    Serves,
    answers::{connect, get, read_response},
    hostile::start,
};

/// Slow heads (a byte a second, never complete) and silent connections are
/// closed after the head timeout (3 s here, 1 s for a pool); a keep-alive
/// connection idle for the idle timeout too. A concurrent server answers normal
/// requests within `fair` (p99 of 20) during 2,000 slow clients; a pool of W (or a
/// server of one) is held by W of them (or one) for about the head timeout, and
/// serves again after it.
pub fn check_slow_clients(program: &[&str], serves: Serves, fair: Duration) {
    workload::sys::raise_open_file_limit().expect("raise the open-file limit");
    let (slow, head) = match serves {
        Serves::Every => (2_000, Duration::from_secs(3)),
        Serves::Pool(n) => (n, Duration::from_secs(1)),
        Serves::OneAtATime => (1, Duration::from_secs(1)),
    };
    let head_ms = head.as_millis().to_string();
    let server = start(
        program,
        serves,
        &["--head-timeout-ms", &head_ms, "--idle-timeout-ms", "1000"],
    );
    let started = Instant::now();
    let mut slow: Vec<_> = (0..slow)
        .map(|i| {
            let mut stream = connect(&server.addr);
            // Every other one is silent, the rest send a head a byte a second.
            if i % 2 == 1 {
                stream
                    .write_all(b"GET /work?id=1 HTTP/1.1\r\n")
                    .expect("send a first line");
            }
            stream.set_nonblocking(true).expect("nonblocking");
            (stream, false)
        })
        .collect();
    // Notes which are closed; with `send`, the slow ones send their next byte.
    let keep_sending = |slow: &mut Vec<(TcpStream, bool)>, send: bool| {
        for (i, (stream, closed)) in slow.iter_mut().enumerate() {
            if *closed {
                continue;
            }
            let mut byte = [0; 1];
            *closed = match stream.read(&mut byte) {
                Ok(_) => true, // 0: closed; a byte: an answer, which a slow head must not get
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    send && i % 2 == 1 && stream.write_all(b"X").is_err()
                }
                Err(_) => true,
            };
        }
    };
    if serves == Serves::Every {
        let mut stream = connect(&server.addr);
        let mut latencies: Vec<_> = (0..20)
            .map(|i| {
                keep_sending(&mut slow, i % 10 == 0);
                thread::sleep(Duration::from_millis(100));
                let asked = Instant::now();
                let body = get(&mut stream, &format!("/work?id={i}&bytes=8")).body;
                assert_eq!(body, io::body(i, 8));
                asked.elapsed()
            })
            .collect();
        latencies.sort();
        let p99 = latencies[latencies.len() * 99 / 100 - 1];
        assert!(
            p99 < fair,
            "p99 {p99:?} during {} slow clients (for {:?}): {latencies:?}",
            slow.len(),
            started.elapsed()
        );
    } else {
        // The pool (or the one thread) is theirs until the head timeout frees it.
        let mut stream = connect(&server.addr);
        stream
            .write_all(b"GET /work?id=3&bytes=8 HTTP/1.1\r\nHost: t\r\n\r\n")
            .expect("send");
        let answer = read_response(&mut stream);
        let took = started.elapsed();
        assert_eq!(answer.body, io::body(3, 8));
        assert!(
            took > head / 2 && took < head * 3,
            "served after {took:?}, the bound is about {head:?}"
        );
    }
    let mut round = 0;
    while started.elapsed() < head + Duration::from_millis(1_500) {
        keep_sending(&mut slow, round % 4 == 0);
        thread::sleep(Duration::from_millis(250));
        round += 1;
    }
    keep_sending(&mut slow, false);
    let open = slow.iter().filter(|(_, closed)| !closed).count();
    assert_eq!(
        open,
        0,
        "slow heads still open {:?} after the head timeout",
        started.elapsed()
    );
    // A keep-alive connection idle past the idle timeout is closed too.
    let mut idle = connect(&server.addr);
    assert_eq!(get(&mut idle, "/work?id=1&bytes=1").status, 200);
    idle.set_read_timeout(Some(Duration::from_secs(3)))
        .expect("a read timeout");
    let since = Instant::now();
    let read = idle.read(&mut [0; 1]);
    let took = since.elapsed();
    let closed = match &read {
        Ok(n) => *n == 0,
        Err(e) => matches!(e.kind(), ErrorKind::ConnectionReset | ErrorKind::BrokenPipe),
    };
    assert!(
        closed && took >= Duration::from_millis(500),
        "idle connection: {read:?} after {took:?}"
    );
}
