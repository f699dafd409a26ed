//! Small numeric helpers shared by the metrics, holding the crate's conventions in one place.

/// `numerator / denominator`, or 1.0 when the denominator is zero: nothing was asked, so nothing
/// was wrong. Callers always report the counts next to the ratio, so a vacuous 1.0 is visible.
pub(crate) fn ratio_or_one(numerator: f64, denominator: f64) -> f64 {
    if denominator == 0.0 { 1.0 } else { numerator / denominator }
}

/// Harmonic mean of precision and recall; 0.0 when either is 0.0.
pub(crate) fn f1(precision: f64, recall: f64) -> f64 {
    if precision <= 0.0 || recall <= 0.0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) }
}

/// The number of unordered pairs among `n` items, n choose 2.
pub(crate) fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

/// Equality of computed scores up to rounding, for tests.
#[cfg(test)]
pub(crate) fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() < 1e-9
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f1_is_zero_when_nothing_is_recalled_even_at_perfect_precision() {
        assert_eq!(f1(1.0, 0.0), 0.0);
        assert_eq!(f1(0.0, 1.0), 0.0);
        assert!((f1(0.5, 1.0) - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn empty_denominator_is_vacuously_one() {
        assert_eq!(ratio_or_one(0.0, 0.0), 1.0);
        assert_eq!(ratio_or_one(1.0, 4.0), 0.25);
    }

    #[test]
    fn pairs_counts_n_choose_two() {
        assert_eq!(pairs(0), 0);
        assert_eq!(pairs(1), 0);
        assert_eq!(pairs(2), 1);
        assert_eq!(pairs(1_000_000), 499_999_500_000);
    }
}
