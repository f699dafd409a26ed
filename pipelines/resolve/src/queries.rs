//! What the resolver can be asked: current links, entity ids through merges, members, cloned
//! plates and counters.

use crate::levels::PlateLevel;
use crate::model::Comparison;
use crate::population::{Population, Summary};
use crate::resolver::Resolver;
use crate::stats::ResolverStats;
use orca_model::{PersonId, SightingLink, VehicleId};

impl Resolver {
    /// The person and vehicle links of an incident as they are now: the entity each sighting is in
    /// (canonical), the link's decision (an analyst's verdict if there is one), its candidate and
    /// runner-up (canonical; a runner-up since merged into the sighting's entity is left out).
    pub(crate) fn links_of(&self, number: u32) -> (Vec<SightingLink>, Vec<SightingLink>) {
        let entry = &self.incident_log[number as usize];
        let mut persons: Vec<SightingLink> = entry.persons.clone().map(|s| current_link(&self.persons, s)).collect();
        persons.sort_by_key(|l| l.sighting_index);
        let vehicles = entry.vehicles.clone().map(|s| current_link(&self.vehicles, s)).collect();
        (persons, vehicles)
    }

    /// Follows merge redirects to the surviving person id; `None` for an unknown id.
    pub fn canonical_person(&self, id: &str) -> Option<PersonId> {
        let entity = self.persons.parse_id(id)?;
        Some(PersonId::new(self.persons.id(self.persons.canonical(entity))))
    }

    /// Follows merge redirects to the surviving vehicle id; `None` for an unknown id.
    pub fn canonical_vehicle(&self, id: &str) -> Option<VehicleId> {
        let entity = self.vehicles.parse_id(id)?;
        Some(VehicleId::new(self.vehicles.id(self.vehicles.canonical(entity))))
    }

    /// The vehicles sharing a plate with another vehicle (cloned plates): `(plate, vehicle ids)`.
    pub fn cloned_plates(&self) -> Vec<(String, Vec<VehicleId>)> {
        let mut by_plate: std::collections::BTreeMap<String, Vec<VehicleId>> = Default::default();
        for sighting in &self.vehicles.sightings {
            let link = &sighting.link;
            let is_clone = link
                .evidence
                .iter()
                .any(|e| e.comparison == Comparison::Plate && e.level == u8::from(PlateLevel::Cloned));
            if let (true, Some(other), Some(p)) = (is_clone, link.candidate, sighting.features.plate) {
                let list = by_plate.entry(self.plates.text(p).to_owned()).or_default();
                for entity in [other, link.entity] {
                    let id = VehicleId::new(self.vehicles.id(self.vehicles.canonical(entity)));
                    if !list.contains(&id) {
                        list.push(id);
                    }
                }
            }
        }
        by_plate
            .into_iter()
            .map(|(plate, mut ids)| {
                ids.sort();
                (plate, ids)
            })
            .collect()
    }

    /// The ids of the sightings now in a person entity (after merges and splits).
    pub fn person_members(&self, id: &str) -> Vec<orca_model::SightingKey> {
        let Some(entity) = self.persons.parse_id(id).map(|e| self.persons.canonical(e)) else {
            return Vec::new();
        };
        self.persons.entities[entity as usize]
            .members
            .iter()
            .map(|&s| {
                self.sighting_key(
                    &self.persons.sightings[s as usize].incident,
                    self.persons.sightings[s as usize].index,
                )
            })
            .collect()
    }

    /// The person id a sighting now belongs to.
    pub fn person_of(&self, key: &orca_model::SightingKey) -> Option<PersonId> {
        let s = self.find_person_sighting(key)?;
        Some(PersonId::new(self.persons.id(self.persons.entity_of(s))))
    }

    /// The vehicle id a sighting now belongs to.
    pub fn vehicle_of(&self, key: &orca_model::SightingKey) -> Option<VehicleId> {
        let s = self.find_vehicle_sighting(key)?;
        Some(VehicleId::new(self.vehicles.id(self.vehicles.entity_of(s))))
    }

    pub(crate) fn sighting_key(&self, incident: &u32, index: u32) -> orca_model::SightingKey {
        orca_model::SightingKey::new(self.incident_log[*incident as usize].id.clone(), index)
    }

    pub(crate) fn find_person_sighting(&self, key: &orca_model::SightingKey) -> Option<u32> {
        let entry = &self.incident_log[*self.incidents.get(&key.incident)? as usize];
        let sightings = &self.persons.sightings;
        entry.persons.clone().find(|&s| sightings[s as usize].index == key.index && !sightings[s as usize].retracted)
    }

    pub(crate) fn find_vehicle_sighting(&self, key: &orca_model::SightingKey) -> Option<u32> {
        let entry = &self.incident_log[*self.incidents.get(&key.incident)? as usize];
        let sightings = &self.vehicles.sightings;
        entry.vehicles.clone().find(|&s| sightings[s as usize].index == key.index && !sightings[s as usize].retracted)
    }

    pub fn stats(&self) -> ResolverStats {
        ResolverStats::gather(self)
    }
}

/// A sighting's link as it is now (see [`Resolver::links_of`]).
fn current_link<F, S: Summary<F>>(population: &Population<F, S>, s: u32) -> SightingLink {
    let sighting = &population.sightings[s as usize];
    let entity = population.entity_of(s);
    let link = &sighting.link;
    let runner_up = link.runner_up.map(|(e, p)| (population.canonical(e), p)).filter(|&(e, _)| e != entity);
    SightingLink {
        sighting_index: sighting.index,
        entity_id: population.id(entity),
        decision: link.decision,
        probability: f64::from(link.probability),
        evidence: link.evidence.iter().map(|e| e.to_model()).collect(),
        candidate: link.candidate.map(|c| population.id(population.canonical(c))),
        runner_up: runner_up
            .map(|(e, p)| orca_model::RunnerUp { entity_id: population.id(e), probability: f64::from(p) }),
    }
}
