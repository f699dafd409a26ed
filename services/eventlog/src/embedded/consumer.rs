//! A consumer of the embedded log: a member of an in-process consumer group.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::time::Instant;
use tracing::warn;

use super::Inner;
use super::partition::PartitionLog;
use super::topic::Topic;
use crate::{Consumer, Error, Position, Record, Result};

/// A poll stops reading once it holds this many bytes of records (but returns at least one).
const POLL_MAX_BYTES: u64 = 16 * 1024 * 1024;

pub struct EmbeddedConsumer {
    inner: Arc<Inner>,
    group: String,
    member_id: u64,
    topics: Vec<Arc<Topic>>,
    /// Group generation the assignment below was computed for.
    generation: u64,
    assigned: Vec<Cursor>,
    /// The caller's stored offsets, each used the first time its partition is assigned.
    start: HashMap<(String, u32), u64>,
    /// Where the next poll starts reading, so no partition starves the others.
    next_cursor: usize,
}

struct Cursor {
    log: Arc<PartitionLog>,
    position: u64,
}

impl EmbeddedConsumer {
    pub(crate) fn join(inner: Arc<Inner>, group: &str, topics: Vec<Arc<Topic>>, start: Vec<Position>) -> Result<Self> {
        let names = topics.iter().map(|topic| topic.name.clone()).collect();
        let member_id = inner.groups.join(group, names)?;
        inner.changed.notify_waiters();
        let start = start.into_iter().map(|position| ((position.topic, position.partition), position.offset)).collect();
        Ok(Self {
            inner,
            group: group.to_string(),
            member_id,
            topics,
            generation: 0,
            assigned: Vec::new(),
            start,
            next_cursor: 0,
        })
    }

    /// Recomputes this member's partitions if the group changed. Partitions it keeps keep their
    /// position; new ones start at the caller's offset, else the committed one, else the earliest.
    fn refresh_assignment(&mut self) -> Result<()> {
        let counts: Vec<(String, u32)> =
            self.topics.iter().map(|topic| (topic.name.clone(), topic.partition_count())).collect();
        let (generation, partitions) = self.inner.groups.assignment(&self.group, self.member_id, &counts);
        if generation == self.generation {
            return Ok(());
        }
        let committed = self.inner.groups.offsets(&self.group)?;
        let mut previous: HashMap<(String, u32), u64> = self
            .assigned
            .drain(..)
            .map(|cursor| ((cursor.log.topic.clone(), cursor.log.partition), cursor.position))
            .collect();
        for (topic_name, partition) in partitions {
            let topic = self.topics.iter().find(|topic| topic.name == topic_name).expect("assigned a subscribed topic");
            let log = Arc::clone(topic.partition(partition)?.log());
            let key = (topic_name, partition);
            let position = match previous.remove(&key) {
                Some(position) => position,
                None => self.start.remove(&key).or_else(|| committed.get(&key.0, partition)).unwrap_or(0),
            };
            let end = log.end_offset();
            let position = if position > end {
                // Kafka's `auto.offset.reset=earliest` for an offset past the end of the log.
                warn!(
                    topic = key.0,
                    partition, position, end, "start offset is past the end of the log, reading from the beginning"
                );
                0
            } else {
                position
            };
            self.assigned.push(Cursor { log, position });
        }
        self.generation = generation;
        self.next_cursor = 0;
        Ok(())
    }

    /// Reads up to `max` records that are already durable, spread over the assigned partitions.
    async fn read_available(&mut self, max: usize) -> Result<Vec<Record>> {
        let cursor_count = self.assigned.len();
        let plan: Vec<PlannedRead> = (0..cursor_count)
            .map(|step| (self.next_cursor + step) % cursor_count)
            .filter(|&cursor| self.assigned[cursor].position < self.assigned[cursor].log.end_offset())
            .map(|cursor| PlannedRead {
                cursor,
                log: Arc::clone(&self.assigned[cursor].log),
                from: self.assigned[cursor].position,
            })
            .collect();
        if plan.is_empty() {
            return Ok(Vec::new());
        }
        let batches = tokio::task::spawn_blocking(move || read_plan(plan, max))
            .await
            .map_err(|join| Error::Internal(format!("segment read panicked: {join}")))??;
        self.next_cursor = (self.next_cursor + 1) % cursor_count;
        let mut records = Vec::new();
        for (cursor, batch) in batches {
            self.assigned[cursor].position += batch.len() as u64;
            records.extend(batch);
        }
        Ok(records)
    }
}

/// Read the partition behind `cursor` from offset `from` on.
struct PlannedRead {
    cursor: usize,
    log: Arc<PartitionLog>,
    from: u64,
}

/// Reads partitions in plan order until `max` records or the byte budget is reached; returns the
/// records read for each cursor.
fn read_plan(plan: Vec<PlannedRead>, max: usize) -> Result<Vec<(usize, Vec<Record>)>> {
    let mut batches = Vec::new();
    let mut records_left = max;
    let mut bytes_left = POLL_MAX_BYTES;
    for PlannedRead { cursor, log, from } in plan {
        if records_left == 0 || bytes_left == 0 {
            break;
        }
        let batch = log.read(from, records_left, bytes_left)?;
        let batch_bytes: usize = batch.iter().map(|record| record.key.len() + record.value.len()).sum();
        bytes_left = bytes_left.saturating_sub(batch_bytes as u64);
        records_left -= batch.len();
        batches.push((cursor, batch));
    }
    Ok(batches)
}

#[async_trait]
impl Consumer for EmbeddedConsumer {
    async fn poll(&mut self, max: usize, timeout: Duration) -> Result<Vec<Record>> {
        let max = max.max(1);
        let deadline = Instant::now() + timeout;
        let changed = Arc::clone(&self.inner.changed);
        loop {
            // Register for wake-ups before looking, so an append in between is not missed.
            let notified = changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();

            self.refresh_assignment()?;
            let records = self.read_available(max).await?;
            if !records.is_empty() {
                return Ok(records);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return Ok(Vec::new());
            }
        }
    }

    async fn commit(&mut self, positions: &[Position]) -> Result<()> {
        for position in positions {
            let topic = self.inner.topic(&position.topic)?;
            topic.partition(position.partition)?;
        }
        let offsets = self.inner.groups.offsets(&self.group)?;
        let positions = positions.to_vec();
        tokio::task::spawn_blocking(move || offsets.commit_blocking(&positions))
            .await
            .map_err(|join| Error::Internal(format!("offset commit panicked: {join}")))?
    }
}

impl Drop for EmbeddedConsumer {
    fn drop(&mut self) {
        self.inner.groups.leave(&self.group, self.member_id);
        self.inner.changed.notify_waiters();
    }
}
