//! Analysts' decisions as they arrive on the decisions log ([`DecisionEvent`]): each is found again
//! through its anchor sightings, applied by the rules of [`crate::decision`] and answered with relink
//! resolutions, the first of which carries a [`DecisionResult`]. A decision naming a sighting whose
//! incident has not been resolved yet waits for it (so a replay that interleaves the incidents and
//! decisions logs differently applies it all the same); a decision id is applied once.
//!
//! What [`Resolver::apply_event`] returns, in order:
//! 1. the relink of the incident the decision is about ([`DecisionEvent::subject_incident`]),
//!    carrying the decision's merges, splits and result (also when it was refused: links unchanged);
//! 2. one relink for every other incident whose sightings moved or were decided about, by incident
//!    number.
//!
//! A relink re-states all the links of its incident as they are now: current canonical entity ids,
//! current link decisions.

use crate::decision::{AnalystDecision, DecisionError, DecisionOutcome};
use crate::resolver::Resolver;
use orca_model::{
    DecisionEvent, DecisionKind, DecisionResult, EntityKind, EntityRef, IncidentId, Resolution, SightingKey,
};
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;

/// Decisions waiting for an incident to be resolved, by arrival number.
#[derive(Debug, Default)]
pub(crate) struct Waiting {
    pub events: BTreeMap<u64, DecisionEvent>,
    /// Waiting decisions by the incident they wait for.
    pub on: FxHashMap<IncidentId, Vec<u64>>,
    /// Decisions whose incident has arrived, to try again.
    pub ready: Vec<u64>,
    pub next: u64,
}

impl Waiting {
    /// An incident was resolved: the decisions waiting for it are ready to try again.
    pub fn arrived(&mut self, incident: &IncidentId) {
        if self.on.is_empty() {
            return;
        }
        if let Some(numbers) = self.on.remove(incident) {
            self.ready.extend(numbers);
        }
    }

    fn holds(&self, decision_id: &str) -> bool {
        self.events.values().any(|event| event.decision_id == decision_id)
    }

    /// Rebuilds the waiting decisions from their records; those whose incidents are known by now
    /// are ready.
    pub fn restore(&mut self, events: BTreeMap<u64, DecisionEvent>, known: impl Fn(&IncidentId) -> bool) {
        self.next = events.keys().next_back().map_or(0, |n| n + 1);
        for (&number, event) in &events {
            match missing_incident(event, &known) {
                Some(missing) => self.on.entry(missing).or_default().push(number),
                None => self.ready.push(number),
            }
        }
        self.events = events;
    }
}

/// The first incident a decision names that is not known.
fn missing_incident(event: &DecisionEvent, known: impl Fn(&IncidentId) -> bool) -> Option<IncidentId> {
    let anchors = [&event.entity, &event.other].into_iter().flatten().filter_map(|e| e.anchor.as_ref());
    (event.sighting.iter().chain(anchors).chain(&event.sightings))
        .find(|key| !known(&key.incident))
        .map(|key| key.incident.clone())
}

impl Resolver {
    /// Applies an analyst's decision from the decisions log and returns the relink resolutions it
    /// causes (see the module docs). Returns nothing when the decision waits for a sighting not yet
    /// resolved (it is applied by a later [`Resolver::take_ready_decisions`]) or when its id was
    /// applied or refused before (redelivery).
    pub fn apply_event(&mut self, event: &DecisionEvent) -> Vec<Resolution> {
        if self.decided.contains_key(&event.decision_id) || self.waiting.holds(&event.decision_id) {
            return Vec::new();
        }
        let Some(missing) = self.missing_incident(event) else {
            return self.apply_now(event);
        };
        let cap = self.config.max_waiting_decisions;
        if self.waiting.events.len() >= cap {
            let message =
                format!("{cap} decisions are already waiting for their incidents; this one waits for `{missing}`");
            return self.answer(
                event,
                None,
                DecisionResult { decision_id: event.decision_id.clone(), applied: false, message },
                None,
            );
        }
        let number = self.waiting.next;
        self.waiting.next += 1;
        crate::persist::record_waiting(self, number, event);
        self.waiting.events.insert(number, event.clone());
        self.waiting.on.entry(missing).or_default().push(number);
        Vec::new()
    }

    /// The relinks of waiting decisions whose incidents have since been resolved, in the order the
    /// decisions arrived. Call it after each resolved incident; it costs nothing when no decision is
    /// ready.
    pub fn take_ready_decisions(&mut self) -> Vec<Resolution> {
        if self.waiting.ready.is_empty() {
            return Vec::new();
        }
        let mut ready = std::mem::take(&mut self.waiting.ready);
        ready.sort_unstable();
        ready.dedup();
        let mut resolutions = Vec::new();
        for number in ready {
            let Some(event) = self.waiting.events.get(&number) else { continue };
            if let Some(missing) = self.missing_incident(event) {
                self.waiting.on.entry(missing).or_default().push(number);
                continue;
            }
            let event = self.waiting.events.remove(&number).expect("the decision is waiting");
            crate::persist::forget_waiting(self, number);
            resolutions.extend(self.apply_now(&event));
        }
        resolutions
    }

