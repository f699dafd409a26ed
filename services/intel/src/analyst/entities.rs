//! `GetPerson`, `GetVehicle`, `GetIncident`, `GetGroup` and `ListGroups`.

use super::paging::page;
use super::wire::{current_link, edge_to_proto, group_from_package, group_summary};
use super::{AnalystApi, checked_id};
use orca_explore::labels::{person_label, vehicle_label};
use orca_explore::{ExpandOptions, LinkKind, NodeRef, Workspace};
use orca_model::{EntityKind, ForceRegistry, IncidentId};
use orca_proto::convert::{ProtoEnum, timestamp_from_proto, timestamp_to_proto};
use orca_proto::v1;
use orca_search::SearchIndex;
use orca_search::index::reports_of;
use orca_stage::views;
use prost::Message;
use tonic::{Request, Status};

/// Most sightings returned with a person or vehicle (the most recent).
const MAX_SIGHTINGS: usize = 2_000;

pub async fn get_person(api: &AnalystApi, request: Request<v1::GetPersonRequest>) -> Result<v1::Person, Status> {
    let message = request.get_ref().clone();
    let resource = format!("person:{}", message.person_id.trim());
    let access = api.admit(&request, &message.purpose, "read-person", &resource).await?;
    api.read(&access, "read-person", &resource, move |search| {
        let id = checked_id(&message.person_id, "person_id")?;
        person(search, &id)
    })
    .await
}

fn person(search: &SearchIndex, id: &str) -> Result<(v1::Person, String), Status> {
    let workspace = search.workspace();
    let found = workspace.find(EntityKind::Person, id).ok_or_else(|| Status::not_found(format!("no person `{id}`")))?;
    let number = found.number;
    let incidents = workspace.incidents_of(EntityKind::Person, number).to_vec();
    let resolutions = search.resolutions(&workspace, &incidents);
    let profile = workspace.person_profile(number, &reports_of(&resolutions));
    let sightings = sightings(&workspace, EntityKind::Person, number, &incidents, &resolutions);
    let links = direct_links(&workspace, NodeRef::Person(number));
    let vehicle_ids =
        links.iter().filter(|e| e.kind == v1::LinkKind::VehicleUse as i32).map(|e| e.to_id.clone()).collect();
    let detail = redirect_detail(&found.redirected_from, &profile.id, sightings.len());
    let person = v1::Person {
        person_id: profile.id.clone(),
        redirected_from: found.redirected_from.unwrap_or_default(),
        names: profile.names.iter().chain(&profile.aliases).cloned().collect(),
        dates_of_birth: profile.dates_of_birth,
        sex: profile.sex,
        marker_codes: profile.marker_codes,
        forces: profile.forces,
        sightings,
        group_ids: profile.groups,
        vehicle_ids,
        distinguishing_marks: profile.marks,
        merged_ids: workspace.merged_ids(EntityKind::Person, number),
        split_from: workspace.split_from(EntityKind::Person, number).unwrap_or_default(),
        links,
    };
    Ok((person, detail))
}

pub async fn get_vehicle(api: &AnalystApi, request: Request<v1::GetVehicleRequest>) -> Result<v1::Vehicle, Status> {
    let message = request.get_ref().clone();
    let resource = format!("vehicle:{}", message.vehicle_id.trim());
    let access = api.admit(&request, &message.purpose, "read-vehicle", &resource).await?;
    api.read(&access, "read-vehicle", &resource, move |search| {
        let id = checked_id(&message.vehicle_id, "vehicle_id")?;
        vehicle(search, &id)
    })
    .await
}

