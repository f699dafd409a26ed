//! `AnalystService` over gRPC against the whole embedded pipeline: an analyst searches, reads
//! persons, vehicles, incidents and groups, expands the network and follows timelines; callers
//! without the analyst role or a purpose are refused; every call leaves an audit row.

mod common;

use common::*;
use orca_proto::v1;
use tonic::Code;

const PURPOSE: &str = "op kestrel: razor thefts";

fn search(query: &str, kind: v1::SearchKind) -> v1::SearchRequest {
    v1::SearchRequest { query: query.into(), kinds: vec![kind as i32], purpose: PURPOSE.into(), ..Default::default() }
}

#[tokio::test]
async fn an_analyst_searches_reads_and_explores_and_every_call_is_audited() {
    let (h, incidents) = spawn_crew().await;
    let key = &h.analyst_key;
    let mut analyst = h.analyst();

    let found =
        analyst.search(authorized(search("Kyle Brenan", v1::SearchKind::Person), key)).await.unwrap().into_inner();
    let kyle = found.hits.first().unwrap_or_else(|| panic!("no hit: {found:?}"));
    assert_eq!(kyle.title, "Kyle Brennan");
    assert!(kyle.highlights.iter().any(|h| h.field == "names"), "{kyle:?}");
    let kyle_id = kyle.id.clone();
    let plate =
        analyst.search(authorized(search("AB12 CDF", v1::SearchKind::Vehicle), key)).await.unwrap().into_inner();
    assert_eq!(plate.hits[0].title, "AB12CDE silver Ford Focus", "one wrong character still finds the car");
    let vehicle_id = plate.hits[0].id.clone();

    let person = analyst
        .get_person(authorized(v1::GetPersonRequest { person_id: kyle_id.clone(), purpose: PURPOSE.into() }, key))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(person.sightings.len(), 6);
    assert!(person.names.contains(&"Kyle Brennan".to_owned()));
    assert_eq!(person.marker_codes, ["SW1111AAAA"]);
    // The stream may reach the log in any order: whichever sighting came first made the person.
    let links: Vec<&v1::SightingLink> = person.sightings.iter().map(|s| s.link.as_ref().unwrap()).collect();
    assert!(links.iter().all(|l| l.entity_id == kyle_id));
    let explained = links
        .iter()
        .filter(|l| l.decision == v1::LinkDecision::AutoLink as i32 && l.probability > 0.5 && !l.evidence.is_empty())
        .count();
    assert_eq!(explained, 5, "every sighting after the first is linked with its evidence: {links:?}");
    assert!(person.links.iter().any(|e| e.kind == v1::LinkKind::CoOffending as i32 && e.incident_count == 6));
    assert_eq!(person.vehicle_ids, std::slice::from_ref(&vehicle_id));
    assert_eq!(person.group_ids.len(), 1);

    let vehicle = analyst
        .get_vehicle(authorized(v1::GetVehicleRequest { vehicle_id: vehicle_id.clone(), purpose: PURPOSE.into() }, key))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((vehicle.vrms.as_slice(), vehicle.person_ids.len()), (&["AB12CDE".to_owned()][..], 3));

    let incident = analyst
        .get_incident(authorized(
            v1::GetIncidentRequest { incident_id: incidents[0].clone(), purpose: PURPOSE.into() },
            key,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(incident.persons.len(), 3);
    assert_eq!(incident.group_ids, person.group_ids);

    let groups = analyst
        .list_groups(authorized(v1::ListGroupsRequest { purpose: PURPOSE.into(), ..Default::default() }, key))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(groups.total, 1);
    let group_id = groups.groups[0].group_id.clone();
    assert_eq!(groups.groups[0].status, v1::GroupStatus::Active as i32);
    let group = analyst
        .get_group(authorized(v1::GetGroupRequest { group_id: group_id.clone(), purpose: PURPOSE.into() }, key))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((group.members.len(), group.incident_ids.len()), (3, 6));
    let in_staffordshire = analyst
        .list_groups(authorized(
            v1::ListGroupsRequest { force: "staffordshire".into(), purpose: PURPOSE.into(), ..Default::default() },
            key,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(in_staffordshire.total, 1);

    let network = analyst
        .expand_network(authorized(
            v1::ExpandNetworkRequest { id: kyle_id.clone(), hops: 2, purpose: PURPOSE.into(), ..Default::default() },
            key,
        ))
        .await
        .unwrap()
        .into_inner();
    let kinds: Vec<i32> = network.nodes.iter().map(|n| n.kind).collect();
    assert_eq!(kinds.iter().filter(|&&k| k == v1::NodeKind::Person as i32).count(), 3, "{network:?}");
    assert!(kinds.contains(&(v1::NodeKind::Vehicle as i32)) && kinds.contains(&(v1::NodeKind::Group as i32)));
    assert!(network.edges.iter().all(|e| !e.reason.is_empty()), "every edge says why");

    let dean = person.links.iter().find(|e| e.kind == v1::LinkKind::CoOffending as i32).unwrap().to_id.clone();
    let path = analyst
        .shortest_path(authorized(
            v1::ShortestPathRequest {
                from_id: vehicle_id.clone(),
                to_id: dean,
                purpose: PURPOSE.into(),
                ..Default::default()
            },
            key,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(path.edges.len(), 1, "the car was with each of them: {path:?}");

    let timeline = analyst
        .timeline(authorized(
            v1::TimelineRequest { id: group_id.clone(), purpose: PURPOSE.into(), ..Default::default() },
            key,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(timeline.total, 6);
    assert!(
        timeline
            .events
            .windows(2)
            .all(|w| w[0].occurred_at.as_ref().unwrap().seconds <= w[1].occurred_at.as_ref().unwrap().seconds)
    );
    assert_eq!(timeline.events[0].member_ids.len(), 3);

    let queue = analyst
        .list_review_queue(authorized(
            v1::ListReviewQueueRequest { purpose: PURPOSE.into(), ..Default::default() },
            key,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(queue.total, 0, "clean names and markers leave nothing to review");

    let mut export = analyst
        .export_resolution(authorized(v1::ExportResolutionRequest { purpose: PURPOSE.into() }, key))
        .await
        .unwrap()
        .into_inner();
    let mut persons = 0;
    while let Some(chunk) = export.message().await.unwrap() {
        persons += chunk.persons.len();
    }
    assert_eq!(persons, 18);

    let audit = h.app.backends().store.audit(0, 1_000).await.unwrap();
    for action in [
        "search",
        "read-person",
        "read-vehicle",
        "read-incident",
        "list-groups",
        "read-group",
        "expand-network",
        "shortest-path",
        "read-timeline",
        "read-review-queue",
        "export-resolution",
    ] {
        assert!(
            audit.iter().any(|a| a.action == action
                && a.outcome == "disclosed"
                && a.purpose == PURPOSE
                && a.principal_kind == "analyst:a.analyst"),
            "no audit row for {action}"
        );
    }
    let searched = audit.iter().find(|a| a.action == "search").unwrap();
    assert!(searched.detail.contains(&kyle_id), "the audit says what was disclosed: {}", searched.detail);
    h.app.stop().await.unwrap();
}

#[tokio::test]
async fn callers_without_the_analyst_role_or_a_purpose_are_refused_and_audited() {
    let (h, incidents) = spawn_crew().await;
    let mut analyst = h.analyst();
    let force = &h.lead_key;
    let denied = analyst.search(authorized(search("Kyle", v1::SearchKind::Person), force)).await.unwrap_err();
    assert_eq!(denied.code(), Code::PermissionDenied);
    let denied = analyst
        .get_incident(authorized(
            v1::GetIncidentRequest { incident_id: incidents[0].clone(), purpose: PURPOSE.into() },
            force,
        ))
        .await
        .unwrap_err();
    assert_eq!(denied.code(), Code::PermissionDenied);
    let retailer = analyst
        .expand_network(authorized(
            v1::ExpandNetworkRequest { id: "P00000001".into(), purpose: PURPOSE.into(), ..Default::default() },
            &h.retailer_key,
        ))
        .await
        .unwrap_err();
    assert_eq!(retailer.code(), Code::PermissionDenied);
    let no_purpose = analyst
        .search(authorized(v1::SearchRequest { query: "Kyle".into(), ..Default::default() }, &h.analyst_key))
        .await
        .unwrap_err();
    assert_eq!(no_purpose.code(), Code::InvalidArgument);
    assert!(no_purpose.message().contains("purpose"));
    let no_key = analyst.search(tonic::Request::new(search("Kyle", v1::SearchKind::Person))).await.unwrap_err();
    assert_eq!(no_key.code(), Code::Unauthenticated);

    let audit = h.app.backends().store.audit(0, 1_000).await.unwrap();
    let denials: Vec<(&str, &str)> = audit
        .iter()
        .filter(|a| a.outcome == "denied")
        .map(|a| (a.action.as_str(), a.principal_kind.as_str()))
        .collect();
    assert!(denials.contains(&("search", "force:west-midlands")), "{denials:?}");
    assert!(denials.contains(&("read-incident", "force:west-midlands")));
    assert!(denials.contains(&("expand-network", "retailer:northmart")));
    h.app.stop().await.unwrap();
}

#[tokio::test]
async fn wrong_input_gets_a_clear_error_and_unknown_ids_are_audited_as_not_found() {
    let (h, _) = spawn_crew().await;
    let key = &h.analyst_key;
    let mut analyst = h.analyst();
    let bad_date = analyst.search(authorized(search("31/02/1990", v1::SearchKind::Person), key)).await.unwrap_err();
    assert_eq!(bad_date.code(), Code::InvalidArgument);
    assert!(bad_date.message().contains("31/02/1990"), "{}", bad_date.message());
    let bad_force = analyst
        .search(authorized(
            v1::SearchRequest {
                query: "Kyle".into(),
                force: "gotham".into(),
                purpose: PURPOSE.into(),
                ..Default::default()
            },
            key,
        ))
        .await
        .unwrap_err();
    assert!(bad_force.message().contains("gotham"));
    let far = analyst
        .expand_network(authorized(
            v1::ExpandNetworkRequest { id: "P00000001".into(), hops: 9, purpose: PURPOSE.into(), ..Default::default() },
            key,
        ))
        .await
        .unwrap_err();
    assert_eq!(far.code(), Code::InvalidArgument);
    let junk = analyst
        .get_person(authorized(
            v1::GetPersonRequest { person_id: "P1; DROP TABLE".into(), purpose: PURPOSE.into() },
            key,
        ))
        .await
        .unwrap_err();
    assert_eq!(junk.code(), Code::InvalidArgument);
    let huge = analyst
        .get_person(authorized(v1::GetPersonRequest { person_id: "P".repeat(100_000), purpose: PURPOSE.into() }, key))
        .await
        .unwrap_err();
    assert_eq!(huge.code(), Code::InvalidArgument);
    assert!(huge.message().len() < 200, "the error does not echo the whole id: {}", huge.message().len());
    let audit = h.app.backends().store.audit(0, 1_000).await.unwrap();
    let longest = audit.iter().map(|a| a.resource.chars().count()).max().unwrap();
    assert!(longest <= 201, "the audit log keeps a bounded resource name, not {longest} characters");
    let missing = analyst
        .get_person(authorized(v1::GetPersonRequest { person_id: "P09999999".into(), purpose: PURPOSE.into() }, key))
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Code::NotFound);
    let token = analyst
        .list_groups(authorized(
            v1::ListGroupsRequest {
                page: Some(v1::PageRequest { page_size: 1, page_token: "x".into() }),
                purpose: PURPOSE.into(),
                ..Default::default()
            },
            key,
        ))
        .await
        .unwrap_err();
    assert_eq!(token.code(), Code::InvalidArgument);
    let incident_timeline = analyst
        .timeline(authorized(
            v1::TimelineRequest { id: "G00000404".into(), purpose: PURPOSE.into(), ..Default::default() },
            key,
        ))
        .await
        .unwrap_err();
    assert_eq!(incident_timeline.code(), Code::NotFound);
    let audit = h.app.backends().store.audit(0, 1_000).await.unwrap();
    assert!(
        audit.iter().any(|a| a.action == "read-person" && a.outcome == "not-found" && a.resource == "person:P09999999")
    );
    assert!(audit.iter().any(|a| a.action == "search" && a.outcome == "invalid"));
    h.app.stop().await.unwrap();
}

/// Calls every `AnalystService` method with `key` and `purpose`; each call's audit action and the
/// status it was refused with (or `None` if it was answered).
async fn every_call(
    h: &Harness,
    key: &str,
    purpose: &str,
    incident: &str,
) -> Vec<(&'static str, Option<tonic::Status>)> {
    let p = || purpose.to_owned();
    let sighting = Some(v1::SightingRef { incident_id: incident.into(), index: 0 });
    let mut a = h.analyst();
    let refusal = |result: Result<(), tonic::Status>| result.err();
    let reason = || "the CCTV".to_owned();
    vec![
        (
            "search",
            refusal(
                a.search(authorized(
                    v1::SearchRequest { query: "Kyle".into(), purpose: p(), ..Default::default() },
                    key,
                ))
                .await
                .map(drop),
            ),
        ),
        (
            "read-person",
            refusal(
                a.get_person(authorized(v1::GetPersonRequest { person_id: "P00000001".into(), purpose: p() }, key))
                    .await
                    .map(drop),
            ),
        ),
        (
            "read-vehicle",
            refusal(
                a.get_vehicle(authorized(v1::GetVehicleRequest { vehicle_id: "V00000001".into(), purpose: p() }, key))
                    .await
                    .map(drop),
            ),
        ),
        (
            "read-incident",
            refusal(
                a.get_incident(authorized(v1::GetIncidentRequest { incident_id: incident.into(), purpose: p() }, key))
                    .await
                    .map(drop),
            ),
        ),
        (
            "read-group",
            refusal(
                a.get_group(authorized(v1::GetGroupRequest { group_id: "G00000001".into(), purpose: p() }, key))
                    .await
                    .map(drop),
            ),
        ),
        (
            "list-groups",
            refusal(
                a.list_groups(authorized(v1::ListGroupsRequest { purpose: p(), ..Default::default() }, key))
                    .await
                    .map(drop),
            ),
        ),
        (
            "expand-network",
            refusal(
                a.expand_network(authorized(
                    v1::ExpandNetworkRequest { id: "P00000001".into(), purpose: p(), ..Default::default() },
                    key,
                ))
                .await
                .map(drop),
            ),
        ),
        (
            "shortest-path",
            refusal(
                a.shortest_path(authorized(
                    v1::ShortestPathRequest {
                        from_id: "P00000001".into(),
                        to_id: "P00000002".into(),
                        purpose: p(),
                        ..Default::default()
                    },
                    key,
                ))
                .await
                .map(drop),
            ),
        ),
        (
            "read-timeline",
            refusal(
                a.timeline(authorized(
                    v1::TimelineRequest { id: "P00000001".into(), purpose: p(), ..Default::default() },
                    key,
                ))
                .await
                .map(drop),
            ),
        ),
        (
            "read-review-queue",
            refusal(
                a.list_review_queue(authorized(v1::ListReviewQueueRequest { purpose: p(), ..Default::default() }, key))
                    .await
                    .map(drop),
            ),
        ),
        (
            "decide",
            refusal(
                a.review_match(authorized(
                    v1::ReviewMatchRequest {
                        sighting,
                        verdict: v1::Verdict::Reject as i32,
                        reason: reason(),
                        purpose: p(),
                        ..Default::default()
                    },
                    key,
                ))
                .await
                .map(drop),
            ),
        ),
        (
            "decide",
            refusal(
                a.split_person(authorized(
                    v1::SplitPersonRequest {
                        person_id: "P00000001".into(),
                        sightings: vec![v1::SightingRef { incident_id: incident.into(), index: 0 }],
                        reason: reason(),
                        purpose: p(),
                    },
                    key,
                ))
                .await
                .map(drop),
            ),
        ),
        (
            "decide",
            refusal(
                a.merge_persons(authorized(
                    v1::MergePersonsRequest {
                        person_id: "P00000001".into(),
                        other_person_id: "P00000002".into(),
                        reason: reason(),
                        purpose: p(),
                    },
                    key,
                ))
                .await
                .map(drop),
            ),
        ),
        (
            "export-resolution",
            refusal(a.export_resolution(authorized(v1::ExportResolutionRequest { purpose: p() }, key)).await.map(drop)),
        ),
    ]
}

#[tokio::test]
async fn every_call_refuses_a_force_and_a_missing_purpose_and_audits_each_refusal() {
    let (h, incidents) = spawn_crew().await;
    let as_force = every_call(&h, &h.lead_key, PURPOSE, &incidents[0]).await;
    assert_eq!(as_force.len(), 14, "every method of AnalystService");
    for (action, refused) in &as_force {
        let status = refused.as_ref().unwrap_or_else(|| panic!("{action} answered a force"));
        assert_eq!(status.code(), Code::PermissionDenied, "{action}: {status:?}");
    }
    let without_purpose = every_call(&h, &h.analyst_key, " ", &incidents[0]).await;
    for (action, refused) in &without_purpose {
        let status = refused.as_ref().unwrap_or_else(|| panic!("{action} answered without a purpose"));
        assert_eq!(status.code(), Code::InvalidArgument, "{action}: {status:?}");
        assert!(status.message().contains("purpose"), "{action}: {}", status.message());
    }

    let audit = h.app.backends().store.audit(0, 1_000).await.unwrap();
    let count = |outcome: &str, who: &str, action: &str| {
        audit.iter().filter(|a| a.outcome == outcome && a.principal_kind == who && a.action == action).count()
    };
    for (action, _) in &as_force {
        let calls = as_force.iter().filter(|(a, _)| a == action).count();
        assert_eq!(count("denied", "force:west-midlands", action), calls, "the force's {action} is on the record");
        assert_eq!(count("invalid", "analyst:a.analyst", action), calls, "the purposeless {action} is on the record");
    }
    h.app.stop().await.unwrap();
}
