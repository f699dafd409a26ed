//! Entity resolution of person and vehicle sightings. Pure: no I/O, no async, deterministic.
//!
//! The resolver service reads validated incidents from the log, calls [`Resolver::resolve`], writes
//! [`Resolver::take_changes`] in the same transaction as the input offsets and publishes the
//! [`orca_model::Resolution`]. It reads analysts' decisions from the decisions log, calls
//! [`Resolver::apply_event`] and publishes the relink resolutions it returns; after each resolved
//! incident it publishes [`Resolver::take_ready_decisions`] (decisions that were waiting for that
//! incident). On start-up it hands the stored records to [`Resolver::restore`].
//!
//! The API: [`Resolver::new`], [`Resolver::resolve`] (idempotent per incident id),
//! [`Resolver::decide`] with an [`AnalystDecision`] (returns a [`DecisionOutcome`] of merges, splits
//! and relinked sightings), [`Resolver::apply_event`] / [`Resolver::take_ready_decisions`] with an
//! [`orca_model::DecisionEvent`] from the log (relinks carrying an [`orca_model::DecisionResult`];
//! once per decision id; see [`events`]), [`Resolver::canonical_person`] /
//! [`Resolver::canonical_vehicle`] (merge redirects), [`Resolver::take_changes`] /
//! [`Resolver::restore`] (state as `resolve.*` records), [`Resolver::stats`], and
//! [`Resolver::person_of`], [`Resolver::person_members`], [`Resolver::cloned_plates`],
//! [`Resolver::decision_result`], [`Resolver::waiting_decisions`] for queries.
//! [`estimate::estimate_person_model`] fits the person model to a batch of incidents without
//! labels; [`linkage::link`] is the batch linker behind `orca link-records`.
//!
//! How a sighting is resolved:
//! 1. its features are extracted and integer-coded ([`person::features`], [`vehicle::features`]);
//! 2. blocking keys (phonetic name and birth year, name pair, date of birth, marker code, face
//!    buckets, plate skeleton) find the entities of earlier sightings ([`blocking`]);
//! 3. it is compared with each entity's best evidence, never chained through pairwise links
//!    ([`person::compare`], [`vehicle::compare`]) under a Fellegi–Sunter model with
//!    term-frequency-adjusted names ([`model`]);
//! 4. it links to the best entity at or above the link probability (with enough evidence from
//!    identifying comparisons: names, date of birth, face, marker code, shared vehicle or
//!    co-offenders; descriptions alone never link), is queued as a possible match, or becomes a new
//!    entity; entities it links to that do not contradict each other merge, the older id surviving
//!    ([`resolver`]); every link also names the runner-up, the best other entity scored;
//! 5. analysts' confirmations, rejections and splits bind, and the links they decide show the
//!    verdict ([`decision`]).
//!
//! Modules:
//! - [`config`]: thresholds, caps and model parameters; [`estimate`]: the person model from the data.
//! - [`model`]: comparisons, levels, m/u probabilities and weights.
//! - [`names`], [`nicknames`]: name normalisation, interning, phonetic codes, nickname groups.
//! - [`person`], [`vehicle`]: features, entity summaries, comparisons, blocking keys.
//! - [`population`]: sightings, entities, merges, moves and constraints, shared by both kinds.
//! - [`blocking`]: the inverted index of blocking keys.
//! - [`travel`]: places and the impossible-journey check.
//! - [`resolver`]: the resolver itself (`crew`: linking a crew together; `queries`: current links,
//!   ids through merges, members); [`decision`]: analyst decisions; [`events`]: decisions from the
//!   decisions log, waiting decisions and relinks.
//! - `revisions`: corrections (a later revision retracts the earlier one's sightings) and
//!   withdrawals ([`Resolver::withdraw`]).
//! - [`persist`]: state records and restore; [`stats`]: counters.
//! - [`linkage`]: batch linking and deduplication of tabular records (`orca link-records`).

pub mod blocking;
pub mod config;
mod crew;
pub mod decision;
mod disposal;
pub mod estimate;
pub mod events;
pub mod levels;
pub mod linkage;
pub mod model;
pub mod names;
pub mod nicknames;
pub mod persist;
pub mod person;
pub mod population;
mod queries;
pub mod resolver;
mod revisions;
pub mod stats;
pub mod travel;
pub mod vehicle;

pub use config::{ConfigError, ResolverConfig};
pub use decision::{AnalystDecision, DecisionError, DecisionOutcome};
pub use model::{Comparison, ModelParams};
pub use persist::RestoreError;
pub use resolver::Resolver;
pub use stats::ResolverStats;

impl Resolver {
    /// Everything that changed since the last call, as key/value records in namespaces prefixed
    /// `resolve.` (see [`persist`]), for the service to write with the input offsets.
    pub fn take_changes(&mut self) -> Vec<orca_model::StateChange> {
        persist::take_changes(self)
    }

    /// Rebuilds the resolver from its stored records; it behaves as the one that wrote them.
    pub fn restore(
        config: ResolverConfig,
        records: impl IntoIterator<Item = orca_model::StoredRecord>,
    ) -> Result<Self, RestoreError> {
        persist::restore(config, records)
    }
}
