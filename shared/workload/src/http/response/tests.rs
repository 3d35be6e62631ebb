use super::*;

const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Extra: yes\r\n\r\nhello";

#[test]
fn any_split_gives_the_same_response() {
    for split in 0..=OK.len() {
        let mut reader = ResponseReader::default();
        let mut got = None;
        for piece in [&OK[..split], &OK[split..]] {
            if !piece.is_empty() {
                got = got.or(reader.feed(piece).unwrap());
            }
        }
        let response = got.unwrap_or_else(|| panic!("split at {split}"));
        assert_eq!((response.status, &response.body[..]), (200, &b"hello"[..]));
        assert!(!response.close);
    }
    // One byte at a time.
    let mut reader = ResponseReader::default();
    let last = OK
        .iter()
        .map(|b| reader.feed(&[*b]).unwrap())
        .last()
        .unwrap();
    assert_eq!(last.unwrap().body, b"hello");
}

#[test]
fn header_names_in_any_case_and_order() {
    let raw = b"HTTP/1.1 200 OK\r\ndate: x\r\ncOnNeCtIoN: keep-alive, Close\r\nCONTENT-length: 2\r\n\r\nhi";
    let response = ResponseReader::default().feed(raw).unwrap().unwrap();
    assert_eq!(response.body, b"hi");
    assert!(response.close);
    let old = b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n";
    assert!(
        ResponseReader::default().feed(old).unwrap().unwrap().close,
        "1.0 closes"
    );
}

#[test]
fn x_primes_is_read_in_any_case_and_only_as_a_count() {
    let with = |header: &str| {
        let raw = format!("HTTP/1.1 200 OK\r\n{header}\r\nContent-Length: 0\r\n\r\n");
        ResponseReader::default()
            .feed(raw.as_bytes())
            .unwrap()
            .unwrap()
            .primes
    };
    assert_eq!(with("X-Primes: 1229"), Some(1_229));
    assert_eq!(with("x-PRIMES:  0 "), Some(0));
    for not_a_count in [
        "X-Primes: ",
        "X-Primes: -1",
        "X-Primes: +5",
        "X-Primes: 12a",
        "X-Other: 3",
    ] {
        assert_eq!(with(not_a_count), None, "{not_a_count}");
    }
}

#[test]
fn chunked_bodies_in_any_split() {
    let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n\
                    5;ext=1\r\nhello\r\n1\r\n,\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";
    let both = [&chunked[..], OK].concat();
    for split in 0..=both.len() {
        let mut reader = ResponseReader::default();
        let mut got = Vec::new();
        for piece in [&both[..split], &both[split..]] {
            if !piece.is_empty() {
                got.extend(reader.feed(piece).unwrap());
            }
        }
        assert_eq!(got[0].body, b"hello, world", "split at {split}");
        // What followed the chunked body is the next response, intact.
        if let Some(next) = got.get(1) {
            assert_eq!(next.body, b"hello", "split at {split}");
        }
    }
    let no_trailer = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n";
    let got = ResponseReader::default().feed(no_trailer).unwrap().unwrap();
    assert_eq!(got.body, b"hi");
}

#[test]
fn two_responses_in_one_read() {
    let mut reader = ResponseReader::default();
    let both = [OK, b"HTTP/1.1 204 No Content\r\n\r\n"].concat();
    assert_eq!(reader.feed(&both).unwrap().unwrap().body, b"hello");
    let second = reader.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    // The 204 was buffered; feeding more completes it first.
    assert_eq!(second.unwrap().unwrap().status, 204);
}

