//! The analysts' read model of what the pipeline found, and the questions they ask of it (pure).
//!
//! [`Workspace`] is built from the pipeline's outputs: [`Workspace::apply_resolution`] takes each
//! `orca.v1.Resolution` (new incidents, redeliveries, relinks after analysts' decisions, merges and
//! splits) and [`Workspace::apply_package`] each group package version. It keeps, compactly, every
//! incident's place and time and the links of its offending persons and vehicles, entities with
//! their merge redirects and lineage, groups (active, dissolved or merged, from their packages), the
//! possible matches awaiting review and the answers to analysts' decisions. It answers:
//!
//! - [`network`]: the network within k hops of any entity, and shortest paths ([`edges`] works out a
//!   node's edges, each with its support and reason);
//! - [`timeline`]: an entity's or a group's incidents in order, with who was there;
//! - [`review`]: the review queue, most consequential first;
//! - [`groups`]: groups with filters, and what became of those no longer active;
//! - [`lookup`]: ids, incidents, merged ids, lineage, exports;
//! - [`profiles`]: what is known of a person or vehicle, gathered from the reports of its sightings.
//!
//! Searching text is not done here: the search service indexes documents, analysing names, dates
//! and plates with [`analysis`], reading queries with [`query`] and marking matches with
//! [`highlight`], all pure and shared by the indexer and the searcher.
//!
//! Crate invariants: no I/O and no clock; everything a caller sees is ordered (by time, then id), so
//! two read models built from the same outputs answer alike. It is a read model: rebuilt from the
//! logs, never the source of truth, and it never decides anything about resolution itself.

pub mod analysis;
pub mod decisions;
pub mod edges;
pub mod groups;
pub mod highlight;
pub mod incidents;
pub mod labels;
pub mod lookup;
pub mod network;
pub mod profiles;
pub mod query;
pub mod review;
pub mod timeline;
pub mod workspace;

pub use groups::{GroupFate, GroupRecord, GroupStatus};
pub use highlight::{FieldKind, Highlight, Highlighter};
pub use lookup::{EntityMeta, Found, WorkspaceStats};
pub use network::{Edge, ExpandOptions, LinkKind, NodeRef, Subnetwork};
pub use profiles::{PersonProfile, VehicleProfile};
pub use query::{Clause, ParsedQuery, QueryError};
pub use review::ReviewEntry;
pub use timeline::TimelineEvent;
pub use workspace::{Touched, Workspace};

#[cfg(test)]
mod tests;