fn vehicle(search: &SearchIndex, id: &str) -> Result<(v1::Vehicle, String), Status> {
    let workspace = search.workspace();
    let found =
        workspace.find(EntityKind::Vehicle, id).ok_or_else(|| Status::not_found(format!("no vehicle `{id}`")))?;
    let number = found.number;
    let incidents = workspace.incidents_of(EntityKind::Vehicle, number).to_vec();
    let resolutions = search.resolutions(&workspace, &incidents);
    let profile = workspace.vehicle_profile(number, &reports_of(&resolutions));
    let sightings = sightings(&workspace, EntityKind::Vehicle, number, &incidents, &resolutions);
    let links = direct_links(&workspace, NodeRef::Vehicle(number));
    let person_ids: Vec<String> = links.iter().map(|e| e.to_id.clone()).collect();
    let mut group_ids: Vec<String> = (person_ids.iter())
        .filter_map(|p| workspace.canonical(EntityKind::Person, p))
        .flat_map(|p| workspace.groups_of_person(p))
        .map(|g| g.to_string())
        .collect();
    group_ids.sort();
    group_ids.dedup();
    let mut cloned: Vec<String> = (sightings.iter())
        .filter_map(|s| s.link.as_ref())
        .filter(|l| l.evidence.iter().any(|e| e.level == "cloned-plate") && !l.candidate_entity_id.is_empty())
        .map(|l| l.candidate_entity_id.clone())
        .filter(|c| *c != profile.id)
        .collect();
    cloned.sort();
    cloned.dedup();
    let detail = redirect_detail(&found.redirected_from, &profile.id, sightings.len());
    let vehicle = v1::Vehicle {
        vehicle_id: profile.id.clone(),
        redirected_from: found.redirected_from.unwrap_or_default(),
        vrms: profile.vrms,
        partial_reads: profile.partial_reads,
        makes: profile.makes,
        models: profile.models,
        colours: profile.colours,
        forces: profile.forces,
        sightings,
        person_ids,
        group_ids,
        merged_ids: workspace.merged_ids(EntityKind::Vehicle, number),
        cloned_plate_of: cloned,
        links,
    };
    Ok((vehicle, detail))
}

fn redirect_detail(redirected_from: &Option<String>, id: &str, sightings: usize) -> String {
    match redirected_from {
        Some(from) => format!("{from} redirected to {id}; {sightings} sightings"),
        None => format!("{sightings} sightings"),
    }
}

/// The sightings of an entity with their links (current ids), in time order, the latest kept.
fn sightings(
    workspace: &Workspace,
    kind: EntityKind,
    number: u32,
    incidents: &[u32],
    resolutions: &[Option<v1::Resolution>],
) -> Vec<v1::PersonSightingRef> {
    let mut out = Vec::new();
    for (&incident, resolution) in incidents.iter().zip(resolutions) {
        let Some(resolution) = resolution else { continue };
        let node = workspace.incident(incident);
        let links = if kind == EntityKind::Person { &resolution.persons } else { &resolution.vehicles };
        let report = resolution.incident.clone().and_then(|r| orca_proto::convert::incident_from_proto(r).ok());
        for link in links {
            if workspace.canonical(kind, &link.entity_id) != Some(number) {
                continue;
            }
            let index = link.sighting_index as usize;
            let reported_as = report
                .as_ref()
                .and_then(|incident| match kind {
                    EntityKind::Person => incident.persons.get(index).map(person_label),
                    EntityKind::Vehicle => incident.vehicles.get(index).map(vehicle_label),
                })
                .unwrap_or_default();
            out.push(v1::PersonSightingRef {
                incident_id: node.id.to_string(),
                sighting_index: link.sighting_index,
                force: workspace.force_of(node).to_owned(),
                occurred_at: Some(timestamp_to_proto(node.occurred_at)),
                link: Some(current_link(workspace, kind, link.clone())),
                store_id: workspace.store_of(node).to_owned(),
                retailer_id: workspace.retailer_of(node).to_owned(),
                reported_as,
            });
        }
    }
    out.sort_by(|a, b| {
        let time = |s: &v1::PersonSightingRef| s.occurred_at.as_ref().map_or(0, |t| t.seconds);
        (time(a), &a.incident_id, a.sighting_index).cmp(&(time(b), &b.incident_id, b.sighting_index))
    });
    if out.len() > MAX_SIGHTINGS {
        out.drain(..out.len() - MAX_SIGHTINGS);
    }
    out
}

