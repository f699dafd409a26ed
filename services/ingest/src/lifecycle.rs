//! A report after it was accepted: withdrawing it, and a retailer's own listing of what became of
//! its records. (Corrections arrive as records, through [`IngestCore::ingest`].)
//!
//! A withdrawal is recorded on the claim first (from then on the report cannot be corrected or
//! sent again), then its tombstone is appended to `orca.incidents.v1` (an
//! `orca.v1.IncidentWithdrawal` keyed by the incident id, header `orca-record: withdrawal`) and the
//! claim marked published. A failure in between leaves it recorded but unpublished (listed as
//! pending); the next withdrawal call appends the tombstone, with the first call's reason. A
//! tombstone appended twice is ignored by the resolver. Every withdrawal and every listing is written to the audit log.

use crate::core::IngestCore;
use crate::prepare::reason_problem;
use crate::{IngestError, Result};
use orca_auth::{Caller, PrincipalKind};
use orca_eventlog::{OutRecord, topics};
use orca_model::{IncidentId, Problem, RetailerId, Withdrawal};
use orca_proto::convert::{problem_to_proto, timestamp_to_proto, withdrawal_to_proto};
use orca_proto::v1::{self, RecordState, WithdrawStatus};
use orca_store::{AuditRecord, ClaimRow, RejectedRecord, WithdrawalRecord};
use prost::Message;
use tracing::info;

/// Records listed when a request does not say how many.
pub const DEFAULT_LIST_LIMIT: u32 = 100;
/// The most records one listing returns.
pub const MAX_LIST_LIMIT: u32 = 1000;

impl IngestCore {
    /// Withdraws one report (see the module docs): a retailer its own, an analyst any retailer's.
    pub async fn withdraw(&self, caller: &Caller, request: v1::WithdrawRequest) -> Result<v1::WithdrawResponse> {
        let retailer = whose_records(caller, &request.retailer_id)?;
        self.records.try_take(&caller.key_id, 1.0).map_err(IngestError::TooManyRecords)?;
        let retailer_ref = request.retailer_ref.trim();
        if retailer_ref.is_empty() {
            return Err(IngestError::InvalidRequest("`retailer_ref`: say which report to withdraw".to_owned()));
        }
        if let Some(problem) = reason_problem("reason", &request.reason) {
            return Err(IngestError::InvalidRequest(format!("`{}`: {}", problem.field, problem.reason)));
        }
        let reason = request.reason.trim().to_owned();
        let Some(claim) = self.store.claim_row(&retailer, retailer_ref).await? else {
            return Err(IngestError::NotFound(format!(
                "{retailer} has no accepted report with reference `{retailer_ref}` (ListRecords, GET /v1/records or \
                 `orca records` lists them)"
            )));
        };
        let response = |claim: &ClaimRow, status: WithdrawStatus| v1::WithdrawResponse {
            incident_id: claim.incident_id.clone(),
            retailer_ref: claim.retailer_ref.clone(),
            status: status as i32,
            revision: claim.revision,
        };
        if claim.withdrawn_at_ms.is_some() && claim.withdrawal_published {
            return Ok(response(&claim, WithdrawStatus::AlreadyWithdrawn));
        }
        let claim = if claim.withdrawn_at_ms.is_some() {
            // Recorded by an earlier call whose tombstone did not reach the log: finished now,
            // with its own reason.
            claim
        } else {
            if !claim.published {
                return Err(IngestError::Conflict(format!(
                    "report `{retailer_ref}` is not confirmed on the log yet (an earlier send did not finish): \
                     send it again, then withdraw it"
                )));
            }
            let record = WithdrawalRecord {
                retailer: retailer.clone(),
                retailer_ref: claim.retailer_ref.clone(),
                revision: claim.revision,
                reason,
                withdrawn_by: caller.key_id.clone(),
                at_ms: chrono::Utc::now().timestamp_millis(),
            };
            // Recorded first, so no correction can slip in before the tombstone.
            if !self.store.withdraw_incident(&record).await? {
                return Err(IngestError::Conflict(format!(
                    "report `{retailer_ref}` changed while it was being withdrawn (corrected or withdrawn by \
                     another call); list it, then withdraw it again"
                )));
            }
            self.store.claim_row(&retailer, &claim.retailer_ref).await?.ok_or_else(|| {
                IngestError::Internal(format!("the claim of `{retailer_ref}` vanished while it was withdrawn"))
            })?
        };
        let withdrawal = withdrawal_of(&claim, false);
        let tombstone = withdrawal_record(&withdrawal);
        // A failure here leaves the withdrawal recorded but unpublished: the next call finishes it.
        self.log.append(vec![tombstone]).await?;
        self.store.mark_withdrawal_published(&retailer, &claim.retailer_ref).await?;
        info!(incident = %claim.incident_id, %retailer, by = %caller.key_id, "report withdrawn");
        let resource = format!("incident:{}@{}", claim.incident_id, claim.revision);
        self.audit(caller, "withdraw-incident", &resource, &withdrawal.reason, "withdrawn").await?;
        Ok(response(&claim, WithdrawStatus::Withdrawn))
    }

