use super::*;
use crate::{http, io::MAX_BYTES};

fn reply(raw: &[u8]) -> Reply {
    let second = Duration::from_secs(1);
    let timeouts = http::Timeouts {
        head: second,
        idle: second,
        write: second,
    };
    reply_to(
        http::RequestReader::new(timeouts)
            .feed(raw)
            .transpose()
            .unwrap(),
    )
}

/// Every piece of the answer, in order.
fn bytes(reply: &Reply) -> Vec<u8> {
    let (mut pieces, mut out) = (reply.pieces(), Vec::new());
    while let Some(piece) = pieces.next_piece() {
        assert!(piece.len() <= PIECE);
        out.extend_from_slice(piece);
    }
    out
}

fn written(reply: &Reply) -> String {
    String::from_utf8_lossy(&bytes(reply)).into_owned()
}

#[test]
fn queries() {
    let q = parse_query(Some("id=7&delay_ms=50&bytes=10")).unwrap();
    assert_eq!(
        q,
        Query {
            id: 7,
            delay_ms: 50,
            bytes: 10,
            work: 0
        }
    );
    let q = parse_query(Some("x=1&bytes=3&id=2")).unwrap();
    assert_eq!((q.id, q.delay_ms, q.bytes), (2, 0, 3));
    assert_eq!(parse_query(Some("id=1")).unwrap().bytes, DEFAULT_BYTES);
    assert_eq!(parse_query(Some("id=%31%32")).unwrap().id, 12);
    assert_eq!(
        parse_query(Some("id=1&bytes=16777216")).unwrap().bytes,
        MAX_BYTES
    );
}

#[test]
fn bad_queries_have_a_reason() {
    assert_eq!(parse_query(None).unwrap_err(), "id: missing");
    assert_eq!(parse_query(Some("delay_ms=5")).unwrap_err(), "id: missing");
    assert_eq!(
        parse_query(Some("id=x")).unwrap_err(),
        "id: \"x\" is not a u64"
    );
    assert_eq!(
        parse_query(Some("id=-1")).unwrap_err(),
        "id: \"-1\" is not a u64"
    );
    assert_eq!(
        parse_query(Some("id=1&delay_ms=60001")).unwrap_err(),
        "delay_ms: 60001 is over 60000"
    );
    assert_eq!(
        parse_query(Some("id=1&bytes=16777217")).unwrap_err(),
        "bytes: 16777217 is over 16777216"
    );
    assert!(parse_query(Some("id=%ff")).is_err());
    assert_eq!(
        parse_query(Some("id=1&work=10000001")).unwrap_err(),
        "work: 10000001 is over 10000000"
    );
    // A large id with a large work: trial division of huge numbers, refused.
    let huge = parse_query(Some("id=999999999&work=10000000")).unwrap_err();
    assert!(
        huge.starts_with("work: id 999999999 x work 10000000 is over"),
        "{huge}"
    );
    let overflow = parse_query(Some("id=18446744073709551615&work=2")).unwrap_err();
    assert!(overflow.contains("too long to count"), "{overflow}");
    // Without work, any id goes.
    assert!(parse_query(Some("id=18446744073709551615")).is_ok());
}

