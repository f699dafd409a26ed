//! A sparse accumulator of edge weight by community (or cluster), cleared in time proportional to
//! what was added.
//!
//! With few communities it keeps one slot per community. With many (level 0 of a large graph has a
//! million), one slot per community spreads a node's few sums over megabytes, and each addition is
//! a cache miss: there it keeps a small open-addressing table sized to what one node touches. Both
//! give the same sums, added in the same order, and list communities in the order first touched.

/// Up to this many communities get one slot each. Measured at mixing 0.5 on a million nodes: levels
/// of 44,400 and 246,996 communities were moved faster with a slot each, level 0 (1,000,000) faster
/// hashed.
const DENSE_MAX: usize = 1 << 18;

/// The hashed table's first size, in slots (a power of two).
const FIRST_TABLE_BITS: u32 = 6;

const EMPTY: u32 = u32::MAX;

/// Sparse accumulator of edge weight from one node to each community it touches.
pub(super) struct NeighbourWeights {
    capacity: usize,
    slots: Slots,
    touched: Vec<u32>,
}

enum Slots {
    /// Slot `c` for community `c`.
    Dense { weights: Vec<f64>, seen: Vec<bool> },
    /// Linear probing on a multiplicative hash; `slot_of[i]` is the slot of `touched[i]`.
    Hashed { keys: Vec<u32>, weights: Vec<f64>, slot_of: Vec<u32>, shift: u32 },
}

impl NeighbourWeights {
    pub(super) fn new(community_capacity: usize) -> Self {
        let slots = if community_capacity <= DENSE_MAX {
            Slots::Dense { weights: vec![0.0; community_capacity], seen: vec![false; community_capacity] }
        } else {
            let size = 1usize << FIRST_TABLE_BITS;
            Slots::Hashed {
                keys: vec![EMPTY; size],
                weights: vec![0.0; size],
                slot_of: Vec::new(),
                shift: 64 - FIRST_TABLE_BITS,
            }
        };
        Self { capacity: community_capacity, slots, touched: Vec::new() }
    }

    #[inline]
    pub(super) fn add(&mut self, community: u32, weight: f64) {
        debug_assert!((community as usize) < self.capacity);
        match &mut self.slots {
            Slots::Dense { weights, seen } => {
                let index = community as usize;
                if !seen[index] {
                    seen[index] = true;
                    self.touched.push(community);
                }
                weights[index] += weight;
            }
            Slots::Hashed { keys, weights, slot_of, shift } => {
                let mask = keys.len() - 1;
                let mut slot = home(community, *shift);
                loop {
                    let key = keys[slot];
                    if key == community {
                        weights[slot] += weight;
                        return;
                    }
                    if key == EMPTY {
                        break;
                    }
                    slot = (slot + 1) & mask;
                }
                keys[slot] = community;
                weights[slot] += weight;
                self.touched.push(community);
                slot_of.push(slot as u32);
                if self.touched.len() * 2 > keys.len() {
                    self.grow();
                }
            }
        }
    }

    /// Doubles the hashed table, keeping what it holds.
    #[cold]
    fn grow(&mut self) {
        let Slots::Hashed { keys, weights, slot_of, shift } = &mut self.slots else { return };
        let size = keys.len() * 2;
        let new_shift = *shift - 1;
        let mut new_keys = vec![EMPTY; size];
        let mut new_weights = vec![0.0; size];
        for (&community, slot) in self.touched.iter().zip(slot_of.iter_mut()) {
            let mut new_slot = home(community, new_shift);
            while new_keys[new_slot] != EMPTY {
                new_slot = (new_slot + 1) & (size - 1);
            }
            new_keys[new_slot] = community;
            new_weights[new_slot] = weights[*slot as usize];
            *slot = new_slot as u32;
        }
        *keys = new_keys;
        *weights = new_weights;
        *shift = new_shift;
    }

    /// How many communities it can hold.
    pub(super) fn capacity(&self) -> usize {
        self.capacity
    }

    #[inline]
    pub(super) fn weight(&self, community: u32) -> f64 {
        match &self.slots {
            Slots::Dense { weights, .. } => weights[community as usize],
            Slots::Hashed { keys, weights, shift, .. } => {
                let mask = keys.len() - 1;
                let mut slot = home(community, *shift);
                loop {
                    match keys[slot] {
                        key if key == community => return weights[slot],
                        EMPTY => return 0.0,
                        _ => slot = (slot + 1) & mask,
                    }
                }
            }
        }
    }

    /// Communities touched since the last clear, in the order they were first touched.
    pub(super) fn touched(&self) -> &[u32] {
        &self.touched
    }

    pub(super) fn clear(&mut self) {
        match &mut self.slots {
            Slots::Dense { weights, seen } => {
                for &community in &self.touched {
                    weights[community as usize] = 0.0;
                    seen[community as usize] = false;
                }
            }
            Slots::Hashed { keys, weights, slot_of, .. } => {
                for &slot in slot_of.iter() {
                    keys[slot as usize] = EMPTY;
                    weights[slot as usize] = 0.0;
                }
                slot_of.clear();
            }
        }
        self.touched.clear();
    }

    /// Appends `(community, weight)` for every community touched, in the order first touched, and
    /// clears the accumulator.
    pub(super) fn drain_into(&mut self, out: &mut Vec<(u32, f64)>) {
        match &self.slots {
            Slots::Dense { weights, .. } => {
                out.extend(self.touched.iter().map(|&community| (community, weights[community as usize])));
            }
            Slots::Hashed { weights, slot_of, .. } => {
                out.extend(
                    self.touched.iter().zip(slot_of).map(|(&community, &slot)| (community, weights[slot as usize])),
                );
            }
        }
        self.clear();
    }
}

/// Where `community` starts its probe in a table of `2^(64 - shift)` slots.
#[inline]
fn home(community: u32, shift: u32) -> usize {
    (u64::from(community).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both layouts give the same sums in the same order, through growth and clearing.
    #[test]
    fn hashed_and_dense_slots_sum_alike() {
        let mut dense = NeighbourWeights::new(DENSE_MAX);
        let mut hashed = NeighbourWeights::new(DENSE_MAX + 1);
        let mut state = 7u64;
        for round in 0..50 {
            let additions = 1 + round * 13;
            for _ in 0..additions {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                // Few distinct communities in some rounds, many in others.
                let community = ((state >> 33) as usize % (if round % 2 == 0 { 40 } else { DENSE_MAX })) as u32;
                let weight = ((state >> 11) % 1000) as f64 / 7.0;
                dense.add(community, weight);
                hashed.add(community, weight);
            }
            assert_eq!(dense.touched(), hashed.touched());
            for &community in dense.touched() {
                assert_eq!(dense.weight(community).to_bits(), hashed.weight(community).to_bits());
            }
            assert_eq!(hashed.weight(DENSE_MAX as u32), 0.0, "never added");
            let (mut from_dense, mut from_hashed) = (Vec::new(), Vec::new());
            if round % 3 == 0 {
                dense.clear();
                hashed.clear();
            } else {
                dense.drain_into(&mut from_dense);
                hashed.drain_into(&mut from_hashed);
            }
            assert_eq!(from_dense, from_hashed);
            assert!(hashed.touched().is_empty());
            assert_eq!(hashed.weight(1), 0.0, "cleared");
        }
    }
}
