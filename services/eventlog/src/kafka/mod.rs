//! The Kafka event log, through rdkafka (bundled librdkafka).
//!
//! - Producer: idempotent, `acks=all`, `partitioner=murmur2_random` (the Java client's key
//!   hashing, the same as [`crate::partition_for_key`]). [`EventLog::append`] enqueues every
//!   record and awaits every delivery report before returning.
//! - Consumers: `enable.auto.commit=false`, `auto.offset.reset=earliest`, range assignment. A
//!   rebalance callback positions newly assigned partitions at the caller's `start` offsets.
//! - Topics are created with the admin client; "already exists" is fine, a different partition
//!   count is an [`Error::TopicConflict`]. Compacted topics get `cleanup.policy=compact`, with
//!   [`MIN_COMPACTION_LAG_MS`] and [`DELETE_RETENTION_MS`].
//! - A record with an empty value is produced with no payload (a null, a tombstone to log
//!   compaction); consumers read a null payload back as an empty value.
//! - No transactions and no `read_committed` (Tansu delivers aborted records anyway).
//!
//! Blocking librdkafka calls (metadata, watermarks, committed offsets, synchronous commits) run on
//! tokio's blocking pool.

mod config;
mod consumer;
mod error;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use async_trait::async_trait;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer as _};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord};
use rdkafka::{Offset, TopicPartitionList};
use tracing::info;

pub use config::KafkaConfig;
pub use consumer::KafkaConsumer;
use error::broker_error;
/// The rdkafka crate this log is built on, e.g. for `rdkafka::mocking::MockCluster` in tests.
pub use rdkafka;

use crate::{Consumer, Error, EventLog, OutRecord, Position, Result, TopicSpec};

/// `min.compaction.lag.ms` of compacted topics: 7 days. A record is not compacted away sooner, so
/// every stage reads a record (a disposal record before its null tombstone, say) before
/// compaction can remove it, even after days of downtime.
pub const MIN_COMPACTION_LAG_MS: u64 = 7 * 24 * 60 * 60 * 1000;

/// `delete.retention.ms` of compacted topics: 7 days, how long a null tombstone itself stays
/// readable after compaction reached it, so stages that were behind still read it.
pub const DELETE_RETENTION_MS: u64 = 7 * 24 * 60 * 60 * 1000;

/// The Kafka-backed [`EventLog`].
#[derive(Clone)]
pub struct KafkaLog {
    inner: Arc<Inner>,
}

struct Inner {
    config: KafkaConfig,
    /// Replaced when the broker stops accepting this producer's records (see [`resets_producer`]).
    producer: RwLock<Arc<FutureProducer>>,
    admin: AdminClient<DefaultClientContext>,
    /// A group-less client for metadata and watermarks.
    metadata: Arc<BaseConsumer>,
    /// Per group, a client that never joins but reads the group's committed offsets.
    group_readers: Mutex<HashMap<String, Arc<BaseConsumer>>>,
    partition_counts: Mutex<HashMap<String, u32>>,
}

impl KafkaLog {
    /// Creates the clients. They connect lazily: an unreachable broker shows up as retryable
    /// errors from the calls, not here.
    pub fn connect(config: KafkaConfig) -> Result<Self> {
        config.validate()?;
        let producer = RwLock::new(Arc::new(config.producer().create().map_err(client_creation)?));
        let admin = config.admin(None).create().map_err(client_creation)?;
        let metadata = Arc::new(config.admin(None).create().map_err(client_creation)?);
        info!(bootstrap_servers = config.bootstrap_servers, client_id = config.client_id, "kafka event log configured");
        let inner = Inner {
            config,
            producer,
            admin,
            metadata,
            group_readers: Mutex::new(HashMap::new()),
            partition_counts: Mutex::new(HashMap::new()),
        };
        Ok(Self { inner: Arc::new(inner) })
    }

    pub fn config(&self) -> &KafkaConfig {
        &self.inner.config
    }

