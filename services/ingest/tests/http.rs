//! The HTTP surface end to end: reqwest against axum on a local port.

mod harness;

use harness::{incident, spawn_app, spawn_app_with, submit};
use orca_eventlog::{EventLog, topics};
use orca_ingest::{IngestConfig, IngestResponse};
use orca_proto::convert::json::incident_to_json_line;
use orca_proto::v1::{self, IngestStatus};
use orca_store::Store;

fn json_line(retailer_ref: &str) -> String {
    incident_to_json_line(&incident(retailer_ref)).expect("printable")
}

async fn results(response: reqwest::Response) -> IngestResponse {
    response.json().await.expect("an ingest response")
}

#[tokio::test]
async fn ndjson_with_a_malformed_line_accepts_the_good_lines_and_keeps_the_bad_one() {
    let app = spawn_app().await;
    let body =
        format!("{}\n{{\"retailerRef\": \"NM-2\", \"storeId\": }}\n\n{}\n", json_line("NM-1"), json_line("NM-3"));
    let response = app.post("/v1/incidents", Some(&app.northmart_key), "application/x-ndjson", body).await;
    assert_eq!(response.status(), 200);
    let body = results(response).await;
    assert_eq!((body.accepted, body.rejected, body.duplicate, body.retry), (2, 1, 0, 0));
    let bad = &body.results[1];
    assert_eq!(bad.status, IngestStatus::Rejected as i32);
    assert_eq!(bad.sequence, 1);
    assert_eq!((bad.problems[0].field.as_str(), bad.problems[0].code.as_str()), ("", "invalid-json"));
    assert!(bad.problems[0].reason.starts_with("line 2, column "), "{}", bad.problems[0].reason);
    assert_eq!(body.results[2].sequence, 2, "blank lines are not records");

    let kept = app.store.rejected("northmart", 10).await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].payload, b"{\"retailerRef\": \"NM-2\", \"storeId\": }", "the raw line is kept");
    assert_eq!(kept[0].channel, "http");
    let dead_letters = app.read_topic(topics::DEAD_LETTERS).await;
    assert_eq!(dead_letters.len(), 1);
    assert_eq!(dead_letters[0].value, kept[0].payload);
    assert_eq!(app.read_topic(topics::INCIDENTS).await.len(), 2);
}

#[tokio::test]
async fn a_json_body_holds_one_incident_or_an_array() {
    let app = spawn_app().await;
    let one = app.post("/v1/incidents", Some(&app.northmart_key), "application/json", json_line("NM-1")).await;
    assert_eq!(results(one).await.accepted, 1);
    let array = format!(
        "[{}, {}, {{\"retailerRef\": \"NM-9\", \"eventType\": \"EVENT_TYPE_PICNIC\"}}]",
        json_line("NM-1"),
        json_line("NM-2")
    );
    let body =
        results(app.post("/v1/incidents", Some(&app.northmart_key), "application/json; charset=utf-8", array).await)
            .await;
    assert_eq!((body.accepted, body.duplicate, body.rejected), (1, 1, 1));
    assert_eq!(body.results[0].status, IngestStatus::Duplicate as i32);
    assert_eq!(body.results[2].retailer_ref, "NM-9", "the reference is read from the bad element");
    let not_json = app.post("/v1/incidents", Some(&app.northmart_key), "application/json", "[{").await;
    assert_eq!(not_json.status(), 400);
}

#[tokio::test]
async fn a_record_sent_over_grpc_then_http_is_a_duplicate() {
    let app = spawn_app().await;
    let ack = app.submit_one(&app.northmart_key, submit("NM-1")).await.unwrap();
    assert_eq!(ack.status, IngestStatus::Accepted as i32);
    let body =
        results(app.post("/v1/incidents", Some(&app.northmart_key), "application/x-ndjson", json_line("NM-1")).await)
            .await;
    assert_eq!(body.results[0].status, IngestStatus::Duplicate as i32);
    assert_eq!(body.results[0].incident_id, ack.incident_id);
    assert_eq!(app.read_topic(topics::INCIDENTS).await.len(), 1);
}

