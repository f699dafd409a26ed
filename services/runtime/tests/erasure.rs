//! Erasure of a person and the expiry of face templates in a running pipeline: an analyst finds a
//! man, erases every sighting of him, and he leaves his persons, the group's package, the analysts'
//! index and the stages' state; face templates past the schedule leave the log; after a restart
//! (the embedded log compacts on opening) no record of the incident log holds either, and both
//! are audited.

mod common;

use common::*;
use orca_proto::v1::ingest_service_client::IngestServiceClient;
use orca_proto::v1::{self, EraseStatus, IngestStatus};
use prost::Message;

/// Every report on the incident log from its start, as a new reader sees them.
async fn reports_on_log(harness: &Harness) -> Vec<v1::Incident> {
    let records = harness.incident_log().await;
    (records.iter().filter(|r| !r.value.is_empty() && r.headers.is_empty()))
        .map(|r| v1::Incident::decode(r.value.as_slice()).unwrap())
        .collect()
}

async fn package_version(harness: &Harness, package_id: &str, version: u32) -> v1::IntelligencePackage {
    let request = v1::GetPackageRequest {
        package_id: package_id.to_owned(),
        version,
        purpose: "test: an earlier version".into(),
        ..Default::default()
    };
    let response = harness.intel().get_package(authorized(request, &harness.lead_key)).await.unwrap();
    response.into_inner().package.expect("the version")
}

/// The stored versions of a package that name the fourth man.
async fn naming_versions(harness: &Harness, package_id: &str) -> Vec<u32> {
    let versions = harness.stored_package_versions(package_id).await;
    versions.iter().filter(|p| format!("{p:?}").contains("Quarrington")).map(|p| p.version).collect()
}

async fn find(harness: &Harness, query: &str) -> Vec<v1::SearchHit> {
    let search = v1::SearchRequest { query: query.into(), purpose: "test: find him".into(), ..Default::default() };
    harness.analyst().search(authorized(search, &harness.analyst_key)).await.unwrap().into_inner().hits
}

