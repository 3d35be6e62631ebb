//! What the io clients' tests share: a deliberately odd or broken HTTP server (a
//! client must read any valid HTTP/1.1 and fail loudly, naming the request, on
//! anything else), [`check_run`] for each example's unit tests, and
//! [`check_binary`] for its binary. The fake server is plain std threads, one per
//! connection; it serves until the test process ends.

use std::{
    io::{Read, Write},
    net::{SocketAddr, TcpListener, TcpStream},
    process::{Command, Output},
    thread,
    time::Duration,
};

use workload::{Error, IoArgs, Workload};

use crate::parse_query;

/// How the fake server answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Correct bodies, in odd but valid HTTP: header names in odd case and order,
    /// extra headers, and the response written in small pieces with pauses, so
    /// that it reaches the client split across many reads.
    OddButValid,
    /// Reads the request, then closes the connection without a word.
    CloseBeforeAnswer,
    /// Sends the head and half the body, then closes.
    CloseMidBody,
    /// Answers `503 Service Unavailable`.
    Unavailable,
}

/// Each fault, and the words a client's error must contain for it.
pub const FAULTS: [(Behaviour, &str); 3] = [
    (
        Behaviour::CloseBeforeAnswer,
        "connection closed before a response",
    ),
    (
        Behaviour::CloseMidBody,
        "connection closed in the middle of a response",
    ),
    (
        Behaviour::Unavailable,
        "server answered 503 Service Unavailable",
    ),
];

/// Starts a fake server on 127.0.0.1:0 and returns its address.
pub fn start(behaviour: Behaviour) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let addr = listener
        .local_addr()
        .expect("a bound listener has an address");
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            thread::spawn(move || serve(stream, behaviour));
        }
    });
    addr
}

fn serve(mut stream: TcpStream, behaviour: Behaviour) {
    let mut pending = Vec::new();
    let mut chunk = [0; 4096];
    loop {
        // Read one request head; a client that hangs up ends the connection.
        let head_len = loop {
            if let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                break end + 4;
            }
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => pending.extend_from_slice(&chunk[..n]),
            }
        };
        let mut headers = [httparse::EMPTY_HEADER; 16];
        let mut request = httparse::Request::new(&mut headers);
        let path = match request.parse(&pending[..head_len]) {
            Ok(_) => request.path.unwrap_or("").to_string(),
            Err(_) => return,
        };
        pending.drain(..head_len);
        let query = parse_query(path.split_once('?').map(|(_, q)| q)).unwrap_or(crate::Query {
            id: 0,
            delay_ms: 0,
            bytes: 0,
        });
        let body = workload::io::body(query.id, query.bytes as usize);
        // Write errors mean the client left; the fake server just stops.
        let _ = match behaviour {
            Behaviour::CloseBeforeAnswer => return,
            Behaviour::Unavailable => stream.write_all(
                b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 12\r\n\r\nbusy, sorry\n",
            ),
            Behaviour::CloseMidBody => {
                let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len());
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body[..body.len() / 2]);
                return;
            }
            Behaviour::OddButValid => {
                let head = format!(
                    "HTTP/1.1 200 Fine\r\nX-Extra: 1\r\nconnection: Keep-Alive\r\nServer: fake\r\ncontent-LENGTH:  {} \r\nDate: today\r\n\r\n",
                    body.len()
                );
                let response = [head.as_bytes(), &body].concat();
                for piece in response.chunks(response.len().div_ceil(5).max(1)) {
                    let _ = stream.write_all(piece);
                    thread::sleep(Duration::from_millis(2));
                }
                Ok(())
            }
        };
    }
}

/// What every io binary must do as a user runs it, checked by each io package's
/// tests/cli.rs: print one verified result line against a separate server and
/// through the embedded default, and fail with a one-line error, exit status 1
/// and no result line when the server is not there. `program` is the command
/// line before the flags: `[exe]`, or `["python3", "io_asyncio.py"]`.
pub fn check_binary(program: &[&str], paradigm: &str) {
    let server = crate::Embedded::start().expect("start a server");
    let addr = server.addr().to_string();
    let small = [
        "--requests",
        "200",
        "--concurrency",
        "20",
        "--delay-ms",
        "2",
        "--bytes",
        "512",
    ];
    let expected = workload::io::expected_checksum(200, 512);
    for server_args in [&["--server", addr.as_str()][..], &[]] {
        let out = command(program)
            .args(small)
            .args(server_args)
            .output()
            .expect("run the binary");
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(out.status.success(), "{server_args:?}: {stderr}");
        assert_eq!(stdout.lines().count(), 1, "{stdout}");
        assert!(
            stdout.starts_with(&format!(
                "workload=io paradigm={paradigm} requests=200 concurrency=20 "
            )),
            "{stdout}"
        );
        assert!(
            stdout.contains(&format!(" checksum={expected} ok=true ")),
            "{stdout}"
        );
    }
    // Port 1 is privileged and never bound by a test: nobody listens there.
    let out = command(program)
        .args([
            "--requests",
            "10",
            "--concurrency",
            "2",
            "--server",
            "127.0.0.1:1",
        ])
        .output();
    assert_fails_cleanly(out, "connect to 127.0.0.1:1: ");
}

