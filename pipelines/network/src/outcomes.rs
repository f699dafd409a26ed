//! What the linker keeps beside the graph for packages: the outcomes forces recorded (from
//! `orca.outcomes.v1`) and where stores are (stamped on incidents at ingest).

use crate::linker::Linker;
use orca_model::package::{Offence, PackageOutcome, PackageStore, SubjectKind};
use orca_model::{GroupId, Incident, PackageId, PersonId};

impl Linker {
    /// Keeps an outcome (once per outcome id) and queues its package for a new version.
    pub(crate) fn add_outcome(&mut self, outcome: PackageOutcome) -> bool {
        let list = self.outcomes.entry(outcome.package_id.clone()).or_default();
        if list.iter().any(|o| o.outcome_id == outcome.outcome_id) {
            return false;
        }
        list.push(outcome.clone());
        let package = outcome.package_id.clone();
        self.dirty_outcomes.push(outcome);
        let Some(emitted) = self.packages.get(&package).filter(|p| !p.withdrawn) else { return true };
        let subject = emitted.header.subject_id.clone();
        match emitted.header.subject_kind {
            SubjectKind::Group => {
                self.outcome_groups.insert(GroupId::new(subject));
            }
            SubjectKind::ProlificOffender => {
                if let Some(person) = self.person_number(&PersonId::new(subject)) {
                    self.unpublished_prolific.insert(person);
                }
            }
        }
        true
    }

    /// Queues the packages of these persons (their group's and their own) for a new version built
    /// from what the linker holds now.
    pub(crate) fn republish_packages_of(&mut self, persons: &[PersonId]) {
        for person in persons {
            let Some(number) = self.person_number(person) else { continue };
            if let Some(group) = self.group_of.get(&number) {
                self.outcome_groups.insert(group.clone());
            }
            self.unpublished_prolific.insert(number);
        }
    }

    /// The outcomes recorded against a package, in arrival order.
    pub(crate) fn outcomes_of(&self, package: &PackageId) -> Vec<PackageOutcome> {
        self.outcomes.get(package).cloned().unwrap_or_default()
    }

    /// Remembers where an incident's store is, when ingest said so.
    pub(crate) fn note_store(&mut self, incident: &Incident) {
        let Some(location) = &incident.store_location else { return };
        let store = PackageStore {
            store: incident.store.clone(),
            name: location.name.clone(),
            postcode: location.postcode.clone(),
            force: incident.force.clone(),
            lat: location.lat,
            lon: location.lon,
        };
        if self.stores.get(&incident.store) != Some(&store) {
            self.dirty_stores.insert(incident.store.clone());
            self.stores.insert(incident.store.clone(), store);
        }
    }

    /// The known stores of some offences (the package builder orders and deduplicates them).
    pub(crate) fn stores_of(&self, offences: &[Offence]) -> Vec<PackageStore> {
        offences.iter().filter_map(|offence| self.stores.get(&offence.store).cloned()).collect()
    }
}
