//! A topic of the embedded log: a directory holding `topic.meta` and one segment per partition.
//!
//! `topic.meta` is written last when a topic is created, so a directory without it is a creation
//! that did not finish and is ignored (and recreated by the next `ensure_topics`).

use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use super::groups::{sync_dir, write_file_atomically};
use super::partition::Partition;
use crate::{Error, Result, TopicSpec};

const META_FILE: &str = "topic.meta";

pub(crate) struct Topic {
    pub name: String,
    /// See [`Topic::is_compacted`].
    compacted: AtomicBool,
    /// See [`Topic::retention_ms`]; 0 keeps records for ever.
    retention_ms: AtomicU64,
    /// See [`Topic::compacted_from`].
    compacted_from: Mutex<Vec<u64>>,
    /// Recorded for parity with Kafka; the embedded log keeps one copy.
    pub replication: u16,
    pub partitions: Vec<Partition>,
    /// Spreads records without a key over the partitions.
    next_unkeyed: AtomicU32,
}

impl Topic {
    /// Creates the topic's directory, segments and metadata. Blocking I/O.
    pub fn create(topics_dir: &Path, spec: &TopicSpec, appended: &Arc<Notify>) -> Result<Self> {
        let dir = topics_dir.join(&spec.name);
        fs::create_dir_all(&dir).map_err(Error::io("creating topic directory", &dir))?;
        for partition in 0..spec.partitions {
            let path = segment_path(&dir, partition);
            // Leftovers of an unfinished creation were never visible: start them afresh.
            fs::File::create(&path).map_err(Error::io("creating segment", &path))?;
        }
        let partitions = open_partitions(&dir, &spec.name, spec.partitions, appended)?;
        let from = vec![0; spec.partitions as usize];
        let meta = meta_text(spec.partitions, spec.compacted, spec.replication, spec.retention_ms, &from);
        write_file_atomically(&dir.join(META_FILE), &dir, meta.as_bytes())?;
        sync_dir(topics_dir)?;
        Ok(Self {
            name: spec.name.clone(),
            compacted: AtomicBool::new(spec.compacted),
            retention_ms: AtomicU64::new(spec.retention_ms.unwrap_or(0)),
            compacted_from: Mutex::new(from),
            replication: spec.replication,
            partitions,
            next_unkeyed: AtomicU32::new(0),
        })
    }

    /// Opens an existing topic directory; `None` if its creation never finished. Blocking I/O.
    pub fn open(dir: &Path, appended: &Arc<Notify>) -> Result<Option<Self>> {
        let Some(name) = dir.file_name().and_then(|name| name.to_str()) else { return Ok(None) };
        let meta_path = dir.join(META_FILE);
        let meta = match fs::read_to_string(&meta_path) {
            Ok(meta) => meta,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(cause) => return Err(Error::Io { operation: "reading topic metadata", path: meta_path, cause }),
        };
        let corrupt =
            |detail: &str| Error::Corrupt { path: meta_path.clone(), position: 0, detail: detail.to_string() };
        let field = |key: &str| {
            meta.lines().find_map(|line| line.strip_prefix(key)?.strip_prefix('=')).ok_or_else(|| corrupt(key))
        };
        let partition_count: u32 = field("partitions")?.parse().map_err(|_| corrupt("bad partition count"))?;
        let compacted: bool = field("compacted")?.parse().map_err(|_| corrupt("bad compacted flag"))?;
        let replication: u16 = field("replication")?.parse().map_err(|_| corrupt("bad replication factor"))?;
        // Absent in topics created before the embedded log expired records: kept for ever.
        let retention_ms: u64 = match field("retention_ms") {
            Ok(text) => text.parse().map_err(|_| corrupt("bad retention"))?,
            Err(_) => 0,
        };
        // Absent in topics compacted from their first record.
        let compacted_from: Vec<u64> = match field("compacted_from") {
            Ok(text) => text
                .split(',')
                .map(str::parse)
                .collect::<std::result::Result<_, _>>()
                .map_err(|_| corrupt("bad compacted_from"))?,
            Err(_) => vec![0; partition_count as usize],
        };
        if compacted_from.len() != partition_count as usize {
            return Err(corrupt("compacted_from does not name every partition"));
        }
        let partitions = open_partitions(dir, name, partition_count, appended)?;
        Ok(Some(Self {
            name: name.to_string(),
            compacted: AtomicBool::new(compacted),
            retention_ms: AtomicU64::new(retention_ms),
            compacted_from: Mutex::new(compacted_from),
            replication,
            partitions,
            next_unkeyed: AtomicU32::new(0),
        }))
    }

