//! `orca.v1.Resolution` ↔ [`orca_model::Resolution`]: the resolver's records, read back from its log.

use super::enums::enum_from_wire;
use super::incident::{incident_from_proto, incident_to_proto};
use super::{ConvertError, MISSING, ProtoEnum};
use crate::v1;
use orca_model::{
    ComparisonEvidence, DecisionResult, EntityKind, EntityMerge, EntitySplit, IncidentId, LinkDecision, Problem,
    Resolution, RunnerUp, SightingLink,
};

/// Writes a resolution, with the incident it is about (none for a relink). The model holds no
/// provenance for a resolution, so the message's `provenance` is left for the writing stage to set.
pub fn resolution_to_proto(resolution: &Resolution) -> v1::Resolution {
    v1::Resolution {
        incident_id: resolution.incident_id.0.to_string(),
        incident: resolution.incident.as_ref().map(incident_to_proto),
        persons: resolution.persons.iter().map(link_to_proto).collect(),
        vehicles: resolution.vehicles.iter().map(link_to_proto).collect(),
        merges: resolution.merges.iter().map(merge_to_proto).collect(),
        splits: resolution.splits.iter().map(split_to_proto).collect(),
        provenance: None,
        relink: resolution.is_relink(),
        withdrawal: resolution.withdrawal.as_ref().map(super::incident::withdrawal_to_proto),
        decisions: (resolution.decisions.iter())
            .map(|d| v1::DecisionResult {
                decision_id: d.decision_id.clone(),
                applied: d.applied,
                message: d.message.clone(),
            })
            .collect(),
    }
}

/// Reads a resolution back; the error names the first field that cannot be represented. Only a
/// relink may come without its incident.
pub fn resolution_from_proto(resolution: v1::Resolution) -> Result<Resolution, ConvertError> {
    let withdrawal = match resolution.withdrawal {
        Some(withdrawal) => Some(
            super::incident::withdrawal_from_proto(withdrawal)
                .map_err(|problem| ConvertError::within("withdrawal", vec![problem]))?,
        ),
        None => None,
    };
    let incident = match (resolution.incident, resolution.relink) {
        (Some(incident), false) => {
            Some(incident_from_proto(incident).map_err(|problems| ConvertError::within("incident", problems))?)
        }
        (None, true) => None,
        (None, false) if withdrawal.is_some() => None,
        (None, false) => return Err(Problem::new("incident", MISSING, "the incident is missing").into()),
        (Some(_), true) => {
            return Err(Problem::new("incident", MISSING, "a relink carries no incident").into());
        }
    };
    let links = |links: Vec<v1::SightingLink>, field: &str| -> Result<Vec<SightingLink>, ConvertError> {
        (links.into_iter().enumerate()).map(|(i, link)| link_from_proto(link, &format!("{field}[{i}]"))).collect()
    };
    Ok(Resolution {
        incident_id: IncidentId::new(resolution.incident_id),
        incident,
        persons: links(resolution.persons, "persons")?,
        vehicles: links(resolution.vehicles, "vehicles")?,
        merges: (resolution.merges.into_iter().enumerate())
            .map(|(i, merge)| merge_from_proto(merge, i))
            .collect::<Result<_, _>>()?,
        splits: (resolution.splits.into_iter().enumerate())
            .map(|(i, split)| split_from_proto(split, i))
            .collect::<Result<_, _>>()?,
        decisions: (resolution.decisions.into_iter())
            .map(|d| DecisionResult { decision_id: d.decision_id, applied: d.applied, message: d.message })
            .collect(),
        withdrawal,
    })
}

pub fn link_to_proto(link: &SightingLink) -> v1::SightingLink {
    v1::SightingLink {
        sighting_index: link.sighting_index,
        entity_id: link.entity_id.clone(),
        decision: link.decision.to_wire(),
        probability: link.probability,
        evidence: (link.evidence.iter())
            .map(|e| v1::ComparisonEvidence {
                comparison: e.comparison.clone(),
                level: e.level.clone(),
                weight: e.weight,
            })
            .collect(),
        candidate_entity_id: link.candidate.clone().unwrap_or_default(),
        runner_up_entity_id: link.runner_up.as_ref().map(|r| r.entity_id.clone()).unwrap_or_default(),
        runner_up_probability: link.runner_up.as_ref().map_or(0.0, |r| r.probability),
    }
}

fn link_from_proto(link: v1::SightingLink, field: &str) -> Result<SightingLink, ConvertError> {
    Ok(SightingLink {
        sighting_index: link.sighting_index,
        entity_id: link.entity_id,
        decision: enum_from_wire::<LinkDecision>(link.decision, || format!("{field}.decision"))?,
        probability: link.probability,
        evidence: (link.evidence.into_iter())
            .map(|e| ComparisonEvidence { comparison: e.comparison, level: e.level, weight: e.weight })
            .collect(),
        candidate: Some(link.candidate_entity_id).filter(|id| !id.is_empty()),
        runner_up: Some(link.runner_up_entity_id)
            .filter(|id| !id.is_empty())
            .map(|entity_id| RunnerUp { entity_id, probability: link.runner_up_probability }),
    })
}

fn merge_to_proto(merge: &EntityMerge) -> v1::EntityMerge {
    v1::EntityMerge {
        kind: merge.kind.to_wire(),
        survivor_id: merge.survivor.clone(),
        merged_ids: merge.merged.clone(),
        reason: merge.reason.clone(),
    }
}

fn merge_from_proto(merge: v1::EntityMerge, index: usize) -> Result<EntityMerge, ConvertError> {
    Ok(EntityMerge {
        kind: enum_from_wire::<EntityKind>(merge.kind, || format!("merges[{index}].kind"))?,
        survivor: merge.survivor_id,
        merged: merge.merged_ids,
        reason: merge.reason,
    })
}

fn split_to_proto(split: &EntitySplit) -> v1::EntitySplit {
    v1::EntitySplit {
        kind: split.kind.to_wire(),
        from_id: split.from.clone(),
        new_ids: split.new_ids.clone(),
        reason: split.reason.clone(),
    }
}

fn split_from_proto(split: v1::EntitySplit, index: usize) -> Result<EntitySplit, ConvertError> {
    Ok(EntitySplit {
        kind: enum_from_wire::<EntityKind>(split.kind, || format!("splits[{index}].kind"))?,
        from: split.from_id,
        new_ids: split.new_ids,
        reason: split.reason,
    })
}
