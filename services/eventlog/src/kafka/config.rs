//! Connection settings for [`KafkaLog`](super::KafkaLog) and the librdkafka client configs built
//! from them.

use std::collections::BTreeMap;
use std::time::Duration;

use rdkafka::ClientConfig;

use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KafkaConfig {
    /// Comma-separated `host:port` list.
    pub bootstrap_servers: String,
    pub client_id: String,
    /// Consumer group session timeout. Tansu needs it low (about 6 s) or a first join takes ~20 s.
    pub session_timeout: Duration,
    /// Bound on admin, metadata, watermark and commit requests.
    pub request_timeout: Duration,
    /// How long the producer keeps retrying a record before its append fails (`message.timeout.ms`).
    pub delivery_timeout: Duration,
    /// Extra librdkafka properties, applied last to every client (so they override the above).
    pub properties: BTreeMap<String, String>,
}

impl KafkaConfig {
    pub fn new(bootstrap_servers: impl Into<String>) -> Self {
        Self {
            bootstrap_servers: bootstrap_servers.into(),
            client_id: "orca".into(),
            session_timeout: Duration::from_millis(6000),
            request_timeout: Duration::from_secs(30),
            delivery_timeout: Duration::from_secs(60),
            properties: BTreeMap::new(),
        }
    }

    pub fn validate(&self) -> Result<()> {
        if self.bootstrap_servers.trim().is_empty() {
            return Err(Error::Config("`bootstrap_servers` is empty".into()));
        }
        if self.client_id.trim().is_empty() {
            return Err(Error::Config("`client_id` is empty".into()));
        }
        for (name, timeout) in [
            ("session_timeout", self.session_timeout),
            ("request_timeout", self.request_timeout),
            ("delivery_timeout", self.delivery_timeout),
        ] {
            if timeout.is_zero() || timeout.as_millis() > i32::MAX as u128 {
                return Err(Error::Config(format!("`{name}` must be between 1 ms and 24 days")));
            }
        }
        Ok(())
    }

    fn base(&self) -> ClientConfig {
        let mut config = ClientConfig::new();
        config.set("bootstrap.servers", &self.bootstrap_servers).set("client.id", &self.client_id);
        config
    }

    fn with_properties(&self, mut config: ClientConfig) -> ClientConfig {
        for (key, value) in &self.properties {
            config.set(key, value);
        }
        config
    }

    /// Idempotent producer, acknowledged by all in-sync replicas, Java-compatible partitioning.
    pub(crate) fn producer(&self) -> ClientConfig {
        let mut config = self.base();
        config
            .set("enable.idempotence", "true")
            .set("acks", "all")
            .set("partitioner", "murmur2_random")
            .set("message.timeout.ms", millis(self.delivery_timeout))
            .set("request.timeout.ms", millis(self.request_timeout));
        self.with_properties(config)
    }

    /// A group member that commits manually and starts from the earliest offset when nothing is
    /// committed.
    pub(crate) fn consumer(&self, group: &str) -> ClientConfig {
        let mut config = self.base();
        config
            .set("group.id", group)
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set("auto.offset.reset", "earliest")
            .set("allow.auto.create.topics", "false")
            .set("partition.assignment.strategy", "range")
            .set("session.timeout.ms", millis(self.session_timeout))
            .set("heartbeat.interval.ms", millis(self.session_timeout / 3))
            // A fetch returns once a record arrives, on brokers that long-poll; on one that waits
            // out `fetch.wait.max.ms` (500 ms by default) every stage would add that much latency.
            .set("fetch.wait.max.ms", "100");
        self.with_properties(config)
    }

    /// A client for metadata, watermarks, committed offsets and topic creation.
    pub(crate) fn admin(&self, group: Option<&str>) -> ClientConfig {
        let mut config = self.base();
        config.set("allow.auto.create.topics", "false");
        if let Some(group) = group {
            config.set("group.id", group).set("enable.auto.commit", "false");
        }
        self.with_properties(config)
    }
}

fn millis(duration: Duration) -> String {
    duration.as_millis().max(1).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn producer_is_idempotent_and_partitions_like_the_java_client() {
        let mut config = KafkaConfig::new("127.0.0.1:9092");
        config.properties.insert("linger.ms".into(), "20".into());
        let producer = config.producer();
        assert_eq!(producer.get("enable.idempotence"), Some("true"));
        assert_eq!(producer.get("acks"), Some("all"));
        assert_eq!(producer.get("partitioner"), Some("murmur2_random"));
        assert_eq!(producer.get("linger.ms"), Some("20"));
        let consumer = config.consumer("g");
        assert_eq!(consumer.get("enable.auto.commit"), Some("false"));
        assert_eq!(consumer.get("session.timeout.ms"), Some("6000"));
    }

    #[test]
    fn empty_bootstrap_servers_are_a_configuration_error() {
        let error = KafkaConfig::new(" ").validate().expect_err("invalid");
        assert!(!error.is_retryable());
    }
}
