//! The resolver's state as key/value records, and rebuilding a resolver from them.
//!
//! Namespaces (values are JSON):
//! - `resolve.incident`, key the incident's sequence number (10 digits): its id, place and offending
//!   person and vehicle sightings as first resolved (the sighting, its first entity and its link).
//!   Written once.
//! - `resolve.person-moved` / `resolve.vehicle-moved`, key the sighting's sequence number: where a
//!   split or an analyst moved the sighting, what it is pinned to, and the analyst's verdict on its
//!   link.
//! - `resolve.person` / `resolve.vehicle`, key the entity id: merge redirect, cannot-link
//!   constraints and split lineage.
//! - `resolve.decision`, key the decision's sequence number: analysts' decisions, in order (from
//!   the decisions log: the event, who decided and why, as applied, and its result).
//! - `resolve.pending-decision`, key the arrival number: decisions from the log waiting for an
//!   incident; deleted once applied.
//! - `resolve.meta`, key `counters`: running counters.
//!
//! Restoring replays the incidents in order, so names, plates, summaries and blocking postings are
//! rebuilt exactly as they were built, and the restored resolver behaves like the original.

use crate::config::ResolverConfig;
use crate::decision::AnalystDecision;
use crate::model::{Comparison, Evidence};
use crate::person::features as person_features;
use crate::population::{Population, Sighting, StoredLink, Summary};
use crate::resolver::{IncidentEntry, Resolver};
use crate::stats::Counters;
use crate::travel::Place;
use crate::vehicle::features as vehicle_features;
use orca_model::{
    DecisionEvent, DecisionResult, IncidentId, LinkDecision, PersonSighting, StateChange, StoredRecord, VehicleSighting,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const INCIDENT: &str = "resolve.incident";
pub const PERSON_MOVED: &str = "resolve.person-moved";
pub const VEHICLE_MOVED: &str = "resolve.vehicle-moved";
pub const PERSON: &str = "resolve.person";
pub const VEHICLE: &str = "resolve.vehicle";
pub const DECISION: &str = "resolve.decision";
pub const PENDING_DECISION: &str = "resolve.pending-decision";
pub const META: &str = "resolve.meta";
/// Withdrawals, keyed by the withdrawn entry's number.
pub const WITHDRAWN: &str = "resolve.withdrawn";

#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error("record `{namespace}/{key}` cannot be read: {reason}")]
    Malformed { namespace: String, key: String, reason: String },
    #[error("namespace `{0}` does not belong to the resolver")]
    UnknownNamespace(String),
    #[error("incident records are not contiguous: expected number {expected}, found {found}")]
    Gap { expected: u64, found: u64 },
    #[error("record `{0}` refers to entity {1}, which was never created")]
    DanglingEntity(String, u32),
}

#[derive(Serialize, Deserialize)]
struct LinkRecord {
    entity: u32,
    decision: LinkDecision,
    probability: f32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    candidate: Option<u32>,
    /// (comparison, level, weight)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    evidence: Vec<(u8, u8, f32)>,
    /// (entity, probability); absent in records written before runner-ups were kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    runner_up: Option<(u32, f32)>,
}

impl LinkRecord {
    fn of(link: &StoredLink) -> Self {
        Self {
            entity: link.entity,
            decision: link.decision,
            probability: link.probability,
            candidate: link.candidate,
            evidence: link.evidence.iter().map(|e| (e.comparison as u8, e.level, e.weight)).collect(),
            runner_up: link.runner_up,
        }
    }

    fn into_link(self) -> Result<StoredLink, String> {
        let evidence = self
            .evidence
            .into_iter()
            .map(|(c, level, weight)| {
                Comparison::from_index(c)
                    .map(|comparison| Evidence { comparison, level, weight })
                    .ok_or_else(|| format!("unknown comparison {c}"))
            })
            .collect::<Result<_, _>>()?;
        Ok(StoredLink {
            entity: self.entity,
            decision: self.decision,
            probability: self.probability,
            candidate: self.candidate,
            evidence,
            runner_up: self.runner_up,
        })
    }
}

#[derive(Serialize, Deserialize)]
struct PersonRecord {
    index: u32,
    /// The entity first assigned.
    entity: u32,
    sighting: PersonSighting,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    vehicles: Vec<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    co_offenders: Vec<u32>,
    /// Which names counted towards term frequencies.
    #[serde(default)]
    counted: u16,
    link: LinkRecord,
    /// A disposed sighting's blocking keys (hashes), kept so that a restored resolver registers
    /// what the running one did; its content is gone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    keys: Vec<u64>,
}

