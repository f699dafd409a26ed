//! Crew linking: after an incident's sightings are resolved, those that did not link are scored
//! again with every companion's entity known, and two of them can link together as a crew to two
//! entities seen together before (see `ResolverConfig::crew_min_weight`).

use crate::model::{self, Comparison, Evidence};
use crate::person;
use crate::person::compare::PersonScorer;
use crate::person::features::PersonSummary;
use crate::population::StoredLink;
use crate::resolver::{Resolver, Scored, stored_runner_up};
use orca_model::{EntityKind, EntityMerge, IncidentId, LinkDecision};

/// Entities kept per unlinked sighting for linking a crew together.
pub(crate) const CREW_CANDIDATES: usize = 6;

/// The highest-scoring entities of an unlinked sighting (entity, total weight), with the prior and
/// proximity weights they were scored with.
pub(crate) struct CrewCandidates {
    pub entities: Vec<(u32, f64)>,
    pub prior: f32,
    pub proximity: f32,
}

impl Resolver {
    /// A second look at a sighting of an incident with several people that did not link: with
    /// every companion's entity now known (the first pass saw only those resolved before it), it
    /// may link; its own new entity then merges into the one it links to.
    pub(crate) fn relink_with_companions(
        &mut self,
        sighting: u32,
        companions: Vec<u32>,
        incident_id: &IncidentId,
        merges: &mut Vec<EntityMerge>,
    ) -> Option<CrewCandidates> {
        let s = &self.persons.sightings[sighting as usize];
        if s.link.decision == LinkDecision::AutoLink {
            return None;
        }
        let incident = s.incident;
        let mut features = s.features.clone();
        features.co_offenders = companions;
        let keys = person::blocking_keys(
            &features,
            &self.names,
            &mut self.faces,
            self.config.face_lsh_tables,
            self.config.face_lsh_bits,
        );
        let Scored { best, runner_up, linkable, crew } =
            self.score_person_top(&features, &keys, incident, CREW_CANDIDATES);
        let (Some((target, score, evidence)), Some(_)) = (best, linkable.first()) else {
            return Some(crew);
        };
        let link = StoredLink {
            entity: target,
            decision: LinkDecision::AutoLink,
            probability: model::probability(score.total) as f32,
            candidate: None,
            evidence,
            runner_up: stored_runner_up(runner_up),
        };
        self.join_singleton(sighting, link, incident_id, "matched with its companions known", merges);
        None
    }

    /// Merges a sighting's own new entity into the entity of `link` (an automatic link) and
    /// records the link, with the sighting's own entity as its entity.
    fn join_singleton(
        &mut self,
        sighting: u32,
        link: StoredLink,
        incident_id: &IncidentId,
        why: &str,
        merges: &mut Vec<EntityMerge>,
    ) -> bool {
        debug_assert_eq!(link.decision, LinkDecision::AutoLink);
        let index = self.persons.sightings[sighting as usize].index;
        let own = self.persons.entity_of(sighting);
        let target = self.persons.canonical(link.entity);
        if own == target
            || self.persons.cannot_link(own, target)
            || self.persons.entities[own as usize].members.len() != 1
        {
            return false;
        }
        let reason = format!("sighting {incident_id}#{index} {why}");
        merges.push(self.persons.merge_recorded(EntityKind::Person, own, target, reason));
        self.counters.merges += 1;
        if self.persons.sightings[sighting as usize].link.decision == LinkDecision::PossibleMatch {
            self.counters.possible_matches = self.counters.possible_matches.saturating_sub(1);
        }
        self.persons.sightings[sighting as usize].link = StoredLink { entity: own, ..link };
        true
    }

    /// Links unlinked sightings of one incident as a crew: two of them that each resemble one of
    /// two entities seen together before link together when the joint probability (each match
    /// and, given one, the other as its companion) reaches the link probability.
    pub(crate) fn link_crew(
        &mut self,
        unlinked: Vec<(u32, CrewCandidates)>,
        incident_id: &IncidentId,
        merges: &mut Vec<EntityMerge>,
    ) {
        let companion = f64::from(self.weights.weight(Comparison::CoOffender, 0));
        let link_weight = self.config.link_weight();
        let mut done = vec![false; unlinked.len()];
        loop {
            let mut best: Option<(f64, usize, u32, usize, u32)> = None;
            for i in 0..unlinked.len() {
                for j in i + 1..unlinked.len() {
                    if done[i] || done[j] {
                        continue;
                    }
                    for &(a, wa) in &unlinked[i].1.entities {
                        for &(b, wb) in &unlinked[j].1.entities {
                            let (a, b) = (self.persons.canonical(a), self.persons.canonical(b));
                            if a == b || !self.persons.share_incident(a, b) {
                                continue;
                            }
                            // log2 of P(both) / P(not both) over: neither, either alone, the two
                            // the other way round, both.
                            let both = wa + wb + companion;
                            let weight_of = |list: &[(u32, f64)], e: u32| {
                                list.iter().find(|(x, _)| self.persons.canonical(*x) == e).map(|p| p.1)
                            };
                            let swapped =
                                match (weight_of(&unlinked[i].1.entities, b), weight_of(&unlinked[j].1.entities, a)) {
                                    (Some(x), Some(y)) => (x + y + companion).exp2(),
                                    _ => 0.0,
                                };
                            let rest = (1.0 + wa.exp2() + wb.exp2() + swapped).log2();
                            let joint = both - rest;
                            if joint >= link_weight && best.is_none_or(|b| joint > b.0) {
                                best = Some((joint, i, a, j, b));
                            }
                        }
                    }
                }
            }
            let Some((joint, i, a, j, b)) = best else { return };
            done[i] = true;
            done[j] = true;
            for (k, target) in [(i, a), (j, b)] {
                let (sighting, crew) = &unlinked[k];
                let runner_up = (crew.entities.iter())
                    .map(|&(e, weight)| (self.persons.canonical(e), weight))
                    .find(|&(e, _)| e != target);
                let link = StoredLink {
                    entity: target,
                    decision: LinkDecision::AutoLink,
                    probability: model::probability(joint) as f32,
                    candidate: None,
                    evidence: self.explain_person(*sighting, target, crew, companion as f32),
                    runner_up: stored_runner_up(runner_up),
                };
                self.join_singleton(*sighting, link, incident_id, "matched as one of a crew", merges);
            }
        }
    }

    /// The evidence of a sighting against an entity, with a companion's weight added.
    fn explain_person(&self, sighting: u32, entity: u32, crew: &CrewCandidates, companion: f32) -> Vec<Evidence> {
        let persons = &self.persons;
        let canonical = |e: u32| persons.canonical(e);
        let scorer = PersonScorer {
            prior: crew.prior,
            proximity: crew.proximity,
            ..PersonScorer::new(&self.weights, &self.names, &self.config, &canonical)
        };
        let query = PersonSummary::of(&persons.sightings[sighting as usize].features, &persons.caps);
        let mut evidence = Vec::new();
        scorer.compare(&query, &persons.entities[entity as usize].summary, &mut evidence);
        evidence.push(Evidence { comparison: Comparison::CoOffender, level: 0, weight: companion });
        evidence
    }
}