#[test]
fn errors_say_what_went_wrong() {
    let mut reader = ResponseReader::default();
    assert_eq!(reader.feed(b""), Err(HttpError::Closed { partial: false }));
    assert_eq!(reader.feed(&OK[..20]).unwrap(), None);
    assert_eq!(reader.feed(b""), Err(HttpError::Closed { partial: true }));

    let gzip = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n";
    assert!(matches!(
        ResponseReader::default().feed(gzip),
        Err(HttpError::Unsupported(_))
    ));
    let mut many = b"HTTP/1.1 200 OK\r\n".to_vec();
    for i in 0..=MAX_HEADERS {
        many.extend(format!("X-{i}: {i}\r\n").as_bytes());
    }
    many.extend(b"Content-Length: 0\r\n\r\n");
    let err = ResponseReader::default().feed(&many).unwrap_err();
    assert_eq!(err.to_string(), "response has over 64 headers");
    let bad_chunk = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
    assert!(matches!(
        ResponseReader::default().feed(bad_chunk),
        Err(HttpError::Malformed(_))
    ));
    let no_len = b"HTTP/1.1 200 OK\r\n\r\n";
    assert_eq!(
        ResponseReader::default().feed(no_len),
        Err(HttpError::NoContentLength)
    );
    let garbage = b"SSH-2.0-OpenSSH\r\n\r\n";
    assert!(matches!(
        ResponseReader::default().feed(garbage),
        Err(HttpError::Malformed(_))
    ));
    let huge = vec![b'a'; MAX_HEAD_BYTES + 1];
    let mut reader = ResponseReader::default();
    let err = reader
        .feed(b"HTTP/1.1 200 OK\r\nX: ")
        .and_then(|_| reader.feed(&huge));
    assert_eq!(err, Err(HttpError::HeadTooLarge));
}

#[test]
fn non_200_carries_the_reason() {
    let raw = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 24\r\n\r\nid: missing or not a u64";
    let response = ResponseReader::default().feed(raw).unwrap().unwrap();
    let err = response.into_ok_body().unwrap_err();
    assert_eq!(
        err.to_string(),
        "server answered 400 Bad Request: id: missing or not a u64"
    );
}

/// Feeds `raw` in pieces of `size` bytes: the first response, or the error.
fn read(reader: &mut ResponseReader, raw: &[u8], size: usize) -> Result<Response, HttpError> {
    for piece in raw.chunks(size) {
        if let Some(response) = reader.feed(piece)? {
            return Ok(response);
        }
    }
    reader
        .feed(b"")
        .map(|_| unreachable!("a close is an error"))
}

#[test]
fn interim_answers_are_skipped() {
    let raw = [
        &b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"[..],
        b"HTTP/1.1 102 Processing\n\n",
        OK,
    ]
    .concat();
    for size in [1, 7, raw.len()] {
        let response = read(&mut ResponseReader::default(), &raw, size).unwrap();
        assert_eq!((response.status, &response.body[..]), (200, &b"hello"[..]));
    }
    // An interim answer is a byte of the answer: a close after it is in the middle.
    let mut reader = ResponseReader::default();
    assert_eq!(reader.feed(b"HTTP/1.1 100 Continue\r\n\r\n"), Ok(None));
    assert_eq!(reader.feed(b""), Err(HttpError::Closed { partial: true }));
    // 101 Switching Protocols is final, and not what a client asked for.
    let switch = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n";
    let response = read(&mut ResponseReader::default(), switch, 100).unwrap();
    let err = response.into_ok_body().unwrap_err();
    assert_eq!(err.to_string(), "server answered 101 Switching Protocols");
}

