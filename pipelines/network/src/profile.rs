//! The linker's data about a group or person as an orca-packages [`ProfileInput`].

use crate::linker::Linker;
use crate::views::GroupView;
use orca_model::package::{Assertion, NimLevel, Offence, PackageSubject, PackageVehicle, Score, SubjectKind};
use orca_model::{ForceId, LinkDecision, PersonId, VehicleId};
use orca_packages::{ProfileInput, SubjectInput, VehicleInput};
use std::collections::BTreeMap;

impl Linker {
    /// The profile of a group, for [`orca_packages::build_package`].
    pub(crate) fn group_profile(&self, group: &GroupView) -> ProfileInput {
        let incidents: Vec<u32> =
            group.incidents.iter().filter_map(|id| self.incident_numbers.get(id).copied()).collect();
        let subjects =
            group.members.iter().map(|member| self.subject(&member.person, member.role.as_str(), &incidents)).collect();
        let vehicles = group
            .vehicles
            .iter()
            .map(|v| VehicleInput {
                vehicle: PackageVehicle {
                    vehicle_id: v.vehicle.clone(),
                    vrm: v.vrm.clone(),
                    make: v.make.clone(),
                    model: v.model.clone(),
                    colour: v.colour.clone(),
                    sighting_count: v.sightings,
                    cloned_plate_suspected: v.cloned_plate_suspected,
                },
                partial_plate_only: v.partial_plate_only,
                false_plate_suspected: v.false_plate_suspected,
            })
            .collect();
        ProfileInput {
            kind: SubjectKind::Group,
            subject_id: group.id.to_string(),
            lead_force: group.lead_force.clone(),
            forces: group.forces.clone(),
            nim_level: group.nim_level,
            subjects,
            vehicles,
            offences: self.offences(&incidents),
            link_chart: group.links.clone(),
            score: group.score.clone(),
            corridor: group.corridor.clone(),
        }
    }

    /// The profile of a prolific offender: their offences in every force, led by `lead_force`.
    pub(crate) fn person_profile(
        &self,
        person: u32,
        lead_force: &ForceId,
        forces: Vec<ForceId>,
        score: Score,
    ) -> ProfileInput {
        let incidents = &self.persons.incidents[person as usize];
        let mut sorted: Vec<u32> = incidents.clone();
        sorted.sort_by(|&a, &b| {
            let (a, b) = (&self.incidents[a as usize], &self.incidents[b as usize]);
            (a.occurred_at, &a.id).cmp(&(b.occurred_at, &b.id))
        });
        let mut corridor: Vec<ForceId> = Vec::new();
        for &incident in &sorted {
            let force = &self.incidents[incident as usize].force;
            if !corridor.contains(force) {
                corridor.push(force.clone());
            }
        }
        let id = PersonId::new(self.persons.id(person));
        let vehicles = self
            .vehicles_of(person)
            .into_iter()
            .map(|v| {
                let sightings: Vec<(u32, usize)> = sorted
                    .iter()
                    .flat_map(|&incident| {
                        self.links[incident as usize]
                            .vehicles
                            .iter()
                            .enumerate()
                            .filter(move |&(_, &w)| self.vehicles.canonical(w) == v)
                            .map(move |(k, _)| (incident, k))
                    })
                    .collect();
                let view = self.group_vehicle(self.vehicles.id(v), &sightings);
                VehicleInput {
                    vehicle: PackageVehicle {
                        vehicle_id: VehicleId::new(self.vehicles.id(v)),
                        vrm: view.vrm,
                        make: view.make,
                        model: view.model,
                        colour: view.colour,
                        sighting_count: view.sightings,
                        cloned_plate_suspected: view.cloned_plate_suspected,
                    },
                    partial_plate_only: view.partial_plate_only,
                    false_plate_suspected: view.false_plate_suspected,
                }
            })
            .collect();
        let nim_level = if forces.len() >= 2 { NimLevel::CrossBorder } else { NimLevel::Local };
        ProfileInput {
            kind: SubjectKind::ProlificOffender,
            subject_id: id.to_string(),
            lead_force: lead_force.clone(),
            forces,
            nim_level,
            subjects: vec![self.subject(&id, "subject", &sorted)],
            vehicles,
            offences: self.offences(&sorted),
            link_chart: Vec::new(),
            score,
            corridor,
        }
    }

