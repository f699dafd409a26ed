//! Revisions of a report that ORCA makes itself, to stop holding what it may no longer hold:
//!
//! - **Face templates past the schedule** (`ingest.retention.face_template_days` after receipt):
//!   the next revision has no face templates ([`IngestCore::expire_face_templates`], run by the
//!   runtime every hour beside the purge of rejected records).
//! - **A person erased** by an analyst's decision ([`IngestCore::erase`], `IngestService.Erase`):
//!   the next revision keeps the sighting's place with the role ERASED and nothing else, and the
//!   same places stay erased in later corrections from the retailer.
//!
//! Each is a revision like a retailer's correction (the stages recompute the report's entities,
//! links and packages as if it had always been received that way, and log compaction drops the
//! earlier revisions) but keeps the retailer's content hash and receipt time: the same submission
//! sent again is still a duplicate, and the report's review date does not move. The report comes
//! from the claim, which keeps the current revision's (see `orca_store::PublishedReport`). The
//! revision is recorded on the claim first, then put on the log, then marked published; one cut
//! short is finished by the next hourly run.

use crate::core::IngestCore;
use crate::prepare::{ValidRecord, reason_problem};
use crate::retention::DAY_MS;
use crate::submission::codes;
use crate::{IngestError, Result};
use orca_auth::{Caller, PrincipalKind};
use orca_eventlog::{OutRecord, topics};
use orca_model::Problem;
use orca_proto::convert::problem_to_proto;
use orca_proto::v1::{self, EraseStatus};
use orca_store::{AuditRecord, ClaimRow, ErasureRecord, PublishedReport, Revision};
use prost::Message;
use std::collections::BTreeMap;
use tracing::{info, warn};

/// Claims read from the store at a time by the hourly run.
const CANDIDATE_PAGE: u32 = 200;
/// The most sightings one erasure names.
const MAX_ERASED_SIGHTINGS: usize = 1_000;

/// What one run of [`IngestCore::expire_face_templates`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FaceExpiry {
    /// Reports whose revision without face templates is now on the log.
    pub reports: u64,
    /// Face templates those reports held.
    pub templates: u64,
    /// Revisions ORCA made earlier whose putting on the log was cut short, finished now.
    pub finished: u64,
}

impl IngestCore {
    /// Makes the revision without face templates of every report whose templates fell due by
    /// `now`, and finishes revisions cut short. Each report is audited (`expire-face-templates`).
    pub async fn expire_face_templates(&self, now: chrono::DateTime<chrono::Utc>) -> Result<FaceExpiry> {
        let days = self.config().retention.face_template_days;
        let reason = format!("face templates removed under the retention schedule ({days} days after receipt)");
        let mut done = FaceExpiry::default();
        let mut after: Option<(String, String)> = None;
        loop {
            let page = self
                .store
                .reissue_candidates(
                    now.timestamp_millis(),
                    after.as_ref().map(|(r, f)| (r.as_str(), f.as_str())),
                    CANDIDATE_PAGE,
                )
                .await?;
            let exhausted = page.len() < CANDIDATE_PAGE as usize;
            for claim in page {
                after = Some((claim.retailer.clone(), claim.retailer_ref.clone()));
                if claim.orca_revision && !claim.published {
                    self.publish_kept(&claim).await?;
                    done.finished += 1;
                    continue;
                }
                let mut removed = 0;
                let mut strip = |report: &mut v1::Incident| {
                    for person in &mut report.persons {
                        removed += u64::from(person.face.take().is_some());
                    }
                    removed > 0
                };
                let detail = if claim.withdrawn_at_ms.is_some() {
                    // Off the log already (its withdrawal supersedes it): only the store's copy.
                    let mut report = self.kept(&claim).await?;
                    strip(&mut report);
                    let body = report.encode_to_vec();
                    if !self.store.replace_withdrawn_report(&claim.retailer, &claim.retailer_ref, &body).await? {
                        continue;
                    }
                    format!("{removed} face templates removed from the withdrawn report's kept copy")
                } else {
                    match self.reissue(&claim, &reason, &reason, strip).await {
                        Ok(Some(revision)) => format!("{removed} face templates removed; revision {revision}"),
                        Ok(None) => continue,
                        // Changed meanwhile (another instance's run, or a correction): next time.
                        Err(IngestError::Conflict(why)) => {
                            warn!(incident = %claim.incident_id, %why, "face templates not removed this time");
                            continue;
                        }
                        Err(error) => return Err(error),
                    }
                };
                done.reports += 1;
                done.templates += removed;
                let record = AuditRecord {
                    at_ms: now.timestamp_millis(),
                    principal: "orca".to_owned(),
                    principal_kind: "system:retention".to_owned(),
                    action: "expire-face-templates".to_owned(),
                    resource: format!("incident:{}", claim.incident_id),
                    purpose: format!("retention schedule: face templates are kept {days} days"),
                    outcome: "done".to_owned(),
                    detail,
                    ..AuditRecord::default()
                };
                self.store.append_audit(&record).await?;
            }
            if exhausted {
                break;
            }
        }
        if done != FaceExpiry::default() {
            info!(
                reports = done.reports,
                templates = done.templates,
                finished = done.finished,
                days,
                "face templates past the retention schedule removed"
            );
        }
        Ok(done)
    }

