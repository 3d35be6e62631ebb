//! A request's body, dropped as it arrives: a length, or chunks and trailers.

use super::{MAX_REQUEST_BODY, RequestError, RequestReader};
use crate::http::{MAX_HEAD_BYTES, scan::line_end};

/// The body still to be dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Body {
    None,
    Length(usize),
    /// A chunked body, the sum of its chunks so far: a chunk-size line next; or
    /// `left` bytes of a chunk's data, then its CRLF (`left` 0: the CRLF next).
    ChunkLine {
        sum: usize,
    },
    ChunkData {
        left: usize,
        sum: usize,
    },
    /// After the last chunk: trailer lines, `bytes` of them so far, to an empty line.
    Trailer {
        bytes: usize,
    },
}

impl RequestReader {
    /// Drops the body bytes that have arrived of the request handed over last.
    pub(super) fn drop_body(&mut self) -> Result<(), RequestError> {
        loop {
            match self.body {
                Body::None => return Ok(()),
                Body::Length(left) | Body::ChunkData { left, .. } if left > 0 => {
                    let n = left.min(self.buf.len());
                    self.buf.drain(..n);
                    self.body = match self.body {
                        Body::Length(_) if n == left => Body::None,
                        Body::Length(_) => Body::Length(left - n),
                        Body::ChunkData { sum, .. } => Body::ChunkData {
                            left: left - n,
                            sum,
                        },
                        _ => unreachable!("matched Length or ChunkData"),
                    };
                    if n < left {
                        return Ok(());
                    }
                }
                Body::Length(_) => self.body = Body::None,
                Body::ChunkData { sum, .. } => {
                    if self.buf.len() < 2 {
                        return Ok(());
                    }
                    if self.buf[..2] != *b"\r\n" {
                        return Err(malformed("chunk data not followed by CRLF"));
                    }
                    self.buf.drain(..2);
                    self.body = Body::ChunkLine { sum };
                }
                Body::ChunkLine { sum } => {
                    let Some(line) = self.line("chunk-size line")? else {
                        return Ok(());
                    };
                    let size = chunk_size(&line)?;
                    let sum = sum.saturating_add(size);
                    if sum > MAX_REQUEST_BODY {
                        return Err(RequestError::Unsupported(format!(
                            "a chunked body over {MAX_REQUEST_BODY} bytes (no route takes a body)"
                        )));
                    }
                    self.body = match size {
                        0 => Body::Trailer { bytes: 0 },
                        left => Body::ChunkData { left, sum },
                    };
                }
                Body::Trailer { bytes } => {
                    let Some(line) = self.line("trailer line")? else {
                        return Ok(());
                    };
                    let bytes = bytes + line.len();
                    if bytes > MAX_HEAD_BYTES {
                        return Err(malformed(&format!("trailers over {MAX_HEAD_BYTES} bytes")));
                    }
                    self.body = match line.is_empty() {
                        true => Body::None,
                        false => Body::Trailer { bytes },
                    };
                }
            }
        }
    }

    /// The line at the start of `buf`, without its LF (or CRLF), taken out once it
    /// is all in; a line over [`MAX_HEAD_BYTES`] is refused. Scanned once: `scanned`.
    fn line(&mut self, what: &str) -> Result<Option<Vec<u8>>, RequestError> {
        let Some(end) = line_end(&self.buf, self.scanned.min(self.buf.len())) else {
            if self.buf.len() > MAX_HEAD_BYTES {
                return Err(malformed(&format!("{what} over {MAX_HEAD_BYTES} bytes")));
            }
            self.scanned = self.buf.len();
            return Ok(None);
        };
        self.scanned = 0;
        let mut line: Vec<u8> = self.buf.drain(..end).collect();
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        Ok(Some(line))
    }
}

pub(super) fn malformed(why: &str) -> RequestError {
    RequestError::Malformed(why.into())
}

/// A chunk-size line's size: 1 to 16 hex digits, then blanks, then any extension
/// after a `;`.
fn chunk_size(line: &[u8]) -> Result<usize, RequestError> {
    let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    let blanks_only = line[digits..]
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count();
    let after = &line[digits + blanks_only..];
    if (1..=16).contains(&digits) && (after.is_empty() || after[0] == b';') {
        let hex = std::str::from_utf8(&line[..digits]).expect("hex digits are ASCII");
        return Ok(usize::from_str_radix(hex, 16).expect("at most 16 hex digits fit"));
    }
    let shown: String = line.iter().take(100).map(|&b| b as char).collect();
    Err(malformed(&format!("chunk size {shown:?}")))
}
