//! Review and disposal of accepted reports under the retention schedule
//! ([`crate::config::RetentionSchedule`]; Management of Police Information review and disposal,
//! DPA 2018 Part 3 retention).
//!
//! - **Review** lists the reports due as of a date, each with its review date and why: no standing
//!   package cites it, the standing packages that cite it (kept longer), or an analyst's decision
//!   to keep it until a date.
//! - **Retain** records an analyst's decision to keep a report until a date, with the reason (the
//!   latest decision in the store, every decision in the audit log).
//! - **Dispose** withdraws the report (recorded on the claim first, like a withdrawal), records the
//!   disposal on the claim (its earlier revisions' rows and any hold are deleted), then appends the
//!   disposal record (an `orca.v1.IncidentWithdrawal` with `disposed`) and a null tombstone under
//!   the incident id to the compacted incident log, and marks the disposal published. The stages
//!   scrub what they kept of the report when they read the disposal record; the tombstone lets
//!   log compaction drop every earlier record of the report. A disposal cut short is listed as
//!   pending and finished by the next call.
//!
//! All three are for analysts only and audited.

use crate::core::IngestCore;
use crate::lifecycle::{DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, at, claim_status, withdrawal_of, withdrawal_record};
use crate::prepare::reason_problem;
use crate::{IngestError, Result};
use orca_auth::{Caller, PrincipalKind};
use orca_eventlog::{OutRecord, topics};
use orca_model::Withdrawal;
use orca_proto::convert::timestamp_to_proto;
use orca_proto::v1::{self, DisposeStatus};
use orca_store::{ClaimRow, DisposalRecord, RetentionCandidate, RetentionHold, WithdrawalRecord};
use prost::Message;
use std::collections::HashMap;
use tracing::info;

pub(crate) const DAY_MS: i64 = 86_400_000;
/// Candidates read from the store at a time while a review page fills.
const CANDIDATE_PAGE: u32 = 500;

/// When a report falls due for review, and why, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewDate {
    pub at_ms: i64,
    pub basis: String,
}

/// The review date of a report received at `received_ms`, cited by `packages` (standing ones),
/// with an analyst's `hold` if any.
pub fn review_date(
    schedule: &crate::config::RetentionSchedule,
    received_ms: i64,
    packages: &[String],
    hold: Option<&RetentionHold>,
) -> ReviewDate {
    if let Some(hold) = hold {
        return ReviewDate {
            at_ms: hold.retain_until_ms,
            basis: format!("kept by {} on {}: {}", hold.decided_by, day(hold.decided_at_ms), hold.reason),
        };
    }
    if packages.is_empty() {
        ReviewDate {
            at_ms: received_ms + i64::from(schedule.review_days) * DAY_MS,
            basis: format!("no standing package cites it ({} days after receipt)", schedule.review_days),
        }
    } else {
        ReviewDate {
            at_ms: received_ms + i64::from(schedule.supporting_review_days) * DAY_MS,
            basis: format!("supports {} ({} days after receipt)", packages.join(", "), schedule.supporting_review_days),
        }
    }
}

fn day(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map_or_else(|| ms.to_string(), |t| t.format("%Y-%m-%d").to_string())
}

