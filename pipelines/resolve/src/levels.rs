//! Comparison levels with names: each set is an enum whose discriminants are the level numbers
//! stored in links' evidence and indexing the model's m/u tables, strongest agreement first, and
//! whose names are what explanations and record linkage's columns print.

/// Declares a level set: a `#[repr(u8)]` enum numbered from 0 in the order written, with `NAMES`
/// (by number), `name()` and a conversion to the stored `u8`.
macro_rules! levels {
    ($(#[$meta:meta])* $vis:vis enum $set:ident { $($(#[$vmeta:meta])* $level:ident => $name:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[repr(u8)]
        $vis enum $set {
            $($(#[$vmeta])* $level),+
        }

        impl $set {
            /// Every level, strongest first.
            pub const ALL: &'static [$set] = &[$($set::$level),+];
            /// Each level's name, by its number.
            pub const NAMES: &'static [&'static str] = &[$($name),+];

            /// The level's name in explanations.
            pub fn name(self) -> &'static str {
                Self::NAMES[usize::from(u8::from(self))]
            }
        }

        impl From<$set> for u8 {
            fn from(level: $set) -> u8 {
                level as u8
            }
        }
    };
}

levels! {
    /// Levels of two given names (also the levels of a name column in `linkage`).
    pub enum GivenLevel {
        Exact => "exact",
        Nickname => "nickname-or-variant",
        JaroWinklerHigh => "jaro-winkler-0.92",
        Phonetic => "phonetic",
        Initial => "initial",
        JaroWinklerLow => "jaro-winkler-0.80",
        Different => "different",
    }
}

levels! {
    /// Levels of two family names.
    pub enum FamilyLevel {
        Exact => "exact",
        JaroWinklerHigh => "jaro-winkler-0.92",
        Phonetic => "phonetic",
        JaroWinklerLow => "jaro-winkler-0.80",
        Different => "different",
    }
}

levels! {
    /// Levels of two dates of birth (also the levels of a date column in `linkage`).
    pub enum DobLevel {
        Exact => "exact",
        DayMonthSwapped => "day-month-swapped",
        OneDigitOff => "one-digit-off",
        YearAndMonth => "year-and-month",
        YearOnly => "year-only",
        YearNear => "year-plus-minus-1",
        Different => "different",
    }
}

levels! {
    /// Levels of two plates.
    pub enum PlateLevel {
        Exact => "exact",
        MisreadClose => "misread-close",
        MisreadFar => "misread-far",
        /// A read of no recognised format matched through one of its candidate repairs.
        Repaired => "repaired-read",
        /// A partial read whose known characters fit.
        Partial => "partial-fits",
        /// The same plate on a vehicle that cannot be the same one.
        Cloned => "cloned-plate",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_level_has_one_name_and_its_number() {
        fn check<L: Copy + Into<u8>>(all: &[L], names: &[&str]) {
            assert_eq!(all.len(), names.len());
            for (i, &level) in all.iter().enumerate() {
                assert_eq!(usize::from(level.into()), i);
            }
        }
        check(GivenLevel::ALL, GivenLevel::NAMES);
        check(FamilyLevel::ALL, FamilyLevel::NAMES);
        check(DobLevel::ALL, DobLevel::NAMES);
        check(PlateLevel::ALL, PlateLevel::NAMES);
        // The numbers are stored in links' evidence: they must not move.
        assert_eq!(u8::from(GivenLevel::Phonetic), 3);
        assert_eq!(u8::from(DobLevel::Different), 6);
        assert_eq!(u8::from(PlateLevel::Cloned), 5);
        assert_eq!(GivenLevel::Phonetic.name(), "phonetic");
        assert_eq!(crate::model::Comparison::Plate.levels()[usize::from(u8::from(PlateLevel::Cloned))], "cloned-plate");
    }
}
