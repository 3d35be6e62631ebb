//! What a hostile client must not do to a server: starve the others with a flood
//! of pipelined requests, grow its memory by never reading, hold it with a slow
//! or silent head, keep it busy for a request whose client has gone, or keep it
//! from stopping ([`check_hostile`] runs them all; the slow ones are in `slow.rs`,
//! those that leave or signal in `stopping.rs`). Where a paradigm serves a fixed
//! number of connections (a pool, or one at a time), the checks assert its stated
//! bound instead: W slow clients hold a pool of W for about the head timeout, and
//! no longer.

use std::{
    io::{Read, Write},
    net::TcpStream,
    sync::atomic::{AtomicBool, Ordering},
    thread,
    time::{Duration, Instant},
};

use workload::io;

use super::{
    Server, Serves,
    answers::{connect, get},
    check_second_copy, check_second_signal, check_slow_clients, check_vanishing,
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

pub(super) fn start(program: &[&str], serves: Serves, extra: &[&str]) -> Server {
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