impl IngestCore {
    /// The reports due for review as of the request's date (see `IngestService.RetentionReview`).
    pub async fn retention_review(
        &self,
        caller: &Caller,
        request: v1::RetentionReviewRequest,
    ) -> Result<v1::RetentionReviewResponse> {
        caller.require(PrincipalKind::Analyst)?;
        if let Some(problem) = orca_auth::purpose_problem(&request.purpose) {
            return Err(IngestError::InvalidRequest(problem));
        }
        let purpose = request.purpose.trim().to_owned();
        let limit = match request.limit {
            0 => DEFAULT_LIST_LIMIT,
            n if n > MAX_LIST_LIMIT => {
                return Err(IngestError::InvalidRequest(format!("`limit`: at most {MAX_LIST_LIMIT}, not {n}")));
            }
            n => n,
        } as usize;
        let as_of = match request.as_of {
            Some(t) => chrono::DateTime::from_timestamp(t.seconds, 0)
                .ok_or_else(|| IngestError::InvalidRequest("`as_of`: not a date".to_owned()))?
                .timestamp_millis(),
            None => chrono::Utc::now().timestamp_millis(),
        };
        let mut after: Option<(String, String)> = match request.page_token.as_str() {
            "" => None,
            token => Some(serde_json::from_str(token).map_err(|_| {
                IngestError::InvalidRequest("`page_token`: not a token from a previous response".to_owned())
            })?),
        };
        let schedule = &self.config().retention;
        let supporting = self.supporting_packages().await?;
        // The shortest period: nothing received after this can be due (a hold is checked below).
        let received_before = as_of - i64::from(schedule.review_days) * DAY_MS;
        let mut due = Vec::new();
        let mut more = false;
        'pages: loop {
            let page = self
                .store
                .retention_candidates(
                    received_before,
                    after.as_ref().map(|(r, f)| (r.as_str(), f.as_str())),
                    CANDIDATE_PAGE,
                )
                .await?;
            let exhausted = page.len() < CANDIDATE_PAGE as usize;
            for candidate in page {
                after = Some((candidate.claim.retailer.clone(), candidate.claim.retailer_ref.clone()));
                if let Some(item) = due_item(schedule, &supporting, &candidate, as_of) {
                    due.push(item);
                    if due.len() == limit {
                        more = true;
                        break 'pages;
                    }
                }
            }
            if exhausted {
                break;
            }
        }
        let next_page_token = match (more, &after) {
            (true, Some(key)) => serde_json::to_string(key).expect("a pair of strings serialises"),
            _ => String::new(),
        };
        let detail = format!("{} reports due as of {}", due.len(), day(as_of));
        self.audit(caller, "retention-review", "incidents", &purpose, &detail).await?;
        Ok(v1::RetentionReviewResponse { due, next_page_token })
    }

    /// Incident id → the standing packages that cite it.
    async fn supporting_packages(&self) -> Result<HashMap<String, Vec<String>>> {
        let mut cited: HashMap<String, Vec<String>> = HashMap::new();
        let mut after = String::new();
        loop {
            let page = self.store.standing_packages(&after, CANDIDATE_PAGE).await?;
            for row in &page {
                let package = v1::IntelligencePackage::decode(row.body.as_slice()).map_err(|e| {
                    IngestError::Internal(format!("package {} v{} cannot be read: {e}", row.package_id, row.version))
                })?;
                for offence in &package.offences {
                    cited.entry(offence.incident_id.clone()).or_default().push(row.package_id.clone());
                }
            }
            match page.last() {
                Some(last) if page.len() == CANDIDATE_PAGE as usize => after = last.package_id.clone(),
                _ => break,
            }
        }
        for packages in cited.values_mut() {
            packages.sort_unstable();
            packages.dedup();
        }
        Ok(cited)
    }

    /// Disposes of one report (see the module docs and `IngestService.Dispose`).
    pub async fn dispose(&self, caller: &Caller, request: v1::DisposeRequest) -> Result<v1::DisposeResponse> {
        caller.require(PrincipalKind::Analyst)?;
        let retailer = required_text("retailer_id", &request.retailer_id)?;
        let retailer_ref = required_text("retailer_ref", &request.retailer_ref)?;
        if let Some(problem) = reason_problem("reason", &request.reason) {
            return Err(IngestError::InvalidRequest(format!("`{}`: {}", problem.field, problem.reason)));
        }
        let reason = request.reason.trim().to_owned();
        let claim = self.claim_of(&retailer, &retailer_ref).await?;
        let response = |claim: &ClaimRow, status: DisposeStatus| v1::DisposeResponse {
            incident_id: claim.incident_id.clone(),
            retailer_ref: claim.retailer_ref.clone(),
            status: status as i32,
        };
        if claim.disposed_at_ms.is_some() && claim.disposal_published {
            return Ok(response(&claim, DisposeStatus::AlreadyDisposed));
        }
        let now = chrono::Utc::now().timestamp_millis();
        if claim.withdrawn_at_ms.is_none() {
            if !claim.published {
                return Err(IngestError::Conflict(format!(
                    "report `{retailer_ref}` is not confirmed on the log yet (the retailer's send did not finish); \
                     it cannot be disposed of until it is"
                )));
            }
            let record = WithdrawalRecord {
                retailer: retailer.clone(),
                retailer_ref: retailer_ref.clone(),
                revision: claim.revision,
                reason: format!("disposed of under the retention schedule: {reason}"),
                withdrawn_by: caller.key_id.clone(),
                at_ms: now,
            };
            if !self.store.withdraw_incident(&record).await? {
                return Err(changed_meanwhile(&retailer_ref));
            }
        }
        let record = DisposalRecord {
            retailer: retailer.clone(),
            retailer_ref: retailer_ref.clone(),
            at_ms: now,
            disposed_by: caller.key_id.clone(),
            reason: reason.clone(),
        };
        if claim.disposed_at_ms.is_none() && !self.store.dispose_incident(&record).await? {
            return Err(changed_meanwhile(&retailer_ref));
        }
        let claim = self.claim_of(&retailer, &retailer_ref).await?;
        // Said by whoever disposed of it (the first call, if an earlier one was cut short), also
        // when the retailer had withdrawn it before.
        let disposal = Withdrawal {
            reason: claim.disposal_reason.clone(),
            withdrawn_by: claim.disposed_by.clone(),
            withdrawn_at: claim.disposed_at_ms.and_then(chrono::DateTime::from_timestamp_millis),
            ..withdrawal_of(&claim, true)
        };
        // The disposal record, then the null tombstone that lets compaction drop the report.
        let tombstone = OutRecord::new(topics::INCIDENTS, claim.incident_id.as_bytes(), Vec::new());
        self.log.append(vec![withdrawal_record(&disposal), tombstone]).await?;
        self.store.mark_disposal_published(&retailer, &retailer_ref).await?;
        info!(incident = %claim.incident_id, %retailer, by = %caller.key_id, "report disposed of");
        let resource = format!("incident:{}", claim.incident_id);
        let detail = format!("disposed of; revision {} received on {}", claim.revision, day(claim.received_at_ms));
        self.audit(caller, "dispose-incident", &resource, &reason, &detail).await?;
        Ok(response(&claim, DisposeStatus::Disposed))
    }

    /// Records a decision to keep a report until a date (see `IngestService.Retain`).
    pub async fn retain(&self, caller: &Caller, request: v1::RetainRequest) -> Result<v1::RetainResponse> {
        caller.require(PrincipalKind::Analyst)?;
        let retailer = required_text("retailer_id", &request.retailer_id)?;
        let retailer_ref = required_text("retailer_ref", &request.retailer_ref)?;
        if let Some(problem) = reason_problem("reason", &request.reason) {
            return Err(IngestError::InvalidRequest(format!("`{}`: {}", problem.field, problem.reason)));
        }
        let now = chrono::Utc::now().timestamp_millis();
        let longest = now + i64::from(self.config().retention.supporting_review_days) * DAY_MS;
        let until = match request.retain_until {
            Some(t) => t.seconds.saturating_mul(1000),
            None => return Err(IngestError::InvalidRequest("`retain_until`: say until when".to_owned())),
        };
        if until <= now || until > longest {
            return Err(IngestError::InvalidRequest(format!(
                "`retain_until`: must be after now and at most {} days from now (by {}), not {}",
                self.config().retention.supporting_review_days,
                day(longest),
                day(until)
            )));
        }
        let claim = self.claim_of(&retailer, &retailer_ref).await?;
        if claim.disposed_at_ms.is_some() {
            return Err(IngestError::Conflict(format!("report `{retailer_ref}` was disposed of; nothing is kept")));
        }
        let hold = RetentionHold {
            retailer: retailer.clone(),
            retailer_ref: retailer_ref.clone(),
            incident_id: claim.incident_id.clone(),
            retain_until_ms: until,
            reason: request.reason.trim().to_owned(),
            decided_by: caller.key_id.clone(),
            decided_at_ms: now,
        };
        self.store.put_retention_hold(&hold).await?;
        let resource = format!("incident:{}", claim.incident_id);
        self.audit(caller, "retain-incident", &resource, &hold.reason, &format!("kept until {}", day(until))).await?;
        Ok(v1::RetainResponse { incident_id: claim.incident_id, retain_until: at(until) })
    }

    async fn claim_of(&self, retailer: &str, retailer_ref: &str) -> Result<ClaimRow> {
        self.store.claim_row(retailer, retailer_ref).await?.ok_or_else(|| {
            IngestError::NotFound(format!("{retailer} has no accepted report with reference `{retailer_ref}`"))
        })
    }
}

