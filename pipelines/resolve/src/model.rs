//! The Fellegi–Sunter model: every comparison has ordered levels, each level has an m probability
//! (how often a true match shows it) and a u probability (how often a non-match does), and the log2
//! of m/u is the evidence that level adds for or against a match. A missing value adds nothing.
//! The sum of the evidence and the prior (the log2 odds that two random records match) turns into a
//! probability.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Every comparison the resolver makes, persons and vehicles alike. The discriminant is stored in
/// explanations, so the order is part of the persisted format: append only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[repr(u8)]
pub enum Comparison {
    Prior = 0,
    GivenName,
    FamilyName,
    NameOrder,
    DateOfBirth,
    Age,
    Sex,
    Height,
    Build,
    Marks,
    Face,
    MarkerCode,
    Travel,
    SharedVehicle,
    CoOffender,
    Plate,
    Make,
    Model,
    Colour,
    Clothing,
    /// Seen near in time and place (the same spree day); weighted by how busy that time and place is.
    Proximity,
}

impl Comparison {
    pub const ALL: [Comparison; 21] = [
        Comparison::Prior,
        Comparison::GivenName,
        Comparison::FamilyName,
        Comparison::NameOrder,
        Comparison::DateOfBirth,
        Comparison::Age,
        Comparison::Sex,
        Comparison::Height,
        Comparison::Build,
        Comparison::Marks,
        Comparison::Face,
        Comparison::MarkerCode,
        Comparison::Travel,
        Comparison::SharedVehicle,
        Comparison::CoOffender,
        Comparison::Plate,
        Comparison::Make,
        Comparison::Model,
        Comparison::Colour,
        Comparison::Clothing,
        Comparison::Proximity,
    ];

    pub fn from_index(index: u8) -> Option<Self> {
        Self::ALL.get(usize::from(index)).copied()
    }

    /// The name used in explanations.
    pub fn name(self) -> &'static str {
        match self {
            Comparison::Prior => "prior",
            Comparison::GivenName => "given-name",
            Comparison::FamilyName => "family-name",
            Comparison::NameOrder => "name-order",
            Comparison::DateOfBirth => "date-of-birth",
            Comparison::Age => "age",
            Comparison::Sex => "sex",
            Comparison::Height => "height",
            Comparison::Build => "build",
            Comparison::Marks => "distinguishing-marks",
            Comparison::Face => "face",
            Comparison::MarkerCode => "marker-code",
            Comparison::Travel => "travel",
            Comparison::SharedVehicle => "shared-vehicle",
            Comparison::CoOffender => "co-offender",
            Comparison::Plate => "plate",
            Comparison::Make => "make",
            Comparison::Model => "model",
            Comparison::Colour => "colour",
            Comparison::Clothing => "clothing",
            Comparison::Proximity => "proximity",
        }
    }

    /// Level names, strongest agreement first; the last level is the disagreement where there is one.
    pub fn levels(self) -> &'static [&'static str] {
        match self {
            Comparison::Prior => &["match-prior"],
            Comparison::GivenName => crate::levels::GivenLevel::NAMES,
            Comparison::FamilyName => crate::levels::FamilyLevel::NAMES,
            Comparison::NameOrder => &["swapped"],
            Comparison::DateOfBirth => crate::levels::DobLevel::NAMES,
            Comparison::Age => &["consistent", "within-3-years", "inconsistent"],
            Comparison::Sex => &["agree", "conflict"],
            Comparison::Height => &["overlap", "within-5cm", "different"],
            Comparison::Build => &["same", "adjacent", "different"],
            Comparison::Marks => &["shared-mark", "none-shared"],
            Comparison::Face => &["cosine-very-high", "cosine-high", "cosine-medium", "cosine-low", "different"],
            Comparison::MarkerCode => &["equal", "different"],
            Comparison::Travel => &["impossible"],
            Comparison::SharedVehicle => &["shared"],
            Comparison::CoOffender => &["shared"],
            Comparison::Plate => crate::levels::PlateLevel::NAMES,
            Comparison::Make => &["agree", "different"],
            Comparison::Model => &["agree", "different"],
            Comparison::Colour => &["agree", "similar", "different"],
            Comparison::Clothing => &["same-day-similar", "similar", "different"],
            Comparison::Proximity => &["same-spree"],
        }
    }

    /// Whether the comparison can identify a person on its own; descriptions (sex, age, height,
    /// build, marks) only adjust, so strangers who look alike are never linked on description.
    pub fn is_identifying(self) -> bool {
        matches!(
            self,
            Comparison::GivenName
                | Comparison::FamilyName
                | Comparison::DateOfBirth
                | Comparison::Face
                | Comparison::MarkerCode
                | Comparison::SharedVehicle
                | Comparison::CoOffender
                | Comparison::Plate
                | Comparison::Proximity
        )
    }
}

/// The m and u probabilities of one comparison's levels, in the order of [`Comparison::levels`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelProbabilities {
    pub m: Vec<f64>,
    pub u: Vec<f64>,
}

impl LevelProbabilities {
    pub fn new(m: &[f64], u: &[f64]) -> Self {
        Self { m: m.to_vec(), u: u.to_vec() }
    }
}

