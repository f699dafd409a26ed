//! The read model's answers as `orca.v1` messages, with every entity id made current (merged ids
//! read as their survivors).

use orca_explore::{Edge, GroupFate, GroupRecord, GroupStatus, LinkKind, NodeRef, Subnetwork, Workspace};
use orca_model::EntityKind;
use orca_proto::convert::{ProtoEnum, score_to_proto, timestamp_to_proto};
use orca_proto::v1;

pub fn link_kind_to_proto(kind: LinkKind) -> v1::LinkKind {
    match kind {
        LinkKind::CoOffending => v1::LinkKind::CoOffending,
        LinkKind::VehicleUse => v1::LinkKind::VehicleUse,
        LinkKind::SharedMarker => v1::LinkKind::SharedMarker,
        LinkKind::GroupMember => v1::LinkKind::GroupMember,
    }
}

/// The link kinds asked for (all when none), or the first unknown value.
pub fn link_kinds_from_proto(kinds: &[i32]) -> Result<Vec<LinkKind>, i32> {
    if kinds.is_empty() {
        return Ok(LinkKind::ALL.to_vec());
    }
    kinds
        .iter()
        .map(|&k| match v1::LinkKind::try_from(k) {
            Ok(v1::LinkKind::CoOffending) => Ok(LinkKind::CoOffending),
            Ok(v1::LinkKind::VehicleUse) => Ok(LinkKind::VehicleUse),
            Ok(v1::LinkKind::SharedMarker) => Ok(LinkKind::SharedMarker),
            Ok(v1::LinkKind::GroupMember) => Ok(LinkKind::GroupMember),
            _ => Err(k),
        })
        .collect()
}

pub fn edge_to_proto(workspace: &Workspace, edge: &Edge) -> v1::NetworkEdge {
    v1::NetworkEdge {
        from_id: workspace.node_id(&edge.from),
        to_id: workspace.node_id(&edge.to),
        kind: link_kind_to_proto(edge.kind) as i32,
        confidence: edge.confidence,
        incident_count: edge.incident_count,
        incident_ids: edge.incidents.iter().map(|&n| workspace.incident(n).id.to_string()).collect(),
        reason: edge.reason.clone(),
    }
}

fn node_to_proto(workspace: &Workspace, node: &NodeRef, hop: u32) -> v1::NetworkNode {
    let (kind, label, incidents, groups, forces) = match node {
        NodeRef::Person(n) => {
            let incidents = workspace.incidents_of(EntityKind::Person, *n);
            let groups = workspace.groups_of_person(*n).iter().map(ToString::to_string).collect();
            (
                v1::NodeKind::Person,
                workspace.label_of(EntityKind::Person, *n).to_owned(),
                incidents,
                groups,
                forces_of(workspace, incidents),
            )
        }
        NodeRef::Vehicle(n) => {
            let incidents = workspace.incidents_of(EntityKind::Vehicle, *n);
            (
                v1::NodeKind::Vehicle,
                workspace.label_of(EntityKind::Vehicle, *n).to_owned(),
                incidents,
                Vec::new(),
                forces_of(workspace, incidents),
            )
        }
        NodeRef::Group(g) => {
            let record = workspace.group(g.as_str());
            let label =
                record.map(|r| r.package.title.trim_start_matches("Withdrawn: ").to_owned()).unwrap_or_default();
            let forces =
                record.map(|r| r.package.corridor.iter().map(ToString::to_string).collect()).unwrap_or_default();
            let count = record.map_or(0, |r| r.package.offences.len() as u32);
            return v1::NetworkNode {
                id: g.to_string(),
                kind: v1::NodeKind::Group as i32,
                label,
                hop,
                incident_count: count,
                group_ids: Vec::new(),
                forces,
            };
        }
    };
    v1::NetworkNode {
        id: workspace.node_id(node),
        kind: kind as i32,
        label,
        hop,
        incident_count: incidents.len() as u32,
        group_ids: groups,
        forces,
    }
}

fn forces_of(workspace: &Workspace, incidents: &[u32]) -> Vec<String> {
    let mut forces: Vec<String> =
        incidents.iter().map(|&n| workspace.force_of(workspace.incident(n)).to_owned()).collect();
    forces.sort();
    forces.dedup();
    forces
}

pub fn network_to_proto(workspace: &Workspace, network: &Subnetwork) -> v1::Network {
    v1::Network {
        nodes: network.nodes.iter().map(|(node, hop)| node_to_proto(workspace, node, *hop)).collect(),
        edges: network.edges.iter().map(|e| edge_to_proto(workspace, e)).collect(),
        truncated: network.truncated,
    }
}

