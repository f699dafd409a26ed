//! A problem found with a submitted record.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One problem with a record: the field it concerns as a path (`vehicles[0].vrm`), a stable code
/// (`unknown-store`) and the reason in plain words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub field: String,
    pub code: String,
    pub reason: String,
}

impl Problem {
    pub fn new(field: impl Into<String>, code: &str, reason: impl Into<String>) -> Self {
        Self { field: field.into(), code: code.to_owned(), reason: reason.into() }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {} ({})", self.field, self.reason, self.code)
    }
}

/// Collects problems under a field-path prefix, so nested validators need not know where they sit.
#[derive(Debug, Default)]
pub struct Problems {
    items: Vec<Problem>,
}

impl Problems {
    pub fn push(&mut self, field: impl Into<String>, code: &str, reason: impl Into<String>) {
        self.items.push(Problem::new(field, code, reason));
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn into_vec(self) -> Vec<Problem> {
        self.items
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Problem>) {
        self.items.extend(other);
    }
}
