//! A complete response head, parsed: its status, how its body ends, its limit.

use super::HttpError;
use crate::http::{MAX_HEAD_BYTES, MAX_HEADERS};

#[derive(Debug)]
pub(super) struct Head {
    pub(super) status: u16,
    pub(super) reason: String,
    pub(super) framing: Framing,
    pub(super) close: bool,
    /// The most bytes its body may have.
    pub(super) limit: u64,
    /// `X-Primes`, when it is a decimal count.
    pub(super) primes: Option<u64>,
}

/// How a body's end is known.
#[derive(Debug, Clone, Copy)]
pub(super) enum Framing {
    Length(u64),
    Chunked,
}

/// A complete head: its status, reason, framing and whether the server closes, and
/// its body's limit: for a `200`, `max_body`, what was asked for; for another
/// answer, whose body is only a reason, that or [`MAX_HEAD_BYTES`]. A longer
/// `Content-Length` is refused here, before any of the body is read.
pub(super) fn parse_head(bytes: &[u8], max_body: u64) -> Result<Head, HttpError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut headers);
    match response.parse(bytes) {
        Ok(httparse::Status::Complete(n)) if n == bytes.len() => {}
        Ok(_) => {
            return Err(HttpError::Malformed(
                "head does not end where it should".into(),
            ));
        }
        Err(httparse::Error::TooManyHeaders) => return Err(HttpError::TooManyHeaders),
        Err(e) => return Err(HttpError::Malformed(e.to_string())),
    }
    let status = response.code.expect("complete responses have a code");
    let mut close = response.version == Some(0);
    let (mut body_len, mut chunked, mut primes) = (None, false, None);
    for header in response.headers.iter() {
        let value = std::str::from_utf8(header.value)
            .map_err(|_| HttpError::Malformed(format!("{} is not UTF-8", header.name)))?
            .trim();
        if header.name.eq_ignore_ascii_case("content-length") {
            let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
            let len = value
                .parse()
                .ok()
                .filter(|_| digits)
                .ok_or_else(|| HttpError::Malformed(format!("Content-Length {value:?}")))?;
            if body_len.is_some_and(|earlier| earlier != len) {
                return Err(HttpError::Malformed("conflicting Content-Length".into()));
            }
            body_len = Some(len);
        } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
            // Only `chunked` alone: a compressed body is not what was asked for.
            if !value.eq_ignore_ascii_case("chunked") {
                return Err(HttpError::Unsupported(format!(
                    "Transfer-Encoding: {value}"
                )));
            }
            chunked = true;
        } else if header.name.eq_ignore_ascii_case("x-primes") {
            // Not framing: a value that is no count is left for the client to refuse.
            primes = value
                .parse()
                .ok()
                .filter(|_| value.bytes().all(|b| b.is_ascii_digit()));
        } else if header.name.eq_ignore_ascii_case("connection") {
            close |= value
                .split(',')
                .any(|v| v.trim().eq_ignore_ascii_case("close"));
        }
    }
    // 1xx, 204 and 304 have no body; chunked overrides a length (RFC 9112, 6.3);
    // everything else must say how long it is.
    let limit = match status {
        200 => max_body,
        _ => max_body.max(MAX_HEAD_BYTES as u64),
    };
    let framing = match (status, chunked, body_len) {
        (100..=199 | 204 | 304, _, _) => Framing::Length(0),
        (_, true, _) => Framing::Chunked,
        (_, false, Some(len)) if len > limit => return Err(HttpError::BodyTooLarge(limit)),
        (_, false, Some(len)) => Framing::Length(len),
        (_, false, None) => return Err(HttpError::NoContentLength),
    };
    Ok(Head {
        status,
        reason: response.reason.unwrap_or("").to_string(),
        framing,
        close,
        limit,
        primes,
    })
}
