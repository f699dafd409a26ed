//! Binding decisions through `AnalystService` against the whole embedded pipeline: an analyst
//! rejects a link and the person splits; the split reaches the group's package as a new version,
//! survives a restart and a replay of every stage from the logs, and a later sighting does not
//! join what was rejected. Possible matches are reviewed from the queue; splits and merges by hand.

mod common;

use common::*;
use orca_model::StateChange;
use orca_proto::v1::{self, IngestStatus};
use orca_store::OffsetRecord;
use tonic::Code;

const PURPOSE: &str = "op kestrel: review matches";

async fn person(h: &Harness, id: &str) -> v1::Person {
    h.analyst()
        .get_person(authorized(v1::GetPersonRequest { person_id: id.into(), purpose: PURPOSE.into() }, &h.analyst_key))
        .await
        .unwrap()
        .into_inner()
}

/// The current person of a sighting, read through its incident.
async fn holder(h: &Harness, incident: &str, index: u32) -> String {
    let detail = h
        .analyst()
        .get_incident(authorized(
            v1::GetIncidentRequest { incident_id: incident.into(), purpose: PURPOSE.into() },
            &h.analyst_key,
        ))
        .await
        .unwrap()
        .into_inner();
    detail.persons.iter().find(|l| l.sighting_index == index).unwrap().entity_id.clone()
}

async fn group_package(h: &Harness) -> v1::IntelligencePackage {
    let listing = h.list(&h.lead_key, "west-midlands").await.unwrap();
    let summary =
        listing.packages.iter().find(|p| p.subject_kind == v1::SubjectKind::Group as i32).expect("a group package");
    let request = v1::GetPackageRequest {
        package_id: summary.package_id.clone(),
        purpose: "test: read".into(),
        ..Default::default()
    };
    h.intel().get_package(authorized(request, &h.lead_key)).await.unwrap().into_inner().package.unwrap()
}

fn reject(incident: &str, index: u32, entity: &str) -> v1::ReviewMatchRequest {
    v1::ReviewMatchRequest {
        sighting: Some(v1::SightingRef { incident_id: incident.into(), index }),
        verdict: v1::Verdict::Reject as i32,
        entity_id: entity.into(),
        reason: "a different man on the CCTV".into(),
        purpose: PURPOSE.into(),
        ..Default::default()
    }
}

