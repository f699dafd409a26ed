//! Ingest throughput: records per second through the gRPC stream (and HTTP NDJSON) into the
//! embedded log and SQLite, against a baseline measured in the same run: appending the same
//! records straight to the embedded log in batches of the same size (the fsync-bound ceiling).
//!
//! `cargo bench -p orca-ingest --bench stream` (records: `ORCA_BENCH_RECORDS`, default 200000).

#[path = "../tests/harness/mod.rs"]
mod harness;

use harness::{authed, spawn_app, submit};
use orca_eventlog::{EventLog, OutRecord, TopicSpec};
use orca_ingest::IngestConfig;
use orca_proto::convert::json::incident_to_json_line;
use orca_proto::v1::{self, IngestStatus};
use prost::Message;
use std::time::Instant;

/// A varied but valid record: a different reference, time and plate per record.
fn request(i: u64) -> v1::SubmitRequest {
    let mut request = submit(&format!("NM-{i:09}"));
    let incident = request.incident.as_mut().expect("an incident");
    incident.occurred_from.as_mut().expect("a time").seconds -= (i % 86_400) as i64;
    incident.vehicles[0].vrm_raw =
        format!("AB{:02} C{}{}", 2 + i % 70, (b'A' + (i % 8) as u8) as char, (b'A' + (i / 8 % 8) as u8) as char);
    incident.narrative = format!("report {i}: took goods from the front aisle");
    request
}

#[tokio::main]
async fn main() {
    let records: u64 = std::env::var("ORCA_BENCH_RECORDS").ok().and_then(|n| n.parse().ok()).unwrap_or(200_000);
    let app = spawn_app().await;
    let max_batch = IngestConfig::default().max_batch as u64;

    // Baseline: the same records appended straight to the log, `max_batch` per append.
    app.log.ensure_topics(&[TopicSpec::new("bench.baseline.v1", 3)]).await.expect("baseline topic");
    let started = Instant::now();
    let mut next = 0;
    while next < records {
        let batch: Vec<_> = (next..(next + max_batch).min(records))
            .map(|i| {
                let value = request(i).incident.expect("an incident").encode_to_vec();
                OutRecord::new("bench.baseline.v1", format!("NM-{i:09}"), value)
            })
            .collect();
        next += batch.len() as u64;
        app.log.append(batch).await.expect("append");
    }
    let baseline = records as f64 / started.elapsed().as_secs_f64();

    // gRPC: one stream carrying every record.
    let started = Instant::now();
    let mut client = app.grpc().await;
    let outbound = tokio_stream::iter((0..records).map(request));
    let mut acks = client.stream_incidents(authed(&app.northmart_key, outbound)).await.expect("stream").into_inner();
    let mut accepted = 0u64;
    let mut segment_started = Instant::now();
    let segment = (records / 5).max(1);
    let mut segment_rates = Vec::new();
    while let Some(ack) = acks.message().await.expect("ack") {
        accepted += u64::from(ack.status == IngestStatus::Accepted as i32);
        if (ack.sequence + 1) % segment == 0 {
            segment_rates.push(format!("{:.0}", segment as f64 / segment_started.elapsed().as_secs_f64()));
            segment_started = Instant::now();
        }
    }
    let grpc_seconds = started.elapsed().as_secs_f64();
    assert_eq!(accepted, records, "every record is accepted");
    let grpc = records as f64 / grpc_seconds;

    // HTTP: NDJSON bodies of 10 000 records, fresh references.
    let http_records = (records / 4).max(10_000);
    let started = Instant::now();
    let mut http_accepted = 0u64;
    for chunk_start in (0..http_records).step_by(10_000) {
        let body: String = (chunk_start..(chunk_start + 10_000).min(http_records))
            .map(|i| incident_to_json_line(&request(records + i).incident.expect("an incident")).expect("json") + "\n")
            .collect();
        let response = app.post("/v1/incidents", Some(&app.northmart_key), "application/x-ndjson", body).await;
        let reply: orca_ingest::IngestResponse = response.json().await.expect("reply");
        http_accepted += reply.accepted;
    }
    assert_eq!(http_accepted, http_records);
    let http = http_records as f64 / started.elapsed().as_secs_f64();

    println!("records                           {records}");
    println!("baseline: log append only         {baseline:>10.0} records/s");
    println!(
        "grpc stream -> log + sqlite       {grpc:>10.0} records/s  ({:.2} of baseline, {grpc_seconds:.1} s)",
        grpc / baseline
    );
    println!("grpc, by fifths of the stream     {} records/s", segment_rates.join(" "));
    println!(
        "http ndjson -> log + sqlite       {http:>10.0} records/s  ({:.2} of baseline, {http_records} records)",
        http / baseline
    );
}
