//! What only the embedded log has to prove itself: state on disk survives reopening, a torn or
//! corrupt tail left by a crash is cut off, concurrent appends are serialised, one owner per
//! directory.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use orca_eventlog::{EmbeddedLog, Error, EventLog, OutRecord, Position, TopicSpec, topics};

fn segment(dir: &Path, topic: &str, partition: u32) -> PathBuf {
    dir.join("topics").join(topic).join(format!("{partition:05}.log"))
}

async fn single_partition_log_with(dir: &Path, count: usize) {
    let log = EmbeddedLog::open(dir).expect("open");
    log.ensure_topics(&[TopicSpec::new("t", 1)]).await.expect("create");
    let records = (0..count).map(|n| OutRecord::new("t", "k", format!("value-{n}"))).collect();
    log.append(records).await.expect("append");
}

async fn values(log: &EmbeddedLog, topic: &str) -> Vec<String> {
    let mut consumer = log.consumer("reader", &[topic.to_string()], Vec::new()).await.expect("consumer");
    let mut values = Vec::new();
    loop {
        let records = consumer.poll(1000, Duration::ZERO).await.expect("poll");
        if records.is_empty() {
            return values;
        }
        values.extend(records.into_iter().map(|record| String::from_utf8(record.value).expect("utf-8")));
    }
}

#[tokio::test]
async fn topics_records_and_committed_offsets_survive_reopening() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let log = EmbeddedLog::open(dir.path()).expect("open");
        log.ensure_topics(&topics::default_specs(3, 1)).await.expect("create");
        let records =
            (0..50).map(|n| OutRecord::new(topics::INCIDENTS, format!("incident-{n}"), format!("{n}"))).collect();
        log.append(records).await.expect("append");
        let mut consumer =
            log.consumer("resolver", &[topics::INCIDENTS.to_string()], Vec::new()).await.expect("consumer");
        consumer.commit(&[Position::new(topics::INCIDENTS, 1, 4)]).await.expect("commit");
    }

    let log = EmbeddedLog::open(dir.path()).expect("reopen");
    let mut expected_specs = topics::default_specs(3, 1);
    expected_specs.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(log.topics(), expected_specs, "names, partitions and the compacted flag are kept");
    let ends = log.end_offsets(topics::INCIDENTS).await.expect("end offsets");
    assert_eq!(ends.iter().sum::<u64>(), 50);
    assert_eq!(log.committed("resolver", topics::INCIDENTS).await.expect("committed"), vec![None, Some(4), None]);

    let mut consumer = log.consumer("resolver", &[topics::INCIDENTS.to_string()], Vec::new()).await.expect("consumer");
    let records = consumer.poll(1000, Duration::ZERO).await.expect("poll");
    let first_of_partition_1 = records.iter().find(|record| record.partition == 1).map(|record| record.offset);
    assert_eq!(first_of_partition_1, Some(4), "resumes after the committed offset");

    let placed = log.append(vec![OutRecord::new(topics::INCIDENTS, "incident-0", "again")]).await.expect("append");
    assert_eq!(placed[0].1, ends[placed[0].0 as usize], "appends continue after the recovered records");
}

#[tokio::test]
async fn garbage_after_the_last_record_is_truncated_on_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    single_partition_log_with(dir.path(), 10).await;
    let mut file = OpenOptions::new().append(true).open(segment(dir.path(), "t", 0)).expect("segment");
    file.write_all(&[0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]).expect("garbage");
    drop(file);

    let log = EmbeddedLog::open(dir.path()).expect("reopen");
    assert_eq!(log.end_offsets("t").await.expect("end offsets"), vec![10]);
    assert_eq!(log.append(vec![OutRecord::new("t", "k", "value-10")]).await.expect("append"), vec![(0, 10)]);
    let expected: Vec<String> = (0..11).map(|n| format!("value-{n}")).collect();
    assert_eq!(values(&log, "t").await, expected);
}

#[tokio::test]
async fn a_half_written_record_is_dropped_on_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    single_partition_log_with(dir.path(), 10).await;
    let path = segment(dir.path(), "t", 0);
    let len = std::fs::metadata(&path).expect("segment").len();
    OpenOptions::new().write(true).open(&path).expect("segment").set_len(len - 5).expect("cut");

    let log = EmbeddedLog::open(dir.path()).expect("reopen");
    assert_eq!(log.end_offsets("t").await.expect("end offsets"), vec![9]);
    assert_eq!(log.append(vec![OutRecord::new("t", "k", "replacement")]).await.expect("append"), vec![(0, 9)]);
    let values = values(&log, "t").await;
    assert_eq!(values.len(), 10);
    assert_eq!(values[9], "replacement");
}

#[tokio::test]
async fn a_last_record_failing_its_checksum_is_dropped_on_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    single_partition_log_with(dir.path(), 3).await;
    let path = segment(dir.path(), "t", 0);
    let mut bytes = std::fs::read(&path).expect("segment");
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&path, bytes).expect("flip a bit");

    let log = EmbeddedLog::open(dir.path()).expect("reopen");
    assert_eq!(values(&log, "t").await, ["value-0", "value-1"]);
}

