//! Randomness that is reproducible and independent of evaluation order: every stream of choices is
//! a ChaCha8 generator seeded from the world seed and a purpose, so reordering one part of the
//! generator never changes another. Also the keyed permutation that turns creation order into
//! truth ids that reveal nothing, and a small weighted picker.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub(crate) type WorldRng = ChaCha8Rng;

/// What a random stream is for; keeps streams with the same number apart.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Purpose {
    Stores = 1,
    Population = 2,
    Plan = 3,
    Render = 4,
    OneOff = 5,
    Face = 6,
    References = 7,
    Ids = 8,
    FaceSpace = 9,
}

/// SplitMix64's step: a fast bijective mixer of 64 bits.
pub(crate) use orca_model::hash::splitmix64;

/// A seed for `(world seed, purpose, n)`.
pub(crate) fn derive_seed(seed: u64, purpose: Purpose, n: u64) -> u64 {
    splitmix64(splitmix64(seed ^ splitmix64(purpose as u64)) ^ n)
}

/// A generator for `(world seed, purpose, n)`.
pub(crate) fn rng_for(seed: u64, purpose: Purpose, n: u64) -> WorldRng {
    ChaCha8Rng::seed_from_u64(derive_seed(seed, purpose, n))
}

/// A keyed bijection on `u32`: distinct inputs give distinct outputs in no recognisable order.
/// Truth ids are `permute(creation number)`, so an id says nothing about when or how its entity was
/// made, and sorting by id does not reproduce any order of the generator.
#[derive(Clone, Copy, Debug)]
pub(crate) struct IdPermutation {
    keys: [u32; 3],
}

impl IdPermutation {
    pub(crate) fn new(seed: u64, salt: u64) -> Self {
        let key = derive_seed(seed, Purpose::Ids, salt);
        Self { keys: [key as u32, (key >> 32) as u32, splitmix64(key) as u32] }
    }

    pub(crate) fn apply(self, n: u32) -> u32 {
        // Keyed rounds of MurmurHash3's finaliser; every step (xor, multiply by an odd constant,
        // xorshift right) is invertible, so the whole is a bijection with full avalanche.
        let mut x = n;
        for key in self.keys {
            x ^= key;
            x ^= x >> 16;
            x = x.wrapping_mul(0x85eb_ca6b);
            x ^= x >> 13;
            x = x.wrapping_mul(0xc2b2_ae35);
            x ^= x >> 16;
        }
        x
    }
}

/// Picks an index with probability proportional to its weight (cumulative table, binary search).
#[derive(Clone, Debug, Default)]
pub(crate) struct Weighted {
    cumulative: Vec<f64>,
}

impl Weighted {
    pub(crate) fn new(weights: impl IntoIterator<Item = f64>) -> Self {
        let mut total = 0.0;
        let cumulative = weights
            .into_iter()
            .map(|w| {
                total += w.max(0.0);
                total
            })
            .collect();
        Self { cumulative }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.cumulative.last().is_none_or(|&t| t <= 0.0)
    }

    pub(crate) fn total(&self) -> f64 {
        self.cumulative.last().copied().unwrap_or(0.0)
    }

    /// An index; panics on an empty table (callers check `is_empty`).
    pub(crate) fn pick<R: Rng + ?Sized>(&self, rng: &mut R) -> usize {
        debug_assert!(!self.is_empty(), "picking from an empty weighted table");
        let target = rng.random::<f64>() * self.total();
        let index = self.cumulative.partition_point(|&c| c <= target);
        index.min(self.cumulative.len() - 1)
    }
}

/// An integer uniformly from an inclusive `(low, high)` range (tolerates `high < low`).
pub(crate) fn in_range<R: Rng + ?Sized>(rng: &mut R, (low, high): (u32, u32)) -> u32 {
    if high <= low { low } else { rng.random_range(low..=high) }
}

/// A normal sample (Box-Muller on two uniforms; deterministic and dependency-free).
pub(crate) fn normal<R: Rng + ?Sized>(rng: &mut R, mean: f64, sd: f64) -> f64 {
    let u1: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.random();
    mean + sd * (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Picks from a slice of `(item, weight)` pairs.
pub(crate) fn pick_weighted<'a, T, R: Rng + ?Sized>(rng: &mut R, items: &'a [(T, f64)]) -> &'a T {
    let total: f64 = items.iter().map(|(_, w)| w).sum();
    let mut target = rng.random::<f64>() * total;
    for (item, weight) in items {
        if target < *weight {
            return item;
        }
        target -= weight;
    }
    &items[items.len() - 1].0
}

/// Picks uniformly from a non-empty slice.
pub(crate) fn pick<'a, T, R: Rng + ?Sized>(rng: &mut R, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn permutation_is_a_bijection_that_scrambles_order() {
        let permutation = IdPermutation::new(7, 1);
        let outputs: Vec<u32> = (0..100_000).map(|n| permutation.apply(n)).collect();
        assert_eq!(outputs.iter().collect::<HashSet<_>>().len(), outputs.len());
        let ascending = outputs.windows(2).filter(|w| w[0] < w[1]).count();
        let share = ascending as f64 / (outputs.len() - 1) as f64;
        assert!((0.48..0.52).contains(&share), "about half the neighbours ascend, got {share}");
        // Neighbouring inputs share no leading digits more often than chance.
        let same_lead = outputs.windows(2).filter(|w| w[0] / 100_000_000 == w[1] / 100_000_000).count();
        assert!(same_lead < outputs.len() / 20, "{same_lead}");
        let other = IdPermutation::new(7, 2);
        let equal_under_both = (0..100_000).filter(|&n| other.apply(n) / 1_000 == permutation.apply(n) / 1_000).count();
        assert!(equal_under_both < 5, "keys give unrelated ids: {equal_under_both}");
    }

    #[test]
    fn weighted_picks_follow_weights() {
        let table = Weighted::new([1.0, 0.0, 3.0]);
        let mut rng = rng_for(1, Purpose::Plan, 0);
        let mut counts = [0usize; 3];
        for _ in 0..40_000 {
            counts[table.pick(&mut rng)] += 1;
        }
        assert_eq!(counts[1], 0, "zero weight is never picked");
        let ratio = counts[2] as f64 / counts[0] as f64;
        assert!((2.7..3.3).contains(&ratio), "{ratio}");
    }

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: u64 = rng_for(5, Purpose::Render, 9).random();
        assert_eq!(a, rng_for(5, Purpose::Render, 9).random::<u64>());
        assert_ne!(a, rng_for(5, Purpose::Plan, 9).random::<u64>());
        assert_ne!(a, rng_for(6, Purpose::Render, 9).random::<u64>());
    }
}
