//! The embedded event log: durable, in-process, nothing to install.
//!
//! Layout under the data directory:
//!
//! ```text
//! LOCK                          held (flock) while a process has the log open
//! topics/<topic>/topic.meta     partition count, compacted flag, replication (informational),
//!                               retention in ms (absent: kept for ever)
//! topics/<topic>/00000.log      one segment per partition, see `segment`
//! topics/<topic>/00000.log.compacting
//!                               a compacted copy being written (removed on open if left by a crash)
//! groups/<group>.offsets        committed offsets of a consumer group, replaced atomically
//! ```
//!
//! - Appends are serialised per partition by a writer thread and acknowledged after `fdatasync`;
//!   appends queued while a write is in flight share the next fsync (group commit).
//! - On open, each segment is scanned to rebuild the offset index; a torn or corrupt tail (a crash
//!   mid-write) is truncated to the last whole, checksummed record.
//! - Consumers wait on a [`Notify`] that appends and group changes signal; no polling loops.
//! - Segments are never rolled or deleted, and offsets stay dense (frame `n` holds offset `n`).
//! - Compacted topics are compacted in place, when the log is opened (after the recovery scan) and
//!   whenever [`EmbeddedLog::compact`] is called: a record that a later record with the same key
//!   supersedes is rewritten as an *erased* record at the same offset (same timestamp and key,
//!   empty value, no headers), once every consumer group that has committed offsets for the
//!   topic has committed past it. Null tombstones stay; records without a key are never erased.
//!   The partition's segment is rewritten to a temporary file, fsynced and renamed over the old
//!   one, so a crash leaves one or the other whole. Readers of a compacted topic skip records with
//!   empty values, as on Kafka; see `compaction`.
//! - A topic with a retention (`retention_ms` in `topic.meta`, from [`TopicSpec::retention_ms`];
//!   the dead letters') has every record appended longer ago than that erased the same way, read
//!   or not, as Kafka's `retention.ms` deletes them. Both happen on open and in
//!   [`EventLog::maintain`], which the process running ingest calls every hour.
//! - Unix only (positioned reads and writes through `std::os::unix::fs::FileExt`).

mod compaction;
mod consumer;
mod groups;
mod partition;
mod segment;
mod topic;

use std::collections::HashMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use futures::future::try_join_all;
use tokio::sync::Notify;
use tracing::info;

pub use compaction::{CompactionReport, TopicCompaction};
pub use consumer::EmbeddedConsumer;
use groups::Groups;
use topic::Topic;

use crate::record::validate_topic_name;
use crate::{Consumer, Error, EventLog, OutRecord, Position, Result, TopicSpec};

/// The in-process, durable [`EventLog`].
#[derive(Clone)]
pub struct EmbeddedLog {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    dir: PathBuf,
    topics: RwLock<HashMap<String, Arc<Topic>>>,
    /// Serialises topic creation.
    create_lock: tokio::sync::Mutex<()>,
    groups: Groups,
    /// Signalled after every durable append and every group membership change.
    changed: Arc<Notify>,
    /// Dropped last: the directory stays locked until every partition writer has stopped.
    _dir_lock: File,
}

impl EmbeddedLog {
    /// Opens the log under `dir`, creating it if needed, recovers every topic and compacts the
    /// compacted ones (blocking I/O: it reads every segment once, a compacted topic's twice or
    /// more). Fails if another process, or another `EmbeddedLog` in this one, has the directory
    /// open. Each partition gets a writer thread until the log is dropped.
    pub fn open(dir: &Path) -> Result<Self> {
        let topics_dir = dir.join("topics");
        let groups_dir = dir.join("groups");
        for path in [dir, topics_dir.as_path(), groups_dir.as_path()] {
            fs::create_dir_all(path).map_err(Error::io("creating directory", path))?;
        }
        let lock_path = dir.join("LOCK");
        let dir_lock = File::create(&lock_path).map_err(Error::io("creating lock file", &lock_path))?;
        dir_lock
            .try_lock()
            .map_err(|_| Error::Config(format!("`{}` is already open in another log", dir.display())))?;

        let changed = Arc::new(Notify::new());
        let mut topics = HashMap::new();
        let entries = fs::read_dir(&topics_dir).map_err(Error::io("listing topics", &topics_dir))?;
        for entry in entries {
            let path = entry.map_err(Error::io("listing topics", &topics_dir))?.path();
            if path.is_dir()
                && let Some(topic) = Topic::open(&path, &changed)?
            {
                topics.insert(topic.name.clone(), Arc::new(topic));
            }
        }
        info!(dir = %dir.display(), topics = topics.len(), "opened embedded event log");
        let inner = Inner {
            dir: dir.to_path_buf(),
            topics: RwLock::new(topics),
            create_lock: tokio::sync::Mutex::new(()),
            groups: Groups::new(groups_dir),
            changed,
            _dir_lock: dir_lock,
        };
        let log = Self { inner: Arc::new(inner) };
        log.compact()?;
        Ok(log)
    }

    /// Compacts every compacted topic now: erases each record that a later record with the same
    /// key supersedes and that every consumer group with offsets committed for the topic has read
    /// (see the module docs). Appends wait while their partition is rewritten; reads carry on.
    /// Only partitions with something to erase are rewritten. Blocking I/O: from async code, call
    /// it through `tokio::task::spawn_blocking`.
    pub fn compact(&self) -> Result<CompactionReport> {
        self.inner.compact()
    }

    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// The topics in the log, as they were created, sorted by name.
    pub fn topics(&self) -> Vec<TopicSpec> {
        let mut specs: Vec<TopicSpec> =
            self.inner.topics.read().expect("topics lock").values().map(|topic| topic.spec()).collect();
        specs.sort_by(|a, b| a.name.cmp(&b.name));
        specs
    }
}

