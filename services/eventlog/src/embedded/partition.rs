//! One partition of the embedded log: its segment file, the in-memory offset index, and the
//! writer thread that makes appends durable.
//!
//! Appends go through a channel to one writer thread per partition, which serialises them. The
//! writer takes every request already queued (group commit), writes them with one `pwrite`, calls
//! `fdatasync` once, and only then publishes the new records to readers and answers the callers.
//! Readers see only durable records, like Kafka's high watermark.
//!
//! Compaction ([`PartitionLog::compact`]) replaces the segment file with a rewritten copy. It holds
//! the partition's write lock, which the writer holds for each group of appends, so the two never
//! overlap; it swaps the file and the index together under the index lock. A read takes the file
//! with the positions it looked up, so a read in flight finishes on the file it started on.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::{Notify, oneshot};
use tracing::{error, warn};

use super::compaction::{self, PartitionCompaction};
use super::segment::{self, Format, MAGIC_LEN};
use crate::{Error, OutRecord, Record, Result};

/// A writer stops gathering queued appends into one write once it holds this many bytes.
const GROUP_COMMIT_MAX_BYTES: usize = 16 * 1024 * 1024;

/// The read side of a partition, shared by the writer thread and the consumers.
pub(crate) struct PartitionLog {
    pub topic: String,
    pub partition: u32,
    path: PathBuf,
    format: Format,
    /// Held by the writer while it appends a group of records and by compaction while it rewrites
    /// the segment: whoever holds it is the only one changing the file. Taken before `index`.
    write_lock: Mutex<()>,
    index: RwLock<Index>,
}

struct Index {
    /// The segment file; compaction replaces it.
    file: Arc<File>,
    /// File position of the frame of each offset.
    positions: Vec<u64>,
    /// Durable length of the segment: everything before it is fsynced.
    len: u64,
}

impl PartitionLog {
    /// The offset the next appended record will get.
    pub fn end_offset(&self) -> u64 {
        self.index.read().expect("index lock").positions.len() as u64
    }

    /// Reads up to `max` durable records from offset `from`, stopping early once `max_bytes` are
    /// read (but always returning at least one record when one is available). Blocking I/O.
    pub fn read(&self, from: u64, max: usize, max_bytes: u64) -> Result<Vec<Record>> {
        let (file, start, end, count) = {
            let index = self.index.read().expect("index lock");
            let available = (index.positions.len() as u64).saturating_sub(from);
            if available == 0 || max == 0 {
                return Ok(Vec::new());
            }
            let first = from as usize;
            let wanted = available.min(max as u64) as usize;
            let start = index.positions[first];
            let end_of = |count: usize| index.positions.get(first + count).copied().unwrap_or(index.len);
            let count = if end_of(wanted) - start <= max_bytes {
                wanted
            } else {
                // Frame ends of 1..wanted records, ascending: keep those within the byte budget.
                let ends = &index.positions[first + 1..first + wanted];
                ends.partition_point(|&end| end - start <= max_bytes).max(1)
            };
            // The positions belong to this file, even if compaction replaces it meanwhile.
            (Arc::clone(&index.file), start, end_of(count), count)
        };
        let mut bytes = vec![0; (end - start) as usize];
        file.read_exact_at(&mut bytes, start).map_err(Error::io("reading segment", &self.path))?;
        let records =
            segment::decode_frames(&bytes, self.format, &self.topic, self.partition, from, &self.path, start)?;
        debug_assert_eq!(records.len(), count);
        Ok(records)
    }

    /// Erases the records from offset `from` to below offset `floor` that a later record with the
    /// same key supersedes (see `compaction`), rewriting the segment if there is any. Waits for
    /// the append being written, and holds appends back while it runs. Blocking I/O.
    pub fn compact(&self, from: u64, floor: u64, expire_before_ms: Option<i64>) -> Result<PartitionCompaction> {
        let _writing = self.write_lock.lock().expect("write lock");
        let (file, len, end) = {
            let index = self.index.read().expect("index lock");
            (Arc::clone(&index.file), index.len, index.positions.len() as u64)
        };
        let erase = compaction::plan(&file, &self.path, self.format, len, from, floor.min(end), expire_before_ms)?;
        if erase.count == 0 {
            return Ok(PartitionCompaction::default());
        }
        let temporary = compaction::temporary_path(&self.path);
        let rewritten = compaction::rewrite(&file, &self.path, self.format, len, &erase, &temporary)?;
        debug_assert_eq!(rewritten.positions.len() as u64, end);
        if let Err(cause) = std::fs::rename(&temporary, &self.path) {
            let _ = std::fs::remove_file(&temporary);
            return Err(Error::Io {
                operation: "renaming compacted segment into place",
                path: self.path.clone(),
                cause,
            });
        }
        let new_len = rewritten.len;
        {
            let mut index = self.index.write().expect("index lock");
            *index = Index { file: Arc::new(rewritten.file), positions: rewritten.positions, len: new_len };
        }
        // The path names the new file from here on, whether or not the rename is durable yet.
        if let Some(dir) = self.path.parent() {
            super::groups::sync_dir(dir)?;
        }
        Ok(PartitionCompaction { erased: erase.count, bytes_reclaimed: len.saturating_sub(new_len), rewritten: true })
    }
}

struct AppendRequest {
    records: Vec<OutRecord>,
    reply: oneshot::Sender<Result<u64>>,
}

/// A partition with its writer thread; dropping it lets the writer finish queued appends and joins it.
pub(crate) struct Partition {
    log: Arc<PartitionLog>,
    append_tx: Option<Sender<AppendRequest>>,
    writer: Option<JoinHandle<()>>,
}