/// m and u per comparison. Comparisons not named keep their defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModelParams {
    /// Probability that two random person records are the same person (λ).
    pub person_prior: f64,
    /// Probability that two random vehicle records are the same vehicle.
    pub vehicle_prior: f64,
    pub levels: BTreeMap<Comparison, LevelProbabilities>,
}

impl Default for ModelParams {
    fn default() -> Self {
        let p = LevelProbabilities::new;
        let levels = BTreeMap::from([
            // Name u values are the chance two different people agree; exact levels are replaced by
            // the term frequency of the value when term-frequency adjustment is on.
            (
                Comparison::GivenName,
                p(&[0.80, 0.06, 0.05, 0.02, 0.02, 0.02, 0.03], &[0.01, 0.002, 0.004, 0.01, 0.03, 0.04, 0.904]),
            ),
            (Comparison::FamilyName, p(&[0.85, 0.07, 0.02, 0.02, 0.04], &[0.003, 0.002, 0.006, 0.03, 0.959])),
            (Comparison::NameOrder, p(&[0.03], &[0.05])),
            (
                Comparison::DateOfBirth,
                p(&[0.86, 0.02, 0.04, 0.01, 0.03, 0.02, 0.02], &[0.00007, 0.00007, 0.0006, 0.002, 0.025, 0.05, 0.92]),
            ),
            (Comparison::Age, p(&[0.95, 0.04, 0.01], &[0.35, 0.15, 0.50])),
            (Comparison::Sex, p(&[0.995, 0.005], &[0.5, 0.5])),
            (Comparison::Height, p(&[0.90, 0.07, 0.03], &[0.40, 0.20, 0.40])),
            (Comparison::Build, p(&[0.70, 0.25, 0.05], &[0.30, 0.40, 0.30])),
            (Comparison::Marks, p(&[0.50, 0.50], &[0.01, 0.99])),
            (Comparison::Face, p(&[0.15, 0.35, 0.30, 0.15, 0.05], &[0.0000001, 0.00001, 0.0002, 0.01, 0.9897899])),
            (Comparison::MarkerCode, p(&[0.95, 0.05], &[0.0000001, 0.9999999])),
            (Comparison::Travel, p(&[0.000001], &[0.05])),
            // Groups share cars and crews: context alone must not tell one member from another.
            (Comparison::SharedVehicle, p(&[0.30], &[0.01])),
            (Comparison::CoOffender, p(&[0.30], &[0.005])),
            (
                Comparison::Plate,
                p(&[0.90, 0.05, 0.01, 0.02, 0.01, 0.01], &[0.000001, 0.00001, 0.0002, 0.000002, 0.001, 0.000001]),
            ),
            (Comparison::Make, p(&[0.97, 0.03], &[0.10, 0.90])),
            (Comparison::Model, p(&[0.95, 0.05], &[0.05, 0.95])),
            (Comparison::Colour, p(&[0.85, 0.10, 0.05], &[0.12, 0.08, 0.80])),
            // Same-day clothing is weighed given the time (proximity carries the coincidence in time):
            // one outfit all day against the chance two people nearby dress alike.
            (Comparison::Clothing, p(&[0.60, 0.30, 0.40], &[0.10, 0.12, 0.84])),
            // m: the chance a sighting's person was seen nearby earlier in a spree (a third of repeat
            // sightings, half of all). u is not used: the weight comes from how many sightings that
            // time and place holds (busy places count for less).
            (Comparison::Proximity, p(&[0.18], &[0.001])),
        ]);
        // Repeat offenders dominate sightings: on the simulated world about 2 in 1,000 random pairs
        // of offender sightings are one person. 1 in 1,000 keeps precision near 0.9 there.
        Self { person_prior: 1.0 / 1_000.0, vehicle_prior: 1.0 / 10_000.0, levels }
    }
}

