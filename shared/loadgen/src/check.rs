//! Whether an answer is the one asked for: status 200, the body of request k, and
//! for a heavy request an `X-Primes` equal to `workload::io::work(k, N)`.
//!
//! The body is compared with splitmix64 seeded with k as it is made, 8 bytes at a
//! time: equal bytes have equal FNV-1a hashes, and the comparison costs about a
//! tenth of hashing both (no expected body is built, nothing is allocated).

use workload::{http::Response, io::SplitMix64};

use crate::primes::Primes;

/// `Err` says why the answer to request `k` is wrong, in words for stderr.
pub fn answer(
    k: u64,
    bytes: u64,
    work: u64,
    response: &Response,
    primes: Option<&Primes>,
) -> Result<(), String> {
    if response.status != 200 {
        return Err(format!(
            "server answered {} {}",
            response.status, response.reason
        ));
    }
    body(k, bytes, &response.body)?;
    if work == 0 {
        return Ok(());
    }
    let want = primes
        .expect("a run with heavy requests has its primes")
        .count(k * work..k * work + work);
    match response.primes {
        Some(got) if got == want => Ok(()),
        Some(got) => Err(format!("X-Primes: {got}, expected {want} (work={work})")),
        None => Err(format!("no X-Primes count in the answer (work={work})")),
    }
}

/// Whether `got` is the body of request `k`: `bytes` bytes of splitmix64(k).
fn body(k: u64, bytes: u64, got: &[u8]) -> Result<(), String> {
    if got.len() as u64 != bytes {
        return Err(format!("a body of {} bytes, expected {bytes}", got.len()));
    }
    let mut stream = SplitMix64::new(k);
    let words = got.chunks_exact(8);
    let tail = words.remainder();
    for (i, word) in words.enumerate() {
        let word = u64::from_le_bytes(word.try_into().expect("chunks of 8 bytes"));
        if word != stream.next_u64() {
            return Err(format!("body differs at byte {}", i * 8));
        }
    }
    match tail == &stream.next_u64().to_le_bytes()[..tail.len()] {
        true => Ok(()),
        false => Err(format!("body differs at byte {}", got.len() - tail.len())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(body: &[u8], primes: Option<u64>) -> Response {
        let (status, reason, close) = (200, "OK".into(), false);
        let body = body.to_vec();
        Response {
            status,
            reason,
            body,
            close,
            primes,
        }
    }

    #[test]
    fn the_right_body_passes_and_any_other_fails() {
        for (k, bytes) in [(7, 1), (7, 13), (12_345, 1_024)] {
            let good = workload::io::body(k, bytes);
            let n = bytes as u64;
            assert_eq!(answer(k, n, 0, &ok(&good, None), None), Ok(()));
            let why = answer(k + 1, n, 0, &ok(&good, None), None).unwrap_err();
            assert!(why.contains("differs at byte 0"), "{why}");
            let mut bad = good.clone();
            bad[bytes - 1] ^= 1;
            let why = answer(k, n, 0, &ok(&bad, None), None).unwrap_err();
            assert!(
                why.contains(&format!("at byte {}", (bytes - 1) / 8 * 8)),
                "{why}"
            );
            let why = answer(k, n, 0, &ok(&good[1..], None), None).unwrap_err();
            assert_eq!(
                why,
                format!("a body of {} bytes, expected {bytes}", bytes - 1)
            );
        }
        assert_eq!(answer(0, 0, 0, &ok(b"", None), None), Ok(()));
        let mut refused = ok(b"busy", None);
        (refused.status, refused.reason) = (503, "Busy".into());
        let why = answer(0, 4, 0, &refused, None).unwrap_err();
        assert_eq!(why, "server answered 503 Busy");
    }

    #[test]
    fn a_heavy_answer_needs_the_right_x_primes() {
        let primes = Primes::below(1_000);
        let body = workload::io::body(3, 16);
        let want = workload::io::work(3, 100);
        let check = |x| answer(3, 16, 100, &ok(&body, x), Some(&primes));
        assert_eq!(check(Some(want)), Ok(()));
        assert!(check(Some(want + 1)).unwrap_err().contains("X-Primes: "));
        assert!(check(None).unwrap_err().contains("no X-Primes"));
    }
}
