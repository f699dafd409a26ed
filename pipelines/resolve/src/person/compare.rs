//! Comparing a person sighting (or a whole entity) with an entity's best evidence: for every
//! comparison the level is the strongest agreement between any of their values, and a comparison
//! with a value missing on either side adds nothing.

use super::features::{Face, NameRef, PersonSummary};
use crate::config::ResolverConfig;
use crate::levels::{DobLevel, FamilyLevel, GivenLevel};
use crate::model::{Comparison, Evidence, Weights};
use crate::names::{self, NO_NAME, NameId, NameTable};
use crate::travel;
use orca_model::PartialDate;

/// A comparison's total: the match weight (log2 odds, prior included) and how much of it came from
/// identifying comparisons agreeing.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Score {
    pub total: f64,
    pub identifying: f64,
    /// Identifying weight from the person's own traits (names, date of birth, face, marker code),
    /// without context (proximity, co-offenders, vehicles): enough of it lets a sighting merge two
    /// entities it links to.
    pub personal: f64,
    /// Whether the two were seen the same spree day nearby or with one vehicle.
    pub together: bool,
}

pub struct PersonScorer<'a> {
    pub weights: &'a Weights,
    pub names: &'a NameTable,
    pub config: &'a ResolverConfig,
    /// Follows merge redirects of person entities (co-offenders are stored by entity number).
    pub canonical: &'a (dyn Fn(u32) -> u32 + Sync),
    /// The prior weight (log2 odds that the sighting belongs to a given entity), scaled to the
    /// population by [`ResolverConfig::person_prior_weight`].
    pub prior: f32,
    /// The weight of being seen the same spree day nearby, given how busy that time and place is.
    pub proximity: f32,
}

/// The level of two given names.
pub fn given_level(table: &NameTable, a: NameId, b: NameId) -> GivenLevel {
    if a == b {
        return GivenLevel::Exact;
    }
    given_level_of(table.get(a), table.get(b))
}

/// The level of two given names that may come from different tables (a list's given name against
/// another record's surname).
pub fn given_level_of(x: &names::NameInfo, y: &names::NameInfo) -> GivenLevel {
    if x.text == y.text {
        return GivenLevel::Exact;
    }
    if x.is_initial() || y.is_initial() {
        return if x.text.as_bytes()[0] == y.text.as_bytes()[0] { GivenLevel::Initial } else { GivenLevel::Different };
    }
    if x.shares_nickname_group(y) {
        return GivenLevel::Nickname;
    }
    let jw = names::jaro_winkler(&x.text, &y.text);
    if jw >= 0.92 {
        GivenLevel::JaroWinklerHigh
    } else if x.phonetic_matches(y) {
        GivenLevel::Phonetic
    } else if jw >= 0.80 {
        GivenLevel::JaroWinklerLow
    } else {
        GivenLevel::Different
    }
}

/// The level of two family names.
pub fn family_level(table: &NameTable, a: NameId, b: NameId) -> FamilyLevel {
    if a == b {
        return FamilyLevel::Exact;
    }
    let (x, y) = (table.get(a), table.get(b));
    let jw = names::jaro_winkler(&x.text, &y.text);
    if jw >= 0.92 {
        FamilyLevel::JaroWinklerHigh
    } else if x.phonetic_matches(y) {
        FamilyLevel::Phonetic
    } else if jw >= 0.80 {
        FamilyLevel::JaroWinklerLow
    } else {
        FamilyLevel::Different
    }
}

/// The level of two dates of birth, as far as each is known.
pub fn dob_level(a: &PartialDate, b: &PartialDate) -> DobLevel {
    if a.is_complete() && b.is_complete() {
        if a == b {
            return DobLevel::Exact;
        }
        if a.year == b.year && a.month == b.day && a.day == b.month {
            return DobLevel::DayMonthSwapped;
        }
        let digits = |d: &PartialDate| {
            let (y, m, day) = (d.year, d.month.unwrap_or(0), d.day.unwrap_or(0));
            [
                (y / 1000) % 10,
                (y / 100) % 10,
                (y / 10) % 10,
                y % 10,
                u16::from(m / 10),
                u16::from(m % 10),
                u16::from(day / 10),
                u16::from(day % 10),
            ]
        };
        let (x, y) = (digits(a), digits(b));
        if x.iter().zip(&y).filter(|(p, q)| p != q).count() == 1 {
            return DobLevel::OneDigitOff;
        }
    }
    if a.year == b.year {
        return match (a.month, b.month) {
            (Some(m), Some(n)) if m == n => DobLevel::YearAndMonth,
            _ => DobLevel::YearOnly,
        };
    }
    if a.year.abs_diff(b.year) == 1 { DobLevel::YearNear } else { DobLevel::Different }
}

