//! Throughput of the embedded log: append N records of ~1 KB in batches of 500 (every batch
//! fsynced), then read them back with one consumer.
//!
//! The baseline, measured in the same run on the same disk, is the bare cost of durability:
//! writing the same bytes to a plain file with one `fdatasync` per batch. Ratios against it are
//! what to compare between machines. `--no-default-features` skips building librdkafka.
//!
//! ```text
//! cargo bench -p orca-eventlog --no-default-features --bench embedded          # 1,000,000 records
//! ORCA_BENCH_RECORDS=100000 cargo bench -p orca-eventlog --no-default-features --bench embedded
//! ```

mod common;

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{BATCH, SCENARIOS, VALUE_LEN, append_then_consume, rate, ratio, secs};
use orca_eventlog::EmbeddedLog;

fn main() {
    let records = common::record_count(1_000_000);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");

    let baseline = raw_fsynced_writes(records);
    let mb = (records * (VALUE_LEN + 40)) as f64 / 1e6;
    println!("embedded event log: {records} records of {VALUE_LEN} B values, batches of {BATCH}, ~{mb:.0} MB\n");
    println!("| scenario | append | append rate | vs baseline | consume | consume rate | consume / append |");
    println!("|---|---|---|---|---|---|---|");
    println!(
        "| baseline: plain file, fdatasync per batch | {} | {} | 1.00 | | | |",
        secs(baseline),
        rate(records, baseline)
    );
    for scenario in &SCENARIOS {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = Arc::new(EmbeddedLog::open(dir.path()).expect("open"));
        let (append, consume) = runtime.block_on(append_then_consume(log, "bench", scenario, records));
        println!(
            "| {} partition(s), {} producer task(s) | {} | {} | {} | {} | {} | {} |",
            scenario.partitions,
            scenario.producers,
            secs(append),
            rate(records, append),
            ratio(append, baseline),
            secs(consume),
            rate(records, consume),
            ratio(consume, append),
        );
    }
}

/// The unavoidable cost: the same bytes, one write and one fdatasync per batch.
fn raw_fsynced_writes(records: usize) -> Duration {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut file = std::fs::File::create(dir.path().join("raw")).expect("file");
    let frame = [common::pseudo_random_value(), vec![0u8; 40]].concat();
    let batch: Vec<u8> = frame.iter().copied().cycle().take(frame.len() * BATCH).collect();
    let started = Instant::now();
    for _ in (0..records).step_by(BATCH) {
        file.write_all(&batch).expect("write");
        file.sync_data().expect("fdatasync");
    }
    started.elapsed()
}
