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
    let specs = ["in", "out", orca_eventlog::topics::DEAD_LETTERS].map(|t| TopicSpec::new(t, 2));
    log.ensure_topics(&specs).await.expect("topics");
    let store = SqlStore::connect(&format!("sqlite://{}", dir.join("orca.db").display())).await.expect("store");
    (Arc::new(log), Arc::new(store))
}

/// Runs the stage until it has accounted for everything on its input, then stops it.
async fn run_until_caught_up(log: Arc<dyn EventLog>, store: Arc<dyn Store>, seen: u64) {
    let shutdown = CancellationToken::new();
    let config = RunnerConfig { poll_timeout: Duration::from_millis(20), ..RunnerConfig::default() };
    let lease = take_lease(store.as_ref(), "this-process").await;
    let runner = StageRunner::new(Upper { seen }, log.clone(), store.clone(), config, lease);
    let task = tokio::spawn(runner.run(shutdown.clone()));
    let mut settled = tokio::time::interval(Duration::from_millis(10));
    while lag(log.as_ref(), store.as_ref(), "upper", &["in".into()]).await.expect("lag") > 0 {
        settled.tick().await;
    }
    shutdown.cancel();
    task.await.expect("join").expect("runner");
}

async fn take_lease(store: &dyn Store, holder: &str) -> Lease {
    let ttl = Duration::from_secs(30);
    lease::acquire(store, "upper", holder, ttl, &CancellationToken::new(), || panic!("nobody else holds it"))
        .await
        .expect("not shut down")
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
    let dead = read_all(log.as_ref(), orca_eventlog::topics::DEAD_LETTERS).await;
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

#[tokio::test]
async fn a_runner_whose_lease_was_taken_over_commits_nothing_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (log, store) = setup(dir.path()).await;
    let stale = take_lease(store.as_ref(), "stalled-process").await;
    // The stalled process's lease lapses (a minute from now, by the clock) and another takes over.
    let later = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64 + 60_000;
    let epoch = store.acquire_lease("upper", "standby-process", later, 30_000).await.unwrap();
    assert_eq!(epoch, Some(stale.epoch + 1), "the standby takes the lease with the next epoch");

    log.append(vec![OutRecord::new("in", "a", "alpha")]).await.unwrap();
    let config = RunnerConfig { poll_timeout: Duration::from_millis(20), ..RunnerConfig::default() };
    let runner = StageRunner::new(Upper { seen: 0 }, log.clone(), store.clone(), config, stale);
    let error = runner.run(CancellationToken::new()).await.expect_err("the stale writer may not commit");
    assert!(error.is_lease_lost(), "{error}");
    assert_eq!(store.get_state("upper.count", "seen").await.unwrap(), None, "its batch is not in the store");
    assert!(store.offsets("upper").await.unwrap().is_empty(), "nor are its offsets");
}

#[tokio::test]
async fn a_standby_waits_for_the_lease_and_takes_it_when_released() {
    let dir = tempfile::tempdir().unwrap();
    let (_log, store) = setup(dir.path()).await;
    let active = take_lease(store.as_ref(), "active").await;
    let (standing_by, mut told) = tokio::sync::mpsc::unbounded_channel();
    let waiting = {
        let store = store.clone();
        tokio::spawn(async move {
            let shutdown = CancellationToken::new();
            let ttl = Duration::from_millis(300); // it looks again every 100 ms
            lease::acquire(store.as_ref(), "upper", "standby", ttl, &shutdown, move || standing_by.send(()).unwrap())
                .await
        })
    };
    told.recv().await.expect("the second process says it stands by");
    assert!(!waiting.is_finished(), "it waits while the lease is held");
    lease::release(store.as_ref(), &active).await;
    let taken = waiting.await.unwrap().expect("it takes the released lease");
    assert_eq!((taken.holder.as_str(), taken.epoch), ("standby", active.epoch + 1));
}