fn range_gap(a: (u16, u16), b: (u16, u16)) -> u16 {
    if a.1 < b.0 { b.0 - a.1 } else { a.0.saturating_sub(b.1) }
}

/// Given and family levels of the best name pair, whether they were swapped, and their weight.
#[derive(Clone, Copy, Debug)]
struct NameMatch {
    given: Option<(GivenLevel, f32)>,
    family: Option<(FamilyLevel, f32)>,
    swapped: bool,
    weight: f32,
}

impl<'a> PersonScorer<'a> {
    /// A scorer with the configured prior and the default proximity weight.
    pub fn new(
        weights: &'a Weights,
        names: &'a NameTable,
        config: &'a ResolverConfig,
        canonical: &'a (dyn Fn(u32) -> u32 + Sync),
    ) -> Self {
        let proximity = weights.weight(Comparison::Proximity, 0);
        Self { weights, names, config, canonical, prior: weights.person_prior, proximity }
    }

    /// Exact-name weight adjusted by the name's term frequency.
    fn exact_weight(&self, comparison: Comparison, name: NameId, given_side: bool) -> f32 {
        let base = self.weights.weight(comparison, 0);
        if !self.config.term_frequency {
            return base;
        }
        let info = self.names.get(name);
        let (count, total) = if given_side {
            (info.given_count, self.names.given_total)
        } else {
            (info.family_count, self.names.family_total)
        };
        let k = self.config.term_frequency_pseudo_count;
        let u = (f64::from(count) + k * self.weights.u(comparison, 0)) / (total as f64 + k);
        let u = u.max(self.config.term_frequency_floor);
        (self.weights.m(comparison, 0) / u).log2() as f32
    }

    fn given(&self, a: NameId, b: NameId) -> Option<(GivenLevel, f32)> {
        if a == NO_NAME || b == NO_NAME {
            return None;
        }
        let level = given_level(self.names, a, b);
        let weight = if level == GivenLevel::Exact {
            self.exact_weight(Comparison::GivenName, a, true)
        } else {
            self.weights.weight(Comparison::GivenName, level.into())
        };
        Some((level, weight))
    }

    fn family(&self, a: NameId, b: NameId) -> Option<(FamilyLevel, f32)> {
        if a == NO_NAME || b == NO_NAME {
            return None;
        }
        let level = family_level(self.names, a, b);
        let weight = if level == FamilyLevel::Exact {
            self.exact_weight(Comparison::FamilyName, a, false)
        } else {
            self.weights.weight(Comparison::FamilyName, level.into())
        };
        Some((level, weight))
    }

    fn name_match(&self, q: NameRef, e: NameRef) -> NameMatch {
        let given = self.given(q.given, e.given);
        let family = self.family(q.family, e.family);
        let weight = given.map_or(0.0, |g| g.1) + family.map_or(0.0, |f| f.1);
        let straight = NameMatch { given, family, swapped: false, weight };
        let complete = |n: NameRef| n.given != NO_NAME && n.family != NO_NAME;
        if !complete(q) || !complete(e) || weight > 0.0 && given.is_some_and(|g| g.0 == GivenLevel::Exact) {
            return straight;
        }
        // Given and family names written the wrong way round.
        let given = self.given(q.given, e.family);
        let family = self.family(q.family, e.given);
        let swapped_weight =
            given.map_or(0.0, |g| g.1) + family.map_or(0.0, |f| f.1) + self.weights.weight(Comparison::NameOrder, 0);
        let plausible =
            given.is_some_and(|g| g.0 <= GivenLevel::Phonetic) && family.is_some_and(|f| f.0 <= FamilyLevel::Phonetic);
        if plausible && swapped_weight > weight {
            NameMatch { given, family, swapped: true, weight: swapped_weight }
        } else {
            straight
        }
    }