/// The review item of a candidate due as of `as_of`, if it is.
fn due_item(
    schedule: &crate::config::RetentionSchedule,
    supporting: &HashMap<String, Vec<String>>,
    candidate: &RetentionCandidate,
    as_of: i64,
) -> Option<v1::RetentionItem> {
    let claim = &candidate.claim;
    let packages = supporting.get(&claim.incident_id).map_or(&[][..], Vec::as_slice);
    let review = review_date(schedule, claim.received_at_ms, packages, candidate.hold.as_ref());
    (review.at_ms <= as_of).then(|| v1::RetentionItem {
        incident_id: claim.incident_id.clone(),
        retailer_id: claim.retailer.clone(),
        retailer_ref: claim.retailer_ref.clone(),
        received_at: at(claim.received_at_ms),
        review_at: chrono::DateTime::from_timestamp_millis(review.at_ms).map(timestamp_to_proto),
        basis: review.basis,
        supported_packages: packages.to_vec(),
        state: claim_status(claim).state,
    })
}

fn required_text(field: &str, value: &str) -> Result<String> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > 500 {
        return Err(IngestError::InvalidRequest(format!("`{field}`: required, 1 to 500 characters")));
    }
    Ok(value.to_owned())
}

fn changed_meanwhile(retailer_ref: &str) -> IngestError {
    IngestError::Conflict(format!(
        "report `{retailer_ref}` changed while it was being disposed of (corrected or withdrawn by another call); \
         list it, then dispose of it again"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RetentionSchedule;

    #[test]
    fn the_review_date_counts_from_receipt_longer_for_a_supporting_report_and_a_hold_sets_it() {
        let schedule = RetentionSchedule { review_days: 10, supporting_review_days: 30, face_template_days: 5 };
        let plain = review_date(&schedule, 0, &[], None);
        assert_eq!(plain.at_ms, 10 * DAY_MS);
        assert!(plain.basis.starts_with("no standing package cites it"), "{}", plain.basis);
        let packages = vec!["PKG-G1".to_owned(), "PKG-P7".to_owned()];
        let supporting = review_date(&schedule, 0, &packages, None);
        assert_eq!(supporting.at_ms, 30 * DAY_MS);
        assert!(supporting.basis.contains("supports PKG-G1, PKG-P7"), "{}", supporting.basis);
        let hold = RetentionHold {
            retailer: "northmart".into(),
            retailer_ref: "NM-1".into(),
            incident_id: "INC-1".into(),
            retain_until_ms: 50 * DAY_MS,
            reason: "live investigation".into(),
            decided_by: "opal-1".into(),
            decided_at_ms: 0,
        };
        let held = review_date(&schedule, 0, &packages, Some(&hold));
        assert_eq!(held.at_ms, 50 * DAY_MS);
        assert_eq!(held.basis, "kept by opal-1 on 1970-01-01: live investigation");
    }
}