/// An entity's direct links, each with its reason.
fn direct_links(workspace: &Workspace, node: NodeRef) -> Vec<v1::NetworkEdge> {
    let options = ExpandOptions { kinds: LinkKind::ALL.to_vec(), ..ExpandOptions::default() };
    workspace.edges_of(&node, &options).iter().map(|e| edge_to_proto(workspace, e)).collect()
}

pub async fn get_incident(
    api: &AnalystApi,
    request: Request<v1::GetIncidentRequest>,
) -> Result<v1::IncidentDetail, Status> {
    let message = request.get_ref().clone();
    let resource = format!("incident:{}", message.incident_id.trim());
    let access = api.admit(&request, &message.purpose, "read-incident", &resource).await?;
    api.read(&access, "read-incident", &resource, move |search| {
        let id = checked_id(&message.incident_id, "incident_id")?;
        incident(search, &id)
    })
    .await
}

fn incident(search: &SearchIndex, id: &str) -> Result<(v1::IncidentDetail, String), Status> {
    let kept = search.resolution(&IncidentId::new(id));
    if let Some(withdrawal) = kept.as_ref().and_then(|r| r.withdrawal.as_ref()) {
        if withdrawal.disposed {
            return Err(Status::not_found(format!(
                "incident `{id}` was disposed of under the retention schedule by {}: {}; nothing of its report is kept",
                withdrawal.withdrawn_by, withdrawal.reason
            )));
        }
        return Err(Status::not_found(format!(
            "incident `{id}` was withdrawn by {} (revision {}): {}; its report is no longer disclosed",
            withdrawal.withdrawn_by, withdrawal.revision, withdrawal.reason
        )));
    }
    let workspace = search.workspace();
    let number = workspace.incident_number(id).ok_or_else(|| Status::not_found(format!("no incident `{id}`")))?;
    let resolution =
        kept.ok_or_else(|| Status::from(crate::error::IntelError::corrupt("incident record", "no resolution kept")))?;
    let mut report = resolution.incident.clone().unwrap_or_default();
    for person in &mut report.persons {
        person.face = None;
        let offending =
            matches!(v1::PersonRole::try_from(person.role), Ok(v1::PersonRole::Suspect | v1::PersonRole::Offender));
        if !offending {
            // Victims and witnesses (usually staff) are sources, never subjects.
            *person = v1::PersonSighting { role: person.role, ..Default::default() };
        }
    }
    let node = workspace.incident(number);
    let mut group_ids: Vec<String> = (node.persons.iter())
        .flat_map(|l| workspace.groups_of_person(l.entity))
        .filter(|g| {
            workspace.group(g.as_str()).is_some_and(|r| r.package.offences.iter().any(|o| o.incident_id.as_str() == id))
        })
        .map(|g| g.to_string())
        .collect();
    group_ids.sort();
    group_ids.dedup();
    let detail = v1::IncidentDetail {
        incident: Some(report),
        persons: resolution.persons.into_iter().map(|l| current_link(&workspace, EntityKind::Person, l)).collect(),
        vehicles: resolution.vehicles.into_iter().map(|l| current_link(&workspace, EntityKind::Vehicle, l)).collect(),
        group_ids,
    };
    Ok((detail, String::new()))
}

pub async fn get_group(api: &AnalystApi, request: Request<v1::GetGroupRequest>) -> Result<v1::Group, Status> {
    let message = request.get_ref().clone();
    let resource = format!("group:{}", message.group_id.trim());
    let action = "read-group";
    let access = api.admit(&request, &message.purpose, action, &resource).await?;
    let id = match checked_id(&message.group_id, "group_id") {
        Ok(id) => id,
        Err(status) => return Err(api.refused(&access, action, &resource, status).await),
    };
    let lookup = id.clone();
    let found = api
        .blocking(move |search| {
            let workspace = search.workspace();
            let record = workspace.group(&lookup).ok_or_else(|| Status::not_found(format!("no group `{lookup}`")))?;
            let fate = workspace.fate(record);
            Ok((group_from_package(&workspace, record, &fate), record.active))
        })
        .await;
    let (mut group, active) = match found {
        Ok(found) => found,
        Err(status) => return Err(api.refused(&access, action, &resource, status).await),
    };
    if active {
        enrich_from_view(api, &id, &mut group).await;
    }
    api.disclosed(&access, action, &resource, format!("{} v{}", group.package_id, group.package_version)).await?;
    Ok(group)
}

