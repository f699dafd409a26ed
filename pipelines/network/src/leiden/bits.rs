//! A set of node or community ids kept as one bit each: a million ids take 128 KiB, which stays in
//! a core's cache while local moving reads and writes it at random (a `bool` or a `u32` per id
//! would take 1 or 4 MiB).

pub(super) struct Bits {
    words: Vec<u64>,
}

impl Bits {
    /// Ids `0..len`, all present when `full`, else none.
    pub(super) fn new(len: usize, full: bool) -> Self {
        Self { words: vec![if full { u64::MAX } else { 0 }; len.div_ceil(64)] }
    }

    #[inline]
    pub(super) fn contains(&self, id: u32) -> bool {
        self.words[id as usize / 64] & (1 << (id % 64)) != 0
    }

    /// Adds `id`; returns whether it was absent.
    #[inline]
    pub(super) fn insert(&mut self, id: u32) -> bool {
        let (word, bit) = (&mut self.words[id as usize / 64], 1u64 << (id % 64));
        let absent = *word & bit == 0;
        *word |= bit;
        absent
    }

    #[inline]
    pub(super) fn remove(&mut self, id: u32) {
        self.words[id as usize / 64] &= !(1u64 << (id % 64));
    }

    /// Removes every id.
    pub(super) fn clear(&mut self) {
        self.words.fill(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_come_and_go_one_bit_each() {
        let mut bits = Bits::new(130, false);
        assert!(!bits.contains(129));
        assert!(bits.insert(129) && !bits.insert(129) && bits.insert(0) && bits.insert(64));
        assert!(bits.contains(129) && bits.contains(0) && bits.contains(64) && !bits.contains(63));
        bits.remove(64);
        assert!(!bits.contains(64) && bits.contains(0));
        bits.clear();
        assert!((0..130).all(|id| !bits.contains(id)));
        let full = Bits::new(130, true);
        assert!((0..130).all(|id| full.contains(id)));
    }
}
