//! ORCA's state store: the durable home of every stage's state, the consumer offsets that account
//! for it, and the records the surfaces serve (stores, principals, packages, the audit log).
//!
//! - [`Store`] and [`StoreTx`] are the traits the stages use; they cannot tell which backend they
//!   run on.
//! - [`SqlStore`] implements them for SQLite (embedded mode, a file under the data directory) and
//!   PostgreSQL (distributed mode) through sqlx. The SQL is portable (`$n` parameters, `ON
//!   CONFLICT` upserts); the dialects differ only in their migrations under `migrations/`.
//! - Writes are idempotent upserts keyed by natural keys, so replaying a record changes nothing.
//! - State values and package bodies are stored zstd-compressed when that saves space (`codec`).
//! - The audit log is append-only: the API has no way to change it and the database refuses to.
//!   Its entries are hash-chained ([`audit_chain`]), so a change made around both shows.
//!
//! This crate knows nothing of Kafka, gRPC or the pipelines' encodings: state arrives as
//! [`orca_model::StateChange`] bytes, packages as opaque bodies with the fields needed to index them.

pub mod audit_chain;
mod codec;
mod error;
mod history;
mod records;
mod reports;
mod revisions;
mod sql;
#[cfg(test)]
mod tests;

pub use error::{Result, StoreError};
pub use records::{
    AuditRecord, ClaimOutcome, ClaimRow, DisposalRecord, ErasureRecord, IncidentClaim, KeyUnusable, OffsetRecord,
    PackageAccessChange, PackagePosition, PackageQuery, PackageRecord, PackageRow, PackageToScrub, Principal,
    PrincipalKind, PublishedReport, RejectedRecord, RetentionCandidate, RetentionHold, Revision, Revocation,
    ScrubbedPackage, WithdrawalRecord,
};
pub use sql::SqlStore;

/// The bytes of a `kv.value` or `packages.body` column as stored with its `codec` column, for
/// tools that read the tables directly (the end-to-end benchmark follows packages that way).
pub fn stored_bytes(codec: i64, stored: Vec<u8>) -> Result<Vec<u8>> {
    codec::unpack(codec, stored, "packages")
}

use async_trait::async_trait;
use orca_model::{StateChange, Store as RetailStore, StoredRecord};

