//! What every serve program must do, as the api-server does: print its address,
//! answer the io workload's requests with the right bodies over keep-alive
//! connections (many at once, where the paradigm can), refuse bad queries, other
//! paths and methods, garbage and half requests with the api-server's answers and
//! keep serving, take a burst of 2,000 connections, let a request in flight finish
//! on SIGTERM (and count one it had to drop), keep serving at its open-file limit,
//! and leave no process behind. [`check_server`] runs all of it on a binary.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    process::{Child, ChildStderr, Command, Output, Stdio},
    sync::atomic::{AtomicU64, Ordering},
    thread,
    time::{Duration, Instant},
};

use workload::{
    http::{BlockingClient, Response, ResponseReader, write_request},
    io,
};

use crate::cli;

/// How many connections a server answers at once, which decides what the checks
/// may ask of it: a client that holds more keep-alive connections open than the
/// server serves at once waits for the server to come round to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serves {
    /// One connection at a time (an iterative server).
    OneAtATime,
    /// At most this many at once (a fixed pool); the checks start it with
    /// `--workers` set to it.
    Pool(usize),
    /// Every connection at once (a thread, task or process per connection).
    Every,
}

impl Serves {
    fn workers(self) -> usize {
        match self {
            Serves::Pool(n) => n,
            _ => 2,
        }
    }
}

/// A serve program, started with `--listen 127.0.0.1:0` in a session of its own.
pub struct Server {
    child: Option<Child>,
    pub addr: String,
    stderr: Option<thread::JoinHandle<String>>,
}

impl Server {
    /// Starts `program` with `args` through `prefix` (e.g. prlimit), and waits up to
    /// 20 s for its `listening=HOST:PORT` line.
    pub fn start(prefix: &[&str], program: &[&str], args: &[&str]) -> Self {
        let mut command = Command::new("setsid");
        command.args(prefix).args(program).args(args);
        let mut child = command
            .args(["--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start {program:?}: {e}"));
        let stderr = child.stderr.take().expect("stderr is piped");
        let stderr = thread::spawn(move || read_all(stderr));
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = std::sync::mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            // Err: the test gave up waiting; nothing to tell.
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(20)).unwrap_or_default();
        let Some(addr) = line.trim().strip_prefix("listening=") else {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = stderr.join().unwrap_or_default();
            panic!("{program:?}: first line {line:?}, not listening=HOST:PORT: {stderr}");
        };
        Self {
            addr: addr.to_string(),
            child: Some(child),
            stderr: Some(stderr),
        }
    }

    /// The server's pid, which is also its session's id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    /// Sends `signal` and waits up to `within` for the server to exit; returns
    /// its exit status and what it said on stderr.
    pub fn stop(mut self, signal: &str, within: Duration) -> (Output, String) {
        let mut child = self.child.take().expect("running");
        let session = child.id();
        let sent = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -{signal}");
        let deadline = Instant::now() + within;
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for the server") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the server did not exit within {within:?} of SIG{signal}");
            }
            thread::sleep(Duration::from_millis(10));
        };
        let stderr = self.stderr.take().expect("once").join().unwrap_or_default();
        // No process of its session may outlive it by more than a second.
        let deadline = Instant::now() + crate::tree::GRACE;
        while !cli::live_in_session(session).is_empty() {
            assert!(
                Instant::now() < deadline,
                "processes outlived the server: {:?}",
                cli::live_in_session(session)
            );
            thread::sleep(Duration::from_millis(20));
        }
        let output = Output {
            status,
            stdout: Vec::new(),
            stderr: stderr.clone().into_bytes(),
        };
        (output, stderr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // A failed check: kill its whole session, so nothing is left running.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn read_all(mut stderr: ChildStderr) -> String {
    let mut text = String::new();
    // Invalid UTF-8 or a read error ends what we keep; enough for a message.
    let _ = stderr.read_to_string(&mut text);
    text
}

/// Every check of this module on `program` (its command line before the flags),
/// whose connections are served as `serves` says.
pub fn check_server(program: &[&str], serves: Serves) {
    cli::check_flags(program);
    check_address_in_use(program);
    let workers = serves.workers().to_string();
    let server = Server::start(&[], program, &["--workers", &workers]);
    check_bodies(&server.addr, serves);
    check_refusals(&server.addr);
    check_burst(&server.addr, serves);
    let (out, stderr) = server.stop("INT", Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(0), "exit 0 on SIGINT: {stderr}");
    check_in_flight(program, serves);
    check_open_file_limit(program, &workers);
}

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

fn get(stream: &mut TcpStream, path: &str) -> Response {
    let raw = format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n");
    send(stream, raw.as_bytes())
}

fn connect(addr: &str) -> TcpStream {
    TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect to {addr}: {e}"))
}

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

/// On SIGTERM a request in flight gets its answer and the server exits 0; with a
/// grace shorter than the request's delay, it exits 1 and says it dropped one.
pub fn check_in_flight(program: &[&str], serves: Serves) {
    let workers = &serves.workers().to_string();
    let in_flight = |addr: &str, delay_ms: u64| {
        let mut stream = connect(addr);
        let request =
            format!("GET /work?id=4&delay_ms={delay_ms}&bytes=8 HTTP/1.1\r\nHost: t\r\n\r\n");
        stream
            .write_all(request.as_bytes())
            .expect("send a request");
        thread::sleep(Duration::from_millis(300));
        stream
    };
    let server = Server::start(&[], program, &["--workers", workers]);
    // An idle keep-alive connection must not hold the shutdown up (an iterative
    // server would serve only it, and never see the request in flight).
    let mut idle = (serves != Serves::OneAtATime).then(|| connect(&server.addr));
    if let Some(idle) = &mut idle {
        assert_eq!(get(idle, "/work?id=1&bytes=2").status, 200);
    }
    let mut stream = in_flight(&server.addr, 1_500);
    let (out, stderr) = server.stop("TERM", Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(0), "exit 0 on SIGTERM: {stderr}");
    let response = read_response(&mut stream);
    assert_eq!(
        response.body,
        io::body(4, 8),
        "the request in flight finished"
    );

    let server = Server::start(&[], program, &["--workers", workers, "--grace-ms", "300"]);
    let _stream = in_flight(&server.addr, 5_000);
    let (out, stderr) = server.stop("TERM", Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.lines().last(),
        Some("Error: dropped 1 request(s) still in flight after the 300 ms grace"),
        "{stderr}"
    );
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