    /// Erases a person from the reports that mention them (see `IngestService.Erase`).
    pub async fn erase(&self, caller: &Caller, request: v1::EraseRequest) -> Result<v1::EraseResponse> {
        caller.require(PrincipalKind::Analyst)?;
        let person_id = request.person_id.trim().to_owned();
        if person_id.is_empty() || person_id.chars().count() > 200 {
            return Err(IngestError::InvalidRequest("`person_id`: required, 1 to 200 characters".to_owned()));
        }
        if request.sightings.is_empty() || request.sightings.len() > MAX_ERASED_SIGHTINGS {
            return Err(IngestError::InvalidRequest(format!(
                "`sightings`: name 1 to {MAX_ERASED_SIGHTINGS} sightings, not {}",
                request.sightings.len()
            )));
        }
        if let Some(problem) = reason_problem("reason", &request.reason) {
            return Err(IngestError::InvalidRequest(format!("`{}`: {}", problem.field, problem.reason)));
        }
        if request.merged_ids.len() > MAX_ERASED_SIGHTINGS {
            return Err(IngestError::InvalidRequest(format!(
                "`merged_ids`: at most {MAX_ERASED_SIGHTINGS} ids, not {}",
                request.merged_ids.len()
            )));
        }
        let mut merged_ids = Vec::with_capacity(request.merged_ids.len());
        for (i, id) in request.merged_ids.iter().enumerate() {
            let id = id.trim();
            if id.is_empty() || id.chars().count() > 200 || id == person_id {
                return Err(IngestError::InvalidRequest(format!(
                    "`merged_ids[{i}]`: 1 to 200 characters, another id than `person_id`"
                )));
            }
            merged_ids.push(id.to_owned());
        }
        let reason = request.reason.trim().to_owned();
        let mut places: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for (i, sighting) in request.sightings.iter().enumerate() {
            let incident_id = sighting.incident_id.trim();
            if incident_id.is_empty() || incident_id.chars().count() > 100 {
                return Err(IngestError::InvalidRequest(format!(
                    "`sightings[{i}].incident_id`: required, 1 to 100 characters"
                )));
            }
            places.entry(incident_id.to_owned()).or_default().push(sighting.sighting_index);
        }
        // Every report is checked before any is changed, so a mistyped place changes nothing.
        let mut reports = Vec::with_capacity(places.len());
        for (incident_id, indices) in places {
            let claim =
                self.store.claim_of_incident(&incident_id).await?.ok_or_else(|| {
                    IngestError::NotFound(format!("no accepted report has incident id `{incident_id}`"))
                })?;
            if claim.withdrawn_at_ms.is_some() {
                return Err(IngestError::Conflict(format!(
                    "report `{incident_id}` was withdrawn; to erase what is kept of it, dispose of it \
                     (orca retention dispose --retailer {} --ref {})",
                    claim.retailer, claim.retailer_ref
                )));
            }
            let report = self.kept(&claim).await?;
            for &index in &indices {
                if index as usize >= report.persons.len() {
                    return Err(IngestError::InvalidRequest(format!(
                        "`sightings`: report `{incident_id}` has {} persons; there is no place {index}",
                        report.persons.len()
                    )));
                }
            }
            reports.push((claim, report, indices));
        }
        let now = chrono::Utc::now().timestamp_millis();
        let revision_reason = format!("person {person_id} erased by {}: {reason}", caller.key_id);
        let mut answers = Vec::new();
        for (claim, report, indices) in reports {
            let erased_before = |index: u32| report.persons[index as usize].role == v1::PersonRole::Erased as i32;
            let statuses: Vec<_> = (indices.iter())
                .map(|&i| if erased_before(i) { EraseStatus::AlreadyErased } else { EraseStatus::Erased })
                .collect();
            for &index in &indices {
                let erasure = ErasureRecord {
                    incident_id: claim.incident_id.clone(),
                    sighting_index: index,
                    person_id: person_id.clone(),
                    merged_ids: merged_ids.clone(),
                    reason: reason.clone(),
                    erased_by: caller.key_id.clone(),
                    erased_at_ms: now,
                };
                if !erased_before(index) {
                    self.store.record_erasure(&erasure).await?;
                }
            }
            // A revision of ours cut short goes on the log first; the erasure is the one after it.
            let claim = if claim.orca_revision && !claim.published {
                self.publish_kept(&claim).await?;
                self.store.claim_of_incident(&claim.incident_id).await?.unwrap_or(claim)
            } else {
                claim
            };
            // The retailer's listing says what changed, not who or why (police information).
            let places = indices.iter().map(|i| format!("persons[{i}]")).collect::<Vec<_>>().join(", ");
            let note = format!("{places} erased by an analyst's decision");
            let erase = |report: &mut v1::Incident| erase_places(report, &indices) > 0;
            let revision = self.reissue(&claim, &revision_reason, &note, erase).await?.unwrap_or(claim.revision);
            answers.extend(indices.iter().zip(&statuses).map(|(&sighting_index, status)| v1::ErasedReport {
                incident_id: claim.incident_id.clone(),
                sighting_index,
                status: *status as i32,
                revision,
            }));
            let places = indices.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
            let detail = format!("person {person_id} erased at places {places}; revision {revision}");
            self.audit(caller, "erase-person", &format!("incident:{}", claim.incident_id), &reason, &detail).await?;
        }
        info!(person = %person_id, reports = answers.len(), by = %caller.key_id, "person erased");
        Ok(v1::EraseResponse { reports: answers })
    }

