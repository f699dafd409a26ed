//! `orca.v1.Incident` ↔ [`orca_model::Incident`].
//!
//! Reading is structural only: it reports what cannot be represented in the model (unknown enum
//! numbers, invalid timestamps, unreadable dates of birth) and maps the proto3 "0 or empty means not
//! stated" convention onto `Option`s. Business rules belong to `orca_model::validate`.

use super::common::{grade_from_proto, grade_to_proto, problem_from_proto, problem_to_proto};
use super::common::{provenance_from_proto, provenance_to_proto};
use super::enums::enum_from_wire;
use super::time::{optional_timestamp, optional_timestamp_to_proto};
use super::{INVALID_DATE, ProtoEnum, take};
use crate::v1;
use orca_model::problem::Problems;
use orca_model::{
    Evidence, FaceTemplate, ForceId, Incident, IncidentId, LineItem, PartialDate, PersonSighting, Problem, RetailerId,
    StoreId, StoreLocation, VehicleSighting, Withdrawal,
};

/// Reads a submitted incident into the model, reporting every structural problem at once with its
/// field path in protobuf names (`persons[1].date_of_birth`). ORCA-set fields (id, force, provenance,
/// warnings, normalised marks) are carried across as given; ingest overwrites them.
pub fn incident_from_proto(incident: v1::Incident) -> Result<Incident, Vec<Problem>> {
    let mut problems = Problems::default();
    let p = &mut problems;
    let model = Incident {
        id: IncidentId::new(incident.incident_id),
        retailer: RetailerId::new(incident.retailer_id),
        retailer_ref: incident.retailer_ref,
        store: StoreId::new(incident.store_id),
        force: ForceId::new(incident.force),
        occurred_from: take(p, optional_timestamp(incident.occurred_from, || "occurred_from".into())).flatten(),
        occurred_to: take(p, optional_timestamp(incident.occurred_to, || "occurred_to".into())).flatten(),
        reported_at: take(p, optional_timestamp(incident.reported_at, || "reported_at".into())).flatten(),
        event_type: take(p, enum_from_wire(incident.event_type, || "event_type".into())).unwrap_or_default(),
        attempt: incident.attempt,
        line_items: incident.line_items.into_iter().map(line_item_from_proto).collect(),
        violence: incident.violence,
        weapon: incident.weapon,
        staff_detained: incident.staff_detained,
        modus_operandi: (incident.modus_operandi.iter().enumerate())
            .filter_map(|(i, &value)| take(p, enum_from_wire(value, || format!("modus_operandi[{i}]"))))
            .collect(),
        narrative: incident.narrative,
        police_crime_ref: incident.police_crime_ref,
        evidence: (incident.evidence.into_iter().enumerate())
            .map(|(i, evidence)| evidence_from_proto(evidence, &format!("evidence[{i}]"), p))
            .collect(),
        grade: grade_from_proto(incident.grade, "grade", p),
        persons: (incident.persons.into_iter().enumerate())
            .map(|(i, person)| person_from_proto(person, &format!("persons[{i}]"), p))
            .collect(),
        vehicles: (incident.vehicles.into_iter().enumerate())
            .map(|(i, vehicle)| vehicle_from_proto(vehicle, &format!("vehicles[{i}]"), p))
            .collect(),
        provenance: provenance_from_proto(incident.provenance, "provenance", p),
        warnings: incident.warnings.into_iter().map(problem_from_proto).collect(),
        store_location: incident.store_location.map(|l| StoreLocation {
            name: l.name,
            postcode: l.postcode,
            lat: l.lat,
            lon: l.lon,
        }),
        revision: incident.revision,
        correction_reason: incident.correction_reason,
        redaction: incident.redaction,
    };
    if problems.is_empty() { Ok(model) } else { Err(problems.into_vec()) }
}

/// Writes a withdrawal (the incident log's tombstone, and part of a withdrawal's resolution).
pub fn withdrawal_to_proto(withdrawal: &Withdrawal) -> v1::IncidentWithdrawal {
    v1::IncidentWithdrawal {
        incident_id: withdrawal.incident_id.0.to_string(),
        retailer_id: withdrawal.retailer.0.to_string(),
        retailer_ref: withdrawal.retailer_ref.clone(),
        revision: withdrawal.revision,
        reason: withdrawal.reason.clone(),
        withdrawn_by: withdrawal.withdrawn_by.clone(),
        withdrawn_at: optional_timestamp_to_proto(withdrawal.withdrawn_at),
        disposed: withdrawal.disposed,
    }
}