impl Inner {
    fn topic(&self, name: &str) -> Result<Arc<Topic>> {
        self.topics.read().expect("topics lock").get(name).cloned().ok_or_else(|| Error::UnknownTopic(name.to_string()))
    }
}

/// The records of one append bound for one partition, with their places in the caller's batch.
struct PartitionBatch {
    topic: Arc<Topic>,
    partition: u32,
    records: Vec<OutRecord>,
    indices: Vec<usize>,
}

#[async_trait]
impl EventLog for EmbeddedLog {
    async fn ensure_topics(&self, specs: &[TopicSpec]) -> Result<()> {
        specs.iter().try_for_each(TopicSpec::validate)?;
        let _creating = self.inner.create_lock.lock().await;
        for spec in specs {
            if let Ok(existing) = self.inner.topic(&spec.name) {
                if existing.partition_count() != spec.partitions {
                    return Err(Error::TopicConflict {
                        topic: spec.name.clone(),
                        existing: existing.partition_count(),
                        requested: spec.partitions,
                    });
                }
                let compacted = spec.compacted || existing.is_compacted();
                let retention_ms = spec.retention_ms.or(existing.retention_ms());
                if compacted != existing.is_compacted() || retention_ms != existing.retention_ms() {
                    let dir = self.inner.dir.join("topics").join(&spec.name);
                    let (topic, compact_existing) =
                        (Arc::clone(&existing), crate::topics::compacts_existing(&spec.name));
                    tokio::task::spawn_blocking(move || topic.update(&dir, compacted, compact_existing, retention_ms))
                        .await
                        .map_err(|join| Error::Internal(format!("updating a topic panicked: {join}")))??;
                    info!(topic = spec.name, compacted, ?retention_ms, "topic settings updated");
                }
                continue;
            }
            let topics_dir = self.inner.dir.join("topics");
            let (spec, changed) = (spec.clone(), Arc::clone(&self.inner.changed));
            let topic = tokio::task::spawn_blocking(move || Topic::create(&topics_dir, &spec, &changed))
                .await
                .map_err(|join| Error::Internal(format!("topic creation panicked: {join}")))??;
            info!(topic = topic.name, partitions = topic.partition_count(), "created topic");
            self.inner.topics.write().expect("topics lock").insert(topic.name.clone(), Arc::new(topic));
        }
        Ok(())
    }

    async fn append(&self, records: Vec<OutRecord>) -> Result<Vec<(u32, u64)>> {
        let record_count = records.len();
        let mut batches: Vec<PartitionBatch> = Vec::new();
        let mut batch_of: HashMap<(String, u32), usize> = HashMap::new();
        for (index, record) in records.into_iter().enumerate() {
            let topic = self.inner.topic(&record.topic)?;
            let partition = topic.partition_for(&record.key);
            let slot = *batch_of.entry((record.topic.clone(), partition)).or_insert_with(|| {
                batches.push(PartitionBatch { topic, partition, records: Vec::new(), indices: Vec::new() });
                batches.len() - 1
            });
            batches[slot].records.push(record);
            batches[slot].indices.push(index);
        }

        let appends = batches.iter_mut().map(|batch| {
            let records = std::mem::take(&mut batch.records);
            async move { batch.topic.partition(batch.partition)?.append(records).await }
        });
        let first_offsets = try_join_all(appends).await?;

        let mut placed = vec![(0, 0); record_count];
        for (batch, first_offset) in batches.iter().zip(first_offsets) {
            for (sequence, index) in batch.indices.iter().enumerate() {
                placed[*index] = (batch.partition, first_offset + sequence as u64);
            }
        }
        Ok(placed)
    }

    async fn consumer(&self, group: &str, topics: &[String], start: Vec<Position>) -> Result<Box<dyn Consumer>> {
        if topics.is_empty() {
            return Err(Error::Config("a consumer needs at least one topic".into()));
        }
        if group.is_empty() {
            return Err(Error::Config("a consumer needs a group name".into()));
        }
        let subscribed: Vec<Arc<Topic>> = topics.iter().map(|name| self.inner.topic(name)).collect::<Result<_>>()?;
        for position in &start {
            let Some(topic) = subscribed.iter().find(|topic| topic.name == position.topic) else {
                return Err(Error::Config(format!("start position for unsubscribed topic `{}`", position.topic)));
            };
            topic.partition(position.partition)?;
        }
        let consumer = EmbeddedConsumer::join(Arc::clone(&self.inner), group, subscribed, start)?;
        Ok(Box::new(consumer))
    }

    async fn end_offsets(&self, topic: &str) -> Result<Vec<u64>> {
        let topic = self.inner.topic(topic)?;
        Ok(topic.partitions.iter().map(|partition| partition.log().end_offset()).collect())
    }

    async fn committed(&self, group: &str, topic: &str) -> Result<Vec<Option<u64>>> {
        validate_topic_name(topic)?;
        let topic = self.inner.topic(topic)?;
        let offsets = self.inner.groups.offsets(group)?;
        Ok((0..topic.partition_count()).map(|partition| offsets.get(&topic.name, partition)).collect())
    }

    async fn maintain(&self) -> Result<()> {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || inner.compact())
            .await
            .map_err(|join| Error::Internal(format!("compaction panicked: {join}")))??;
        Ok(())
    }
}