    /// Compares a query (one sighting's summary, or another entity's) with an entity summary,
    /// writing the explanation into `out` (cleared first).
    pub fn compare(&self, q: &PersonSummary, e: &PersonSummary, out: &mut Vec<Evidence>) -> Score {
        out.clear();
        let weights = self.weights;
        let push = |out: &mut Vec<Evidence>, comparison: Comparison, level: u8, weight: f32| {
            out.push(Evidence { comparison, level, weight });
        };
        push(out, Comparison::Prior, 0, self.prior);

        let mut best: Option<NameMatch> = None;
        for &qn in &q.names {
            for &en in &e.names {
                let candidate = self.name_match(qn, en);
                if candidate.given.is_none() && candidate.family.is_none() {
                    continue;
                }
                if best.is_none_or(|b| candidate.weight > b.weight) {
                    best = Some(candidate);
                }
            }
        }
        if let Some(name) = best {
            if let Some((level, weight)) = name.given {
                push(out, Comparison::GivenName, level.into(), weight);
            }
            if let Some((level, weight)) = name.family {
                push(out, Comparison::FamilyName, level.into(), weight);
            }
            if name.swapped {
                push(out, Comparison::NameOrder, 0, weights.weight(Comparison::NameOrder, 0));
            }
        }

        let mut dob_level_best: Option<DobLevel> = None;
        for a in &q.dobs {
            for b in &e.dobs {
                let level = dob_level(a, b);
                dob_level_best = Some(dob_level_best.map_or(level, |l: DobLevel| l.min(level)));
            }
        }
        if let Some(level) = dob_level_best {
            push(out, Comparison::DateOfBirth, level.into(), weights.weight(Comparison::DateOfBirth, level.into()));
        } else if let Some(gap) = min_pairwise(&q.birth_years, &e.birth_years, |a, b| range_gap(*a, *b)) {
            let level = match gap {
                0 => 0,
                1..=3 => 1,
                _ => 2,
            };
            push(out, Comparison::Age, level, weights.weight(Comparison::Age, level));
        }

        if q.sexes != 0 && e.sexes != 0 {
            let level = if q.sexes & e.sexes != 0 { 0 } else { 1 };
            push(out, Comparison::Sex, level, weights.weight(Comparison::Sex, level));
        }
        if let Some(gap) = min_pairwise(&q.heights, &e.heights, |a, b| range_gap(*a, *b)) {
            let level = match gap {
                0 => 0,
                1..=5 => 1,
                _ => 2,
            };
            push(out, Comparison::Height, level, weights.weight(Comparison::Height, level));
        }
        if q.builds != 0 && e.builds != 0 {
            let order = |bits: u8| (0..4u8).filter(move |i| bits & (1 << i) != 0);
            let gap = order(q.builds).flat_map(|a| order(e.builds).map(move |b| a.abs_diff(b))).min().unwrap_or(0);
            let level = gap.min(2);
            push(out, Comparison::Build, level, weights.weight(Comparison::Build, level));
        }
        if !q.marks.is_empty() && !e.marks.is_empty() {
            let shared = q.marks.iter().any(|a| e.marks.iter().any(|b| a.jaccard(b) >= 0.5));
            let level = if shared { 0 } else { 1 };
            push(out, Comparison::Marks, level, weights.weight(Comparison::Marks, level));
        }
        if let Some(cosine) = best_cosine(&q.faces, &e.faces) {
            let level = self.config.face_thresholds.iter().position(|&t| cosine >= t).unwrap_or(4) as u8;
            push(out, Comparison::Face, level, weights.weight(Comparison::Face, level));
        }
        if !q.markers.is_empty() && !e.markers.is_empty() {
            let level = if q.markers.iter().any(|m| e.markers.contains(m)) { 0 } else { 1 };
            push(out, Comparison::MarkerCode, level, weights.weight(Comparison::MarkerCode, level));
        }
        let impossible = q.places.iter().any(|a| {
            e.places
                .iter()
                .any(|b| travel::impossible(a, b, self.config.max_travel_speed_kmh, self.config.travel_slack_km))
        });
        if impossible {
            push(out, Comparison::Travel, 0, weights.weight(Comparison::Travel, 0));
        }
        if q.vehicles.iter().any(|v| e.vehicles.contains(v)) {
            push(out, Comparison::SharedVehicle, 0, weights.weight(Comparison::SharedVehicle, 0));
        }
        if !q.co_offenders.is_empty() && !e.co_offenders.is_empty() {
            // The query's co-offenders are canonical already; the entity's may have merged since.
            let canonical = self.canonical;
            let shared = e.co_offenders.iter().any(|&b| q.co_offenders.contains(&canonical(b)));
            if shared {
                push(out, Comparison::CoOffender, 0, weights.weight(Comparison::CoOffender, 0));
            }
        }
        let near = q
            .places
            .iter()
            .any(|a| e.places.iter().any(|b| travel::same_spree(a, b, self.config.spree_hours, self.config.spree_km)));
        if near && self.proximity > 0.0 {
            push(out, Comparison::Proximity, 0, self.proximity);
        }
        let mut clothing: Option<u8> = None;
        for (minute, words) in &q.clothes {
            for (other_minute, other_words) in &e.clothes {
                let similarity = words.jaccard(other_words);
                let level = if similarity >= 0.5 && (minute - other_minute).abs() <= 16 * 60 {
                    0
                } else if similarity >= 0.5 {
                    1
                } else {
                    2
                };
                clothing = Some(clothing.map_or(level, |l| l.min(level)));
            }
        }
        if let Some(level) = clothing {
            push(out, Comparison::Clothing, level, weights.weight(Comparison::Clothing, level));
        }

        let mut score = Score::default();
        for evidence in out.iter() {
            score.total += f64::from(evidence.weight);
            if matches!(evidence.comparison, Comparison::Proximity | Comparison::SharedVehicle) {
                score.together = true;
            }
            if evidence.comparison.is_identifying() && evidence.weight > 0.0 {
                score.identifying += f64::from(evidence.weight);
                if !matches!(
                    evidence.comparison,
                    Comparison::Proximity | Comparison::CoOffender | Comparison::SharedVehicle
                ) {
                    score.personal += f64::from(evidence.weight);
                }
            }
        }
        score
    }
}

