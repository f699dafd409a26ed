//! Compaction of the embedded log's compacted topics: a record superseded by a later record with
//! its key, and read by every group that committed offsets for the topic, is erased in place (same
//! offset, timestamp and key; empty value, no headers), on open and through `compact()`.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use orca_eventlog::{EmbeddedLog, EventLog, OutRecord, Position, Record, TopicSpec, topics};

const COMPACTED: &str = "compacted";
const PLAIN: &str = "plain";

fn segment(dir: &Path, topic: &str, partition: u32) -> PathBuf {
    dir.join("topics").join(topic).join(format!("{partition:05}.log"))
}

fn inode(path: &Path) -> u64 {
    std::fs::metadata(path).expect("segment").ino()
}

/// Opens the log under `dir` with a compacted and an uncompacted topic of one partition each.
async fn open_with_topics(dir: &Path) -> EmbeddedLog {
    let log = EmbeddedLog::open(dir).expect("open");
    let compacted = TopicSpec { compacted: true, ..TopicSpec::new(COMPACTED, 1) };
    log.ensure_topics(&[compacted, TopicSpec::new(PLAIN, 1)]).await.expect("create");
    log
}

/// Key A twice, key B then its null tombstone, key C: offsets 0 to 4.
fn history(topic: &str) -> Vec<OutRecord> {
    vec![
        OutRecord::new(topic, "A", "A v1").with_header("trace", "a1"),
        OutRecord::new(topic, "A", "A v2"),
        OutRecord::new(topic, "B", "B v1"),
        OutRecord::new(topic, "B", ""),
        OutRecord::new(topic, "C", "C v1"),
    ]
}

async fn append_history(log: &EmbeddedLog, topic: &str) {
    let placed = log.append(history(topic)).await.expect("append");
    assert_eq!(placed, [(0, 0), (0, 1), (0, 2), (0, 3), (0, 4)]);
}

async fn commit(log: &EmbeddedLog, group: &str, topic: &str, offset: u64) {
    let mut consumer = log.consumer(group, &[topic.to_string()], Vec::new()).await.expect("consumer");
    consumer.commit(&[Position::new(topic, 0, offset)]).await.expect("commit");
}

/// Every record of the topic from offset 0, read by a group that never commits.
async fn read_all(log: &EmbeddedLog, topic: &str) -> Vec<Record> {
    let mut consumer = log.consumer("reader", &[topic.to_string()], Vec::new()).await.expect("consumer");
    let mut records = Vec::new();
    loop {
        let batch = consumer.poll(1000, Duration::ZERO).await.expect("poll");
        if batch.is_empty() {
            return records;
        }
        records.extend(batch);
    }
}

fn values(records: &[Record]) -> Vec<&str> {
    records.iter().map(|record| std::str::from_utf8(&record.value).expect("utf-8")).collect()
}

/// The history after compaction with every record read: A v1 and B v1 erased, the rest as written.
fn assert_compacted(records: &[Record], before: &[Record]) {
    assert_eq!(records.iter().map(|record| record.offset).collect::<Vec<_>>(), [0, 1, 2, 3, 4], "offsets stay dense");
    assert_eq!(values(records), ["", "A v2", "", "", "C v1"]);
    for (record, original) in records.iter().zip(before) {
        assert_eq!(record.key, original.key, "offset {} keeps its key", record.offset);
        assert_eq!(record.timestamp_ms, original.timestamp_ms, "offset {} keeps its timestamp", record.offset);
    }
    assert!(records[0].headers.is_empty(), "an erased record has no headers");
    assert_eq!(before[0].header("trace"), Some(&b"a1"[..]));
}

