//! What a person or vehicle is called on a network picture or in a list: the first name reported
//! (else a description), a vehicle's full plate (else a partial read) with its description.

use crate::workspace::Workspace;
use orca_model::{AgeBand, EntityKind, PersonSighting, Sex, VehicleSighting};

/// How a sighting describes a person: `Kyle Brennan`, else `unnamed male 25-34`.
pub fn person_label(sighting: &PersonSighting) -> String {
    let name = [sighting.given_names.trim(), sighting.family_name.trim()]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if !name.is_empty() {
        return name;
    }
    let sex = match sighting.sex {
        Sex::Male => " male",
        Sex::Female => " female",
        Sex::Unspecified => "",
    };
    let age = match sighting.age_band.ages() {
        Some((_, 120)) => " over 34".to_owned(),
        Some((low, high)) if sighting.age_band != AgeBand::Unspecified => format!(" {low}-{high}"),
        _ => String::new(),
    };
    format!("unnamed{sex}{age}")
}

/// How a sighting describes a vehicle: `AB12CDE silver Ford Focus`.
pub fn vehicle_label(sighting: &VehicleSighting) -> String {
    let plate = if sighting.vrm.is_empty() { sighting.vrm_raw.trim().to_uppercase() } else { sighting.vrm.clone() };
    [plate.as_str(), sighting.colour.trim(), sighting.make.trim(), sighting.model.trim()]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A label worth replacing: none, an unnamed description, or a partial plate.
fn is_weak(label: &str) -> bool {
    label.is_empty() || label.starts_with("unnamed") || label.split(' ').next().is_some_and(|p| p.contains('?'))
}

impl Workspace {
    /// Labels the entities of a new incident from what it reported.
    pub(crate) fn label(&mut self, number: u32, persons: &[PersonSighting], vehicles: &[VehicleSighting]) {
        let node = &self.incidents[number as usize];
        let person_labels: Vec<(u32, String)> = (node.persons.iter())
            .filter_map(|link| Some((link.entity, person_label(persons.get(link.index as usize)?))))
            .collect();
        let vehicle_labels: Vec<(u32, String)> = (node.vehicles.iter())
            .filter_map(|link| Some((link.entity, vehicle_label(vehicles.get(link.index as usize)?))))
            .collect();
        for (entity, label) in person_labels {
            let entity = self.persons.canonical(entity);
            self.set_label(EntityKind::Person, entity, &label, true);
        }
        for (entity, label) in vehicle_labels {
            let entity = self.vehicles.canonical(entity);
            self.set_label(EntityKind::Vehicle, entity, &label, true);
        }
    }

    /// The label of an entity (by any of its numbers).
    pub fn label_of(&self, kind: EntityKind, number: u32) -> &str {
        let canonical = self.entities(kind).canonical(number);
        let labels = match kind {
            EntityKind::Person => &self.person_labels,
            EntityKind::Vehicle => &self.vehicle_labels,
        };
        let label = &labels[canonical as usize];
        if label.is_empty() { &labels[number as usize] } else { label }
    }

    /// Sets a label where there is none, or (with `improve`) replaces a weak one with a better one.
    pub(crate) fn set_label(&mut self, kind: EntityKind, number: u32, label: &str, improve: bool) {
        let labels = match kind {
            EntityKind::Person => &mut self.person_labels,
            EntityKind::Vehicle => &mut self.vehicle_labels,
        };
        let current = &mut labels[number as usize];
        if current.is_empty() || (improve && is_weak(current) && !is_weak(label)) {
            *current = label.into();
        }
    }

    /// A survivor of a merge keeps its label unless the merged entity's own is better.
    pub(crate) fn adopt_label(&mut self, kind: EntityKind, survivor: u32, merged: u32) {
        let labels = match kind {
            EntityKind::Person => &self.person_labels,
            EntityKind::Vehicle => &self.vehicle_labels,
        };
        let label = labels[merged as usize].to_string();
        self.set_label(kind, survivor, &label, true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unnamed_people_are_described_and_partial_plates_are_weak() {
        let unnamed = PersonSighting { sex: Sex::Male, age_band: AgeBand::From25To34, ..Default::default() };
        assert_eq!(person_label(&unnamed), "unnamed male 25-34");
        let older = PersonSighting { age_band: AgeBand::Over34, ..Default::default() };
        assert_eq!(person_label(&older), "unnamed over 34");
        let named = PersonSighting { given_names: " Kyle ".into(), family_name: "Brennan".into(), ..unnamed };
        assert_eq!(person_label(&named), "Kyle Brennan");
        let partial = VehicleSighting { vrm: "AB1?CDE".into(), colour: "silver".into(), ..Default::default() };
        assert_eq!(vehicle_label(&partial), "AB1?CDE silver");
        assert!(is_weak("AB1?CDE silver") && is_weak("unnamed male") && !is_weak("AB12CDE silver"));
    }
}
