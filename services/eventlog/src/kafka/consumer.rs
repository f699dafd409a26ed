//! A Kafka consumer group member that starts partitions at the caller's stored offsets.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use futures::FutureExt;
use rdkafka::client::ClientContext;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer as _, ConsumerContext, RebalanceProtocol, StreamConsumer};
use rdkafka::message::{BorrowedMessage, Headers, Message};
use rdkafka::types::RDKafkaRespErr;
use rdkafka::{Offset, TopicPartitionList};
use tokio::time::Instant;
use tracing::{error, warn};

use super::error::broker_error;
use super::{KafkaConfig, blocking, client_creation};
use crate::{Consumer, Position, Record, Result};

pub struct KafkaConsumer {
    consumer: Arc<StreamConsumer<StartingContext>>,
}

/// Positions each partition at the caller's offset the first time it is assigned; later
/// assignments (after rebalances) resume from the group's committed offset.
struct StartingContext {
    start: Mutex<HashMap<(String, i32), Offset>>,
}

impl ClientContext for StartingContext {}

impl ConsumerContext for StartingContext {
    fn rebalance(&self, consumer: &BaseConsumer<Self>, event: RDKafkaRespErr, partitions: &mut TopicPartitionList) {
        let cooperative = matches!(consumer.rebalance_protocol(), RebalanceProtocol::Cooperative);
        let outcome = match event {
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS => {
                self.apply_start_offsets(partitions);
                if cooperative { consumer.incremental_assign(partitions) } else { consumer.assign(partitions) }
            }
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS => {
                if cooperative {
                    consumer.incremental_unassign(partitions)
                } else {
                    consumer.unassign()
                }
            }
            other => {
                error!(?other, "consumer group rebalance failed");
                consumer.unassign()
            }
        };
        if let Err(error) = outcome {
            error!(%error, "failed to apply partition assignment");
        }
    }
}

impl StartingContext {
    fn apply_start_offsets(&self, partitions: &mut TopicPartitionList) {
        let mut start = self.start.lock().expect("start offsets lock");
        let assigned: Vec<(String, i32)> =
            partitions.elements().iter().map(|element| (element.topic().to_string(), element.partition())).collect();
        for (topic, partition) in assigned {
            if let Some(offset) = start.remove(&(topic.clone(), partition))
                && let Err(error) = partitions.set_partition_offset(&topic, partition, offset)
            {
                error!(topic, partition, %error, "failed to set start offset");
            }
        }
    }
}

impl KafkaConsumer {
    /// Joins `group`. `start` offsets past `end_offsets` (the log was emptied or replaced) start
    /// from the beginning, as Kafka's `auto.offset.reset=earliest` does (Tansu would wait there).
    pub(super) fn subscribe(
        config: &KafkaConfig,
        group: &str,
        topics: &[String],
        start: Vec<Position>,
        end_offsets: &HashMap<String, Vec<u64>>,
    ) -> Result<Self> {
        let start = start
            .into_iter()
            .map(|position| {
                let end = end_offsets.get(&position.topic).and_then(|ends| ends.get(position.partition as usize));
                let offset = match end {
                    Some(&end) if position.offset > end => {
                        warn!(
                            topic = position.topic,
                            partition = position.partition,
                            position.offset,
                            end,
                            "start offset is past the end of the log, reading from the beginning"
                        );
                        Offset::Beginning
                    }
                    _ => Offset::Offset(position.offset as i64),
                };
                ((position.topic, position.partition as i32), offset)
            })
            .collect();
        let context = StartingContext { start: Mutex::new(start) };
        let consumer: StreamConsumer<StartingContext> =
            config.consumer(group).create_with_context(context).map_err(client_creation)?;
        let topics: Vec<&str> = topics.iter().map(String::as_str).collect();
        consumer.subscribe(&topics).map_err(|error| broker_error("subscribe", error))?;
        Ok(Self { consumer: Arc::new(consumer) })
    }
}

#[async_trait]
impl Consumer for KafkaConsumer {
    async fn poll(&mut self, max: usize, timeout: Duration) -> Result<Vec<Record>> {
        let deadline = Instant::now() + timeout;
        let mut records = Vec::new();
        while records.is_empty() {
            match tokio::time::timeout_at(deadline, self.consumer.recv()).await {
                Err(_elapsed) => return Ok(records),
                Ok(Ok(message)) => records.push(to_record(&message)),
                Ok(Err(error)) => {
                    let error = broker_error("consume", error);
                    if !error.is_retryable() {
                        return Err(error);
                    }
                    warn!(%error, "consumer error, still waiting for records");
                }
            }
        }
        // Take what is already fetched without waiting again.
        while records.len() < max.max(1) {
            match self.consumer.recv().now_or_never() {
                Some(Ok(message)) => records.push(to_record(&message)),
                Some(Err(error)) => {
                    warn!(%error, "consumer error after records were received");
                    break;
                }
                None => break,
            }
        }
        Ok(records)
    }

    async fn commit(&mut self, positions: &[Position]) -> Result<()> {
        if positions.is_empty() {
            return Ok(());
        }
        let mut offsets = TopicPartitionList::with_capacity(positions.len());
        for position in positions {
            offsets
                .add_partition_offset(
                    &position.topic,
                    position.partition as i32,
                    Offset::Offset(position.offset as i64),
                )
                .map_err(|error| broker_error("commit", error))?;
        }
        let consumer = Arc::clone(&self.consumer);
        blocking(move || consumer.commit(&offsets, CommitMode::Sync).map_err(|error| broker_error("commit", error)))
            .await
    }
}

fn to_record(message: &BorrowedMessage<'_>) -> Record {
    let headers = message
        .headers()
        .map(|headers| {
            headers.iter().map(|header| (header.key.to_string(), header.value.unwrap_or_default().to_vec())).collect()
        })
        .unwrap_or_default();
    Record {
        topic: message.topic().to_string(),
        partition: message.partition() as u32,
        offset: message.offset() as u64,
        key: message.key().unwrap_or_default().to_vec(),
        value: message.payload().unwrap_or_default().to_vec(),
        headers,
        timestamp_ms: message.timestamp().to_millis().unwrap_or(-1),
    }
}