#[tokio::test]
async fn superseded_records_every_group_has_read_are_erased_when_the_log_is_reopened() {
    let dir = tempfile::tempdir().expect("tempdir");
    let before = {
        let log = open_with_topics(dir.path()).await;
        append_history(&log, COMPACTED).await;
        commit(&log, "resolver", COMPACTED, 5).await;
        read_all(&log, COMPACTED).await
    };
    assert_eq!(values(&before), ["A v1", "A v2", "B v1", "", "C v1"]);

    let log = EmbeddedLog::open(dir.path()).expect("reopen");
    assert_compacted(&read_all(&log, COMPACTED).await, &before);
    assert_eq!(log.end_offsets(COMPACTED).await.expect("end offsets"), [5]);
    assert_eq!(log.committed("resolver", COMPACTED).await.expect("committed"), [Some(5)]);

    let placed = log.append(vec![OutRecord::new(COMPACTED, "D", "D v1")]).await.expect("append");
    assert_eq!(placed, [(0, 5)], "appends continue after the compacted records");
    let records = read_all(&log, COMPACTED).await;
    assert_eq!(values(&records), ["", "A v2", "", "", "C v1", "D v1"]);

    drop(log);
    let log = EmbeddedLog::open(dir.path()).expect("reopen again");
    assert_eq!(values(&read_all(&log, COMPACTED).await), ["", "A v2", "", "", "C v1", "D v1"]);
}

#[tokio::test]
async fn compact_erases_superseded_records_of_an_open_log_and_then_has_nothing_more_to_do() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open_with_topics(dir.path()).await;
    append_history(&log, COMPACTED).await;
    let before = read_all(&log, COMPACTED).await;
    let mut early = log.consumer("early", &[COMPACTED.to_string()], Vec::new()).await.expect("consumer");
    let first = early.poll(2, Duration::ZERO).await.expect("poll");
    assert_eq!(values(&first), ["A v1", "A v2"]);
    commit(&log, "resolver", COMPACTED, 5).await;
    let path = segment(dir.path(), COMPACTED, 0);
    let len_before = std::fs::metadata(&path).expect("segment").len();

    let report = log.compact().expect("compact");
    let topic = report.topics[COMPACTED];
    assert_eq!((topic.erased, topic.partitions_rewritten), (2, 1));
    assert_eq!(topic.bytes_reclaimed, len_before - std::fs::metadata(&path).expect("segment").len());
    assert!(topic.bytes_reclaimed > 0);
    assert_eq!((report.erased(), report.bytes_reclaimed()), (2, topic.bytes_reclaimed));
    assert!(!report.topics.contains_key(PLAIN), "only compacted topics are compacted");

    assert_compacted(&read_all(&log, COMPACTED).await, &before);
    assert_eq!(log.end_offsets(COMPACTED).await.expect("end offsets"), [5]);
    let rest = early.poll(10, Duration::ZERO).await.expect("poll");
    assert_eq!(rest.iter().map(|record| record.offset).collect::<Vec<_>>(), [2, 3, 4], "a reader carries on");
    assert_eq!(values(&rest), ["", "", "C v1"]);

    let inode_before = inode(&path);
    let again = log.compact().expect("compact again");
    assert_eq!(again.topics[COMPACTED], Default::default(), "nothing more to erase");
    assert_eq!(inode(&path), inode_before, "the segment is not rewritten");

    let placed = log.append(vec![OutRecord::new(COMPACTED, "A", "A v3")]).await.expect("append");
    assert_eq!(placed, [(0, 5)], "appends after compaction get the next offset");
    assert_eq!(values(&early.poll(10, Duration::ZERO).await.expect("poll")), ["A v3"]);
    // A v2, which the resolver has read, is superseded now.
    assert_eq!(log.compact().expect("compact").topics[COMPACTED].erased, 1);
    assert_eq!(values(&read_all(&log, COMPACTED).await), ["", "", "", "", "C v1", "A v3"]);

    let inode_before = inode(&path);
    drop((early, log));
    let log = EmbeddedLog::open(dir.path()).expect("reopen");
    assert_eq!(inode(&path), inode_before, "reopening has nothing to erase and does not rewrite it");
    assert_eq!(values(&read_all(&log, COMPACTED).await), ["", "", "", "", "C v1", "A v3"]);
}

