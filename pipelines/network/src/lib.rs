//! Link graph, Leiden community detection, organised crime groups and scores (pure).
//!
//! The linker stage's logic. [`Linker`] takes the resolver's [`orca_model::Resolution`]s (the
//! incident, the person and vehicle each sighting was resolved to, merges and splits), keeps the
//! link graph of persons, vehicles, incidents, stores, forces and forensic-marker codes, projects it
//! onto a weighted person–person co-offending graph, finds communities with Leiden, decides which are
//! organised crime groups, scores them as vectors of factors, and returns a new version of every
//! intelligence package whose content changed. No I/O, no clock: the service feeds it batches,
//! publishes what [`Linker::publish`] returns and stores [`Linker::take_changes`] in the same
//! transaction as the input offsets.
//!
//! ```
//! use orca_network::{Linker, LinkerConfig};
//!
//! let mut linker = Linker::new(LinkerConfig::default());
//! // for resolution in batch { linker.apply(&resolution); linker.recompute(); }
//! let packages = linker.publish(); // publish these
//! let changes = linker.take_changes(); // store these with the offsets
//! assert!(packages.is_empty() && changes.is_empty());
//! ```
//!
//! Contract with the service:
//! - Feed batches: `apply` each resolution and `recompute` after each (the region it touched, its
//!   persons, everyone tied to them and the whole communities of these, is re-partitioned and its
//!   groups decided, so the decisions depend only on the order of the input), then one `publish` per batch (views and packages of everything
//!   recomputed: the part whose cost follows a group's history, paid once per batch), then
//!   `take_changes`. [`Linker::refresh`] is `recompute` + `publish`. Call it on a blocking thread
//!   (`spawn_blocking`); Leiden may use rayon inside a large component.
//! - Redelivery is harmless: a resolution whose links are already held changes nothing.
//! - Merges need nothing else: merged ids redirect to the survivor everywhere, including views.
//! - Splits: an [`orca_model::EntitySplit`] gives the new ids lineage and frees an id that had been
//!   merged in, but it cannot say which sightings moved. The resolver answers an analyst's decision
//!   with relinks (resolutions without their incident) of the incidents whose sightings moved or
//!   were decided about; the linker relinks an incident whose links differ from those it holds
//!   (entity, decision, probability, explanation), and ignores a relink of an incident it does not
//!   hold ([`Applied::UnknownIncident`]).
//! - Packages: [`Linker::publish`] returns only packages whose content changed, numbered from 1 per
//!   package id; a group that dissolves or a person no longer prolific gets a `Withdrawn: ` version
//!   repeating the header of the version last published. The content a package ends with does not
//!   depend on where batches were cut; which intermediate versions exist does.
//! - Outcomes: [`Linker::record_outcome`] keeps what a force recorded against a package; the next
//!   `publish` gives the package a version carrying it (and its effect on the score).
//!
//! Crate invariants: nothing here knows about Kafka, SQL or gRPC; no clock is read (trends are
//! measured back from the latest incident); everything that is ordered is ordered by id, so a
//! restored linker computes exactly what the original would have.

/// Key players: betweenness and the disruption a member's or vehicle's removal would cause.
pub mod centrality;
/// Community labels of persons, both ways.
mod communities;
/// [`LinkerConfig`] and its parts, every default documented.
pub mod config;
/// The analysts' `u v [weight]` edge-list format and `node community` output.
pub mod edgelist;
/// What is remembered of each emitted package (version, content hash, header).
mod emitted;
/// Interned person and vehicle ids with merge redirects and split lineage (also the analysts' read
/// model's, in `orca-explore`).
pub mod entities;
/// From a community to an organised crime group and its view.
mod groups;
/// Applying resolutions: merges, splits, links, idempotence.
mod ingest;
/// Leiden community detection (modularity or CPM) on a CSR graph, warm-startable, deterministic for a seed.
pub mod leiden;
/// [`Linker`], its state and its entry points.
mod linker;
/// The petgraph link graph of persons, vehicles, incidents, stores, forces and marker codes.
pub mod linkgraph;
/// Outcomes forces recorded and where stores are, kept for packages.
mod outcomes;
/// Co-offending kept up to date pair by pair, with running sums for the decayed weight.
mod pairs;
/// State changes for the store and restoring from them.
pub mod persist;
/// Group and person data as orca-packages profiles.
mod profile;
/// The weighted person–person co-offending projection.
mod projection;
/// Prolific offenders per force (system-defined thresholds) and their packages.
pub mod prolific;
/// What the linker keeps of each incident.
pub mod records;
/// Recomputing the touched regions: communities, groups, ids, packages.
mod refresh;
/// Score factor vectors and the priority band rule.
pub mod scores;
/// Person, group and stats views for analysts and eval.
pub mod views;

pub use config::{
    CommunityConfig, GroupRules, LinkWeights, LinkerConfig, ProlificRules, ProlificThreshold, QualityFunction,
    ScoringRules,
};
pub use entities::Entities;
pub use ingest::Applied;
pub use linker::Linker;
pub use linkgraph::{LinkEdge, LinkGraph, LinkNode};
pub use persist::RestoreError;
pub use prolific::ProlificView;
pub use views::{Disruption, GroupVehicle, GroupView, LinkerStats, MemberRole, MemberView, PersonView, SightingView};

#[cfg(test)]
mod tests;
