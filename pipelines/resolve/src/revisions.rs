//! Corrections and withdrawals of reports.
//!
//! A correction is a later revision of an incident held: the earlier revision's sightings are
//! retracted (taken out of their entities, which are rebuilt without them: summaries, incidents,
//! and so what later sightings are compared with), then the new revision is resolved like a new
//! report. A withdrawal retracts the current revision's sightings and keeps the withdrawal as the
//! report's tombstone; every later delivery of the report answers with it again.
//!
//! What a retraction does not undo: a merge that the retracted sighting caused stays (the merged
//! entities keep each other's other sightings), and other sightings already linked stay where they
//! are; an analyst splits such a person if it no longer holds together. Everything else reads as if
//! the corrected report had been the one received: the linker replaces the incident's links and
//! recomputes its groups and packages.

use crate::persist;
use crate::population::{Population, Summary};
use crate::resolver::Resolver;
use orca_model::{EntityKind, Incident, Resolution, Withdrawal};
use std::cmp::Ordering;

impl Resolver {
    /// The answer for an incident whose id is held already (entry `number`, its latest revision),
    /// or `None` when it is a correction to resolve now (the earlier revision has been retracted).
    pub(crate) fn answer_held(&mut self, number: u32, incident: &Incident) -> Option<Resolution> {
        let entry = &self.incident_log[number as usize];
        if let Some(withdrawal) = &entry.withdrawal {
            return Some(withdrawn(withdrawal));
        }
        match incident.revision().cmp(&entry.revision) {
            Ordering::Equal => Some(self.replay_links(number, incident)),
            // An older revision delivered again: the current links, as a relink.
            Ordering::Less => Some(self.relink(number)),
            Ordering::Greater => {
                self.retract(number);
                self.counters.corrections += 1;
                None
            }
        }
    }

    /// Withdraws a report: its sightings leave their entities and the withdrawal is kept. The
    /// resolution carries the withdrawal and no links; withdrawing again answers the same.
    pub fn withdraw(&mut self, withdrawal: &Withdrawal) -> Resolution {
        let Some(&number) = self.incidents.get(&withdrawal.incident_id) else {
            // Never resolved: nothing to take out (readers ignore an incident they do not hold).
            return withdrawn(withdrawal);
        };
        if let Some(held) = &self.incident_log[number as usize].withdrawal {
            return withdrawn(held);
        }
        self.retract(number);
        self.reusable = Default::default();
        self.counters.withdrawals += 1;
        self.incident_log[number as usize].withdrawal = Some(Box::new(withdrawal.clone()));
        persist::record_withdrawal(self, number, withdrawal);
        withdrawn(withdrawal)
    }

    /// Whether the report was withdrawn.
    pub fn is_withdrawn(&self, incident: &orca_model::IncidentId) -> bool {
        self.incidents.get(incident).is_some_and(|&n| self.incident_log[n as usize].withdrawal.is_some())
    }

    /// Takes an entry's sightings out of their entities, noting the entities left empty.
    fn retract(&mut self, number: u32) {
        let entry = &mut self.incident_log[number as usize];
        if entry.retracted {
            return;
        }
        entry.retracted = true;
        let (persons, vehicles) = (entry.persons.clone(), entry.vehicles.clone());
        self.persons.retract(persons.clone());
        self.vehicles.retract(vehicles.clone());
        self.reusable = [emptied(&self.persons, persons), emptied(&self.vehicles, vehicles)];
    }

    /// A new entity for sighting `index` of the incident being resolved: the one its earlier
    /// revision's sighting left empty, if any (so a correction that changes nothing about a
    /// one-off person keeps their id), else a fresh one.
    pub(crate) fn reuse_or_new(&mut self, kind: EntityKind, index: u32) -> u32 {
        let slot = usize::from(kind == EntityKind::Vehicle);
        let reusable =
            self.reusable[slot].iter().position(|&(i, _)| i == index).map(|at| self.reusable[slot].remove(at).1);
        match kind {
            EntityKind::Person => reuse_or_new(&mut self.persons, reusable),
            EntityKind::Vehicle => reuse_or_new(&mut self.vehicles, reusable),
        }
    }
}

/// `reusable` if it is still empty, else a fresh entity.
fn reuse_or_new<F, S: Summary<F>>(population: &mut Population<F, S>, reusable: Option<u32>) -> u32 {
    match reusable {
        Some(entity) if population.entities[entity as usize].members.is_empty() => entity,
        _ => population.new_entity(None),
    }
}

/// The (index, entity) of each retracted sighting whose entity is left with no sighting.
fn emptied<F, S: Summary<F>>(population: &Population<F, S>, sightings: std::ops::Range<u32>) -> Vec<(u32, u32)> {
    sightings
        .filter_map(|s| {
            let entity = population.entity_of(s);
            let slot = &population.entities[entity as usize];
            slot.members.is_empty().then_some((population.sightings[s as usize].index, entity))
        })
        .collect()
}

pub(crate) fn withdrawn(withdrawal: &Withdrawal) -> Resolution {
    Resolution { withdrawal: Some(withdrawal.clone()), ..Resolution::bare(withdrawal.incident_id.clone()) }
}
