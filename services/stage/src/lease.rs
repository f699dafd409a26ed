//! One writer per stage: a process runs a stage only while it holds the stage's lease in the
//! store, and every commit it makes renews the lease inside the same transaction, checking holder
//! and epoch (`StoreTx::renew_lease`). A process that lost the lease (it stalled past the lease's
//! time, or its database connection did, and another process took over) cannot commit: its batch
//! is rolled back and it steps down to standby.
//!
//! Correctness rests on the epoch check, not on clocks: a clock running fast or slow can only make
//! a standby take over early (and fence the old writer) or late (a longer pause after a crash).
//!
//! - [`Lease`]: what the holder presents with each commit.
//! - [`acquire`]: wait, as a standby, until the lease is free, then take it.
//! - [`keep`]: renew the lease while the stage restores or runs, and say when it was lost.
//! - [`release`]: give it up on an orderly shutdown, so a standby takes over at once.

use orca_store::{Store, StoreError, StoreTx};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

/// A stage's lease as held by this process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    pub stage: &'static str,
    /// This process (see [`holder_id`]).
    pub holder: String,
    /// Grows with every change of holder; a commit at an older epoch is refused.
    pub epoch: i64,
    /// How long the lease lasts unless renewed; the holder renews it every third of this.
    pub ttl: Duration,
}

impl Lease {
    /// Renews the lease inside `tx`, failing with [`StoreError::LeaseLost`] if it was lost.
    pub async fn renew_in(&self, tx: &mut dyn StoreTx) -> Result<(), StoreError> {
        tx.renew_lease(self.stage, &self.holder, self.epoch, expiry(self.ttl)).await
    }

    /// How often the holder renews it.
    pub fn renew_interval(&self) -> Duration {
        self.ttl / 3
    }
}

/// A name for this process that no other process shares: host, process id and start time.
pub fn holder_id() -> String {
    format!("{}:{}:{}", host_name(), std::process::id(), now_ms())
}

/// The holder name of whichever process has the embedded log in `log_dir` open. Only one process
/// can (the log is locked), so a process restarted after a crash is the same holder and takes its
/// stages back at once instead of waiting for its predecessor's lease to lapse.
pub fn embedded_log_holder_id(log_dir: &std::path::Path) -> String {
    let dir = std::fs::canonicalize(log_dir).unwrap_or_else(|_| log_dir.to_path_buf());
    format!("{}:{} (embedded log)", host_name(), dir.display())
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "unknown-host".to_owned())
}

/// Milliseconds since the Unix epoch, by this machine's clock.
fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_millis() as i64)
}

fn expiry(ttl: Duration) -> i64 {
    now_ms().saturating_add(ttl.as_millis() as i64)
}

/// Takes `stage`'s lease for `holder`, waiting as a standby while another process holds it
/// (`standby` is called once when waiting starts). `None` if `shutdown` came first.
pub async fn acquire(
    store: &dyn Store,
    stage: &'static str,
    holder: &str,
    ttl: Duration,
    shutdown: &CancellationToken,
    mut standby: impl FnMut(),
) -> Option<Lease> {
    let mut waiting = false;
    let poll = (ttl / 3).max(Duration::from_millis(50));
    while !shutdown.is_cancelled() {
        match store.acquire_lease(stage, holder, now_ms(), ttl.as_millis() as i64).await {
            Ok(Some(epoch)) => {
                info!(stage, holder, epoch, "took the stage's lease: this process writes the stage now");
                return Some(Lease { stage, holder: holder.to_owned(), epoch, ttl });
            }
            Ok(None) if !waiting => {
                waiting = true;
                standby();
                info!(
                    stage,
                    holder,
                    ?ttl,
                    "another process holds the stage's lease (or held it and died less than \
                      the lease time ago): standing by to take over when it lapses"
                );
            }
            Ok(None) => {}
            Err(error) => warn!(stage, %error, "could not reach the store to take the stage's lease; retrying"),
        }
        tokio::select! {
            () = shutdown.cancelled() => {}
            () = tokio::time::sleep(poll) => {}
        }
    }
    None
}

/// Renews `lease` every [`Lease::renew_interval`] until `stop` is cancelled. Returns once the
/// lease is lost (another process holds it now): the caller must stop writing.
/// A store that cannot be reached is retried: the lease may lapse meanwhile, and then the next
/// renewal (or the stage's next commit) finds it lost.
pub async fn keep(store: &dyn Store, lease: &Lease, stop: &CancellationToken) -> Option<StoreError> {
    loop {
        tokio::select! {
            () = stop.cancelled() => return None,
            () = tokio::time::sleep(lease.renew_interval()) => {}
        }
        match renew(store, lease).await {
            Ok(()) => {}
            Err(lost @ StoreError::LeaseLost { .. }) => return Some(lost),
            Err(error) => warn!(stage = lease.stage, %error, "could not renew the stage's lease; retrying"),
        }
    }
}

async fn renew(store: &dyn Store, lease: &Lease) -> Result<(), StoreError> {
    extend_to(store, lease, expiry(lease.ttl)).await
}

/// Sets the lease's expiry in a transaction of its own, if this process still holds it.
async fn extend_to(store: &dyn Store, lease: &Lease, expires_at_ms: i64) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    tx.renew_lease(lease.stage, &lease.holder, lease.epoch, expires_at_ms).await?;
    tx.commit().await
}

/// Gives the lease up (it lapses now), so a standby takes over without waiting for it to expire.
pub async fn release(store: &dyn Store, lease: &Lease) {
    match extend_to(store, lease, 0).await {
        Ok(()) => info!(stage = lease.stage, epoch = lease.epoch, "released the stage's lease"),
        Err(error) => warn!(stage = lease.stage, %error, "could not release the stage's lease; it lapses by itself"),
    }
}
