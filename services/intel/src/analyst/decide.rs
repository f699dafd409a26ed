//! The review queue and binding decisions: `ListReviewQueue`, `ReviewMatch`, `SplitPerson`,
//! `MergePersons`. A decision is checked against the read model, audited with who decided and
//! why, appended to `orca.decisions.v1` (keyed by the incident it is about), and then awaited: the
//! resolver applies it and answers on the resolutions log, which the read model records.

use super::paging::page;
use super::wire::current_link;
use super::{AnalystApi, checked_id};
use crate::access::Access;
use orca_eventlog::{OutRecord, topics};
use orca_explore::Workspace;
use orca_explore::labels::{person_label, vehicle_label};
use orca_model::{DecisionEvent, DecisionKind, EntityKind, EntityRef, ForceRegistry, IncidentId, SightingKey};
use orca_proto::convert::{self, ProtoEnum, decision_to_proto, sighting_ref_from_proto, timestamp_to_proto};
use orca_proto::v1;
use orca_search::SearchIndex;
use prost::Message;
use tonic::{Request, Status};

/// Longest reason kept with a decision.
const MAX_REASON_CHARS: usize = 1_000;
/// Most sightings one split may move.
const MAX_SPLIT: usize = 1_000;

fn entity_kind(value: i32) -> Result<Option<EntityKind>, Status> {
    match v1::EntityKind::try_from(value) {
        Ok(v1::EntityKind::Unspecified) => Ok(None),
        Ok(v1::EntityKind::Person) => Ok(Some(EntityKind::Person)),
        Ok(v1::EntityKind::Vehicle) => Ok(Some(EntityKind::Vehicle)),
        Err(_) => Err(Status::invalid_argument(format!("`entity_kind` {value} is not an entity kind"))),
    }
}

pub async fn review_queue(
    api: &AnalystApi,
    request: Request<v1::ListReviewQueueRequest>,
) -> Result<v1::ListReviewQueueResponse, Status> {
    let message = request.get_ref().clone();
    let access = api.admit(&request, &message.purpose, "read-review-queue", "review-queue").await?;
    api.read(&access, "read-review-queue", "review-queue", move |search| queue(search, &message)).await
}

fn queue(
    search: &SearchIndex,
    message: &v1::ListReviewQueueRequest,
) -> Result<(v1::ListReviewQueueResponse, String), Status> {
    let force = message.force.trim();
    if !force.is_empty() && !ForceRegistry::global().contains(force) {
        return Err(Status::invalid_argument(format!("`force` `{force}` is not a force slug (see data.police.uk)")));
    }
    let kind = entity_kind(message.entity_kind)?;
    let page = page(message.page.as_ref(), 50, 500)?;
    let workspace = search.workspace();
    let entries = workspace.review_queue((!force.is_empty()).then_some(force), kind);
    let total = entries.len();
    let next_page_token = page.next_token(total);
    let items: Vec<v1::ReviewItem> = page
        .of(entries)
        .into_iter()
        .map(|entry| {
            let node = workspace.incident(entry.incident);
            let resolution = search.resolution(&node.id);
            let links =
                resolution.as_ref().map(|r| if entry.kind == EntityKind::Person { &r.persons } else { &r.vehicles });
            let link = links.and_then(|l| l.iter().find(|l| l.sighting_index == entry.index)).cloned();
            let evidence = link.map(|l| current_link(&workspace, entry.kind, l).evidence).unwrap_or_default();
            let report = resolution.and_then(|r| r.incident).and_then(|i| convert::incident_from_proto(i).ok());
            let reported_as = report
                .and_then(|r| match entry.kind {
                    EntityKind::Person => r.persons.get(entry.index as usize).map(person_label),
                    EntityKind::Vehicle => r.vehicles.get(entry.index as usize).map(vehicle_label),
                })
                .unwrap_or_default();
            v1::ReviewItem {
                sighting: Some(v1::SightingRef { incident_id: node.id.to_string(), index: entry.index }),
                entity_kind: entry.kind.to_wire(),
                entity_id: workspace.entity_id(entry.kind, entry.entity).to_owned(),
                candidate_entity_id: workspace.entity_id(entry.kind, entry.candidate).to_owned(),
                probability: entry.probability,
                evidence,
                consequence: entry.consequence,
                consequence_reasons: workspace.review_reasons(&entry),
                occurred_at: Some(timestamp_to_proto(node.occurred_at)),
                force: workspace.force_of(node).to_owned(),
                reported_as,
                candidate_label: workspace.label_of(entry.kind, entry.candidate).to_owned(),
            }
        })
        .collect();
    let detail = format!("{} of {total} possible matches", items.len());
    Ok((v1::ListReviewQueueResponse { items, next_page_token, total: total as u32 }, detail))
}

