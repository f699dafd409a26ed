//! What analysts and `orca eval` read: persons, groups and counts. Every view is serde
//! Serialize + Deserialize so the service can store and serve it as it is.

use crate::linker::Linker;
use chrono::{DateTime, Utc};
use orca_model::package::{LinkChartEdge, NimLevel, Score};
use orca_model::{ForceId, GroupId, IncidentId, Pence, PersonId, RetailerId, StoreId, VehicleId};
use serde::{Deserialize, Serialize};

/// A sighting (incident, index in it) and the entity it belongs to.
pub type Assignment<Id> = (IncidentId, u32, Id);

/// A resolved person as the linker sees them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonView {
    /// The canonical id (the survivor, when asked about a merged id).
    pub id: PersonId,
    /// Ids merged into this person.
    pub merged_ids: Vec<PersonId>,
    /// The person this one was split from, if any.
    pub split_from: Option<PersonId>,
    pub names: Vec<String>,
    pub dates_of_birth: Vec<String>,
    pub marker_codes: Vec<String>,
    pub forces: Vec<ForceId>,
    /// In time order.
    pub sightings: Vec<SightingView>,
    pub groups: Vec<GroupId>,
    pub vehicles: Vec<VehicleId>,
}

/// One sighting of a person and why it was linked to them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SightingView {
    pub incident: IncidentId,
    pub index: u32,
    pub occurred_at: DateTime<Utc>,
    pub force: ForceId,
    pub probability: f64,
    /// `auto-link p=0.97: name exact +8.1, …`
    pub explanation: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MemberRole {
    Core,
    Periphery,
}

impl MemberRole {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberRole::Core => "core",
            MemberRole::Periphery => "periphery",
        }
    }
}

/// A member of a group with their place in its network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemberView {
    pub person: PersonId,
    pub role: MemberRole,
    /// Members they are linked to.
    pub degree: u32,
    /// Sum of their link weights inside the group.
    pub strength: f64,
    /// Share of shortest paths between other members that pass through them (0 to 1).
    pub betweenness: f64,
    /// Group incidents they were in.
    pub incidents: u32,
    /// Lowest match probability of their sightings in group incidents.
    pub min_probability: f64,
}

/// A vehicle linked to a group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupVehicle {
    pub vehicle: VehicleId,
    /// The most often read full mark, else a partial read.
    pub vrm: String,
    pub make: String,
    pub model: String,
    pub colour: String,
    /// Group incidents it was seen at.
    pub sightings: u32,
    pub partial_plate_only: bool,
    /// The mark was read on vehicles of different makes or colours.
    pub cloned_plate_suspected: bool,
    /// Reported with the false-plates modus operandi.
    pub false_plate_suspected: bool,
}

/// The member or vehicle whose removal would fragment a group most.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Disruption {
    /// A person or vehicle id.
    pub target: String,
    pub kind: String,
    /// Pairs of remaining members that could no longer reach each other, over all pairs (0 to 1).
    pub fragmentation: f64,
    /// Pieces the group falls into without it.
    pub pieces: u32,
}

/// A detected organised crime group.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupView {
    pub id: GroupId,
    /// Core first, then by id.
    pub members: Vec<MemberView>,
    pub vehicles: Vec<GroupVehicle>,
    /// Group incidents (at least `min_members_per_incident` members present), in time order.
    pub incidents: Vec<IncidentId>,
    pub retailers: Vec<RetailerId>,
    pub stores: Vec<StoreId>,
    /// Every force the group's incidents happened in, sorted.
    pub forces: Vec<ForceId>,
    /// The force with the most group incidents (ties: the larger loss, then the smaller id).
    pub lead_force: ForceId,
    pub nim_level: NimLevel,
    /// Forces in the order the group first reached them.
    pub corridor: Vec<ForceId>,
    pub first_seen: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
    pub total_loss_pence: Pence,
    pub score: Score,
    /// Links among members and to vehicles.
    pub links: Vec<LinkChartEdge>,
    /// Members and vehicles whose removal fragments the group most, most disruptive first.
    pub disruption: Vec<Disruption>,
}

/// Counts for monitoring.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkerStats {
    pub incidents: u64,
    pub persons: u64,
    pub vehicles: u64,
    /// Person and vehicle ids that redirect to a survivor.
    pub merged_ids: u64,
    pub groups: u64,
    pub packages: u64,
    /// Persons touched since the last refresh.
    pub pending_persons: u64,
    /// Persons the last refresh re-partitioned (the region it touched), and the
    /// co-offending links among them: the size of its work.
    pub last_refresh_persons: u64,
    pub last_refresh_links: u64,
}

