//! Shared by the `gen` and `replay` examples: SplitMix64, deterministic for a
//! seed and independent of the platform.

pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a state; the first output is skipped.
    pub fn new(state: u64) -> SplitMix64 {
        let mut r = SplitMix64(state);
        r.next();
        r
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        (self.next() >> 11) % n.max(1)
    }
}
