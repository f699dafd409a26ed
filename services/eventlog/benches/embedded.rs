//! Throughput of the embedded log: append N records of ~1 KB in batches of 500 (every batch
//! fsynced), then read them back with one consumer.
//!
//! The baseline, measured in the same run on the same disk, is the bare cost of durability:
//! writing the same bytes to a plain file with one `fdatasync` per batch. Ratios against it are
//! what to compare between machines.
//!
//! ```text
//! cargo bench -p orca-eventlog --bench embedded                    # 1,000,000 records
//! ORCA_BENCH_RECORDS=100000 cargo bench -p orca-eventlog --bench embedded
//! ```

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use orca_eventlog::{EmbeddedLog, EventLog, OutRecord, TopicSpec};

const BATCH: usize = 500;
const VALUE_LEN: usize = 1000;

struct Scenario {
    partitions: u32,
    producers: usize,
}

fn main() {
    let records: usize =
        std::env::var("ORCA_BENCH_RECORDS").ok().and_then(|value| value.parse().ok()).unwrap_or(1_000_000);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let value = pseudo_random_value();

    let baseline = raw_fsynced_writes(records, &value);
    let mb = (records * (VALUE_LEN + 40)) as f64 / 1e6;
    println!("embedded event log: {records} records of {VALUE_LEN} B values, batches of {BATCH}, ~{mb:.0} MB\n");
    println!("| scenario | append | append rate | vs baseline | consume | consume rate | vs append |");
    println!("|---|---|---|---|---|---|---|");
    println!(
        "| baseline: plain file, fdatasync per batch | {} | {} | 1.00 | | | |",
        secs(baseline),
        rate(records, baseline)
    );

    for scenario in [Scenario { partitions: 1, producers: 1 }, Scenario { partitions: 4, producers: 4 }] {
        let (append, consume) = runtime.block_on(run(&scenario, records, &value));
        println!(
            "| {} partition(s), {} producer task(s) | {} | {} | {:.2} | {} | {} | {:.2} |",
            scenario.partitions,
            scenario.producers,
            secs(append),
            rate(records, append),
            append.as_secs_f64() / baseline.as_secs_f64(),
            secs(consume),
            rate(records, consume),
            consume.as_secs_f64() / append.as_secs_f64(),
        );
    }
}

async fn run(scenario: &Scenario, records: usize, value: &[u8]) -> (Duration, Duration) {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = Arc::new(EmbeddedLog::open(dir.path()).expect("open"));
    log.ensure_topics(&[TopicSpec::new("bench", scenario.partitions)]).await.expect("topic");

    let started = Instant::now();
    let per_producer = records / scenario.producers;
    let producers: Vec<_> = (0..scenario.producers)
        .map(|producer| {
            let (log, value) = (Arc::clone(&log), value.to_vec());
            tokio::spawn(async move {
                for batch_start in (0..per_producer).step_by(BATCH) {
                    let batch = (batch_start..(batch_start + BATCH).min(per_producer))
                        .map(|n| OutRecord::new("bench", format!("incident-{producer}-{n}"), value.clone()))
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
    let appended: u64 = log.end_offsets("bench").await.expect("end offsets").iter().sum();

    let started = Instant::now();
    let mut consumer = log.consumer("bench", &["bench".to_string()], Vec::new()).await.expect("consumer");
    let mut consumed = 0u64;
    while consumed < appended {
        consumed += consumer.poll(BATCH, Duration::from_secs(5)).await.expect("poll").len() as u64;
    }
    (append, started.elapsed())
}

/// The unavoidable cost: the same bytes, one write and one fdatasync per batch.
fn raw_fsynced_writes(records: usize, value: &[u8]) -> Duration {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut file = std::fs::File::create(dir.path().join("raw")).expect("file");
    let frame = [value, &[0u8; 40]].concat();
    let batch: Vec<u8> = frame.iter().copied().cycle().take(frame.len() * BATCH).collect();
    let started = Instant::now();
    for _ in (0..records).step_by(BATCH) {
        file.write_all(&batch).expect("write");
        file.sync_data().expect("fdatasync");
    }
    started.elapsed()
}

fn pseudo_random_value() -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    (0..VALUE_LEN)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

fn secs(duration: Duration) -> String {
    format!("{:.2} s", duration.as_secs_f64())
}

fn rate(records: usize, duration: Duration) -> String {
    format!("{:.0} rec/s", records as f64 / duration.as_secs_f64())
}
