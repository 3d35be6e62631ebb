//! A request's query, the data a server answers from: `/work?id=I&delay_ms=D&bytes=B&work=N`
//! parsed by the api-server's rules (percent-decoded; a bad one gets its 400's
//! one-line reason), and a heavy request's CPU work.

use crate::io::{self as workload_io, MAX_BYTES, MAX_DELAY_MS};

/// Without a `bytes` parameter a request gets this many body bytes.
pub const DEFAULT_BYTES: u64 = 1_024;
/// The most `work` a request may ask for: ten million numbers to test.
pub const MAX_WORK: u64 = 10_000_000;
/// The end of a request's range of numbers, `(id + 1) * work`, may not pass this
/// (the io workload's own limit): trial division grows with the numbers tested, so
/// a large id with a large `work` would hold a core for minutes.
pub const MAX_WORK_END: u64 = workload_io::MAX_WORK_TOTAL;

/// One valid `/work` query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Query {
    pub id: u64,
    pub delay_ms: u64,
    pub bytes: u64,
    /// Count the primes in `[id*work, id*work + work)` before answering; 0: none.
    pub work: u64,
}

/// A heavy request's CPU work (`work=N`): the primes in `[id*N, id*N + N)`, by
/// the cpu workload's trial division. `Copy` and `Send`, so that a server can
/// count it where its paradigm puts blocking work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Work {
    pub id: u64,
    pub n: u64,
}

impl Work {
    /// Counts the primes: CPU only, no I/O, as long as `n` says.
    pub fn count(self) -> u64 {
        workload_io::work(self.id, self.n)
    }
}

/// Parses a `/work` query string. `id` is required; `delay_ms` and `work` default
/// to 0 and `bytes` to [`DEFAULT_BYTES`]; other keys are ignored; keys and values
/// are percent-decoded. The error is the one-line reason that the 400 answer carries.
pub fn parse_query(query: Option<&str>) -> Result<Query, String> {
    let (mut id, mut delay_ms, mut bytes, mut work) = (None, None, None, None);
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decoded = |text: &str| {
            let bytes = percent_encoding::percent_decode_str(text);
            bytes.decode_utf8().map(|s| s.into_owned())
        };
        let key = decoded(key).map_err(|_| format!("{key:?} is not UTF-8 once decoded"))?;
        let value = decoded(value).map_err(|_| format!("{key}: {value:?} is not UTF-8"))?;
        let slot = match key.as_str() {
            "id" => &mut id,
            "delay_ms" => &mut delay_ms,
            "bytes" => &mut bytes,
            "work" => &mut work,
            _ => continue,
        };
        let number = value
            .parse::<u64>()
            .map_err(|_| format!("{key}: {value:?} is not a u64"))?;
        *slot = Some(number);
    }
    let id = id.ok_or("id: missing")?;
    let delay_ms = delay_ms.unwrap_or(0);
    if delay_ms > MAX_DELAY_MS {
        return Err(format!("delay_ms: {delay_ms} is over {MAX_DELAY_MS}"));
    }
    let bytes = bytes.unwrap_or(DEFAULT_BYTES);
    if bytes > MAX_BYTES {
        return Err(format!("bytes: {bytes} is over {MAX_BYTES}"));
    }
    let work = work.unwrap_or(0);
    if work > MAX_WORK {
        return Err(format!("work: {work} is over {MAX_WORK}"));
    }
    let end = id.checked_add(1).and_then(|n| n.checked_mul(work));
    if work > 0 && end.is_none_or(|end| end > MAX_WORK_END) {
        return Err(format!(
            "work: id {id} x work {work} is over {MAX_WORK_END}: too long to count"
        ));
    }
    Ok(Query {
        id,
        delay_ms,
        bytes,
        work,
    })
}