#[test]
fn a_body_over_the_limit_is_refused_at_once() {
    let huge = b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000000000\r\n\r\n";
    let mut reader = ResponseReader::new(1_024);
    assert_eq!(reader.feed(huge), Err(HttpError::BodyTooLarge(1_024)));
    let exact = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
    assert_eq!(
        read(&mut ResponseReader::new(3), exact, 1).unwrap().body,
        b"abc"
    );
    assert_eq!(
        ResponseReader::new(2).feed(exact),
        Err(HttpError::BodyTooLarge(2))
    );
    // Chunks: refused by the running sum, at the size line that passes it.
    let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n";
    let mut reader = ResponseReader::new(4);
    let err = read(&mut reader, chunked, 1).unwrap_err();
    assert_eq!(err.to_string(), "response body over 4 bytes");
    let endless = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF\r\n";
    assert_eq!(
        ResponseReader::new(1_024).feed(endless),
        Err(HttpError::BodyTooLarge(1_024))
    );
    // Another answer's body is only its reason: up to MAX_HEAD_BYTES, whatever
    // the request asked for.
    let busy = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 5\r\n\r\nbusy\n";
    let err = read(&mut ResponseReader::new(0), busy, 3)
        .unwrap()
        .into_ok_body()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "server answered 503 Service Unavailable: busy"
    );
    let long = format!(
        "HTTP/1.1 503 No\r\nContent-Length: {}\r\n\r\n",
        MAX_HEAD_BYTES + 1
    );
    assert_eq!(
        ResponseReader::new(0).feed(long.as_bytes()),
        Err(HttpError::BodyTooLarge(MAX_HEAD_BYTES as u64))
    );
    let signed = b"HTTP/1.1 200 OK\r\nContent-Length: +3\r\n\r\nabc";
    assert!(matches!(
        ResponseReader::default().feed(signed),
        Err(HttpError::Malformed(_))
    ));
}

#[test]
fn a_chunk_size_line_has_the_head_limit() {
    let head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    // Its extensions included, a size line may have MAX_HEAD_BYTES bytes.
    let line = |len: usize| {
        let mut line = b"5;x=".to_vec();
        line.resize(len - 2, b'a');
        line.extend(b"\r\n");
        line
    };
    let fits = [&head[..], &line(MAX_HEAD_BYTES), b"hello\r\n0\r\n\r\n"].concat();
    assert_eq!(
        read(&mut ResponseReader::new(5), &fits, 4_096)
            .unwrap()
            .body,
        b"hello"
    );
    let over = [&head[..], &line(MAX_HEAD_BYTES + 1), b"hello\r\n0\r\n\r\n"].concat();
    let err = read(&mut ResponseReader::new(5), &over, 4_096).unwrap_err();
    assert_eq!(err.to_string(), "chunk-size line over 65536 bytes");
    // An endless one is refused once it is over, without its end.
    let mut reader = ResponseReader::new(5);
    reader.feed(head).unwrap();
    reader.feed(b"5;").unwrap();
    let ext = vec![b'a'; 1_024];
    let refused = (1..).find(|_| reader.feed(&ext).is_err()).unwrap();
    assert_eq!(
        refused,
        MAX_HEAD_BYTES / ext.len(),
        "the piece that passes the limit"
    );
}

#[test]
fn heads_and_lines_fed_a_byte_at_a_time_are_scanned_once() {
    // 60 KB of head, then of chunk extension, a byte per read: a scan from the
    // start at every byte would compare 1.8 * 10^9 bytes for each (many seconds
    // in a debug build); once, a few milliseconds.
    let filler = "a".repeat(60_000);
    let raw = format!(
        "HTTP/1.1 200 OK\r\nX-Big: {filler}\r\nTransfer-Encoding: chunked\r\n\r\n\
         5;{filler}\r\nhello\r\n0\r\nX-Trailer: {filler}\r\n\r\n"
    );
    let started = std::time::Instant::now();
    let response = read(&mut ResponseReader::new(5), raw.as_bytes(), 1).unwrap();
    assert_eq!(response.body, b"hello");
    let took = started.elapsed();
    assert!(took < std::time::Duration::from_secs(2), "{took:?}");
}

#[test]
fn a_chunked_body_is_decoded_in_one_buffer() {
    // 1 MiB in 1-byte chunks is 6 MiB on the wire: the reader keeps the body and
    // one read's bytes, never the wire's.
    let size = 1 << 20;
    let mut raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for i in 0..size {
        raw.extend(b"1\r\n");
        raw.push(i as u8);
        raw.extend(b"\r\n");
    }
    raw.extend(b"0\r\n\r\n");
    let mut reader = ResponseReader::new(size as u64);
    let body = read(&mut reader, &raw, 4_096).unwrap().body;
    assert!(body.iter().enumerate().all(|(i, &b)| b == i as u8));
    assert!(
        body.capacity() < 2 * size + (64 << 10),
        "{}",
        body.capacity()
    );
}
