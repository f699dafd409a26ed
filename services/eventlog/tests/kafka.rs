//! The contract suite against a Kafka-compatible broker (Tansu in development), with the
//! `kafka-tests` feature. `ORCA_TEST_KAFKA` must hold the bootstrap address; without it every
//! test fails rather than silently passing.
#![cfg(feature = "kafka-tests")]

mod contract;

use std::sync::Arc;

use orca_eventlog::{EventLog, KafkaConfig, KafkaLog};

async fn kafka() -> (Arc<dyn EventLog>, ()) {
    let bootstrap = std::env::var("ORCA_TEST_KAFKA").expect(
        "the `kafka-tests` feature needs ORCA_TEST_KAFKA, the broker's bootstrap address (e.g. 127.0.0.1:19092)",
    );
    let mut config = KafkaConfig::new(bootstrap);
    config.client_id = contract::unique("orca-eventlog-tests");
    (Arc::new(KafkaLog::connect(config).expect("kafka clients")), ())
}

contract_tests!(kafka());