#[tokio::test]
async fn bad_credentials_content_types_and_sizes_are_refused_before_anything_is_written() {
    let app = spawn_app_with(IngestConfig { http_body_limit_bytes: 4096, ..IngestConfig::default() }).await;
    let missing = app.post("/v1/incidents", None, "application/json", json_line("NM-1")).await;
    assert_eq!(missing.status(), 401);
    assert_eq!(missing.headers()["www-authenticate"], "Bearer");
    let unknown_key = "orca_retailer_ffffffffffffffffffffffffffffffff";
    let unknown = app.post("/v1/incidents", Some(unknown_key), "application/json", json_line("NM-1")).await;
    assert_eq!(unknown.status(), 401);
    assert!(!unknown.text().await.unwrap().contains(unknown_key));
    let force = app.post("/v1/incidents", Some(&app.force_key), "application/json", json_line("NM-1")).await;
    assert_eq!(force.status(), 403);
    let csv = app.post("/v1/incidents", Some(&app.northmart_key), "text/csv", "ref,store\n").await;
    assert_eq!(csv.status(), 415);
    let huge = format!("[{}]", vec![json_line("NM-1"); 20].join(","));
    let too_large = app.post("/v1/incidents", Some(&app.northmart_key), "application/json", huge).await;
    assert_eq!(too_large.status(), 413);
    assert_eq!(app.log.end_offsets(topics::INCIDENTS).await.unwrap().iter().sum::<u64>(), 0);
}

#[tokio::test]
async fn an_outage_answers_503_when_every_record_must_be_retried() {
    let app = spawn_app().await;
    app.outage.store(true, std::sync::atomic::Ordering::SeqCst);
    let response = app.post("/v1/incidents", Some(&app.northmart_key), "application/x-ndjson", json_line("NM-1")).await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "1");
    assert_eq!(results(response).await.retry, 1);
    app.outage.store(false, std::sync::atomic::Ordering::SeqCst);
    let response = app.post("/v1/incidents", Some(&app.northmart_key), "application/x-ndjson", json_line("NM-1")).await;
    assert_eq!(results(response).await.results[0].status, IngestStatus::Accepted as i32);
}

#[tokio::test]
async fn results_are_proto3_json() {
    let app = spawn_app().await;
    let response = app.post("/v1/incidents", Some(&app.northmart_key), "application/x-ndjson", json_line("NM-1")).await;
    let raw: serde_json::Value = response.json().await.unwrap();
    assert_eq!(raw["results"][0]["status"], "INGEST_STATUS_ACCEPTED");
    assert_eq!(raw["results"][0]["retailerRef"], "NM-1");
    assert_eq!(raw["accepted"], 1);
    let _: v1::IngestAck = serde_json::from_value(raw["results"][0].clone()).unwrap();
}

#[tokio::test]
async fn a_reference_repeated_within_one_body_meets_its_own_earlier_record() {
    let app = spawn_app().await;
    let mut changed = incident("NM-1");
    changed.narrative = "a different account".into();
    let body =
        [json_line("NM-1"), json_line("NM-1"), incident_to_json_line(&changed).unwrap(), json_line("NM-2")].join("\n");
    let reply = results(app.post("/v1/incidents", Some(&app.northmart_key), "application/x-ndjson", body).await).await;
    let statuses: Vec<_> = reply.results.iter().map(|ack| ack.status).collect();
    let expected = [IngestStatus::Accepted, IngestStatus::Duplicate, IngestStatus::Rejected, IngestStatus::Accepted];
    assert_eq!(statuses, expected.map(|status| status as i32));
    assert_eq!(reply.results[2].problems[0].code, "changed-resubmission");
    assert_eq!(app.read_topic(topics::INCIDENTS).await.len(), 2);
}

