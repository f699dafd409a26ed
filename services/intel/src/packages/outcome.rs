//! `RecordOutcome`: a force says what it did about a package's subject. The outcome is checked,
//! audited and appended to `orca.outcomes.v1` (keyed by package id); the linker carries it in the
//! package's next version, where analysts and every force of the package see it.

use super::{IntelligenceApi, concerns, decode, store_status};
use crate::access::Access;
use chrono::{NaiveDate, Utc};
use orca_eventlog::{OutRecord, topics};
use orca_model::package::{OutcomeKind, PackageOutcome};
use orca_model::{ForceId, PackageId, PersonId};
use orca_proto::convert::{ProtoEnum, outcome_to_proto};
use orca_proto::v1;
use prost::Message;
use tonic::Status;

/// Longest force reference accepted (custody and crime numbers are far shorter).
pub const MAX_REFERENCE_CHARS: usize = 64;
/// Longest notes accepted.
pub const MAX_NOTES_CHARS: usize = 2_000;
/// Most outcomes one package carries: every version repeats them all.
pub const MAX_OUTCOMES_PER_PACKAGE: usize = 200;

pub(super) async fn record(
    api: &IntelligenceApi,
    access: &Access,
    request: v1::RecordOutcomeRequest,
) -> Result<v1::RecordOutcomeResponse, Status> {
    let resource = format!("package:{}", request.package_id);
    let Some(force) = access.force() else {
        let status = Status::permission_denied("outcomes are recorded by the force that acted, with a force key");
        return Err(api.refused(access, "record-outcome", &resource, status).await);
    };
    let not_found = || Status::not_found(format!("no package `{}` is shared with you", request.package_id));
    let latest = match api.gate.store().package(&request.package_id, None).await.map_err(store_status)? {
        Some(row) => decode(&row.body)?,
        None => return Err(api.refused(access, "record-outcome", &resource, not_found()).await),
    };
    if !concerns(&latest, force) {
        let detail = format!("not shared with `{force}`");
        api.gate.audit(access, "record-outcome", &resource, "denied", detail).await?;
        return Err(not_found());
    }
    let outcome = match check(&request, &latest, force, access) {
        Ok(outcome) => outcome,
        Err(status) => return Err(api.refused(access, "record-outcome", &resource, status).await),
    };
    let detail = format!(
        "{} {} of {} on {} ({})",
        outcome.outcome_id, outcome.kind, outcome.person_id, outcome.date, outcome.force_reference
    );
    api.gate.audit(access, "record-outcome", &resource, "accepted", detail).await?;
    let proto = outcome_to_proto(&outcome);
    let record = OutRecord::new(topics::OUTCOMES, request.package_id.as_bytes().to_vec(), proto.encode_to_vec());
    if let Err(error) = api.log.append(vec![record]).await {
        // The error itself is logged once, with the answer (`IntelError`).
        tracing::error!(outcome = %outcome.outcome_id, "cannot append an outcome");
        let detail = format!("{}: {error}", outcome.outcome_id);
        api.gate.audit(access, "record-outcome", &resource, "failed", detail).await?;
        return Err(crate::error::IntelError::Record { what: "outcome", error }.into());
    }
    Ok(v1::RecordOutcomeResponse { outcome: Some(proto) })
}

/// The outcome a valid request records, or what is wrong with it.
fn check(
    request: &v1::RecordOutcomeRequest,
    package: &v1::IntelligencePackage,
    force: &str,
    access: &Access,
) -> Result<PackageOutcome, Status> {
    let invalid = |message: String| Status::invalid_argument(message);
    if package.withdrawn {
        return Err(Status::failed_precondition(format!(
            "`{}` is withdrawn: record the outcome against the package that now profiles the subject",
            package.package_id
        )));
    }
    if package.outcomes.len() >= MAX_OUTCOMES_PER_PACKAGE {
        return Err(Status::failed_precondition(format!(
            "`{}` already carries {MAX_OUTCOMES_PER_PACKAGE} outcomes; ask OPAL to review the package",
            package.package_id
        )));
    }
    let person = request.person_id.trim();
    if !package.subjects.iter().any(|s| s.person_id == person) {
        let subjects: Vec<&str> = package.subjects.iter().map(|s| s.person_id.as_str()).collect();
        return Err(invalid(format!(
            "`{person}` is not a subject of `{}` (version {}); its subjects are {}",
            package.package_id,
            package.version,
            subjects.join(", ")
        )));
    }
    let kind = OutcomeKind::from_wire(request.kind).ok_or_else(|| {
        let kinds: Vec<&str> = OutcomeKind::ALL.iter().map(|k| k.as_str()).collect();
        invalid(format!("`kind` must be one of {}", kinds.join(", ")))
    })?;
    let today = Utc::now().date_naive();
    let date = NaiveDate::parse_from_str(request.date.trim(), "%Y-%m-%d")
        .map_err(|_| invalid(format!("`date` `{}` is not a date as YYYY-MM-DD", request.date.trim())))?;
    if date > today {
        return Err(invalid(format!("`date` {date} is in the future (today is {today})")));
    }
    let first_offence = package
        .offences
        .iter()
        .filter(|o| o.person_ids.iter().any(|p| p == person))
        .filter_map(|o| o.occurred_at.as_ref())
        .map(|t| t.seconds)
        .min()
        .and_then(|seconds| chrono::DateTime::from_timestamp(seconds, 0))
        .map(|t| t.date_naive());
    if let Some(first) = first_offence
        && date < first
    {
        return Err(invalid(format!("`date` {date} is before {person}'s first offence in this package ({first})")));
    }
    let reference = request.force_reference.trim();
    if reference.is_empty() {
        return Err(invalid("`force_reference` is required: the custody record or crime number".to_owned()));
    }
    if reference.chars().count() > MAX_REFERENCE_CHARS || reference.chars().any(char::is_control) {
        return Err(invalid(format!(
            "`force_reference` must be printable and at most {MAX_REFERENCE_CHARS} characters"
        )));
    }
    let notes = request.notes.trim();
    if notes.chars().count() > MAX_NOTES_CHARS {
        return Err(invalid(format!("`notes` is longer than {MAX_NOTES_CHARS} characters")));
    }
    if notes.chars().any(|c| c.is_control() && c != '\n') {
        return Err(invalid("`notes` must be printable text (new lines are allowed)".to_owned()));
    }
    let now = Utc::now();
    Ok(PackageOutcome {
        outcome_id: crate::access::new_id('O', now),
        package_id: PackageId::new(package.package_id.clone()),
        person_id: PersonId::new(person),
        kind,
        date,
        force: ForceId::new(force),
        force_reference: reference.to_owned(),
        notes: notes.to_owned(),
        recorded_by: format!("{} ({})", access.caller.key_id, access.caller.subject),
        recorded_at: Some(now),
    })
}
