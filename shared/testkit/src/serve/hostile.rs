//! What a hostile client must not do to a server: starve the others with a flood
//! of pipelined requests, grow its memory by never reading, hold it with a slow
//! or silent head, keep it busy for a request whose client has gone, or keep it
//! from stopping. Where a paradigm serves a fixed number of connections (a pool,
//! or one at a time), the checks assert its stated bound instead: W slow clients
//! hold a pool of W for about the head timeout, and no longer.

use std::{
    io::{ErrorKind, Read, Write},
    net::TcpStream,
    process::{Command, Stdio},
    sync::atomic::{AtomicBool, Ordering},
    thread,
    time::{Duration, Instant},
};

use workload::io;

use super::{
    Server, Serves,
    answers::{connect, get, read_response},
};
use crate::cli;

/// A normal request's latency that a concurrent server keeps under a flood or
/// many slow clients.
pub const FAIR: Duration = Duration::from_millis(50);

/// Every check of this module on `program`; `fair` is the latency a normal
/// request keeps during a flood or many slow clients ([`FAIR`] but where a
/// paradigm cannot, and its README row says so).
pub fn check_hostile(program: &[&str], serves: Serves, fair: Duration) {
    check_flood(program, serves, fair);
    check_non_reading(program, serves);
    check_slow_clients(program, serves, fair);
    check_vanishing(program, serves);
    check_second_signal(program, serves);
    check_second_copy(program, serves);
}

fn start(program: &[&str], serves: Serves, extra: &[&str]) -> Server {
    let workers = serves.workers().to_string();
    let args = [&["--workers", &workers][..], extra].concat();
    Server::start(&[], program, &args)
}

/// Two connections pipeline small requests without pause for about 2 s; a
/// normal request on a third connection keeps its p99 under `fair`. (Not
/// for a server that serves one connection at a time: a flood holds it by design.)
pub fn check_flood(program: &[&str], serves: Serves, fair: Duration) {
    let serves = match serves {
        Serves::OneAtATime => return,
        Serves::Pool(_) => Serves::Pool(3), // room for the two floods and the probe
        Serves::Every => Serves::Every,
    };
    let server = start(program, serves, &[]);
    let stop = AtomicBool::new(false);
    let latencies = thread::scope(|scope| {
        for _ in 0..2 {
            let mut stream = connect(&server.addr);
            let mut drain = stream.try_clone().expect("clone a stream");
            let stop = &stop;
            scope.spawn(move || {
                let batch = "GET /work?id=1&bytes=16 HTTP/1.1\r\nHost: t\r\n\r\n".repeat(64);
                while !stop.load(Ordering::Relaxed) && stream.write_all(batch.as_bytes()).is_ok() {}
                let _ = stream.shutdown(std::net::Shutdown::Both);
            });
            scope.spawn(move || {
                let mut buf = vec![0; 64 << 10];
                while matches!(drain.read(&mut buf), Ok(n) if n > 0) {}
            });
        }
        thread::sleep(Duration::from_millis(300)); // the floods are under way
        let latencies = probe(&server.addr, 60, Duration::from_millis(20));
        stop.store(true, Ordering::Relaxed);
        latencies
    });
    let p99 = latencies[latencies.len() * 99 / 100 - 1];
    assert!(p99 < fair, "p99 {p99:?} under a flood: {latencies:?}");
    drop(server);
}

/// `count` requests on one keep-alive connection, `every` apart: their latencies, sorted.
fn probe(addr: &str, count: usize, every: Duration) -> Vec<Duration> {
    let mut stream = connect(addr);
    let mut latencies: Vec<_> = (0..count)
        .map(|i| {
            thread::sleep(every);
            let started = Instant::now();
            let body = get(&mut stream, &format!("/work?id={i}&bytes=16")).body;
            assert_eq!(body, io::body(i as u64, 16));
            started.elapsed()
        })
        .collect();
    latencies.sort();
    latencies
}

/// 200 connections ask for 16 MiB each and never read: the server's memory
/// (its whole process tree) grows by less than 64 MiB; then connections that read
/// a 16 MiB answer each and stay idle do not keep it either.
pub fn check_non_reading(program: &[&str], serves: Serves) {
    const LIMIT_KIB: u64 = 64 << 10;
    let server = start(program, serves, &[]);
    let _ = get(&mut connect(&server.addr), "/work?id=1&bytes=16"); // warmed up
    let before = tree_rss_kib(server.pid());
    let stuck: Vec<TcpStream> = (0..200u64)
        .map(|id| {
            let mut stream = connect(&server.addr);
            let request = format!(
                "GET /work?id={id}&bytes={} HTTP/1.1\r\nHost: t\r\n\r\n",
                io::MAX_BYTES
            );
            stream
                .write_all(request.as_bytes())
                .expect("send a request");
            stream
        })
        .collect();
    thread::sleep(Duration::from_secs(3));
    let grown = tree_rss_kib(server.pid()).saturating_sub(before);
    assert!(
        grown < LIMIT_KIB,
        "200 clients that never read grew the server by {grown} KiB"
    );
    drop(stuck);
    thread::sleep(Duration::from_millis(500));
    let before = tree_rss_kib(server.pid());
    let idle = match serves {
        Serves::Every => 20,
        Serves::Pool(n) => n,
        Serves::OneAtATime => 0, // one at a time: an idle client would hold it
    };
    let idle: Vec<TcpStream> = (0..idle)
        .map(|id| {
            let mut stream = connect(&server.addr);
            let body = get(
                &mut stream,
                &format!("/work?id={id}&bytes={}", io::MAX_BYTES),
            )
            .body;
            assert_eq!(body.len() as u64, io::MAX_BYTES);
            stream
        })
        .collect();
    thread::sleep(Duration::from_millis(300));
    let grown = tree_rss_kib(server.pid()).saturating_sub(before);
    assert!(
        grown < LIMIT_KIB,
        "{} idle connections after 16 MiB answers hold {grown} KiB",
        idle.len()
    );
    drop(idle);
}

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

/// The resident memory of `pid`'s session (the server and its processes), KiB.
fn tree_rss_kib(pid: u32) -> u64 {
    cli::live_in_session(pid)
        .into_iter()
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/status")).ok())
        .filter_map(|status| {
            let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .sum()
}

/// The CPU time `pid`'s session has used, user and system.
pub(super) fn tree_cpu(pid: u32) -> Duration {
    let ticks: u64 = cli::live_in_session(pid)
        .into_iter()
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/stat")).ok())
        .filter_map(|stat| {
            let fields: Vec<u64> = stat
                .rsplit_once(')')?
                .1
                .split_whitespace()
                .skip(11)
                .take(2)
                .map(|f| f.parse().unwrap_or(0))
                .collect();
            Some(fields.iter().sum::<u64>())
        })
        .sum();
    Duration::from_millis(ticks * 10) // USER_HZ is 100 on Linux
}
