//! Resolving one vehicle sighting: plates (exact, misread, partial), make, model and colour; a
//! plate seen on a different vehicle is flagged as cloned rather than linked.

use super::{Resolver, RunnerUp, stored_runner_up};
use crate::levels::PlateLevel;
use crate::model::{self, Comparison, Evidence};
use crate::population::{Sighting, StoredLink};
use crate::vehicle::compare::VehicleScorer;
use crate::vehicle::features::{self as vehicle_features, VehicleFeatures, VehicleSummary};
use orca_model::{EntityKind, LinkDecision};

impl Resolver {
    pub(super) fn resolve_vehicle(&mut self, incident: u32, index: u32, features: VehicleFeatures) -> u32 {
        let lookup = vehicle_features::lookup_keys(&features, &self.plates);
        let candidates = Self::candidates(&self.vehicles, &lookup, self.config.block_cap, &mut self.counters);
        let query = {
            let mut summary = VehicleSummary::default();
            crate::population::Summary::add(&mut summary, &features, &self.vehicles.caps);
            summary
        };
        let link_weight = self.config.link_weight();
        let review_weight = self.config.review_weight();
        let scorer = VehicleScorer { weights: &self.weights, plates: &self.plates, config: &self.config };
        let mut scratch = std::mem::take(&mut self.scratch);
        let mut best: Option<(u32, f64, Vec<Evidence>)> = None;
        let mut linkable = 0usize;
        let mut runner_up: RunnerUp = None;
        let mut cloned_of: Option<u32> = None;
        for &entity in &candidates {
            if self.vehicles.entities[entity as usize].incidents.binary_search(&incident).is_ok() {
                continue;
            }
            let score =
                scorer.compare(&features, &query, &self.vehicles.entities[entity as usize].summary, &mut scratch);
            self.counters.vehicle_comparisons += 1;
            let Some(level) = score.plate else { continue };
            if level == PlateLevel::Exact && score.conflict {
                cloned_of = Some(cloned_of.map_or(entity, |c: u32| c.min(entity)));
                continue;
            }
            if score.conflict || (level == PlateLevel::Partial && !score.corroborated) {
                continue;
            }
            if score.total >= link_weight {
                linkable += 1;
            }
            match &best {
                Some((_, total, _)) if score.total <= *total => {
                    if runner_up.is_none_or(|(_, t)| score.total > t) {
                        runner_up = Some((entity, score.total));
                    }
                }
                _ => {
                    if let Some((e, total, _)) = &best {
                        runner_up = Some((*e, *total));
                    }
                    best = Some((entity, score.total, scratch.clone()));
                }
            }
        }
        self.scratch = scratch;
        // A partial read links only to a single clear winner.
        let ambiguous_partial = features.partial.is_some() && linkable > 1;
        let (entity, link) = match best {
            Some((entity, total, evidence)) if total >= link_weight && !ambiguous_partial => (
                entity,
                StoredLink {
                    entity,
                    decision: LinkDecision::AutoLink,
                    probability: model::probability(total) as f32,
                    candidate: None,
                    evidence,
                    runner_up: stored_runner_up(runner_up),
                },
            ),
            best => {
                let entity = self.reuse_or_new(EntityKind::Vehicle, index);
                let link = match (best, cloned_of) {
                    (best, Some(other)) => {
                        self.counters.cloned_plates += 1;
                        StoredLink {
                            entity,
                            decision: LinkDecision::NewEntity,
                            probability: 0.0,
                            candidate: Some(other),
                            evidence: vec![Evidence {
                                comparison: Comparison::Plate,
                                level: PlateLevel::Cloned.into(),
                                weight: 0.0,
                            }],
                            runner_up: stored_runner_up(best.map(|(e, t, _)| (e, t))),
                        }
                    }
                    (Some((candidate, total, evidence)), None) if total >= review_weight => {
                        self.counters.possible_matches += 1;
                        StoredLink {
                            entity,
                            decision: LinkDecision::PossibleMatch,
                            probability: model::probability(total) as f32,
                            candidate: Some(candidate),
                            evidence,
                            runner_up: stored_runner_up(runner_up),
                        }
                    }
                    (best, None) => StoredLink {
                        entity,
                        decision: LinkDecision::NewEntity,
                        probability: best.as_ref().map_or(0.0, |(_, t, _)| model::probability(*t) as f32),
                        candidate: None,
                        evidence: Vec::new(),
                        runner_up: stored_runner_up(best.map(|(e, t, _)| (e, t))),
                    },
                };
                (entity, link)
            }
        };
        let keys = vehicle_features::registered_keys(&features, &self.plates);
        let sighting =
            Sighting { incident, index, entity, first_entity: entity, features, link, pinned: None, retracted: false };
        self.admit_vehicle(sighting, keys)
    }
}
