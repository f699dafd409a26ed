//! `orca.v1.IntelligencePackage` ↔ [`orca_model::package::IntelligencePackage`].

use super::common::{grade_from_proto, grade_to_proto, provenance_from_proto, provenance_to_proto};
use super::enums::enum_from_wire;
use super::incident::{evidence_from_proto, evidence_to_proto};
use super::time::{optional_timestamp, optional_timestamp_to_proto, timestamp_to_proto};
use super::{ConvertError, MISSING, ProtoEnum, take};
use crate::v1;
use orca_model::package::{
    IntelligencePackage, LinkChartEdge, Offence, PackageOutcome, PackageStore, PackageSubject, PackageVehicle,
    ReportNotice, Score, ScoreFactor,
};
use orca_model::problem::Problems;
use orca_model::{ForceId, IncidentId, PackageId, Pence, PersonId, RetailerId, StoreId, VehicleId};

pub fn package_to_proto(package: &IntelligencePackage) -> v1::IntelligencePackage {
    v1::IntelligencePackage {
        package_id: package.id.0.to_string(),
        version: package.version,
        subject_kind: package.subject_kind.to_wire(),
        subject_id: package.subject_id.clone(),
        title: package.title.clone(),
        security_marking: package.security_marking.clone(),
        grade: Some(grade_to_proto(&package.grade)),
        lead_force: package.lead_force.0.to_string(),
        affected_forces: strings(&package.affected_forces, |f| f.as_str()),
        nim_level: package.nim_level.to_wire(),
        subjects: package.subjects.iter().map(subject_to_proto).collect(),
        vehicles: package.vehicles.iter().map(vehicle_to_proto).collect(),
        offences: package.offences.iter().map(offence_to_proto).collect(),
        link_chart: package.link_chart.iter().map(edge_to_proto).collect(),
        total_loss_pence: package.total_loss_pence.get(),
        score: Some(score_to_proto(&package.score)),
        corridor: strings(&package.corridor, |f| f.as_str()),
        first_seen: optional_timestamp_to_proto(package.first_seen),
        last_seen: optional_timestamp_to_proto(package.last_seen),
        intelligence_gaps: package.intelligence_gaps.clone(),
        recommended_actions: package.recommended_actions.clone(),
        provenance: provenance_to_proto(&package.provenance),
        as_of: optional_timestamp_to_proto(package.as_of),
        retailers: strings(&package.retailers, |r| r.as_str()),
        withdrawn: package.withdrawn,
        stores: package.stores.iter().map(store_to_proto).collect(),
        outcomes: package.outcomes.iter().map(outcome_to_proto).collect(),
        report_notices: package.report_notices.iter().map(notice_to_proto).collect(),
    }
}

