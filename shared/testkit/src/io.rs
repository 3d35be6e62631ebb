//! What every io example must do: reach the spec's checksum through a real server,
//! read odd but valid HTTP, and fail on a broken server or on none with one line
//! that names the request and the cause; count `--work`'s primes into the checksum
//! and print latency percentiles that fit the server's delay. [`check_run`] checks
//! an example's `run`; [`check_binary`], [`check_faults`], [`check_hostile`] and
//! [`check_open_file_limit`] its binary.

use std::{
    process::{Command, Stdio},
    thread,
    time::{Duration, Instant},
};

use api_server::{Embedded, Target};
use workload::{Error, IoArgs, Report, ResultLine, Workload};

use crate::{
    cli::{self, assert_fails_cleanly, command},
    fake::{self, FAULTS, HOSTILE, VALID},
};

/// Where a client counts `--work`'s primes, which decides what `--offload` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compute {
    /// A blocking client: on the connection's own thread or process; `--offload`
    /// is refused with exit status 2.
    OwnThread,
    /// An async client: on the executor thread by default, on the runtime's
    /// blocking pool with `--offload`.
    Executor,
}

/// What every io example's `run` must do, checked by its unit tests: reach the
/// spec's checksum through an embedded server at several sizes (with each of
/// `workers`), with `--work` (and `--offload` where `compute` has it), report one
/// latency per request, read odd but valid HTTP, and fail on each fault and on a
/// server that is not there with an error that names the request and the cause.
/// `run` is the example's own: it takes the flags and the server's `HOST:PORT`.
pub fn check_run(
    workers: &[usize],
    compute: Compute,
    run: impl Fn(&IoArgs, &str) -> Result<Report, Error>,
) {
    let checksum = |args: &IoArgs, host: &str| run(args, host).map(|report| report.checksum);
    let args = |requests, concurrency, workers| IoArgs {
        requests,
        concurrency,
        delay_ms: 1,
        bytes: 1_000,
        work: 0,
        offload: false,
        // Short, so that a hanging fake server fails the run in well under a second.
        timeout_ms: 300,
        server: None,
        workers,
    };
    let target = Target::new(None).expect("start a server");
    for &w in workers {
        for (requests, concurrency) in [(0, 4), (1, 4), (30, 1), (100, 16), (10, 50)] {
            let args = args(requests, concurrency, w);
            let sum = checksum(&args, &target.host).expect("a correct server");
            assert_eq!(sum, args.expected_checksum(), "{args:?}");
        }
        let runs: &[(bool, u64)] = match compute {
            Compute::OwnThread => &[(false, 1), (false, 97), (false, 2_000)],
            Compute::Executor => &[(false, 1), (true, 97), (false, 2_000), (true, 2_000)],
        };
        for &(offload, work) in runs {
            let args = IoArgs {
                work,
                offload,
                ..args(40, 6, w)
            };
            let report = run(&args, &target.host).expect("a correct server");
            assert_eq!(report.checksum, args.expected_checksum(), "{args:?}");
            let latency = report.latency.expect("an io report has latencies");
            assert_eq!(
                latency.count, args.requests,
                "one latency a request: {args:?}"
            );
            assert!(latency.p50_us >= 1_000, "1 ms delay: {latency:?}");
            let in_order = latency.p50_us <= latency.p99_us && latency.p99_us <= latency.max_us;
            assert!(in_order, "{latency:?}");
        }
    }
    let small = args(20, 4, workers[0]);
    for behaviour in VALID {
        let odd = fake::start(behaviour).to_string();
        let sum = checksum(&small, &odd).unwrap_or_else(|e| panic!("{behaviour:?}: {e}"));
        assert_eq!(sum, small.expected_checksum(), "{behaviour:?}");
    }
    for (behaviour, cause) in FAULTS {
        let started = Instant::now();
        let err = checksum(&small, &fake::start(behaviour).to_string())
            .expect_err("a fault")
            .to_string();
        assert!(
            err.starts_with("request ") && err.contains(cause),
            "{behaviour:?}: {err}"
        );
        // D + T is 301 ms here: nothing may hang much past it.
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{behaviour:?} hung"
        );
    }
    // Port 1 is privileged and never bound by a test: nobody listens there.
    let err = checksum(&small, "127.0.0.1:1")
        .expect_err("no server")
        .to_string();
    assert!(
        err.starts_with("request ") && err.contains("connect to 127.0.0.1:1: "),
        "{err}"
    );
}

