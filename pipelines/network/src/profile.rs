//! The linker's data about a group or person as an orca-packages [`ProfileInput`].

use crate::linker::Linker;
use crate::records::PersonLink;
use crate::views::GroupView;
use orca_model::package::{
    Assertion, NimLevel, Offence, PackageSubject, PackageVehicle, ReportNotice, Score, SubjectKind,
};
use orca_model::{ForceId, LinkDecision, PersonId, VehicleId};
use orca_packages::{ProfileInput, SubjectInput, VehicleInput};
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;

impl Linker {
    /// The profile of a group, for [`orca_packages::build_package`].
    pub(crate) fn group_profile(&self, group: &GroupView) -> ProfileInput {
        let incidents: Vec<u32> =
            group.incidents.iter().filter_map(|id| self.incident_numbers.get(id).copied()).collect();
        let members: Vec<(&PersonId, &str)> = group.members.iter().map(|m| (&m.person, m.role.as_str())).collect();
        let subjects = self.subjects(&members, &incidents);
        let outside = self.outside_group(group, &incidents);
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
                    false_plate_suspected: v.false_plate_suspected,
                },
                partial_plate_only: v.partial_plate_only,
            })
            .collect();
        let mut offences = self.offences(&incidents);
        offences.extend(self.offences(&outside).into_iter().map(|offence| Offence { outside_group: true, ..offence }));
        let id = orca_packages::package_id(group.id.as_str());
        ProfileInput {
            kind: SubjectKind::Group,
            subject_id: group.id.to_string(),
            lead_force: group.lead_force.clone(),
            forces: group.forces.clone(),
            nim_level: group.nim_level,
            subjects,
            vehicles,
            stores: self.stores_of(&offences),
            offences,
            link_chart: group.links.clone(),
            score: group.score.clone(),
            corridor: group.corridor.clone(),
            outcomes: self.outcomes_of(&id),
            notes: Vec::new(),
            report_notices: self.report_notices(group.members.iter().filter_map(|m| self.person_number(&m.person))),
        }
    }

    /// Why reports left these persons' offending: withdrawn, or corrected so that they no longer
    /// name them (see `IncidentRecord::former_persons`).
    fn report_notices(&self, persons: impl IntoIterator<Item = u32>) -> Vec<ReportNotice> {
        let persons: Vec<u32> = persons.into_iter().collect();
        (self.departed.iter())
            .map(|&number| &self.incidents[number as usize])
            .filter(|record| {
                record.former_persons.iter().any(|id| self.person_number(id).is_some_and(|p| persons.contains(&p)))
            })
            .map(|record| match &record.withdrawal {
                Some(withdrawal) => ReportNotice {
                    incident_id: record.id.clone(),
                    revision: withdrawal.revision,
                    withdrawn: true,
                    reason: withdrawal.reason.clone(),
                    disposed: withdrawal.disposed,
                },
                None => ReportNotice {
                    incident_id: record.id.clone(),
                    revision: record.revision.max(1),
                    withdrawn: false,
                    reason: record.correction_reason.clone(),
                    disposed: false,
                },
            })
            .collect()
    }

    /// The incidents of a group's members that are not the group's (a member alone, or only with
    /// people outside the group), in time order.
    fn outside_group(&self, group: &GroupView, group_incidents: &[u32]) -> Vec<u32> {
        let inside: rustc_hash::FxHashSet<u32> = group_incidents.iter().copied().collect();
        let mut outside: Vec<u32> = group
            .members
            .iter()
            .filter_map(|m| self.person_number(&m.person))
            .flat_map(|p| self.persons.incidents[p as usize].iter().copied())
            .filter(|i| !inside.contains(i))
            .collect();
        outside.sort_unstable();
        outside.dedup();
        outside
    }

    /// The profile of a prolific offender: their offences in every force, led by `lead_force`.
    pub(crate) fn person_profile(
        &self,
        person: u32,
        incidents: &[u32],
        lead_force: &ForceId,
        forces: Vec<ForceId>,
        score: Score,
    ) -> ProfileInput {
        let mut sorted: Vec<u32> = incidents.to_vec();
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
                let sightings = sorted
                    .iter()
                    .map(|&incident| {
                        self.links[incident as usize]
                            .vehicles
                            .iter()
                            .filter(|&&w| self.vehicles.canonical(w) == v)
                            .count()
                    })
                    .sum();
                let view = self.group_vehicle(v, sightings);
                VehicleInput {
                    vehicle: PackageVehicle {
                        vehicle_id: VehicleId::new(self.vehicles.id(v)),
                        vrm: view.vrm,
                        make: view.make,
                        model: view.model,
                        colour: view.colour,
                        sighting_count: view.sightings,
                        cloned_plate_suspected: view.cloned_plate_suspected,
                        false_plate_suspected: view.false_plate_suspected,
                    },
                    partial_plate_only: view.partial_plate_only,
                }
            })
            .filter(|v| v.vehicle.sighting_count > 0)
            .collect();
        let nim_level = if forces.len() >= 2 { NimLevel::CrossBorder } else { NimLevel::Local };
        let offences = self.offences(&sorted);
        let notes = match self.group_of.get(&person) {
            Some(group) => vec![format!(
                "a member of organised crime group {group}: offences with the group are in {}, not here",
                orca_packages::package_id(group.as_str())
            )],
            None => Vec::new(),
        };
        ProfileInput {
            kind: SubjectKind::ProlificOffender,
            subject_id: id.to_string(),
            lead_force: lead_force.clone(),
            forces,
            nim_level,
            subjects: vec![self.subject(&id, "subject", &sorted)],
            vehicles,
            stores: self.stores_of(&offences),
            offences,
            link_chart: Vec::new(),
            score,
            corridor,
            outcomes: self.outcomes_of(&orca_packages::package_id(id.as_str())),
            notes,
            report_notices: self.report_notices([person]),
        }
    }

    /// A subject's identifiers as their sightings in `incidents` give them.
    fn subject(&self, id: &PersonId, role: &str, incidents: &[u32]) -> SubjectInput {
        self.subjects(&[(id, role)], incidents).pop().expect("one subject asked for")
    }

    /// Subjects' identifiers as their sightings in `incidents` give them, in one pass over the
    /// incidents (a group's history is read once, not once per member).
    fn subjects(&self, subjects: &[(&PersonId, &str)], incidents: &[u32]) -> Vec<SubjectInput> {
        let numbers: Vec<Option<u32>> = subjects.iter().map(|(id, _)| self.person_number(id)).collect();
        let index: FxHashMap<u32, usize> =
            numbers.iter().enumerate().filter_map(|(i, number)| Some(((*number)?, i))).collect();
        let mut tallies: Vec<SubjectTally<'_>> = subjects.iter().map(|_| SubjectTally::default()).collect();
        for &incident in incidents {
            let record = &self.incidents[incident as usize];
            for (link, &p) in record.persons.iter().zip(&self.links[incident as usize].persons) {
                if let Some(&i) = index.get(&self.persons.canonical(p)) {
                    tallies[i].add(link);
                }
            }
        }
        subjects
            .iter()
            .zip(numbers)
            .zip(tallies)
            .map(|((&(id, role), number), tally)| match number {
                Some(_) => tally.into_subject(id, role),
                None => SubjectInput {
                    subject: PackageSubject { person_id: id.clone(), ..Default::default() },
                    weak_links: 0,
                },
            })
            .collect()
    }

    /// The offences schedule of some incidents, citing each by incident id and crime reference.
    fn offences(&self, incidents: &[u32]) -> Vec<Offence> {
        incidents
            .iter()
            .map(|&incident| {
                let record = &self.incidents[incident as usize];
                let links = &self.links[incident as usize];
                let mut persons: Vec<&str> =
                    links.persons.iter().map(|&p| self.persons.id(self.persons.canonical(p))).collect();
                persons.sort_unstable();
                persons.dedup();
                let mut vehicles: Vec<&str> = links
                    .vehicles
                    .iter()
                    .zip(&record.vehicles)
                    .filter(|(_, link)| link.used_by_offenders())
                    .map(|(&v, _)| self.vehicles.id(self.vehicles.canonical(v)))
                    .collect();
                vehicles.sort_unstable();
                vehicles.dedup();
                let person_ids = persons.into_iter().map(PersonId::new).collect();
                let vehicle_ids = vehicles.into_iter().map(VehicleId::new).collect();
                Offence {
                    incident_id: record.id.clone(),
                    police_crime_ref: record.police_crime_ref.to_string(),
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
                    outside_group: false,
                    revision: record.revision,
                    correction_reason: record.correction_reason.clone(),
                }
            })
            .collect()
    }
}

