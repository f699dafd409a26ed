//! Records from a fenced writer. A stage writes only while it holds its lease, and every record it
//! appends carries the lease's epoch in the [`WRITER_EPOCH`] header (`resolver:3`). A writer that
//! stalled and lost its lease finds out at its next commit, but may append one batch before that;
//! if that batch lands after records of the writer that took over (a higher epoch), readers drop
//! it with [`WriterEpochs::is_stale`]. One that lands before them is the batch the new writer
//! produces again from the same state and input, as after a crash, and is applied idempotently.
//!
//! The decision depends only on the order of the topic, so a reader replaying it decides the same.

use crate::Record;
use std::collections::BTreeMap;

/// The header naming the writing stage and its lease epoch, `STAGE:EPOCH`.
pub const WRITER_EPOCH: &str = "orca-writer-epoch";

/// The header value for records `stage` writes under lease `epoch`.
pub fn writer_epoch(stage: &str, epoch: i64) -> Vec<u8> {
    format!("{stage}:{epoch}").into_bytes()
}

/// The highest writer epoch a reader has seen, per topic and writing stage (`TOPIC/STAGE`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriterEpochs {
    highest: BTreeMap<String, i64>,
    /// Keys whose epoch rose since [`Self::take_changed`].
    changed: Vec<String>,
}

impl WriterEpochs {
    /// What a reader stored before.
    pub fn from_stored(highest: impl IntoIterator<Item = (String, i64)>) -> Self {
        Self { highest: highest.into_iter().collect(), changed: Vec::new() }
    }

    /// Whether `record` comes from a writer that was fenced (an older epoch of a stage than one
    /// already read on the same topic). Otherwise its epoch is noted. Records without the header
    /// (ingest's, the intelligence service's) or with one that does not parse are never stale.
    pub fn is_stale(&mut self, record: &Record) -> bool {
        let Some((stage, epoch)) = record.header(WRITER_EPOCH).and_then(parse) else {
            return false;
        };
        let key = format!("{}/{stage}", record.topic);
        match self.highest.get(&key) {
            Some(&highest) if epoch < highest => true,
            Some(&highest) if epoch == highest => false,
            _ => {
                self.highest.insert(key.clone(), epoch);
                if !self.changed.contains(&key) {
                    self.changed.push(key);
                }
                false
            }
        }
    }

    /// The epochs that rose since the last call, to store with the reader's offsets.
    pub fn take_changed(&mut self) -> Vec<(String, i64)> {
        let changed = std::mem::take(&mut self.changed);
        changed.into_iter().map(|key| (key.clone(), self.highest[&key])).collect()
    }

    /// Every epoch seen, `TOPIC/STAGE` to epoch.
    pub fn all(&self) -> &BTreeMap<String, i64> {
        &self.highest
    }
}

fn parse(value: &[u8]) -> Option<(&str, i64)> {
    let (stage, epoch) = std::str::from_utf8(value).ok()?.rsplit_once(':')?;
    Some((stage, epoch.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(topic: &str, offset: u64, header: Option<&str>) -> Record {
        Record {
            topic: topic.into(),
            partition: 0,
            offset,
            key: Vec::new(),
            value: Vec::new(),
            headers: header.map(|h| (WRITER_EPOCH.to_owned(), h.as_bytes().to_vec())).into_iter().collect(),
            timestamp_ms: 0,
        }
    }

    #[test]
    fn a_batch_from_a_fenced_writer_after_the_new_writers_records_is_stale() {
        let mut epochs = WriterEpochs::default();
        let read: Vec<bool> = [
            record("resolutions", 0, Some("resolver:1")),
            record("resolutions", 1, Some("resolver:2")), // the standby took over
            record("resolutions", 2, Some("resolver:1")), // the stalled writer's last batch
            record("resolutions", 3, Some("resolver:2")),
            record("packages", 0, Some("linker:1")), // another topic, another writer
            record("resolutions", 4, None),          // unfenced producers pass
            record("resolutions", 5, Some("resolver:x")),
        ]
        .iter()
        .map(|r| epochs.is_stale(r))
        .collect();
        assert_eq!(read, [false, false, true, false, false, false, false]);
        let mut changed = epochs.take_changed();
        changed.sort();
        assert_eq!(changed, [("packages/linker".to_owned(), 1), ("resolutions/resolver".to_owned(), 2)]);
        assert!(epochs.take_changed().is_empty());

        let mut restored = WriterEpochs::from_stored(epochs.all().clone());
        assert!(restored.is_stale(&record("resolutions", 6, Some("resolver:1"))), "kept across restarts");
    }
}
