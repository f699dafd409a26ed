//! The resolver's configuration: thresholds, block caps, summary caps and model parameters. Every
//! field has a documented default; a config file names only what it changes.

use crate::model::{ModelError, ModelParams};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ResolverConfig {
    /// A sighting links automatically to an entity at or above this match probability. Default 0.95.
    pub link_probability: f64,
    /// Between this and `link_probability` the sighting becomes a new entity queued for an analyst
    /// as a possible match. Default 0.5.
    pub review_probability: f64,
    /// A person link needs at least this much evidence (log2) from identifying comparisons (names,
    /// date of birth, face, marker code, shared vehicle, co-offenders), so look-alike strangers are
    /// never linked on description alone. Default 8.
    pub min_identifying_weight: f64,
    /// Two entities that a new sighting both matches are merged only if comparing them directly
    /// gives at least this weight (no strong contradiction between them). Default -2.
    pub merge_min_direct_weight: f64,
    /// At most this many of the most recent sightings are taken from one blocking key. Default 300.
    pub block_cap: usize,
    /// The cap for busier, weaker keys (face buckets, co-offenders, vehicles). Default 40.
    pub busy_block_cap: usize,
    /// Distinct values kept in an entity's summary per attribute (names, dates of birth, faces,
    /// plates...): the entity's best evidence. Default 8.
    pub summary_cap: usize,
    /// Recent places and times kept per entity for the travel-impossibility check. Default 8.
    pub travel_history: usize,
    /// Fastest plausible travel between two incidents, km/h. Default 130.
    pub max_travel_speed_kmh: f64,
    /// Distance allowed for free between two force areas (their centres are rough), km. Default 60.
    pub travel_slack_km: f64,
    /// Spree evidence: sightings without a name or date of birth also look up recent sightings near
    /// in time and place, and being seen the same spree day nearby counts as identifying evidence
    /// ([`crate::model::Comparison::Proximity`]). Default off: on seed 1 / 100,000 incidents it
    /// raises person pairwise recall from 0.143 to 0.159 at a precision of 0.74 instead of 0.80,
    /// and arrival order matters more (see benches/resolve/RESULTS.md).
    pub spree_evidence: bool,
    /// Two sightings at most this many hours apart and this many km apart (force centres) were
    /// seen the same spree day. Defaults 8 h and 150 km.
    pub spree_hours: f64,
    pub spree_km: f64,
    /// Sightings without a name or date of birth look up recent sightings near in time and place,
    /// at most this many per key (12 keys: 2x2 cells of about 100 km, three 8-hour slots). Default 10.
    pub nearby_block_cap: usize,
    /// Crew linking: after an incident's sightings are resolved, those that did not link are
    /// scored again with every companion's entity known, and two of them link as a crew to two
    /// entities seen together when each was seen near them (same spree day or vehicle), each
    /// match alone has at least this weight (log2 odds) and the pair stands out. Default off
    /// (`None`); with `spree_evidence` and -3 on seed 1 / 100,000 incidents person pairwise recall
    /// is 0.187 at a precision of 0.71, group-incident recall 0.167 (0.113 without), but two
    /// arrival orders agree less (pairwise F1 0.55).
    pub crew_min_weight: Option<f64>,
    /// `model.person_prior` is the prior while at most this many person entities are known; with
    /// more it falls in proportion (a sighting is one person among more), so precision holds as the
    /// population grows. 0 keeps the prior fixed. Default 100,000.
    pub prior_reference_persons: u64,
    /// Cosine similarities at which face templates reach the very high, high, medium and low
    /// levels. Default [0.90, 0.75, 0.60, 0.45] (one person's captures are noisy: ~0.5-0.9).
    pub face_thresholds: [f32; 4],
    /// Random-hyperplane tables and bits per table for face-template blocking. Default 6 x 8 (10 tables
    /// find a few more same-person pairs on the simulated world, at a fifth more time).
    pub face_lsh_tables: u32,
    pub face_lsh_bits: u32,
    /// Term-frequency adjustment of exact name matches: a common name counts for less. Default on.
    pub term_frequency: bool,
    /// Smallest term frequency used, so a rare name cannot add unbounded evidence. Default 1e-6.
    pub term_frequency_floor: f64,
    /// Pseudo-count of the prior u in the term-frequency estimate; stops the first few sightings
    /// of a name making it look unique. Default 200.
    pub term_frequency_pseudo_count: f64,
    /// Most analysts' decisions kept waiting for the incident of a sighting they name; a decision
    /// beyond it is refused (its result says why). Default 10,000.
    pub max_waiting_decisions: usize,
    pub model: ModelParams,
}

