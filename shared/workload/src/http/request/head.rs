//! A complete request head, parsed: the request, and the body that follows it.

use super::{MAX_REQUEST_BODY, Request, RequestError, body::Body};
use crate::http::MAX_HEADERS;

/// A complete head, parsed: the request and the body that follows it.
pub(super) fn parse(head: &[u8]) -> Result<(Request, Body), RequestError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    match request.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => {
            return Err(RequestError::Malformed("incomplete head".into()));
        }
        Err(httparse::Error::TooManyHeaders) => return Err(RequestError::TooManyHeaders),
        Err(e) => return Err(RequestError::Malformed(e.to_string())),
    }
    let minor_version = request.version.expect("complete requests have a version");
    let (mut host, mut close, mut keep_alive, mut expect_continue) = (false, false, false, false);
    let (mut lengths, mut codings) = (Vec::<usize>::new(), Vec::<&str>::new());
    for header in request.headers.iter() {
        let value = std::str::from_utf8(header.value)
            .map_err(|_| RequestError::Malformed(format!("{} is not UTF-8", header.name)))?
            .trim();
        let name = header.name;
        if name.eq_ignore_ascii_case("host") {
            host = true;
        } else if name.eq_ignore_ascii_case("connection") {
            for option in value.split(',').map(str::trim) {
                close |= option.eq_ignore_ascii_case("close");
                keep_alive |= option.eq_ignore_ascii_case("keep-alive");
            }
        } else if name.eq_ignore_ascii_case("content-length") {
            // Digits alone: `+5` or `5, 6` could be read apart by another parser.
            let bad = || RequestError::Malformed(format!("Content-Length {value:?}"));
            if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            lengths.push(value.parse().unwrap_or(usize::MAX));
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            codings.push(value);
        } else if name.eq_ignore_ascii_case("expect") {
            expect_continue |= value.eq_ignore_ascii_case("100-continue");
        }
    }
    // A proxy and this server could read two lengths, or a length and chunks,
    // differently: a request smuggled behind another (RFC 9112, 6.3). Refused.
    if lengths.iter().any(|&len| len != lengths[0]) {
        return Err(RequestError::Malformed(
            "Content-Length given twice, with different values".into(),
        ));
    }
    if !lengths.is_empty() && !codings.is_empty() {
        return Err(RequestError::Malformed(
            "both Content-Length and Transfer-Encoding".into(),
        ));
    }
    let codings = codings.join(", ");
    if !codings.is_empty() && !codings.eq_ignore_ascii_case("chunked") {
        return Err(RequestError::NotImplemented(format!(
            "Transfer-Encoding: {codings} (only chunked)"
        )));
    }
    let body = match lengths.first() {
        _ if !codings.is_empty() => Body::ChunkLine { sum: 0 },
        Some(&len) if len > MAX_REQUEST_BODY => {
            return Err(RequestError::Unsupported(format!(
                "a body of {len} bytes (no route takes a body)"
            )));
        }
        Some(0) | None => Body::None,
        Some(&len) => Body::Length(len),
    };
    let target = request.path.expect("complete requests have a target");
    let target = target.split('#').next().unwrap_or(""); // a fragment is the client's
    // The absolute form (`http://host/path`, what a proxy is sent) names the host.
    let (target, named_host) = match target.split_once("://") {
        Some((scheme, rest))
            if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") =>
        {
            (rest.find(['/', '?']).map_or("/", |i| &rest[i..]), true)
        }
        _ => (target, false),
    };
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (
            if path.is_empty() { "/" } else { path },
            Some(query.to_string()),
        ),
        None => (target, None),
    };
    let request = Request {
        method: request
            .method
            .expect("complete requests have a method")
            .into(),
        path: path.into(),
        query,
        minor_version,
        host: host || named_host,
        close: close || (minor_version == 0 && !keep_alive),
        expect_continue: expect_continue && minor_version == 1 && body != Body::None,
    };
    Ok((request, body))
}