#[test]
fn a_heavy_request_says_its_primes_once_counted() {
    let mut r = reply(b"GET /work?id=3&work=1000&bytes=4 HTTP/1.1\r\nHost: t\r\n\r\n");
    let work = r.work().expect("work=1000 is work");
    assert_eq!(work, Work { id: 3, n: 1_000 });
    // The primes in [3000, 4000): pi(4000) - pi(3000) = 550 - 430 = 120.
    assert_eq!(work.count(), 120);
    r.count_primes();
    assert_eq!(r.work(), None, "counted once");
    let text = written(&r);
    assert!(text.contains("\r\nx-primes: 120\r\n"), "{text}");
    // Offloaded: the count comes back from elsewhere.
    let mut r = reply(b"GET /work?id=3&work=1000&bytes=4 HTTP/1.1\r\nHost: t\r\n\r\n");
    r.set_primes(120);
    assert!(written(&r).contains("x-primes: 120"));
    // A plain request has no work and no header.
    let plain = reply(b"GET /work?id=3 HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(plain.work(), None);
    assert!(!written(&plain).contains("x-primes"));
}

#[test]
fn the_work_answer_is_the_io_body_after_the_delay() {
    let r = reply(b"GET /work?id=9&delay_ms=20&bytes=32 HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(
        (r.status, r.delay, r.close),
        (200, Duration::from_millis(20), false)
    );
    let mut reader = http::ResponseReader::default();
    let response = reader.feed(&bytes(&r)).unwrap().unwrap();
    assert_eq!(response.body, crate::io::body(9, 32));
    assert!(!response.close);
    assert!(written(&r).starts_with("HTTP/1.1 200 OK\r\n"));
}

#[test]
fn big_bodies_come_in_pieces_that_make_the_same_stream() {
    for bytes_asked in [
        0,
        1,
        7,
        8,
        PIECE as u64 - 100,
        PIECE as u64 * 3 + 5,
        crate::io::MAX_BYTES,
    ] {
        let raw = format!("GET /work?id=5&bytes={bytes_asked} HTTP/1.1\r\nHost: t\r\n\r\n");
        let all = bytes(&reply(raw.as_bytes()));
        let response = http::ResponseReader::default().feed(&all).unwrap().unwrap();
        assert_eq!(
            response.body,
            crate::io::body(5, bytes_asked as usize),
            "{bytes_asked}"
        );
    }
}

#[test]
fn head_keep_alive_and_continue_as_the_rfcs_say() {
    let head = written(&reply(b"HEAD /work?id=1 HTTP/1.1\r\nHost: t\r\n\r\n"));
    assert!(head.starts_with("HTTP/1.1 405 "), "{head}");
    assert!(
        head.ends_with("content-length: 28\r\n\r\n"),
        "no body: {head}"
    );
    let old = written(&reply(
        b"GET /work?id=1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    ));
    assert!(old.contains("\r\nconnection: keep-alive\r\n"), "{old}");
    let expect = b"GET /work?id=1&bytes=2 HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n\
                   Content-Length: 1\r\n\r\n";
    let answer = written(&reply(expect));
    assert!(
        answer.starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"),
        "{answer}"
    );
    let gzip = reply(b"GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n");
    assert!(written(&gzip).starts_with("HTTP/1.1 501 Not Implemented\r\n"));
}

#[test]
fn every_refusal_has_its_status_and_reason() {
    for (raw, status, line) in [
        (
            &b"GET /work?id=1 HTTP/1.1\r\n\r\n"[..],
            400,
            "Host: missing (HTTP/1.1 requires it)",
        ),
        (
            b"GET /elsewhere?id=1 HTTP/1.1\r\nHost: t\r\n\r\n",
            404,
            "not found: the only path is /work",
        ),
        (
            b"POST /work?id=1 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n",
            405,
            "method not allowed: use GET",
        ),
        (b"GET /work HTTP/1.1\r\nHost: t\r\n\r\n", 400, "id: missing"),
        (
            b"GET /work?id=abc HTTP/1.1\r\nHost: t\r\n\r\n",
            400,
            "id: \"abc\" is not a u64",
        ),
    ] {
        let r = reply(raw);
        assert_eq!((r.status, r.close), (status, false), "{line}");
        assert!(
            written(&r).ends_with(&format!("\r\n\r\n{line}\n")),
            "{}",
            written(&r)
        );
    }
    let garbage = reply(b"BLAH\r\n\r\n");
    assert_eq!((garbage.status, garbage.close), (400, true));
    assert!(written(&garbage).contains("connection: close\r\n"));
    let old = reply(b"GET /work?id=3&bytes=4 HTTP/1.0\r\n\r\n");
    assert_eq!((old.status, old.close), (200, true));
}

#[test]
fn none_dropped_is_ok_or_the_dropped_line() {
    assert!(none_dropped(0, Duration::ZERO).is_ok());
    let err = none_dropped(3, Duration::from_millis(300)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "dropped 3 request(s) still in flight after the 300 ms grace"
    );
}

#[test]
fn the_dropped_line_names_the_count_and_the_grace() {
    let err = dropped_error(1, Duration::from_millis(20));
    assert_eq!(
        err.to_string(),
        "dropped 1 request(s) still in flight after the 20 ms grace"
    );
}

#[test]
fn listeners_shared_on_one_port_refuse_a_second_copy() {
    let listeners = listen_shared("127.0.0.1:0".parse().unwrap(), 3).unwrap();
    let port = listeners[0].local_addr().unwrap();
    assert!(listeners.iter().all(|l| l.local_addr().unwrap() == port));
    let again = listen_shared(port, 2).expect_err("a second copy on a listened port");
    assert_eq!(again.kind(), std::io::ErrorKind::AddrInUse);
}
