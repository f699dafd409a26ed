//! `orca.v1.AnalystDecision` ↔ [`orca_model::DecisionEvent`]: the records of the decisions log.
//! The intel service writes them and checks them before it does; reading one back reports the first
//! field that cannot be represented.

use super::enums::enum_from_wire;
use super::time::{optional_timestamp, optional_timestamp_to_proto};
use super::{ConvertError, MISSING, ProtoEnum};
use crate::v1;
use orca_model::{DecisionEvent, DecisionKind, EntityKind, EntityRef, IncidentId, Problem, SightingKey};

pub fn sighting_ref_to_proto(key: &SightingKey) -> v1::SightingRef {
    v1::SightingRef { incident_id: key.incident.to_string(), index: key.index }
}

/// A sighting reference; `None` when it names no incident.
pub fn sighting_ref_from_proto(sighting: &v1::SightingRef) -> Option<SightingKey> {
    let incident = sighting.incident_id.trim();
    (!incident.is_empty()).then(|| SightingKey::new(IncidentId::new(incident), sighting.index))
}

fn entity_to_proto(entity: &EntityRef) -> v1::EntityRef {
    v1::EntityRef { entity_id: entity.entity_id.clone(), anchor: entity.anchor.as_ref().map(sighting_ref_to_proto) }
}

fn entity_from_proto(entity: v1::EntityRef) -> EntityRef {
    EntityRef { entity_id: entity.entity_id, anchor: entity.anchor.as_ref().and_then(sighting_ref_from_proto) }
}

pub fn decision_to_proto(decision: &DecisionEvent) -> v1::AnalystDecision {
    v1::AnalystDecision {
        decision_id: decision.decision_id.clone(),
        kind: decision.kind.to_wire(),
        entity_kind: decision.entity_kind.to_wire(),
        sighting: decision.sighting.as_ref().map(sighting_ref_to_proto),
        entity: decision.entity.as_ref().map(entity_to_proto),
        other: decision.other.as_ref().map(entity_to_proto),
        sightings: decision.sightings.iter().map(sighting_ref_to_proto).collect(),
        reason: decision.reason.clone(),
        analyst_key_id: decision.analyst_key_id.clone(),
        analyst: decision.analyst.clone(),
        decided_at: optional_timestamp_to_proto(decision.decided_at),
    }
}

/// Reads a decision back, checking that it carries what its kind needs.
pub fn decision_from_proto(decision: v1::AnalystDecision) -> Result<DecisionEvent, ConvertError> {
    let kind: DecisionKind = enum_from_wire(decision.kind, || "kind".to_owned())?;
    let entity_kind: EntityKind = enum_from_wire(decision.entity_kind, || "entity_kind".to_owned())?;
    let missing = |field: &str, what: &str| -> ConvertError { Problem::new(field, MISSING, what).into() };
    if decision.decision_id.trim().is_empty() {
        return Err(missing("decision_id", "a decision needs an id"));
    }
    let sighting = decision.sighting.as_ref().and_then(sighting_ref_from_proto);
    let entity = decision.entity.map(entity_from_proto);
    let other = decision.other.map(entity_from_proto);
    let sightings: Vec<SightingKey> = decision.sightings.iter().filter_map(sighting_ref_from_proto).collect();
    match kind {
        DecisionKind::ConfirmMatch | DecisionKind::RejectMatch if sighting.is_none() => {
            return Err(missing("sighting", "a confirmation or rejection names its sighting"));
        }
        DecisionKind::ConfirmMatch | DecisionKind::RejectMatch | DecisionKind::Split if entity.is_none() => {
            return Err(missing("entity", "the decision names its entity"));
        }
        DecisionKind::Split if sightings.is_empty() => {
            return Err(missing("sightings", "a split names the sightings that leave"));
        }
        DecisionKind::Merge if entity.is_none() || other.is_none() => {
            return Err(missing("other", "a merge names two entities"));
        }
        _ => {}
    }
    let decided_at = optional_timestamp(decision.decided_at, || "decided_at".to_owned())?;
    Ok(DecisionEvent {
        decision_id: decision.decision_id,
        kind,
        entity_kind,
        sighting,
        entity,
        other,
        sightings,
        reason: decision.reason,
        analyst_key_id: decision.analyst_key_id,
        analyst: decision.analyst,
        decided_at,
    })
}