fn checked_reason(reason: &str) -> Result<String, Status> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Status::invalid_argument(
            "`reason` is required: say why (it is kept with the decision and audited)",
        ));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(Status::invalid_argument(format!("`reason` is longer than {MAX_REASON_CHARS} characters")));
    }
    if reason.chars().any(char::is_control) {
        return Err(Status::invalid_argument("`reason` contains control characters"));
    }
    Ok(reason.to_owned())
}

/// A sighting of the kind asked for that the read model holds: its incident number and the
/// canonical entity it is in.
fn held_sighting(workspace: &Workspace, kind: EntityKind, key: &SightingKey) -> Result<(u32, u32), Status> {
    let number = workspace
        .incident_number(key.incident.as_str())
        .ok_or_else(|| Status::not_found(format!("no incident `{}`", key.incident)))?;
    let node = workspace.incident(number);
    let links = if kind == EntityKind::Person { &node.persons } else { &node.vehicles };
    let link = links.iter().find(|l| l.index == key.index).ok_or_else(|| {
        let what = if kind == EntityKind::Person { "offending person" } else { "vehicle" };
        Status::not_found(format!("incident `{}` has no {what} sighting #{}", key.incident, key.index))
    })?;
    Ok((number, workspace.canonical_number(kind, link.entity)))
}

/// The kind of a sighting decided about when the caller did not say: the one whose sighting at
/// that index is a possible match (persons first), else persons. The review queue lists both
/// kinds by `INC-…#N`, so the id alone should be enough.
fn possible_match_kind(workspace: &Workspace, key: &SightingKey) -> EntityKind {
    let Some(number) = workspace.incident_number(key.incident.as_str()) else {
        return EntityKind::Person;
    };
    let node = workspace.incident(number);
    let possible = |links: &[orca_explore::incidents::LinkNode]| {
        links.iter().any(|l| l.index == key.index && l.candidate.is_some())
    };
    if !possible(&node.persons) && possible(&node.vehicles) { EntityKind::Vehicle } else { EntityKind::Person }
}

/// The entity as a decision names it: its id and one of its sightings (other than `avoid` when it
/// has another), so a replay finds it again.
fn entity_ref(workspace: &Workspace, kind: EntityKind, number: u32, avoid: &[SightingKey]) -> EntityRef {
    let mut anchors = workspace.incidents_of(kind, number).iter().flat_map(|&n| {
        let node = workspace.incident(n);
        let links = if kind == EntityKind::Person { &node.persons } else { &node.vehicles };
        links
            .iter()
            .filter(move |l| workspace.canonical_number(kind, l.entity) == number)
            .map(move |l| SightingKey::new(node.id.clone(), l.index))
    });
    let all: Vec<SightingKey> = anchors.by_ref().collect();
    let anchor = all.iter().find(|k| !avoid.contains(k)).or(all.first()).cloned();
    EntityRef { entity_id: workspace.entity_id(kind, number).to_owned(), anchor }
}

fn new_decision(access: &Access, kind: DecisionKind, entity_kind: EntityKind, reason: String) -> DecisionEvent {
    let now = chrono::Utc::now();
    DecisionEvent {
        decision_id: crate::access::new_id('D', now),
        kind,
        entity_kind,
        sighting: None,
        entity: None,
        other: None,
        sightings: Vec::new(),
        reason,
        analyst_key_id: access.caller.key_id.clone(),
        analyst: access.caller.subject.clone(),
        decided_at: Some(now),
    }
}

