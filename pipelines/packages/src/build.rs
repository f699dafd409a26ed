//! Assembling a package from a profile: identity, grading, marking, totals, gaps, actions and
//! provenance. Deterministic: the same input gives the same package, and no clock is read.

use crate::actions::recommended_actions;
use crate::gaps::intelligence_gaps;
use crate::input::ProfileInput;
use crate::outcomes::apply_outcomes;
use orca_model::package::{DEFAULT_MARKING, IntelligencePackage, SubjectKind};
use orca_model::{Grade, PackageId, Pence, Provenance, RetailerId};

/// Every package's provenance source: derived by the linker stage.
pub const PROVENANCE_SOURCE: &str = "stage:linker";

/// The package id of a subject: `PKG-<subject id>`.
pub fn package_id(subject_id: &str) -> PackageId {
    PackageId::new(format!("PKG-{subject_id}"))
}

/// Builds the package for a profile with version 0; the caller numbers versions (a new one only
/// when [`IntelligencePackage::same_content`] says the content changed).
///
/// Sanitised: offences cite records by incident id and police crime reference; evidence keeps its
/// kind, reference, hash and capture time but never its free-text description (which may name a
/// retailer's staff); nothing from a report's narrative or submitter is carried.
pub fn build_package(mut input: ProfileInput) -> IntelligencePackage {
    // The same subject gives the same package whatever order the caller listed things in (a
    // restarted linker numbers its entities differently): gaps and actions read sorted lists.
    input.vehicles.sort_by(|a, b| a.vehicle.vehicle_id.cmp(&b.vehicle.vehicle_id));
    input.subjects.sort_by(|a, b| a.subject.person_id.cmp(&b.subject.person_id));
    input.offences.sort_by(|a, b| a.occurred_at.cmp(&b.occurred_at).then_with(|| a.incident_id.cmp(&b.incident_id)));
    let intelligence_gaps = intelligence_gaps(&input);
    let recommended_actions = recommended_actions(&input);
    let title_text = title(&input);
    let first_seen = input.earliest();
    let last_seen = input.latest();
    let ProfileInput {
        kind,
        subject_id,
        lead_force,
        forces,
        nim_level,
        subjects,
        vehicles,
        offences,
        link_chart,
        mut score,
        corridor,
        mut stores,
        mut outcomes,
        notes,
        mut report_notices,
    } = input;
    let mut intelligence_gaps = intelligence_gaps;
    intelligence_gaps.extend(notes);
    let mut offences = offences;
    offences.sort_by(|a, b| a.occurred_at.cmp(&b.occurred_at).then_with(|| a.incident_id.cmp(&b.incident_id)));
    for offence in &mut offences {
        for evidence in &mut offence.evidence {
            evidence.description.clear();
        }
    }
    let grade = Grade::weakest(offences.iter().map(|o| &o.grade)).unwrap_or_default();
    let total_loss_pence = offences.iter().map(|o| o.value_pence).sum();
    let mut retailers: Vec<RetailerId> = offences.iter().map(|o| o.retailer.clone()).collect();
    retailers.sort();
    retailers.dedup();
    let mut affected_forces: Vec<_> = forces.iter().filter(|f| **f != lead_force).cloned().collect();
    affected_forces.sort();
    affected_forces.dedup();

    let mut subjects: Vec<_> = subjects.into_iter().map(|s| s.subject).collect();
    subjects.sort_by(|a, b| role_rank(&a.role).cmp(&role_rank(&b.role)).then_with(|| a.person_id.cmp(&b.person_id)));
    let mut vehicles: Vec<_> = vehicles.into_iter().map(|v| v.vehicle).collect();
    vehicles.sort_by(|a, b| a.vehicle_id.cmp(&b.vehicle_id));
    let mut link_chart = link_chart;
    link_chart.sort_by(|a, b| (&a.from, &a.to, &a.kind).cmp(&(&b.from, &b.to, &b.kind)));
    stores.retain(|store| offences.iter().any(|o| o.store == store.store));
    stores.sort_by(|a, b| a.store.cmp(&b.store));
    stores.dedup_by(|a, b| a.store == b.store);
    outcomes.sort_by(|a, b| (a.date, &a.outcome_id).cmp(&(b.date, &b.outcome_id)));
    outcomes.dedup_by(|a, b| a.outcome_id == b.outcome_id);
    // A report back in the package (a correction named the subjects again) needs no notice.
    report_notices.retain(|n| !offences.iter().any(|o| o.incident_id == n.incident_id));
    report_notices.sort_by(|a, b| a.incident_id.cmp(&b.incident_id));
    report_notices.dedup_by(|a, b| a.incident_id == b.incident_id);
    apply_outcomes(&mut score, &subjects, &outcomes, last_seen);

    IntelligencePackage {
        id: package_id(&subject_id),
        version: 0,
        subject_kind: kind,
        subject_id,
        title: title_text,
        security_marking: DEFAULT_MARKING.to_owned(),
        grade,
        lead_force,
        affected_forces,
        nim_level,
        subjects,
        vehicles,
        link_chart,
        total_loss_pence,
        score,
        corridor,
        first_seen,
        last_seen,
        intelligence_gaps,
        recommended_actions,
        provenance: Provenance {
            source: PROVENANCE_SOURCE.to_owned(),
            channel: "derived".to_owned(),
            produced_by: "orca-network linker".to_owned(),
            lawful_basis: "DPA 2018 Part 3 (law enforcement processing)".to_owned(),
            ..Provenance::default()
        },
        as_of: last_seen,
        retailers,
        offences,
        withdrawn: false,
        stores,
        outcomes,
        report_notices,
    }
}

