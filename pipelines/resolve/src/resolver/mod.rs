//! The incremental resolver: each new sighting is compared with the entities of the sightings that
//! share a blocking key, links to the best entity above the link threshold (or is queued as a
//! possible match, or becomes a new entity), and can merge entities it shows to be one.

use crate::config::ResolverConfig;
use crate::crew::CrewCandidates;
use crate::model::{self, Comparison, Evidence, Weights};
use crate::names::{NO_NAME, NameTable};
use crate::person::compare::{PersonScorer, Score};
use crate::person::features::{self as person_features, PersonFeatures, PersonSummary};
use crate::person::{self, FaceHasher};
use crate::population::{Population, Sighting, StoredLink, SummaryCaps};
use crate::stats::Counters;
use crate::travel::Place;
use crate::vehicle::compare::{VehicleScorer, plate};
use crate::vehicle::features::{self as vehicle_features, PlateTable, VehicleFeatures, VehicleSummary};
use orca_model::{EntityKind, EntityMerge, Incident, IncidentId, LinkDecision, Resolution, StateChange};
use rustc_hash::FxHashMap;
use std::ops::Range;

pub type Persons = Population<PersonFeatures, PersonSummary>;

/// The fewest sightings assumed near any time and place (see [`proximity_weight`]).
const MIN_NEAR: f64 = 1.0;

/// The best-scoring eligible entity of a sighting, with its evidence.
pub(crate) type Best = (u32, Score, Vec<Evidence>);

/// The next-best eligible entity of a sighting and its total weight.
pub(crate) type RunnerUp = Option<(u32, f64)>;

/// What scoring a person sighting's candidates found.
pub(crate) struct Scored {
    pub best: Option<Best>,
    /// The best eligible entity after `best`.
    pub runner_up: RunnerUp,
    /// Every eligible entity at or above the link weight, strongest first.
    pub linkable: Vec<(u32, Score)>,
    pub crew: CrewCandidates,
}

/// A runner-up as stored: the entity and the probability it would have had.
pub(crate) fn stored_runner_up(runner_up: RunnerUp) -> Option<(u32, f32)> {
    runner_up.map(|(entity, total)| (entity, model::probability(total) as f32))
}

pub type Vehicles = Population<VehicleFeatures, VehicleSummary>;

/// Which sightings an incident produced, to answer a redelivery identically.
#[derive(Clone, Debug)]
pub struct IncidentEntry {
    pub id: IncidentId,
    pub persons: Range<u32>,
    pub vehicles: Range<u32>,
    /// The report's revision these sightings came from (see [`Incident::revision`]).
    pub revision: u32,
    /// Set when a later revision replaced these sightings, or the report was withdrawn.
    pub retracted: bool,
    /// The report's withdrawal, on the entry of its last revision.
    pub withdrawal: Option<Box<orca_model::Withdrawal>>,
    /// The entry of the revision this one replaced (a correction), if any.
    pub previous: Option<u32>,
    /// The report was disposed of: its sightings hold nothing of its content (see
    /// [`crate::disposal`]).
    pub disposed: bool,
}

/// The entity resolver for persons and vehicles. See the crate docs for the model.
pub struct Resolver {
    pub(crate) config: ResolverConfig,
    pub(crate) weights: Weights,
    pub(crate) names: NameTable,
    pub(crate) plates: PlateTable,
    pub(crate) faces: FaceHasher,
    pub(crate) persons: Persons,
    pub(crate) vehicles: Vehicles,
    pub(crate) incidents: FxHashMap<IncidentId, u32>,
    pub(crate) incident_log: Vec<IncidentEntry>,
    pub(crate) counters: Counters,
    /// Records written since the last [`Resolver::take_changes`] that never change afterwards.
    pub(crate) pending: Vec<StateChange>,
    /// Analysts' decisions waiting for a sighting to be resolved (see [`crate::events`]).
    pub(crate) waiting: crate::events::Waiting,
    /// What became of every decision id applied or refused.
    pub(crate) decided: FxHashMap<String, orca_model::DecisionResult>,
    /// While a correction is resolved: the entities its earlier revision's sightings left empty,
    /// by sighting index (persons, vehicles), for the same sighting to keep its id when it again
    /// links to no one (see [`crate::revisions`]).
    pub(crate) reusable: [Vec<(u32, u32)>; 2],
    scratch: Vec<Evidence>,
}