    /// Blanks the places erased earlier in a retailer's later revision of a report, with a
    /// warning for each.
    pub(crate) async fn erase_again(&self, valid: &mut ValidRecord) -> Result<()> {
        let erasures = self.store.erasures(&valid.incident_id).await?;
        if erasures.is_empty() {
            return Ok(());
        }
        let mut report = v1::Incident::decode(valid.value.as_slice())
            .map_err(|e| IngestError::Internal(format!("a prepared report does not decode: {e}")))?;
        let indices: Vec<u32> = erasures.iter().map(|e| e.sighting_index).collect();
        erase_places(&mut report, &indices);
        for erasure in erasures.iter().filter(|e| (e.sighting_index as usize) < report.persons.len()) {
            let day = chrono::DateTime::from_timestamp_millis(erasure.erased_at_ms)
                .map_or_else(String::new, |t| t.format("%Y-%m-%d").to_string());
            let problem = Problem::new(
                format!("persons[{}]", erasure.sighting_index),
                codes::ERASED,
                format!("this person was erased by an analyst's decision on {day}; ORCA does not take them again"),
            );
            valid.warnings.push(problem_to_proto(&problem));
        }
        valid.has_faces = report.persons.iter().any(|person| person.face.is_some());
        valid.value = report.encode_to_vec();
        Ok(())
    }

    /// Keeps on its claim the report of a record read from the incident log (`value`), when the
    /// claim is published at that revision, not withdrawn, and keeps none yet (accepted before
    /// ORCA kept reports, migration 0009), with its face templates due as the schedule says;
    /// whether it did. For `orca db backfill-reports`.
    pub async fn backfill_kept_report(&self, value: &[u8]) -> Result<bool> {
        let Ok(report) = v1::Incident::decode(value) else { return Ok(false) };
        if report.incident_id.is_empty() {
            return Ok(false);
        }
        let Some(claim) = self.store.claim_of_incident(&report.incident_id).await? else { return Ok(false) };
        let current = claim.published && claim.withdrawn_at_ms.is_none() && claim.revision == report.revision.max(1);
        if !current || self.store.kept_report(&claim.retailer, &claim.retailer_ref).await?.is_some() {
            return Ok(false);
        }
        let has_faces = report.persons.iter().any(|person| person.face.is_some());
        let days = self.config().retention.face_template_days;
        let report = PublishedReport {
            retailer: claim.retailer.clone(),
            retailer_ref: claim.retailer_ref.clone(),
            revision: claim.revision,
            body: value.to_vec(),
            faces_until_ms: has_faces.then(|| faces_due(claim.received_at_ms, days)),
        };
        self.store.mark_published_many(&[report]).await?;
        Ok(true)
    }

