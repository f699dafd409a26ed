//! Rebuilding an index from the beginning of the logs (`orca reindex`), with progress. The old
//! index is removed only once it is known that no running process has it open.

use crate::apply::apply_batch;
use crate::error::SearchError;
use crate::index::SearchIndex;
use crate::indexer::{commit_blocking, input_topics};
use orca_eventlog::{EventLog, Record};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a rebuild did.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RebuildStats {
    pub records: u64,
    pub documents: u64,
    pub bytes: u64,
    pub seconds: f64,
}

/// Records read between commits during a rebuild.
const COMMIT_EVERY: u64 = 50_000;

/// Removes the index in `dir` (refusing if a process has it open) and builds it again from every
/// record now on the logs. `progress(done, total)` is called after every batch.
pub async fn rebuild(
    dir: &Path,
    log: Arc<dyn EventLog>,
    mut progress: impl FnMut(u64, u64) + Send,
) -> Result<RebuildStats, SearchError> {
    let started = Instant::now();
    ensure_not_in_use(dir)?;
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| SearchError::io(dir, e))?;
    }
    let opened = SearchIndex::open(dir)?;
    let (search, mut writer, mut payload) = (opened.search, opened.writer, opened.payload);
    let mut end: BTreeMap<(String, u32), u64> = BTreeMap::new();
    for topic in input_topics() {
        for (partition, offset) in log.end_offsets(&topic).await?.into_iter().enumerate() {
            end.insert((topic.clone(), partition as u32), offset);
        }
    }
    let total: u64 = end.values().sum();
    let mut next: BTreeMap<(String, u32), u64> = end.keys().map(|k| (k.clone(), 0)).collect();
    let mut consumer = log.consumer(&payload.group, &input_topics(), Vec::new()).await?;
    let (mut done, mut since_commit) = (0u64, 0u64);
    progress(0, total);
    while next.iter().any(|(k, offset)| *offset < end[k]) {
        let records: Vec<Record> = consumer
            .poll(2_000, Duration::from_millis(500))
            .await?
            .into_iter()
            .filter(|r| end.get(&(r.topic.clone(), r.partition)).is_some_and(|&e| r.offset < e))
            .collect();
        for record in &records {
            next.insert((record.topic.clone(), record.partition), record.offset + 1);
        }
        let count = records.len() as u64;
        let search_for_batch = search.clone();
        writer = tokio::task::spawn_blocking(move || {
            apply_batch(&search_for_batch, &mut writer, &records);
            writer
        })
        .await
        .map_err(|_| SearchError::Stopped)?;
        done += count;
        since_commit += count;
        progress(done, total);
        if since_commit >= COMMIT_EVERY {
            writer = commit(&search, writer, &mut payload, &next).await?;
            since_commit = 0;
        }
    }
    commit(&search, writer, &mut payload, &next).await?;
    let (documents, bytes) = search.size();
    Ok(RebuildStats { records: done, documents, bytes, seconds: started.elapsed().as_secs_f64() })
}

async fn commit(
    search: &Arc<SearchIndex>,
    mut writer: tantivy::IndexWriter,
    payload: &mut crate::CommitPayload,
    next: &BTreeMap<(String, u32), u64>,
) -> Result<tantivy::IndexWriter, SearchError> {
    payload.offsets = next.iter().map(|((t, p), o)| (t.clone(), *p, *o)).collect();
    let payload = payload.clone();
    let search = search.clone();
    tokio::task::spawn_blocking(move || commit_blocking(&search, &mut writer, &payload).map(|()| writer))
        .await
        .map_err(|_| SearchError::Stopped)?
}

/// Fails with [`SearchError::InUse`] when another process holds the index's writer lock.
fn ensure_not_in_use(dir: &Path) -> Result<(), SearchError> {
    if !dir.join("meta.json").exists() {
        return Ok(());
    }
    let index = tantivy::Index::open_in_dir(dir)?;
    match index.writer_with_num_threads::<tantivy::TantivyDocument>(1, 15_000_000) {
        Ok(_writer) => Ok(()),
        Err(tantivy::TantivyError::LockFailure(..)) => Err(SearchError::InUse(dir.to_path_buf())),
        Err(other) => Err(other.into()),
    }
}