impl Resolver {
    pub fn new(config: ResolverConfig) -> Self {
        debug_assert!(config.validate().is_ok(), "validate the config before building a resolver");
        let caps = SummaryCaps { values: config.summary_cap, places: config.travel_history };
        Self {
            weights: Weights::compile(&config.model),
            config,
            names: NameTable::default(),
            plates: PlateTable::default(),
            faces: FaceHasher::default(),
            persons: Population::new('P', caps),
            vehicles: Population::new('V', caps),
            incidents: FxHashMap::default(),
            incident_log: Vec::new(),
            counters: Counters::default(),
            pending: Vec::new(),
            waiting: Default::default(),
            decided: FxHashMap::default(),
            reusable: Default::default(),
            scratch: Vec::with_capacity(16),
        }
    }

    pub fn config(&self) -> &ResolverConfig {
        &self.config
    }

    /// Resolves every offending person sighting (suspects and offenders; victims and witnesses are
    /// never resolved) and every vehicle sighting of one validated, normalised incident.
    /// Idempotent: an incident id already resolved gets its stored links back and changes nothing.
    ///
    /// A later revision of an incident held (a correction) takes the earlier revision's sightings
    /// out of their entities and is resolved in their place; an earlier revision than the one held,
    /// or any revision of a withdrawn report, changes nothing (see [`crate::revisions`]).
    pub fn resolve(&mut self, incident: &Incident) -> Resolution {
        if let Some(&number) = self.incidents.get(&incident.id)
            && let Some(answer) = self.answer_held(number, incident)
        {
            return answer;
        }
        let number = self.incident_log.len() as u32;
        let previous = self.incidents.insert(incident.id.clone(), number);
        let place = Place::of_incident(incident);
        let mut merges = Vec::new();

        let vehicles_start = self.vehicles.sightings.len() as u32;
        let mut vehicle_entities = Vec::with_capacity(incident.vehicles.len());
        for (index, sighting) in incident.vehicles.iter().enumerate() {
            let features = vehicle_features::extract(sighting, place, &mut self.plates);
            let number = self.resolve_vehicle(number, index as u32, features);
            vehicle_entities.push(self.vehicles.entity_of(number));
        }
        let persons_start = self.persons.sightings.len() as u32;
        // Sightings that can identify a person go first, so the others can use them as context.
        let mut order: Vec<usize> =
            (0..incident.persons.len()).filter(|&i| incident.persons[i].role.is_offending()).collect();
        order.sort_by_key(|&i| {
            let p = &incident.persons[i];
            (!(p.is_named() || p.marker_code.is_some() || p.face.is_some()), i)
        });
        let mut co_offenders: Vec<u32> = Vec::with_capacity(order.len());
        for index in order {
            let mut features = person_features::extract(&incident.persons[index], place, &mut self.names);
            features.vehicles = vehicle_entities.clone();
            features.vehicles.sort_unstable();
            features.vehicles.dedup();
            features.co_offenders = co_offenders.iter().map(|&e| self.persons.canonical(e)).collect();
            features.co_offenders.sort_unstable();
            features.co_offenders.dedup();
            let sighting = self.resolve_person(number, index as u32, features, &incident.id, &mut merges);
            co_offenders.push(self.persons.entity_of(sighting));
        }
        let persons_end = self.persons.sightings.len() as u32;
        if persons_end - persons_start > 1 && self.config.crew_min_weight.is_some() {
            let mut unlinked = Vec::new();
            for s in persons_start..persons_end {
                let mut companions: Vec<u32> =
                    (persons_start..persons_end).filter(|&o| o != s).map(|o| self.persons.entity_of(o)).collect();
                companions.sort_unstable();
                companions.dedup();
                if let Some(crew) = self.relink_with_companions(s, companions, &incident.id, &mut merges) {
                    unlinked.push((s, crew));
                }
            }
            if unlinked.len() > 1 {
                self.link_crew(unlinked, &incident.id, &mut merges);
            }
        }
        let entry = IncidentEntry {
            id: incident.id.clone(),
            persons: persons_start..persons_end,
            vehicles: vehicles_start..self.vehicles.sightings.len() as u32,
            revision: incident.revision(),
            retracted: false,
            withdrawal: None,
            previous,
            disposed: false,
        };
        // Links name the surviving entity when this incident's sightings caused merges.
        for s in entry.persons.clone() {
            let entity = self.persons.entity_of(s);
            self.persons.sightings[s as usize].link.entity = entity;
        }
        for s in entry.vehicles.clone() {
            let entity = self.vehicles.entity_of(s);
            self.vehicles.sightings[s as usize].link.entity = entity;
        }
        self.incident_log.push(entry);
        if incident.redaction {
            self.scrub_earlier_revisions(number);
        }
        self.reusable = Default::default();
        self.counters.incidents += 1;
        crate::persist::record_incident(self, incident, number);
        self.waiting.arrived(&incident.id);
        let mut resolution = self.replay_links(number, incident);
        resolution.merges = merges;
        resolution
    }

