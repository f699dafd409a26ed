//! Compaction of the embedded log's compacted topics: superseded records are erased in place.
//!
//! Offsets stay dense (frame `n` holds offset `n`; consumers and committed offsets rely on it), so
//! a record is never removed: it is rewritten as an *erased* frame with the same offset,
//! timestamp and key, an empty value and no headers. A reader sees it as a null tombstone and, like
//! a reader of a compacted Kafka topic, skips it.
//!
//! A record at offset `o` of a partition is erased when
//!
//! 1. its topic is compacted,
//! 2. it has a key, and a later record in the same partition has the same key, and
//! 3. every consumer group that has committed offsets for the topic has committed past `o` in that
//!    partition (a group with commits for the topic but none for the partition holds it back, and
//!    so does a partition no group has committed for), so no stage loses a record it has not read.
//!
//! Records already erased (null tombstones included) stay as they are. A partition is rewritten
//! only when it has something to erase: into a temporary file next to the segment, in the
//! segment's format, fsynced and renamed over it, then the directory is fsynced. A crash leaves
//! either segment whole; a leftover temporary file is removed when the partition is next opened.

use std::collections::{BTreeMap, HashMap};
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tracing::info;

use super::segment::{self, Format, Frames};
use super::{Inner, topic::Topic};
use crate::{Error, Result};

/// What one compaction erased, per compacted topic.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompactionReport {
    /// Every compacted topic of the log, by name, including those with nothing to erase.
    pub topics: BTreeMap<String, TopicCompaction>,
}

/// What one compaction erased in one topic.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TopicCompaction {
    /// Records rewritten as erased frames (empty value, no headers).
    pub erased: u64,
    /// Bytes by which the topic's segments shrank.
    pub bytes_reclaimed: u64,
    /// Partitions whose segment was rewritten (those with something to erase).
    pub partitions_rewritten: u32,
}

impl CompactionReport {
    /// Records erased in every topic.
    pub fn erased(&self) -> u64 {
        self.topics.values().map(|topic| topic.erased).sum()
    }

    /// Bytes reclaimed in every topic.
    pub fn bytes_reclaimed(&self) -> u64 {
        self.topics.values().map(|topic| topic.bytes_reclaimed).sum()
    }
}

/// What compacting one partition did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PartitionCompaction {
    pub erased: u64,
    pub bytes_reclaimed: u64,
    pub rewritten: bool,
}

impl Inner {
    /// Compacts every partition of every compacted topic. Blocking I/O.
    pub(crate) fn compact(&self) -> Result<CompactionReport> {
        let mut topics: Vec<Arc<Topic>> = (self.topics.read().expect("topics lock").values())
            .filter(|topic| topic.is_compacted() || topic.retention_ms().is_some())
            .cloned()
            .collect();
        let now_ms = now_ms();
        topics.sort_by(|a, b| a.name.cmp(&b.name));
        let committed = self.groups.committed_by_every_group()?;
        let mut report = CompactionReport::default();
        for topic in topics {
            let readers: Vec<_> =
                committed.iter().filter(|offsets| offsets.keys().any(|(name, _)| *name == topic.name)).collect();
            let mut summary = TopicCompaction::default();
            for partition in &topic.partitions {
                let log = partition.log();
                let key = (topic.name.clone(), log.partition);
                // Below every reader's committed offset; nothing when no group has read the topic.
                let floor = match topic.is_compacted() {
                    true => readers.iter().map(|offsets| offsets.get(&key).copied().unwrap_or(0)).min().unwrap_or(0),
                    false => 0,
                };
                // Past the topic's retention, read or not (as Kafka's `retention.ms`).
                let expire_before = topic.retention_ms().map(|ms| now_ms.saturating_sub(ms as i64));
                let done = log.compact(topic.compacted_from(log.partition), floor, expire_before)?;
                summary.erased += done.erased;
                summary.bytes_reclaimed += done.bytes_reclaimed;
                summary.partitions_rewritten += u32::from(done.rewritten);
            }
            if summary.erased > 0 {
                info!(
                    topic = topic.name,
                    erased = summary.erased,
                    bytes_reclaimed = summary.bytes_reclaimed,
                    partitions_rewritten = summary.partitions_rewritten,
                    "compacted topic"
                );
            }
            report.topics.insert(topic.name.clone(), summary);
        }
        Ok(report)
    }
}

/// The records of a partition to erase.
pub(crate) struct Erasures {
    /// Indexed by offset, for the offsets below the floor.
    erase: Vec<bool>,
    pub count: u64,
}

impl Erasures {
    fn contains(&self, offset: u64) -> bool {
        self.erase.get(offset as usize).copied().unwrap_or(false)
    }

    fn mark(&mut self, offset: u64) {
        let at = offset as usize;
        if at >= self.erase.len() {
            self.erase.resize(at + 1, false);
        }
        if !self.erase[at] {
            self.erase[at] = true;
            self.count += 1;
        }
    }
}