/// A frame as the first segment format (`ORCASEG1`, values as given) wrote it.
fn v1_frame(offset: u64, value: &str) -> Vec<u8> {
    let mut payload = Vec::new();
    payload.extend_from_slice(&offset.to_le_bytes());
    payload.extend_from_slice(&0i64.to_le_bytes());
    for field in [&b"k"[..], value.as_bytes()] {
        payload.extend_from_slice(&(field.len() as u32).to_le_bytes());
        payload.extend_from_slice(field);
    }
    payload.extend_from_slice(&0u32.to_le_bytes());
    let mut frame = (payload.len() as u32).to_le_bytes().to_vec();
    frame.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    frame.extend_from_slice(&payload);
    frame
}

#[tokio::test]
async fn a_segment_written_before_compression_is_read_and_extended_in_its_own_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    single_partition_log_with(dir.path(), 0).await;
    let long = "an incident at store S-0042 in Kent, value 1899 pence; ".repeat(20);
    let mut old = b"ORCASEG1".to_vec();
    old.extend(v1_frame(0, "value-0"));
    old.extend(v1_frame(1, &long));
    std::fs::write(segment(dir.path(), "t", 0), &old).expect("write an old segment");

    {
        let log = EmbeddedLog::open(dir.path()).expect("reopen");
        assert_eq!(values(&log, "t").await, ["value-0", long.as_str()]);
        log.append(vec![OutRecord::new("t", "k", long.clone())]).await.expect("append");
    }
    let bytes = std::fs::read(segment(dir.path(), "t", 0)).expect("segment");
    assert!(bytes.starts_with(b"ORCASEG1"), "an old segment keeps its format");
    let log = EmbeddedLog::open(dir.path()).expect("reopen");
    assert_eq!(values(&log, "t").await, ["value-0", long.as_str(), long.as_str()]);
}

#[tokio::test]
async fn new_segments_store_large_values_compressed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let long = "an incident at store S-0042 in Kent, value 1899 pence; ".repeat(20);
    {
        let log = EmbeddedLog::open(dir.path()).expect("open");
        log.ensure_topics(&[TopicSpec::new("t", 1)]).await.expect("create");
        log.append((0..10).map(|_| OutRecord::new("t", "k", long.clone())).collect()).await.expect("append");
    }
    let on_disk = std::fs::metadata(segment(dir.path(), "t", 0)).expect("segment").len();
    assert!(on_disk * 5 < 10 * long.len() as u64, "{on_disk} bytes on disk for {} of values", 10 * long.len());
    let log = EmbeddedLog::open(dir.path()).expect("reopen");
    assert_eq!(values(&log, "t").await, vec![long; 10]);
}

#[tokio::test]
async fn a_file_that_is_not_a_segment_is_refused_not_truncated() {
    let dir = tempfile::tempdir().expect("tempdir");
    single_partition_log_with(dir.path(), 1).await;
    std::fs::write(segment(dir.path(), "t", 0), b"something else entirely").expect("overwrite");
    let error = EmbeddedLog::open(dir.path()).err().expect("refused");
    assert!(matches!(error, Error::Corrupt { .. }), "{error}");
    assert_eq!(std::fs::read(segment(dir.path(), "t", 0)).expect("kept"), b"something else entirely");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_appends_get_dense_offsets_and_keep_each_tasks_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = Arc::new(EmbeddedLog::open(dir.path()).expect("open"));
    log.ensure_topics(&[TopicSpec::new("t", 2)]).await.expect("create");
    let tasks: Vec<_> = (0..16)
        .map(|task| {
            let log = Arc::clone(&log);
            tokio::spawn(async move {
                let mut placed = Vec::new();
                for append in 0..25 {
                    let records =
                        (0..4).map(|n| OutRecord::new("t", format!("task-{task}"), format!("{append}-{n}"))).collect();
                    placed.extend(log.append(records).await.expect("append"));
                }
                placed
            })
        })
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        let placed = task.await.expect("task");
        assert!(
            placed.windows(2).all(|pair| pair[0].0 == pair[1].0 && pair[0].1 < pair[1].1),
            "one key, increasing offsets"
        );
        all.extend(placed);
    }
    let ends = log.end_offsets("t").await.expect("end offsets");
    for partition in 0..2 {
        let mut offsets: Vec<u64> = all.iter().filter(|(p, _)| *p == partition).map(|(_, offset)| *offset).collect();
        offsets.sort_unstable();
        assert_eq!(offsets, (0..ends[partition as usize]).collect::<Vec<_>>(), "partition {partition} is dense");
    }
    assert_eq!(all.len(), 16 * 25 * 4);
}

#[tokio::test]
async fn a_directory_is_open_in_one_log_at_a_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = EmbeddedLog::open(dir.path()).expect("open");
    let error = EmbeddedLog::open(dir.path()).err().expect("second open refused");
    assert!(matches!(error, Error::Config(_)), "{error}");
    drop(first);
    EmbeddedLog::open(dir.path()).expect("open after the first closed");
}