/// Reads a package back; the error names the first field that cannot be represented. A missing
/// grade, score or provenance reads as the model's default.
pub fn package_from_proto(package: v1::IntelligencePackage) -> Result<IntelligencePackage, ConvertError> {
    let mut problems = Problems::default();
    let p = &mut problems;
    let model = IntelligencePackage {
        id: PackageId::new(package.package_id),
        version: package.version,
        subject_kind: take(p, enum_from_wire(package.subject_kind, || "subject_kind".into())).unwrap_or_default(),
        subject_id: package.subject_id,
        title: package.title,
        security_marking: package.security_marking,
        grade: grade_from_proto(package.grade, "grade", p),
        lead_force: ForceId::new(package.lead_force),
        affected_forces: ids(package.affected_forces),
        nim_level: take(p, enum_from_wire(package.nim_level, || "nim_level".into())).unwrap_or_default(),
        subjects: (package.subjects.into_iter().enumerate())
            .map(|(i, subject)| subject_from_proto(subject, &format!("subjects[{i}]"), p))
            .collect(),
        vehicles: package.vehicles.into_iter().map(vehicle_from_proto).collect(),
        offences: (package.offences.into_iter().enumerate())
            .map(|(i, offence)| offence_from_proto(offence, &format!("offences[{i}]"), p))
            .collect(),
        link_chart: package.link_chart.into_iter().map(edge_from_proto).collect(),
        total_loss_pence: Pence::new(package.total_loss_pence),
        score: package.score.map(score_from_proto).unwrap_or_default(),
        corridor: ids(package.corridor),
        first_seen: take(p, optional_timestamp(package.first_seen, || "first_seen".into())).flatten(),
        last_seen: take(p, optional_timestamp(package.last_seen, || "last_seen".into())).flatten(),
        intelligence_gaps: package.intelligence_gaps,
        recommended_actions: package.recommended_actions,
        provenance: provenance_from_proto(package.provenance, "provenance", p),
        as_of: take(p, optional_timestamp(package.as_of, || "as_of".into())).flatten(),
        retailers: ids(package.retailers),
        withdrawn: package.withdrawn,
        stores: package.stores.into_iter().map(store_from_proto).collect(),
        outcomes: (package.outcomes.into_iter().enumerate())
            .map(|(i, outcome)| outcome_from_proto(outcome, &format!("outcomes[{i}]"), p))
            .collect(),
        report_notices: package.report_notices.into_iter().map(notice_from_proto).collect(),
    };
    match problems.into_vec().into_iter().next() {
        None => Ok(model),
        Some(first) => Err(first.into()),
    }
}

fn strings<T>(items: &[T], text: impl Fn(&T) -> &str) -> Vec<String> {
    items.iter().map(|item| text(item).to_owned()).collect()
}

fn ids<T: From<String>>(texts: Vec<String>) -> Vec<T> {
    texts.into_iter().map(T::from).collect()
}

fn subject_to_proto(subject: &PackageSubject) -> v1::PackageSubject {
    v1::PackageSubject {
        person_id: subject.person_id.0.to_string(),
        display_name: subject.display_name.clone(),
        aliases: subject.aliases.clone(),
        date_of_birth: subject.date_of_birth.clone(),
        role: subject.role.clone(),
        match_confidence: subject.match_confidence,
        incident_count: subject.incident_count,
        marker_codes: subject.marker_codes.clone(),
        assertion: subject.assertion.to_wire(),
    }
}

fn subject_from_proto(subject: v1::PackageSubject, field: &str, problems: &mut Problems) -> PackageSubject {
    PackageSubject {
        person_id: PersonId::new(subject.person_id),
        display_name: subject.display_name,
        aliases: subject.aliases,
        date_of_birth: subject.date_of_birth,
        role: subject.role,
        match_confidence: subject.match_confidence,
        incident_count: subject.incident_count,
        marker_codes: subject.marker_codes,
        assertion: take(problems, enum_from_wire(subject.assertion, || format!("{field}.assertion")))
            .unwrap_or_default(),
    }
}

fn vehicle_to_proto(vehicle: &PackageVehicle) -> v1::PackageVehicle {
    v1::PackageVehicle {
        vehicle_id: vehicle.vehicle_id.0.to_string(),
        vrm: vehicle.vrm.clone(),
        make: vehicle.make.clone(),
        model: vehicle.model.clone(),
        colour: vehicle.colour.clone(),
        sighting_count: vehicle.sighting_count,
        cloned_plate_suspected: vehicle.cloned_plate_suspected,
        false_plate_suspected: vehicle.false_plate_suspected,
    }
}

fn vehicle_from_proto(vehicle: v1::PackageVehicle) -> PackageVehicle {
    PackageVehicle {
        vehicle_id: VehicleId::new(vehicle.vehicle_id),
        vrm: vehicle.vrm,
        make: vehicle.make,
        model: vehicle.model,
        colour: vehicle.colour,
        sighting_count: vehicle.sighting_count,
        cloned_plate_suspected: vehicle.cloned_plate_suspected,
        false_plate_suspected: vehicle.false_plate_suspected,
    }
}

