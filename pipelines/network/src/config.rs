//! The linker's configuration. Every field has a documented default; unknown fields are refused so a
//! misspelt key in the service's config file is an error, not a silently ignored setting.

use crate::leiden::{LeidenConfig, Moving, Quality, Refinement};
use orca_model::ForceId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything the linker can be told.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinkerConfig {
    pub groups: GroupRules,
    pub community: CommunityConfig,
    pub links: LinkWeights,
    pub scoring: ScoringRules,
    pub prolific: ProlificRules,
}

/// When a community of co-offenders is an organised crime group (Serious Crime Act 2015 s45: three
/// or more people acting together on a continuing basis).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GroupRules {
    /// Persons in the community. Default 3 (the statutory minimum).
    pub min_members: usize,
    /// Of them, at least `min_members` must each have been in this many group incidents: three
    /// people acting together repeatedly, not a pair with a different third person each time.
    /// Default 2.
    pub min_member_incidents: usize,
    /// An incident is the group's when at least this many members offended in it. Default 2.
    pub min_members_per_incident: usize,
    /// Group incidents needed. Default 5: with a real resolver, a person split into fragments or
    /// two strangers merged into one leave small crews of three or four incidents that are not
    /// groups (on the simulated world with the resolver in front, precision 0.86 at 3, 0.93 at 5,
    /// recall unchanged at 0.90; with perfect resolution 1.0 and 1.0 either way).
    pub min_incidents: usize,
    /// Days from the first group incident to the last: acting together on a continuing basis, not a
    /// single outing. Default 7.
    pub min_span_days: i64,
    /// A member is `core` when their co-offending strength inside the group is at least this share
    /// of the strongest member's; otherwise `periphery`. Default 0.5.
    pub core_strength_share: f64,
    /// A group hitting at least this many forces is national (NIM level 3); two or more is
    /// cross-border (level 2). Default 6.
    pub national_min_forces: usize,
}

impl Default for GroupRules {
    fn default() -> Self {
        Self {
            min_members: 3,
            min_member_incidents: 2,
            min_members_per_incident: 2,
            min_incidents: 5,
            min_span_days: 7,
            core_strength_share: 0.5,
            national_min_forces: 6,
        }
    }
}

/// The quality function Leiden maximises (see [`crate::leiden::Quality`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QualityFunction {
    /// Newman–Girvan modularity. Its null model depends on the total weight of the graph handed to
    /// Leiden, which here is the region a resolution touched: results then depend on that region, so
    /// use it for analysis on a fixed graph rather than in the streaming linker.
    Modularity,
    /// Constant Potts model: free of the resolution limit, so a small crew is found the same way
    /// wherever it sits in a national network. The default.
    #[default]
    Cpm,
}

/// Community detection on the co-offending projection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CommunityConfig {
    /// Default CPM.
    pub quality: QualityFunction,
    /// `γ`. Default 0.1: a crew stays one group while its members have offended together in more
    /// than a tenth of their pairs (in link weight), and two crews tied by a single link stay apart.
    pub resolution: f64,
    /// Seeds Leiden's random choices. Default 0.
    pub seed: u64,
    /// Leiden's refinement randomness `θ`. Default 0.01.
    pub randomness: f64,
}

impl Default for CommunityConfig {
    fn default() -> Self {
        Self { quality: QualityFunction::Cpm, resolution: 0.1, seed: 0, randomness: 0.01 }
    }
}

impl CommunityConfig {
    pub fn leiden(&self) -> LeidenConfig {
        LeidenConfig {
            quality: match self.quality {
                QualityFunction::Modularity => Quality::Modularity,
                QualityFunction::Cpm => Quality::Cpm,
            },
            resolution: self.resolution,
            seed: self.seed,
            max_iterations: None,
            randomness: self.randomness,
            // The linker's groups come from iterating until nothing changes with the level-wide
            // refinement (pinned by a test).
            min_gain: 0.0,
            refinement: Refinement::Global,
            moving: Moving::Seeded,
        }
    }
}