pub async fn review_match(
    api: &AnalystApi,
    request: Request<v1::ReviewMatchRequest>,
) -> Result<v1::DecisionReceipt, Status> {
    let message = request.get_ref().clone();
    let subject =
        message.sighting.as_ref().map(|s| format!("{}#{}", s.incident_id.trim(), s.index)).unwrap_or_default();
    let resource = format!("sighting:{subject}");
    let access = api.admit(&request, &message.purpose, "decide", &resource).await?;
    let caller = access.clone();
    let decision = api
        .blocking(move |search| {
            let key = (message.sighting.as_ref())
                .and_then(sighting_ref_from_proto)
                .ok_or_else(|| Status::invalid_argument("`sighting` is required (incident id and index)"))?;
            checked_id(key.incident.as_str(), "sighting.incident_id")?;
            let workspace = search.workspace();
            let kind = match entity_kind(message.entity_kind)? {
                Some(kind) => kind,
                None => possible_match_kind(&workspace, &key),
            };
            let verdict = match v1::Verdict::try_from(message.verdict) {
                Ok(v1::Verdict::Confirm) => DecisionKind::ConfirmMatch,
                Ok(v1::Verdict::Reject) => DecisionKind::RejectMatch,
                _ => return Err(Status::invalid_argument("`verdict` is CONFIRM or REJECT")),
            };
            let reason = checked_reason(&message.reason)?;
            let (incident, current) = held_sighting(&workspace, kind, &key)?;
            let node = workspace.incident(incident);
            let links = if kind == EntityKind::Person { &node.persons } else { &node.vehicles };
            let candidate = links.iter().find(|l| l.index == key.index).and_then(|l| l.candidate);
            let entity = match message.entity_id.trim() {
                "" => match (candidate, verdict) {
                    (Some(candidate), _) => workspace.canonical_number(kind, candidate),
                    (None, DecisionKind::RejectMatch) => current,
                    (None, _) => {
                        let what = if kind == EntityKind::Person { "person" } else { "vehicle" };
                        return Err(Status::invalid_argument(format!(
                            "{what} sighting {}#{} is not a possible match: name the entity to confirm (`entity_id`)",
                            key.incident, key.index
                        )));
                    }
                },
                id => {
                    let id = checked_id(id, "entity_id")?;
                    workspace.find(kind, &id).ok_or_else(|| Status::not_found(format!("no entity `{id}`")))?.number
                }
            };
            let mut decision = new_decision(&caller, verdict, kind, reason);
            decision.entity = Some(entity_ref(&workspace, kind, entity, std::slice::from_ref(&key)));
            decision.sighting = Some(key);
            Ok(decision)
        })
        .await;
    submit(api, &access, &resource, decision).await
}

