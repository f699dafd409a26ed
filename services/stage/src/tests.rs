//! The runner against the embedded log and a SQLite store, with a toy stage that upper-cases text
//! and dead-letters anything that is not UTF-8.

use super::*;
use orca_eventlog::{EmbeddedLog, EventLog, TopicSpec};
use orca_store::{SqlStore, Store};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

struct Upper {
    seen: u64,
}

impl Stage for Upper {
    fn name(&self) -> &'static str {
        "upper"
    }
    fn input_topics(&self) -> Vec<String> {
        vec!["in".into()]
    }
    fn process(&mut self, records: &[Record]) -> Batch {
        let mut batch = Batch::default();
        for record in records {
            match std::str::from_utf8(&record.value) {
                Ok(text) => {
                    self.seen += 1;
                    batch.outputs.push(OutRecord::new("out", record.key.clone(), text.to_uppercase()));
                }
                Err(error) => batch.dead_letters.push(DeadLetter { record: record.clone(), error: error.to_string() }),
            }
        }
        batch.state.push(StateChange::put("upper.count", "seen", self.seen.to_string().into_bytes()));
        batch
    }
}

async fn setup(dir: &std::path::Path) -> (Arc<dyn EventLog>, Arc<dyn Store>) {
    let log = EmbeddedLog::open(&dir.join("log")).expect("log");
    let specs = ["in", "out", orca_eventlog::topics::INCIDENTS_DLQ].map(|t| TopicSpec::new(t, 2));
    log.ensure_topics(&specs).await.expect("topics");
    let store = SqlStore::connect(&format!("sqlite://{}", dir.join("orca.db").display())).await.expect("store");
    (Arc::new(log), Arc::new(store))
}

/// Runs the stage until it has accounted for everything on its input, then stops it.
async fn run_until_caught_up(log: Arc<dyn EventLog>, store: Arc<dyn Store>, seen: u64) {
    let shutdown = CancellationToken::new();
    let config = RunnerConfig { poll_timeout: Duration::from_millis(20), ..RunnerConfig::default() };
    let runner = StageRunner::new(Upper { seen }, log.clone(), store.clone(), config);
    let task = tokio::spawn(runner.run(shutdown.clone()));
    let mut settled = tokio::time::interval(Duration::from_millis(10));
    while lag(log.as_ref(), store.as_ref(), "upper", &["in".into()]).await.expect("lag") > 0 {
        settled.tick().await;
    }
    shutdown.cancel();
    task.await.expect("join").expect("runner");
}

async fn read_all(log: &dyn EventLog, topic: &str) -> Vec<Record> {
    let total: u64 = log.end_offsets(topic).await.unwrap().iter().sum();
    let mut consumer = log.consumer(&format!("reader-{topic}"), &[topic.to_owned()], vec![]).await.unwrap();
    let mut records = Vec::new();
    while (records.len() as u64) < total {
        records.extend(consumer.poll(100, Duration::from_secs(5)).await.unwrap());
    }
    records
}

#[tokio::test]
async fn outputs_state_and_offsets_land_together_and_poison_goes_to_the_dead_letter_topic() {
    let dir = tempfile::tempdir().unwrap();
    let (log, store) = setup(dir.path()).await;
    log.append(vec![
        OutRecord::new("in", "a", "alpha"),
        OutRecord::new("in", "b", vec![0xff, 0xfe]),
        OutRecord::new("in", "c", "gamma"),
    ])
    .await
    .unwrap();
    run_until_caught_up(log.clone(), store.clone(), 0).await;

    let mut out: Vec<String> =
        read_all(log.as_ref(), "out").await.iter().map(|r| String::from_utf8(r.value.clone()).unwrap()).collect();
    out.sort();
    assert_eq!(out, ["ALPHA", "GAMMA"]);
    let dead = read_all(log.as_ref(), orca_eventlog::topics::INCIDENTS_DLQ).await;
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].value, vec![0xff, 0xfe], "dead letters keep the original bytes");
    assert_eq!(dead[0].header(dead_letter_headers::SOURCE_TOPIC), Some(&b"in"[..]));
    assert!(dead[0].header(dead_letter_headers::ERROR).is_some_and(|e| !e.is_empty()));
    assert_eq!(store.get_state("upper.count", "seen").await.unwrap().as_deref(), Some(&b"2"[..]));
}

#[tokio::test]
async fn a_restarted_stage_resumes_after_what_it_committed() {
    let dir = tempfile::tempdir().unwrap();
    let (log, store) = setup(dir.path()).await;
    log.append(vec![OutRecord::new("in", "a", "one")]).await.unwrap();
    run_until_caught_up(log.clone(), store.clone(), 0).await;
    log.append(vec![OutRecord::new("in", "a", "two")]).await.unwrap();
    run_until_caught_up(log.clone(), store.clone(), 1).await;

    let out = read_all(log.as_ref(), "out").await;
    assert_eq!(out.len(), 2, "the first record was not processed twice");
    assert_eq!(store.get_state("upper.count", "seen").await.unwrap().as_deref(), Some(&b"2"[..]));
}
