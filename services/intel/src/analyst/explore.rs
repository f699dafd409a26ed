//! `ExpandNetwork`, `ShortestPath` and `Timeline`.

use super::paging::page;
use super::wire::{link_kinds_from_proto, network_to_proto};
use super::{AnalystApi, checked_id};
use orca_explore::{ExpandOptions, NodeRef, Workspace};
use orca_model::EntityKind;
use orca_proto::convert::{ProtoEnum, timestamp_from_proto, timestamp_to_proto};
use orca_proto::v1;
use tonic::{Request, Status};

const MAX_HOPS: u32 = 4;
const MAX_PATH_HOPS: u32 = 8;
const MAX_NODES: u32 = 2_000;
const MAX_EDGES: u32 = 10_000;

/// Where to start from an id, or NOT_FOUND.
fn start(workspace: &Workspace, id: &str) -> Result<Vec<NodeRef>, Status> {
    workspace.start_nodes(id).ok_or_else(|| Status::not_found(format!("no person, vehicle, group or incident `{id}`")))
}

fn options(
    kinds: &[i32],
    min_confidence: f64,
    max_nodes: u32,
    max_edges: u32,
    hops: u32,
) -> Result<ExpandOptions, Status> {
    let kinds = link_kinds_from_proto(kinds)
        .map_err(|k| Status::invalid_argument(format!("`link_kinds` has {k}, which is not a link kind")))?;
    if !(0.0..=1.0).contains(&min_confidence) {
        return Err(Status::invalid_argument("`min_confidence` is between 0 and 1"));
    }
    let limit = |value: u32, default: u32, max: u32, what: &str| match value {
        0 => Ok(default as usize),
        n if n <= max => Ok(n as usize),
        _ => Err(Status::invalid_argument(format!("`{what}` is at most {max}"))),
    };
    Ok(ExpandOptions {
        hops,
        kinds,
        min_confidence,
        max_nodes: limit(max_nodes, 200, MAX_NODES, "max_nodes")?,
        max_edges: limit(max_edges, 1_000, MAX_EDGES, "max_edges")?,
    })
}

pub async fn expand_network(
    api: &AnalystApi,
    request: Request<v1::ExpandNetworkRequest>,
) -> Result<v1::Network, Status> {
    let message = request.get_ref().clone();
    let resource = format!("network:{}", message.id.trim());
    let access = api.admit(&request, &message.purpose, "expand-network", &resource).await?;
    api.read(&access, "expand-network", &resource, move |search| {
        let id = checked_id(&message.id, "id")?;
        let hops = match message.hops {
            0 => 1,
            n if n <= MAX_HOPS => n,
            _ => return Err(Status::invalid_argument(format!("`hops` is at most {MAX_HOPS}"))),
        };
        let options = options(&message.link_kinds, message.min_confidence, message.max_nodes, message.max_edges, hops)?;
        let workspace = search.workspace();
        let network = workspace.expand(&start(&workspace, &id)?, &options);
        let detail = format!(
            "{hops} hops: {} nodes, {} edges{}",
            network.nodes.len(),
            network.edges.len(),
            if network.truncated { ", truncated" } else { "" }
        );
        Ok((network_to_proto(&workspace, &network), detail))
    })
    .await
}

pub async fn shortest_path(api: &AnalystApi, request: Request<v1::ShortestPathRequest>) -> Result<v1::Network, Status> {
    let message = request.get_ref().clone();
    let resource = format!("path:{}..{}", message.from_id.trim(), message.to_id.trim());
    let access = api.admit(&request, &message.purpose, "shortest-path", &resource).await?;
    api.read(&access, "shortest-path", &resource, move |search| {
        let (from, to) = (checked_id(&message.from_id, "from_id")?, checked_id(&message.to_id, "to_id")?);
        let max_hops = match message.max_hops {
            0 => 6,
            n if n <= MAX_PATH_HOPS => n,
            _ => return Err(Status::invalid_argument(format!("`max_hops` is at most {MAX_PATH_HOPS}"))),
        };
        let options = options(&message.link_kinds, message.min_confidence, 0, 0, 1)?;
        let workspace = search.workspace();
        let (from, to) = (start(&workspace, &from)?, start(&workspace, &to)?);
        match workspace.shortest_path(&from, &to, &options, max_hops) {
            Some(path) => {
                let detail = format!("path of {} links", path.edges.len());
                Ok((network_to_proto(&workspace, &path), detail))
            }
            None => Ok((v1::Network::default(), format!("no path within {max_hops} links"))),
        }
    })
    .await
}

pub async fn timeline(api: &AnalystApi, request: Request<v1::TimelineRequest>) -> Result<v1::TimelineResponse, Status> {
    let message = request.get_ref().clone();
    let resource = format!("timeline:{}", message.id.trim());
    let access = api.admit(&request, &message.purpose, "read-timeline", &resource).await?;
    api.read(&access, "read-timeline", &resource, move |search| {
        let id = checked_id(&message.id, "id")?;
        let time = |t: &Option<pbjson_types::Timestamp>, field: &str| {
            t.as_ref()
                .map(|t| timestamp_from_proto(t).map_err(|e| Status::invalid_argument(format!("`{field}`: {e}"))))
                .transpose()
        };
        let (from, to) = (time(&message.from, "from")?, time(&message.to, "to")?);
        let page = page(message.page.as_ref(), 100, 500)?;
        let workspace = search.workspace();
        let node = match start(&workspace, &id)?.as_slice() {
            [node] => node.clone(),
            _ => return Err(Status::invalid_argument("a timeline is of a person, vehicle or group, not an incident")),
        };
        let events = workspace.timeline(&node, from, to);
        let total = events.len();
        let next_page_token = page.next_token(total);
        let ids = |kind: EntityKind, numbers: &[u32]| -> Vec<String> {
            numbers.iter().map(|&n| workspace.entity_id(kind, n).to_owned()).collect()
        };
        let events: Vec<v1::TimelineEvent> = page
            .of(events)
            .into_iter()
            .map(|event| {
                let node = workspace.incident(event.incident);
                v1::TimelineEvent {
                    incident_id: node.id.to_string(),
                    occurred_at: Some(timestamp_to_proto(node.occurred_at)),
                    force: workspace.force_of(node).to_owned(),
                    store_id: workspace.store_of(node).to_owned(),
                    retailer_id: workspace.retailer_of(node).to_owned(),
                    event_type: node.event_type.to_wire(),
                    value_pence: node.value_pence.get(),
                    police_crime_ref: node.police_crime_ref.to_string(),
                    person_ids: ids(EntityKind::Person, &event.persons),
                    vehicle_ids: ids(EntityKind::Vehicle, &event.vehicles),
                    member_ids: ids(EntityKind::Person, &event.members),
                }
            })
            .collect();
        let detail = format!("{} of {total} incidents", events.len());
        Ok((v1::TimelineResponse { events, next_page_token, total: total as u32 }, detail))
    })
    .await
}
