//! Throughput of the Kafka log against a running broker (Tansu in development), with the embedded
//! log on local disk as the baseline measured in the same run. Same workload as the `embedded`
//! bench: N records of ~1 KB appended in batches of 500, then read back with one consumer.
//!
//! ```text
//! ORCA_BENCH_KAFKA=127.0.0.1:19092 cargo bench -p orca-eventlog --bench kafka      # 100,000 records
//! ORCA_BENCH_KAFKA=127.0.0.1:19092 ORCA_BENCH_RECORDS=20000 cargo bench -p orca-eventlog --bench kafka
//! ```

mod common;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use common::{BATCH, SCENARIOS, VALUE_LEN, append_then_consume, rate, ratio, secs};
use orca_eventlog::{EmbeddedLog, KafkaConfig, KafkaLog};

fn main() {
    let Ok(bootstrap) = std::env::var("ORCA_BENCH_KAFKA") else {
        eprintln!("set ORCA_BENCH_KAFKA to a broker's bootstrap address (e.g. 127.0.0.1:19092) to run this benchmark");
        std::process::exit(2);
    };
    let records = common::record_count(100_000);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let run_id = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_millis();

    println!("kafka event log at {bootstrap}: {records} records of {VALUE_LEN} B values, batches of {BATCH}\n");
    println!("| scenario | log | append | append rate | vs embedded | consume | consume rate | vs embedded |");
    println!("|---|---|---|---|---|---|---|---|");
    for scenario in &SCENARIOS {
        let dir = tempfile::tempdir().expect("tempdir");
        let embedded = Arc::new(EmbeddedLog::open(dir.path()).expect("open"));
        let (embedded_append, embedded_consume) =
            runtime.block_on(append_then_consume(embedded, "bench", scenario, records));
        let kafka = Arc::new(KafkaLog::connect(KafkaConfig::new(&bootstrap)).expect("kafka clients"));
        let topic = format!("bench-{run_id}-{}", scenario.partitions);
        let (kafka_append, kafka_consume) = runtime.block_on(append_then_consume(kafka, &topic, scenario, records));
        let name = format!("{} partition(s), {} producer task(s)", scenario.partitions, scenario.producers);
        for (log, append, consume) in
            [("embedded", embedded_append, embedded_consume), ("kafka", kafka_append, kafka_consume)]
        {
            println!(
                "| {name} | {log} | {} | {} | {} | {} | {} | {} |",
                secs(append),
                rate(records, append),
                ratio(append, embedded_append),
                secs(consume),
                rate(records, consume),
                ratio(consume, embedded_consume),
            );
        }
    }
}
