//! The event log contract: one async function per behaviour, run against every implementation
//! through [`contract_tests!`]. Every test uses its own random topics and groups.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use orca_eventlog::{Consumer, Error, EventLog, OutRecord, Position, Record, TopicSpec, partition_for_key};

/// Generates one `#[tokio::test]` per behaviour. `$backend` is an async expression returning
/// `(Arc<dyn EventLog>, guard)`, the guard living as long as the test (a temporary directory).
#[macro_export]
macro_rules! contract_tests {
    ($backend:expr) => {
        $crate::contract_tests!(@tests $backend;
            keyed_records_land_on_their_partition_in_order,
            offsets_are_dense_from_zero_and_append_returns_them,
            consumer_starts_exactly_at_the_given_positions,
            committed_offsets_are_visible_and_a_new_member_resumes_after_them,
            end_offsets_count_the_records_of_each_partition,
            two_topics_are_independent,
            headers_keys_and_values_round_trip,
            poll_on_an_idle_topic_times_out_empty,
            records_appended_while_a_poll_waits_wake_it,
            ensure_topics_is_idempotent_and_rejects_a_different_shape,
            unknown_topics_are_reported,
            members_of_one_group_together_read_every_record,
            a_start_offset_past_the_end_reads_from_the_beginning,
            consumer_misuse_is_reported_and_not_retryable,
            a_compacted_topic_takes_a_report_and_its_null_tombstone,
        );
    };
    (@tests $backend:expr; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let (log, _guard) = $backend.await;
                contract::$name(log).await;
            }
        )*
    };
}

/// Long enough for a Kafka group join and rebalance; a test that waits this long has failed.
const PATIENCE: Duration = Duration::from_secs(60);