#[tokio::test]
async fn records_a_fenced_upstream_writer_appended_late_are_skipped_and_outputs_carry_the_epoch() {
    let dir = tempfile::tempdir().unwrap();
    let (log, store) = setup(dir.path()).await;
    let from = |epoch: i64, text: &str| {
        let mut record = OutRecord::new("in", "k", text.to_owned());
        record
            .headers
            .push((orca_eventlog::WRITER_EPOCH.to_owned(), orca_eventlog::fencing::writer_epoch("up", epoch)));
        record
    };
    // The upstream writer at epoch 1 stalled; epoch 2 took over; epoch 1's last batch lands late.
    log.append(vec![from(1, "one"), from(2, "two"), from(1, "late")]).await.unwrap();
    run_until_caught_up(log.clone(), store.clone(), 0).await;
    log.append(vec![from(1, "later still"), from(2, "three")]).await.unwrap();
    run_until_caught_up(log.clone(), store.clone(), 2).await;

    let out = read_all(log.as_ref(), "out").await;
    let mut texts: Vec<String> = out.iter().map(|r| String::from_utf8(r.value.clone()).unwrap()).collect();
    texts.sort();
    assert_eq!(texts, ["ONE", "THREE", "TWO"], "the fenced writer's late records were skipped, across a restart");
    let header = out[0].header(orca_eventlog::WRITER_EPOCH).map(|h| String::from_utf8_lossy(h).into_owned());
    assert!(header.as_deref().is_some_and(|h| h.starts_with("upper:")), "outputs name their writer: {header:?}");
    assert_eq!(store.offsets("upper").await.unwrap().iter().map(|o| o.next_offset).sum::<u64>(), 5);
}

/// A stage that indexes packages and gets no input: its stored versions' bodies are the report
/// they cite.
struct Indexer;

impl Stage for Indexer {
    fn name(&self) -> &'static str {
        "upper"
    }
    fn input_topics(&self) -> Vec<String> {
        vec!["in".into()]
    }
    fn process(&mut self, _records: &[Record]) -> Batch {
        Batch::default()
    }
    fn package_history(&self) -> Option<&dyn PackageHistory> {
        Some(self)
    }
}

impl PackageHistory for Indexer {
    fn citations(&self, body: &[u8]) -> Result<Vec<String>, String> {
        Ok(vec![String::from_utf8_lossy(body).into_owned()])
    }
    fn scrub(&self, package: &PackageToScrub) -> Result<Option<ScrubbedPackage>, String> {
        let body = format!("without {}", package.disposed.join(", ")).into_bytes();
        Ok(Some(ScrubbedPackage { summary: b"scrubbed".to_vec(), body, cited_incidents: Vec::new() }))
    }
}

#[tokio::test]
async fn a_quiet_stage_that_indexes_packages_still_takes_a_disposed_report_out_of_earlier_versions() {
    let dir = tempfile::tempdir().unwrap();
    let (log, store) = setup(dir.path()).await;
    let package = orca_store::PackageRecord {
        package_id: "PKG-G1".into(),
        version: 1,
        lead_force: "kent".into(),
        forces: vec!["kent".into()],
        summary: b"summary".to_vec(),
        body: b"INC-NM-1".to_vec(),
        priority_rank: 1,
        withdrawn: false,
        last_seen_ms: 0,
        changed_at_ms: 0,
        cited_incidents: vec!["INC-NM-1".into()],
    };
    let mut tx = store.begin().await.unwrap();
    tx.put_package(&package).await.unwrap();
    tx.commit().await.unwrap();
    let claim = orca_store::IncidentClaim {
        retailer: "northmart".into(),
        retailer_ref: "NM-1".into(),
        incident_id: "INC-NM-1".into(),
        content_hash: "h1".into(),
        received_at_ms: 1,
    };
    store.claim_incidents(&[claim]).await.unwrap();
    let withdrawal = orca_store::WithdrawalRecord {
        retailer: "northmart".into(),
        retailer_ref: "NM-1".into(),
        revision: 1,
        reason: "wrong store".into(),
        withdrawn_by: "northmart".into(),
        at_ms: 2,
    };
    assert!(store.withdraw_incident(&withdrawal).await.unwrap());
    let disposal = orca_store::DisposalRecord {
        retailer: "northmart".into(),
        retailer_ref: "NM-1".into(),
        at_ms: 3,
        disposed_by: "opal-1".into(),
        reason: "review".into(),
    };
    assert!(store.dispose_incident(&disposal).await.unwrap());

    let shutdown = CancellationToken::new();
    let config = RunnerConfig {
        poll_timeout: Duration::from_millis(20),
        history_every: Duration::ZERO,
        ..RunnerConfig::default()
    };
    let lease = take_lease(store.as_ref(), "this-process").await;
    let task = tokio::spawn(StageRunner::new(Indexer, log, store.clone(), config, lease).run(shutdown.clone()));
    let scrubbed = async {
        let mut check = tokio::time::interval(Duration::from_millis(10));
        loop {
            check.tick().await;
            let row = store.package("PKG-G1", Some(1)).await.unwrap().unwrap();
            if row.body != b"INC-NM-1" {
                return row;
            }
        }
    };
    let row = tokio::time::timeout(Duration::from_secs(20), scrubbed).await.expect("scrubbed with no input");
    assert_eq!((row.body.as_slice(), row.summary.as_slice()), (&b"without INC-NM-1"[..], &b"scrubbed"[..]));
    shutdown.cancel();
    task.await.unwrap().unwrap();
}