impl Linker {
    /// A person by id, following merge redirects to the survivor.
    pub fn person(&self, id: &str) -> Option<PersonView> {
        let number = self.persons.canonical(self.persons.number(id)?);
        let mut names = Vec::new();
        let mut dates_of_birth = Vec::new();
        let mut forces = Vec::new();
        let mut sightings = Vec::new();
        for &incident in &self.persons.incidents[number as usize] {
            let record = &self.incidents[incident as usize];
            for (link, &p) in record.persons.iter().zip(&self.links[incident as usize].persons) {
                if self.persons.canonical(p) != number {
                    continue;
                }
                push_unique(&mut names, &link.name);
                for alias in &link.aliases {
                    push_unique(&mut names, alias);
                }
                if let Some(date) = &link.date_of_birth {
                    push_unique(&mut dates_of_birth, date);
                }
                sightings.push(SightingView {
                    incident: record.id.clone(),
                    index: link.index,
                    occurred_at: record.occurred_at,
                    force: record.force.clone(),
                    probability: link.probability,
                    explanation: link.explanation.to_string(),
                });
            }
            if !forces.contains(&record.force) {
                forces.push(record.force.clone());
            }
        }
        names.sort();
        dates_of_birth.sort();
        forces.sort();
        sightings.sort_by(|a, b| (a.occurred_at, &a.incident, a.index).cmp(&(b.occurred_at, &b.incident, b.index)));
        let mut merged_ids: Vec<PersonId> =
            self.persons.merged_into(number).into_iter().map(|n| PersonId::new(self.persons.id(n))).collect();
        merged_ids.sort();
        let mut vehicles: Vec<VehicleId> =
            self.vehicles_of(number).into_iter().map(|v| VehicleId::new(self.vehicles.id(v))).collect();
        vehicles.sort();
        Some(PersonView {
            id: PersonId::new(self.persons.id(number)),
            merged_ids,
            split_from: self.persons.lineage[number as usize].map(|n| PersonId::new(self.persons.id(n))),
            names,
            dates_of_birth,
            marker_codes: self.markers_of(number),
            forces,
            sightings,
            groups: self.group_of.get(&number).cloned().into_iter().collect(),
            vehicles,
        })
    }

    /// A group by id.
    pub fn group(&self, id: &str) -> Option<GroupView> {
        self.groups.get(&GroupId::new(id)).map(|group| group.view.clone())
    }

    /// Every group, by id.
    pub fn groups(&self) -> Vec<GroupView> {
        self.groups.values().map(|group| group.view.clone()).collect()
    }

    /// The current canonical person of an offending sighting.
    pub fn person_of_sighting(&self, incident: &IncidentId, index: u32) -> Option<PersonId> {
        let number = *self.incident_numbers.get(incident)?;
        let record = &self.incidents[number as usize];
        let at = record.persons.iter().position(|link| link.index == index)?;
        let person = self.persons.canonical(self.links[number as usize].persons[at]);
        Some(PersonId::new(self.persons.id(person)))
    }

    /// The current canonical vehicle of a vehicle sighting.
    pub fn vehicle_of_sighting(&self, incident: &IncidentId, index: u32) -> Option<VehicleId> {
        let number = *self.incident_numbers.get(incident)?;
        let record = &self.incidents[number as usize];
        let at = record.vehicles.iter().position(|link| link.index == index)?;
        let vehicle = self.vehicles.canonical(self.links[number as usize].vehicles[at]);
        Some(VehicleId::new(self.vehicles.id(vehicle)))
    }

    /// Every resolved sighting and its current canonical entity, for exports (`orca eval` against
    /// a running instance): `(incident, index, person)` and `(incident, index, vehicle)`, in
    /// incident order.
    pub fn sighting_assignments(&self) -> (Vec<Assignment<PersonId>>, Vec<Assignment<VehicleId>>) {
        let mut persons = Vec::new();
        let mut vehicles = Vec::new();
        for (number, record) in self.incidents.iter().enumerate() {
            let links = &self.links[number];
            for (link, &person) in record.persons.iter().zip(&links.persons) {
                let person = self.persons.canonical(person);
                persons.push((record.id.clone(), link.index, PersonId::new(self.persons.id(person))));
            }
            for (link, &vehicle) in record.vehicles.iter().zip(&links.vehicles) {
                let vehicle = self.vehicles.canonical(vehicle);
                vehicles.push((record.id.clone(), link.index, VehicleId::new(self.vehicles.id(vehicle))));
            }
        }
        (persons, vehicles)
    }
}

fn push_unique(list: &mut Vec<String>, value: &str) {
    let value = value.trim();
    if !value.is_empty() && !list.iter().any(|v| v == value) {
        list.push(value.to_owned());
    }
}