#[tokio::test]
async fn a_record_some_group_has_not_read_is_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open_with_topics(dir.path()).await;
    append_history(&log, COMPACTED).await;
    commit(&log, "resolver", COMPACTED, 5).await;
    commit(&log, "auditor", COMPACTED, 1).await;

    assert_eq!(log.compact().expect("compact").topics[COMPACTED].erased, 1);
    let records = read_all(&log, COMPACTED).await;
    assert_eq!(values(&records), ["", "A v2", "B v1", "", "C v1"], "B v1, at the auditor's offset and above, is kept");
    assert!(records[0].headers.is_empty());

    commit(&log, "auditor", COMPACTED, 3).await;
    assert_eq!(log.compact().expect("compact").topics[COMPACTED].erased, 1);
    assert_eq!(values(&read_all(&log, COMPACTED).await), ["", "A v2", "", "", "C v1"]);
}

#[tokio::test]
async fn nothing_is_erased_where_no_group_has_committed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open_with_topics(dir.path()).await;
    append_history(&log, COMPACTED).await;
    commit(&log, "resolver", PLAIN, 0).await;
    let report = log.compact().expect("compact");
    assert_eq!(report.erased(), 0);
    assert_eq!(values(&read_all(&log, COMPACTED).await), ["A v1", "A v2", "B v1", "", "C v1"]);
}

#[tokio::test]
async fn a_group_without_a_commit_for_a_partition_holds_that_partition_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = EmbeddedLog::open(dir.path()).expect("open");
    log.ensure_topics(&[TopicSpec { compacted: true, ..TopicSpec::new(COMPACTED, 2) }]).await.expect("create");
    // Keys of the same partition, twice each.
    let partition_of = |key: &str| orca_eventlog::partition_for_key(key.as_bytes(), 2).expect("keyed");
    let keys: Vec<String> = (0..).map(|n| format!("k{n}")).filter(|key| partition_of(key) == 1).take(2).collect();
    let records = [&keys[0], &keys[1], &keys[0], &keys[1]]
        .iter()
        .enumerate()
        .map(|(n, key)| OutRecord::new(COMPACTED, key.as_str(), format!("v{n}")))
        .collect();
    log.append(records).await.expect("append");
    let mut consumer = log.consumer("resolver", &[COMPACTED.to_string()], Vec::new()).await.expect("consumer");
    consumer.commit(&[Position::new(COMPACTED, 0, 0), Position::new(COMPACTED, 1, 4)]).await.expect("commit");
    commit(&log, "auditor", COMPACTED, 0).await;
    assert_eq!(log.compact().expect("compact").erased(), 0, "the auditor committed nothing for partition 1");

    drop(consumer);
    let mut consumer = log.consumer("auditor", &[COMPACTED.to_string()], Vec::new()).await.expect("consumer");
    consumer.commit(&[Position::new(COMPACTED, 1, 4)]).await.expect("commit");
    assert_eq!(log.compact().expect("compact").erased(), 2);
}

#[tokio::test]
async fn an_uncompacted_topic_is_never_touched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = segment(dir.path(), PLAIN, 0);
    let bytes = {
        let log = open_with_topics(dir.path()).await;
        append_history(&log, PLAIN).await;
        commit(&log, "resolver", PLAIN, 5).await;
        assert_eq!(log.compact().expect("compact").erased(), 0);
        std::fs::read(&path).expect("segment")
    };
    let inode_before = inode(&path);
    let log = EmbeddedLog::open(dir.path()).expect("reopen");
    assert_eq!(std::fs::read(&path).expect("segment"), bytes);
    assert_eq!(inode(&path), inode_before);
    assert_eq!(values(&read_all(&log, PLAIN).await), ["A v1", "A v2", "B v1", "", "C v1"]);
}