    /// The topic's partition count, from a cache filled by metadata requests.
    async fn partition_count(&self, topic: &str) -> Result<u32> {
        if let Some(count) = self.inner.partition_counts.lock().expect("partition counts lock").get(topic) {
            return Ok(*count);
        }
        let count = self.fetch_partition_count(topic).await?.ok_or_else(|| Error::UnknownTopic(topic.to_string()))?;
        self.inner.partition_counts.lock().expect("partition counts lock").insert(topic.to_string(), count);
        Ok(count)
    }

    /// The partition count the cluster reports now; `None` if the topic does not exist.
    async fn fetch_partition_count(&self, topic: &str) -> Result<Option<u32>> {
        crate::record::validate_topic_name(topic)?;
        let (client, topic, timeout) =
            (Arc::clone(&self.inner.metadata), topic.to_string(), self.inner.config.request_timeout);
        blocking(move || {
            let metadata =
                client.fetch_metadata(Some(&topic), timeout).map_err(|error| broker_error("metadata", error))?;
            let Some(found) = metadata.topics().iter().find(|found| found.name() == topic) else { return Ok(None) };
            match found.error() {
                None => Ok(Some(found.partitions().len() as u32).filter(|count| *count > 0)),
                Some(code) => match RDKafkaErrorCode::from(code) {
                    RDKafkaErrorCode::UnknownTopicOrPartition | RDKafkaErrorCode::UnknownTopic => Ok(None),
                    code => Err(broker_error("metadata", KafkaError::MetadataFetch(code))),
                },
            }
        })
        .await
    }

