//! The project's one home for small non-cryptographic hashes and its seeded generator.
//!
//! What these compute is stored or reproduced: incident ids (`INC-` + FNV-1a), blocking keys and
//! marker hashes in the resolver's saved state, package content hashes in the linker's, the
//! hyperplanes of face hashing, and every simulated world, which is rebuilt from its seed. Their
//! output must never change; the tests pin published test vectors.

/// FNV-1a's 64-bit offset basis.
const FNV64_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// FNV-1a's 64-bit prime.
const FNV64_PRIME: u64 = 0x0100_0000_01b3;

/// SplitMix64's increment (the golden ratio in 64 bits).
pub const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// 64-bit FNV-1a, fed in parts. Also an [`std::io::Write`], so a serialiser can write into it.
#[derive(Clone, Copy, Debug)]
pub struct Fnv1a64(u64);

impl Default for Fnv1a64 {
    fn default() -> Self {
        Self::new()
    }
}

impl Fnv1a64 {
    pub const fn new() -> Self {
        Self(FNV64_OFFSET)
    }

    /// Feeds bytes.
    pub fn bytes(&mut self, bytes: &[u8]) -> &mut Self {
        for &byte in bytes {
            self.unit(u64::from(byte));
        }
        self
    }

    /// Feeds one unit wider than a byte (a character's code point), in one step.
    pub fn unit(&mut self, value: u64) -> &mut Self {
        self.0 = (self.0 ^ value).wrapping_mul(FNV64_PRIME);
        self
    }

    pub fn finish(&self) -> u64 {
        self.0
    }
}

impl std::io::Write for Fnv1a64 {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.bytes(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// 64-bit FNV-1a of bytes.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    Fnv1a64::new().bytes(bytes).finish()
}

/// 32-bit FNV-1a of bytes: small keys for short codes.
pub fn fnv1a32(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5u32, |hash, &byte| (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193))
}

/// SplitMix64's output function: a fast bijective mixer of 64 bits (0 maps to 0).
#[inline]
pub fn mix64(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// One step of SplitMix64 from `x`: the increment, then [`mix64`]. Derives seeds from seeds.
#[inline]
pub fn splitmix64(x: u64) -> u64 {
    mix64(x.wrapping_add(GOLDEN_GAMMA))
}

/// The SplitMix64 generator (Steele, Lea and Flood, 2014): small, fast, reproducible from a seed.
/// For streams where a cryptographic or statistical-suite generator is not needed.
#[derive(Clone, Copy, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub const fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN_GAMMA);
        mix64(self.0)
    }

    /// A value in `0..n` (`n` above 0; modulo bias is negligible for the small `n` used here).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// A value in `[-0.5, 0.5)` from the top 24 bits.
    pub fn centred_unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32 - 0.5
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_gives_the_published_test_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
        assert_eq!(fnv1a32(b""), 0x811c_9dc5);
        assert_eq!(fnv1a32(b"a"), 0xe40c_292c);
        assert_eq!(fnv1a32(b"foobar"), 0xbf9c_f968);
    }

    #[test]
    fn fed_in_parts_or_written_to_the_hash_is_the_same() {
        let mut parts = Fnv1a64::new();
        parts.bytes(b"foo").bytes(b"bar");
        assert_eq!(parts.finish(), fnv1a64(b"foobar"));
        let mut written = Fnv1a64::new();
        std::io::Write::write_all(&mut written, b"foobar").unwrap();
        assert_eq!(written.finish(), fnv1a64(b"foobar"));
        let mut units = Fnv1a64::new();
        for c in "foobar".chars() {
            units.unit(u64::from(c));
        }
        assert_eq!(units.finish(), fnv1a64(b"foobar"), "an ASCII character is its byte");
    }

    #[test]
    fn splitmix64_gives_the_reference_sequence() {
        let mut generator = SplitMix64::new(0);
        let first: Vec<u64> = (0..3).map(|_| generator.next_u64()).collect();
        assert_eq!(first, [0xe220_a839_7b1d_cdaf, 0x6e78_9e6a_a1b9_65f4, 0x06c4_5d18_8009_454f]);
        assert_eq!(splitmix64(0), 0xe220_a839_7b1d_cdaf);
        assert_eq!(mix64(0), 0);
        assert_eq!(mix64(1), 0x5692_161d_100b_05e5);
    }
}