fn offence_to_proto(offence: &Offence) -> v1::Offence {
    v1::Offence {
        incident_id: offence.incident_id.0.to_string(),
        police_crime_ref: offence.police_crime_ref.clone(),
        force: offence.force.0.to_string(),
        retailer_id: offence.retailer.0.to_string(),
        store_id: offence.store.0.to_string(),
        occurred_at: Some(timestamp_to_proto(offence.occurred_at)),
        event_type: offence.event_type.to_wire(),
        value_pence: offence.value_pence.get(),
        modus_operandi: offence.modus_operandi.iter().map(|mo| mo.to_wire()).collect(),
        grade: Some(grade_to_proto(&offence.grade)),
        person_ids: strings(&offence.person_ids, |id| id.as_str()),
        vehicle_ids: strings(&offence.vehicle_ids, |id| id.as_str()),
        evidence: offence.evidence.iter().map(evidence_to_proto).collect(),
        outside_group: offence.outside_group,
        revision: offence.revision,
        correction_reason: offence.correction_reason.clone(),
    }
}

fn notice_to_proto(notice: &ReportNotice) -> v1::ReportNotice {
    v1::ReportNotice {
        incident_id: notice.incident_id.0.to_string(),
        revision: notice.revision,
        withdrawn: notice.withdrawn,
        reason: notice.reason.clone(),
        disposed: notice.disposed,
    }
}

fn notice_from_proto(notice: v1::ReportNotice) -> ReportNotice {
    ReportNotice {
        incident_id: IncidentId::new(notice.incident_id),
        revision: notice.revision,
        withdrawn: notice.withdrawn,
        reason: notice.reason,
        disposed: notice.disposed,
    }
}

/// An offence at `field`; `occurred_at` is required, since every schedule line has a time.
fn offence_from_proto(offence: v1::Offence, field: &str, problems: &mut Problems) -> Offence {
    let occurred_at = match offence.occurred_at {
        None => {
            problems.push(format!("{field}.occurred_at"), MISSING, "an offence needs the time it occurred");
            None
        }
        some => take(problems, optional_timestamp(some, || format!("{field}.occurred_at"))).flatten(),
    };
    Offence {
        incident_id: IncidentId::new(offence.incident_id),
        police_crime_ref: offence.police_crime_ref,
        force: ForceId::new(offence.force),
        retailer: RetailerId::new(offence.retailer_id),
        store: StoreId::new(offence.store_id),
        // Never seen by a caller: a missing time is a problem, so the package is not returned.
        occurred_at: occurred_at.unwrap_or_default(),
        event_type: take(problems, enum_from_wire(offence.event_type, || format!("{field}.event_type")))
            .unwrap_or_default(),
        value_pence: Pence::new(offence.value_pence),
        modus_operandi: (offence.modus_operandi.iter().enumerate())
            .filter_map(|(i, &value)| take(problems, enum_from_wire(value, || format!("{field}.modus_operandi[{i}]"))))
            .collect(),
        grade: grade_from_proto(offence.grade, &format!("{field}.grade"), problems),
        person_ids: ids(offence.person_ids),
        vehicle_ids: ids(offence.vehicle_ids),
        evidence: (offence.evidence.into_iter().enumerate())
            .map(|(i, evidence)| evidence_from_proto(evidence, &format!("{field}.evidence[{i}]"), problems))
            .collect(),
        outside_group: offence.outside_group,
        revision: offence.revision,
        correction_reason: offence.correction_reason,
    }
}

fn store_to_proto(store: &PackageStore) -> v1::PackageStore {
    v1::PackageStore {
        store_id: store.store.0.to_string(),
        name: store.name.clone(),
        postcode: store.postcode.clone(),
        force: store.force.0.to_string(),
        lat: store.lat,
        lon: store.lon,
    }
}