/// Forgets the resolver's, linker's and intel's state and offsets and the search index, so the
/// next start rebuilds them all from the logs.
async fn forget_derived_state(h: &Harness) {
    let store = &h.app.backends().store;
    let mut deletes = Vec::new();
    for prefix in ["resolve.", "network.", "view."] {
        for record in store.load_state(prefix).await.unwrap() {
            deletes.push(StateChange::delete(&record.namespace, record.key));
        }
    }
    let mut tx = store.begin().await.unwrap();
    tx.apply_state(&deletes).await.unwrap();
    for consumer in ["resolver", "linker", "intel"] {
        let rewound: Vec<OffsetRecord> =
            store.offsets(consumer).await.unwrap().into_iter().map(|o| OffsetRecord { next_offset: 0, ..o }).collect();
        tx.save_offsets(consumer, &rewound).await.unwrap();
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_rejected_link_splits_the_person_binds_across_restart_and_replay_and_revises_the_package() {
    let (h, incidents) = spawn_crew().await;
    let kyle = holder(&h, &incidents[0], 0).await;
    let before = group_package(&h).await;

    let receipt = h
        .analyst()
        .review_match(authorized(reject(&incidents[5], 0, &kyle), &h.analyst_key))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(receipt.status, v1::DecisionStatus::Applied as i32, "{receipt:?}");
    assert!(receipt.message.contains(&kyle), "the receipt says what changed: {}", receipt.message);
    h.app.settled().await.unwrap();
    let split_off = holder(&h, &incidents[5], 0).await;
    assert_ne!(split_off, kyle);
    assert_eq!(person(&h, &kyle).await.sightings.len(), 5);
    let other = person(&h, &split_off).await;
    assert_eq!((other.sightings.len(), other.split_from.as_str()), (1, kyle.as_str()));
    assert_eq!(
        other.sightings[0].link.as_ref().unwrap().decision,
        v1::LinkDecision::AnalystRejected as i32,
        "the link says an analyst decided it"
    );
    let after = group_package(&h).await;
    assert!(after.version > before.version, "the package gets a new version ({} -> {})", before.version, after.version);

    let audit = h.app.backends().store.audit(0, 1_000).await.unwrap();
    let decided = audit.iter().find(|a| a.action == "decide").expect("the decision is audited");
    assert_eq!((decided.outcome.as_str(), decided.principal_kind.as_str()), ("accepted", "analyst:a.analyst"));
    assert!(decided.detail.contains("a different man on the CCTV") && decided.detail.contains("reject-match"));

    // A restart keeps it.
    let h = h.restart().await;
    h.app.settled().await.unwrap();
    assert_eq!(holder(&h, &incidents[5], 0).await, split_off);

    // A later sighting like both does not join them again.
    let acks = h.stream(vec![crew_incident("NM-6", "NM-BHAM-1", 30)]).await;
    assert_eq!(acks[0].status, IngestStatus::Accepted as i32);
    h.app.settled().await.unwrap();
    let later = holder(&h, &acks[0].incident_id, 0).await;
    assert!(later == kyle || later == split_off, "{later}");
    assert_ne!(holder(&h, &incidents[5], 0).await, holder(&h, &incidents[0], 0).await, "rejected stays apart");

    // Replaying every stage from the logs ends the same way.
    forget_derived_state(&h).await;
    let h = h.restart_with(|dir| std::fs::remove_dir_all(dir.join("search")).unwrap()).await;
    h.app.settled().await.unwrap();
    assert_ne!(holder(&h, &incidents[5], 0).await, holder(&h, &incidents[0], 0).await, "the decision binds on replay");
    assert_eq!(
        person(&h, &holder(&h, &incidents[0], 0).await).await.sightings.len(),
        6,
        "five crew sightings and the later one"
    );
    h.app.stop().await.unwrap();
}

#[tokio::test]
async fn splits_and_merges_by_hand_bind_and_bad_decisions_are_refused_clearly() {
    let (h, incidents) = spawn_crew().await;
    let key = &h.analyst_key;
    let dean = holder(&h, &incidents[0], 1).await;
    let sightings: Vec<v1::SightingRef> =
        incidents[4..].iter().map(|i| v1::SightingRef { incident_id: i.clone(), index: 1 }).collect();
    let split = v1::SplitPersonRequest {
        person_id: dean.clone(),
        sightings: sightings.clone(),
        reason: "two different men called Dean Moss".into(),
        purpose: PURPOSE.into(),
    };
    let receipt = h.analyst().split_person(authorized(split, key)).await.unwrap().into_inner();
    assert_eq!(receipt.status, v1::DecisionStatus::Applied as i32, "{receipt:?}");
    h.app.settled().await.unwrap();
    let second = holder(&h, &incidents[5], 1).await;
    assert_eq!(holder(&h, &incidents[4], 1).await, second, "they leave together");
    assert_eq!(person(&h, &dean).await.sightings.len(), 4);

    let merge = v1::MergePersonsRequest {
        person_id: dean.clone(),
        other_person_id: second.clone(),
        reason: "the custody photo settles it: one man".into(),
        purpose: PURPOSE.into(),
    };
    let receipt = h.analyst().merge_persons(authorized(merge, key)).await.unwrap().into_inner();
    assert_eq!(receipt.status, v1::DecisionStatus::Applied as i32, "{receipt:?}");
    h.app.settled().await.unwrap();
    let merged = person(&h, &second).await;
    assert_eq!((merged.person_id.as_str(), merged.redirected_from.as_str()), (dean.as_str(), second.as_str()));
    assert_eq!(merged.sightings.len(), 6);

    let mut analyst = h.analyst();
    let no_reason = analyst
        .review_match(authorized(v1::ReviewMatchRequest { reason: " ".into(), ..reject(&incidents[0], 0, &dean) }, key))
        .await
        .unwrap_err();
    assert_eq!(no_reason.code(), Code::InvalidArgument);
    assert!(no_reason.message().contains("reason"));
    let nowhere = analyst.review_match(authorized(reject("INC-0000000000000000", 0, &dean), key)).await.unwrap_err();
    assert_eq!(nowhere.code(), Code::NotFound);
    let all = v1::SplitPersonRequest {
        person_id: dean.clone(),
        sightings: incidents.iter().map(|i| v1::SightingRef { incident_id: i.clone(), index: 1 }).collect(),
        reason: "everything".into(),
        purpose: PURPOSE.into(),
    };
    let everything = analyst.split_person(authorized(all, key)).await.unwrap_err();
    assert!(everything.message().contains("all of"), "{}", everything.message());
    let force = analyst.review_match(authorized(reject(&incidents[0], 0, &dean), &h.lead_key)).await.unwrap_err();
    assert_eq!(force.code(), Code::PermissionDenied);
    let refused = analyst
        .review_match(authorized(reject(&incidents[0], 1, &holder(&h, &incidents[0], 0).await), key))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        refused.status,
        v1::DecisionStatus::Applied as i32,
        "rejecting Kyle for Dean's sighting keeps them apart: {refused:?}"
    );
    h.app.stop().await.unwrap();
}

#[tokio::test]
async fn a_vehicle_sighting_from_the_queue_is_decided_by_its_id_alone() {
    let (h, _) = spawn_crew().await;
    let key = &h.analyst_key;
    // A lone man in a silver Ford Focus whose plate was read one character off the crew's car.
    let mut lone = crew_incident("NM-LONE", "NM-BHAM-1", 30);
    lone.persons = vec![suspect("Gareth", "Pugh", "1979-06-01", "")];
    lone.vehicles[0] = v1::VehicleSighting { vrm_raw: "AB1Z CDE".into(), ..Default::default() };
    let acks = h.stream(vec![lone]).await;
    assert_eq!(acks[0].status, IngestStatus::Accepted as i32, "{acks:?}");
    h.app.settled().await.unwrap();
    let incident = acks[0].incident_id.clone();

    let queue = v1::ListReviewQueueRequest { purpose: PURPOSE.into(), ..Default::default() };
    let queue = h.analyst().list_review_queue(authorized(queue, key)).await.unwrap().into_inner();
    let item = queue
        .items
        .iter()
        .find(|i| i.sighting.as_ref().is_some_and(|s| s.incident_id == incident))
        .unwrap_or_else(|| panic!("the misread plate awaits review: {queue:?}"));
    assert_eq!(item.entity_kind, v1::EntityKind::Vehicle as i32);

    // Confirmed by `INC-…#0` alone, as copied from the queue: the vehicle, not the person #0.
    let confirm = v1::ReviewMatchRequest {
        sighting: item.sighting.clone(),
        verdict: v1::Verdict::Confirm as i32,
        reason: "the same dent on the CCTV".into(),
        purpose: PURPOSE.into(),
        ..Default::default()
    };
    let receipt = h.analyst().review_match(authorized(confirm, key)).await.unwrap().into_inner();
    assert_eq!(receipt.status, v1::DecisionStatus::Applied as i32, "{receipt:?}");
    h.app.settled().await.unwrap();
    let detail = h
        .analyst()
        .get_incident(authorized(v1::GetIncidentRequest { incident_id: incident, purpose: PURPOSE.into() }, key))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(detail.vehicles[0].entity_id, item.candidate_entity_id, "the sighting joined the crew's car");
    h.app.stop().await.unwrap();
}
