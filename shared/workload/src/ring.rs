//! The ring workload: K units in a ring pass a token M times around; each
//! receive is a hop that folds the receiving unit's number into the token.

/// The FNV-1a 64 prime: a hop multiplies by it.
const PRIME: u64 = 0x100000001B3;

/// `--units` above this is refused: a million tasks and their channels take
/// 1.3 GiB in tokio-ring.
pub const MAX_UNITS: u64 = 1_000_000;
/// `--units` x `--laps` above this is refused: a hop through a pipe costs about
/// 4 us (processes-ring on a 2-core machine), so this many take half a day.
pub const MAX_HOPS: u64 = 10_000_000_000;

/// What unit `unit` does to the token `t` it receives: `(t ^ unit) * PRIME`,
/// wrapping.
pub fn hop(t: u64, unit: u64) -> u64 {
    (t ^ unit).wrapping_mul(PRIME)
}

/// The unit that receives hop `h` (1-based) in a ring of `units`.
pub fn receiver(h: u64, units: u64) -> u64 {
    h % units
}

/// The token after hop K*M: unit 0 starts with 0, hop h is received by unit
/// h mod K. This is the sequential baseline's whole loop, and the checksum.
pub fn expected_checksum(units: u64, laps: u64) -> u64 {
    (1..=units * laps).fold(0, |t, h| hop(t, receiver(h, units)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_design() {
        assert_eq!(expected_checksum(2, 1), 956_575_116_354_345);
        assert_eq!(expected_checksum(3, 1), 622_252_113_147_344_985);
        assert_eq!(expected_checksum(100, 1_000), 6_368_121_402_266_931_200);
    }
}