    pub fn spec(&self) -> TopicSpec {
        TopicSpec {
            name: self.name.clone(),
            partitions: self.partition_count(),
            replication: self.replication,
            compacted: self.is_compacted(),
            retention_ms: self.retention_ms(),
        }
    }

    /// Whether superseded records are erased (see `compaction`).
    pub fn is_compacted(&self) -> bool {
        self.compacted.load(Ordering::Acquire)
    }

    /// How long records are kept (`retention.ms`): older ones are erased when the log compacts.
    pub fn retention_ms(&self) -> Option<u64> {
        Some(self.retention_ms.load(Ordering::Acquire)).filter(|&ms| ms > 0)
    }

    /// Per partition, the offset compaction starts at: records below it were written before the
    /// topic became compacted, when their keys need not have been chosen for compaction (the
    /// resolutions topic keyed a relink like its report), so they are never erased by key.
    pub fn compacted_from(&self, partition: u32) -> u64 {
        self.compacted_from.lock().expect("compacted_from lock").get(partition as usize).copied().unwrap_or(0)
    }

    /// Brings an existing topic's compaction and retention to its spec (the incidents and then the
    /// resolutions topics became compacted, and the dead-letter topic got a retention, after data
    /// directories holding them existed): rewrites `topic.meta` in `dir`. A topic that becomes
    /// compacted without `compact_existing` (see [`crate::topics::compacts_existing`]) is compacted
    /// from each partition's end on ([`Topic::compacted_from`]). Blocking I/O.
    pub fn update(&self, dir: &Path, compacted: bool, compact_existing: bool, retention_ms: Option<u64>) -> Result<()> {
        let mut from = self.compacted_from.lock().expect("compacted_from lock");
        let mut next = from.clone();
        if compacted && !self.is_compacted() && !compact_existing {
            next = self.partitions.iter().map(|partition| partition.log().end_offset()).collect();
        }
        let meta = meta_text(self.partition_count(), compacted, self.replication, retention_ms, &next);
        write_file_atomically(&dir.join(META_FILE), dir, meta.as_bytes())?;
        *from = next;
        self.compacted.store(compacted, Ordering::Release);
        self.retention_ms.store(retention_ms.unwrap_or(0), Ordering::Release);
        Ok(())
    }

    pub fn partition_count(&self) -> u32 {
        self.partitions.len() as u32
    }

    /// The partition for a record: murmur2 of the key, round robin for records without a key.
    pub fn partition_for(&self, key: &[u8]) -> u32 {
        crate::partition_for_key(key, self.partition_count())
            .unwrap_or_else(|| self.next_unkeyed.fetch_add(1, Ordering::Relaxed) % self.partition_count())
    }

    pub fn partition(&self, partition: u32) -> Result<&Partition> {
        self.partitions
            .get(partition as usize)
            .ok_or_else(|| Error::UnknownPartition { topic: self.name.clone(), partition })
    }
}

fn meta_text(partitions: u32, compacted: bool, replication: u16, retention_ms: Option<u64>, from: &[u64]) -> String {
    let mut meta = format!("partitions={partitions}\ncompacted={compacted}\nreplication={replication}\n");
    if let Some(ms) = retention_ms {
        meta.push_str(&format!("retention_ms={ms}\n"));
    }
    if from.iter().any(|&offset| offset > 0) {
        let from: Vec<String> = from.iter().map(u64::to_string).collect();
        meta.push_str(&format!("compacted_from={}\n", from.join(",")));
    }
    meta
}

fn open_partitions(dir: &Path, topic: &str, count: u32, appended: &Arc<Notify>) -> Result<Vec<Partition>> {
    (0..count)
        .map(|partition| Partition::open(topic, partition, &segment_path(dir, partition), Arc::clone(appended)))
        .collect()
}

fn segment_path(dir: &Path, partition: u32) -> std::path::PathBuf {
    dir.join(format!("{partition:05}.log"))
}
