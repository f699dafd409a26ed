//! The Kafka log against librdkafka's in-process mock cluster: no broker needed, so these run in
//! every `cargo test`. The mock does not implement the CreateTopics admin API, so topics are
//! created through the mock itself.
#![cfg(feature = "kafka")]

use std::time::Duration;

use orca_eventlog::kafka::rdkafka::mocking::MockCluster;
use orca_eventlog::{EventLog, KafkaConfig, KafkaLog, OutRecord, partition_for_key};

fn log_for(cluster: &MockCluster<'_, impl orca_eventlog::kafka::rdkafka::ClientContext>) -> KafkaLog {
    let mut config = KafkaConfig::new(cluster.bootstrap_servers());
    config.delivery_timeout = Duration::from_secs(3);
    config.request_timeout = Duration::from_secs(5);
    config.properties.insert("reconnect.backoff.max.ms".into(), "200".into());
    KafkaLog::connect(config).expect("clients")
}

/// librdkafka's `murmur2_random` partitioner and ours agree on every key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rdkafka_partitions_keys_like_the_embedded_partitioner() {
    let cluster = MockCluster::new(1).expect("mock cluster");
    cluster.create_topic("keys", 7, 1).expect("topic");
    let log = log_for(&cluster);
    let records: Vec<OutRecord> = (0..300).map(|n| OutRecord::new("keys", format!("incident-{n:04}"), "v")).collect();
    let placed = log.append(records.clone()).await.expect("append");
    for (record, (partition, _)) in records.iter().zip(placed) {
        assert_eq!(
            Some(partition),
            partition_for_key(&record.key, 7),
            "key {:?}",
            String::from_utf8_lossy(&record.key)
        );
    }
}

/// An unreachable broker makes appends fail with a retryable error, and they succeed again once
/// it is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appends_fail_retryably_while_the_broker_is_down_and_recover() {
    let cluster = MockCluster::new(1).expect("mock cluster");
    cluster.create_topic("faults", 1, 1).expect("topic");
    let log = log_for(&cluster);
    assert_eq!(log.append(vec![OutRecord::new("faults", "k", "before")]).await.expect("append"), [(0, 0)]);

    cluster.broker_down(1).expect("broker down");
    let error = log.append(vec![OutRecord::new("faults", "k", "during")]).await.expect_err("broker is down");
    assert!(error.is_retryable(), "{error}");

    cluster.broker_up(1).expect("broker up");
    // What a stage does with a retryable error: try again (a bounded number of times here).
    let mut attempts = 0;
    let placed = loop {
        attempts += 1;
        match log.append(vec![OutRecord::new("faults", "k", "after")]).await {
            Ok(placed) => break placed,
            Err(error) if error.is_retryable() && attempts < 10 => continue,
            Err(error) => panic!("append after recovery failed {attempts} times: {error}"),
        }
    };
    assert_eq!(placed[0].0, 0);
    assert!(placed[0].1 >= 1, "the record lands after the first one");
}

/// librdkafka is built with TLS: clients for `SSL` and `SASL_SSL` brokers can be created (a
/// build without OpenSSL refuses the setting), and a broker that does not speak TLS gets no
/// record through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_and_sasl_settings_are_accepted_by_the_kafka_clients() {
    for protocol in ["SSL", "SASL_SSL"] {
        let mut config = KafkaConfig::new("127.0.0.1:9");
        config.properties.insert("security.protocol".into(), protocol.into());
        if protocol == "SASL_SSL" {
            config.properties.insert("sasl.mechanisms".into(), "SCRAM-SHA-512".into());
            config.properties.insert("sasl.username".into(), "orca".into());
            config.properties.insert("sasl.password".into(), "secret".into());
        }
        if let Err(error) = KafkaLog::connect(config) {
            panic!("{protocol}: {error}");
        }
    }
    let cluster = MockCluster::new(1).expect("mock cluster");
    cluster.create_topic("plain", 1, 1).expect("topic");
    let mut config = KafkaConfig::new(cluster.bootstrap_servers());
    config.delivery_timeout = Duration::from_secs(2);
    config.properties.insert("security.protocol".into(), "SSL".into());
    let log = KafkaLog::connect(config).expect("clients");
    assert!(log.append(vec![OutRecord::new("plain", "k", "v")]).await.is_err(), "TLS to a plaintext broker fails");
}