#[tokio::test]
async fn an_erased_person_and_expired_face_templates_leave_every_entity_index_and_the_compacted_log() {
    let harness = spawn_app().await;
    let stores = ["NM-BHAM-1", "NM-STOKE-1", "NM-BHAM-2", "NM-BHAM-1", "NM-STOKE-1", "NM-BHAM-2"];
    let mut incidents: Vec<_> =
        (stores.iter().enumerate()).map(|(i, store)| crew_incident(&format!("NM-{i}"), store, 4 * i as i64)).collect();
    // A fourth man rides with the crew twice; Kyle's face template is in the first report.
    for i in [2, 4] {
        incidents[i].persons.push(suspect("Zebedee", "Quarrington", "2001-02-03", "SW-9999-ZZZZ"));
    }
    incidents[0].persons[0].face = Some(v1::FaceTemplate { model_id: "vendor-x".into(), vector: vec![0.25; 64] });
    let acks = harness.stream(incidents).await;
    assert!(acks.iter().all(|a| a.status == IngestStatus::Accepted as i32), "{acks:?}");
    harness.app.settled().await.unwrap();

    let hits = find(&harness, "Quarrington").await;
    let person_id = hits.iter().find(|h| h.kind == v1::SearchKind::Person as i32).expect("found").id.clone();
    let request = v1::GetPersonRequest { person_id: person_id.clone(), purpose: "test: erasure".into() };
    let person = harness.analyst().get_person(authorized(request, &harness.analyst_key)).await.unwrap().into_inner();
    assert_eq!(person.sightings.len(), 2, "{person:?}");
    let sightings: Vec<_> = (person.sightings.iter())
        .map(|s| v1::ErasedSighting { incident_id: s.incident_id.clone(), sighting_index: s.sighting_index })
        .collect();

    let listing = harness.list(&harness.lead_key, "west-midlands").await.unwrap();
    let group = listing.packages.iter().find(|p| p.subject_kind == v1::SubjectKind::Group as i32).expect("a group");
    let group_id = group.package_id.clone();
    let naming = naming_versions(&harness, &group_id).await;
    assert!(!naming.is_empty(), "no version of {group_id} names him");
    let before = package_version(&harness, &group_id, naming[0]).await;

    let mut ingest = IngestServiceClient::new(harness.channel.clone());
    let reason = "NFA; no basis remains".to_owned();
    let erase = v1::EraseRequest { person_id: person_id.clone(), sightings, reason, merged_ids: Vec::new() };
    let refused = ingest.erase(authorized(erase.clone(), &harness.retailer_key)).await.unwrap_err();
    assert_eq!(refused.code(), tonic::Code::PermissionDenied);
    let erased = ingest.erase(authorized(erase, &harness.analyst_key)).await.unwrap().into_inner();
    assert!(erased.reports.iter().all(|r| r.status == EraseStatus::Erased as i32 && r.revision == 2), "{erased:?}");
    harness.app.settled().await.unwrap();

    // He is gone from the index, the package and the stages' state; the crew is still a group.
    assert!(!find(&harness, "Quarrington").await.iter().any(|h| h.kind == v1::SearchKind::Person as i32));
    let listing = harness.list(&harness.lead_key, "west-midlands").await.unwrap();
    let group = listing.packages.iter().find(|p| p.subject_kind == v1::SubjectKind::Group as i32).expect("a group");
    let request = v1::GetPackageRequest {
        package_id: group.package_id.clone(),
        purpose: "test: after erasure".into(),
        ..Default::default()
    };
    let package = harness.intel().get_package(authorized(request, &harness.lead_key)).await.unwrap().into_inner();
    let package = package.package.unwrap();
    assert!(!package.subjects.iter().any(|s| s.display_name.contains("Quarrington")), "{:?}", package.subjects);
    assert_eq!(package.offences.len(), 6, "every offence stays");
    // Nor does any version published before: each is rewritten without him.
    assert_eq!(naming_versions(&harness, &group_id).await, [0u32; 0]);
    let earlier = package_version(&harness, &group_id, naming[0]).await;
    assert!(before.subjects.iter().any(|s| s.person_id == person_id), "{:?}", before.subjects);
    assert!(!earlier.subjects.iter().any(|s| s.person_id == person_id), "{:?}", earlier.subjects);
    let incidents = |p: &v1::IntelligencePackage| p.offences.iter().map(|o| o.incident_id.clone()).collect::<Vec<_>>();
    assert_eq!(incidents(&earlier), incidents(&before), "every offence stays");
    let state = harness.stored_state().await;
    for gone in ["Quarrington", "Zebedee", "SW9999ZZZZ", "SW-9999"] {
        assert!(!state.contains(gone), "`{gone}` is still in the stages' state");
    }

    // Kyle's face template falls due; ORCA's hourly run removes it (run here as of then).
    let core = orca_ingest::IngestCore::new(
        orca_ingest::IngestConfig::default(),
        harness.app.backends().log.clone(),
        harness.app.backends().store.clone(),
    )
    .await
    .unwrap();
    let days = core.config().retention.face_template_days;
    let expiry = core.expire_face_templates(chrono::Utc::now() + chrono::Duration::days(i64::from(days) + 1));
    let expiry = expiry.await.unwrap();
    assert_eq!((expiry.reports, expiry.templates), (1, 1));
    drop(core); // it holds the log open
    harness.app.settled().await.unwrap();
    let audit = harness.app.backends().store.audit(0, 1000).await.unwrap();
    assert_eq!(audit.iter().filter(|a| a.action == "erase-person").count(), 2, "one entry per report");
    assert!(audit.iter().any(|a| a.action == "expire-face-templates" && a.resource.ends_with(&acks[0].incident_id)));

    // After a restart the compacted log holds neither him nor a face template, and nor does anything else.
    let harness = harness.restart().await;
    harness.app.settled().await.unwrap();
    let reports = reports_on_log(&harness).await;
    assert_eq!(reports.len(), 6, "one report each, the latest revision");
    for report in &reports {
        assert!(!report.persons.iter().any(|p| p.family_name == "Quarrington"), "{report:?}");
        assert!(!report.persons.iter().any(|p| p.face.is_some()), "{report:?}");
    }
    let resolutions = harness.topic_log(orca_eventlog::topics::RESOLUTIONS).await;
    let named = |r: &&orca_eventlog::Record| r.value.windows(11).any(|w| w == b"Quarrington");
    assert_eq!(resolutions.iter().filter(named).count(), 0, "no resolution on the compacted topic names him");
    assert!(!harness.stored_state().await.contains("Quarrington"));
    assert!(!find(&harness, "Quarrington").await.iter().any(|h| h.kind == v1::SearchKind::Person as i32));
}