#[tokio::test]
async fn a_body_of_garbage_is_refused_whole_and_keeps_one_bounded_record() {
    let app = spawn_app().await;
    // The shape of the body the security review sent: an array of 50,000 numbers.
    let garbage = format!("[{}]", vec!["1"; 50_000].join(","));
    let response = app.post("/v1/incidents", Some(&app.northmart_key), "application/json", garbage.clone()).await;
    assert_eq!(response.status(), 400);
    let text = response.text().await.unwrap();
    assert!(text.len() < 2_000, "a short answer, not one result per element: {} bytes", text.len());
    assert!(text.contains("50000 of its 50000 records are not incidents"), "{text}");
    let kept = app.store.rejected("northmart", 100).await.unwrap();
    assert_eq!(kept.len(), 1, "one record for the body");
    assert_eq!(kept[0].payload.len(), IngestConfig::default().max_kept_rejected_bytes);
    assert!(kept[0].problems.contains("mostly-unreadable") && kept[0].problems.contains("payload-cut"));
    assert!(app.read_topic(topics::DEAD_LETTERS).await.is_empty());
    assert!(app.read_topic(topics::INCIDENTS).await.is_empty());
}

#[tokio::test]
async fn rejected_records_past_the_budget_are_answered_but_not_kept() {
    let config = IngestConfig { max_rejected_per_request: 3, ..IngestConfig::default() };
    let app = spawn_app_with(config).await;
    // Valid JSON that fails validation: no store, no time. One good record earns one more.
    let bad = |n: usize| format!("{{\"retailerRef\": \"BAD-{n}\"}}");
    let mut lines: Vec<String> = (0..5).map(bad).collect();
    lines.insert(2, json_line("NM-1"));
    let body =
        results(app.post("/v1/incidents", Some(&app.northmart_key), "application/x-ndjson", lines.join("\n")).await)
            .await;
    assert_eq!((body.accepted, body.rejected), (1, 5));
    let not_kept: Vec<_> = body
        .results
        .iter()
        .filter(|ack| ack.problems.iter().any(|p| p.code == "too-many-rejections"))
        .map(|ack| ack.retailer_ref.as_str())
        .collect();
    assert_eq!(not_kept, ["BAD-4"], "3 kept, 1 more earned by the good record, the fifth not kept");
    assert_eq!(app.store.rejected("northmart", 100).await.unwrap().len(), 4);
    assert_eq!(app.read_topic(topics::DEAD_LETTERS).await.len(), 4);
}

#[tokio::test]
async fn a_huge_rejected_record_is_kept_cut_with_its_length_and_hash() {
    let app = spawn_app().await;
    let huge = format!("{{\"retailerRef\": \"NM-HUGE\", \"narrative\": \"{}\", \"storeId\": }}", "x".repeat(1_000_000));
    let body =
        results(app.post("/v1/incidents", Some(&app.northmart_key), "application/x-ndjson", huge.clone()).await).await;
    assert_eq!(body.rejected, 1);
    let kept = app.store.rejected("northmart", 10).await.unwrap();
    let max = IngestConfig::default().max_kept_rejected_bytes;
    assert_eq!(kept[0].payload, huge.as_bytes()[..max]);
    assert!(kept[0].problems.contains(&format!("only the first {max} of {} bytes were kept", huge.len())));
    let dead_letters = app.read_topic(topics::DEAD_LETTERS).await;
    assert_eq!(dead_letters[0].value.len(), max, "the dead letter is cut the same way");
}

#[tokio::test]
async fn a_record_that_is_json_but_not_an_incident_gets_every_problem_by_field() {
    let app = spawn_app().await;
    let body = r#"{"retailerRef": "NM-9", "eventType": "EVENT_TYPE_BURGLARY", "lineItems": [{"unitPricePence": 18.99}], "occurredFrom": "2026-03-01T10:15:00"}"#;
    let response = app.post("/v1/incidents", Some(&app.northmart_key), "application/x-ndjson", body.to_owned()).await;
    assert_eq!(response.status(), 200);
    let body = results(response).await;
    assert_eq!((body.accepted, body.rejected), (0, 1));
    let problems = &body.results[0].problems;
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["eventType", "lineItems[0].unitPricePence", "occurredFrom"], "{problems:?}");
    assert!(problems[0].reason.contains("EVENT_TYPE_SHOPLIFTING"), "accepted values listed: {}", problems[0].reason);
    assert!(problems[1].reason.contains("1899"), "pounds, not pence: {}", problems[1].reason);
    assert!(problems[2].reason.contains("no time zone"), "{}", problems[2].reason);
    assert_eq!(body.results[0].retailer_ref, "NM-9", "the reference is read from the record");
}
