//! What the throughput benchmarks share: the workload and the table formatting.

use std::sync::Arc;
use std::time::{Duration, Instant};

use orca_eventlog::{EventLog, OutRecord, TopicSpec};

pub const BATCH: usize = 500;
pub const VALUE_LEN: usize = 1000;

pub struct Scenario {
    pub partitions: u32,
    pub producers: usize,
}

/// One producer; several producers sharing a partition (their appends share fsyncs: group
/// commit); several producers on as many partitions (fsyncs in parallel).
pub const SCENARIOS: [Scenario; 3] = [
    Scenario { partitions: 1, producers: 1 },
    Scenario { partitions: 1, producers: 4 },
    Scenario { partitions: 4, producers: 4 },
];

pub fn record_count(default: usize) -> usize {
    std::env::var("ORCA_BENCH_RECORDS").ok().and_then(|value| value.parse().ok()).unwrap_or(default)
}

/// Appends `records` records in batches of [`BATCH`] from `scenario.producers` tasks to a new
/// topic, then reads them all back with one consumer. Returns (append time, consume time).
pub async fn append_then_consume(
    log: Arc<dyn EventLog>,
    topic: &str,
    scenario: &Scenario,
    records: usize,
) -> (Duration, Duration) {
    log.ensure_topics(&[TopicSpec::new(topic, scenario.partitions)]).await.expect("topic");
    let value = pseudo_random_value();
    let started = Instant::now();
    let per_producer = records / scenario.producers;
    let producers: Vec<_> = (0..scenario.producers)
        .map(|producer| {
            let (log, value, topic) = (Arc::clone(&log), value.clone(), topic.to_string());
            tokio::spawn(async move {
                for batch_start in (0..per_producer).step_by(BATCH) {
                    let batch = (batch_start..(batch_start + BATCH).min(per_producer))
                        .map(|n| OutRecord::new(&topic, format!("incident-{producer}-{n}"), value.clone()))
                        .collect();
                    log.append(batch).await.expect("append");
                }
            })
        })
        .collect();
    for producer in producers {
        producer.await.expect("producer");
    }
    let append = started.elapsed();

    let started = Instant::now();
    let mut consumer =
        log.consumer(&format!("{topic}-reader"), &[topic.to_string()], Vec::new()).await.expect("consumer");
    let mut consumed = 0;
    while consumed < per_producer * scenario.producers {
        consumed += consumer.poll(BATCH, Duration::from_secs(5)).await.expect("poll").len();
    }
    (append, started.elapsed())
}

pub fn pseudo_random_value() -> Vec<u8> {
    let mut generator = orca_model::hash::SplitMix64::new(0x2545_f491_4f6c_dd1d);
    (0..VALUE_LEN).map(|_| generator.next_u64() as u8).collect()
}

pub fn secs(duration: Duration) -> String {
    format!("{:.2} s", duration.as_secs_f64())
}

pub fn rate(records: usize, duration: Duration) -> String {
    format!("{:.0} rec/s", records as f64 / duration.as_secs_f64())
}

pub fn ratio(measured: Duration, baseline: Duration) -> String {
    format!("{:.2}", measured.as_secs_f64() / baseline.as_secs_f64())
}
