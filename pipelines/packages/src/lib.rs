//! Intelligence packages built from groups and prolific offenders (pure).
//!
//! The linker (orca-network) describes a subject as a [`ProfileInput`] and calls [`build_package`];
//! this crate knows nothing of the linker, only the model, so the dependency runs one way
//! (network → packages → model). Deterministic: no clock, no randomness; the same input gives the
//! same package, so a new version is emitted only when content really changed.
//!
//! - [`input`]: the plain description of a group or prolific offender.
//! - [`build`]: the package itself: id `PKG-<subject id>`, weakest grade of the offences,
//!   `OFFICIAL-SENSITIVE`, total loss, first/last seen, provenance `stage:linker`; sanitised
//!   (records cited by incident id and police crime reference, never a retailer's staff reporter).
//! - [`gaps`]: intelligence gaps (missing crime references, unnamed subjects, partial plates, …).
//! - [`actions`]: recommended actions (CCTV requests, ANPR checks along the corridor, vehicle
//!   markers, crime recording, cross-border coordination).
//! - [`outcomes`]: how outcomes forces recorded change the score.
//! - [`changes`](mod@changes): what changed between two versions, in statements an officer can read.
//! - [`scrub`]: an earlier version without a disposed report or an erased person.
//! - [`print`]: the printable package, one self-contained HTML document (charts and maps inline).

pub mod actions;
pub mod build;
pub mod changes;
pub mod gaps;
pub mod input;
pub mod outcomes;
pub mod print;
pub mod scrub;

pub use actions::recommended_actions;
pub use build::{PROVENANCE_SOURCE, build_package, package_id, withdrawn_package};
pub use changes::{Change, changes};
pub use gaps::intelligence_gaps;
pub use input::{ProfileInput, SubjectInput, VehicleInput};
pub use scrub::{HistoryScrub, scrub_version};

#[cfg(test)]
mod tests;
