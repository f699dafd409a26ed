//! A topic of the embedded log: a directory holding `topic.meta` and one segment per partition.
//!
//! `topic.meta` is written last when a topic is created, so a directory without it is a creation
//! that did not finish and is ignored (and recreated by the next `ensure_topics`).

use std::fs;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use tokio::sync::Notify;

use super::groups::{sync_dir, write_file_atomically};
use super::partition::Partition;
use crate::{Error, Result, TopicSpec};

const META_FILE: &str = "topic.meta";

pub(crate) struct Topic {
    pub name: String,
    /// See [`Topic::is_compacted`].
    compacted: AtomicBool,
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
        let meta =
            format!("partitions={}\ncompacted={}\nreplication={}\n", spec.partitions, spec.compacted, spec.replication);
        write_file_atomically(&dir.join(META_FILE), &dir, meta.as_bytes())?;
        sync_dir(topics_dir)?;
        Ok(Self {
            name: spec.name.clone(),
            compacted: AtomicBool::new(spec.compacted),
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
            Err(source) => return Err(Error::Io { operation: "reading topic metadata", path: meta_path, source }),
        };
        let corrupt =
            |detail: &str| Error::Corrupt { path: meta_path.clone(), position: 0, detail: detail.to_string() };
        let field = |key: &str| {
            meta.lines().find_map(|line| line.strip_prefix(key)?.strip_prefix('=')).ok_or_else(|| corrupt(key))
        };
        let partition_count: u32 = field("partitions")?.parse().map_err(|_| corrupt("bad partition count"))?;
        let compacted: bool = field("compacted")?.parse().map_err(|_| corrupt("bad compacted flag"))?;
        let replication: u16 = field("replication")?.parse().map_err(|_| corrupt("bad replication factor"))?;
        let partitions = open_partitions(dir, name, partition_count, appended)?;
        Ok(Some(Self {
            name: name.to_string(),
            compacted: AtomicBool::new(compacted),
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
            retention_ms: None,
        }
    }

    /// Whether superseded records are erased (see `compaction`).
    pub fn is_compacted(&self) -> bool {
        self.compacted.load(Ordering::Acquire)
    }

    /// Marks a topic created uncompacted as compacted (the incidents topic became compacted after
    /// data directories holding it existed): rewrites `topic.meta` in `dir`. Blocking I/O.
    pub fn mark_compacted(&self, dir: &Path) -> Result<()> {
        let meta = format!(
            "partitions={}
compacted=true
replication={}
",
            self.partition_count(),
            self.replication
        );
        write_file_atomically(&dir.join(META_FILE), dir, meta.as_bytes())?;
        self.compacted.store(true, Ordering::Release);
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

fn open_partitions(dir: &Path, topic: &str, count: u32, appended: &Arc<Notify>) -> Result<Vec<Partition>> {
    (0..count)
        .map(|partition| Partition::open(topic, partition, &segment_path(dir, partition), Arc::clone(appended)))
        .collect()
}

fn segment_path(dir: &Path, partition: u32) -> std::path::PathBuf {
    dir.join(format!("{partition:05}.log"))
}
