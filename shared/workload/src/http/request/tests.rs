use super::*;

const T: Timeouts = Timeouts {
    head: Duration::from_secs(10),
    idle: Duration::from_secs(10),
    write: Duration::from_secs(10),
};

fn reader() -> RequestReader {
    RequestReader::new(T)
}

fn one(raw: &[u8]) -> Result<Option<Request>, RequestError> {
    reader().feed(raw)
}

#[test]
fn a_request_split_anywhere_reads_the_same() {
    let raw = b"GET /work?id=7&delay_ms=5 HTTP/1.1\r\nHOST: t\r\nX-A: b\r\n\r\n";
    let whole = one(raw).unwrap().unwrap();
    assert_eq!(
        whole,
        Request {
            method: "GET".into(),
            path: "/work".into(),
            query: Some("id=7&delay_ms=5".into()),
            minor_version: 1,
            host: true,
            close: false,
            expect_continue: false,
        }
    );
    for split in 1..raw.len() {
        let mut reader = reader();
        assert_eq!(reader.feed(&raw[..split]).unwrap(), None, "at {split}");
        assert!(reader.is_partial());
        assert_eq!(reader.feed(&raw[split..]).unwrap().as_ref(), Some(&whole));
        assert!(!reader.is_partial());
    }
}

#[test]
fn pipelined_requests_come_one_at_a_time() {
    let mut reader = reader();
    let two = b"GET /a HTTP/1.1\r\nHost: t\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyz";
    assert_eq!(reader.feed(two).unwrap().unwrap().path, "/a");
    let second = reader.feed(&[]).unwrap().unwrap();
    assert_eq!((second.method.as_str(), second.host), ("POST", false));
    assert_eq!(reader.feed(&[]).unwrap(), None);
    assert!(!reader.is_partial());
}

#[test]
fn keep_alive_follows_the_version_and_connection_header() {
    let close = |raw: &[u8]| one(raw).unwrap().unwrap().close;
    assert!(!close(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n"));
    assert!(close(
        b"GET / HTTP/1.1\r\nHost: t\r\nConnection: Close\r\n\r\n"
    ));
    assert!(close(b"GET / HTTP/1.0\r\n\r\n"));
    assert!(!close(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
}

#[test]
fn garbage_and_oversized_heads_are_refused() {
    assert!(matches!(
        one(b"\x16\x03\x01\x02\x00garbage\r\n\r\n"),
        Err(RequestError::Malformed(_))
    ));
    assert!(matches!(
        one(b"BLAH\r\n\r\n"),
        Err(RequestError::Malformed(_))
    ));
    let huge = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(70_000));
    assert_eq!(one(huge.as_bytes()), Err(RequestError::HeadTooLarge));
    assert_eq!(
        one(&vec![b'G'; MAX_HEAD_BYTES + 1]),
        Err(RequestError::HeadTooLarge)
    );
    let many: String = (0..65).map(|i| format!("X-{i}: v\r\n")).collect();
    let many = format!("GET / HTTP/1.1\r\n{many}\r\n");
    assert_eq!(one(many.as_bytes()), Err(RequestError::TooManyHeaders));
    assert_eq!(RequestError::TooManyHeaders.status(), 431);
    let gzip = b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n";
    assert!(matches!(one(gzip), Err(RequestError::NotImplemented(_))));
    assert_eq!(one(gzip).unwrap_err().status(), 501);
}

#[test]
fn targets_in_absolute_form_and_with_a_fragment() {
    let get = |raw: &[u8]| one(raw).unwrap().unwrap();
    let absolute = get(b"GET http://x:1/work?id=1 HTTP/1.1\r\n\r\n");
    assert_eq!(
        (absolute.path.as_str(), absolute.query.as_deref()),
        ("/work", Some("id=1"))
    );
    assert!(absolute.host, "the absolute form names the host");
    let bare = get(b"GET HTTP://x:1 HTTP/1.1\r\n\r\n");
    assert_eq!((bare.path.as_str(), bare.query), ("/", None));
    let fragment = get(b"GET /work?id=2#top HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(fragment.query.as_deref(), Some("id=2"));
}

#[test]
fn bodies_are_dropped_by_length_or_chunks() {
    let mut reader = reader();
    let raw = b"POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyzGET /b HTTP/1.1\r\n\r\n\
                POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\
                3;x=y\r\nabc\r\n0\r\nT: 1\r\n\r\nGET /d HTTP/1.1\r\n\r\n";
    // Split anywhere, the four requests come out and the bodies do not.
    for split in 0..raw.len() {
        let mut paths = Vec::new();
        for piece in [&raw[..split], &raw[split..]] {
            let mut next = reader.feed(piece);
            while let Ok(Some(request)) = next {
                paths.push(request.path);
                next = reader.feed(&[]);
            }
            assert_eq!(next, Ok(None), "split at {split}");
        }
        assert_eq!(paths, ["/a", "/b", "/c", "/d"], "split at {split}");
        assert!(!reader.is_partial());
    }
    let expect = b"PUT /a HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n";
    assert!(one(expect).unwrap().unwrap().expect_continue);
    // A body's fault comes after its request (answered first), at the next feed.
    let after = |raw: &[u8]| {
        let mut fresh = super::tests::reader();
        assert!(fresh.feed(raw).unwrap().is_some());
        fresh.feed(&[])
    };
    let over = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10001\r\n";
    assert!(matches!(after(over), Err(RequestError::Unsupported(_))));
    let long_line = [
        &b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1"[..],
        &[b'0'; 70_000],
    ]
    .concat();
    assert!(matches!(after(&long_line), Err(RequestError::Malformed(_))));
}

#[test]
fn lengths_two_parsers_could_read_apart_are_refused() {
    for raw in [
        &b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"[..],
        b"POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: 1, 1\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
    ] {
        assert!(
            matches!(one(raw), Err(RequestError::Malformed(_))),
            "{raw:?}"
        );
    }
    let same = b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx";
    assert!(one(same).unwrap().is_some());
}

#[test]
fn a_head_a_byte_at_a_time_is_scanned_once() {
    let head = format!(
        "GET /work?id=1 HTTP/1.1\r\nX: {}\r\n\r\n",
        "a".repeat(60_000)
    );
    let started = std::time::Instant::now();
    let mut reader = reader();
    let mut got = None;
    for byte in head.as_bytes() {
        got = reader.feed(&[*byte]).unwrap();
    }
    assert!(got.is_some());
    // Rescanning per byte would be 60,000^2 / 2 byte looks: seconds, not this.
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn the_wait_is_the_head_timeout_then_the_idle_one() {
    let short = Duration::from_millis(30);
    let mut reader = RequestReader::new(Timeouts {
        head: short,
        idle: short * 4,
        write: short,
    });
    assert!(reader.time_left().unwrap() <= short);
    reader.feed(b"GET / HTTP/1.1\r\n\r\n").unwrap().unwrap();
    assert!(
        reader.time_left().unwrap() > short * 2,
        "idle after a request"
    );
    reader.feed(b"G").unwrap();
    assert!(reader.time_left().unwrap() <= short, "a head's first byte");
    std::thread::sleep(short);
    let err = reader.time_left().unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    assert_eq!(err.to_string(), "no complete request head within 30 ms");
}
