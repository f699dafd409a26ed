//! The indexer: reads `orca.resolutions.v1` and `orca.packages.v1` with a consumer group of its
//! own (so every index reads every partition), applies each batch to the read model and the index
//! on a blocking thread, and commits at most every `commit_interval` (and whenever it catches up),
//! recording the next offsets in the commit. What it has applied is searchable after the commit.

use crate::apply::{BatchStats, apply_batch};
use crate::error::SearchError;
use crate::index::{CommitPayload, SearchIndex};
use orca_eventlog::{EventLog, Position, Record, WriterEpochs, topics};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tantivy::IndexWriter;
use tokio_util::sync::CancellationToken;

#[derive(Clone, Debug)]
pub struct IndexerConfig {
    /// Most records applied at once.
    pub batch_size: usize,
    /// Longest a change waits before it is committed and searchable.
    pub commit_interval: Duration,
    /// Longest wait for a record before checking for shutdown and pending commits.
    pub poll_timeout: Duration,
}

impl Default for IndexerConfig {
    fn default() -> Self {
        Self {
            batch_size: 1_000,
            commit_interval: Duration::from_millis(200),
            poll_timeout: Duration::from_millis(100),
        }
    }
}

/// The topics the index is built from.
pub fn input_topics() -> Vec<String> {
    vec![topics::RESOLUTIONS.to_owned(), topics::PACKAGES.to_owned()]
}

pub struct Indexer {
    search: Arc<SearchIndex>,
    writer: Option<IndexWriter>,
    payload: CommitPayload,
    log: Arc<dyn EventLog>,
    config: IndexerConfig,
}

impl Indexer {
    pub fn new(
        search: Arc<SearchIndex>,
        writer: IndexWriter,
        payload: CommitPayload,
        log: Arc<dyn EventLog>,
        config: IndexerConfig,
    ) -> Self {
        Self { search, writer: Some(writer), payload, log, config }
    }

    /// The consumer group and the offsets the index has committed, for lag.
    pub fn committed(&self) -> &CommitPayload {
        &self.payload
    }

    /// Indexes until `shutdown`, then commits what it holds.
    pub async fn run(mut self, shutdown: CancellationToken) -> Result<(), SearchError> {
        let mut next: BTreeMap<(String, u32), u64> =
            self.payload.offsets.iter().map(|(t, p, o)| ((t.clone(), *p), *o)).collect();
        let start = next.iter().map(|((t, p), o)| Position::new(t.clone(), *p, *o)).collect();
        let mut consumer = self.log.consumer(&self.payload.group, &input_topics(), start).await?;
        let mut epochs = WriterEpochs::from_stored(self.payload.writer_epochs.clone());
        tracing::info!(group = %self.payload.group, "search indexer consuming");
        let mut dirty = false;
        let mut last_commit = Instant::now();
        loop {
            let polled = tokio::select! {
                biased;
                () = shutdown.cancelled() => break,
                polled = consumer.poll(self.config.batch_size, self.config.poll_timeout) => polled,
            };
            let records = match polled {
                Ok(records) => records,
                Err(error) if error.is_retryable() => {
                    tracing::warn!(%error, "search indexer poll failed; retrying");
                    continue;
                }
                Err(error) => return Err(error.into()),
            };
            let fresh: Vec<Record> = records
                .into_iter()
                .filter(|r| r.offset >= next.get(&(r.topic.clone(), r.partition)).copied().unwrap_or(0))
                .collect();
            let idle = fresh.is_empty();
            if !idle {
                for record in &fresh {
                    next.insert((record.topic.clone(), record.partition), record.offset + 1);
                }
                // A fenced stage's late records are skipped, as the stages downstream skip them.
                let fresh: Vec<Record> = fresh.into_iter().filter(|r| !epochs.is_stale(r)).collect();
                self.payload.writer_epochs.clone_from(epochs.all());
                let stats = self.apply(fresh).await?;
                metrics::counter!("orca_search_records_total").increment((stats.resolutions + stats.packages) as u64);
                metrics::counter!("orca_search_skipped_total").increment(stats.skipped as u64);
                tracing::debug!(?stats, "search batch applied");
                dirty = true;
            }
            if dirty && (idle || last_commit.elapsed() >= self.config.commit_interval) {
                self.commit(&next).await?;
                let positions: Vec<Position> =
                    next.iter().map(|((t, p), o)| Position::new(t.clone(), *p, *o)).collect();
                if let Err(error) = consumer.commit(&positions).await {
                    tracing::warn!(%error, "search indexer could not commit its consumer-group offsets");
                }
                dirty = false;
                last_commit = Instant::now();
            }
        }
        if dirty {
            self.commit(&next).await?;
        }
        tracing::info!("search indexer stopped");
        Ok(())
    }