#[tokio::test]
async fn a_topic_created_uncompacted_is_compacted_once_its_spec_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let log = open_with_topics(dir.path()).await;
        append_history(&log, PLAIN).await;
        commit(&log, "resolver", PLAIN, 5).await;
    }
    // A later version declares the topic compacted (as the incidents topic became).
    let log = EmbeddedLog::open(dir.path()).expect("reopen");
    let compacted = TopicSpec { compacted: true, ..TopicSpec::new(PLAIN, 1) };
    log.ensure_topics(&[compacted]).await.expect("ensure");
    assert_eq!(log.compact().expect("compact").erased(), 2);
    drop(log);
    let log = EmbeddedLog::open(dir.path()).expect("reopen");
    assert_eq!(values(&read_all(&log, PLAIN).await), ["", "A v2", "", "", "C v1"], "and it stays compacted");
}

#[tokio::test]
async fn the_resolutions_topic_of_an_earlier_version_is_compacted_from_then_on() {
    const PLAIN: &str = topics::RESOLUTIONS;
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let log = EmbeddedLog::open(dir.path()).expect("open");
        log.ensure_topics(&[TopicSpec::new(PLAIN, 1)]).await.expect("create");
        append_history(&log, PLAIN).await;
    }
    // This version declares it compacted, but its records from before were not keyed for that.
    let spec = TopicSpec { compacted: true, ..TopicSpec::new(PLAIN, 1) };
    let log = EmbeddedLog::open(dir.path()).expect("reopen");
    log.ensure_topics(std::slice::from_ref(&spec)).await.expect("ensure");
    let later =
        [OutRecord::new(PLAIN, "C", "C v2"), OutRecord::new(PLAIN, "D", "D v1"), OutRecord::new(PLAIN, "D", "D v2")];
    log.append(later.to_vec()).await.expect("append");
    commit(&log, "resolver", PLAIN, 8).await;
    assert_eq!(log.compact().expect("compact").erased(), 1, "only D v1, written after the change");
    drop(log);
    let log = EmbeddedLog::open(dir.path()).expect("reopen");
    log.ensure_topics(&[spec]).await.expect("ensure again");
    assert_eq!(
        values(&read_all(&log, PLAIN).await),
        ["A v1", "A v2", "B v1", "", "C v1", "C v2", "", "D v2"],
        "the records from before stay, across a reopen"
    );
}

#[tokio::test]
async fn a_withdrawn_and_disposed_report_keeps_nothing_but_its_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = EmbeddedLog::open(dir.path()).expect("open");
    log.ensure_topics(&topics::default_specs(1, 1)).await.expect("create");
    let incident = "incident-7";
    log.append(vec![
        OutRecord::new(topics::INCIDENTS, incident, "the report"),
        OutRecord::new(topics::INCIDENTS, incident, "the withdrawal")
            .with_header(topics::RECORD_KIND, topics::WITHDRAWAL),
        OutRecord::new(topics::INCIDENTS, incident, "the disposal").with_header("trace", "x"),
        OutRecord::new(topics::INCIDENTS, incident, ""),
    ])
    .await
    .expect("append");
    commit(&log, "resolver", topics::INCIDENTS, 4).await;

    assert_eq!(log.compact().expect("compact").topics[topics::INCIDENTS].erased, 3);
    let records = read_all(&log, topics::INCIDENTS).await;
    assert_eq!(records.len(), 4);
    for record in &records {
        assert_eq!(record.key, incident.as_bytes());
        assert!(record.value.is_empty(), "offset {} holds nothing of the report", record.offset);
        assert!(record.headers.is_empty(), "offset {} has no headers left", record.offset);
    }
    let on_disk = std::fs::read(segment(dir.path(), topics::INCIDENTS, 0)).expect("segment");
    let holds = |text: &[u8]| on_disk.windows(text.len()).any(|window| window == text);
    assert!(!holds(b"the report") && !holds(b"the disposal") && !holds(topics::WITHDRAWAL.as_bytes()));
}

#[tokio::test]
async fn records_without_a_key_are_never_erased() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open_with_topics(dir.path()).await;
    log.append(vec![OutRecord::new(COMPACTED, "", "one"), OutRecord::new(COMPACTED, "", "two")]).await.expect("append");
    commit(&log, "resolver", COMPACTED, 2).await;
    assert_eq!(log.compact().expect("compact").erased(), 0);
    assert_eq!(values(&read_all(&log, COMPACTED).await), ["one", "two"]);
}