/// What an io binary must do against odd and broken servers: read odd but valid
/// HTTP to the right checksum, and fail on each of [`FAULTS`] with one line that
/// names the request and the cause, exit status 1 and no result line.
pub fn check_faults(program: &[&str]) {
    let run = |server: &str| {
        command(program)
            .args(["--requests", "20", "--concurrency", "4", "--server", server])
            .output()
    };
    let odd = run(&start(Behaviour::OddButValid).to_string()).expect("run the binary");
    let stdout = String::from_utf8_lossy(&odd.stdout);
    let expected = workload::io::expected_checksum(20, 1_024);
    assert!(
        stdout.contains(&format!(" checksum={expected} ok=true ")),
        "odd but valid HTTP: {stdout}{}",
        String::from_utf8_lossy(&odd.stderr)
    );
    for (behaviour, cause) in FAULTS {
        let stderr = assert_fails_cleanly(run(&start(behaviour).to_string()), cause);
        assert!(stderr.contains("request "), "{behaviour:?}: {stderr}");
    }
}

/// For io binaries that open many connections: with too few file descriptors for
/// them, the binary must name the error and exit 1, never print a result line.
pub fn check_open_file_limit(program: &[&str]) {
    let server = crate::Embedded::start().expect("start a server");
    let addr = server.addr().to_string();
    // 24 descriptors: the program starts, but cannot open 100 connections (each
    // answer takes 500 ms, so that they are all open at once however slowly they start).
    let mut args = vec!["--nofile=24"];
    args.extend(program);
    args.extend([
        "--requests",
        "200",
        "--concurrency",
        "100",
        "--delay-ms",
        "500",
        "--server",
        &addr,
    ]);
    assert_fails_cleanly(
        Command::new("prlimit").args(args).output(),
        "Too many open files",
    );
}

/// `program[0]` with `program[1..]` as its first arguments.
fn command(program: &[&str]) -> Command {
    let mut command = Command::new(program[0]);
    command.args(&program[1..]);
    command
}

/// Asserts a one-line `Error: ` naming `cause`, status 1 and no result line; returns
/// that line.
fn assert_fails_cleanly(out: std::io::Result<Output>, cause: &str) -> String {
    let out = out.expect("run the binary");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{cause}: {stderr}");
    assert!(
        out.stdout.is_empty(),
        "never a result line on failure: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        stderr.starts_with("Error: ") && stderr.contains(cause),
        "{cause}: {stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    stderr
}

/// What every io example's `run` must do, checked by its unit tests: reach the
/// spec's checksum through an embedded server at several sizes (with each of
/// `workers`), read odd but valid HTTP, and fail on each fault and on a server that
/// is not there with an error that names the request and the cause. `run` takes
/// the flags and the server's `HOST:PORT`, and returns the checksum it computed.
pub fn check_run(workers: &[usize], run: impl Fn(&IoArgs, &str) -> Result<u64, Error>) {
    let args = |requests, concurrency, workers| IoArgs {
        requests,
        concurrency,
        delay_ms: 1,
        bytes: 1_000,
        server: None,
        workers,
    };
    let target = crate::Target::new(None).expect("start a server");
    for &w in workers {
        for (requests, concurrency) in [(0, 4), (1, 4), (30, 1), (100, 16), (10, 50)] {
            let args = args(requests, concurrency, w);
            let checksum = run(&args, &target.host).expect("a correct server");
            assert_eq!(checksum, args.expected_checksum(), "{args:?}");
        }
    }
    let odd = start(Behaviour::OddButValid).to_string();
    let small = args(20, 4, workers[0]);
    assert_eq!(
        run(&small, &odd).expect("odd but valid HTTP"),
        small.expected_checksum()
    );
    for (behaviour, cause) in FAULTS {
        let err = run(&small, &start(behaviour).to_string())
            .expect_err("a fault")
            .to_string();
        assert!(
            err.starts_with("request ") && err.contains(cause),
            "{behaviour:?}: {err}"
        );
    }
    // Port 1 is privileged and never bound by a test: nobody listens there.
    let err = run(&small, "127.0.0.1:1")
        .expect_err("no server")
        .to_string();
    assert!(
        err.starts_with("request ") && err.contains("connect to 127.0.0.1:1: "),
        "{err}"
    );
}