    /// Decisions waiting for a sighting to be resolved.
    pub fn waiting_decisions(&self) -> usize {
        self.waiting.events.len()
    }

    /// What became of a decision id applied or refused so far.
    pub fn decision_result(&self, decision_id: &str) -> Option<&DecisionResult> {
        self.decided.get(decision_id)
    }

    /// The first incident a decision names that has not been resolved.
    fn missing_incident(&self, event: &DecisionEvent) -> Option<IncidentId> {
        missing_incident(event, |incident| self.incidents.contains_key(incident))
    }

    fn apply_now(&mut self, event: &DecisionEvent) -> Vec<Resolution> {
        let decision = self.translate(event);
        let before = decision.as_ref().ok().and_then(|d| self.current_entity_of_subject(d));
        let applied = decision.and_then(|decision| {
            let outcome = self.apply_decision(&decision)?;
            Ok((decision, outcome))
        });
        let decision_id = event.decision_id.clone();
        match applied {
            Ok((decision, outcome)) => {
                let message = describe(&decision, &outcome, before.as_deref());
                let result = DecisionResult { decision_id, applied: true, message };
                self.answer(event, Some(&decision), result, Some(outcome))
            }
            Err(error) => {
                let result = DecisionResult { decision_id, applied: false, message: error.to_string() };
                self.answer(event, None, result, None)
            }
        }
    }

    /// The relinks that answer a decision; records the decision with its result.
    fn answer(
        &mut self,
        event: &DecisionEvent,
        decision: Option<&AnalystDecision>,
        result: DecisionResult,
        outcome: Option<DecisionOutcome>,
    ) -> Vec<Resolution> {
        crate::persist::record_event(self, event, decision, &result);
        self.decided.insert(result.decision_id.clone(), result.clone());
        let subject = (event.subject_incident().and_then(|id| self.incidents.get(id).copied()))
            .or_else(|| decision.and_then(|d| self.first_incident_of(d)));
        let mut affected: Vec<u32> = Vec::new();
        let (mut merges, mut splits) = (Vec::new(), Vec::new());
        if let Some(outcome) = outcome {
            let decided = event.sighting.iter().chain(&event.sightings);
            for key in decided.chain(outcome.relinked.iter().map(|(key, _)| key)) {
                affected.extend(self.incidents.get(&key.incident).copied());
            }
            merges = outcome.merges;
            splits = outcome.splits;
        }
        affected.sort_unstable();
        affected.dedup();
        affected.retain(|&number| Some(number) != subject);
        let mut first = match subject {
            Some(number) => self.relink(number),
            None => Resolution::bare(event.subject_incident().cloned().unwrap_or_else(|| IncidentId::new(""))),
        };
        first.merges = merges;
        first.splits = splits;
        first.decisions = vec![result];
        std::iter::once(first).chain(affected.into_iter().map(|number| self.relink(number))).collect()
    }

    /// The relink of an incident: its links as they are now.
    pub(crate) fn relink(&self, number: u32) -> Resolution {
        let (persons, vehicles) = self.links_of(number);
        Resolution {
            incident_id: self.incident_log[number as usize].id.clone(),
            incident: None,
            persons,
            vehicles,
            merges: Vec::new(),
            splits: Vec::new(),
            decisions: Vec::new(),
            withdrawal: None,
        }
    }

    /// The incident of the first sighting of a decision's entity, when it names no sighting.
    fn first_incident_of(&self, decision: &AnalystDecision) -> Option<u32> {
        let AnalystDecision::ConfirmEntities { a, .. } = decision else { return None };
        let (person, entity) = match (self.persons.parse_id(a), self.vehicles.parse_id(a)) {
            (Some(e), _) => (true, self.persons.canonical(e)),
            (None, Some(e)) => (false, self.vehicles.canonical(e)),
            (None, None) => return None,
        };
        if person {
            self.persons.entities[entity as usize].incidents.first().copied()
        } else {
            self.vehicles.entities[entity as usize].incidents.first().copied()
        }
    }

    /// The entity holding a decision's sighting now (before it is applied).
    fn current_entity_of_subject(&self, decision: &AnalystDecision) -> Option<String> {
        match decision {
            AnalystDecision::ConfirmSighting { sighting, entity, .. }
            | AnalystDecision::RejectSighting { sighting, entity, .. } => {
                if self.persons.parse_id(entity).is_some() {
                    self.person_of(sighting).map(|id| id.to_string())
                } else {
                    self.vehicle_of(sighting).map(|id| id.to_string())
                }
            }
            _ => None,
        }
    }

