//! Event log trait with an embedded durable log and a Kafka (rdkafka) implementation
