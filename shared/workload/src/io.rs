//! The io workload's bytes: what the server sends for request `id`, and the checksum.

/// Body bytes above this are refused by the server (16 MiB).
pub const MAX_BYTES: u64 = 16 << 20;
/// Delays above this are refused by the server (60 s).
pub const MAX_DELAY_MS: u64 = 60_000;
/// The most connections `processes-io` (and its Python twin) open, one process
/// each: each process costs about 170 KiB of its own memory and 0.6 ms to start on
/// a 2-core machine (see examples/spawn), and holds two pipes open in the parent.
/// The benchmark skips points above it with this number as the reason.
pub const MAX_PROCESSES: u64 = 1_000;

/// The splitmix64 generator (Steele, Lea and Flood), with wrapping arithmetic.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// The body for request `id`: the little-endian bytes of splitmix64 seeded with
/// `id`, truncated to `bytes`.
pub fn body(id: u64, bytes: usize) -> Vec<u8> {
    let mut rng = SplitMix64::new(id);
    let mut out = Vec::with_capacity(bytes.next_multiple_of(8));
    while out.len() < bytes {
        out.extend_from_slice(&rng.next_u64().to_le_bytes());
    }
    out.truncate(bytes);
    out
}

/// FNV-1a, 64 bits.
pub fn fnv1a64(data: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// The checksum every io program must reach: the wrapping sum over all requests of
/// the FNV-1a 64 of its body.
pub fn expected_checksum(requests: u64, bytes: usize) -> u64 {
    (0..requests).fold(0u64, |sum, id| sum.wrapping_add(fnv1a64(&body(id, bytes))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_reference_values() {
        // Reference outputs of splitmix64 seeded with 0 and 1234567 (Vigna's C code).
        let mut rng = SplitMix64::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        let mut rng = SplitMix64::new(1_234_567);
        assert_eq!(rng.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(rng.next_u64(), 3_203_168_211_198_807_973);
    }

    #[test]
    fn fnv1a64_reference_values() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn bodies_are_truncated_little_endian_words() {
        let first = SplitMix64::new(7).next_u64().to_le_bytes();
        assert_eq!(body(7, 3), first[..3]);
        assert_eq!(body(7, 8), first);
        assert_eq!(body(7, 0), b"");
        assert_eq!(body(7, 1_024).len(), 1_024);
        assert_eq!(body(7, 13)[..8], first);
    }

    #[test]
    fn design_example_checksum() {
        // The result line in DESIGN.md: R = 1,000, B = 1,024.
        assert_eq!(expected_checksum(1_000, 1_024), 14_874_151_481_412_741_043);
        assert_eq!(expected_checksum(0, 1_024), 0);
    }
}