#[derive(Serialize, Deserialize)]
struct VehicleRecord {
    index: u32,
    entity: u32,
    sighting: VehicleSighting,
    link: LinkRecord,
    /// As for persons: a disposed sighting's blocking keys.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    keys: Vec<u64>,
}

#[derive(Serialize, Deserialize)]
struct IncidentRecord {
    id: IncidentId,
    /// The report's revision (absent in records written before corrections existed: 1).
    #[serde(default = "first_revision")]
    revision: u32,
    place: Place,
    persons: Vec<PersonRecord>,
    vehicles: Vec<VehicleRecord>,
    /// Disposed of: the sightings are empty apart from their keys (see [`record_disposal`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    disposed: bool,
}

#[derive(Serialize, Deserialize)]
struct MovedRecord {
    entity: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pinned: Option<u32>,
    /// The analyst's verdict on the link (see `StoredLink::set_verdict`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    decision: Option<LinkDecision>,
    /// Its report was corrected or withdrawn (see `Population::retract`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    retracted: bool,
}

fn first_revision() -> u32 {
    1
}

/// A decision from the decisions log as applied: the event, the decision it was read as (none
/// when refused) and its result.
#[derive(Serialize, Deserialize)]
struct EventRecord {
    event: DecisionEvent,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    applied_as: Option<AnalystDecision>,
    result: DecisionResult,
}

/// What restore reads of a `resolve.decision` record: decisions made through `Resolver::decide`
/// have no event.
#[derive(Deserialize)]
struct DecisionRecord {
    #[serde(default)]
    event: Option<DecisionEvent>,
    #[serde(default)]
    result: Option<DecisionResult>,
}

#[derive(Serialize, Deserialize, Default)]
struct EntityRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    redirect: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    cannot_link: Vec<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lineage: Option<u32>,
}

fn number_key(n: u64) -> String {
    format!("{n:010}")
}

fn to_json<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("resolver records serialise")
}

/// Queues the record of a freshly resolved incident.
pub(crate) fn record_incident(resolver: &mut Resolver, incident: &orca_model::Incident, number: u32) {
    let entry = &resolver.incident_log[number as usize];
    let persons = entry
        .persons
        .clone()
        .map(|s| {
            let sighting = &resolver.persons.sightings[s as usize];
            PersonRecord {
                index: sighting.index,
                entity: sighting.entity,
                sighting: incident.persons[sighting.index as usize].clone(),
                vehicles: sighting.features.vehicles.clone(),
                co_offenders: sighting.features.co_offenders.clone(),
                counted: sighting.features.counted,
                link: LinkRecord::of(&sighting.link),
                keys: Vec::new(),
            }
        })
        .collect();
    let vehicles = entry
        .vehicles
        .clone()
        .map(|s| {
            let sighting = &resolver.vehicles.sightings[s as usize];
            VehicleRecord {
                index: sighting.index,
                entity: sighting.entity,
                sighting: incident.vehicles[sighting.index as usize].clone(),
                link: LinkRecord::of(&sighting.link),
                keys: Vec::new(),
            }
        })
        .collect();
    let record = IncidentRecord {
        id: entry.id.clone(),
        revision: entry.revision,
        place: Place::of_incident(incident),
        persons,
        vehicles,
        disposed: false,
    };
    resolver.pending.push(StateChange::put(INCIDENT, number_key(u64::from(number)), to_json(&record)));
}

