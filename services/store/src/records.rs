//! Row types the store reads and writes.

use serde::{Deserialize, Serialize};

/// Next offset to read of one partition of one topic.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OffsetRecord {
    pub topic: String,
    pub partition: u32,
    pub next_offset: u64,
}

/// A claim on (retailer, reference) for a new incident.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncidentClaim {
    pub retailer: String,
    pub retailer_ref: String,
    pub incident_id: String,
    /// Hash of the normalised record, to tell a resubmission from a changed record.
    pub content_hash: String,
    pub received_at_ms: i64,
}

/// What [`crate::Store::claim_incident`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClaimOutcome {
    /// First time this reference is seen: append the incident, then mark it published.
    New,
    /// Claimed before but not marked published (an earlier attempt failed mid-way): append again;
    /// downstream stages ignore an incident id they already have.
    Unpublished { content_hash: String, revision: u32 },
    /// Already on the log; `withdrawn` once a withdrawal of it was recorded.
    Published { content_hash: String, revision: u32, withdrawn: bool },
}

/// A new revision of a claimed incident (a correction), for [`crate::Store::revise_incident`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Revision {
    pub retailer: String,
    pub retailer_ref: String,
    /// The revision the correction replaces: the claim must still be at it.
    pub replaces: u32,
    pub content_hash: String,
    pub reason: String,
    pub received_at_ms: i64,
}

/// A withdrawal to record, for [`crate::Store::withdraw_incident`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WithdrawalRecord {
    pub retailer: String,
    pub retailer_ref: String,
    /// The revision withdrawn: the claim must still be at it.
    pub revision: u32,
    pub reason: String,
    pub withdrawn_by: String,
    pub at_ms: i64,
}

/// One claimed reference as a retailer's own listing shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimRow {
    pub retailer: String,
    pub retailer_ref: String,
    pub incident_id: String,
    pub revision: u32,
    pub published: bool,
    /// The latest revision's reason, or the withdrawal's.
    pub note: String,
    pub received_at_ms: i64,
    pub withdrawn_at_ms: Option<i64>,
    pub withdrawn_by: String,
    /// The withdrawal's tombstone is on the log (see [`crate::Store::withdraw_incident`]).
    pub withdrawal_published: bool,
    /// When the report was disposed of under the retention schedule (see
    /// [`crate::Store::dispose_incident`]).
    pub disposed_at_ms: Option<i64>,
    /// The disposal record and its null tombstone are on the log.
    pub disposal_published: bool,
    /// Who disposed of it (key id) and why: the first call's, also when a later call finished it.
    pub disposed_by: String,
    pub disposal_reason: String,
    /// When the current revision's face templates fall due under the retention schedule (`None`:
    /// it has none, or they were removed).
    pub faces_until_ms: Option<i64>,
    /// ORCA made the current revision (face templates removed, a person erased), not the retailer.
    pub orca_revision: bool,
    /// Hash of the retailer's latest submission (a revision ORCA makes keeps it, so the same
    /// submission sent again is still a duplicate).
    pub content_hash: String,
}

/// A report durably on the incident log (see [`crate::Store::mark_published_many`]): its claim is
/// marked published and the revision's normalised report kept on it, so ORCA can make a revision
/// of it later (remove face templates past the schedule, erase a person).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishedReport {
    pub retailer: String,
    pub retailer_ref: String,
    /// The revision put on the log; a claim already at a later one is left alone.
    pub revision: u32,
    /// The encoded `orca.v1.Incident`.
    pub body: Vec<u8>,
    /// When its face templates fall due (`None`: it has none).
    pub faces_until_ms: Option<i64>,
}

/// A person an analyst erased from a report (see [`crate::Store::record_erasure`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErasureRecord {
    pub incident_id: String,
    /// The sighting's place in the report's persons.
    pub sighting_index: u32,
    /// The person (entity) the analyst erased.
    pub person_id: String,
    /// Ids merged into the person, which package versions published before the merge name
    /// (queued for the history scrub with `person_id`; not kept with the erasure).
    pub merged_ids: Vec<String>,
    pub reason: String,
    /// The analyst's key id.
    pub erased_by: String,
    pub erased_at_ms: i64,
}

/// A disposal to record on a withdrawn claim (see [`crate::Store::dispose_incident`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisposalRecord {
    pub retailer: String,
    pub retailer_ref: String,
    pub at_ms: i64,
    /// The analyst's key id.
    pub disposed_by: String,
    pub reason: String,
}

/// An analyst's decision to keep a report past its review date (see
/// [`crate::Store::put_retention_hold`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetentionHold {
    pub retailer: String,
    pub retailer_ref: String,
    pub incident_id: String,
    /// Kept until then; due for review again after.
    pub retain_until_ms: i64,
    pub reason: String,
    /// The analyst's key id.
    pub decided_by: String,
    pub decided_at_ms: i64,
}

/// A report that may be due for review: its claim and the latest decision to keep it, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetentionCandidate {
    pub claim: ClaimRow,
    pub hold: Option<RetentionHold>,
}

/// A record that failed validation, kept with every reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedRecord {
    pub id: i64,
    pub retailer: String,
    pub retailer_ref: String,
    /// `grpc`, `http` or `bulk`.
    pub channel: String,
    pub received_at_ms: i64,
    /// The record exactly as received.
    pub payload: Vec<u8>,
    /// The problems, as JSON (`[{"field":..,"code":..,"reason":..}]`).
    pub problems: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PrincipalKind {
    /// A retailer's system: may submit incidents as that retailer.
    Retailer,
    /// A police force user: may read packages that concern that force.
    Force,
    /// An OPAL analyst: may read across forces, always with a purpose.
    Analyst,
}