/// Reads a withdrawal ORCA wrote; the problem names the field that cannot be read.
pub fn withdrawal_from_proto(withdrawal: v1::IncidentWithdrawal) -> Result<Withdrawal, Problem> {
    if withdrawal.incident_id.is_empty() {
        return Err(Problem::new("incident_id", super::MISSING, "a withdrawal names its incident"));
    }
    let withdrawn_at = optional_timestamp(withdrawal.withdrawn_at, || "withdrawn_at".into())?;
    Ok(Withdrawal {
        incident_id: IncidentId::new(withdrawal.incident_id),
        retailer: RetailerId::new(withdrawal.retailer_id),
        retailer_ref: withdrawal.retailer_ref,
        revision: withdrawal.revision,
        reason: withdrawal.reason,
        withdrawn_by: withdrawal.withdrawn_by,
        withdrawn_at,
        disposed: withdrawal.disposed,
    })
}

/// Writes an incident to the wire, losing nothing the model holds (for a normalised incident,
/// `incident_from_proto(incident_to_proto(x)) == Ok(x)`).
pub fn incident_to_proto(incident: &Incident) -> v1::Incident {
    v1::Incident {
        incident_id: incident.id.0.to_string(),
        retailer_id: incident.retailer.0.to_string(),
        retailer_ref: incident.retailer_ref.clone(),
        store_id: incident.store.0.to_string(),
        force: incident.force.0.to_string(),
        occurred_from: optional_timestamp_to_proto(incident.occurred_from),
        occurred_to: optional_timestamp_to_proto(incident.occurred_to),
        reported_at: optional_timestamp_to_proto(incident.reported_at),
        event_type: incident.event_type.to_wire(),
        attempt: incident.attempt,
        line_items: incident.line_items.iter().map(line_item_to_proto).collect(),
        violence: incident.violence,
        weapon: incident.weapon,
        staff_detained: incident.staff_detained,
        modus_operandi: incident.modus_operandi.iter().map(|mo| mo.to_wire()).collect(),
        narrative: incident.narrative.clone(),
        police_crime_ref: incident.police_crime_ref.clone(),
        evidence: incident.evidence.iter().map(evidence_to_proto).collect(),
        grade: Some(grade_to_proto(&incident.grade)),
        persons: incident.persons.iter().map(person_to_proto).collect(),
        vehicles: incident.vehicles.iter().map(vehicle_to_proto).collect(),
        provenance: provenance_to_proto(&incident.provenance),
        warnings: incident.warnings.iter().map(problem_to_proto).collect(),
        store_location: incident.store_location.as_ref().map(|l| v1::StoreLocation {
            name: l.name.clone(),
            postcode: l.postcode.clone(),
            lat: l.lat,
            lon: l.lon,
        }),
        revision: incident.revision,
        correction_reason: incident.correction_reason.clone(),
        redaction: incident.redaction,
    }
}

fn line_item_from_proto(item: v1::LineItem) -> LineItem {
    LineItem {
        description: item.description,
        category: item.category,
        quantity: item.quantity,
        unit_price_pence: item.unit_price_pence,
        recovered: item.recovered,
    }
}

fn line_item_to_proto(item: &LineItem) -> v1::LineItem {
    v1::LineItem {
        description: item.description.clone(),
        category: item.category.clone(),
        quantity: item.quantity,
        unit_price_pence: item.unit_price_pence,
        recovered: item.recovered,
    }
}

/// Evidence at `field` (e.g. `evidence[0]`); shared with the offences schedule of packages.
pub(crate) fn evidence_from_proto(evidence: v1::Evidence, field: &str, problems: &mut Problems) -> Evidence {
    Evidence {
        kind: take(problems, enum_from_wire(evidence.kind, || format!("{field}.kind"))).unwrap_or_default(),
        reference: evidence.reference,
        sha256: evidence.sha256,
        captured_at: take(problems, optional_timestamp(evidence.captured_at, || format!("{field}.captured_at")))
            .flatten(),
        description: evidence.description,
    }
}

pub(crate) fn evidence_to_proto(evidence: &Evidence) -> v1::Evidence {
    v1::Evidence {
        kind: evidence.kind.to_wire(),
        reference: evidence.reference.clone(),
        sha256: evidence.sha256.clone(),
        captured_at: optional_timestamp_to_proto(evidence.captured_at),
        description: evidence.description.clone(),
    }
}