/// What every io binary must do as a user runs it, checked by each io package's
/// tests/cli.rs: its flags ([`cli::check_flags`]); one verified result line against
/// a separate server and through the embedded default; `--work` in the checksum and
/// latencies no shorter than the server's delay; `--offload` as `compute` says; and
/// a one-line error, exit status 1 and no result line when the server is not there.
pub fn check_binary(program: &[&str], paradigm: &str, compute: Compute) {
    cli::check_flags(program);
    let server = Embedded::start().expect("start a server");
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
    // A sequential client uses one connection, whatever --concurrency asks, and says so.
    let concurrency = if paradigm.ends_with("sequential") {
        1
    } else {
        20
    };
    let start = format!(
        "workload=io paradigm={paradigm} requests=200 concurrency={concurrency} delay_ms=2 bytes=512 work=0 "
    );
    let expected = workload::io::expected_checksum(200, 512, 0);
    for server_args in [&["--server", addr.as_str()][..], &[]] {
        let line = cli::assert_verified(program, &[&small[..], server_args].concat(), &start);
        assert_latencies(&line, 2);
        let line = line.to_string();
        assert!(
            line.contains(&format!(" checksum={expected} ok=true ")),
            "{line}"
        );
    }
    let work = [&small[..], &["--work", "300", "--server", &addr]].concat();
    let start = start.replace("work=0 ", "work=300 ");
    let line = cli::assert_verified(program, &work, &start);
    assert_latencies(&line, 2);
    let offload = [&work[..], &["--offload"]].concat();
    match compute {
        Compute::Executor => {
            let start = start.replace("work=300 ", "work=300 offload=true ");
            cli::assert_verified(program, &offload, &start);
        }
        Compute::OwnThread => {
            let out = cli::output(program, &offload);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "--offload: {stderr}");
            assert!(
                stderr.contains("--offload is for the async clients"),
                "{stderr}"
            );
        }
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

/// A result line's latencies are in order and no shorter than the server's delay.
fn assert_latencies(line: &ResultLine, delay_ms: u64) {
    let us = |key| {
        line.number(key)
            .unwrap_or_else(|| panic!("no {key}: {line}"))
    };
    let (p50, p99, max) = (us("p50_us"), us("p99_us"), us("max_us"));
    assert!(p50 >= delay_ms * 1_000, "{line}");
    assert!(p50 <= p99 && p99 <= max, "{line}");
}

/// What an io binary must do against odd and broken servers: read odd but valid
/// HTTP to the right checksum, and fail on each of [`FAULTS`] with one line that
/// names the request and the cause, exit status 1 and no result line.
pub fn check_faults(program: &[&str]) {
    // D + T = 50 + 300 ms: a hanging server fails the run in well under a second.
    let run = |server: &str| {
        command(program)
            .args(["--requests", "20", "--concurrency", "4", "--server", server])
            .args(["--timeout-ms", "300"])
            .output()
    };
    let expected = workload::io::expected_checksum(20, 1_024, 0);
    for behaviour in VALID {
        let odd = run(&fake::start(behaviour).to_string()).expect("run the binary");
        let stdout = String::from_utf8_lossy(&odd.stdout);
        assert!(
            stdout.contains(&format!(" checksum={expected} ok=true ")),
            "{behaviour:?}: {stdout}{}",
            String::from_utf8_lossy(&odd.stderr)
        );
    }
    for (behaviour, cause) in FAULTS {
        let started = Instant::now();
        let stderr = assert_fails_cleanly(run(&fake::start(behaviour).to_string()), cause);
        assert!(stderr.contains("request "), "{behaviour:?}: {stderr}");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{behaviour:?} hung"
        );
    }
}

/// What an io binary must do against [`HOSTILE`] servers, which send more than was
/// asked for, for as long as it reads: fail with one line naming the cause, exit
/// status 1 and no result line, within its `--timeout-ms` of 2 s and 3 s more, and
/// in bounded memory: it runs under a 1 GiB address-space limit (`prlimit --as`),
/// where a client that kept what it was not asked for would abort instead. A run
/// still going at the bound is killed, so that this check ends either way.
pub fn check_hostile(program: &[&str]) {
    const TIMEOUT_MS: u64 = 2_000;
    let bound = Duration::from_millis(TIMEOUT_MS + 3_000);
    for (behaviour, bytes, cause) in HOSTILE {
        let server = fake::start(behaviour).to_string();
        let started = Instant::now();
        let mut child = Command::new("prlimit")
            .arg(format!("--as={}", 1u64 << 30))
            .args(program)
            .args(["--requests", "4", "--concurrency", "2", "--delay-ms", "0"])
            .args(["--bytes", &bytes.to_string(), "--server", &server])
            .args(["--timeout-ms", &TIMEOUT_MS.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run the binary");
        while child.try_wait().expect("wait for the binary").is_none() && started.elapsed() < bound
        {
            thread::sleep(Duration::from_millis(10));
        }
        // A run past the bound is killed here (a run that ended is not touched).
        let ran_past = child.try_wait().expect("wait for the binary").is_none();
        if ran_past {
            child.kill().expect("kill the binary");
        }
        let out = child.wait_with_output();
        assert!(!ran_past, "{behaviour:?}: still running after {bound:?}");
        let stderr = assert_fails_cleanly(out, cause);
        assert!(stderr.contains("request "), "{behaviour:?}: {stderr}");
    }
}

/// For io binaries that open many connections: with too few file descriptors for
/// them, the binary must name the error and exit 1, never print a result line.
pub fn check_open_file_limit(program: &[&str]) {
    let server = Embedded::start().expect("start a server");
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