/// Replaces the record of entry `number` with its disposed form: each sighting keeps its number,
/// first entity, link (comparison levels and entities, no content), the co-offender and vehicle
/// entities and its blocking keys (hashes the running resolver registered), and nothing of what
/// the report said. Call before the sightings' features are scrubbed (the keys come from them).
/// Returns false (and writes nothing) for an entry with no sightings.
pub(crate) fn record_disposal(resolver: &mut Resolver, number: u32) -> bool {
    let entry = &resolver.incident_log[number as usize];
    let place = match (entry.persons.clone().next(), entry.vehicles.clone().next()) {
        (Some(s), _) => resolver.persons.sightings[s as usize].features.place,
        (None, Some(s)) => resolver.vehicles.sightings[s as usize].features.place,
        (None, None) => return false,
    };
    let (id, revision, person_range, vehicle_range) =
        (entry.id.clone(), entry.revision, entry.persons.clone(), entry.vehicles.clone());
    let mut persons = Vec::with_capacity(person_range.len());
    for s in person_range {
        let sighting = &resolver.persons.sightings[s as usize];
        let keys = crate::person::blocking_keys(
            &sighting.features,
            &resolver.names,
            &mut resolver.faces,
            resolver.config.face_lsh_tables,
            resolver.config.face_lsh_bits,
        );
        let sighting = &resolver.persons.sightings[s as usize];
        persons.push(PersonRecord {
            index: sighting.index,
            entity: sighting.first_entity,
            sighting: PersonSighting::default(),
            vehicles: sighting.features.vehicles.clone(),
            co_offenders: sighting.features.co_offenders.clone(),
            counted: 0,
            link: LinkRecord::of(&sighting.link),
            keys: keys.all().collect(),
        });
    }
    let vehicles = vehicle_range
        .map(|s| {
            let sighting = &resolver.vehicles.sightings[s as usize];
            VehicleRecord {
                index: sighting.index,
                entity: sighting.first_entity,
                sighting: VehicleSighting::default(),
                link: LinkRecord::of(&sighting.link),
                keys: vehicle_features::registered_keys(&sighting.features, &resolver.plates),
            }
        })
        .collect();
    let record = IncidentRecord { id, revision, place, persons, vehicles, disposed: true };
    resolver.pending.push(StateChange::put(INCIDENT, number_key(u64::from(number)), to_json(&record)));
    true
}

/// Keeps the withdrawal of entry `number`.
pub(crate) fn record_withdrawal(resolver: &mut Resolver, number: u32, withdrawal: &orca_model::Withdrawal) {
    resolver.pending.push(StateChange::put(WITHDRAWN, number_key(u64::from(number)), to_json(withdrawal)));
}

pub(crate) fn record_decision(resolver: &mut Resolver, decision: &AnalystDecision) {
    let key = number_key(resolver.counters.decisions);
    resolver.pending.push(StateChange::put(DECISION, key, to_json(decision)));
}

/// Records a decision from the log, applied or refused, as the next decision.
pub(crate) fn record_event(
    resolver: &mut Resolver,
    event: &DecisionEvent,
    applied_as: Option<&AnalystDecision>,
    result: &DecisionResult,
) {
    resolver.counters.decisions += 1;
    let key = number_key(resolver.counters.decisions);
    let record = EventRecord { event: event.clone(), applied_as: applied_as.cloned(), result: result.clone() };
    resolver.pending.push(StateChange::put(DECISION, key, to_json(&record)));
}

/// Keeps a decision waiting for its incident.
pub(crate) fn record_waiting(resolver: &mut Resolver, number: u64, event: &DecisionEvent) {
    resolver.pending.push(StateChange::put(PENDING_DECISION, number_key(number), to_json(event)));
}

/// A waiting decision was applied.
pub(crate) fn forget_waiting(resolver: &mut Resolver, number: u64) {
    resolver.pending.push(StateChange::delete(PENDING_DECISION, number_key(number)));
}

fn entity_changes<F, S: Summary<F>>(
    population: &mut Population<F, S>,
    entities: &str,
    moved: &str,
) -> Vec<StateChange> {
    let (changed_entities, moved_sightings) = population.changes.take();
    let mut changes: Vec<StateChange> = changed_entities
        .into_iter()
        .map(|e| {
            let slot = &population.entities[e as usize];
            let record =
                EntityRecord { redirect: slot.redirect, cannot_link: slot.cannot_link.clone(), lineage: slot.lineage };
            StateChange::put(entities, population.id(e), to_json(&record))
        })
        .collect();
    changes.extend(moved_sightings.into_iter().map(|s| {
        let sighting = &population.sightings[s as usize];
        let decision = Some(sighting.link.decision).filter(|d| d.is_analysts());
        let record =
            MovedRecord { entity: sighting.entity, pinned: sighting.pinned, decision, retracted: sighting.retracted };
        StateChange::put(moved, number_key(u64::from(s)), to_json(&record))
    }));
    changes
}

/// Everything that changed since the last call.
pub(crate) fn take_changes(resolver: &mut Resolver) -> Vec<StateChange> {
    let mut changes = std::mem::take(&mut resolver.pending);
    changes.extend(entity_changes(&mut resolver.persons, PERSON, PERSON_MOVED));
    changes.extend(entity_changes(&mut resolver.vehicles, VEHICLE, VEHICLE_MOVED));
    if !changes.is_empty() {
        changes.push(StateChange::put(META, "counters", to_json(&resolver.counters)));
    }
    changes
}