/// A package saying that an earlier subject no longer stands (its group dissolved or was absorbed,
/// or the person is no longer prolific), so every recipient of an earlier version is told.
pub fn withdrawn_package(previous: &IntelligencePackage, reason: &str) -> IntelligencePackage {
    IntelligencePackage {
        id: previous.id.clone(),
        version: previous.version,
        subject_kind: previous.subject_kind,
        subject_id: previous.subject_id.clone(),
        title: format!("Withdrawn: {} {} ({reason})", subject_noun(previous.subject_kind), previous.subject_id),
        security_marking: previous.security_marking.clone(),
        grade: previous.grade.clone(),
        lead_force: previous.lead_force.clone(),
        affected_forces: previous.affected_forces.clone(),
        nim_level: previous.nim_level,
        intelligence_gaps: vec![format!("withdrawn: {reason}")],
        recommended_actions: vec!["disregard earlier versions of this package".to_owned()],
        provenance: previous.provenance.clone(),
        as_of: previous.as_of,
        withdrawn: true,
        ..IntelligencePackage::default()
    }
}

fn role_rank(role: &str) -> u8 {
    match role {
        "core" | "subject" => 0,
        "periphery" => 1,
        _ => 2,
    }
}

fn subject_noun(kind: SubjectKind) -> &'static str {
    match kind {
        SubjectKind::Group => "organised crime group",
        SubjectKind::ProlificOffender => "prolific offender",
    }
}

fn title(input: &ProfileInput) -> String {
    let offences = input.offences.len();
    let pounds = input.offences.iter().map(|o| o.value_pence).sum::<Pence>().whole_pounds();
    let forces = input.forces.len();
    let force_word = if forces == 1 { "force" } else { "forces" };
    let outside = input.offences.iter().filter(|o| o.outside_group).count();
    let outside = if outside == 0 { String::new() } else { format!(" ({outside} by members outside the group)") };
    match input.kind {
        SubjectKind::Group => format!(
            "Organised crime group {}: {} persons, {offences} offences{outside}, £{pounds} across {forces} {force_word}",
            input.subject_id,
            input.subjects.len()
        ),
        SubjectKind::ProlificOffender => format!(
            "Prolific offender {} (system-defined): {offences} offences, £{pounds} across {forces} {force_word}",
            input.subject_id
        ),
    }
}
