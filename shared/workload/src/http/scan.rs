//! Finding where a head, a line or a trailer ends in bytes that arrive in pieces,
//! each byte looked at once: for both readers, requests' and responses'.

use super::MAX_HEAD_BYTES;

/// Finds the end of a head, line or trailer in `rest` with `find`, from where the
/// last scan stopped: `None` until it is in, `too_long` past [`MAX_HEAD_BYTES`].
pub(super) fn scan<E>(
    scanned: &mut usize,
    rest: &[u8],
    find: impl Fn(&[u8], usize) -> Option<usize>,
    too_long: E,
) -> Result<Option<usize>, E> {
    match find(rest, *scanned) {
        Some(end) if end > MAX_HEAD_BYTES => Err(too_long),
        Some(end) => {
            *scanned = 0;
            Ok(Some(end))
        }
        None if rest.len() > MAX_HEAD_BYTES => Err(too_long),
        None => {
            // A line break is at most 3 bytes (`\n\r\n`): start the next scan
            // where one may begin.
            *scanned = rest.len().saturating_sub(2);
            Ok(None)
        }
    }
}

/// The end of the line break at `at` (`\r\n`, or a bare `\n` as httparse allows).
pub(super) fn line_break_end(bytes: &[u8], at: usize) -> Option<usize> {
    match bytes.get(at..)? {
        [b'\r', b'\n', ..] => Some(at + 2),
        [b'\n', ..] => Some(at + 1),
        _ => None,
    }
}

/// The end of the first line, searched from `from`.
pub(super) fn line_end(bytes: &[u8], from: usize) -> Option<usize> {
    let at = bytes.get(from..)?.iter().position(|&b| b == b'\n')?;
    Some(from + at + 1)
}

/// The end of the first blank line (a line break right after another), searched
/// from `from`.
pub(super) fn blank_line_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut from = from;
    while let Some(end) = line_end(bytes, from) {
        if let Some(blank) = line_break_end(bytes, end) {
            return Some(blank);
        }
        from = end;
    }
    None
}
