//! What a server answers: the io workload's bodies over keep-alive connections,
//! the api-server's refusals, and a burst of connections.

use std::{
    io::{Read, Write},
    net::TcpStream,
    sync::atomic::{AtomicU64, Ordering},
    thread,
    time::{Duration, Instant},
};

use workload::{
    http::{Response, ResponseReader, write_request},
    io,
};

use super::Serves;
use crate::client::BlockingClient;

/// Reaches the io checksum through the server: requests over keep-alive
/// connections from one shared id counter, as the io clients make them, and (where
/// the server serves more than one connection at once) delays that overlap.
pub fn check_bodies(addr: &str, serves: Serves) {
    let (connections, delay_ms) = match serves {
        Serves::OneAtATime => (3, 0),
        Serves::Pool(n) => (n, 20),
        Serves::Every => (50, 200),
    };
    for (requests, bytes) in [(1, 1_024), (300, 1_000), (5, 0), (2, 1 << 20)] {
        let sum = load(addr, requests, connections, 0, bytes);
        assert_eq!(sum, io::expected_checksum(requests, bytes as usize, 0));
    }
    // Each connection's requests wait out the delay at the same time as the others'.
    let requests = 2 * connections as u64;
    let start = Instant::now();
    let sum = load(addr, requests, connections, delay_ms, 64);
    assert_eq!(sum, io::expected_checksum(requests, 64, 0));
    let took = start.elapsed();
    let alone = Duration::from_millis(2 * delay_ms);
    assert!(
        took >= alone && took < alone * 3 + Duration::from_secs(1),
        "{requests} requests of {delay_ms} ms over {connections} connections took {took:?}"
    );
}

/// Makes `requests` requests over `connections` blocking keep-alive connections
/// (threads taking ids from one counter) and returns the sum of the bodies' hashes.
fn load(addr: &str, requests: u64, connections: usize, delay_ms: u64, bytes: u64) -> u64 {
    let next = AtomicU64::new(0);
    let patience = Duration::from_millis(delay_ms + 10_000);
    thread::scope(|scope| {
        let workers: Vec<_> = (0..connections)
            .map(|_| {
                scope.spawn(|| {
                    let mut client = BlockingClient::new(addr, patience);
                    let mut sum = 0u64;
                    loop {
                        let id = next.fetch_add(1, Ordering::Relaxed);
                        if id >= requests {
                            return sum;
                        }
                        let answer = client
                            .get(id, delay_ms, bytes)
                            .unwrap_or_else(|e| panic!("request {id}: {e}"));
                        sum = sum.wrapping_add(io::fnv1a64(&answer.body));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("a client thread"))
            .fold(0, u64::wrapping_add)
    })
}

/// Sends `raw` and reads one response.
pub fn send(stream: &mut TcpStream, raw: &[u8]) -> Response {
    stream.write_all(raw).expect("send a request");
    read_response(stream)
}

/// Reads one response, or panics after 10 s.
pub fn read_response(stream: &mut TcpStream) -> Response {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("set a read timeout");
    let mut reader = ResponseReader::default();
    let mut chunk = [0; 4096];
    loop {
        let n = stream.read(&mut chunk).expect("read a response");
        if let Some(response) = reader.feed(&chunk[..n]).expect("a response") {
            return response;
        }
    }
}

pub(super) fn get(stream: &mut TcpStream, path: &str) -> Response {
    let raw = format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n");
    send(stream, raw.as_bytes())
}

pub(super) fn connect(addr: &str) -> TcpStream {
    TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect to {addr}: {e}"))
}

/// 2,000 connections at once, each with its request sent before any answer is
/// read. A server that serves every connection at once waits out their delays
/// together, over keep-alive connections; the others get `Connection: close`
/// requests without a delay, so that each connection ends after its answer and the
/// server can come round to the next.
pub fn check_burst(addr: &str, serves: Serves) {
    workload::sys::raise_open_file_limit().expect("raise the open-file limit");
    let every = serves == Serves::Every;
    let mut streams: Vec<_> = (0..2_000u64)
        .map(|id| {
            let mut stream = connect(addr);
            let request = match every {
                true => {
                    let mut request = Vec::new();
                    write_request(&mut request, "t", id, 100, 64);
                    request
                }
                false => format!(
                    "GET /work?id={id}&bytes=64 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                )
                .into_bytes(),
            };
            stream.write_all(&request).expect("send a request");
            stream
        })
        .collect();
    let mut checksum = 0u64;
    for stream in &mut streams {
        let body = read_response(stream).into_ok_body().expect("a 200 answer");
        checksum = checksum.wrapping_add(io::fnv1a64(&body));
    }
    assert_eq!(checksum, io::expected_checksum(2_000, 64, 0));
}
