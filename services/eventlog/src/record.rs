//! The values that cross the [`EventLog`](crate::EventLog) boundary: topic specs, records to
//! append, records read back, and consumer positions.

use bytes::Bytes;
/// What a topic should look like when [`EventLog::ensure_topics`](crate::EventLog::ensure_topics)
/// creates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicSpec {
    pub name: String,
    pub partitions: u32,
    /// Copies of each partition; ignored by the embedded log (one copy on local disk).
    pub replication: u16,
    /// Keep only the latest record per key (`cleanup.policy=compact` in Kafka; the embedded log
    /// erases superseded records in place, see [`crate::embedded`]).
    pub compacted: bool,
    /// Delete records older than this (`retention.ms` in Kafka, set when the topic is created);
    /// `None` keeps them. The embedded log erases them in place when it compacts.
    pub retention_ms: Option<u64>,
}

/// A record to append. The partition is chosen from the key, see [`crate::partition_for_key`].
///
/// An empty `value` is a tombstone: Kafka gets it as a null value, which log compaction takes as
/// "delete this key"; the embedded log stores it as an empty value. On a compacted topic it
/// supersedes every earlier record with its key, and readers of compacted topics skip records
/// with empty values (compaction also leaves superseded records with empty values).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OutRecord {
    pub topic: String,
    /// An empty key means "no key": such records are spread over the partitions.
    pub key: Bytes,
    /// Empty for a tombstone (a null value in Kafka). Shared, not copied, when the record is
    /// cloned (a stage keeps its batch to append it again after a failure).
    pub value: Bytes,
    pub headers: Vec<(String, Vec<u8>)>,
}

impl OutRecord {
    pub fn new(topic: impl Into<String>, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) -> Self {
        let (key, value) = (Bytes::from(key.into()), Bytes::from(value.into()));
        Self { topic: topic.into(), key, value, headers: Vec::new() }
    }

    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<Vec<u8>>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// A record read back from the log.
///
/// An empty `value` is a tombstone (a null value in Kafka) or, on a compacted topic, a record
/// that compaction erased (the embedded log keeps its offset, timestamp and key, with an empty
/// value and no headers). Readers of compacted topics skip records with empty values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub topic: String,
    pub partition: u32,
    pub offset: u64,
    pub key: Vec<u8>,
    /// Empty for a tombstone or an erased record (see above).
    pub value: Vec<u8>,
    pub headers: Vec<(String, Vec<u8>)>,
    /// Milliseconds since the Unix epoch at which the record was appended (producer create time).
    pub timestamp_ms: i64,
}

impl Record {
    /// The value of the first header called `name`.
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers.iter().find(|(header, _)| header == name).map(|(_, value)| value.as_slice())
    }

    /// The position just after this record: what to store once its effects are durable.
    pub fn next_position(&self) -> Position {
        Position { topic: self.topic.clone(), partition: self.partition, offset: self.offset + 1 }
    }
}

/// A place in one partition. `offset` is the NEXT offset to read, as in Kafka's committed offsets.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Position {
    pub topic: String,
    pub partition: u32,
    pub offset: u64,
}

impl Position {
    pub fn new(topic: impl Into<String>, partition: u32, offset: u64) -> Self {
        Self { topic: topic.into(), partition, offset }
    }
}

impl TopicSpec {
    pub fn new(name: impl Into<String>, partitions: u32) -> Self {
        Self { name: name.into(), partitions, replication: 1, compacted: false, retention_ms: None }
    }

    /// Kafka's rules: 1 to 249 characters from `[A-Za-z0-9._-]`, not `.` or `..`; at least one
    /// partition and one replica.
    pub fn validate(&self) -> crate::Result<()> {
        validate_topic_name(&self.name)?;
        if self.partitions == 0 {
            return Err(crate::Error::Config(format!("topic `{}` needs at least one partition", self.name)));
        }
        if self.replication == 0 {
            return Err(crate::Error::Config(format!(
                "topic `{}` needs a replication factor of at least 1",
                self.name
            )));
        }
        Ok(())
    }
}

pub(crate) fn validate_topic_name(name: &str) -> crate::Result<()> {
    let legal = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if name.is_empty() || name.len() > 249 || name == "." || name == ".." || !name.chars().all(legal) {
        return Err(crate::Error::Config(format!("`{name}` is not a legal topic name")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_names_follow_kafka_rules() {
        assert!(TopicSpec::new("orca.incidents.v1", 3).validate().is_ok());
        assert!(TopicSpec::new("../etc", 3).validate().is_err());
        assert!(TopicSpec::new("a b", 3).validate().is_err());
        assert!(TopicSpec::new("..", 3).validate().is_err());
        assert!(TopicSpec::new("ok", 0).validate().is_err());
    }
}
