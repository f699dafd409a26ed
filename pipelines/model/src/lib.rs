//! ORCA's domain model. Pure: no I/O, no async, no knowledge of protobuf, Kafka or SQL.
//!
//! - [`ids`]: newtypes for every identifier, and the deterministic incident id.
//! - [`force`]: the registry of police forces (compiled in from `data/forces.csv`).
//! - [`store`]: retailers' stores and the force each belongs to.
//! - [`vrm`]: vehicle registration marks: formats, normalisation, misread candidates, partial patterns.
//! - [`incident`]: an incident report and the person and vehicle sightings in it.
//! - [`grade`]: 3x5x2 intelligence grading.
//! - [`hash`]: the stable hashes (FNV-1a) and seeded generator (SplitMix64) everything shares.
//! - [`money`]: amounts in pence that never wrap.
//! - [`problem`]: a problem with a submitted record, with its field path.
//! - [`resolution`]: the resolver's decisions about sightings, merges and splits.
//! - [`decision`]: analysts' binding decisions about resolution, as they travel on the log.
//! - [`package`]: intelligence packages about groups and prolific offenders.
//! - [`state`]: the shape in which pipelines hand their state to a store.
//! - [`validate`]: every business rule an incident must pass, reporting all problems at once.

pub mod decision;
pub mod force;
pub mod grade;
pub mod hash;
pub mod ids;
pub mod incident;
pub mod money;
pub mod package;
pub mod problem;
pub mod resolution;
pub mod state;
pub mod store;
pub mod validate;
pub mod vrm;

pub use decision::{DecisionEvent, DecisionKind, EntityRef};
pub use force::{Force, ForceRegistry};
pub use grade::{Grade, GradingSystem};
pub use ids::{ForceId, GroupId, IncidentId, PackageId, PersonId, RetailerId, SightingKey, StoreId, VehicleId};
pub use incident::PartialDate;
pub use incident::{
    AgeBand, Build, EventType, Evidence, EvidenceKind, FaceTemplate, Incident, LineItem, ModusOperandi, PersonRole,
    PersonSighting, Provenance, Sex, VehicleRole, VehicleSighting,
};
pub use money::Pence;
pub use problem::Problem;
pub use resolution::{
    ComparisonEvidence, DecisionResult, EntityKind, EntityMerge, EntitySplit, LinkDecision, Resolution, RunnerUp,
    SightingLink, Withdrawal,
};
pub use state::{StateChange, StoredRecord};
pub use store::{Store, StoreLocation, StoreRegistry};
