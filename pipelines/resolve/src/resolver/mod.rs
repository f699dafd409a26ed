//! The incremental resolver: each new sighting is compared with the entities of the sightings that
//! share a blocking key, links to the best entity above the link threshold (or is queued as a
//! possible match, or becomes a new entity), and can merge entities it shows to be one.
//!
//! - this module: the resolver's state and one incident's flow (vehicles first, then persons
//!   with the identifying ones first, then crews);
//! - [`person_link`]: scoring and linking one person sighting;
//! - [`vehicle_link`]: scoring and linking one vehicle sighting;
//! - [`admission`]: adding a sighting to its population, shared with restoring.

mod admission;
mod person_link;
mod vehicle_link;

pub(crate) use admission::uncount_names;

use crate::config::ResolverConfig;
use crate::crew::CrewCandidates;
use crate::model::{self, Evidence, Weights};
use crate::names::NameTable;
use crate::person::FaceHasher;
use crate::person::compare::Score;
use crate::person::features::{self as person_features, PersonFeatures, PersonSummary};
use crate::population::{Population, SummaryCaps};
use crate::stats::Counters;
use crate::travel::Place;
use crate::vehicle::features::{self as vehicle_features, PlateTable, VehicleFeatures, VehicleSummary};
use orca_model::{Incident, IncidentId, Resolution, StateChange};
use rustc_hash::FxHashMap;
use std::ops::Range;

pub type Persons = Population<PersonFeatures, PersonSummary>;

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
}
