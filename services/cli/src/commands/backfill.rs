//! `orca db backfill-reports`: reads the incident log from its start and keeps on each claim the
//! report of its current revision where the store keeps none (reports accepted before migration
//! 0009), through `IngestCore::backfill_kept_report`. Reads without committing offsets.

use crate::progress;
use anyhow::{Context, Result};
use orca_eventlog::topics;
use orca_ingest::IngestCore;
use orca_runtime::{Backends, OrcaConfig};
use std::time::Duration;

/// Reports read and reports kept.
pub async fn backfill_reports(config: &OrcaConfig) -> Result<(u64, u64)> {
    let backends = Backends::open(config).await?;
    let core = IngestCore::new(config.ingest.clone(), backends.log.clone(), backends.store.clone())
        .await
        .context("starting ingest's logic")?;
    let ends = backends.log.end_offsets(topics::INCIDENTS).await?;
    let total: u64 = ends.iter().sum();
    let group = format!("orca-backfill-reports-{}", std::process::id());
    let mut consumer = backends.log.consumer(&group, &[topics::INCIDENTS.to_owned()], Vec::new()).await?;
    let bar = progress::bar(total, "reading the incident log");
    let (mut done, mut read, mut kept) = (0u64, 0u64, 0u64);
    let mut next = vec![0u64; ends.len()];
    while next.iter().zip(&ends).any(|(next, end)| next < end) {
        for record in consumer.poll(2_000, Duration::from_millis(500)).await? {
            let partition = record.partition as usize;
            if record.offset >= ends.get(partition).copied().unwrap_or(0) {
                continue;
            }
            next[partition] = record.offset + 1;
            done += 1;
            // Reports only: not withdrawals (they have a header) nor erased or null records.
            if record.value.is_empty() || !record.headers.is_empty() {
                continue;
            }
            read += 1;
            kept += u64::from(core.backfill_kept_report(&record.value).await?);
        }
        bar.set_position(done);
    }
    progress::finish(&bar);
    Ok((read, kept))
}