fn parse<T: for<'de> Deserialize<'de>>(record: &StoredRecord) -> Result<T, RestoreError> {
    serde_json::from_slice(&record.value).map_err(|e| RestoreError::Malformed {
        namespace: record.namespace.clone(),
        key: record.key.clone(),
        reason: e.to_string(),
    })
}

fn parse_number(record: &StoredRecord) -> Result<u64, RestoreError> {
    record.key.parse().map_err(|_| RestoreError::Malformed {
        namespace: record.namespace.clone(),
        key: record.key.clone(),
        reason: "key is not a sequence number".to_owned(),
    })
}

/// Rebuilds a resolver from its records.
pub(crate) fn restore(
    config: ResolverConfig,
    records: impl IntoIterator<Item = StoredRecord>,
) -> Result<Resolver, RestoreError> {
    let mut resolver = Resolver::new(config);
    let mut incidents: BTreeMap<u64, IncidentRecord> = BTreeMap::new();
    let mut moved = [BTreeMap::new(), BTreeMap::new()];
    let mut entity_records = [BTreeMap::new(), BTreeMap::new()];
    let mut decisions = 0u64;
    let mut waiting: BTreeMap<u64, DecisionEvent> = BTreeMap::new();
    let mut withdrawals: BTreeMap<u64, orca_model::Withdrawal> = BTreeMap::new();
    for record in records {
        match record.namespace.as_str() {
            INCIDENT => {
                incidents.insert(parse_number(&record)?, parse::<IncidentRecord>(&record)?);
            }
            PERSON_MOVED | VEHICLE_MOVED => {
                let slot = usize::from(record.namespace == VEHICLE_MOVED);
                moved[slot].insert(parse_number(&record)? as u32, parse::<MovedRecord>(&record)?);
            }
            PERSON | VEHICLE => {
                let slot = usize::from(record.namespace == VEHICLE);
                let population_id = if slot == 0 { resolver.persons.prefix } else { resolver.vehicles.prefix };
                let number = record
                    .key
                    .strip_prefix(population_id)
                    .and_then(|d| d.parse::<u32>().ok())
                    .and_then(|n| n.checked_sub(1))
                    .ok_or_else(|| RestoreError::Malformed {
                        namespace: record.namespace.clone(),
                        key: record.key.clone(),
                        reason: "key is not an entity id".to_owned(),
                    })?;
                entity_records[slot].insert(number, parse::<EntityRecord>(&record)?);
            }
            DECISION => {
                decisions += 1;
                let decision = parse::<DecisionRecord>(&record)?;
                if let (Some(event), Some(result)) = (decision.event, decision.result) {
                    resolver.decided.insert(event.decision_id, result);
                }
            }
            PENDING_DECISION => {
                waiting.insert(parse_number(&record)?, parse::<DecisionEvent>(&record)?);
            }
            META => resolver.counters = parse::<Counters>(&record)?,
            WITHDRAWN => {
                withdrawals.insert(parse_number(&record)?, parse::<orca_model::Withdrawal>(&record)?);
            }
            other => return Err(RestoreError::UnknownNamespace(other.to_owned())),
        }
    }
    resolver.counters.decisions = resolver.counters.decisions.max(decisions);

    // Entities first, so sightings land in the survivors of merges.
    for (slot, records) in entity_records.iter().enumerate() {
        let count = records.keys().next_back().map_or(0, |n| n + 1);
        if slot == 0 {
            create_entities(&mut resolver.persons, count, records)?;
        } else {
            create_entities(&mut resolver.vehicles, count, records)?;
        }
    }

    let mut retracted: [Vec<u32>; 2] = [Vec::new(), Vec::new()];
    for (expected, (number, record)) in incidents.into_iter().enumerate() {
        if number != expected as u64 {
            return Err(RestoreError::Gap { expected: expected as u64, found: number });
        }
        let incident = number as u32;
        let previous = resolver.incidents.insert(record.id.clone(), incident);
        let mut entry_retracted = false;
        let vehicles_start = resolver.vehicles.sightings.len() as u32;
        for v in record.vehicles {
            let s = resolver.vehicles.sightings.len() as u32;
            let features = vehicle_features::extract(&v.sighting, record.place, &mut resolver.plates);
            let keys =
                if record.disposed { v.keys } else { vehicle_features::registered_keys(&features, &resolver.plates) };
            let override_ = moved[1].get(&s);
            let entity = override_.map_or(v.entity, |m| m.entity);
            check_entity(&resolver.vehicles, entity, &record.id)?;
            let mut link = v.link.into_link().map_err(|reason| malformed(number, reason))?;
            if let Some(decision) = override_.and_then(|m| m.decision) {
                link.set_verdict(decision);
            }
            let pinned = override_.and_then(|m| m.pinned);
            let sighting = Sighting {
                incident,
                index: v.index,
                entity,
                first_entity: v.entity,
                features,
                link,
                pinned,
                retracted: false,
            };
            resolver.admit_vehicle(sighting, keys);
            if override_.is_some_and(|m| m.retracted) {
                retracted[1].push(s);
                entry_retracted = true;
            }
        }
        let persons_start = resolver.persons.sightings.len() as u32;
        for p in record.persons {
            let s = resolver.persons.sightings.len() as u32;
            let mut features = person_features::extract(&p.sighting, record.place, &mut resolver.names);
            features.vehicles = p.vehicles;
            features.co_offenders = p.co_offenders;
            features.counted = p.counted;
            let keys: Vec<u64> = if record.disposed { p.keys } else { resolver.person_keys(&features).all().collect() };
            let override_ = moved[0].get(&s);
            let entity = override_.map_or(p.entity, |m| m.entity);
            check_entity(&resolver.persons, entity, &record.id)?;
            let mut link = p.link.into_link().map_err(|reason| malformed(number, reason))?;
            if let Some(decision) = override_.and_then(|m| m.decision) {
                link.set_verdict(decision);
            }
            let pinned = override_.and_then(|m| m.pinned);
            let sighting = Sighting {
                incident,
                index: p.index,
                entity,
                first_entity: p.entity,
                features,
                link,
                pinned,
                retracted: false,
            };
            resolver.admit_person(sighting, keys);
            if override_.is_some_and(|m| m.retracted) {
                retracted[0].push(s);
                entry_retracted = true;
            }
        }
        let persons = persons_start..resolver.persons.sightings.len() as u32;
        let withdrawal = withdrawals.remove(&number).map(Box::new);
        resolver.incident_log.push(IncidentEntry {
            id: record.id,
            retracted: withdrawal.is_some() || entry_retracted,
            persons,
            vehicles: vehicles_start..resolver.vehicles.sightings.len() as u32,
            revision: record.revision,
            withdrawal,
            previous,
            disposed: record.disposed,
        });
    }
    if let Some((number, _)) = withdrawals.into_iter().next() {
        return Err(malformed(number, "a withdrawal of an incident that is not held".to_owned()));
    }
    // Retracted last, so the entities they leave are rebuilt once from what remains.
    let [persons, vehicles] = retracted;
    resolver.persons.retract(persons);
    resolver.vehicles.retract(vehicles);
    resolver.persons.changes.clear();
    resolver.vehicles.changes.clear();
    resolver.waiting.restore(waiting, |incident| resolver.incidents.contains_key(incident));
    Ok(resolver)
}

fn malformed(number: u64, reason: String) -> RestoreError {
    RestoreError::Malformed { namespace: INCIDENT.to_owned(), key: number_key(number), reason }
}

fn check_entity<F, S: Summary<F>>(
    population: &Population<F, S>,
    entity: u32,
    incident: &IncidentId,
) -> Result<(), RestoreError> {
    if (entity as usize) < population.entities.len() {
        Ok(())
    } else {
        Err(RestoreError::DanglingEntity(incident.to_string(), entity))
    }
}

fn create_entities<F, S: Summary<F>>(
    population: &mut Population<F, S>,
    count: u32,
    records: &BTreeMap<u32, EntityRecord>,
) -> Result<(), RestoreError> {
    for _ in 0..count {
        population.new_entity(None);
    }
    for (&number, record) in records {
        for &other in record.redirect.iter().chain(&record.cannot_link).chain(&record.lineage) {
            if other >= count {
                return Err(RestoreError::DanglingEntity(population.id(number), other));
            }
        }
        population.set_redirect(number, record.redirect);
        let slot = &mut population.entities[number as usize];
        slot.cannot_link = record.cannot_link.clone();
        slot.lineage = record.lineage;
    }
    Ok(())
}
