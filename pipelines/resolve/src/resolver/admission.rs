//! Admitting a sighting into its population: the one path both resolving a report and restoring
//! the resolver from its stored state take, so a restored resolver holds what the running one
//! held: the sighting's names counted, the sighting added, and its blocking keys posted under the
//! entity it was first linked to (which is where later sightings look for it).

use super::Resolver;
use crate::names::NameTable;
use crate::person::features::PersonFeatures;
use crate::person::{self, PersonKeys};
use crate::population::Sighting;
use crate::vehicle::features::VehicleFeatures;

impl Resolver {
    /// A person sighting's blocking keys (names, dates of birth, markers, face buckets, places).
    pub(crate) fn person_keys(&mut self, features: &PersonFeatures) -> PersonKeys {
        person::blocking_keys(
            features,
            &self.names,
            &mut self.faces,
            self.config.face_lsh_tables,
            self.config.face_lsh_bits,
        )
    }

    /// Adds a person sighting with its blocking keys (as computed, or as stored for a disposed
    /// report) and returns its sighting number.
    pub(crate) fn admit_person(
        &mut self,
        sighting: Sighting<PersonFeatures>,
        keys: impl IntoIterator<Item = u64>,
    ) -> u32 {
        count_names(&mut self.names, &sighting.features);
        let first = sighting.first_entity;
        let number = self.persons.push_sighting(sighting);
        for key in keys {
            self.persons.postings.add(key, first);
        }
        number
    }

    /// Adds a vehicle sighting with its blocking keys and returns its sighting number.
    pub(crate) fn admit_vehicle(
        &mut self,
        sighting: Sighting<VehicleFeatures>,
        keys: impl IntoIterator<Item = u64>,
    ) -> u32 {
        let first = sighting.first_entity;
        let number = self.vehicles.push_sighting(sighting);
        for key in keys {
            self.vehicles.postings.add(key, first);
        }
        number
    }
}

/// Takes back what [`count_names`] counted for a sighting.
pub(crate) fn uncount_names(table: &mut NameTable, features: &PersonFeatures) {
    for (i, name) in features.names.iter().enumerate() {
        if features.counted & (1 << (2 * i)) != 0 {
            table.uncount_given(name.given);
        }
        if features.counted & (1 << (2 * i + 1)) != 0 {
            table.uncount_family(name.family);
        }
    }
}

/// Adds a sighting's counted names to the term frequencies.
pub(crate) fn count_names(table: &mut NameTable, features: &PersonFeatures) {
    for (i, name) in features.names.iter().enumerate() {
        if features.counted & (1 << (2 * i)) != 0 {
            table.count_given(name.given);
        }
        if features.counted & (1 << (2 * i + 1)) != 0 {
            table.count_family(name.family);
        }
    }
}