pub fn status_to_proto(status: GroupStatus) -> v1::GroupStatus {
    match status {
        GroupStatus::Active => v1::GroupStatus::Active,
        GroupStatus::Dissolved => v1::GroupStatus::Dissolved,
        GroupStatus::Merged => v1::GroupStatus::Merged,
    }
}

/// A group's listing line.
pub fn group_summary(record: &GroupRecord, fate: &GroupFate) -> v1::GroupSummary {
    let p = &record.package;
    let mut forces: Vec<String> =
        std::iter::once(&p.lead_force).chain(&p.affected_forces).map(ToString::to_string).collect();
    forces.sort();
    forces.dedup();
    v1::GroupSummary {
        group_id: record.id.to_string(),
        title: p.title.trim_start_matches("Withdrawn: ").to_owned(),
        status: status_to_proto(fate.status) as i32,
        lead_force: p.lead_force.to_string(),
        forces,
        nim_level: p.nim_level.to_wire(),
        priority_band: p.score.priority_band.clone(),
        member_count: p.subjects.len() as u32,
        incident_count: p.offences.len() as u32,
        total_loss_pence: p.total_loss_pence.get(),
        first_seen: p.first_seen.map(timestamp_to_proto),
        last_seen: p.last_seen.map(timestamp_to_proto),
        fate: fate.text.clone(),
        successor_group_ids: fate.successors.iter().map(ToString::to_string).collect(),
    }
}

/// A group from its last active package (members' ids made current, degree from the link chart).
pub fn group_from_package(workspace: &Workspace, record: &GroupRecord, fate: &GroupFate) -> v1::Group {
    let p = &record.package;
    let current = |id: &str| {
        workspace
            .canonical(EntityKind::Person, id)
            .map_or(id.to_owned(), |n| workspace.entity_id(EntityKind::Person, n).to_owned())
    };
    let members = (p.subjects.iter())
        .map(|s| {
            let id = s.person_id.as_str();
            let degree =
                p.link_chart.iter().filter(|e| e.kind == "co-offending" && (e.from == id || e.to == id)).count();
            let display_name = match (s.display_name.is_empty(), workspace.canonical(EntityKind::Person, id)) {
                (true, Some(number)) => workspace.label_of(EntityKind::Person, number).to_owned(),
                _ => s.display_name.clone(),
            };
            v1::GroupMember {
                person_id: current(id),
                role: s.role.clone(),
                degree: degree as u32,
                betweenness: 0.0,
                incident_count: s.incident_count,
                display_name,
            }
        })
        .collect();
    let mut forces: Vec<String> =
        std::iter::once(&p.lead_force).chain(&p.affected_forces).map(ToString::to_string).collect();
    forces.sort();
    forces.dedup();
    v1::Group {
        group_id: record.id.to_string(),
        members,
        vehicle_ids: p.vehicles.iter().map(|v| v.vehicle_id.to_string()).collect(),
        incident_ids: p.offences.iter().map(|o| o.incident_id.to_string()).collect(),
        retailers: p.retailers.iter().map(ToString::to_string).collect(),
        forces,
        nim_level: p.nim_level.to_wire(),
        corridor: p.corridor.iter().map(ToString::to_string).collect(),
        first_seen: p.first_seen.map(timestamp_to_proto),
        last_seen: p.last_seen.map(timestamp_to_proto),
        score: Some(score_to_proto(&p.score)),
        total_loss_pence: p.total_loss_pence.get(),
        lead_force: p.lead_force.to_string(),
        status: status_to_proto(fate.status) as i32,
        fate: fate.text.clone(),
        successor_group_ids: fate.successors.iter().map(ToString::to_string).collect(),
        package_id: p.id.to_string(),
        package_version: record.version,
        title: p.title.trim_start_matches("Withdrawn: ").to_owned(),
    }
}

/// A kept link with its entity ids made current.
pub fn current_link(workspace: &Workspace, kind: EntityKind, mut link: v1::SightingLink) -> v1::SightingLink {
    let current = |id: &str| {
        workspace.canonical(kind, id).map(|n| workspace.entity_id(kind, n).to_owned()).unwrap_or_else(|| id.to_owned())
    };
    link.entity_id = current(&link.entity_id);
    if !link.candidate_entity_id.is_empty() {
        link.candidate_entity_id = current(&link.candidate_entity_id);
    }
    if !link.runner_up_entity_id.is_empty() {
        link.runner_up_entity_id = current(&link.runner_up_entity_id);
        // A runner-up since merged into the entity itself is no alternative any more.
        if link.runner_up_entity_id == link.entity_id {
            link.runner_up_entity_id.clear();
            link.runner_up_probability = 0.0;
        }
    }
    link
}