/// How the person–person co-offending projection is weighted.
///
/// The weight of a pair is `Σ co_offence · decay · confidence` over incidents they offended in
/// together, plus `shared_vehicle / (users − 1)` per vehicle both used and `shared_marker /
/// (carriers − 1)` per forensic-marker code both carried. Dividing by the number of other users
/// keeps a vehicle or a store's marker spray shared by two crews from welding them into one group.
/// `decay = max(decay_floor, 0.5^(age / half_life_days))`, where age is measured back from the latest
/// incident the linker holds (its clock, which only the input moves): old ties weigh less than
/// recent ones, down to the floor. `confidence` is the smaller of the two sightings' match
/// probabilities.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinkWeights {
    /// Default 1.0.
    pub co_offence: f64,
    /// Default 0.3.
    pub shared_vehicle: f64,
    /// Default 0.3.
    pub shared_marker: f64,
    /// Default 180 days.
    pub half_life_days: f64,
    /// Default 0.25: an old co-offence never weighs less than a quarter of a new one.
    pub decay_floor: f64,
    /// A vehicle used by more persons than this links none of them (a pool car, or a false merge).
    /// Default 12.
    pub max_vehicle_users: usize,
    /// A marker code carried by more persons than this links none of them (a store's spray tags
    /// strangers too). Default 6.
    pub max_marker_carriers: usize,
    /// A person who co-offended with more distinct persons than this is left out of community
    /// detection (kept in the link graph and views): almost always several people merged by
    /// resolution, whose links would weld unrelated crews into one. Default 300. Lower caps cost
    /// recall: a well-resolved core member of a group is seen with many fragments of their
    /// companions (persons resolution did not join up), and at 40 such members were dropped. With
    /// the real resolver on 100,000 simulated incidents, group recall / precision at 40 and 300:
    /// seed 1 0.65 / 0.80 and 0.93 / 0.92; seed 2 0.63 / 0.68 and 0.98 / 0.86; seed 3 0.73 / 0.80
    /// and 0.95 / 0.88 (`linker-world --resolver`), for about a third more linking time.
    pub max_co_offenders: usize,
}

impl Default for LinkWeights {
    fn default() -> Self {
        Self {
            co_offence: 1.0,
            shared_vehicle: 0.3,
            shared_marker: 0.3,
            half_life_days: 180.0,
            decay_floor: 0.25,
            max_vehicle_users: 12,
            max_marker_carriers: 6,
            max_co_offenders: 300,
        }
    }
}

/// Documented rules that turn a group's factor vector into a priority band (see [`crate::scores`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScoringRules {
    /// Window of the recent activity count, days back from the latest incident. Default 30.
    pub recent_days: i64,
    /// Window before it that the trend compares against. Default 90.
    pub previous_days: i64,
    /// Total loss (pence) from which harm is `high`. Default £10,000.
    pub harm_high_loss_pence: i64,
    /// Total loss (pence) from which harm is `medium`. Default £2,000.
    pub harm_medium_loss_pence: i64,
    /// Forces from which scope is `high`. Default 3.
    pub scope_high_forces: usize,
    /// Group incidents in the recent window from which frequency is `high`. Default 8.
    pub frequency_high_recent: usize,
    /// Mean match probability below which confidence is `low`. Default 0.8.
    pub confidence_low_probability: f64,
    /// Factors at `high` needed for priority band `high`. Default 2.
    pub high_band_min_high_factors: usize,
    /// Priority band `high` also needs one of these factors at `high`: activity an officer can
    /// act on this week (recent frequency) or organised means (capability). Without it, large
    /// but settled harm and reach make a package `medium`. Calibrated on a 100,000-incident world,
    /// where harm and scope alone made 82% of every force's packages `high` (see the README).
    /// Default `["frequency", "capability"]`; empty for no such condition.
    pub high_band_needs_one_of: Vec<String>,
}

impl Default for ScoringRules {
    fn default() -> Self {
        Self {
            recent_days: 30,
            previous_days: 90,
            harm_high_loss_pence: 1_000_000,
            harm_medium_loss_pence: 200_000,
            scope_high_forces: 3,
            frequency_high_recent: 8,
            confidence_low_probability: 0.8,
            high_band_min_high_factors: 2,
            high_band_needs_one_of: vec!["frequency".to_owned(), "capability".to_owned()],
        }
    }
}

/// When a person is a prolific offender in a force: a system-defined label from local thresholds,
/// never a legal status.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProlificRules {
    /// Thresholds for forces without their own.
    pub default: ProlificThreshold,
    /// Per-force thresholds, keyed by data.police.uk slug.
    pub per_force: BTreeMap<ForceId, ProlificThreshold>,
    /// Whether members of a detected group also get a prolific-offender package of their own.
    /// Default false: the group's package already profiles them, and one offence in two packages
    /// would be counted twice by the force receiving both.
    pub include_group_members: bool,
}

impl ProlificRules {
    pub fn for_force(&self, force: &ForceId) -> &ProlificThreshold {
        self.per_force.get(force).unwrap_or(&self.default)
    }
}

