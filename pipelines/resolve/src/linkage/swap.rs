//! Names written the wrong way round (`swappable` pairs): a pair of records whose two names agree
//! crosswise and not straight is compared crosswise, and a name-order level in the pair's gamma says
//! so, so the score can add the resolver's small penalty for a swap and the explanation can show it.

use super::encode::MISSING;
use super::estimate::{Gamma, level_of, with_level};
use crate::levels::GivenLevel;
use crate::model::{Comparison, ModelParams};

/// The name-order level of a pair compared crosswise; `IN_ORDER` otherwise (both names present).
pub const SWAPPED: u8 = 1;
pub const IN_ORDER: u8 = 0;

/// Crosswise agreement counts from phonetic up (`John Smith` and `Smith Jon` are swapped; `John
/// Smith` and `Smith Mary` are not).
fn agrees(level: u8) -> bool {
    level <= u8::from(GivenLevel::Phonetic)
}

/// `gamma` with the pair's name columns compared crosswise where that is how they agree, and the
/// name-order level at `slot`. `cross(x, y)` is the level of the first record's column `x` against
/// the second record's column `y`.
pub fn order(gamma: Gamma, slot: usize, (first, second): (usize, usize), cross: impl Fn(usize, usize) -> u8) -> Gamma {
    let (straight_first, straight_second) = (level_of(gamma, first), level_of(gamma, second));
    if straight_first == MISSING || straight_second == MISSING {
        return with_level(gamma, slot, MISSING);
    }
    if agrees(straight_first) && agrees(straight_second) {
        return with_level(gamma, slot, IN_ORDER);
    }
    let (crossed_first, crossed_second) = (cross(first, second), cross(second, first));
    if !(agrees(crossed_first) && agrees(crossed_second)) {
        return with_level(gamma, slot, IN_ORDER);
    }
    let crossed = with_level(with_level(gamma, first, crossed_first), second, crossed_second);
    with_level(crossed, slot, SWAPPED)
}

/// The weight of a swap, from the resolver's name-order comparison: few matches are written
/// swapped (m 0.03), and a few more of the strangers whose names agree crosswise (u 0.05), so a swap
/// costs a little against names that agree as well straight.
pub fn swapped_weight() -> f64 {
    let params = ModelParams::default();
    let order = &params.levels[&Comparison::NameOrder];
    (order.m[0] / order.u[0]).log2()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::linkage::estimate::gamma_of_levels as gamma;

    #[test]
    fn only_names_that_agree_crosswise_and_not_straight_are_swapped() {
        let exact = u8::from(GivenLevel::Exact);
        let different = u8::from(GivenLevel::Different);
        // Straight: both different; crosswise: both exact.
        let swapped = order(gamma(&[different, different, 0]), 3, (0, 1), |_, _| exact);
        assert_eq!(swapped, gamma(&[exact, exact, 0, SWAPPED]));
        // Straight agreement stays.
        let straight = order(gamma(&[exact, exact, 0]), 3, (0, 1), |_, _| exact);
        assert_eq!(level_of(straight, 3), IN_ORDER);
        // One name agreeing crosswise is not a swap.
        let half = order(gamma(&[different, different, 0]), 3, (0, 1), |x, _| if x == 0 { exact } else { different });
        assert_eq!(half, gamma(&[different, different, 0, IN_ORDER]));
        assert_eq!(level_of(order(gamma(&[MISSING, exact]), 2, (0, 1), |_, _| exact), 2), MISSING);
        assert!(swapped_weight() < 0.0);
    }
}
