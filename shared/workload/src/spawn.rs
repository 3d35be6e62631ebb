//! The spawn workload: the primer's `add_two`, K times.

/// `--units` above this is refused: the async programs hold every unit's task at
/// once, about 450 bytes each in tokio-spawn, so this many take 4.3 GiB.
pub const MAX_UNITS: u64 = 10_000_000;
/// `--sleep-ms` above this (a minute) is refused: a longer sleep measures nothing
/// more, and sequential-spawn sleeps K times as long.
pub const MAX_SLEEP_MS: u64 = 60_000;

/// What unit `i` returns: the primer's `add_two`.
pub fn add_two(i: u64) -> u64 {
    i + 2
}

/// The sum of `add_two(i)` for `i < units`: K(K+3)/2.
pub fn expected_checksum(units: u64) -> u64 {
    units * (units + 3) / 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_form_matches_the_sum() {
        for k in [0, 1, 2, 300, 1_000, 100_000] {
            assert_eq!(expected_checksum(k), (0..k).map(add_two).sum::<u64>());
        }
        assert_eq!(expected_checksum(300), 45_450);
    }
}
