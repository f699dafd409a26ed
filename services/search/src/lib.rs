//! The analysts' search index and read model, kept current from the pipeline's logs.
//!
//! - [`SearchIndex::open`] opens (or creates) a tantivy index in a directory and loads the read
//!   model (`orca_explore::Workspace`) from the documents kept in it.
//! - [`Indexer`] reads `orca.resolutions.v1` and `orca.packages.v1` and keeps both current; a
//!   change is searchable within about `commit_interval` of the indexer reading it ([`indexer`]).
//! - [`SearchIndex::search`] runs an analyst's query ([`searcher`]); the read model answers
//!   everything else (networks, timelines, the review queue) through [`SearchIndex::workspace`].
//! - [`rebuild`] builds an index from the beginning of the logs, for `orca reindex`; [`Loader`]
//!   feeds one directly, for benchmarks.
//!
//! The index is a read model: it is never the source of truth and can always be rebuilt from the
//! logs. Each index reads with a consumer group of its own and records its offsets in its own
//! commits, so a crash loses nothing and several intel processes each keep a whole index.
//!
//! Modules: [`schema`] (fields), [`documents`] (what each document holds), [`apply`] (a batch of
//! records into the read model and the index), [`index`], [`indexer`], [`searcher`], [`error`].

pub mod apply;
pub mod documents;
pub mod error;
pub mod index;
pub mod indexer;
pub mod loader;
pub mod rebuild;
pub mod schema;
pub mod searcher;

pub use documents::Card;
pub use error::SearchError;
pub use index::{CommitPayload, Opened, SearchIndex};
pub use indexer::{Indexer, IndexerConfig};
pub use loader::Loader;
pub use searcher::{Hit, MAX_OFFSET, SearchPage, SearchRequest};

#[cfg(test)]
mod tests;
