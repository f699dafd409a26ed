//! Estimating the model without labels, the way that proved robust: u from random record pairs,
//! m by expectation-maximisation run separately on each blocking rule's pairs with that rule's
//! columns left out (they agree by construction), and the prior from the scored candidates.

use super::encode::MISSING;
use rustc_hash::FxHashMap;

/// Levels of every column for one pair, four bits a column.
pub type Gamma = u64;

#[inline]
pub fn level_of(gamma: Gamma, column: usize) -> u8 {
    ((gamma >> (4 * column)) & 0xf) as u8
}

/// `gamma` with `column`'s level replaced by `level`.
#[inline]
pub fn with_level(gamma: Gamma, column: usize, level: u8) -> Gamma {
    (gamma & !(0xf << (4 * column))) | (u64::from(level) << (4 * column))
}

/// The gamma of `levels`, given column by column (for tests).
#[cfg(test)]
pub(crate) fn gamma_of_levels(levels: &[u8]) -> Gamma {
    levels.iter().enumerate().fold(0, |gamma, (column, &level)| with_level(gamma, column, level))
}

/// m and u per column and level, and the prior (λ) for a random pair.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimates {
    pub m: Vec<Vec<f64>>,
    pub u: Vec<Vec<f64>>,
    pub prior: f64,
    /// Per column: whether m came from EM (false: the default was kept).
    pub m_estimated: Vec<bool>,
}

/// u from random pairs: the share of random pairs (nearly all non-matches) at each level.
pub fn u_from_random(levels: &[usize], random: &[Gamma]) -> Vec<Vec<f64>> {
    levels
        .iter()
        .enumerate()
        .map(|(c, &count)| {
            let mut tally = vec![0.0f64; count];
            for &g in random {
                let level = level_of(g, c);
                if level != MISSING {
                    tally[level as usize] += 1.0;
                }
            }
            let total: f64 = tally.iter().sum();
            // Half a pseudo-count keeps unseen levels (rare agreements) finite.
            tally.iter().map(|&t| (t + 0.5) / (total + 0.5 * count as f64)).collect()
        })
        .collect()
}

/// Default m: most matches agree exactly, the rest spread over the other levels.
pub fn default_m(levels: usize) -> Vec<f64> {
    let rest = 0.15 / (levels - 1).max(1) as f64;
    (0..levels).map(|l| if l == 0 { 0.85 } else { rest }).collect()
}

/// EM over pattern counts with u fixed; estimates m for `free` columns and the match share.
pub fn em(
    patterns: &FxHashMap<Gamma, u64>,
    free: &[bool],
    m: &mut [Vec<f64>],
    u: &[Vec<f64>],
    iterations: usize,
) -> f64 {
    let mut lambda = 0.1f64;
    for _ in 0..iterations {
        let mut expected: Vec<Vec<f64>> = m.iter().map(|l| vec![0.0; l.len()]).collect();
        let (mut matched, mut total) = (0.0, 0.0);
        for (&gamma, &count) in patterns {
            let count = count as f64;
            let p = match_probability(gamma, free, m, u, lambda);
            matched += p * count;
            total += count;
            for c in 0..m.len() {
                let level = level_of(gamma, c);
                if level != MISSING && free[c] {
                    expected[c][level as usize] += p * count;
                }
            }
        }
        if total == 0.0 {
            break;
        }
        lambda = (matched / total).clamp(1e-9, 1.0 - 1e-9);
        for c in 0..m.len() {
            if !free[c] {
                continue;
            }
            let sum: f64 = expected[c].iter().sum();
            if sum > 0.0 {
                let levels = expected[c].len() as f64;
                for (l, e) in expected[c].iter().enumerate() {
                    m[c][l] = (e + 1e-3) / (sum + 1e-3 * levels);
                }
            }
        }
    }
    lambda
}

/// The probability that a pair with levels `gamma` is a match, from the `free` columns alone.
pub fn match_probability(gamma: Gamma, free: &[bool], m: &[Vec<f64>], u: &[Vec<f64>], lambda: f64) -> f64 {
    let (mut pm, mut pu) = (lambda, 1.0 - lambda);
    for c in 0..m.len() {
        let level = level_of(gamma, c);
        if level == MISSING || !free[c] {
            continue;
        }
        pm *= m[c][level as usize];
        pu *= u[c][level as usize];
    }
    if pm + pu > 0.0 { pm / (pm + pu) } else { 0.0 }
}

/// The prior for a random pair: the fixpoint of expected matches among candidates over all pairs.
pub fn prior(weights_without_prior: &[f64], all_pairs: f64) -> f64 {
    // Weights binned to 1/16 bit: the fixpoint needs the distribution, not every pair.
    const BINS_PER_BIT: f64 = 16.0;
    let mut bins: FxHashMap<i64, u64> = FxHashMap::default();
    for w in weights_without_prior {
        *bins.entry((w * BINS_PER_BIT).round() as i64).or_default() += 1;
    }
    let bins: Vec<(f64, f64)> = bins.into_iter().map(|(b, n)| ((b as f64 / BINS_PER_BIT).exp2(), n as f64)).collect();
    let mut lambda = 1e-6f64;
    for _ in 0..60 {
        let odds = lambda / (1.0 - lambda);
        let expected: f64 = bins
            .iter()
            .map(|&(factor, count)| {
                let o = odds * factor;
                count * o / (1.0 + o)
            })
            .sum();
        let next = (expected / all_pairs).clamp(1e-12, 0.5);
        if (next - lambda).abs() < lambda * 1e-4 {
            lambda = next;
            break;
        }
        lambda = next;
    }
    lambda
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::gamma_of_levels as gamma;

    #[test]
    fn em_recovers_m_from_a_mixture() {
        // Two columns with two levels; 1,000 matches mostly agreeing, 9,000 non-matches mostly not.
        let u = vec![vec![0.05, 0.95], vec![0.1, 0.9]];
        let mut patterns = FxHashMap::default();
        patterns.insert(gamma(&[0, 0]), 810 + 45);
        patterns.insert(gamma(&[0, 1]), 90 + 405);
        patterns.insert(gamma(&[1, 0]), 90 + 855);
        patterns.insert(gamma(&[1, 1]), 10 + 7695);
        let mut m = vec![default_m(2), default_m(2)];
        let lambda = em(&patterns, &[true, true], &mut m, &u, 50);
        assert!((lambda - 0.1).abs() < 0.03, "{lambda}");
        assert!((m[0][0] - 0.9).abs() < 0.06, "{m:?}");
        assert!((m[1][0] - 0.9).abs() < 0.06, "{m:?}");
    }

    #[test]
    fn u_counts_levels_of_random_pairs_ignoring_missing_values() {
        let random = vec![gamma(&[1]), gamma(&[1]), gamma(&[0]), gamma(&[MISSING])];
        let u = u_from_random(&[2], &random);
        assert!((u[0][0] - 1.5 / 4.0).abs() < 1e-9);
    }
}