fn store_from_proto(store: v1::PackageStore) -> PackageStore {
    PackageStore {
        store: StoreId::new(store.store_id),
        name: store.name,
        postcode: store.postcode,
        force: ForceId::new(store.force),
        lat: store.lat,
        lon: store.lon,
    }
}

pub fn outcome_to_proto(outcome: &PackageOutcome) -> v1::PackageOutcome {
    v1::PackageOutcome {
        outcome_id: outcome.outcome_id.clone(),
        package_id: outcome.package_id.0.to_string(),
        person_id: outcome.person_id.0.to_string(),
        kind: outcome.kind.to_wire(),
        date: outcome.date.format("%Y-%m-%d").to_string(),
        force: outcome.force.0.to_string(),
        force_reference: outcome.force_reference.clone(),
        notes: outcome.notes.clone(),
        recorded_by: outcome.recorded_by.clone(),
        recorded_at: optional_timestamp_to_proto(outcome.recorded_at),
    }
}

/// An outcome read from the outcomes topic; the error names the first field that is wrong.
pub fn package_outcome_from_proto(outcome: v1::PackageOutcome) -> Result<PackageOutcome, ConvertError> {
    let mut problems = Problems::default();
    let model = outcome_from_proto(outcome, "outcome", &mut problems);
    match problems.into_vec().into_iter().next() {
        None => Ok(model),
        Some(first) => Err(first.into()),
    }
}

/// An outcome at `field`: its kind and date must be stated.
fn outcome_from_proto(outcome: v1::PackageOutcome, field: &str, problems: &mut Problems) -> PackageOutcome {
    let date = match chrono::NaiveDate::parse_from_str(&outcome.date, "%Y-%m-%d") {
        Ok(date) => date,
        Err(_) => {
            problems.push(format!("{field}.date"), MISSING, "an outcome needs its date as YYYY-MM-DD");
            chrono::NaiveDate::default()
        }
    };
    PackageOutcome {
        outcome_id: outcome.outcome_id,
        package_id: PackageId::new(outcome.package_id),
        person_id: PersonId::new(outcome.person_id),
        kind: take(problems, enum_from_wire(outcome.kind, || format!("{field}.kind"))).unwrap_or_default(),
        date,
        force: ForceId::new(outcome.force),
        force_reference: outcome.force_reference,
        notes: outcome.notes,
        recorded_by: outcome.recorded_by,
        recorded_at: take(problems, optional_timestamp(outcome.recorded_at, || format!("{field}.recorded_at")))
            .flatten(),
    }
}

fn edge_to_proto(edge: &LinkChartEdge) -> v1::LinkChartEdge {
    v1::LinkChartEdge {
        from_id: edge.from.clone(),
        to_id: edge.to.clone(),
        kind: edge.kind.clone(),
        weight: edge.weight,
        incident_count: edge.incident_count,
    }
}

fn edge_from_proto(edge: v1::LinkChartEdge) -> LinkChartEdge {
    LinkChartEdge {
        from: edge.from_id,
        to: edge.to_id,
        kind: edge.kind,
        weight: edge.weight,
        incident_count: edge.incident_count,
    }
}

/// A score with its factors (packages and the analyst's group view carry the same).
pub fn score_to_proto(score: &Score) -> v1::Score {
    v1::Score {
        priority_band: score.priority_band.clone(),
        factors: (score.factors.iter())
            .map(|f| v1::ScoreFactor {
                name: f.name.clone(),
                value: f.value,
                band: f.band.clone(),
                evidence: f.evidence.clone(),
            })
            .collect(),
        rule: score.rule.clone(),
    }
}

fn score_from_proto(score: v1::Score) -> Score {
    Score {
        priority_band: score.priority_band,
        factors: (score.factors.into_iter())
            .map(|f| ScoreFactor { name: f.name, value: f.value, band: f.band, evidence: f.evidence })
            .collect(),
        rule: score.rule,
    }
}
