//! Community labels of persons, both ways: each person's label and each label's members, so a
//! recompute can take in whole communities around a change without walking the graph.

use rustc_hash::FxHashMap;

/// Labels of persons in communities of two or more (others are on their own).
#[derive(Clone, Debug, Default)]
pub(crate) struct Communities {
    label_of: FxHashMap<u32, u64>,
    /// Sorted person numbers per label.
    members: FxHashMap<u64, Vec<u32>>,
}

impl Communities {
    pub fn get(&self, person: &u32) -> Option<&u64> {
        self.label_of.get(person)
    }

    /// Gives a person a label; returns the label they had.
    pub fn insert(&mut self, person: u32, label: u64) -> Option<u64> {
        let previous = self.label_of.insert(person, label);
        if previous != Some(label) {
            if let Some(previous) = previous {
                self.leave(person, previous);
            }
            let members = self.members.entry(label).or_default();
            if let Err(at) = members.binary_search(&person) {
                members.insert(at, person);
            }
        }
        previous
    }

    /// Takes a person out of their community; returns the label they had.
    pub fn remove(&mut self, person: &u32) -> Option<u64> {
        let previous = self.label_of.remove(person)?;
        self.leave(*person, previous);
        Some(previous)
    }

    /// The persons labelled `label`, sorted.
    pub fn members(&self, label: u64) -> &[u32] {
        self.members.get(&label).map_or(&[], Vec::as_slice)
    }

    fn leave(&mut self, person: u32, label: u64) {
        if let Some(members) = self.members.get_mut(&label) {
            if let Ok(at) = members.binary_search(&person) {
                members.remove(at);
            }
            if members.is_empty() {
                self.members.remove(&label);
            }
        }
    }
}