    async fn apply(&mut self, records: Vec<Record>) -> Result<BatchStats, SearchError> {
        let mut writer = self.writer.take().ok_or(SearchError::Stopped)?;
        let search = self.search.clone();
        let (writer, stats) = tokio::task::spawn_blocking(move || {
            let stats = apply_batch(&search, &mut writer, &records);
            (writer, stats)
        })
        .await
        .map_err(|_| SearchError::Stopped)?;
        self.writer = Some(writer);
        Ok(stats)
    }

    /// Commits the index with the offsets it now accounts for, and makes the changes searchable.
    async fn commit(&mut self, next: &BTreeMap<(String, u32), u64>) -> Result<(), SearchError> {
        self.payload.offsets = next.iter().map(|((t, p), o)| (t.clone(), *p, *o)).collect();
        let payload = self.payload.clone();
        let mut writer = self.writer.take().ok_or(SearchError::Stopped)?;
        let search = self.search.clone();
        let (writer, result) = tokio::task::spawn_blocking(move || {
            let result = commit_blocking(&search, &mut writer, &payload);
            (writer, result)
        })
        .await
        .map_err(|_| SearchError::Stopped)?;
        self.writer = Some(writer);
        result
    }
}

/// Shortest time between two purges of deleted documents (a purge waiting for it runs at the first
/// commit after).
pub const PURGE_AT_MOST_EVERY: Duration = Duration::from_secs(60);

/// Merges the segments that hold deleted documents, so a disposed or redacted report's earlier
/// text leaves the index's files (tantivy otherwise keeps it until its merge policy gets there).
/// The merge keeps the commit's payload, and tantivy deletes the old segments' files after it.
fn purge_deleted(writer: &mut IndexWriter) -> Result<(), SearchError> {
    let metas = writer.index().searchable_segment_metas()?;
    let segments: Vec<tantivy::index::SegmentId> = metas.iter().filter(|m| m.has_deletes()).map(|m| m.id()).collect();
    if !segments.is_empty() {
        let started = Instant::now();
        writer.merge(&segments).wait()?;
        tracing::info!(segments = segments.len(), elapsed = ?started.elapsed(), "search index purged of deleted documents");
    }
    Ok(())
}

/// Commits with a payload, reloads the searchers and drops the overlay they now cover.
pub(crate) fn commit_blocking(
    search: &SearchIndex,
    writer: &mut IndexWriter,
    payload: &CommitPayload,
) -> Result<(), SearchError> {
    let started = Instant::now();
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&serde_json::to_string(payload).expect("commit payload serialises"));
    prepared.commit()?;
    let mut purged_at = search.purged_at.lock().expect("purge lock");
    let due = purged_at.is_none_or(|at| at.elapsed() >= PURGE_AT_MOST_EVERY);
    if due && search.purge.swap(false, std::sync::atomic::Ordering::Relaxed) {
        purge_deleted(writer)?;
        *purged_at = Some(Instant::now());
    }
    drop(purged_at);
    search.reader.reload()?;
    search.overlay.lock().expect("overlay lock").clear();
    *search.committed.lock().expect("committed lock") = payload.offsets.clone();
    metrics::histogram!("orca_search_commit_seconds").record(started.elapsed().as_secs_f64());
    Ok(())
}
