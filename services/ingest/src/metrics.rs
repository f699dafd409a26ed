//! The ingest metrics, declared once. Labels are bounded: channel (`grpc`, `http`, `bulk`) and
//! status (`accepted`, `duplicate`, `rejected`, `retry`); never retailers, keys or references.

use metrics::{Unit, counter, describe_counter, describe_histogram, histogram};
use std::time::Duration;

/// Records processed, by channel and outcome.
pub const RECORDS_TOTAL: &str = "orca_ingest_records_total";
/// Time to make one batch durable (validate, claim, append, mark), by channel.
pub const BATCH_SECONDS: &str = "orca_ingest_batch_seconds";

/// Registers descriptions with the installed recorder; call once at start-up.
pub fn describe() {
    describe_counter!(RECORDS_TOTAL, Unit::Count, "incident records processed by ingest, by channel and outcome");
    describe_histogram!(BATCH_SECONDS, Unit::Seconds, "time to validate, claim, append and acknowledge one batch");
}

pub(crate) fn record_outcome(channel: &'static str, status: &'static str, records: u64) {
    if records > 0 {
        counter!(RECORDS_TOTAL, "channel" => channel, "status" => status).increment(records);
    }
}

pub(crate) fn record_batch(channel: &'static str, elapsed: Duration) {
    histogram!(BATCH_SECONDS, "channel" => channel).record(elapsed.as_secs_f64());
}
