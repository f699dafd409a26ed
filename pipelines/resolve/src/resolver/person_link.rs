//! Resolving one person sighting: scoring the entities its blocking keys reach (names, dates of
//! birth, markers, faces, places, vehicles and co-offenders), then linking it, queueing it as a
//! possible match or making it a new person, and merging the entities it shows to be one.

use super::{Resolver, RunnerUp, Scored, stored_runner_up};
use crate::crew::CrewCandidates;
use crate::model::{self, Comparison, Evidence, Weights};
use crate::names::NO_NAME;
use crate::person;
use crate::person::compare::{PersonScorer, Score};
use crate::person::features::{NameRef, PersonFeatures, PersonSummary};
use crate::population::{Sighting, StoredLink};
use orca_model::{EntityKind, EntityMerge, IncidentId, LinkDecision};

/// How far below the best context-only match (in bits of weight) a rival still shares its
/// probability: one 2^16 times less likely adds under a hundred-thousandth and is left out.
const RIVAL_WITHIN_BITS: f64 = 16.0;

impl Resolver {
    /// The person candidates of a sighting's keys, scored: the best eligible entity (with its
    /// evidence) and every entity at or above the link weight, strongest first.
    fn score_person(&mut self, features: &PersonFeatures, keys: &person::PersonKeys, incident: u32) -> Scored {
        self.score_person_top(features, keys, incident, 0)
    }

