//! Disposed reports and erased persons leave the package versions already stored.
//!
//! The linker's next version of a package leaves them out; the versions before it stay in the store,
//! and forces may ask for any of them. In the transaction of each batch of a stage that indexes
//! packages (the intel stage), the runner:
//!
//! 1. indexes the citations of some versions stored before ORCA indexed them (an upgraded store),
//!    [`INDEX_PER_BATCH`] at a time;
//! 2. asks the store which versions cite a report disposed of or a sighting erased: the versions
//!    this batch wrote (the linker may have built them before it learnt of the disposal) and
//!    every version citing a disposal or erasure queued since the last batch;
//! 3. rewrites each with the stage's [`PackageHistory::scrub`].
//!
//! While the stage's input is quiet, the runner does steps 1 to 3 in a transaction of its own every
//! `RunnerConfig::history_every` (5 s), so a disposal whose packages get no new version (a report
//! withdrawn long before, or one only earlier versions cite) does not wait for the next package.
//!
//! All of it commits with the batch's offsets, so a crash redoes it with the batch. A version the
//! stage cannot decode is logged and left (it would be a dead letter had it come in today).

use crate::PackageHistory;
use orca_store::{PackageRecord, StoreTx};
use tracing::{info, warn};

/// Versions stored before citations were indexed, indexed per batch.
pub const INDEX_PER_BATCH: u32 = 200;

/// Steps 1 to 3 above, in `tx`, after the batch's `written` versions were put.
pub(crate) async fn scrub(
    tx: &mut dyn StoreTx,
    history: &dyn PackageHistory,
    written: &[PackageRecord],
) -> orca_store::Result<()> {
    for row in tx.unindexed_packages(INDEX_PER_BATCH).await? {
        let citations = history.citations(&row.body).unwrap_or_else(|error| {
            warn!(package = %row.package_id, version = row.version, %error, "a stored package version does not decode; indexed as citing nothing");
            Vec::new()
        });
        tx.index_citations(&row.package_id, row.version, &citations).await?;
    }
    let written: Vec<(String, u32)> = written.iter().map(|p| (p.package_id.clone(), p.version)).collect();
    for package in tx.packages_to_scrub(&written).await? {
        match history.scrub(&package) {
            Ok(Some(scrubbed)) => {
                tx.rewrite_package(&package.package_id, package.version, &scrubbed).await?;
                info!(
                    package = %package.package_id,
                    version = package.version,
                    disposed = package.disposed.len(),
                    erased = package.erased.len(),
                    "an earlier package version rewritten without disposed reports and erased persons"
                );
            }
            Ok(None) => {}
            Err(error) => {
                warn!(package = %package.package_id, version = package.version, %error, "cannot scrub a stored package version");
            }
        }
    }
    Ok(())
}
