//! Every answer is checked, every failure is counted by kind and named, and a
//! run never hangs: a wrong body, a wrong or missing `X-Primes`, nobody
//! listening, and bad flags.

mod common;

use std::{
    net::TcpListener,
    time::{Duration, Instant},
};

use common::{Fake, Primes, line, number, run, run_args, stderr};

#[test]
fn a_wrong_body_fails_the_run_and_is_named() {
    let server = common::start(Fake {
        wrong_body: Some(7),
        ..Fake::default()
    });
    let out = run(server, "--rate 500 --duration-ms 100");
    let line = line(&out);
    assert_eq!(out.status.code(), Some(1), "{line}");
    assert!(!line.ok());
    assert_eq!((number(&line, "wrong"), number(&line, "errors")), (1, 1));
    assert_eq!(number(&line, "answered"), 49);
    let stderr = stderr(&out);
    assert!(
        stderr.contains("request 7: wrong: body differs at byte 0"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Error: 1 of 50 requests failed: timeouts=0 refused=0 lost=0 wrong=1"),
        "{stderr}"
    );
}

#[test]
fn heavy_answers_need_the_right_x_primes() {
    let flags = "--rate 500 --duration-ms 100 --heavy-every 3 --work 1000";
    let right = run(common::start(Fake::default()), flags);
    let good = line(&right);
    assert!(good.ok(), "{good}\n{}", stderr(&right));
    assert!(number(&good, "heavy_p99_us") > 0 && number(&good, "cheap_p99_us") > 0);
    for (primes, why) in [
        (
            Primes::Missing,
            "no X-Primes count in the answer (work=1000)",
        ),
        (Primes::Wrong, "X-Primes: 169, expected 168 (work=1000)"),
    ] {
        let server = common::start(Fake {
            primes,
            ..Fake::default()
        });
        let out = run(server, flags);
        let line = line(&out);
        assert_eq!(out.status.code(), Some(1), "{primes:?}: {line}");
        // Ids 0, 3, .., 48 are heavy: 17 of 50.
        assert_eq!(number(&line, "wrong"), 17, "{primes:?}: {line}");
        let stderr = stderr(&out);
        assert!(
            stderr.contains(&format!("request 0: wrong: {why}")),
            "{stderr}"
        );
    }
}

#[test]
fn a_server_that_never_answers_ends_the_run_t_after_the_schedule() {
    // Every answer takes a minute: every request times out, queued or in flight,
    // and the run ends at 200 + 300 ms.
    let server = common::start(Fake {
        service: Duration::from_secs(60),
        ..Fake::default()
    });
    let started = Instant::now();
    let out = run(
        server,
        "--rate 100 --duration-ms 200 --timeout-ms 300 --connections-max 1",
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let line = line(&out);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        (number(&line, "timeouts"), number(&line, "answered")),
        (20, 0)
    );
    let stderr = stderr(&out);
    assert!(
        stderr.contains("request 0: timeout: no complete answer within 300 ms"),
        "{stderr}"
    );
}

#[test]
fn nobody_listening_is_a_clear_error_at_once() {
    // A port that was free a moment ago, and is again.
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let started = Instant::now();
    let out = run(addr, "--rate 1000 --duration-ms 60000");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "no waiting out the schedule"
    );
    assert_eq!(out.status.code(), Some(1));
    let line = line(&out);
    assert!(!line.ok());
    assert_eq!(
        (number(&line, "sent"), number(&line, "refused")),
        (0, 60_000)
    );
    let stderr = stderr(&out);
    let error = format!("Error: cannot connect to {addr}: Connection refused");
    assert!(stderr.contains(&error), "{stderr}");
}

#[test]
fn bad_flags_exit_2_with_the_flag_named() {
    for (args, named) in [
        ("--rate 0 --duration-ms 10", "--rate"),
        ("--rate 10 --duration-ms 1000 --heavy-every 3", "--work"),
        ("--rate 10 --duration-ms 1000 --then-rate 5", "--then-ms"),
        ("--rate 10", "--duration-ms"),
    ] {
        let out = run("127.0.0.1:1".parse().unwrap(), args);
        assert_eq!(out.status.code(), Some(2), "{args}");
        assert!(out.stdout.is_empty(), "{args}");
        assert!(stderr(&out).contains(named), "{args}: {}", stderr(&out));
    }
    let out = run_args(&[
        "--server",
        "nowhere",
        "--rate",
        "1",
        "--duration-ms",
        "1000",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--server"), "{}", stderr(&out));
}