impl PrincipalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::Retailer => "retailer",
            PrincipalKind::Force => "force",
            PrincipalKind::Analyst => "analyst",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "retailer" => Some(PrincipalKind::Retailer),
            "force" => Some(PrincipalKind::Force),
            "analyst" => Some(PrincipalKind::Analyst),
            _ => None,
        }
    }
}

/// An authenticated caller: who they are and on whose behalf they act.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// Hex SHA-256 of the key; the key itself is never stored.
    pub key_hash: String,
    /// A public name for the key, safe to log.
    pub key_id: String,
    pub kind: PrincipalKind,
    /// The retailer id, force slug or analyst name.
    pub subject: String,
    pub created_at_ms: i64,
    /// The person the key was issued to (an officer of a force, say), named in the audit; empty
    /// for a system's key.
    pub holder: String,
    /// When the key stops working (ms since the epoch); `None` = never.
    pub expires_at_ms: Option<i64>,
    /// When the key was revoked, and why.
    pub revoked: Option<Revocation>,
}

/// A key's revocation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    pub at_ms: i64,
    pub reason: String,
}

impl Principal {
    /// Why the key may not be used at `now_ms`, if it may not.
    pub fn unusable_at(&self, now_ms: i64) -> Option<KeyUnusable> {
        if let Some(revoked) = &self.revoked
            && revoked.at_ms <= now_ms
        {
            return Some(KeyUnusable::Revoked);
        }
        match self.expires_at_ms {
            Some(expires) if expires <= now_ms => Some(KeyUnusable::Expired),
            _ => None,
        }
    }
}

/// Why a known key is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyUnusable {
    Revoked,
    Expired,
}

/// A package version to store, with the fields needed to index it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackageRecord {
    pub package_id: String,
    pub version: u32,
    pub lead_force: String,
    /// Every force that may see the package (lead included).
    pub forces: Vec<String>,
    pub summary: Vec<u8>,
    pub body: Vec<u8>,
    /// Listing order: 0 is the most urgent priority band (the caller's numbering).
    pub priority_rank: u8,
    pub withdrawn: bool,
    /// The latest offence it cites (ms since the epoch; 0 for none).
    pub last_seen_ms: i64,
    /// When this version was published (ms since the epoch).
    pub changed_at_ms: i64,
    /// The reports its offences cite (incident ids), so that a disposal or an erasure finds it.
    pub cited_incidents: Vec<String>,
}

/// A stored package version that cites a report disposed of, or a sighting erased, after it was
/// published (see [`crate::StoreTx::packages_to_scrub`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackageToScrub {
    pub package_id: String,
    pub version: u32,
    pub summary: Vec<u8>,
    pub body: Vec<u8>,
    /// Reports disposed of (incident ids).
    pub disposed: Vec<String>,
    /// Sightings erased: the report and the person it was resolved to when erased.
    pub erased: Vec<(String, String)>,
}

/// A package version rewritten without what was disposed of or erased.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScrubbedPackage {
    pub summary: Vec<u8>,
    pub body: Vec<u8>,
    pub cited_incidents: Vec<String>,
}

/// A stored package version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackageRow {
    pub package_id: String,
    pub version: u32,
    pub lead_force: String,
    pub summary: Vec<u8>,
    pub body: Vec<u8>,
    pub priority_rank: u8,
    pub withdrawn: bool,
    pub last_seen_ms: i64,
    pub changed_at_ms: i64,
}

impl PackageRow {
    /// Where a listing continues after this row.
    pub fn position(&self) -> PackagePosition {
        PackagePosition {
            priority_rank: self.priority_rank,
            last_seen_ms: self.last_seen_ms,
            package_id: self.package_id.clone(),
        }
    }
}

/// Which of a force's packages a listing wants (latest versions only).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PackageQuery {
    pub force: String,
    /// `Some(true)`: only where the force leads; `Some(false)`: only where it is affected.
    pub lead: Option<bool>,
    /// `Some(false)`: standing packages; `Some(true)`: withdrawn ones; `None`: both.
    pub withdrawn: Option<bool>,
    /// Priority ranks to keep; empty keeps every rank.
    pub priority_ranks: Vec<u8>,
    /// Only versions published at or after this time (ms since the epoch).
    pub changed_since_ms: Option<i64>,
}

/// Where a listing page starts. Listings are ordered by priority rank, then the latest offence
/// (newest first), then package id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackagePosition {
    pub priority_rank: u8,
    pub last_seen_ms: i64,
    pub package_id: String,
}

/// One change of what a force may see, in the order changes were made (`seq`), for streams.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackageAccessChange {
    /// Increases with every change; a stream resumes after the last one it delivered.
    pub seq: i64,
    pub package_id: String,
    /// The latest version, while it concerns the force; `None` once it no longer does.
    pub latest: Option<PackageRow>,
}

/// One entry of the audit log: who did what to which record, when, and why. `seq`, `prev_hash`
/// and `hash` are set by the store when it appends (see [`crate::audit_chain`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub seq: i64,
    pub at_ms: i64,
    pub principal: String,
    pub principal_kind: String,
    /// e.g. `list-packages`, `read-package`, `read-person`.
    pub action: String,
    /// The record read, e.g. `package:PKG-G00000003@2`.
    pub resource: String,
    pub purpose: String,
    /// `disclosed`, `denied`, `not-found`.
    pub outcome: String,
    pub detail: String,
    /// The hash of the entry before (empty on entries written before the chain existed).
    #[serde(default)]
    pub prev_hash: String,
    /// This entry's hash.
    #[serde(default)]
    pub hash: String,
}
