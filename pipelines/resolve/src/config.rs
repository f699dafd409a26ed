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
            face_thresholds: [0.90, 0.75, 0.60, 0.45],
            face_lsh_tables: 6,
            face_lsh_bits: 8,
            term_frequency: true,
            term_frequency_floor: 1e-6,
            term_frequency_pseudo_count: 200.0,
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
    fn bad_thresholds_are_explained() {
        let config = ResolverConfig { review_probability: 0.99, ..Default::default() };
        assert!(config.validate().unwrap_err().to_string().contains("review_probability"));
    }
}