    /// [`Self::score_person`], and the `top` highest-scoring eligible entities whatever their
    /// evidence (for linking a crew together), with the prior and proximity weights used.
    pub(crate) fn score_person_top(
        &mut self,
        features: &PersonFeatures,
        keys: &person::PersonKeys,
        incident: u32,
        top: usize,
    ) -> Scored {
        let query = PersonSummary::of(features, &self.persons.caps);
        let mut candidates = Self::candidates(&self.persons, &keys.identity, self.config.block_cap, &mut self.counters);
        candidates.extend(Self::candidates(&self.persons, &keys.busy, self.config.busy_block_cap, &mut self.counters));
        if keys.look_nearby && self.config.spree_evidence {
            let cap = self.config.nearby_block_cap;
            candidates.extend(Self::candidates(&self.persons, &keys.nearby, cap, &mut self.counters));
        }
        candidates.sort_unstable();
        candidates.dedup();
        let live_persons = self.persons.entities.len().saturating_sub(self.counters.merges as usize).max(1);
        let prior = self.config.person_prior_weight(live_persons);
        let proximity = if self.config.spree_evidence {
            proximity_weight(&self.weights, prior, keys.nearby.iter().map(|&k| self.persons.postings.len(k)))
        } else {
            0.0
        };
        let link_weight = self.config.link_weight();
        let min_identifying = self.config.min_identifying_weight;

        let mut scratch = std::mem::take(&mut self.scratch);
        let mut best: Option<(u32, Score, Vec<Evidence>)> = None;
        let mut runner_up: RunnerUp = None;
        let mut linkable: Vec<(u32, Score)> = Vec::new();
        let mut crew = CrewCandidates { entities: Vec::new(), prior, proximity };
        {
            let persons = &self.persons;
            let canonical = |e: u32| persons.canonical(e);
            let scorer = PersonScorer {
                prior,
                proximity,
                ..PersonScorer::new(&self.weights, &self.names, &self.config, &canonical)
            };
            // One incident never shows the same person twice. The incident being resolved is the
            // latest, so the entities holding it are those of the last sightings stored (asking
            // each candidate's incident list would cost a cache miss per candidate).
            let holding = persons.entities_of_latest_incident(incident);
            debug_assert!(candidates.iter().all(|&e| {
                holding.contains(&e) == persons.entities[e as usize].incidents.binary_search(&incident).is_ok()
            }));
            let eligible: Vec<u32> = candidates.iter().copied().filter(|e| !holding.contains(e)).collect();
            let score_of = |entity: u32, scratch: &mut Vec<Evidence>| {
                (entity, scorer.compare(&query, &persons.entities[entity as usize].summary, scratch))
            };
            // Scored on this thread: handing large candidate sets to a thread pool cost more in
            // waking threads than it saved (resolve-stream at about a million persons: 18,600
            // sightings per second with sets of 96 or more scored in parallel, 22,900 without).
            // Loading each candidate's summary is most of a comparison's time: start loading the
            // summaries a few candidates ahead, and what they point to two ahead.
            let summary = |i: usize| eligible.get(i).map(|&e| &persons.entities[e as usize].summary);
            let scores: Vec<(u32, Score)> = (0..eligible.len())
                .map(|i| {
                    summary(i + 4).inspect(|s| s.prefetch());
                    summary(i + 2).inspect(|s| s.prefetch_values());
                    score_of(eligible[i], &mut scratch)
                })
                .collect();
            self.counters.person_comparisons += scores.len() as u64;
            if top > 0 {
                let floor = self.config.crew_min_weight.unwrap_or(f64::INFINITY);
                let mut ranked: Vec<(u32, f64)> =
                    scores.iter().filter(|(_, s)| s.together && s.total >= floor).map(|&(e, s)| (e, s.total)).collect();
                ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                ranked.truncate(top);
                crew.entities = ranked;
            }
            let mut best_score: Option<(u32, Score)> = None;
            for &(entity, score) in &scores {
                if score.identifying < min_identifying {
                    continue;
                }
                if score.total >= link_weight {
                    linkable.push((entity, score));
                }
                match best_score {
                    Some((_, b)) if score.total <= b.total => {
                        if runner_up.is_none_or(|(_, total)| score.total > total) {
                            runner_up = Some((entity, score.total));
                        }
                    }
                    _ => {
                        runner_up = best_score.map(|(e, b)| (e, b.total)).or(runner_up);
                        best_score = Some((entity, score));
                    }
                }
            }
            // With crew linking on, a match on context and description alone (no name, date of
            // birth, face or marker) must stand out from the other such candidates: the
            // probability is shared among them.
            let context_only = self.config.crew_min_weight.is_some();
            if let Some((entity, score)) = best_score.filter(|(_, s)| context_only && s.personal < min_identifying) {
                let others: f64 = scores
                    .iter()
                    .filter(|(e, s)| {
                        *e != entity && s.personal < min_identifying && s.total > score.total - RIVAL_WITHIN_BITS
                    })
                    .map(|(_, s)| s.total.exp2())
                    .sum();
                if score.total - (1.0f64 + others).log2() < link_weight {
                    linkable.clear();
                }
            }
            if let Some((entity, score)) = best_score {
                scorer.compare(&query, &persons.entities[entity as usize].summary, &mut scratch);
                best = Some((entity, score, scratch.clone()));
            }
        }
        self.scratch = scratch;
        linkable.sort_by(|a, b| b.1.total.total_cmp(&a.1.total).then(a.0.cmp(&b.0)));
        Scored { best, runner_up, linkable, crew }
    }

