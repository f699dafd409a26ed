//! The intel stage and the read surfaces built on it.
//!
//! - [`stage`]: consumes `orca.packages.v1` and indexes every package version by the forces that
//!   may see it (idempotent per version).
//! - [`history`]: rewrites stored versions without disposed reports and erased persons.
//! - [`error`]: failures that are not the caller's, with their gRPC codes and public messages.
//! - [`access`]: who may read what, and the audit record every read leaves behind.
//! - [`packages`]: `IntelligenceService`: forces list (triaged), read (any version, with what
//!   changed), follow (a stream from a cursor) and answer (outcomes) their packages.
//! - [`analyst`]: `AnalystService`: analysts search, read persons, vehicles, incidents and groups,
//!   explore networks and timelines and review matches, over the search index and its read model
//!   (`orca-search`); decisions go to `orca.decisions.v1` for the resolver.
//!
//! Every call is authenticated (`orca-auth`), states a purpose, is checked against the caller's
//! role and force, and is recorded in the append-only audit log before anything is disclosed; if
//! the audit record cannot be written, nothing is disclosed.

pub mod access;
pub mod analyst;
pub mod error;
pub mod history;
pub mod packages;
pub mod stage;

pub use analyst::{AnalystApi, AnalystSettings};
pub use packages::{IntelligenceApi, PackagesPublished};
pub use stage::IntelStage;