fn min_pairwise<T>(a: &[T], b: &[T], gap: impl Fn(&T, &T) -> u16) -> Option<u16> {
    a.iter().flat_map(|x| b.iter().map(|y| gap(x, y))).min()
}

fn best_cosine(a: &[Face], b: &[Face]) -> Option<f32> {
    a.iter().flat_map(|x| b.iter().filter_map(move |y| x.cosine(y))).reduce(f32::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> PartialDate {
        PartialDate::parse(text).expect(text)
    }

    #[test]
    fn date_of_birth_levels() {
        assert_eq!(dob_level(&date("1990-05-12"), &date("1990-05-12")), DobLevel::Exact);
        assert_eq!(dob_level(&date("1990-05-12"), &date("1990-12-05")), DobLevel::DayMonthSwapped);
        assert_eq!(dob_level(&date("1990-05-12"), &date("1990-05-13")), DobLevel::OneDigitOff);
        assert_eq!(dob_level(&date("1990-05-12"), &date("1980-05-12")), DobLevel::OneDigitOff);
        assert_eq!(dob_level(&date("1990-05-12"), &date("1990-05-28")), DobLevel::YearAndMonth);
        assert_eq!(dob_level(&date("1990-05-12"), &date("1990")), DobLevel::YearOnly);
        assert_eq!(dob_level(&date("1990-05-12"), &date("1990-08-30")), DobLevel::YearOnly);
        assert_eq!(dob_level(&date("1990-05-12"), &date("1991-07-30")), DobLevel::YearNear);
        assert_eq!(dob_level(&date("1990-05-12"), &date("1975-07-30")), DobLevel::Different);
    }

    #[test]
    fn given_and_family_name_levels() {
        let mut t = NameTable::default();
        let mut g = |a: &str, b: &str| {
            let (a, b) = (t.intern(a), t.intern(b));
            given_level(&t, a, b)
        };
        assert_eq!(g("robert", "robert"), GivenLevel::Exact);
        assert_eq!(g("robert", "bob"), GivenLevel::Nickname);
        assert_eq!(g("jonathon", "jonathan"), GivenLevel::JaroWinklerHigh);
        assert_eq!(g("j", "john"), GivenLevel::Initial);
        assert_eq!(g("k", "john"), GivenLevel::Different);
        assert_eq!(g("mohammed", "mohamad"), GivenLevel::Nickname, "transliteration variant");
        assert_eq!(g("stephen", "peter"), GivenLevel::Different);
        let mut t = NameTable::default();
        let mut f = |a: &str, b: &str| {
            let (a, b) = (t.intern(a), t.intern(b));
            family_level(&t, a, b)
        };
        assert_eq!(f("smith", "smith"), FamilyLevel::Exact);
        assert_eq!(f("thompson", "thomson"), FamilyLevel::JaroWinklerHigh);
        assert_eq!(f("knight", "nite"), FamilyLevel::Phonetic);
        assert_eq!(f("smith", "jones"), FamilyLevel::Different);
    }
}