/// Reads and single-statement writes. Multi-record writes that must be atomic go through [`StoreTx`].
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Starts a transaction.
    async fn begin(&self) -> Result<Box<dyn StoreTx>>;

    /// Every record whose namespace starts with `prefix`, for restoring a pipeline.
    async fn load_state(&self, prefix: &str) -> Result<Vec<StoredRecord>>;
    /// One state record.
    async fn get_state(&self, namespace: &str, key: &str) -> Result<Option<Vec<u8>>>;
    /// Next offsets to read, as stored by `consumer`.
    async fn offsets(&self, consumer: &str) -> Result<Vec<OffsetRecord>>;

    /// Claims a (retailer, reference) pair for a new incident; see [`ClaimOutcome`].
    async fn claim_incident(&self, claim: &IncidentClaim) -> Result<ClaimOutcome>;
    /// Marks a claimed incident as durably on the incident log.
    async fn mark_published(&self, retailer: &str, retailer_ref: &str) -> Result<()>;
    /// Claims many pairs in one transaction. Outcomes come in input order and are those that
    /// claiming them one after another would give: a pair repeated in the batch finds the claim
    /// made by its first occurrence.
    async fn claim_incidents(&self, claims: &[IncidentClaim]) -> Result<Vec<ClaimOutcome>>;
    /// Marks many claims as durably on the incident log at the given revisions, in one
    /// transaction, keeping each revision's report on its claim (see [`PublishedReport`]). A claim
    /// already at another revision is left alone.
    async fn mark_published_many(&self, reports: &[PublishedReport]) -> Result<()>;
    /// Keeps a rejected record with its reasons; returns its id.
    async fn put_rejected(&self, record: &RejectedRecord) -> Result<i64>;
    /// A retailer's rejected records, newest first.
    async fn rejected(&self, retailer: &str, limit: u32) -> Result<Vec<RejectedRecord>>;
    /// Deletes every rejected record received before `before_ms`; returns how many.
    async fn purge_rejected(&self, before_ms: i64) -> Result<u64>;
    /// A retailer's rejected records older than `before_id` (all when `None`), newest first.
    async fn rejected_before(&self, retailer: &str, before_id: Option<i64>, limit: u32) -> Result<Vec<RejectedRecord>>;
    /// Moves a published or unpublished claim to a new revision (a correction): its content hash
    /// becomes the revision's and it is unpublished until the revision is on the log. The previous
    /// revision's hash and reason stay in `incident_revisions`. The new revision number, or `None`
    /// when the claim is no longer at `replaces` or was withdrawn (a concurrent change: claim again).
    async fn revise_incident(&self, revision: &Revision) -> Result<Option<u32>>;
    /// Records a withdrawal of the claim at `revision`, unpublished (corrections are refused from
    /// now on); false when the claim is no longer at that revision or was withdrawn already. Mark
    /// it published with [`Store::mark_withdrawal_published`] once its tombstone is on the log.
    async fn withdraw_incident(&self, withdrawal: &WithdrawalRecord) -> Result<bool>;
    /// Marks a recorded withdrawal's tombstone as durably on the log.
    async fn mark_withdrawal_published(&self, retailer: &str, retailer_ref: &str) -> Result<()>;
    /// Records the disposal of a withdrawn claim under the retention schedule and deletes what the
    /// store kept of its content (its earlier revisions' rows, any retention hold); the claim row
    /// stays, so the reference cannot be sent again. False when the claim is not withdrawn or was
    /// disposed of already. Mark it published with [`Store::mark_disposal_published`] once the
    /// disposal record and its null tombstone are on the log.
    async fn dispose_incident(&self, disposal: &DisposalRecord) -> Result<bool>;
    /// Marks a recorded disposal (and the withdrawal it completes) as durably on the log.
    async fn mark_disposal_published(&self, retailer: &str, retailer_ref: &str) -> Result<()>;
    /// Claims received (or last corrected) before `received_before_ms` whose disposal is not
    /// finished, with their retention holds, in (retailer, reference) order after `after`.
    async fn retention_candidates(
        &self,
        received_before_ms: i64,
        after: Option<(&str, &str)>,
        limit: u32,
    ) -> Result<Vec<RetentionCandidate>>;
    /// Records an analyst's decision to keep a report until a date (replacing an earlier one).
    async fn put_retention_hold(&self, hold: &RetentionHold) -> Result<()>;
    /// The latest version of every package that is not withdrawn, in package id order after
    /// `after_id`.
    async fn standing_packages(&self, after_id: &str, limit: u32) -> Result<Vec<PackageRow>>;
    /// One claim, if the reference was ever accepted.
    async fn claim_row(&self, retailer: &str, retailer_ref: &str) -> Result<Option<ClaimRow>>;
    /// The claim of an incident id, if any.
    async fn claim_of_incident(&self, incident_id: &str) -> Result<Option<ClaimRow>>;
    /// The report kept on a claim: its current revision's encoded `orca.v1.Incident`; `None` when
    /// none is kept (disposed of, or accepted before ORCA kept reports).
    async fn kept_report(&self, retailer: &str, retailer_ref: &str) -> Result<Option<Vec<u8>>>;
    /// Moves a claim to a revision ORCA made itself (as [`Store::revise_incident`] does for a
    /// correction), keeping `body` as its report with its face templates due at `faces_until_ms`,
    /// unpublished until it is on the log.
    async fn reissue_incident(
        &self,
        revision: &Revision,
        body: &[u8],
        faces_until_ms: Option<i64>,
    ) -> Result<Option<u32>>;
    /// Claims not disposed of whose kept report's face templates fell due before
    /// `faces_due_before_ms` (withdrawn ones too), and revisions ORCA made that are not on the log
    /// yet, in (retailer, reference) order after `after`.
    async fn reissue_candidates(
        &self,
        faces_due_before_ms: i64,
        after: Option<(&str, &str)>,
        limit: u32,
    ) -> Result<Vec<ClaimRow>>;
    /// Replaces the report kept on a withdrawn claim (not disposed of), with no face templates
    /// due; false when the claim is not withdrawn or was disposed of.
    async fn replace_withdrawn_report(&self, retailer: &str, retailer_ref: &str, body: &[u8]) -> Result<bool>;
    /// Records that an analyst erased the person at a place in a report (replacing an earlier
    /// record at the same place).
    async fn record_erasure(&self, erasure: &ErasureRecord) -> Result<()>;
    /// The erasures recorded in an incident's report, by place.
    async fn erasures(&self, incident_id: &str) -> Result<Vec<ErasureRecord>>;
    /// A retailer's claims in reference order, after `after_ref`.
    async fn claim_rows(&self, retailer: &str, after_ref: &str, limit: u32) -> Result<Vec<ClaimRow>>;

    /// Registers or updates stores.
    async fn upsert_stores(&self, stores: &[RetailStore]) -> Result<()>;
    async fn stores(&self) -> Result<Vec<RetailStore>>;
    /// The registered stores among `ids` (ids not registered are left out).
    async fn stores_with_ids(&self, ids: &[&str]) -> Result<Vec<RetailStore>>;

    /// Registers a principal under the hash of its key.
    async fn put_principal(&self, principal: &Principal) -> Result<()>;
    async fn principal_by_key_hash(&self, key_hash: &str) -> Result<Option<Principal>>;
    /// Every registered key (hash included), oldest first.
    async fn principals(&self) -> Result<Vec<Principal>>;
    /// Revokes the key `key_id` at `at_ms` (a later time makes a grace period); returns whether a
    /// key that was not already revoked by then was found.
    async fn revoke_principal(&self, key_id: &str, at_ms: i64, reason: &str) -> Result<bool>;

    /// Latest versions of the packages a force may see that match `query`, most urgent first
    /// (priority rank, then latest offence newest first, then id), after `after`.
    async fn list_packages(
        &self,
        query: &PackageQuery,
        after: Option<&PackagePosition>,
        limit: u32,
    ) -> Result<Vec<PackageRow>>;
    /// Number of packages a force may see that match `query`.
    async fn count_packages(&self, query: &PackageQuery) -> Result<u64>;
    /// Changes of what `force` may see after `after_seq`, oldest first: a package's new latest
    /// version, or that it no longer concerns the force.
    async fn package_changes(&self, force: &str, after_seq: i64, limit: u32) -> Result<Vec<PackageAccessChange>>;
    /// One version of a package (`None` = latest).
    async fn package(&self, package_id: &str, version: Option<u32>) -> Result<Option<PackageRow>>;

    /// Appends to the audit log; returns the record's sequence number.
    async fn append_audit(&self, record: &AuditRecord) -> Result<i64>;
    /// The audit log from `after_seq`, oldest first.
    async fn audit(&self, after_seq: i64, limit: u32) -> Result<Vec<AuditRecord>>;
    /// The newest audit entry's `seq` and hash, to anchor the chain outside the table.
    async fn audit_head(&self) -> Result<Option<(i64, String)>>;

    /// Takes the lease on `stage` for `holder` until `now_ms + ttl_ms` (or extends its own),
    /// unless another holder's lease runs past `now_ms`. The epoch held (it grows with every
    /// change of holder), or `None` while someone else holds it.
    async fn acquire_lease(&self, stage: &str, holder: &str, now_ms: i64, ttl_ms: i64) -> Result<Option<i64>>;
}

