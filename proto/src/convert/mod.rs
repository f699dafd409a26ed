//! The one boundary between the wire contract ([`crate::v1`]) and the domain model ([`orca_model`]).
//! Services convert at their edges; pipelines see only model types.
//!
//! - [`incident_from_proto`] reads a *submitted* incident. It is structural: it reports every problem
//!   that stops the record being represented in the model (codes [`UNKNOWN_ENUM`],
//!   [`INVALID_TIMESTAMP`], [`INVALID_DATE`]), each with a field path in protobuf `snake_case` names
//!   such as `persons[1].date_of_birth`, so a retailer can fix a record in one go. Business rules
//!   (unknown store, negative price, ...) are `orca_model::validate::validate_and_normalise`'s job,
//!   run afterwards.
//! - [`resolution_from_proto`] and [`package_from_proto`] read records ORCA wrote itself; a problem
//!   there is a bug or corruption, reported as a [`ConvertError`] naming the first bad field.
//! - `*_to_proto` never fail and lose nothing the model holds: for a normalised incident
//!   `incident_from_proto(incident_to_proto(&x)) == Ok(x)`, and likewise for resolutions and packages.
//!
//! Where proto3 says "0 or empty means not stated", the model says `Option`: an empty date of birth or
//! marker code, an estimated age of 0, a height range with both bounds 0 (one bound 0 means the other
//! is both), a face template with neither model nor vector, and a grade that is missing or empty (the
//! model's default grade, 2/A/P under 3x5x2). Enum mappings are in [`ProtoEnum`].

mod common;
mod decision;
mod enums;
mod incident;
pub mod json;
mod package;
mod resolution;
mod time;

pub use common::{grade_to_proto, problem_from_proto, problem_to_proto};
pub use decision::{decision_from_proto, decision_to_proto, sighting_ref_from_proto, sighting_ref_to_proto};
pub use enums::ProtoEnum;
pub use incident::{incident_from_proto, incident_to_proto, withdrawal_from_proto, withdrawal_to_proto};
pub use package::{outcome_to_proto, package_from_proto, package_outcome_from_proto, package_to_proto, score_to_proto};
pub use resolution::{link_to_proto, resolution_from_proto, resolution_to_proto};
pub use time::{MAX_TIMESTAMP_SECONDS, MIN_TIMESTAMP_SECONDS, timestamp_from_proto, timestamp_to_proto};

use orca_model::Problem;
use orca_model::problem::Problems;

/// The problem codes conversion reports (defined with every other code in
/// `orca_model::problem::codes`).
pub use orca_model::problem::codes::{INVALID_DATE, INVALID_TIMESTAMP, MISSING, UNKNOWN_ENUM};

/// A record ORCA wrote (a resolution, a package) that cannot be read back into the model.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cannot read `{field}`: {reason} ({code})")]
pub struct ConvertError {
    /// Path of the field in protobuf names, e.g. `offences[2].occurred_at`.
    pub field: String,
    pub code: String,
    pub reason: String,
}

impl ConvertError {
    /// The first of the problems of a message nested at `field` (e.g. a resolution's `incident`),
    /// saying how many more there are.
    fn within(field: &str, problems: Vec<Problem>) -> Self {
        debug_assert!(!problems.is_empty(), "a failed conversion reports at least one problem");
        let others = problems.len().saturating_sub(1);
        let Some(first) = problems.into_iter().next() else {
            return Self { field: field.to_owned(), code: MISSING.to_owned(), reason: "unreadable".to_owned() };
        };
        let reason = if others == 0 { first.reason } else { format!("{} (and {others} more)", first.reason) };
        Self { field: format!("{field}.{}", first.field), code: first.code, reason }
    }
}

impl From<Problem> for ConvertError {
    fn from(problem: Problem) -> Self {
        Self { field: problem.field, code: problem.code, reason: problem.reason }
    }
}

/// The value of a result, or `None` with its problem recorded.
fn take<T>(problems: &mut Problems, result: Result<T, Problem>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(problem) => {
            problems.extend([problem]);
            None
        }
    }
}

#[cfg(test)]
mod tests;
