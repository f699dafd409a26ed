//! Anchoring the audit log's hash chain outside its table: now and then the chain head is appended
//! to a file (`data_dir/audit-anchors.jsonl` by default, one JSON [`Anchor`] per line, fsynced) and
//! to the log topic [`topics::AUDIT_ANCHORS`]. `orca audit verify` checks the table against both, so
//! that deleting the newest entries, truncating the table or rebuilding it with fresh hashes shows.
//! Keep a copy of the file (or the topic) where the database's administrators cannot write.

use anyhow::{Context, Result};
use orca_eventlog::{EventLog, OutRecord, Position, topics};
use orca_store::Store;
use orca_store::audit_chain::Anchor;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Copies the chain head out every `interval` while the process runs, and once more when it stops.
pub struct AuditAnchoring {
    pub store: Arc<dyn Store>,
    pub log: Arc<dyn EventLog>,
    pub file: PathBuf,
    pub interval: Duration,
}

impl AuditAnchoring {
    pub async fn run(self, shutdown: CancellationToken) -> Result<()> {
        let mut anchored = None;
        loop {
            if let Err(error) = self.anchor(&mut anchored).await {
                tracing::warn!(error = format!("{error:#}"), "cannot anchor the audit log; will retry");
            }
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = tokio::time::sleep(self.interval) => {}
            }
        }
        self.anchor(&mut anchored).await
    }

    /// Anchors the head if it moved since `anchored`.
    async fn anchor(&self, anchored: &mut Option<(i64, String)>) -> Result<()> {
        let head = self.store.audit_head().await.context("reading the audit log's head")?;
        let Some((seq, hash)) = head.filter(|(_, hash)| !hash.is_empty()) else { return Ok(()) };
        if anchored.as_ref().is_some_and(|(last, _)| *last == seq) {
            return Ok(());
        }
        let anchor = Anchor { seq, hash: hash.clone(), at_ms: chrono::Utc::now().timestamp_millis() };
        append_to_file(&self.file, &anchor)?;
        let value = serde_json::to_vec(&anchor)?;
        self.log
            .append(vec![OutRecord::new(topics::AUDIT_ANCHORS, ANCHOR_KEY, value)])
            .await
            .context("appending an audit anchor to the log")?;
        tracing::debug!(seq, "audit log anchored");
        *anchored = Some((seq, hash));
        Ok(())
    }
}

/// Every anchor record has this key, so they stay in order on one partition.
const ANCHOR_KEY: &str = "audit-chain";

/// Appends one anchor line and syncs it to disk.
pub fn append_to_file(path: &Path, anchor: &Anchor) -> Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("opening the audit anchor file `{}`", path.display()))?;
    let mut line = serde_json::to_vec(anchor)?;
    line.push(b'\n');
    file.write_all(&line).and_then(|()| file.sync_data()).with_context(|| format!("writing `{}`", path.display()))
}

/// The anchors in a file written by [`append_to_file`] (none if it does not exist).
pub fn read_file(path: &Path) -> Result<Vec<Anchor>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error).with_context(|| format!("reading `{}`", path.display())),
    };
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| {
            serde_json::from_str(line)
                .with_context(|| format!("`{}` line {}: not an audit anchor", path.display(), index + 1))
        })
        .collect()
}

/// Every anchor on the log topic, read from the beginning to the end as it is now.
pub async fn read_log(log: &dyn EventLog) -> Result<Vec<Anchor>> {
    let ends = log.end_offsets(topics::AUDIT_ANCHORS).await.context("reading the anchor topic's end")?;
    let start: Vec<Position> = (0..ends.len())
        .map(|partition| Position { topic: topics::AUDIT_ANCHORS.to_owned(), partition: partition as u32, offset: 0 })
        .collect();
    let group = format!("orca-audit-verify-{}", std::process::id());
    let mut consumer = log.consumer(&group, &[topics::AUDIT_ANCHORS.to_owned()], start).await?;
    let mut next = vec![0u64; ends.len()];
    let mut anchors = Vec::new();
    while next.iter().zip(&ends).any(|(next, end)| next < end) {
        for record in consumer.poll(1_000, Duration::from_millis(500)).await? {
            next[record.partition as usize] = record.offset + 1;
            let anchor = serde_json::from_slice(&record.value).with_context(|| {
                format!("{} partition {} offset {}: not an audit anchor", record.topic, record.partition, record.offset)
            })?;
            anchors.push(anchor);
        }
    }
    Ok(anchors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_written_to_a_file_read_back_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("anchors.jsonl");
        assert!(read_file(&path).unwrap().is_empty(), "no file, no anchors");
        let first = Anchor { seq: 3, hash: "ab".into(), at_ms: 1 };
        let second = Anchor { seq: 9, hash: "cd".into(), at_ms: 2 };
        append_to_file(&path, &first).unwrap();
        append_to_file(&path, &second).unwrap();
        assert_eq!(read_file(&path).unwrap(), [first, second]);

        std::fs::write(&path, "{\"seq\": 1}\n").unwrap();
        let error = format!("{:#}", read_file(&path).unwrap_err());
        assert!(error.contains("line 1: not an audit anchor"), "{error}");
    }
}