    /// The resolution of an incident already resolved, with its links as they are now.
    pub(crate) fn replay_links(&self, number: u32, incident: &Incident) -> Resolution {
        let (persons, vehicles) = self.links_of(number);
        Resolution {
            incident_id: self.incident_log[number as usize].id.clone(),
            incident: Some(incident.clone()),
            persons,
            vehicles,
            merges: Vec::new(),
            splits: Vec::new(),
            decisions: Vec::new(),
            withdrawal: None,
        }
    }

    /// Candidate entities (canonical, deduplicated) for a set of blocking keys.
    fn candidates<F, S: crate::population::Summary<F>>(
        population: &Population<F, S>,
        keys: &[u64],
        cap: usize,
        counters: &mut Counters,
    ) -> Vec<u32> {
        let mut candidates = Vec::new();
        for &key in keys {
            counters.blocked_pairs_skipped += population.postings.for_each_capped(key, cap, |e| {
                let entity = population.canonical(e);
                // An entity whose every sighting was retracted is no one.
                if !population.entities[entity as usize].members.is_empty() {
                    candidates.push(entity);
                }
            });
        }
        candidates.sort_unstable();
        candidates.dedup();
        candidates
    }

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
                    .filter(|(e, s)| *e != entity && s.personal < min_identifying && s.total > score.total - 16.0)
                    .map(|(_, s)| s.total.exp2())
                    .sum();
                if score.total - (1.0 + others).log2() < link_weight {
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

    fn resolve_person(
        &mut self,
        incident: u32,
        index: u32,
        features: PersonFeatures,
        incident_id: &IncidentId,
        merges: &mut Vec<EntityMerge>,
    ) -> u32 {
        let keys = person::blocking_keys(
            &features,
            &self.names,
            &mut self.faces,
            self.config.face_lsh_tables,
            self.config.face_lsh_bits,
        );
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
        count_names(&mut self.names, &features);
        let number = self.persons.push_sighting(Sighting {
            incident,
            index,
            entity,
            first_entity: entity,
            features,
            link,
            pinned: None,
            retracted: false,
        });
        for key in keys.all() {
            self.persons.postings.add(key, entity);
        }
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

    fn resolve_vehicle(&mut self, incident: u32, index: u32, features: VehicleFeatures) -> u32 {
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
            if level == plate::EXACT && score.conflict {
                cloned_of = Some(cloned_of.map_or(entity, |c: u32| c.min(entity)));
                continue;
            }
            if score.conflict || (level == plate::PARTIAL && !score.corroborated) {
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
                                level: plate::CLONED,
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
        let number = self.vehicles.push_sighting(Sighting {
            incident,
            index,
            entity,
            first_entity: entity,
            features,
            link,
            pinned: None,
            retracted: false,
        });
        for key in keys {
            self.vehicles.postings.add(key, entity);
        }
        number
    }
}

/// The weight of being seen the same spree day nearby. Of the sightings near in time and place
/// (about half of those in the nearby cells), the person was one with probability m (the chance a
/// sighting's person was seen within a spree before); any one of them is theirs with odds
/// m / near, which the prior already states as `prior`: the weight is what lifts the prior to it.
/// At least [`MIN_NEAR`] are assumed: places are force centres and reports of the same hours are
/// still arriving, so a quiet place is less telling than its count.
fn proximity_weight(weights: &Weights, prior: f32, cells: impl Iterator<Item = usize>) -> f32 {
    let near = (cells.sum::<usize>() as f64 * 0.5).max(MIN_NEAR);
    let odds = (weights.m(Comparison::Proximity, 0) / near).log2();
    (odds - f64::from(prior)).max(0.0) as f32
}

/// The term-frequency mask of a sighting's names given the names its entity already had.
fn counted_names(names: &[crate::person::features::NameRef], known: &[crate::person::features::NameRef]) -> u16 {
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

/// Adds a sighting's counted names to the term frequencies.
/// Takes back what [`count_names`] counted for a sighting.
pub(crate) fn uncount_names(table: &mut NameTable, features: &PersonFeatures) {
    for (i, name) in features.names.iter().enumerate() {
        if features.counted & (1 << (2 * i)) != 0 {
            table.uncount_given(name.given);
        }
        if features.counted & (1 << (2 * i + 1)) != 0 {
            table.uncount_family(name.family);
        }
    }
}

pub(crate) fn count_names(table: &mut NameTable, features: &PersonFeatures) {
    for (i, name) in features.names.iter().enumerate() {
        if features.counted & (1 << (2 * i)) != 0 {
            table.count_given(name.given);
        }
        if features.counted & (1 << (2 * i + 1)) != 0 {
            table.count_family(name.family);
        }
    }
}
