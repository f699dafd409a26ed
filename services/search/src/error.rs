//! The search service's errors.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error(
        "the search index in `{0}` is open in another process (a running `orca serve intel` or `orca demo`); stop it first"
    )]
    InUse(PathBuf),
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("`{path}`: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("search index record `{key}` cannot be read: {reason}")]
    Corrupt { key: String, reason: String },
    #[error("event log: {0}")]
    Log(#[from] orca_eventlog::Error),
    #[error("the indexer stopped unexpectedly")]
    Stopped,
}

impl SearchError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io { path: path.to_path_buf(), source }
    }

    pub(crate) fn corrupt(key: &str, reason: impl std::fmt::Display) -> Self {
        Self::Corrupt { key: key.to_owned(), reason: reason.to_string() }
    }
}