fn person_from_proto(person: v1::PersonSighting, field: &str, problems: &mut Problems) -> PersonSighting {
    let at = |name: &str| format!("{field}.{name}");
    PersonSighting {
        role: take(problems, enum_from_wire(person.role, || at("role"))).unwrap_or_default(),
        given_names: person.given_names,
        family_name: person.family_name,
        aliases: person.aliases,
        date_of_birth: take(problems, date_of_birth(&person.date_of_birth, || at("date_of_birth"))).flatten(),
        sex: take(problems, enum_from_wire(person.sex, || at("sex"))).unwrap_or_default(),
        age_band: take(problems, enum_from_wire(person.age_band, || at("age_band"))).unwrap_or_default(),
        height_cm: height_range(person.height_min_cm, person.height_max_cm),
        build: take(problems, enum_from_wire(person.build, || at("build"))).unwrap_or_default(),
        distinguishing_marks: person.distinguishing_marks,
        clothing: person.clothing,
        face: person.face.and_then(face_from_proto),
        marker_code: Some(person.marker_code).filter(|code| !code.is_empty()),
        estimated_age: Some(person.estimated_age).filter(|&age| age != 0),
    }
}

fn person_to_proto(person: &PersonSighting) -> v1::PersonSighting {
    let (height_min_cm, height_max_cm) = person.height_cm.unwrap_or((0, 0));
    v1::PersonSighting {
        role: person.role.to_wire(),
        given_names: person.given_names.clone(),
        family_name: person.family_name.clone(),
        aliases: person.aliases.clone(),
        date_of_birth: person.date_of_birth.map(|dob| dob.to_string()).unwrap_or_default(),
        sex: person.sex.to_wire(),
        age_band: person.age_band.to_wire(),
        height_min_cm,
        height_max_cm,
        build: person.build.to_wire(),
        distinguishing_marks: person.distinguishing_marks.clone(),
        clothing: person.clothing.clone(),
        face: person
            .face
            .as_ref()
            .map(|face| v1::FaceTemplate { model_id: face.model_id.clone(), vector: face.vector.clone() }),
        marker_code: person.marker_code.clone().unwrap_or_default(),
        estimated_age: person.estimated_age.unwrap_or(0),
    }
}

/// A date of birth: empty (or blank) is not stated; otherwise `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.
fn date_of_birth(text: &str, field: impl FnOnce() -> String) -> Result<Option<PartialDate>, Problem> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    PartialDate::parse(text).map(Some).map_err(|reason| Problem::new(field(), INVALID_DATE, reason))
}

/// A height range where 0 means "not stated": neither bound gives `None`, one bound is used as both.
fn height_range(min_cm: u32, max_cm: u32) -> Option<(u32, u32)> {
    match (min_cm, max_cm) {
        (0, 0) => None,
        (0, only) | (only, 0) => Some((only, only)),
        (min, max) => Some((min, max)),
    }
}

/// A face template with neither a model nor a vector is no template.
fn face_from_proto(face: v1::FaceTemplate) -> Option<FaceTemplate> {
    if face.model_id.is_empty() && face.vector.is_empty() {
        return None;
    }
    Some(FaceTemplate { model_id: face.model_id, vector: face.vector })
}

fn vehicle_from_proto(vehicle: v1::VehicleSighting, field: &str, problems: &mut Problems) -> VehicleSighting {
    VehicleSighting {
        vrm_raw: vehicle.vrm_raw,
        vrm: vehicle.vrm,
        format: take(problems, enum_from_wire(vehicle.format, || format!("{field}.format"))).unwrap_or_default(),
        candidates: vehicle.vrm_candidates,
        make: vehicle.make,
        model: vehicle.model,
        colour: vehicle.colour,
        role: take(problems, enum_from_wire(vehicle.role, || format!("{field}.role"))).unwrap_or_default(),
        country: vehicle.country,
    }
}

fn vehicle_to_proto(vehicle: &VehicleSighting) -> v1::VehicleSighting {
    v1::VehicleSighting {
        vrm_raw: vehicle.vrm_raw.clone(),
        vrm: vehicle.vrm.clone(),
        format: vehicle.format.to_wire(),
        make: vehicle.make.clone(),
        model: vehicle.model.clone(),
        colour: vehicle.colour.clone(),
        role: vehicle.role.to_wire(),
        country: vehicle.country.clone(),
        vrm_candidates: vehicle.candidates.clone(),
    }
}