    /// A retailer's records and what became of each (see `orca.v1.IngestService.ListRecords`).
    pub async fn list_records(
        &self,
        caller: &Caller,
        request: v1::ListRecordsRequest,
    ) -> Result<v1::ListRecordsResponse> {
        let retailer = whose_records(caller, &request.retailer_id)?;
        // An analyst reads another organisation's records: they say why, like every analyst read.
        let purpose = match caller.kind {
            PrincipalKind::Analyst => match orca_auth::purpose_problem(&request.purpose) {
                Some(problem) => return Err(IngestError::InvalidRequest(problem)),
                None => request.purpose.trim().to_owned(),
            },
            _ => "retailer self-service".to_owned(),
        };
        let limit = match request.limit {
            0 => DEFAULT_LIST_LIMIT,
            n if n > MAX_LIST_LIMIT => {
                return Err(IngestError::InvalidRequest(format!("`limit`: at most {MAX_LIST_LIMIT}, not {n}")));
            }
            n => n,
        };
        let only_ref = request.retailer_ref.trim();
        let response = if request.rejected {
            let before = match request.page_token.as_str() {
                "" => None,
                token => Some(token.parse::<i64>().map_err(|_| bad_token())?),
            };
            let mut rows = self.store.rejected_before(&retailer, before, limit.max(1)).await?;
            // The page is cut before the reference filter, so following the pages finds every one.
            let next = if rows.len() as u32 == limit { rows.last().map(|r| r.id.to_string()) } else { None };
            if !only_ref.is_empty() {
                rows.retain(|row| row.retailer_ref == only_ref);
            }
            v1::ListRecordsResponse {
                records: rows.iter().map(rejected_status).collect(),
                next_page_token: next.unwrap_or_default(),
            }
        } else if !only_ref.is_empty() {
            let row = self.store.claim_row(&retailer, only_ref).await?;
            v1::ListRecordsResponse { records: row.iter().map(claim_status).collect(), next_page_token: String::new() }
        } else {
            let rows = self.store.claim_rows(&retailer, &request.page_token, limit).await?;
            let next = if rows.len() as u32 == limit { rows.last().map(|r| r.retailer_ref.clone()) } else { None };
            v1::ListRecordsResponse {
                records: rows.iter().map(claim_status).collect(),
                next_page_token: next.unwrap_or_default(),
            }
        };
        let what = if request.rejected { "rejected" } else { "accepted" };
        let detail = format!("{} {what} records", response.records.len());
        self.audit(caller, "list-records", &format!("retailer:{retailer}"), &purpose, &detail).await?;
        Ok(response)
    }

    /// Purges the rejected records kept longer than `rejected_retention_days` (as of `now`), and
    /// audits how many went. Returns how many.
    pub async fn purge_expired_rejections(&self, now: chrono::DateTime<chrono::Utc>) -> Result<u64> {
        let days = self.config().rejected_retention_days;
        let cutoff = now - chrono::Duration::days(i64::from(days));
        let purged = self.store.purge_rejected(cutoff.timestamp_millis()).await?;
        if purged > 0 {
            info!(purged, days, "rejected records past their retention purged");
            let record = AuditRecord {
                at_ms: now.timestamp_millis(),
                principal: "orca".to_owned(),
                principal_kind: "system:retention".to_owned(),
                action: "purge-rejected".to_owned(),
                resource: "rejected_records".to_owned(),
                purpose: format!("retention schedule: rejected records are kept {days} days"),
                outcome: "done".to_owned(),
                detail: format!("{purged} records received before {} purged", cutoff.format("%Y-%m-%dT%H:%M:%SZ")),
                ..AuditRecord::default()
            };
            self.store.append_audit(&record).await?;
        }
        Ok(purged)
    }

    pub(crate) async fn audit(
        &self,
        caller: &Caller,
        action: &str,
        resource: &str,
        purpose: &str,
        detail: &str,
    ) -> Result<()> {
        let record = AuditRecord {
            at_ms: chrono::Utc::now().timestamp_millis(),
            principal: caller.key_id.clone(),
            principal_kind: format!("{}:{}", caller.kind.as_str(), caller.subject),
            action: action.to_owned(),
            resource: resource.to_owned(),
            purpose: purpose.to_owned(),
            outcome: "done".to_owned(),
            detail: detail.to_owned(),
            ..AuditRecord::default()
        };
        self.store.append_audit(&record).await?;
        Ok(())
    }
}

