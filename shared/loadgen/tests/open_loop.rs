//! The open loop itself: a stall is charged to every request it delayed (and a
//! closed loop's view hides it), and a second phase shows when a server recovered.

mod common;

use std::time::Duration;

use common::{Fake, line, number, run, stderr};

#[test]
fn a_stall_is_charged_to_every_request_it_delayed() {
    // One connection: while request 100 stalls 200 ms, the requests due meanwhile
    // (about 200 of 2,000) wait, and are sent back to back once it answers.
    let server = common::start(Fake {
        stall: Some((100, Duration::from_millis(200))),
        ..Fake::default()
    });
    let out = run(server, "--rate 1000 --duration-ms 2000 --connections-max 1");
    let line = line(&out);
    assert!(line.ok(), "{line}\n{}", stderr(&out));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        (number(&line, "answered"), number(&line, "connections")),
        (2_000, 1)
    );
    let (p99, uncorrected) = (number(&line, "p99_us"), number(&line, "uncorrected_p99_us"));
    assert!(
        p99 >= 100_000,
        "the delayed requests are in the p99: {line}"
    );
    assert!(
        uncorrected < p99 / 4,
        "a closed loop sees only the one slow answer: {line}"
    );
    assert!(number(&line, "max_us") >= 200_000, "{line}");
}

#[test]
fn a_second_phase_shows_when_the_server_recovered() {
    // 2 ms an answer on one connection: 500 answers a second. The first phase
    // offers 1,000 a second for 300 ms, leaving about 300 ms of work queued; at
    // 100 a second the queue drains in about 400 ms, and the windows after it
    // are fast again.
    let server = common::start(Fake {
        service: Duration::from_millis(2),
        ..Fake::default()
    });
    let flags = "--rate 1000 --duration-ms 300 --then-rate 100 --then-ms 1200 \
                 --connections-max 1 --window-ms 100";
    let out = run(
        server,
        &flags.split_whitespace().collect::<Vec<_>>().join(" "),
    );
    let line = line(&out);
    assert!(line.ok(), "{line}\n{}", stderr(&out));
    assert_eq!(number(&line, "then_rate"), 100);
    assert_eq!(number(&line, "then_ms"), 1_200);
    let recovery = number(&line, "recovery_ms");
    assert!((100..=1_000).contains(&recovery), "{line}");
    assert!(
        number(&line, "then_p99_us") >= 50_000,
        "the backlog: {line}"
    );
    let windows = line.get("p99_windows_us").unwrap().split(',').count();
    assert_eq!(windows, 15, "{line}");
    let keys: Vec<&str> = line.fields().map(|(key, _)| key).collect();
    let tail = &keys[keys.len() - 6..];
    assert_eq!(
        tail,
        [
            "then_rate",
            "then_ms",
            "then_p99_us",
            "then_errors",
            "recovery_ms",
            "ok"
        ]
    );
    assert_eq!(number(&line, "then_errors"), 0, "{line}");
}