    /// The report kept on a claim.
    async fn kept(&self, claim: &ClaimRow) -> Result<v1::Incident> {
        let body = self.store.kept_report(&claim.retailer, &claim.retailer_ref).await?.ok_or_else(|| {
            IngestError::Conflict(format!(
                "ORCA does not keep the report `{}` (accepted before reports were kept on their claims); \
                 ask {} to send a correction, or dispose of it",
                claim.incident_id, claim.retailer
            ))
        })?;
        v1::Incident::decode(body.as_slice())
            .map_err(|e| IngestError::Internal(format!("the kept report `{}` does not decode: {e}", claim.incident_id)))
    }

    /// Makes the claim's next revision from its kept report with `change` applied (which says
    /// whether it changed anything; if not, nothing is done and `None` returned), puts it on the
    /// log and marks it published. `reason` goes with the revision on the log (analysts and
    /// forces see it); `note` on the claim (the retailer's listing shows it).
    async fn reissue(
        &self,
        claim: &ClaimRow,
        reason: &str,
        note: &str,
        change: impl FnOnce(&mut v1::Incident) -> bool,
    ) -> Result<Option<u32>> {
        let mut report = self.kept(claim).await?;
        if !change(&mut report) {
            return Ok(None);
        }
        let next = claim.revision + 1;
        report.revision = next;
        report.correction_reason = reason.to_owned();
        report.redaction = true;
        let body = report.encode_to_vec();
        let has_faces = report.persons.iter().any(|person| person.face.is_some());
        let revision = Revision {
            retailer: claim.retailer.clone(),
            retailer_ref: claim.retailer_ref.clone(),
            replaces: claim.revision,
            content_hash: claim.content_hash.clone(),
            reason: note.to_owned(),
            received_at_ms: claim.received_at_ms,
        };
        let faces_until_ms = if has_faces { claim.faces_until_ms } else { None };
        if self.store.reissue_incident(&revision, &body, faces_until_ms).await?.is_none() {
            return Err(IngestError::Conflict(format!(
                "report `{}` changed meanwhile (corrected or withdrawn by another call); try again",
                claim.incident_id
            )));
        }
        self.publish(claim, next, body, faces_until_ms).await?;
        Ok(Some(next))
    }

    /// Puts a revision ORCA made, recorded on the claim but not on the log yet, on the log.
    async fn publish_kept(&self, claim: &ClaimRow) -> Result<()> {
        let Some(body) = self.store.kept_report(&claim.retailer, &claim.retailer_ref).await? else {
            warn!(incident = %claim.incident_id, "a revision ORCA made has no kept report; skipped");
            return Ok(());
        };
        self.publish(claim, claim.revision, body, claim.faces_until_ms).await
    }

    async fn publish(&self, claim: &ClaimRow, revision: u32, body: Vec<u8>, faces_until_ms: Option<i64>) -> Result<()> {
        let record = OutRecord::new(topics::INCIDENTS, claim.incident_id.as_bytes(), body.clone());
        self.log.append(vec![record]).await?;
        let report = PublishedReport {
            retailer: claim.retailer.clone(),
            retailer_ref: claim.retailer_ref.clone(),
            revision,
            body,
            faces_until_ms,
        };
        self.store.mark_published_many(&[report]).await?;
        Ok(())
    }
}

/// When the face templates of a report received at `received_ms` fall due.
pub(crate) fn faces_due(received_ms: i64, face_template_days: u32) -> i64 {
    received_ms + i64::from(face_template_days) * DAY_MS
}

/// Blanks the persons at `indices` (those it has) to the role ERASED; how many it changed.
fn erase_places(report: &mut v1::Incident, indices: &[u32]) -> usize {
    let mut changed = 0;
    for &index in indices {
        if let Some(person) = report.persons.get_mut(index as usize) {
            let erased = v1::PersonSighting { role: v1::PersonRole::Erased as i32, ..Default::default() };
            if *person != erased {
                *person = erased;
                changed += 1;
            }
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erasing_keeps_the_place_and_nothing_else_and_says_what_changed() {
        let named = |name: &str| v1::PersonSighting {
            role: v1::PersonRole::Suspect as i32,
            given_names: name.to_owned(),
            face: Some(v1::FaceTemplate { model_id: "m".into(), vector: vec![0.5] }),
            ..Default::default()
        };
        let mut report = v1::Incident { persons: vec![named("Ann"), named("Bob")], ..Default::default() };
        assert_eq!(erase_places(&mut report, &[1, 7]), 1);
        assert_eq!(report.persons.len(), 2);
        assert_eq!(report.persons[0], named("Ann"));
        assert_eq!(report.persons[1], v1::PersonSighting { role: v1::PersonRole::Erased as i32, ..Default::default() });
        assert_eq!(erase_places(&mut report, &[1]), 0, "erasing again changes nothing");
    }
}
