//! What the retention schedule deletes while ORCA runs: rejected records past
//! `ingest.rejected_retention_days` and face templates past `ingest.retention.face_template_days`
//! (`orca_ingest::reissue`), checked when ingest starts and every hour after; and, at the same
//! times, the log's own housekeeping (the embedded log erases dead letters past the same
//! retention and superseded records of compacted topics; Kafka does this itself).

use orca_ingest::IngestCore;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often the purge runs.
pub const PURGE_EVERY: Duration = Duration::from_secs(3_600);

/// Purges expired rejected records now and every [`PURGE_EVERY`] until `shutdown`. A failure is
/// logged and tried again next time: the records are still there to purge.
pub async fn purge_rejections(
    ingest: Arc<IngestCore>,
    log: Arc<dyn orca_eventlog::EventLog>,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    loop {
        if let Err(error) = ingest.purge_expired_rejections(chrono::Utc::now()).await {
            tracing::warn!(%error, "cannot purge expired rejected records; will retry");
        }
        if let Err(error) = ingest.expire_face_templates(chrono::Utc::now()).await {
            tracing::warn!(%error, "cannot remove face templates past the retention schedule; will retry");
        }
        if let Err(error) = log.maintain().await {
            tracing::warn!(%error, "cannot compact the event log; will retry");
        }
        tokio::select! {
            () = shutdown.cancelled() => return Ok(()),
            () = tokio::time::sleep(PURGE_EVERY) => {}
        }
    }
}