pub async fn split_person(
    api: &AnalystApi,
    request: Request<v1::SplitPersonRequest>,
) -> Result<v1::DecisionReceipt, Status> {
    let message = request.get_ref().clone();
    let resource = format!("entity:{}", message.person_id.trim());
    let access = api.admit(&request, &message.purpose, "decide", &resource).await?;
    let caller = access.clone();
    let decision = api
        .blocking(move |search| {
            let id = checked_id(&message.person_id, "person_id")?;
            let reason = checked_reason(&message.reason)?;
            if message.sightings.is_empty() || message.sightings.len() > MAX_SPLIT {
                return Err(Status::invalid_argument(format!(
                    "`sightings` lists 1 to {MAX_SPLIT} sightings to take out"
                )));
            }
            let workspace = search.workspace();
            let (kind, found) = find_any(&workspace, &id)?;
            let mut keys: Vec<SightingKey> = Vec::new();
            for (i, sighting) in message.sightings.iter().enumerate() {
                let key = sighting_ref_from_proto(sighting)
                    .ok_or_else(|| Status::invalid_argument(format!("`sightings[{i}]` names no incident")))?;
                let (_, holder) = held_sighting(&workspace, kind, &key)?;
                if holder != found {
                    return Err(Status::invalid_argument(format!("sighting {key} is not {id}'s")));
                }
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
            let entity = entity_ref(&workspace, kind, found, &keys);
            if entity.anchor.as_ref().is_none_or(|a| keys.contains(a)) {
                return Err(Status::invalid_argument(format!(
                    "those are all of {id}'s sightings; nothing would be left to split from"
                )));
            }
            let mut decision = new_decision(&caller, DecisionKind::Split, kind, reason);
            decision.entity = Some(entity);
            decision.sightings = keys;
            Ok(decision)
        })
        .await;
    submit(api, &access, &resource, decision).await
}

pub async fn merge_persons(
    api: &AnalystApi,
    request: Request<v1::MergePersonsRequest>,
) -> Result<v1::DecisionReceipt, Status> {
    let message = request.get_ref().clone();
    let resource = format!("entities:{}+{}", message.person_id.trim(), message.other_person_id.trim());
    let access = api.admit(&request, &message.purpose, "decide", &resource).await?;
    let caller = access.clone();
    let decision = api
        .blocking(move |search| {
            let (a, b) = (
                checked_id(&message.person_id, "person_id")?,
                checked_id(&message.other_person_id, "other_person_id")?,
            );
            let reason = checked_reason(&message.reason)?;
            let workspace = search.workspace();
            let ((kind, first), (other_kind, second)) = (find_any(&workspace, &a)?, find_any(&workspace, &b)?);
            if kind != other_kind {
                return Err(Status::invalid_argument(format!("`{a}` and `{b}` are different kinds of entity")));
            }
            if first == second {
                return Err(Status::invalid_argument(format!(
                    "`{a}` and `{b}` are already one ({})",
                    workspace.entity_id(kind, first)
                )));
            }
            let mut decision = new_decision(&caller, DecisionKind::Merge, kind, reason);
            decision.entity = Some(entity_ref(&workspace, kind, first, &[]));
            decision.other = Some(entity_ref(&workspace, kind, second, &[]));
            Ok(decision)
        })
        .await;
    submit(api, &access, &resource, decision).await
}

/// A person or vehicle by id, following merges.
fn find_any(workspace: &Workspace, id: &str) -> Result<(EntityKind, u32), Status> {
    [EntityKind::Person, EntityKind::Vehicle]
        .into_iter()
        .find_map(|kind| workspace.find(kind, id).map(|found| (kind, found.number)))
        .ok_or_else(|| Status::not_found(format!("no person or vehicle `{id}`")))
}

/// Audits and appends a checked decision, then waits for the resolver's answer.
async fn submit(
    api: &AnalystApi,
    access: &Access,
    resource: &str,
    decision: Result<DecisionEvent, Status>,
) -> Result<v1::DecisionReceipt, Status> {
    let decision = match decision {
        Ok(decision) => decision,
        Err(status) => return Err(api.refused(access, "decide", resource, status).await),
    };
    let detail = format!(
        "{} {} {}: {}",
        decision.decision_id,
        decision.kind.as_str(),
        serde_json::to_string(&(&decision.sighting, &decision.entity, &decision.other, &decision.sightings))
            .unwrap_or_default(),
        decision.reason
    );
    api.gate.audit(access, "decide", resource, "accepted", detail).await?;
    let proto = decision_to_proto(&decision);
    let key: IncidentId = decision.subject_incident().cloned().unwrap_or_default();
    let record = OutRecord::new(topics::DECISIONS, key.as_str().as_bytes().to_vec(), proto.encode_to_vec());
    if let Err(error) = api.log.append(vec![record]).await {
        // The error itself is logged once, with the answer (`IntelError`).
        tracing::error!(decision = %decision.decision_id, "cannot append a decision");
        api.gate.audit(access, "decide", resource, "failed", format!("{}: {error}", decision.decision_id)).await?;
        return Err(crate::error::IntelError::Record { what: "decision", error }.into());
    }
    Ok(await_answer(api, proto).await)
}

async fn await_answer(api: &AnalystApi, decision: v1::AnalystDecision) -> v1::DecisionReceipt {
    let mut answered = api.search.decisions_answered();
    let deadline = tokio::time::Instant::now() + api.settings.decision_wait;
    loop {
        let result = api.search.workspace().decision(&decision.decision_id).cloned();
        if let Some(result) = result {
            let status = if result.applied { v1::DecisionStatus::Applied } else { v1::DecisionStatus::Refused };
            return v1::DecisionReceipt {
                decision_id: decision.decision_id.clone(),
                status: status as i32,
                message: result.message,
                decision: Some(decision),
            };
        }
        tokio::select! {
            changed = answered.changed() => if changed.is_err() { break },
            () = tokio::time::sleep_until(deadline) => break,
        }
    }
    v1::DecisionReceipt {
        decision_id: decision.decision_id.clone(),
        status: v1::DecisionStatus::Queued as i32,
        message: "recorded on the decisions log; the resolver has not answered yet (see the sighting's link later)"
            .to_owned(),
        decision: Some(decision),
    }
}
