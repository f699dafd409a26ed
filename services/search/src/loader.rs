//! Feeding records straight into an index, without a log: for benchmarks and tools that build an
//! index from resolutions they made themselves.

use crate::apply::{BatchStats, apply_batch};
use crate::error::SearchError;
use crate::index::{CommitPayload, Opened, SearchIndex};
use crate::indexer::commit_blocking;
use orca_eventlog::Record;
use std::sync::Arc;
use tantivy::IndexWriter;

pub struct Loader {
    search: Arc<SearchIndex>,
    writer: IndexWriter,
    payload: CommitPayload,
}

impl Loader {
    pub fn new(opened: Opened) -> Self {
        Self { search: opened.search, writer: opened.writer, payload: opened.payload }
    }

    /// Applies records (resolutions and packages) to the read model and the index.
    pub fn apply(&mut self, records: &[Record]) -> BatchStats {
        apply_batch(&self.search, &mut self.writer, records)
    }

    /// Makes everything applied so far searchable.
    pub fn commit(&mut self) -> Result<(), SearchError> {
        commit_blocking(&self.search, &mut self.writer, &self.payload)
    }

    pub fn search(&self) -> &Arc<SearchIndex> {
        &self.search
    }

    /// Waits for tantivy's background merges, so sizes and timings reflect a settled index.
    pub fn finish(self) -> Result<Arc<SearchIndex>, SearchError> {
        self.writer.wait_merging_threads()?;
        self.search.reader.reload()?;
        Ok(self.search)
    }
}
