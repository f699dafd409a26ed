//! The search service's errors.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error(
        "the search index in `{0}` is open in another process (a running `orca serve intel` or `orca demo`); stop it first"
    )]
    InUse(PathBuf),
    #[error("search index: {0}")]
    Index(tantivy::TantivyError),
    #[error("`{path}`: {cause}")]
    Io { path: PathBuf, cause: std::io::Error },
    #[error("search index record `{key}` cannot be read: {reason}")]
    Corrupt { key: String, reason: String },
    #[error("event log: {0}")]
    Log(orca_eventlog::Error),
    #[error("the indexer stopped unexpectedly")]
    Stopped,
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(error: tantivy::TantivyError) -> Self {
        Self::Index(error)
    }
}

impl From<orca_eventlog::Error> for SearchError {
    fn from(error: orca_eventlog::Error) -> Self {
        Self::Log(error)
    }
}

impl SearchError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io { path: path.to_path_buf(), cause: source }
    }

    pub(crate) fn corrupt(key: &str, reason: impl std::fmt::Display) -> Self {
        Self::Corrupt { key: key.to_owned(), reason: reason.to_string() }
    }
}