    /// Waits until the cluster reports `spec`'s topic with its partitions, after creation.
    async fn await_topic(&self, spec: &TopicSpec) -> Result<()> {
        let deadline = tokio::time::Instant::now() + self.inner.config.request_timeout;
        loop {
            match self.fetch_partition_count(&spec.name).await? {
                Some(existing) if existing != spec.partitions => {
                    return Err(Error::TopicConflict {
                        topic: spec.name.clone(),
                        existing,
                        requested: spec.partitions,
                    });
                }
                Some(count) => {
                    self.inner.partition_counts.lock().expect("partition counts lock").insert(spec.name.clone(), count);
                    return Ok(());
                }
                None if tokio::time::Instant::now() >= deadline => return Err(Error::Timeout("topic metadata")),
                // Metadata propagates asynchronously and the protocol has no notification for it.
                None => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    fn group_reader(&self, group: &str) -> Result<Arc<BaseConsumer>> {
        let mut readers = self.inner.group_readers.lock().expect("group readers lock");
        if let Some(reader) = readers.get(group) {
            return Ok(Arc::clone(reader));
        }
        let reader: Arc<BaseConsumer> =
            Arc::new(self.inner.config.admin(Some(group)).create().map_err(client_creation)?);
        readers.insert(group.to_string(), Arc::clone(&reader));
        Ok(reader)
    }

    fn producer(&self) -> Arc<FutureProducer> {
        Arc::clone(&self.inner.producer.read().expect("producer lock"))
    }

    /// Replaces `failed` with a new producer (a new producer id, sequences from zero), unless
    /// another task already did.
    fn reset_producer(&self, failed: &Arc<FutureProducer>, error: &KafkaError) {
        let mut current = self.inner.producer.write().expect("producer lock");
        if !Arc::ptr_eq(&current, failed) {
            return;
        }
        match self.inner.config.producer().create::<FutureProducer>() {
            Ok(producer) => {
                tracing::warn!(%error, "the broker refused the producer's records; starting a new producer");
                *current = Arc::new(producer);
            }
            Err(create) => tracing::warn!(%error, %create, "cannot start a new producer; keeping the old one"),
        }
    }

    /// Enqueues every record and awaits every delivery report.
    async fn produce(
        producer: &FutureProducer,
        records: &[OutRecord],
    ) -> std::result::Result<Vec<(u32, u64)>, KafkaError> {
        let mut placed = vec![(0, 0); records.len()];
        let mut in_flight: VecDeque<(usize, DeliveryFuture)> = VecDeque::new();
        for (index, record) in records.iter().enumerate() {
            loop {
                match Self::enqueue(producer, record) {
                    Ok(delivery) => {
                        in_flight.push_back((index, delivery));
                        break;
                    }
                    Err(KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull)) => {
                        // Make room by waiting for our oldest record; if another task filled the
                        // queue, give librdkafka a moment to drain it.
                        match in_flight.pop_front() {
                            Some((earlier, delivery)) => placed[earlier] = delivered(delivery).await?,
                            None => tokio::time::sleep(Duration::from_millis(5)).await,
                        }
                    }
                    Err(error) => return Err(error),
                }
            }
        }
        for (index, delivery) in in_flight {
            placed[index] = delivered(delivery).await?;
        }
        Ok(placed)
    }

    fn enqueue(producer: &FutureProducer, record: &OutRecord) -> std::result::Result<DeliveryFuture, KafkaError> {
        let mut future_record: FutureRecord<'_, [u8], [u8]> = FutureRecord::to(&record.topic);
        // An empty value goes without a payload: a Kafka null, the tombstone log compaction acts on.
        if !record.value.is_empty() {
            future_record = future_record.payload(&record.value[..]);
        }
        if !record.key.is_empty() {
            future_record = future_record.key(&record.key[..]);
        }
        if !record.headers.is_empty() {
            let headers = record
                .headers
                .iter()
                .fold(OwnedHeaders::new_with_capacity(record.headers.len()), |headers, (key, value)| {
                    headers.insert(Header { key, value: Some(value) })
                });
            future_record = future_record.headers(headers);
        }
        producer.send_result(future_record).map_err(|(error, _)| error)
    }
}

#[async_trait]
impl EventLog for KafkaLog {
    async fn ensure_topics(&self, specs: &[TopicSpec]) -> Result<()> {
        specs.iter().try_for_each(TopicSpec::validate)?;
        if specs.is_empty() {
            return Ok(());
        }
        // `NewTopic` borrows its settings' text.
        let retention: Vec<Option<String>> =
            specs.iter().map(|spec| spec.retention_ms.map(|ms| ms.to_string())).collect();
        let (min_compaction_lag, delete_retention) =
            (MIN_COMPACTION_LAG_MS.to_string(), DELETE_RETENTION_MS.to_string());
        let new_topics: Vec<NewTopic<'_>> = specs
            .iter()
            .zip(&retention)
            .map(|(spec, retention)| {
                let topic = NewTopic::new(
                    &spec.name,
                    spec.partitions as i32,
                    TopicReplication::Fixed(i32::from(spec.replication)),
                );
                let topic = if spec.compacted {
                    topic
                        .set("cleanup.policy", "compact")
                        .set("min.compaction.lag.ms", &min_compaction_lag)
                        .set("delete.retention.ms", &delete_retention)
                } else {
                    topic
                };
                match retention {
                    Some(ms) => topic.set("retention.ms", ms),
                    None => topic,
                }
            })
            .collect();
        let timeout = self.inner.config.request_timeout;
        let options = AdminOptions::new().operation_timeout(Some(timeout)).request_timeout(Some(timeout));
        let results = self
            .inner
            .admin
            .create_topics(&new_topics, &options)
            .await
            .map_err(|error| broker_error("create topics", error))?;
        for result in results {
            match result {
                Ok(topic) => info!(topic, "created topic"),
                Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
                Err((topic, code)) => {
                    tracing::warn!(topic, %code, "failed to create topic");
                    return Err(broker_error("create topics", KafkaError::AdminOp(code)));
                }
            }
        }
        for spec in specs {
            self.await_topic(spec).await?;
        }
        Ok(())
    }

    async fn append(&self, records: Vec<OutRecord>) -> Result<Vec<(u32, u64)>> {
        let mut checked: Vec<&str> = Vec::new();
        for record in &records {
            if !checked.contains(&record.topic.as_str()) {
                self.partition_count(&record.topic).await?;
                checked.push(&record.topic);
            }
        }
        let producer = self.producer();
        match Self::produce(&producer, &records).await {
            Ok(placed) => Ok(placed),
            Err(error) => {
                if resets_producer(&error) {
                    self.reset_producer(&producer, &error);
                }
                Err(broker_error("produce", error))
            }
        }
    }

    async fn consumer(&self, group: &str, topics: &[String], start: Vec<Position>) -> Result<Box<dyn Consumer>> {
        if topics.is_empty() {
            return Err(Error::Config("a consumer needs at least one topic".into()));
        }
        if group.is_empty() {
            return Err(Error::Config("a consumer needs a group name".into()));
        }
        let mut counts = HashMap::new();
        for topic in topics {
            counts.insert(topic.as_str(), self.partition_count(topic).await?);
        }
        for position in &start {
            let Some(count) = counts.get(position.topic.as_str()) else {
                return Err(Error::Config(format!("start position for unsubscribed topic `{}`", position.topic)));
            };
            if position.partition >= *count {
                return Err(Error::UnknownPartition { topic: position.topic.clone(), partition: position.partition });
            }
        }
        let mut end_offsets = HashMap::new();
        for position in &start {
            if !end_offsets.contains_key(&position.topic) {
                end_offsets.insert(position.topic.clone(), self.end_offsets(&position.topic).await?);
            }
        }
        let consumer = KafkaConsumer::subscribe(&self.inner.config, group, topics, start, &end_offsets)?;
        Ok(Box::new(consumer))
    }

    async fn end_offsets(&self, topic: &str) -> Result<Vec<u64>> {
        let count = self.partition_count(topic).await?;
        let (client, topic, timeout) =
            (Arc::clone(&self.inner.metadata), topic.to_string(), self.inner.config.request_timeout);
        blocking(move || {
            (0..count)
                .map(|partition| {
                    let (_, high) = client
                        .fetch_watermarks(&topic, partition as i32, timeout)
                        .map_err(|error| broker_error("fetch watermarks", error))?;
                    Ok(high.max(0) as u64)
                })
                .collect()
        })
        .await
    }

    async fn committed(&self, group: &str, topic: &str) -> Result<Vec<Option<u64>>> {
        let count = self.partition_count(topic).await?;
        let reader = self.group_reader(group)?;
        let mut partitions = TopicPartitionList::with_capacity(count as usize);
        partitions.add_partition_range(topic, 0, count as i32 - 1);
        let timeout = self.inner.config.request_timeout;
        let committed = blocking(move || {
            reader
                .committed_offsets(partitions, timeout)
                .map_err(|error| broker_error("fetch committed offsets", error))
        })
        .await?;
        let mut offsets = vec![None; count as usize];
        for element in committed.elements_for_topic(topic) {
            if let (Offset::Offset(offset), Some(slot)) =
                (element.offset(), offsets.get_mut(element.partition() as usize))
            {
                *slot = u64::try_from(offset).ok();
            }
        }
        Ok(offsets)
    }
}

async fn delivered(delivery: DeliveryFuture) -> std::result::Result<(u32, u64), KafkaError> {
    match delivery.await {
        Ok(Ok(delivery)) => Ok((delivery.partition as u32, delivery.offset as u64)),
        Ok(Err((error, _))) => Err(error),
        Err(_canceled) => Err(KafkaError::Canceled),
    }
}

/// Produce errors after which this producer's records may never be accepted again: its
/// idempotence state is fatal or out of step with the broker's (a broker that restarted without
/// its producer state answers UNKNOWN_SERVER_ERROR, as Tansu does). A new producer starts afresh;
/// the records are sent again by the caller (ingest dedupes them by reference).
fn resets_producer(error: &KafkaError) -> bool {
    use RDKafkaErrorCode::*;
    matches!(
        error.rdkafka_error_code(),
        Some(
            Unknown
                | Fatal
                | OutOfOrderSequenceNumber
                | DuplicateSequenceNumber
                | UnknownProducerId
                | InvalidProducerEpoch
                | InvalidProducerIdMapping
                | ProducerFenced
        )
    )
}

fn client_creation(error: KafkaError) -> Error {
    Error::Config(format!("cannot create kafka client: {error}"))
}

/// Runs a blocking librdkafka call on tokio's blocking pool.
pub(crate) async fn blocking<T: Send + 'static>(call: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(call)
        .await
        .map_err(|join| Error::Internal(format!("blocking kafka call failed: {join}")))?
}