impl Partition {
    /// Opens (or creates) the segment at `path`, truncates a torn tail, and starts the writer.
    /// `appended` is notified after every durable append.
    pub fn open(topic: &str, partition: u32, path: &Path, appended: Arc<Notify>) -> Result<Self> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(Error::io("opening segment", path))?;
        compaction::remove_leftover(path)?;
        let recovered = segment::recover(&file, path)?;
        if recovered.valid_len == 0 {
            file.set_len(0).map_err(Error::io("initialising segment", path))?;
            file.write_all_at(recovered.format.magic(), 0).map_err(Error::io("initialising segment", path))?;
            file.sync_all().map_err(Error::io("initialising segment", path))?;
        } else if recovered.garbage_len > 0 {
            warn!(
                topic,
                partition,
                valid_bytes = recovered.valid_len,
                discarded_bytes = recovered.garbage_len,
                "truncating torn tail of segment"
            );
            file.set_len(recovered.valid_len).map_err(Error::io("truncating segment", path))?;
            file.sync_all().map_err(Error::io("truncating segment", path))?;
        }
        let len = recovered.valid_len.max(MAGIC_LEN as u64);
        let log = Arc::new(PartitionLog {
            topic: topic.to_string(),
            partition,
            path: path.to_path_buf(),
            format: recovered.format,
            write_lock: Mutex::new(()),
            index: RwLock::new(Index { file: Arc::new(file), positions: recovered.positions, len }),
        });

        let (append_tx, append_rx) = mpsc::channel();
        let writer_log = Arc::clone(&log);
        let writer = std::thread::Builder::new()
            .name(format!("eventlog-{partition}-{topic}"))
            .spawn(move || run_writer(&writer_log, &append_rx, &appended))
            .map_err(Error::io("starting writer thread", path))?;
        Ok(Self { log, append_tx: Some(append_tx), writer: Some(writer) })
    }

    pub fn log(&self) -> &Arc<PartitionLog> {
        &self.log
    }

    /// Appends `records` in order; returns the offset of the first once all are durable.
    pub async fn append(&self, records: Vec<OutRecord>) -> Result<u64> {
        let closed = || Error::Closed { topic: self.log.topic.clone(), partition: self.log.partition };
        let (reply, reply_rx) = oneshot::channel();
        let append_tx = self.append_tx.as_ref().ok_or_else(closed)?;
        append_tx.send(AppendRequest { records, reply }).map_err(|_| closed())?;
        reply_rx.await.map_err(|_| closed())?
    }
}

impl Drop for Partition {
    fn drop(&mut self) {
        drop(self.append_tx.take());
        if let Some(writer) = self.writer.take()
            && writer.join().is_err()
        {
            error!(topic = self.log.topic, partition = self.log.partition, "segment writer panicked");
        }
    }
}

fn run_writer(log: &PartitionLog, append_rx: &Receiver<AppendRequest>, appended: &Notify) {
    let mut buf = Vec::new();
    let mut usable = true;
    while let Ok(first) = append_rx.recv() {
        let mut batch = vec![first];
        let mut batch_bytes = encoded_len(&batch[0].records);
        while batch_bytes < GROUP_COMMIT_MAX_BYTES {
            let Ok(request) = append_rx.try_recv() else { break };
            batch_bytes += encoded_len(&request.records);
            batch.push(request);
        }
        if !usable {
            for request in batch {
                let _ = request.reply.send(Err(Error::Closed { topic: log.topic.clone(), partition: log.partition }));
            }
            continue;
        }
        usable = write_batch(log, batch, &mut buf, appended);
        if buf.capacity() > GROUP_COMMIT_MAX_BYTES {
            buf = Vec::new();
        }
    }
}

fn encoded_len(records: &[OutRecord]) -> usize {
    records.iter().map(|record| segment::frame_len(&record.key, &record.value, &record.headers)).sum()
}

/// Writes and fsyncs one group of appends and answers their callers. Returns false if the
/// segment could not be restored to its last durable length after a failure.
fn write_batch(log: &PartitionLog, batch: Vec<AppendRequest>, buf: &mut Vec<u8>, appended: &Notify) -> bool {
    let _writing = log.write_lock.lock().expect("write lock");
    let (file, first_offset, durable_len) = {
        let index = log.index.read().expect("index lock");
        (Arc::clone(&index.file), index.positions.len() as u64, index.len)
    };
    let timestamp_ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| since.as_millis() as i64);
    buf.clear();
    let mut positions = Vec::new();
    let mut replies = Vec::with_capacity(batch.len());
    let mut next_offset = first_offset;
    for request in batch {
        replies.push((request.reply, next_offset));
        for record in &request.records {
            positions.push(durable_len + buf.len() as u64);
            segment::encode_frame(
                buf,
                log.format,
                next_offset,
                timestamp_ms,
                &record.key,
                &record.value,
                &record.headers,
            );
            next_offset += 1;
        }
    }

    let written = file.write_all_at(buf, durable_len).and_then(|()| file.sync_data());
    match written {
        Ok(()) => {
            {
                let mut index = log.index.write().expect("index lock");
                index.positions.extend(positions);
                index.len += buf.len() as u64;
            }
            appended.notify_waiters();
            for (reply, base_offset) in replies {
                let _ = reply.send(Ok(base_offset));
            }
            true
        }
        Err(source) => {
            error!(topic = log.topic, partition = log.partition, %source, "failed to append to segment");
            let restored = file.set_len(durable_len).and_then(|()| file.sync_all()).is_ok();
            for (reply, _) in replies {
                let source = std::io::Error::new(source.kind(), source.to_string());
                let _ = reply.send(Err(Error::Io {
                    operation: "appending to segment",
                    path: log.path.clone(),
                    cause: source,
                }));
            }
            restored
        }
    }
}
