//! `Search`: the request checked and read, the index searched, hits made current and audited.

use super::AnalystApi;
use super::paging::page;
use crate::error::IntelError;
use orca_explore::ParsedQuery;
use orca_model::{EntityKind, EventType, ForceRegistry};
use orca_proto::convert::{ProtoEnum, timestamp_from_proto, timestamp_to_proto};
use orca_proto::v1;
use orca_search::documents::event_type_term;
use orca_search::{MAX_OFFSET, SearchIndex, SearchRequest};
use tonic::{Request, Status};

const DEFAULT_PAGE: usize = 20;
const MAX_PAGE: usize = 100;

pub async fn search(api: &AnalystApi, request: Request<v1::SearchRequest>) -> Result<v1::SearchResponse, Status> {
    let message = request.get_ref().clone();
    let access = api.admit(&request, &message.purpose, "search", "search").await?;
    api.read(&access, "search", "search", move |search| run(search, &message)).await
}

fn run(search: &SearchIndex, message: &v1::SearchRequest) -> Result<(v1::SearchResponse, String), Status> {
    let request = checked(message)?;
    let page = (request.offset, request.limit);
    let found = search.search(&request).map_err(|error| Status::from(IntelError::Search(error.to_string())))?;
    let workspace = search.workspace();
    let mut seen = std::collections::HashSet::new();
    let hits: Vec<v1::SearchHit> = found
        .hits
        .into_iter()
        .filter_map(|hit| {
            // A person or vehicle merged since it was indexed is shown as its survivor.
            let id = match hit.kind.as_str() {
                "person" | "vehicle" => {
                    let kind = if hit.kind == "person" { EntityKind::Person } else { EntityKind::Vehicle };
                    let number = workspace.canonical(kind, &hit.id)?;
                    workspace.entity_id(kind, number).to_owned()
                }
                _ => hit.id.clone(),
            };
            seen.insert((hit.kind.clone(), id.clone())).then(|| v1::SearchHit {
                kind: kind_to_proto(&hit.kind) as i32,
                id,
                title: hit.card.title,
                subtitle: hit.card.subtitle,
                score: f64::from(hit.score),
                highlights: (hit.highlights.into_iter())
                    .map(|(field, h)| v1::Highlight {
                        field,
                        fragment: h.fragment,
                        ranges: h
                            .ranges
                            .into_iter()
                            .map(|(s, e)| v1::HighlightRange { start: s as u32, end: e as u32 })
                            .collect(),
                    })
                    .collect(),
                forces: hit.card.forces,
                first_seen: hit.card.first_seen.map(timestamp_to_proto),
                last_seen: hit.card.last_seen.map(timestamp_to_proto),
            })
        })
        .collect();
    let total = found.total;
    let next = page.0 + page.1;
    let next_page_token = if next < total.min(MAX_OFFSET) { next.to_string() } else { String::new() };
    let ids: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
    let detail = format!("query {:?}, {} of {total} hits: {}", message.query, hits.len(), ids.join(","));
    Ok((v1::SearchResponse { hits, total: total.min(u32::MAX as usize) as u32, next_page_token }, detail))
}

/// The request as the index takes it, or why it cannot be.
fn checked(message: &v1::SearchRequest) -> Result<SearchRequest, Status> {
    let query = ParsedQuery::parse(&message.query).map_err(|e| Status::invalid_argument(e.to_string()))?;
    let kinds = (message.kinds.iter())
        .map(|&k| match v1::SearchKind::try_from(k) {
            Ok(v1::SearchKind::Person) => Ok("person"),
            Ok(v1::SearchKind::Vehicle) => Ok("vehicle"),
            Ok(v1::SearchKind::Incident) => Ok("incident"),
            Ok(v1::SearchKind::Group) => Ok("group"),
            _ => Err(Status::invalid_argument(format!("`kinds` has {k}, which is not a search kind"))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let force = message.force.trim();
    if !force.is_empty() && !ForceRegistry::global().contains(force) {
        return Err(Status::invalid_argument(format!("`force` `{force}` is not a force slug (see data.police.uk)")));
    }
    let retailer = message.retailer.trim();
    if retailer.chars().count() > 64 {
        return Err(Status::invalid_argument("`retailer` is longer than 64 characters"));
    }
    let event_type = match EventType::from_wire(message.event_type) {
        Some(EventType::Unspecified) => None,
        Some(event_type) => Some(event_type_term(event_type)),
        None => {
            return Err(Status::invalid_argument(format!("`event_type` {} is not an event type", message.event_type)));
        }
    };
    let time = |t: &Option<pbjson_types::Timestamp>, field: &str| {
        t.as_ref()
            .map(|t| timestamp_from_proto(t).map_err(|e| Status::invalid_argument(format!("`{field}`: {e}"))))
            .transpose()
    };
    let (from, to) = (time(&message.from, "from")?, time(&message.to, "to")?);
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        return Err(Status::invalid_argument("`from` is after `to`"));
    }
    let page = page(message.page.as_ref(), DEFAULT_PAGE, MAX_PAGE)?;
    if page.offset + page.size > MAX_OFFSET {
        return Err(Status::invalid_argument(format!(
            "results beyond the first {MAX_OFFSET} cannot be paged to; narrow the search"
        )));
    }
    Ok(SearchRequest {
        query,
        kinds,
        force: (!force.is_empty()).then(|| force.to_owned()),
        retailer: (!retailer.is_empty()).then(|| retailer.to_owned()),
        event_type,
        from,
        to,
        offset: page.offset,
        limit: page.size,
    })
}

fn kind_to_proto(kind: &str) -> v1::SearchKind {
    match kind {
        "person" => v1::SearchKind::Person,
        "vehicle" => v1::SearchKind::Vehicle,
        "incident" => v1::SearchKind::Incident,
        _ => v1::SearchKind::Group,
    }
}
