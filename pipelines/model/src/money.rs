//! [`Pence`]: an amount of money. Amounts add and multiply without wrapping: a result past the
//! largest amount stops there instead of turning negative (one line priced at `i64::MAX` once made
//! a package's total loss £-92233720368538762). Ingest refuses implausible prices and quantities
//! (see [`crate::validate`]), so real totals stay far below the limit.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign};

/// Pence, stored as `i64` (serialised as a bare number, as before the type existed).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Pence(i64);

impl Pence {
    pub const ZERO: Self = Self(0);

    pub const fn new(pence: i64) -> Self {
        Self(pence)
    }

    pub const fn get(self) -> i64 {
        self.0
    }

    /// `quantity` items at this price.
    pub const fn times(self, quantity: u32) -> Self {
        Self(self.0.saturating_mul(quantity as i64))
    }

    /// Whole pounds, rounded down.
    pub const fn whole_pounds(self) -> i64 {
        self.0.div_euclid(100)
    }
}

impl Add for Pence {
    type Output = Self;

    fn add(self, other: Self) -> Self {
        Self(self.0.saturating_add(other.0))
    }
}

impl AddAssign for Pence {
    fn add_assign(&mut self, other: Self) {
        *self = *self + other;
    }
}

impl Sum for Pence {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Pence> for Pence {
    fn sum<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
        iter.copied().sum()
    }
}

/// `£1,234.56`; width and alignment apply (`{:>11}` lines up a column of amounts).
impl fmt::Display for Pence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let magnitude = self.0.unsigned_abs();
        f.pad(&format!("{sign}£{}.{:02}", grouped(magnitude / 100), magnitude % 100))
    }
}

/// `1234567` as `1,234,567`.
fn grouped(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_and_products_stop_at_the_largest_amount_instead_of_turning_negative() {
        let huge = Pence::new(i64::MAX);
        assert_eq!([huge, Pence::new(1_000)].iter().sum::<Pence>(), huge);
        assert_eq!(huge.times(3), huge);
        assert!(Pence::new(i64::MAX / 2).times(2) > Pence::ZERO);
    }

    #[test]
    fn amounts_print_as_pounds_with_thousands_separated() {
        assert_eq!(Pence::new(620_950).to_string(), "£6,209.50");
        assert_eq!(Pence::new(5).to_string(), "£0.05");
        assert_eq!(Pence::new(12_345_678_901).to_string(), "£123,456,789.01");
        assert_eq!(Pence::new(-250).to_string(), "-£2.50");
        assert_eq!(Pence::new(620_950).whole_pounds(), 6_209);
        assert_eq!(format!("[{:>11}]", Pence::new(5)), "[      £0.05]");
    }
}