#[tokio::test]
async fn a_torn_tail_is_cut_and_the_rest_compacted_on_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let log = open_with_topics(dir.path()).await;
        append_history(&log, COMPACTED).await;
        commit(&log, "resolver", COMPACTED, 5).await;
    }
    let path = segment(dir.path(), COMPACTED, 0);
    let mut file = OpenOptions::new().append(true).open(&path).expect("segment");
    file.write_all(&[0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9]).expect("garbage");
    drop(file);
    // A copy left by a compaction that crashed before its rename.
    let leftover = path.with_file_name("00000.log.compacting");
    std::fs::write(&leftover, b"ORCASEG2 half a copy").expect("leftover");

    let log = EmbeddedLog::open(dir.path()).expect("reopen");
    assert!(!leftover.exists(), "the unfinished copy is removed");
    assert_eq!(log.end_offsets(COMPACTED).await.expect("end offsets"), [5]);
    assert_eq!(values(&read_all(&log, COMPACTED).await), ["", "A v2", "", "", "C v1"]);
    assert_eq!(log.append(vec![OutRecord::new(COMPACTED, "C", "C v2")]).await.expect("append"), [(0, 5)]);
    assert_eq!(values(&read_all(&log, COMPACTED).await), ["", "A v2", "", "", "C v1", "C v2"]);
}