/// One force's definition of prolific. A person meeting `min_offences`, or `min_value_pence`, or
/// `min_violent_offences` within the window, in that force, is prolific there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProlificThreshold {
    /// Window in days back from the person's latest offence. Default 365.
    pub window_days: i64,
    /// Default 20 offences.
    pub min_offences: usize,
    /// Default £5,000 (500,000 pence).
    pub min_value_pence: i64,
    /// Offences with violence or a weapon. Default 3.
    pub min_violent_offences: usize,
}

impl Default for ProlificThreshold {
    fn default() -> Self {
        Self { window_days: 365, min_offences: 20, min_value_pence: 500_000, min_violent_offences: 3 }
    }
}

impl LinkerConfig {
    /// Checks every value's range, naming the first out of range by its key under `linker.`:
    /// a running linker refuses a setting it cannot honour instead of starting with it.
    pub fn validate(&self) -> Result<(), String> {
        let problem = |key: &str, reason: &str| Err(format!("`linker.{key}` {reason}"));
        let g = &self.groups;
        for (key, value, least) in [
            ("groups.min_members", g.min_members, 2),
            ("groups.min_member_incidents", g.min_member_incidents, 1),
            ("groups.min_members_per_incident", g.min_members_per_incident, 2),
            ("groups.min_incidents", g.min_incidents, 1),
            ("groups.national_min_forces", g.national_min_forces, 2),
            ("links.max_vehicle_users", self.links.max_vehicle_users, 2),
            ("links.max_marker_carriers", self.links.max_marker_carriers, 2),
            ("links.max_co_offenders", self.links.max_co_offenders, 1),
        ] {
            if value < least {
                return problem(key, &format!("must be at least {least}, got {value}"));
            }
        }
        if g.min_span_days < 0 {
            return problem("groups.min_span_days", &format!("must be 0 or more, got {}", g.min_span_days));
        }
        let c = &self.community;
        if c.quality == QualityFunction::Modularity {
            return problem(
                "community.quality",
                "must be `cpm` in the running linker: modularity's result depends on the region a \
                 resolution touched (use it with `orca communities` on a fixed graph)",
            );
        }
        let l = &self.links;
        for (key, value, positive) in [
            ("community.resolution", c.resolution, true),
            ("community.randomness", c.randomness, true),
            ("links.half_life_days", l.half_life_days, true),
            ("links.co_offence", l.co_offence, false),
            ("links.shared_vehicle", l.shared_vehicle, false),
            ("links.shared_marker", l.shared_marker, false),
        ] {
            if !value.is_finite() || value < 0.0 || (positive && value == 0.0) {
                let least = if positive { "above 0" } else { "0 or more" };
                return problem(key, &format!("must be a number {least}, got {value}"));
            }
        }
        for (key, value) in [
            ("groups.core_strength_share", g.core_strength_share),
            ("links.decay_floor", l.decay_floor),
            ("scoring.confidence_low_probability", self.scoring.confidence_low_probability),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return problem(key, &format!("must be between 0 and 1, got {value}"));
            }
        }
        if self.scoring.recent_days < 1 || self.scoring.previous_days < 1 {
            return problem("scoring.recent_days", "and `linker.scoring.previous_days` must be at least 1");
        }
        let thresholds = std::iter::once(("prolific.default".to_owned(), &self.prolific.default))
            .chain(self.prolific.per_force.iter().map(|(force, t)| (format!("prolific.per_force.{force}"), t)));
        for (key, threshold) in thresholds {
            if threshold.window_days < 1 || threshold.min_offences < 1 {
                return problem(&key, "needs `window_days` and `min_offences` of at least 1");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod validate_tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid_and_a_value_out_of_range_is_refused_by_its_key() {
        assert_eq!(LinkerConfig::default().validate(), Ok(()));
        let mut config = LinkerConfig::default();
        config.links.decay_floor = 1.5;
        assert_eq!(config.validate(), Err("`linker.links.decay_floor` must be between 0 and 1, got 1.5".to_owned()));
        let mut config = LinkerConfig::default();
        config.groups.min_members = 1;
        assert!(config.validate().unwrap_err().starts_with("`linker.groups.min_members` must be at least 2"));
        let mut config = LinkerConfig::default();
        config.community.resolution = f64::NAN;
        assert!(config.validate().unwrap_err().starts_with("`linker.community.resolution`"));
        let mut config = LinkerConfig::default();
        config.community.quality = QualityFunction::Modularity;
        assert!(config.validate().unwrap_err().starts_with("`linker.community.quality` must be `cpm`"));
        let mut config = LinkerConfig::default();
        config.prolific.per_force.insert("kent".into(), ProlificThreshold { min_offences: 0, ..Default::default() });
        assert!(config.validate().unwrap_err().starts_with("`linker.prolific.per_force.kent`"));
    }
}
