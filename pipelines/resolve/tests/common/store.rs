//! A small store for restore tests: the last value written under each key.

use orca_model::{StateChange, StoredRecord};
use std::collections::BTreeMap;

#[derive(Default)]
pub struct Store(BTreeMap<(String, String), Vec<u8>>);

impl Store {
    pub fn apply(&mut self, changes: Vec<StateChange>) {
        for change in changes {
            assert!(change.namespace.starts_with("resolve."), "{}", change.namespace);
            match change.value {
                Some(value) => self.0.insert((change.namespace, change.key), value),
                None => self.0.remove(&(change.namespace, change.key)),
            };
        }
    }

    pub fn records(&self) -> Vec<StoredRecord> {
        // Reverse order: restore must not depend on the order the store returns records in.
        self.0
            .iter()
            .rev()
            .map(|((namespace, key), value)| StoredRecord {
                namespace: namespace.clone(),
                key: key.clone(),
                value: value.clone(),
            })
            .collect()
    }

    /// Keys stored in a namespace.
    pub fn keys(&self, namespace: &str) -> Vec<String> {
        self.0.keys().filter(|(n, _)| n == namespace).map(|(_, key)| key.clone()).collect()
    }
}