/// A problem with configured model parameters.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error("comparison `{comparison}` needs {expected} levels ({levels}), got m {m} and u {u}")]
    LevelCount { comparison: &'static str, expected: usize, levels: String, m: usize, u: usize },
    #[error("comparison `{comparison}` has a probability outside (0, 1]: {value}")]
    Probability { comparison: &'static str, value: f64 },
    #[error("prior `{name}` must be in (0, 1), got {value}")]
    Prior { name: &'static str, value: f64 },
}

impl ModelParams {
    pub fn validate(&self) -> Result<(), ModelError> {
        for (name, prior) in [("person_prior", self.person_prior), ("vehicle_prior", self.vehicle_prior)] {
            if !(prior > 0.0 && prior < 1.0) {
                return Err(ModelError::Prior { name, value: prior });
            }
        }
        for (&comparison, probabilities) in &self.levels {
            let expected = comparison.levels().len();
            if comparison == Comparison::Prior {
                continue;
            }
            if probabilities.m.len() != expected || probabilities.u.len() != expected {
                return Err(ModelError::LevelCount {
                    comparison: comparison.name(),
                    expected,
                    levels: comparison.levels().join(", "),
                    m: probabilities.m.len(),
                    u: probabilities.u.len(),
                });
            }
            if let Some(&value) = probabilities.m.iter().chain(&probabilities.u).find(|v| !(**v > 0.0 && **v <= 1.0)) {
                return Err(ModelError::Probability { comparison: comparison.name(), value });
            }
        }
        Ok(())
    }
}

/// The maximum number of levels of any comparison.
pub const MAX_LEVELS: usize = 8;

/// Compiled weights: `log2(m/u)` per comparison and level, and the m of exact name levels for
/// term-frequency adjustment.
#[derive(Clone, Debug)]
pub struct Weights {
    table: [[f32; MAX_LEVELS]; Comparison::ALL.len()],
    m: [[f64; MAX_LEVELS]; Comparison::ALL.len()],
    u: [[f64; MAX_LEVELS]; Comparison::ALL.len()],
    pub person_prior: f32,
    pub vehicle_prior: f32,
}

impl Weights {
    pub fn compile(params: &ModelParams) -> Self {
        let defaults = ModelParams::default();
        let mut table = [[0.0f32; MAX_LEVELS]; Comparison::ALL.len()];
        let mut m_table = [[0.0f64; MAX_LEVELS]; Comparison::ALL.len()];
        let mut u_table = [[1.0f64; MAX_LEVELS]; Comparison::ALL.len()];
        for comparison in Comparison::ALL {
            let Some(probabilities) = params.levels.get(&comparison).or_else(|| defaults.levels.get(&comparison))
            else {
                continue;
            };
            for (level, (&m, &u)) in probabilities.m.iter().zip(&probabilities.u).enumerate().take(MAX_LEVELS) {
                table[comparison as usize][level] = (m / u).log2() as f32;
                m_table[comparison as usize][level] = m;
                u_table[comparison as usize][level] = u;
            }
        }
        let odds = |p: f64| (p / (1.0 - p)).log2() as f32;
        Self {
            table,
            m: m_table,
            u: u_table,
            person_prior: odds(params.person_prior),
            vehicle_prior: odds(params.vehicle_prior),
        }
    }

    #[inline]
    pub fn weight(&self, comparison: Comparison, level: u8) -> f32 {
        self.table[comparison as usize][usize::from(level)]
    }

    #[inline]
    pub fn u(&self, comparison: Comparison, level: u8) -> f64 {
        self.u[comparison as usize][usize::from(level)]
    }

    #[inline]
    pub fn m(&self, comparison: Comparison, level: u8) -> f64 {
        self.m[comparison as usize][usize::from(level)]
    }
}

/// The probability for a total match weight (log2 odds).
pub fn probability(total_weight: f64) -> f64 {
    let odds = total_weight.exp2();
    if odds.is_infinite() { 1.0 } else { odds / (1.0 + odds) }
}

/// The match weight (log2 odds) for a probability.
pub fn weight_of_probability(p: f64) -> f64 {
    let p = p.clamp(1e-12, 1.0 - 1e-12);
    (p / (1.0 - p)).log2()
}

/// One comparison's outcome: which level, and its weight.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub comparison: Comparison,
    pub level: u8,
    pub weight: f32,
}

impl Evidence {
    pub fn to_model(self) -> orca_model::ComparisonEvidence {
        orca_model::ComparisonEvidence {
            comparison: self.comparison.name().to_owned(),
            level: self.comparison.levels().get(usize::from(self.level)).copied().unwrap_or("unknown").to_owned(),
            weight: f64::from(self.weight),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_params_are_valid_and_cover_every_comparison() {
        let params = ModelParams::default();
        params.validate().expect("defaults valid");
        for comparison in Comparison::ALL.into_iter().skip(1) {
            assert!(params.levels.contains_key(&comparison), "{comparison:?}");
        }
        assert!(Comparison::ALL.iter().all(|c| c.levels().len() <= MAX_LEVELS));
        for (i, c) in Comparison::ALL.iter().enumerate() {
            assert_eq!(Comparison::from_index(i as u8), Some(*c));
        }
    }

    #[test]
    fn agreement_adds_evidence_and_disagreement_removes_it() {
        let weights = Weights::compile(&ModelParams::default());
        assert!(weights.weight(Comparison::DateOfBirth, 0) > 10.0);
        assert!(weights.weight(Comparison::DateOfBirth, 6) < -5.0);
        assert!(weights.weight(Comparison::MarkerCode, 0) > 20.0);
        assert!(weights.weight(Comparison::Sex, 1) < -4.0);
    }

    #[test]
    fn wrong_level_counts_are_reported() {
        let mut params = ModelParams::default();
        params.levels.insert(Comparison::Sex, LevelProbabilities::new(&[0.9], &[0.5]));
        let error = params.validate().unwrap_err();
        assert!(error.to_string().contains("`sex` needs 2 levels"), "{error}");
    }

    #[test]
    fn probabilities_and_weights_round_trip() {
        assert!((probability(0.0) - 0.5).abs() < 1e-12);
        assert!((probability(weight_of_probability(0.95)) - 0.95).abs() < 1e-9);
        assert_eq!(probability(5000.0), 1.0);
    }
}