impl Default for ResolverConfig {
    fn default() -> Self {
        Self {
            link_probability: 0.95,
            review_probability: 0.5,
            min_identifying_weight: 8.0,
            merge_min_direct_weight: -2.0,
            block_cap: 300,
            busy_block_cap: 40,
            summary_cap: 8,
            travel_history: 8,
            max_travel_speed_kmh: 130.0,
            travel_slack_km: 60.0,
            spree_evidence: false,
            spree_hours: 8.0,
            spree_km: 150.0,
            nearby_block_cap: 10,
            crew_min_weight: None,
            prior_reference_persons: 100_000,
            face_thresholds: [0.90, 0.75, 0.60, 0.45],
            face_lsh_tables: 6,
            face_lsh_bits: 8,
            term_frequency: true,
            term_frequency_floor: 1e-6,
            term_frequency_pseudo_count: 200.0,
            max_waiting_decisions: 10_000,
            model: ModelParams::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    #[error("`{field}` {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error(transparent)]
    Model(#[from] ModelError),
}

impl ResolverConfig {
    /// Checks ranges and the model's shape.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |field, reason: String| Err(ConfigError::Invalid { field, reason });
        if !(self.link_probability > 0.0 && self.link_probability < 1.0) {
            return invalid("link_probability", format!("must be in (0, 1), got {}", self.link_probability));
        }
        if !(self.review_probability > 0.0 && self.review_probability <= self.link_probability) {
            return invalid(
                "review_probability",
                format!("must be in (0, link_probability], got {}", self.review_probability),
            );
        }
        if self.block_cap == 0 || self.summary_cap == 0 {
            return invalid("block_cap", "and `summary_cap` must be at least 1".to_owned());
        }
        if !(1..=32).contains(&self.face_lsh_bits) {
            return invalid("face_lsh_bits", format!("must be 1 to 32, got {}", self.face_lsh_bits));
        }
        let [very_high, high, medium, low] = self.face_thresholds;
        if !(very_high >= high && high >= medium && medium >= low) {
            return invalid("face_thresholds", "must be in decreasing order".to_owned());
        }
        self.model.validate()?;
        Ok(())
    }

    /// The match weight (log2 odds) at which sightings link.
    pub fn link_weight(&self) -> f64 {
        crate::model::weight_of_probability(self.link_probability)
    }

    /// The person prior weight (log2 odds) with `persons` entities known: `model.person_prior`
    /// up to `prior_reference_persons`, then scaled down in proportion.
    pub fn person_prior_weight(&self, persons: usize) -> f32 {
        let base = crate::model::weight_of_probability(self.model.person_prior);
        if self.prior_reference_persons == 0 || persons as u64 <= self.prior_reference_persons {
            return base as f32;
        }
        (base - (persons as f64 / self.prior_reference_persons as f64).log2()) as f32
    }

    pub fn review_weight(&self) -> f64 {
        crate::model::weight_of_probability(self.review_probability)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate_and_round_trip_through_json() {
        let config = ResolverConfig::default();
        config.validate().expect("defaults valid");
        let text = serde_json::to_string(&config).expect("serialise");
        let back: ResolverConfig = serde_json::from_str(&text).expect("parse");
        assert_eq!(back, config);
    }

    #[test]
    fn partial_configs_keep_defaults_and_unknown_fields_are_refused() {
        let config: ResolverConfig = serde_json::from_str(r#"{"link_probability": 0.99}"#).expect("parse");
        assert_eq!(config.link_probability, 0.99);
        assert_eq!(config.block_cap, 300);
        assert!(serde_json::from_str::<ResolverConfig>(r#"{"link_probabilty": 0.99}"#).is_err());
    }

    #[test]
    fn the_prior_falls_as_the_population_grows_past_its_reference() {
        let config = ResolverConfig::default();
        let base = config.person_prior_weight(1);
        assert_eq!(config.person_prior_weight(100_000), base);
        assert!((config.person_prior_weight(800_000) - (base - 3.0)).abs() < 1e-4);
        let fixed = ResolverConfig { prior_reference_persons: 0, ..Default::default() };
        assert_eq!(fixed.person_prior_weight(10_000_000), base);
    }

    #[test]
    fn bad_thresholds_are_explained() {
        let config = ResolverConfig { review_probability: 0.99, ..Default::default() };
        assert!(config.validate().unwrap_err().to_string().contains("review_probability"));
    }
}
