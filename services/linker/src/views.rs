//! The analyst views the linker stores for the intel service to serve, and their format:
//! `orca.v1.Person` and `orca.v1.Group`, protobuf-encoded, under the namespaces in
//! [`orca_stage::views`], with redirects for merged persons.

use orca_model::StateChange;
use orca_model::{GroupId, PersonId};
use orca_network::{GroupView, Linker, PersonView};
use orca_proto::convert::{ProtoEnum, score_to_proto, timestamp_to_proto};
use orca_proto::v1;
use orca_stage::views as namespaces;
use prost::Message;

/// Adds view records for the touched persons and groups (and redirects for merged ids).
pub fn write(linker: &Linker, persons: &[PersonId], groups: &[GroupId], state: &mut Vec<StateChange>) {
    for id in persons {
        let Some(view) = linker.person(id.as_str()) else { continue };
        for merged in &view.merged_ids {
            state.push(StateChange::put(
                namespaces::PERSON_REDIRECT,
                merged.as_str(),
                view.id.as_str().as_bytes().to_vec(),
            ));
            state.push(StateChange::delete(namespaces::PERSON, merged.as_str()));
        }
        state.push(StateChange::put(namespaces::PERSON, view.id.as_str(), person_to_proto(&view).encode_to_vec()));
    }
    for id in groups {
        match linker.group(id.as_str()) {
            Some(view) => {
                state.push(StateChange::put(namespaces::GROUP, id.as_str(), group_to_proto(&view).encode_to_vec()))
            }
            None => state.push(StateChange::delete(namespaces::GROUP, id.as_str())),
        }
    }
}

pub fn person_to_proto(view: &PersonView) -> v1::Person {
    v1::Person {
        person_id: view.id.to_string(),
        redirected_from: String::new(),
        names: view.names.clone(),
        dates_of_birth: view.dates_of_birth.clone(),
        sex: String::new(),
        marker_codes: view.marker_codes.clone(),
        forces: view.forces.iter().map(ToString::to_string).collect(),
        sightings: view
            .sightings
            .iter()
            .map(|s| v1::PersonSightingRef {
                incident_id: s.incident.to_string(),
                sighting_index: s.index,
                force: s.force.to_string(),
                occurred_at: Some(timestamp_to_proto(s.occurred_at)),
                link: Some(v1::SightingLink {
                    sighting_index: s.index,
                    entity_id: view.id.to_string(),
                    decision: 0,
                    probability: s.probability,
                    evidence: vec![v1::ComparisonEvidence {
                        comparison: "explanation".into(),
                        level: s.explanation.clone(),
                        weight: 0.0,
                    }],
                    candidate_entity_id: String::new(),
                    ..Default::default()
                }),
                ..Default::default()
            })
            .collect(),
        group_ids: view.groups.iter().map(ToString::to_string).collect(),
        vehicle_ids: view.vehicles.iter().map(ToString::to_string).collect(),
        ..Default::default()
    }
}

pub fn group_to_proto(view: &GroupView) -> v1::Group {
    v1::Group {
        group_id: view.id.to_string(),
        members: view
            .members
            .iter()
            .map(|m| v1::GroupMember {
                person_id: m.person.to_string(),
                role: m.role.as_str().to_owned(),
                degree: m.degree,
                betweenness: m.betweenness,
                incident_count: m.incidents,
                ..Default::default()
            })
            .collect(),
        vehicle_ids: view.vehicles.iter().map(|v| v.vehicle.to_string()).collect(),
        incident_ids: view.incidents.iter().map(ToString::to_string).collect(),
        retailers: view.retailers.iter().map(ToString::to_string).collect(),
        forces: view.forces.iter().map(ToString::to_string).collect(),
        nim_level: view.nim_level.to_wire(),
        corridor: view.corridor.iter().map(ToString::to_string).collect(),
        first_seen: view.first_seen.map(timestamp_to_proto),
        last_seen: view.last_seen.map(timestamp_to_proto),
        score: Some(score_to_proto(&view.score)),
        total_loss_pence: view.total_loss_pence.get(),
        lead_force: view.lead_force.to_string(),
        status: v1::GroupStatus::Active as i32,
        ..Default::default()
    }
}
