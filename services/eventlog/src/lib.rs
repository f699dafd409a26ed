//! The event log ORCA's stages talk through, with two implementations of one contract:
//!
//! - [`EmbeddedLog`] (default mode): an in-process, durable log under a data directory. One
//!   append-only segment file per partition, fsynced before an append returns, consumer-group
//!   offsets in small files replaced atomically; compacted topics have their superseded records
//!   erased in place ([`EmbeddedLog::compact`]). Nothing to install.
//! - [`KafkaLog`] (distributed mode, cargo feature `kafka`, on by default): Kafka through rdkafka
//!   with an idempotent producer (`acks=all`) and manually committed consumer groups. Developed
//!   against Tansu; production points the same configuration at Apache Kafka or Redpanda.
//!
//! Stages hold an `Arc<dyn EventLog>` and cannot tell which one they run on; one contract test
//! suite (`tests/contract`) runs against both.
//!
//! # Delivery guarantees
//!
//! - **Appends are durable when acknowledged.** [`EventLog::append`] returns only after every
//!   record is on disk (embedded: written and `fdatasync`ed) or acknowledged by all in-sync
//!   replicas (Kafka: `acks=all`, every delivery future awaited). If it returns an error, some
//!   records may still have been written: the caller retries and the log may then hold
//!   duplicates. Appending is therefore **at-least-once**.
//! - **Order is kept per partition.** Records with the same key go to the same partition (Kafka's
//!   murmur2 partitioner, identical in both implementations, see [`partition_for_key`]) and are
//!   read back in the order they were appended.
//! - **Consumers are at-least-once.** A consumer reads from the offset its caller stored (`start`),
//!   else from the group's committed offset, else from the beginning. The caller stores the next
//!   offset in the same database transaction as the effects of the records it processed, and only
//!   after that transaction commits does it call [`Consumer::commit`]. A crash between the two
//!   loses nothing: the database offset wins on restart. Records may be delivered again (after a
//!   crash, a rebalance, or a retried append), so every consumer applies records idempotently,
//!   keyed by the natural ids the records carry (incident id, package id and version).
//! - **No transactions.** Kafka transactions and `read_committed` are not used: Tansu delivers
//!   records of aborted transactions anyway, and idempotent consumers make them unnecessary.
//!
//! # Consumer groups
//!
//! Consumers sharing a group name split the partitions of the topics they subscribe to (range
//! assignment per topic); the embedded log does this in-process with the same rules. When a
//! partition is assigned, a consumer positions it at the caller's `start` offset the first time,
//! and at the group's committed offset after later rebalances (commits only ever follow the
//! caller's database, so they are never ahead of it). A start offset past the end of the log (the
//! log was emptied or replaced) reads from the beginning, like Kafka's `auto.offset.reset=earliest`.
//! Partitions a member keeps across a rebalance keep their position in the embedded log; Kafka's
//! eager rebalance restarts them from the committed offset. Either way nothing is skipped.
//!
//! # Tests and benchmarks
//!
//! ```text
//! cargo test -p orca-eventlog                      # embedded contract suite, durability, mock Kafka
//! # contract suite against a broker too, here Tansu (cargo install tansu --locked --features dynostore,libsql):
//! tansu broker --listener-url tcp://127.0.0.1:19092 --advertised-listener-url tcp://127.0.0.1:19092 \
//!     --storage-engine sqlite://tansu.db &
//! ORCA_TEST_KAFKA=127.0.0.1:19092 cargo test -p orca-eventlog --features kafka-tests
//! cargo bench -p orca-eventlog --no-default-features --bench embedded
//! ORCA_BENCH_KAFKA=127.0.0.1:19092 cargo bench -p orca-eventlog --bench kafka
//! ```
//!
//! # Modules
//!
//! - [`record`]: topic specs, records, positions.
//! - [`topics`]: the pipeline's topic names and default specs.
//! - [`partitioner`]: Kafka-compatible murmur2 key partitioning.
//! - [`fencing`]: the writer-epoch header, and dropping a fenced writer's late records.
//! - [`embedded`]: the in-process durable log.
//! - [`kafka`]: the rdkafka implementation (feature `kafka`).
//! - [`error`]: the error type and whether an error is worth retrying.

pub mod embedded;
pub mod error;
pub mod fencing;
#[cfg(feature = "kafka")]
pub mod kafka;
pub mod partitioner;
pub mod record;
pub mod topics;

use std::time::Duration;

use async_trait::async_trait;

pub use embedded::EmbeddedLog;
pub use error::{Error, Result};
pub use fencing::{WRITER_EPOCH, WriterEpochs};
#[cfg(feature = "kafka")]
pub use kafka::{KafkaConfig, KafkaLog};
pub use partitioner::partition_for_key;
pub use record::{OutRecord, Position, Record, TopicSpec};

/// A partitioned, durable, replayable log of records, shared by the pipeline stages.
#[async_trait]
pub trait EventLog: Send + Sync + 'static {
    /// Creates the topics that do not exist yet. Idempotent; a topic that exists with a different
    /// partition count is an [`Error::TopicConflict`].
    async fn ensure_topics(&self, specs: &[TopicSpec]) -> Result<()>;

    /// Appends records and returns `(partition, offset)` for each, in input order, once all of
    /// them are durably accepted. Records with the same key keep their relative order.
    async fn append(&self, records: Vec<OutRecord>) -> Result<Vec<(u32, u64)>>;

    /// Joins consumer group `group` subscribed to `topics`. `start` holds the offsets the caller
    /// stored in its database: a listed partition starts there when first assigned to this
    /// consumer; other partitions start at the group's committed offset, else at the earliest.
    async fn consumer(&self, group: &str, topics: &[String], start: Vec<Position>) -> Result<Box<dyn Consumer>>;

    /// Per partition, the offset the next appended record will get (the high watermark).
    async fn end_offsets(&self, topic: &str) -> Result<Vec<u64>>;

    /// Per partition, the offset `group` committed for `topic`, if any.
    async fn committed(&self, group: &str, topic: &str) -> Result<Vec<Option<u64>>>;

    /// Housekeeping a log does itself while it runs: the embedded log erases superseded records of
    /// compacted topics and records past their topic's retention (Kafka brokers do both on their
    /// own, so the default does nothing).
    async fn maintain(&self) -> Result<()> {
        Ok(())
    }
}

/// One member of a consumer group, reading the partitions assigned to it.
#[async_trait]
pub trait Consumer: Send {
    /// Returns up to `max` records. Waits at most `timeout` for the first one and returns an empty
    /// batch if none arrives; returns as soon as records are available.
    async fn poll(&mut self, max: usize, timeout: Duration) -> Result<Vec<Record>>;

    /// Commits the group's offsets (each the next offset to read). Call it only after the effects
    /// of the records before those offsets are durable in the caller's database.
    async fn commit(&mut self, positions: &[Position]) -> Result<()>;
}