pub fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_nanos();
    format!("{prefix}-{}-{nanos}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

async fn topic(log: &Arc<dyn EventLog>, partitions: u32) -> String {
    let name = unique("contract");
    log.ensure_topics(&[TopicSpec::new(name.clone(), partitions)]).await.expect("create topic");
    name
}

/// A key that the partitioner sends to `partition`.
fn key_for(partition: u32, partitions: u32, salt: &str) -> String {
    (0..)
        .map(|n| format!("{salt}-{n}"))
        .find(|key| partition_for_key(key.as_bytes(), partitions) == Some(partition))
        .unwrap()
}

/// Polls until `count` records arrived, failing the test if they do not within [`PATIENCE`].
pub async fn consume(consumer: &mut dyn Consumer, count: usize) -> Vec<Record> {
    let mut records = Vec::new();
    let gather = async {
        while records.len() < count {
            records.extend(consumer.poll(count - records.len(), Duration::from_secs(1)).await.expect("poll"));
        }
    };
    if tokio::time::timeout(PATIENCE, gather).await.is_err() {
        panic!("expected {count} records, got {}", records.len());
    }
    records
}

async fn consumer(log: &Arc<dyn EventLog>, group: &str, topics: &[&str], start: Vec<Position>) -> Box<dyn Consumer> {
    let topics: Vec<String> = topics.iter().map(|topic| topic.to_string()).collect();
    log.consumer(group, &topics, start).await.expect("consumer")
}

pub async fn keyed_records_land_on_their_partition_in_order(log: Arc<dyn EventLog>) {
    let topic = topic(&log, 4).await;
    let records: Vec<OutRecord> =
        (0..200).map(|n| OutRecord::new(&topic, format!("key-{}", n % 20), format!("{}", n / 20))).collect();
    let placed = log.append(records.clone()).await.expect("append");
    for (record, (partition, _)) in records.iter().zip(&placed) {
        assert_eq!(Some(*partition), partition_for_key(&record.key, 4), "key {:?}", record.key);
    }

    let mut reader = consumer(&log, &unique("group"), &[&topic], Vec::new()).await;
    let consumed = consume(reader.as_mut(), 200).await;
    let mut sequences: BTreeMap<Vec<u8>, Vec<u32>> = BTreeMap::new();
    for record in &consumed {
        assert_eq!(Some(record.partition), partition_for_key(&record.key, 4));
        sequences.entry(record.key.clone()).or_default().push(String::from_utf8_lossy(&record.value).parse().unwrap());
    }
    assert_eq!(sequences.len(), 20);
    for (key, sequence) in sequences {
        assert_eq!(sequence, (0..10).collect::<Vec<_>>(), "order of key {key:?}");
    }
}

pub async fn offsets_are_dense_from_zero_and_append_returns_them(log: Arc<dyn EventLog>) {
    let topic = topic(&log, 1).await;
    let mut placed = Vec::new();
    for batch in 0..3 {
        let records = (0..5).map(|n| OutRecord::new(&topic, format!("k{n}"), format!("{batch}-{n}"))).collect();
        placed.extend(log.append(records).await.expect("append"));
    }
    assert_eq!(placed, (0..15).map(|offset| (0, offset)).collect::<Vec<_>>());

    let mut reader = consumer(&log, &unique("group"), &[&topic], Vec::new()).await;
    let consumed = consume(reader.as_mut(), 15).await;
    let offsets: Vec<u64> = consumed.iter().map(|record| record.offset).collect();
    assert_eq!(offsets, (0..15).collect::<Vec<_>>());
    assert_eq!(consumed[7].value, b"1-2");
}

pub async fn consumer_starts_exactly_at_the_given_positions(log: Arc<dyn EventLog>) {
    let topic = topic(&log, 2).await;
    let (key0, key1) = (key_for(0, 2, "start"), key_for(1, 2, "start"));
    let records = (0..20).flat_map(|n| {
        [OutRecord::new(&topic, key0.clone(), format!("{n}")), OutRecord::new(&topic, key1.clone(), format!("{n}"))]
    });
    log.append(records.collect()).await.expect("append");

    let start = vec![Position::new(&topic, 0, 5), Position::new(&topic, 1, 12)];
    let mut reader = consumer(&log, &unique("group"), &[&topic], start).await;
    let consumed = consume(reader.as_mut(), 15 + 8).await;
    let seen: BTreeSet<(u32, u64)> = consumed.iter().map(|record| (record.partition, record.offset)).collect();
    let expected: BTreeSet<(u32, u64)> =
        (5..20).map(|offset| (0, offset)).chain((12..20).map(|offset| (1, offset))).collect();
    assert_eq!(seen, expected);
    assert_eq!(consumed.len(), expected.len(), "no record twice");
    assert!(reader.poll(10, Duration::from_millis(500)).await.expect("poll").is_empty(), "nothing before the start");
}

pub async fn committed_offsets_are_visible_and_a_new_member_resumes_after_them(log: Arc<dyn EventLog>) {
    let topic = topic(&log, 2).await;
    let key = key_for(0, 2, "commit");
    log.append((0..30).map(|n| OutRecord::new(&topic, key.clone(), format!("{n}"))).collect()).await.expect("append");
    let group = unique("group");
    assert_eq!(log.committed(&group, &topic).await.expect("committed"), vec![None, None]);

    let mut first = consumer(&log, &group, &[&topic], Vec::new()).await;
    let consumed = consume(first.as_mut(), 1).await;
    assert_eq!(consumed[0].offset, 0);
    first.commit(&[Position::new(&topic, 0, 10)]).await.expect("commit");
    assert_eq!(log.committed(&group, &topic).await.expect("committed"), vec![Some(10), None]);
    drop(first);

    let mut second = consumer(&log, &group, &[&topic], Vec::new()).await;
    let resumed = consume(second.as_mut(), 20).await;
    assert_eq!(resumed.first().map(|record| record.offset), Some(10));
    assert_eq!(resumed.last().map(|record| record.offset), Some(29));
    second.commit(&[resumed.last().unwrap().next_position()]).await.expect("commit");
    assert_eq!(log.committed(&group, &topic).await.expect("committed"), vec![Some(30), None]);
}

pub async fn end_offsets_count_the_records_of_each_partition(log: Arc<dyn EventLog>) {
    let topic = topic(&log, 3).await;
    assert_eq!(log.end_offsets(&topic).await.expect("end offsets"), vec![0, 0, 0]);
    let keys = [key_for(0, 3, "end"), key_for(2, 3, "end")];
    let records = (0..7)
        .map(|_| OutRecord::new(&topic, keys[0].clone(), "a"))
        .chain((0..4).map(|_| OutRecord::new(&topic, keys[1].clone(), "b")));
    log.append(records.collect()).await.expect("append");
    log.append(vec![OutRecord::new(&topic, keys[1].clone(), "c")]).await.expect("append");
    assert_eq!(log.end_offsets(&topic).await.expect("end offsets"), vec![7, 0, 5]);

    // A large append travels in several multi-record batches per partition.
    let placed = log
        .append((0..3000).map(|n| OutRecord::new(&topic, format!("bulk-{n}"), vec![b'x'; 200])).collect())
        .await
        .expect("append");
    let mut expected = vec![7, 0, 5];
    for (partition, offset) in placed {
        assert_eq!(offset, expected[partition as usize], "offsets stay dense in partition {partition}");
        expected[partition as usize] += 1;
    }
    assert_eq!(log.end_offsets(&topic).await.expect("end offsets"), expected);
}

pub async fn a_start_offset_past_the_end_reads_from_the_beginning(log: Arc<dyn EventLog>) {
    let topic = topic(&log, 1).await;
    log.append((0..3).map(|n| OutRecord::new(&topic, "k", format!("{n}"))).collect()).await.expect("append");
    let mut reader = consumer(&log, &unique("group"), &[&topic], vec![Position::new(&topic, 0, 1000)]).await;
    let consumed = consume(reader.as_mut(), 3).await;
    assert_eq!(consumed.iter().map(|record| record.offset).collect::<Vec<_>>(), [0, 1, 2]);
}

pub async fn two_topics_are_independent(log: Arc<dyn EventLog>) {
    let (first, second) = (topic(&log, 1).await, topic(&log, 1).await);
    let placed_first = log
        .append((0..5).map(|n| OutRecord::new(&first, "same", format!("first-{n}"))).collect())
        .await
        .expect("append");
    let placed_second = log
        .append((0..3).map(|n| OutRecord::new(&second, "same", format!("second-{n}"))).collect())
        .await
        .expect("append");
    assert_eq!(placed_first.last(), Some(&(0, 4)));
    assert_eq!(placed_second.last(), Some(&(0, 2)));
    assert_eq!(log.end_offsets(&first).await.expect("end offsets"), vec![5]);
    assert_eq!(log.end_offsets(&second).await.expect("end offsets"), vec![3]);

    let group = unique("group");
    let mut reader = consumer(&log, &group, &[&second], Vec::new()).await;
    let consumed = consume(reader.as_mut(), 3).await;
    assert!(consumed.iter().all(|record| record.topic == second && record.value.starts_with(b"second")));
    reader.commit(&[consumed[2].next_position()]).await.expect("commit");
    assert_eq!(log.committed(&group, &second).await.expect("committed"), vec![Some(3)]);
    assert_eq!(log.committed(&group, &first).await.expect("committed"), vec![None]);
}

pub async fn headers_keys_and_values_round_trip(log: Arc<dyn EventLog>) {
    let topic = topic(&log, 1).await;
    let binary: Vec<u8> = (0..=255).collect();
    let sent = vec![
        OutRecord::new(&topic, "incident-1", binary.clone())
            .with_header("content-type", "application/x-protobuf")
            .with_header("empty", Vec::new())
            .with_header("binary", binary.clone())
            .with_header("content-type", "repeated"),
        OutRecord::new(&topic, "incident-2", Vec::new()),
    ];
    log.append(sent.clone()).await.expect("append");
    let mut reader = consumer(&log, &unique("group"), &[&topic], Vec::new()).await;
    let received = consume(reader.as_mut(), 2).await;
    for (sent, received) in sent.iter().zip(&received) {
        assert_eq!(
            (&received.topic, &received.key, &received.value),
            (&sent.topic, &sent.key.to_vec(), &sent.value.to_vec())
        );
        assert_eq!(received.headers, sent.headers);
        assert!(received.timestamp_ms > 1_600_000_000_000, "timestamp {}", received.timestamp_ms);
    }
    assert_eq!(received[0].header("content-type"), Some(&b"application/x-protobuf"[..]));
}

/// A compacted topic is created (Kafka: `cleanup.policy=compact` with ORCA's compaction lag) and
/// a null tombstone after a record under its key reads back as an empty value, after it.
pub async fn a_compacted_topic_takes_a_report_and_its_null_tombstone(log: Arc<dyn EventLog>) {
    let topic = unique("compacted");
    log.ensure_topics(&[TopicSpec { compacted: true, ..TopicSpec::new(topic.clone(), 1) }]).await.expect("create");
    let sent = vec![
        OutRecord::new(&topic, "INC-1", "the report"),
        OutRecord::new(&topic, "INC-1", "its disposal").with_header("orca-record", "withdrawal"),
        OutRecord::new(&topic, "INC-1", Vec::new()),
    ];
    log.append(sent).await.expect("append");
    let mut reader = consumer(&log, &unique("group"), &[&topic], Vec::new()).await;
    let received = consume(reader.as_mut(), 3).await;
    let values: Vec<&[u8]> = received.iter().map(|r| r.value.as_slice()).collect();
    // Nothing has been read by a group that committed, so nothing is compacted away yet.
    assert_eq!(values, [&b"the report"[..], b"its disposal", b""]);
    assert!(received.iter().all(|r| r.key == b"INC-1"));
}

pub async fn poll_on_an_idle_topic_times_out_empty(log: Arc<dyn EventLog>) {
    let topic = topic(&log, 2).await;
    let mut reader = consumer(&log, &unique("group"), &[&topic], Vec::new()).await;
    assert!(reader.poll(10, Duration::from_millis(300)).await.expect("poll").is_empty());
    assert!(reader.poll(10, Duration::ZERO).await.expect("poll").is_empty());
}

pub async fn records_appended_while_a_poll_waits_wake_it(log: Arc<dyn EventLog>) {
    let topic = topic(&log, 1).await;
    let mut reader = consumer(&log, &unique("group"), &[&topic], Vec::new()).await;
    // The poll's own timeout is far longer than the test's patience: only a wake-up can pass.
    let mut waiting = reader.poll(10, PATIENCE * 10);
    assert!(futures::poll!(&mut waiting).is_pending(), "nothing to read yet");
    log.append(vec![OutRecord::new(&topic, "k", "late")]).await.expect("append");
    let records = tokio::time::timeout(PATIENCE, waiting).await.expect("poll woke up").expect("poll");
    assert_eq!(records.iter().map(|record| record.value.as_slice()).collect::<Vec<_>>(), [b"late"]);
}

pub async fn ensure_topics_is_idempotent_and_rejects_a_different_shape(log: Arc<dyn EventLog>) {
    let name = unique("contract");
    let spec = TopicSpec { name: name.clone(), partitions: 3, replication: 1, compacted: true, retention_ms: None };
    log.ensure_topics(std::slice::from_ref(&spec)).await.expect("create");
    log.ensure_topics(std::slice::from_ref(&spec)).await.expect("create again");
    assert_eq!(log.end_offsets(&name).await.expect("end offsets").len(), 3);
    let conflicting = TopicSpec { partitions: 5, ..spec };
    let error = log.ensure_topics(&[conflicting]).await.expect_err("partition count differs");
    assert!(matches!(error, Error::TopicConflict { existing: 3, requested: 5, .. }), "{error}");
    let invalid = log.ensure_topics(&[TopicSpec::new("no spaces allowed", 1)]).await.expect_err("bad name");
    assert!(!invalid.is_retryable());
}

pub async fn unknown_topics_are_reported(log: Arc<dyn EventLog>) {
    let missing = unique("missing");
    assert!(matches!(log.end_offsets(&missing).await, Err(Error::UnknownTopic(_))));
    assert!(matches!(log.committed("group", &missing).await, Err(Error::UnknownTopic(_))));
    assert!(matches!(
        log.consumer("group", std::slice::from_ref(&missing), Vec::new()).await,
        Err(Error::UnknownTopic(_))
    ));
    assert!(matches!(log.append(vec![OutRecord::new(&missing, "k", "v")]).await, Err(Error::UnknownTopic(_))));
}

pub async fn members_of_one_group_together_read_every_record(log: Arc<dyn EventLog>) {
    let topic = topic(&log, 4).await;
    let group = unique("group");
    log.append((0..40).map(|n| OutRecord::new(&topic, format!("k{n}"), format!("{n}"))).collect())
        .await
        .expect("append");
    let mut first = consumer(&log, &group, &[&topic], Vec::new()).await;
    let mut second = consumer(&log, &group, &[&topic], Vec::new()).await;
    let mut seen = BTreeSet::new();
    let gather = async {
        while seen.len() < 40 {
            for member in [&mut first, &mut second] {
                for record in member.poll(40, Duration::from_millis(200)).await.expect("poll") {
                    seen.insert(record.value);
                }
            }
        }
    };
    tokio::time::timeout(PATIENCE, gather).await.expect("both members together read all 40 records");
}

pub async fn consumer_misuse_is_reported_and_not_retryable(log: Arc<dyn EventLog>) {
    let (subscribed, other) = (topic(&log, 2).await, topic(&log, 1).await);
    let topics = vec![subscribed.clone()];
    let errors = [
        log.consumer("", &topics, Vec::new()).await.err().expect("empty group name"),
        log.consumer("group", &[], Vec::new()).await.err().expect("no topics"),
        log.consumer("group", &topics, vec![Position::new(&other, 0, 0)]).await.err().expect("unsubscribed start"),
        log.consumer("group", &topics, vec![Position::new(&subscribed, 2, 0)]).await.err().expect("no partition 2"),
    ];
    for error in &errors {
        assert!(!error.is_retryable(), "{error}");
    }
    assert!(matches!(errors[3], Error::UnknownPartition { partition: 2, .. }), "{}", errors[3]);
}