/// What one subject's sightings say: names, dates of birth and marker codes with their counts.
#[derive(Default)]
struct SubjectTally<'a> {
    names: BTreeMap<&'a str, usize>,
    dates: BTreeMap<&'a str, usize>,
    markers: Vec<&'a str>,
    count: u32,
    probability_sum: f64,
    weak: u32,
}

impl<'a> SubjectTally<'a> {
    fn add(&mut self, link: &'a PersonLink) {
        self.count += 1;
        self.probability_sum += link.probability;
        self.weak += u32::from(link.decision == LinkDecision::PossibleMatch);
        if !link.name.is_empty() {
            *self.names.entry(&link.name).or_default() += 1;
        }
        for alias in &link.aliases {
            self.names.entry(alias).or_default();
        }
        if let Some(date) = &link.date_of_birth {
            *self.dates.entry(date).or_default() += 1;
        }
        if let Some(code) = &link.marker_code
            && !self.markers.contains(&code.as_str())
        {
            self.markers.push(code);
        }
    }

    fn into_subject(mut self, id: &PersonId, role: &str) -> SubjectInput {
        self.markers.sort_unstable();
        let most_common = |tally: &BTreeMap<&str, usize>| {
            tally.iter().max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0))).map(|(v, _)| (*v).to_owned())
        };
        let display_name = most_common(&self.names).unwrap_or_default();
        let aliases = self.names.keys().filter(|name| **name != display_name).map(|name| (*name).to_owned()).collect();
        let count = self.count;
        SubjectInput {
            subject: PackageSubject {
                person_id: id.clone(),
                display_name,
                aliases,
                date_of_birth: most_common(&self.dates).unwrap_or_default(),
                role: role.to_owned(),
                match_confidence: if count == 0 { 0.0 } else { self.probability_sum / f64::from(count) },
                incident_count: count,
                marker_codes: self.markers.into_iter().map(str::to_owned).collect(),
                assertion: Assertion::Assessment,
            },
            weak_links: self.weak,
        }
    }
}
