//! The shape in which a pipeline hands its state to a store.
//!
//! Pipelines are pure, but their state must survive a restart. Each pipeline reports what changed
//! since it last did as [`StateChange`]s; the service writes them in the same database transaction as
//! the input offsets they account for, and on start-up hands the stored records back to the pipeline
//! to restore it. Keys are natural keys, so writing a change twice is harmless.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateChange {
    /// A table-like grouping owned by one pipeline, e.g. `resolve.sighting`.
    pub namespace: String,
    pub key: String,
    /// The new value, or `None` to delete the key.
    pub value: Option<Vec<u8>>,
}

impl StateChange {
    pub fn put(namespace: &str, key: impl Into<String>, value: Vec<u8>) -> Self {
        Self { namespace: namespace.to_owned(), key: key.into(), value: Some(value) }
    }

    pub fn delete(namespace: &str, key: impl Into<String>) -> Self {
        Self { namespace: namespace.to_owned(), key: key.into(), value: None }
    }
}

/// A stored record handed back to a pipeline on restore.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRecord {
    pub namespace: String,
    pub key: String,
    pub value: Vec<u8>,
}