    /// A subject's identifiers as their sightings in `incidents` give them.
    fn subject(&self, id: &PersonId, role: &str, incidents: &[u32]) -> SubjectInput {
        let Some(number) = self.person_number(id) else {
            return SubjectInput {
                subject: PackageSubject { person_id: id.clone(), ..Default::default() },
                weak_links: 0,
            };
        };
        let mut names: BTreeMap<String, usize> = BTreeMap::new();
        let mut dates: BTreeMap<String, usize> = BTreeMap::new();
        let mut markers: Vec<String> = Vec::new();
        let (mut count, mut probability_sum, mut weak) = (0u32, 0.0, 0u32);
        for &incident in incidents {
            let record = &self.incidents[incident as usize];
            for (link, &p) in record.persons.iter().zip(&self.links[incident as usize].persons) {
                if self.persons.canonical(p) != number {
                    continue;
                }
                count += 1;
                probability_sum += link.probability;
                weak += u32::from(link.decision == LinkDecision::PossibleMatch);
                if !link.name.is_empty() {
                    *names.entry(link.name.clone()).or_default() += 1;
                }
                for alias in &link.aliases {
                    names.entry(alias.clone()).or_default();
                }
                if let Some(date) = &link.date_of_birth {
                    *dates.entry(date.clone()).or_default() += 1;
                }
                if let Some(code) = &link.marker_code
                    && !markers.contains(code)
                {
                    markers.push(code.clone());
                }
            }
        }
        markers.sort();
        let most_common = |tally: &BTreeMap<String, usize>| {
            tally.iter().max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0))).map(|(v, _)| v.clone())
        };
        let display_name = most_common(&names).unwrap_or_default();
        let aliases = names.keys().filter(|name| **name != display_name).cloned().collect();
        SubjectInput {
            subject: PackageSubject {
                person_id: id.clone(),
                display_name,
                aliases,
                date_of_birth: most_common(&dates).unwrap_or_default(),
                role: role.to_owned(),
                match_confidence: if count == 0 { 0.0 } else { probability_sum / f64::from(count) },
                incident_count: count,
                marker_codes: markers,
                assertion: Assertion::Assessment,
            },
            weak_links: weak,
        }
    }

    /// The offences schedule of some incidents, citing each by incident id and crime reference.
    fn offences(&self, incidents: &[u32]) -> Vec<Offence> {
        incidents
            .iter()
            .map(|&incident| {
                let record = &self.incidents[incident as usize];
                let links = &self.links[incident as usize];
                let mut person_ids: Vec<PersonId> =
                    links.persons.iter().map(|&p| PersonId::new(self.persons.id(self.persons.canonical(p)))).collect();
                person_ids.sort();
                person_ids.dedup();
                let mut vehicle_ids: Vec<VehicleId> = links
                    .vehicles
                    .iter()
                    .zip(&record.vehicles)
                    .filter(|(_, link)| link.used_by_offenders())
                    .map(|(&v, _)| VehicleId::new(self.vehicles.id(self.vehicles.canonical(v))))
                    .collect();
                vehicle_ids.sort();
                vehicle_ids.dedup();
                Offence {
                    incident_id: record.id.clone(),
                    police_crime_ref: record.police_crime_ref.clone(),
                    force: record.force.clone(),
                    retailer: record.retailer.clone(),
                    store: record.store.clone(),
                    occurred_at: record.occurred_at,
                    event_type: record.event_type,
                    value_pence: record.value_pence,
                    modus_operandi: record.modus_operandi.clone(),
                    grade: record.grade.clone(),
                    person_ids,
                    vehicle_ids,
                    evidence: record.evidence.clone(),
                }
            })
            .collect()
    }
}
