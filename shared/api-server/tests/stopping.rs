//! The api-server binary as a benchmark starts and stops it: requests in flight
//! finish on SIGTERM, those that cannot are counted in a non-zero exit, bad flags
//! exit 2, and running out of file descriptors is logged once a second, not
//! hundreds of times.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    process::{Child, Command, Output, Stdio},
    thread,
    time::Duration,
};

/// Starts the binary (through `prefix`, e.g. prlimit) and returns it with its address.
fn start(prefix: &[&str], args: &[&str]) -> (Child, String) {
    let exe = env!("CARGO_BIN_EXE_api-server");
    let mut command = match prefix.split_first() {
        Some((first, rest)) => {
            let mut command = Command::new(first);
            command.args(rest).arg(exe);
            command
        }
        None => Command::new(exe),
    };
    let mut child = command
        .args(["--listen", "127.0.0.1:0", "--workers", "1"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line.trim().strip_prefix("listening=").unwrap().to_string();
    (child, addr)
}

/// Sends a request and gives the server a moment to start waiting on it.
fn in_flight(addr: &str, delay_ms: u64) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    let request = format!("GET /work?id=4&delay_ms={delay_ms}&bytes=8 HTTP/1.1\r\nHost: t\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    thread::sleep(Duration::from_millis(200));
    stream
}

fn terminate(child: Child) -> Output {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    child.wait_with_output().unwrap()
}

#[test]
fn it_prints_its_address_serves_and_exits_0_on_sigterm() {
    let (child, addr) = start(&[], &[]);
    let mut stream = TcpStream::connect(&addr).unwrap();
    stream
        .write_all(b"GET /work?id=9&bytes=32 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    assert!(answer.ends_with(&workload::io::body(9, 32)));
    assert_eq!(terminate(child).status.code(), Some(0));
}

#[test]
fn requests_in_flight_finish_on_sigterm() {
    let (child, addr) = start(&[], &[]);
    let mut stream = in_flight(&addr, 1_500);
    let out = terminate(child);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    assert!(
        answer.starts_with(b"HTTP/1.1 200 OK"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    assert!(answer.ends_with(&workload::io::body(4, 8)));
}

#[test]
fn requests_dropped_after_the_grace_are_counted_and_exit_1() {
    let (child, addr) = start(&[], &["--grace-ms", "300"]);
    let _stream = in_flight(&addr, 5_000);
    let out = terminate(child);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.lines().last(),
        Some("Error: dropped 1 request(s) still in flight after the 300 ms grace"),
        "{stderr}"
    );
}

#[test]
fn bad_worker_counts_are_flag_errors() {
    for workers in ["0", "1025", "100000", "-1"] {
        let out = Command::new(env!("CARGO_BIN_EXE_api-server"))
            .args(["--listen", "127.0.0.1:0", "--workers", workers])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "--workers {workers}: {stderr}");
        assert!(stderr.contains("--workers"), "{stderr}");
    }
}

#[test]
fn running_out_of_descriptors_is_logged_once_a_second() {
    // 16 descriptors: a few connections fit, the rest fail in accept with EMFILE.
    let (child, addr) = start(&["prlimit", "--nofile=16:16"], &[]);
    let held: Vec<TcpStream> = (0..40)
        .map(|_| TcpStream::connect(&addr).unwrap())
        .collect();
    thread::sleep(Duration::from_millis(2_500));
    let mut child = child;
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    drop(held);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let said: Vec<&str> = stderr.lines().filter(|l| l.contains("accept: ")).collect();
    assert!(!said.is_empty() && said.len() <= 4, "{stderr}");
    assert!(said[0].contains("Too many open files"), "{stderr}");
    assert!(
        said.iter()
            .skip(1)
            .all(|l| l.contains("more since the last message")),
        "{stderr}"
    );
}