/// Members' degree and betweenness from the view the linker stores for an active group.
async fn enrich_from_view(api: &AnalystApi, id: &str, group: &mut v1::Group) {
    let Ok(Some(bytes)) = api.gate.store().get_state(views::GROUP, id).await else { return };
    let Ok(view) = v1::Group::decode(bytes.as_slice()) else { return };
    for member in &mut group.members {
        if let Some(known) = view.members.iter().find(|m| m.person_id == member.person_id) {
            member.degree = known.degree;
            member.betweenness = known.betweenness;
        }
    }
}

pub async fn list_groups(
    api: &AnalystApi,
    request: Request<v1::ListGroupsRequest>,
) -> Result<v1::ListGroupsResponse, Status> {
    let message = request.get_ref().clone();
    let access = api.admit(&request, &message.purpose, "list-groups", "groups").await?;
    api.read(&access, "list-groups", "groups", move |search| groups(search, &message)).await
}

fn groups(search: &SearchIndex, message: &v1::ListGroupsRequest) -> Result<(v1::ListGroupsResponse, String), Status> {
    let force = message.force.trim();
    if !force.is_empty() && !ForceRegistry::global().contains(force) {
        return Err(Status::invalid_argument(format!("`force` `{force}` is not a force slug (see data.police.uk)")));
    }
    let band = message.priority_band.trim().to_lowercase();
    if !band.is_empty() && !["high", "medium", "low"].contains(&band.as_str()) {
        return Err(Status::invalid_argument("`priority_band` is `high`, `medium` or `low`"));
    }
    let nim = orca_model::package::NimLevel::from_wire(message.nim_level);
    if message.nim_level != 0 && nim.is_none() {
        return Err(Status::invalid_argument(format!("`nim_level` {} is not a NIM level", message.nim_level)));
    }
    let since = message
        .active_since
        .as_ref()
        .map(|t| timestamp_from_proto(t).map_err(|e| Status::invalid_argument(format!("`active_since`: {e}"))))
        .transpose()?;
    let page = page(message.page.as_ref(), 50, 500)?;
    let workspace = search.workspace();
    let mut listed: Vec<v1::GroupSummary> = workspace
        .groups()
        .filter(|r| r.active || message.include_inactive)
        .filter(|r| force.is_empty() || r.touches_force(force))
        .filter(|r| band.is_empty() || r.priority_band() == band)
        .filter(|r| nim.is_none_or(|n| r.package.nim_level == n))
        .filter(|r| since.is_none_or(|s| r.last_seen().is_some_and(|l| l >= s)))
        .map(|r| group_summary(r, &workspace.fate(r)))
        .collect();
    let band_rank = |b: &str| match b {
        "high" => 0,
        "medium" => 1,
        "low" => 2,
        _ => 3,
    };
    listed.sort_by(|a, b| {
        (a.status != v1::GroupStatus::Active as i32)
            .cmp(&(b.status != v1::GroupStatus::Active as i32))
            .then(band_rank(&a.priority_band).cmp(&band_rank(&b.priority_band)))
            .then_with(|| b.last_seen.as_ref().map(|t| t.seconds).cmp(&a.last_seen.as_ref().map(|t| t.seconds)))
            .then_with(|| a.group_id.cmp(&b.group_id))
    });
    let total = listed.len();
    let next_page_token = page.next_token(total);
    let groups = page.of(listed);
    let detail = groups.iter().map(|g| g.group_id.as_str()).collect::<Vec<_>>().join(",");
    Ok((v1::ListGroupsResponse { groups, next_page_token, total: total as u32 }, detail))
}
