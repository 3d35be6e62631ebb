//! A heavy request (`work=N`): its primes counted before the answer and said in
//! `X-Primes`, the body unchanged, a cheap request beside it untouched; and
//! `--offload`, which a server either takes (its pool for blocking work counts the
//! same primes) or refuses with exit status 2, saying why.

use std::{
    io::Read,
    time::{Duration, Instant},
};

use super::{
    Server,
    answers::{connect, get},
};

/// `id=3&work=1000`: the primes in [3000, 4000).
const PRIMES_3_1000: u64 = 120;

/// Heavy requests answered right, inline and with `--offload` (or `--offload`
/// refused with exit status 2 and a reason naming it).
pub fn check_work(program: &[&str], workers: &str) {
    let server = Server::start(&[], program, &["--workers", workers]);
    check_answers(&server.addr);
    let (status, stderr) = server.stop("TERM", Duration::from_secs(10));
    assert_eq!(status.code(), Some(0), "exit 0 on SIGTERM: {stderr}");

    let mut offloaded = crate::cli::command(program);
    offloaded.args(["--listen", "127.0.0.1:0", "--workers", workers, "--offload"]);
    let probe = offloaded
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start the server with --offload");
    let refused = wait_briefly(probe);
    match refused {
        Some((code, stderr)) => {
            assert_eq!(code, Some(2), "--offload: exit 2 or serve: {stderr}");
            assert!(
                stderr.contains("--offload"),
                "the refusal names the flag: {stderr}"
            );
            assert!(!stderr.contains("panicked"), "{stderr}");
        }
        None => {
            let server = Server::start(&[], program, &["--workers", workers, "--offload"]);
            check_answers(&server.addr);
            let (status, stderr) = server.stop("TERM", Duration::from_secs(10));
            assert_eq!(
                status.code(),
                Some(0),
                "--offload: exit 0 on SIGTERM: {stderr}"
            );
        }
    }
}

/// Waits up to 3 s for a server started with `--offload` to refuse it: its exit
/// status and stderr, or `None` (and the probe killed) if it kept running.
fn wait_briefly(mut child: std::process::Child) -> Option<(Option<i32>, String)> {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(3) {
        if let Some(status) = child.try_wait().expect("wait for the server") {
            let mut stderr = String::new();
            let _ = child.stderr.take().unwrap().read_to_string(&mut stderr);
            return Some((status.code(), stderr));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// A heavy request gets its body and `X-Primes`; a plain one no `X-Primes`; too
/// much work a 400 with its reason.
fn check_answers(addr: &str) {
    let mut stream = connect(addr);
    let heavy = get(&mut stream, "/work?id=3&work=1000&bytes=16");
    assert_eq!(heavy.status, 200, "{heavy:?}");
    assert_eq!(
        heavy.body,
        workload::io::body(3, 16),
        "the body is the io body"
    );
    assert_eq!(heavy.primes, Some(PRIMES_3_1000), "{heavy:?}");
    let plain = get(&mut stream, "/work?id=3&bytes=16");
    assert_eq!(
        plain.primes, None,
        "a plain request says no primes: {plain:?}"
    );
    let refused = get(&mut stream, "/work?id=3&work=10000001");
    assert_eq!(refused.status, 400, "{refused:?}");
    let reason = String::from_utf8_lossy(&refused.body);
    assert!(reason.starts_with("work: 10000001 is over"), "{reason}");
}