/// A transaction: everything written through it becomes durable together at [`StoreTx::commit`],
/// or not at all.
#[async_trait]
pub trait StoreTx: Send {
    /// Applies a pipeline's state changes (upserts and deletes by natural key).
    async fn apply_state(&mut self, changes: &[StateChange]) -> Result<()>;
    /// Records the next offsets to read for `consumer`.
    async fn save_offsets(&mut self, consumer: &str, offsets: &[OffsetRecord]) -> Result<()>;
    /// Stores a package version and makes it the latest for its forces (idempotent per version).
    async fn put_package(&mut self, package: &PackageRecord) -> Result<()>;
    /// Extends `stage`'s lease to `expires_at_ms` if `holder` still holds it at `epoch`, else
    /// [`StoreError::LeaseLost`]: the compare-and-set that keeps a stale writer's batch out of the
    /// store (the transaction must then be dropped, which rolls it back).
    async fn renew_lease(&mut self, stage: &str, holder: &str, epoch: i64, expires_at_ms: i64) -> Result<()>;
    /// Package versions stored before their citations were indexed (migration 0010), up to `limit`.
    async fn unindexed_packages(&mut self, limit: u32) -> Result<Vec<PackageRow>>;
    /// Records the reports a stored package version cites.
    async fn index_citations(&mut self, package_id: &str, version: u32, incidents: &[String]) -> Result<()>;
    /// The stored package versions that cite a report disposed of or a sighting erased: those of
    /// `written` (versions put in this transaction, which the linker may have built before it
    /// learnt of the disposal), and every version citing a report disposed of or erased since the
    /// last call, whose queue entries this clears. The queue waits while any version is unindexed.
    async fn packages_to_scrub(&mut self, written: &[(String, u32)]) -> Result<Vec<PackageToScrub>>;
    /// Replaces a stored version's summary, body and citations (its other columns stay).
    async fn rewrite_package(&mut self, package_id: &str, version: u32, scrubbed: &ScrubbedPackage) -> Result<()>;
    async fn commit(self: Box<Self>) -> Result<()>;
}