    /// The decision in the resolver's terms: entities found through their anchors.
    fn translate(&self, event: &DecisionEvent) -> Result<AnalystDecision, DecisionError> {
        let kind = event.entity_kind;
        let (analyst, reason) = (event.analyst.clone(), event.reason.clone());
        let missing =
            |what: &str| DecisionError::Conflict(format!("a {} decision names no {what}", event.kind.as_str()));
        let entity = event.entity.as_ref();
        Ok(match event.kind {
            DecisionKind::ConfirmMatch | DecisionKind::RejectMatch => {
                let sighting = event.sighting.clone().ok_or_else(|| missing("sighting"))?;
                self.sighting_number(kind, &sighting)?;
                let entity = self.entity_of_ref(kind, entity.ok_or_else(|| missing("entity"))?)?;
                if event.kind == DecisionKind::ConfirmMatch {
                    AnalystDecision::ConfirmSighting { sighting, entity, analyst, reason }
                } else {
                    AnalystDecision::RejectSighting { sighting, entity, analyst, reason }
                }
            }
            DecisionKind::Split => {
                if let (Some(entity), Some(first)) = (entity, event.sightings.first()) {
                    let from = self.entity_of_ref(kind, entity)?;
                    let now = self.entity_id_of(kind, self.sighting_number(kind, first)?);
                    if now != from {
                        return Err(DecisionError::Conflict(format!(
                            "sighting {first} is no longer in {from} (it is in {now})"
                        )));
                    }
                }
                AnalystDecision::SplitSightings { kind, sightings: event.sightings.clone(), analyst, reason }
            }
            DecisionKind::Merge => {
                let a = self.entity_of_ref(kind, entity.ok_or_else(|| missing("entity"))?)?;
                let b = self.entity_of_ref(kind, event.other.as_ref().ok_or_else(|| missing("second entity"))?)?;
                AnalystDecision::ConfirmEntities { a, b, analyst, reason }
            }
        })
    }

    fn sighting_number(&self, kind: EntityKind, key: &SightingKey) -> Result<u32, DecisionError> {
        let found = match kind {
            EntityKind::Person => self.find_person_sighting(key),
            EntityKind::Vehicle => self.find_vehicle_sighting(key),
        };
        found.ok_or_else(|| DecisionError::UnknownSighting(key.clone()))
    }

    fn entity_id_of(&self, kind: EntityKind, sighting: u32) -> String {
        match kind {
            EntityKind::Person => self.persons.id(self.persons.entity_of(sighting)),
            EntityKind::Vehicle => self.vehicles.id(self.vehicles.entity_of(sighting)),
        }
    }

    /// The entity an analyst meant: the one holding the anchor now, or the id when there is none.
    fn entity_of_ref(&self, kind: EntityKind, entity: &EntityRef) -> Result<String, DecisionError> {
        if let Some(anchor) = &entity.anchor {
            return Ok(self.entity_id_of(kind, self.sighting_number(kind, anchor)?));
        }
        let id = entity.entity_id.as_str();
        let (own, other) = match kind {
            EntityKind::Person => (self.persons.parse_id(id), self.vehicles.parse_id(id)),
            EntityKind::Vehicle => (self.vehicles.parse_id(id), self.persons.parse_id(id)),
        };
        match (own, other) {
            (Some(_), _) => Ok(id.to_owned()),
            (None, Some(_)) => Err(DecisionError::Conflict(format!("`{id}` is not a {}", kind_word(kind)))),
            (None, None) => Err(DecisionError::UnknownEntity(id.to_owned())),
        }
    }
}

fn kind_word(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Person => "person",
        EntityKind::Vehicle => "vehicle",
    }
}

/// What a decision changed, in plain words.
fn describe(decision: &AnalystDecision, outcome: &DecisionOutcome, before: Option<&str>) -> String {
    let merged = |outcome: &DecisionOutcome| {
        outcome.merges.first().map(|m| format!("{} merged into {}", m.merged.join(", "), m.survivor))
    };
    let split = |outcome: &DecisionOutcome| {
        outcome.splits.first().map(|s| format!("split from {} into {}", s.from, s.new_ids.join(", ")))
    };
    match decision {
        AnalystDecision::ConfirmSighting { sighting, entity, .. } => {
            match (merged(outcome), outcome.relinked.first()) {
                (Some(merged), _) => format!("sighting {sighting} confirmed as {entity}: {merged}"),
                (None, Some((_, to))) => {
                    format!("sighting {sighting} moved from {} to {to} and confirmed", before.unwrap_or("its entity"))
                }
                (None, None) => format!("sighting {sighting} confirmed as {entity}"),
            }
        }
        AnalystDecision::RejectSighting { sighting, entity, .. } => match split(outcome) {
            Some(split) => format!("sighting {sighting} {split}"),
            None => format!("sighting {sighting} rejected as {entity} and kept apart from it"),
        },
        AnalystDecision::SplitSightings { .. } => {
            // In the order they were resolved.
            let keys: Vec<String> = outcome.relinked.iter().map(|(key, _)| key.to_string()).collect();
            let noun = if keys.len() == 1 { "sighting" } else { "sightings" };
            format!("{noun} {} {}", keys.join(", "), split(outcome).unwrap_or_default())
        }
        AnalystDecision::ConfirmEntities { a, b, .. } => {
            merged(outcome).unwrap_or_else(|| format!("{a} and {b} are already one entity"))
        }
        AnalystDecision::RejectEntities { a, b, .. } => match split(outcome) {
            Some(split) => format!("{b} {split}"),
            None => format!("{a} and {b} kept apart"),
        },
    }
}