/// The withdrawal (or disposal) a withdrawn claim stands for.
pub(crate) fn withdrawal_of(claim: &ClaimRow, disposed: bool) -> Withdrawal {
    Withdrawal {
        incident_id: IncidentId::new(claim.incident_id.clone()),
        retailer: RetailerId::new(claim.retailer.clone()),
        retailer_ref: claim.retailer_ref.clone(),
        revision: claim.revision,
        reason: claim.note.clone(),
        withdrawn_by: claim.withdrawn_by.clone(),
        withdrawn_at: claim.withdrawn_at_ms.and_then(chrono::DateTime::from_timestamp_millis),
        disposed,
    }
}

/// The record of a withdrawal on the incident log: keyed by the incident id, header
/// `orca-record: withdrawal`.
pub(crate) fn withdrawal_record(withdrawal: &Withdrawal) -> OutRecord {
    OutRecord::new(
        topics::INCIDENTS,
        withdrawal.incident_id.as_str().as_bytes(),
        withdrawal_to_proto(withdrawal).encode_to_vec(),
    )
    .with_header(topics::RECORD_KIND, topics::WITHDRAWAL)
}

/// Whose records a caller acts on: a retailer its own (naming another is refused), an analyst the
/// retailer it names.
pub(crate) fn whose_records(caller: &Caller, named: &str) -> Result<String> {
    let named = named.trim();
    match caller.kind {
        PrincipalKind::Retailer if named.is_empty() || named == caller.subject => Ok(caller.subject.clone()),
        PrincipalKind::Retailer => Err(IngestError::InvalidRequest(format!(
            "`retailer_id`: this key acts for `{}`, not `{named}`; a retailer reaches only its own records",
            caller.subject
        ))),
        PrincipalKind::Analyst if named.is_empty() => {
            Err(IngestError::InvalidRequest("`retailer_id`: an analyst names the retailer".to_owned()))
        }
        PrincipalKind::Analyst => Ok(named.to_owned()),
        PrincipalKind::Force => Err(caller.require(PrincipalKind::Retailer).unwrap_err().into()),
    }
}

fn bad_token() -> IngestError {
    IngestError::InvalidRequest("`page_token`: not a token from a previous response".to_owned())
}

pub(crate) fn at(ms: i64) -> Option<pbjson_types::Timestamp> {
    chrono::DateTime::from_timestamp_millis(ms).map(timestamp_to_proto)
}

pub(crate) fn claim_status(row: &ClaimRow) -> v1::RecordStatus {
    let state = if row.disposed_at_ms.is_some() && row.disposal_published {
        RecordState::Disposed
    } else if row.disposed_at_ms.is_some() {
        RecordState::Pending
    } else if row.withdrawn_at_ms.is_some() && row.withdrawal_published {
        RecordState::Withdrawn
    } else if row.withdrawn_at_ms.is_some() || !row.published {
        RecordState::Pending
    } else if row.revision > 1 {
        RecordState::Corrected
    } else {
        RecordState::Accepted
    };
    v1::RecordStatus {
        retailer_ref: row.retailer_ref.clone(),
        incident_id: row.incident_id.clone(),
        state: state as i32,
        revision: row.revision,
        at: at(row.disposed_at_ms.or(row.withdrawn_at_ms).unwrap_or(row.received_at_ms)),
        note: if row.disposed_at_ms.is_some() && !row.disposal_published {
            format!(
                "disposal not yet confirmed on the log (an analyst disposes again to finish it): {}",
                row.disposal_reason
            )
        } else if row.disposed_at_ms.is_some() {
            format!("disposed of under the retention schedule: {}", row.disposal_reason)
        } else if row.withdrawn_at_ms.is_some() && !row.withdrawal_published {
            format!("withdrawal not yet confirmed on the log (withdraw again to finish it): {}", row.note)
        } else {
            row.note.clone()
        },
        withdrawn_by: if row.disposed_at_ms.is_some() { row.disposed_by.clone() } else { row.withdrawn_by.clone() },
        ..Default::default()
    }
}

fn rejected_status(row: &RejectedRecord) -> v1::RecordStatus {
    let problems: Vec<Problem> = serde_json::from_str(&row.problems).unwrap_or_default();
    v1::RecordStatus {
        retailer_ref: row.retailer_ref.clone(),
        state: RecordState::Rejected as i32,
        at: at(row.received_at_ms),
        problems: problems.iter().map(problem_to_proto).collect(),
        channel: row.channel.clone(),
        ..Default::default()
    }
}
