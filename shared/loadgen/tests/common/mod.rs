//! What loadgen's tests share: a fake server (plain std threads, one per
//! connection, on 127.0.0.1:0) that answers `GET /work` correctly but for the
//! fault it is told to make, and a way to run the binary and read its line.

#![allow(dead_code)] // each test file uses its own part of this

use std::{
    io::{Read, Write},
    net::{SocketAddr, TcpListener, TcpStream},
    process::{Command, Output},
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    thread,
    time::Duration,
};

use workload::ResultLine;

/// What the fake server gets wrong, or how slow it is.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fake {
    /// The connection that reads this id sleeps this long first, once.
    pub stall: Option<(u64, Duration)>,
    /// Every request takes this long (a sleep) before its answer.
    pub service: Duration,
    /// This id's body has one byte flipped.
    pub wrong_body: Option<u64>,
    /// What a heavy request's `X-Primes` says.
    pub primes: Primes,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Primes {
    #[default]
    Right,
    Missing,
    /// One more than the right count.
    Wrong,
}

/// Starts `fake` on 127.0.0.1:0; it serves until the test process ends.
pub fn start(fake: Fake) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let addr = listener
        .local_addr()
        .expect("a bound listener has an address");
    let stalled = Arc::new(AtomicBool::new(false));
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let stalled = stalled.clone();
            thread::spawn(move || serve(stream, fake, &stalled));
        }
    });
    addr
}

/// Answers requests on one keep-alive connection until the client hangs up.
fn serve(mut stream: TcpStream, fake: Fake, stalled: &AtomicBool) {
    let _ = stream.set_nodelay(true); // small answers: no Nagle delay
    let (mut pending, mut chunk) = (Vec::new(), [0; 4096]);
    loop {
        let end = loop {
            if let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                break end + 4;
            }
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => pending.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&pending[..end]).into_owned();
        pending.drain(..end);
        let query = |key: &str| -> u64 {
            let target = head.split(' ').nth(1).unwrap_or("");
            let query = target.split_once('?').map_or("", |(_, q)| q);
            let value = query
                .split('&')
                .find_map(|p| p.strip_prefix(&format!("{key}=")));
            value.and_then(|v| v.parse().ok()).unwrap_or(0)
        };
        let (id, bytes, work) = (query("id"), query("bytes"), query("work"));
        if let Some((at, pause)) = fake.stall {
            if id == at && !stalled.swap(true, Ordering::SeqCst) {
                thread::sleep(pause);
            }
        }
        thread::sleep(fake.service);
        let mut body = workload::io::body(id, bytes as usize);
        if fake.wrong_body == Some(id) && !body.is_empty() {
            body[0] ^= 1;
        }
        let mut head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n", body.len());
        if work > 0 {
            let primes = workload::io::work(id, work);
            match fake.primes {
                Primes::Right => head += &format!("X-Primes: {primes}\r\n"),
                Primes::Wrong => head += &format!("x-primes: {}\r\n", primes + 1),
                Primes::Missing => {}
            }
        }
        head += "\r\n";
        if stream
            .write_all(&[head.as_bytes(), &body].concat())
            .is_err()
        {
            return; // the client left
        }
    }
}

/// Runs loadgen against `server` with `args`.
pub fn run(server: SocketAddr, args: &str) -> Output {
    let server = server.to_string();
    let mut all = vec!["--server", server.as_str()];
    all.extend(args.split(' '));
    run_args(&all)
}

/// Runs loadgen with exactly `args`.
pub fn run_args(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_loadgen"))
        .args(args)
        .output()
        .expect("run loadgen")
}

/// The one line on stdout, read back; panics with stderr if there is none.
pub fn line(out: &Output) -> ResultLine {
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(stdout.lines().count(), 1, "one line: {stdout}\n{stderr}");
    ResultLine::parse(&stdout).unwrap_or_else(|e| panic!("{e}\n{stderr}"))
}

/// A number of `line`, which must be there.
pub fn number(line: &ResultLine, key: &str) -> u64 {
    line.number(key)
        .unwrap_or_else(|| panic!("no {key}= in {line}"))
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