/// A frame as the first segment format (`ORCASEG1`, values as given) wrote it.
fn v1_frame(offset: u64, key: &str, value: &str) -> Vec<u8> {
    let mut payload = Vec::new();
    payload.extend_from_slice(&offset.to_le_bytes());
    payload.extend_from_slice(&0i64.to_le_bytes());
    for field in [key.as_bytes(), value.as_bytes()] {
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
async fn a_segment_in_the_first_format_is_compacted_in_that_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    drop(open_with_topics(dir.path()).await);
    let path = segment(dir.path(), COMPACTED, 0);
    let mut old = b"ORCASEG1".to_vec();
    old.extend(v1_frame(0, "k", "first"));
    old.extend(v1_frame(1, "k", "second"));
    std::fs::write(&path, &old).expect("write an old segment");

    let log = EmbeddedLog::open(dir.path()).expect("reopen");
    commit(&log, "resolver", COMPACTED, 2).await;
    assert_eq!(log.compact().expect("compact").erased(), 1);
    assert!(std::fs::read(&path).expect("segment").starts_with(b"ORCASEG1"), "the segment keeps its format");
    log.append(vec![OutRecord::new(COMPACTED, "k", "third")]).await.expect("append");
    assert_eq!(values(&read_all(&log, COMPACTED).await), ["", "second", "third"]);
    drop(log);
    // Reopening compacts again: "second", read by the resolver, is superseded by "third".
    let log = EmbeddedLog::open(dir.path()).expect("reopen");
    assert_eq!(values(&read_all(&log, COMPACTED).await), ["", "", "third"]);
    assert!(std::fs::read(&path).expect("segment").starts_with(b"ORCASEG1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn compaction_while_appending_and_reading_keeps_every_offset_and_the_latest_values() {
    const TASKS: usize = 8;
    const APPENDS: usize = 40;
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open_with_topics(dir.path()).await;
    // A committed offset past the end: every record is read as far as compaction is concerned.
    commit(&log, "resolver", COMPACTED, u64::MAX).await;
    let total = (TASKS * APPENDS * 2) as u64;

    let reader = {
        let log = log.clone();
        tokio::spawn(async move {
            let mut consumer = log.consumer("reader", &[COMPACTED.to_string()], Vec::new()).await.expect("consumer");
            let mut next = 0;
            while next < total {
                for record in consumer.poll(100, Duration::from_secs(30)).await.expect("poll") {
                    assert_eq!(record.offset, next, "offsets read in order, none skipped");
                    let value = std::str::from_utf8(&record.value).expect("utf-8");
                    let key = std::str::from_utf8(&record.key).expect("utf-8");
                    assert!(value.is_empty() || value.starts_with(key), "offset {next}: `{value}` under `{key}`");
                    next += 1;
                }
            }
        })
    };
    let writers: Vec<_> = (0..TASKS)
        .map(|task| {
            let log = log.clone();
            tokio::spawn(async move {
                for append in 0..APPENDS {
                    let records = (0..2)
                        .map(|n| OutRecord::new(COMPACTED, format!("key-{task}"), format!("key-{task} {append}-{n}")))
                        .collect();
                    log.append(records).await.expect("append");
                }
            })
        })
        .collect();
    let appending = Arc::new(AtomicBool::new(true));
    let compactor = {
        let (log, appending) = (log.clone(), Arc::clone(&appending));
        tokio::task::spawn_blocking(move || {
            let (mut erased, mut rounds) = (0, 0);
            while appending.load(Ordering::Acquire) {
                erased += log.compact().expect("compact").erased();
                rounds += 1;
            }
            (erased, rounds)
        })
    };
    for writer in writers {
        writer.await.expect("writer");
    }
    appending.store(false, Ordering::Release);
    let (erased_meanwhile, rounds) = compactor.await.expect("compactor");
    assert!(rounds > 0);
    reader.await.expect("reader");

    let erased_at_the_end = log.compact().expect("compact").erased();
    assert_eq!(erased_meanwhile + erased_at_the_end, total - TASKS as u64, "each superseded record erased once");
    let records = read_all(&log, COMPACTED).await;
    assert_eq!(records.iter().map(|record| record.offset).collect::<Vec<_>>(), (0..total).collect::<Vec<_>>());
    let mut kept: Vec<&str> = values(&records).into_iter().filter(|value| !value.is_empty()).collect();
    kept.sort_unstable();
    let expected: Vec<String> = (0..TASKS).map(|task| format!("key-{task} {}-1", APPENDS - 1)).collect();
    assert_eq!(kept, expected, "the latest record of each key is kept");
}

#[tokio::test]
async fn records_past_their_topics_retention_are_erased_read_or_not_and_fresh_ones_stay() {
    const DEAD_LETTERS: &str = "dead-letters";
    let ninety_days = 90 * 86_400_000;
    let dir = tempfile::tempdir().expect("tempdir");
    {
        // Created before topics had a retention here: kept for ever until its spec gives one.
        let log = EmbeddedLog::open(dir.path()).expect("open");
        log.ensure_topics(&[TopicSpec::new(DEAD_LETTERS, 1)]).await.expect("create");
    }
    // Two dead letters appended long ago (1970), one without a key; nobody has read them.
    let path = segment(dir.path(), DEAD_LETTERS, 0);
    let mut old = b"ORCASEG1".to_vec();
    old.extend(v1_frame(0, "NM-1", "bad record"));
    old.extend(v1_frame(1, "", "unreadable"));
    std::fs::write(&path, &old).expect("write an old segment");

    let log = EmbeddedLog::open(dir.path()).expect("reopen");
    assert_eq!(values(&read_all(&log, DEAD_LETTERS).await), ["bad record", "unreadable"], "no retention yet");
    let spec = TopicSpec { retention_ms: Some(ninety_days), ..TopicSpec::new(DEAD_LETTERS, 1) };
    log.ensure_topics(&[spec]).await.expect("the spec now has a retention");
    log.append(vec![OutRecord::new(DEAD_LETTERS, "NM-2", "today's bad record")]).await.expect("append");
    log.maintain().await.expect("housekeeping");
    assert_eq!(values(&read_all(&log, DEAD_LETTERS).await), ["", "", "today's bad record"]);
    drop(log);
    let log = EmbeddedLog::open(dir.path()).expect("reopen");
    assert_eq!(values(&read_all(&log, DEAD_LETTERS).await), ["", "", "today's bad record"], "the retention stays");
    assert_eq!(log.end_offsets(DEAD_LETTERS).await.expect("end offsets"), [3], "offsets stay dense");
}