    pub(super) fn resolve_person(
        &mut self,
        incident: u32,
        index: u32,
        features: PersonFeatures,
        incident_id: &IncidentId,
        merges: &mut Vec<EntityMerge>,
    ) -> u32 {
        let keys = self.person_keys(&features);
        let review_weight = self.config.review_weight();
        let Scored { best, runner_up, linkable, .. } = self.score_person(&features, &keys, incident);

        // The runner-up is the best entity other than the one linked to or queued as the candidate:
        // the second-best for a link or a possible match, the best for a new entity.
        let (entity, link) = match (best, linkable.first()) {
            (Some((entity, score, evidence)), Some(_)) => {
                let link = StoredLink {
                    entity,
                    decision: LinkDecision::AutoLink,
                    probability: model::probability(score.total) as f32,
                    candidate: None,
                    evidence,
                    runner_up: stored_runner_up(runner_up),
                };
                (entity, link)
            }
            (best, None) => {
                let entity = self.reuse_or_new(EntityKind::Person, index);
                let link = match best {
                    Some((candidate, score, evidence)) if score.total >= review_weight => {
                        self.counters.possible_matches += 1;
                        StoredLink {
                            entity,
                            decision: LinkDecision::PossibleMatch,
                            probability: model::probability(score.total) as f32,
                            candidate: Some(candidate),
                            evidence,
                            runner_up: stored_runner_up(runner_up),
                        }
                    }
                    other => StoredLink {
                        entity,
                        decision: LinkDecision::NewEntity,
                        probability: other.as_ref().map_or(0.0, |(_, s, _)| model::probability(s.total) as f32),
                        candidate: None,
                        evidence: Vec::new(),
                        runner_up: stored_runner_up(other.map(|(e, s, _)| (e, s.total))),
                    },
                };
                (entity, link)
            }
            (None, Some(_)) => unreachable!("a linkable candidate is eligible"),
        };

        // Other entities the sighting also links to are merged unless they contradict the first.
        let mut to_merge = Vec::new();
        if link.decision == LinkDecision::AutoLink {
            let persons = &self.persons;
            let canonical = |e: u32| persons.canonical(e);
            let scorer = PersonScorer::new(&self.weights, &self.names, &self.config, &canonical);
            let mut scratch = Vec::new();
            for &(other, score) in linkable.iter().skip(1) {
                if score.personal < self.config.min_identifying_weight {
                    continue;
                }
                if self.persons.cannot_link(entity, other) || self.persons.share_incident(entity, other) {
                    continue;
                }
                let (a, b) =
                    (&self.persons.entities[entity as usize].summary, &self.persons.entities[other as usize].summary);
                scorer.compare(a, b, &mut scratch);
                let contradiction: f64 = scratch
                    .iter()
                    .filter(|e| e.weight < 0.0 && e.comparison != Comparison::Prior)
                    .map(|e| f64::from(e.weight))
                    .sum();
                if contradiction >= self.config.merge_min_direct_weight {
                    to_merge.push(other);
                }
            }
        }

        let mut features = features;
        features.counted = {
            let known = if link.decision == LinkDecision::AutoLink {
                &self.persons.entities[entity as usize].summary.names[..]
            } else {
                &[]
            };
            counted_names(&features.names, known)
        };
        let sighting =
            Sighting { incident, index, entity, first_entity: entity, features, link, pinned: None, retracted: false };
        let number = self.admit_person(sighting, keys.all());
        for other in to_merge {
            let (current, other) = (self.persons.entity_of(number), self.persons.canonical(other));
            if current == other || self.persons.cannot_link(current, other) {
                continue;
            }
            let reason = format!("sighting {incident_id}#{index} matched both entities");
            merges.push(self.persons.merge_recorded(EntityKind::Person, current, other, reason));
            self.counters.merges += 1;
        }
        number
    }
}

/// The fewest sightings assumed near any time and place.
const MIN_NEAR: f64 = 1.0;
/// The share of the sightings in the nearby cells that are near in time too.
const NEAR_SHARE: f64 = 0.5;

/// The weight of being seen the same spree day nearby. Of the sightings near in time and place
/// (about half of those in the nearby cells), the person was one with probability m (the chance a
/// sighting's person was seen within a spree before); any one of them is theirs with odds
/// m / near, which the prior already states as `prior`: the weight is what lifts the prior to it.
/// At least [`MIN_NEAR`] are assumed: places are force centres and reports of the same hours are
/// still arriving, so a quiet place is less telling than its count.
fn proximity_weight(weights: &Weights, prior: f32, cells: impl Iterator<Item = usize>) -> f32 {
    let near = (cells.sum::<usize>() as f64 * NEAR_SHARE).max(MIN_NEAR);
    let odds = (weights.m(Comparison::Proximity, 0) / near).log2();
    (odds - f64::from(prior)).max(0.0) as f32
}

/// The term-frequency mask of a sighting's names given the names its entity already had.
fn counted_names(names: &[NameRef], known: &[NameRef]) -> u16 {
    let mut mask = 0u16;
    for (i, name) in names.iter().enumerate() {
        let seen_given = known.iter().chain(&names[..i]).any(|k| k.given == name.given);
        let seen_family = known.iter().chain(&names[..i]).any(|k| k.family == name.family);
        if name.given != NO_NAME && !seen_given {
            mask |= 1 << (2 * i);
        }
        if name.family != NO_NAME && !seen_family {
            mask |= 1 << (2 * i + 1);
        }
    }
    mask
}