/// Finds the records from offset `from` to below offset `floor` of the segment (durable up to
/// `len`) that a later record with the same key supersedes, and (with `expire_before_ms`) every
/// record appended before that time, that are not erased yet. Reads the segment once.
pub(crate) fn plan(
    file: &File,
    path: &Path,
    format: Format,
    len: u64,
    from: u64,
    floor: u64,
    expire_before_ms: Option<i64>,
) -> Result<Erasures> {
    let mut erasures = Erasures { erase: vec![false; floor as usize], count: 0 };
    if floor == 0 && expire_before_ms.is_none() {
        return Ok(erasures);
    }
    // Per key, its latest offset so far and whether that record is below the floor and not erased.
    let mut latest: HashMap<Vec<u8>, (u64, bool)> = HashMap::new();
    let mut frames = Frames::new(file, path, len);
    while let Some(frame) = frames.next_frame()? {
        let corrupt = |detail: String| Error::Corrupt { path: path.to_path_buf(), position: frame.position, detail };
        let summary = segment::summarize(frame.payload(), format).map_err(corrupt)?;
        if !summary.erased && expire_before_ms.is_some_and(|before| summary.timestamp_ms < before) {
            erasures.mark(summary.offset);
            continue;
        }
        if summary.key.is_empty() {
            continue;
        }
        let erasable = (from..floor).contains(&summary.offset) && !summary.erased;
        let superseded = match latest.get_mut(summary.key) {
            Some(entry) => std::mem::replace(entry, (summary.offset, erasable)),
            None => {
                latest.insert(summary.key.to_vec(), (summary.offset, erasable));
                continue;
            }
        };
        if let (offset, true) = superseded {
            erasures.mark(offset);
        }
    }
    Ok(erasures)
}

/// The rewritten segment, open for reading and writing at its final path.
pub(crate) struct Rewritten {
    pub file: File,
    pub positions: Vec<u64>,
    pub len: u64,
}

/// Writes a copy of the segment (durable up to `len`) with `erasures` erased to `temporary`, in
/// the segment's format, and fsyncs it. Frames kept are copied byte for byte.
pub(crate) fn rewrite(
    file: &File,
    path: &Path,
    format: Format,
    len: u64,
    erasures: &Erasures,
    temporary: &Path,
) -> Result<Rewritten> {
    let written = write_copy(file, path, format, len, erasures, temporary);
    if written.is_err() {
        let _ = std::fs::remove_file(temporary);
    }
    written
}

fn write_copy(
    file: &File,
    path: &Path,
    format: Format,
    len: u64,
    erasures: &Erasures,
    temporary: &Path,
) -> Result<Rewritten> {
    let failed = |cause| Error::Io { operation: "writing compacted segment", path: temporary.to_path_buf(), cause };
    let copy = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(temporary)
        .map_err(Error::io("creating compacted segment", temporary))?;
    let mut out = BufWriter::with_capacity(1 << 20, &copy);
    out.write_all(format.magic()).map_err(failed)?;
    let mut position = format.magic().len() as u64;
    let mut positions = Vec::new();
    let mut erased = Vec::new();
    let mut frames = Frames::new(file, path, len);
    while let Some(frame) = frames.next_frame()? {
        positions.push(position);
        let offset = positions.len() as u64 - 1;
        let bytes = if erasures.contains(offset) {
            let summary = segment::summarize(frame.payload(), format).map_err(|detail| Error::Corrupt {
                path: path.to_path_buf(),
                position: frame.position,
                detail,
            })?;
            erased.clear();
            segment::encode_frame(&mut erased, format, summary.offset, summary.timestamp_ms, summary.key, &[], &[]);
            &erased[..]
        } else {
            frame.bytes
        };
        out.write_all(bytes).map_err(failed)?;
        position += bytes.len() as u64;
    }
    out.flush().map_err(failed)?;
    drop(out);
    copy.sync_all().map_err(Error::io("syncing compacted segment", temporary))?;
    Ok(Rewritten { file: copy, positions, len: position })
}

/// Where a segment's rewritten copy is written before it replaces the segment.
pub(crate) fn temporary_path(segment: &Path) -> PathBuf {
    let mut name = segment.file_name().map(|name| name.to_os_string()).unwrap_or_default();
    name.push(".compacting");
    segment.with_file_name(name)
}

/// Removes a copy left by a compaction that did not finish (a crash before its rename).
pub(crate) fn remove_leftover(segment: &Path) -> Result<()> {
    let temporary = temporary_path(segment);
    match std::fs::remove_file(&temporary) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(cause) => Err(Error::Io { operation: "removing unfinished compacted segment", path: temporary, cause }),
    }
}

/// Milliseconds since the Unix epoch now.
fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}
