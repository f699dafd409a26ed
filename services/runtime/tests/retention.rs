//! Retention review and disposal in a running pipeline: the review lists what is due and why (a
//! report no package cites falls due first; a report a standing package cites later; an analyst's
//! decision to keep one sets its date); a disposal takes the report out of the group's package like
//! a withdrawal and leaves nothing of its content in the stages' state, the analysts' index, the
//! store or, once compacted, the incident log; it is audited; and all of it holds after a restart.

mod common;

use common::*;
use orca_proto::v1::ingest_service_client::IngestServiceClient;
use orca_proto::v1::{self, DisposeStatus, IngestStatus, RecordState};
use prost::Message;

const YEAR_S: i64 = 365 * 86_400;

fn years_from_now(years: i64) -> Option<pbjson_types::Timestamp> {
    Some(pbjson_types::Timestamp { seconds: chrono::Utc::now().timestamp() + years * YEAR_S, nanos: 0 })
}

fn ingest(harness: &Harness) -> IngestServiceClient<tonic::transport::Channel> {
    IngestServiceClient::new(harness.channel.clone())
}

async fn review(harness: &Harness, years: i64) -> Vec<v1::RetentionItem> {
    let request = v1::RetentionReviewRequest {
        as_of: years_from_now(years),
        purpose: "test: annual review".into(),
        ..Default::default()
    };
    let response = ingest(harness).retention_review(authorized(request, &harness.analyst_key)).await.unwrap();
    response.into_inner().due
}

fn refs(items: &[v1::RetentionItem]) -> Vec<&str> {
    let mut refs: Vec<&str> = items.iter().map(|i| i.retailer_ref.as_str()).collect();
    refs.sort_unstable();
    refs
}

fn dispose_request(reference: &str, reason: &str) -> v1::DisposeRequest {
    v1::DisposeRequest { retailer_id: "northmart".into(), retailer_ref: reference.into(), reason: reason.into() }
}

#[tokio::test]
async fn reports_fall_due_by_the_schedule_and_a_disposal_leaves_nothing_of_the_report() {
    let harness = spawn_app().await;
    let stores = ["NM-BHAM-1", "NM-STOKE-1", "NM-BHAM-2", "NM-BHAM-1", "NM-STOKE-1", "NM-BHAM-2"];
    let mut incidents: Vec<_> =
        (stores.iter().enumerate()).map(|(i, store)| crew_incident(&format!("NM-{i}"), store, 4 * i as i64)).collect();
    // One report of the crew also names a fourth man, with his face template; it is the one disposed of.
    let mut zebedee = suspect("Zebedee", "Quarrington", "2001-02-03", "SW-9999-ZZZZ");
    zebedee.face = Some(v1::FaceTemplate { model_id: "vendor-x".into(), vector: vec![0.25; 64] });
    incidents[2].persons.push(zebedee);
    incidents[2].vehicles[0].vrm_raw = "ZQ51 XYZ".into();
    // A lone shoplifter no package will cite.
    let mut solo = crew_incident("NM-SOLO", "NM-BHAM-2", 30);
    solo.persons = vec![suspect("Percy", "Lonsdale", "1970-05-05", "")];
    solo.vehicles.clear();
    incidents.push(solo);
    let acks = harness.stream(incidents).await;
    assert!(acks.iter().all(|a| a.status == IngestStatus::Accepted as i32), "{acks:?}");
    harness.app.settled().await.unwrap();
    let disposed_id = acks[2].incident_id.clone();

    // Seven years on only the lone report is due; the crew's reports support the group's package.
    let due = review(&harness, 7).await;
    assert_eq!(refs(&due), ["NM-SOLO"]);
    assert!(due[0].basis.starts_with("no standing package cites it"), "{}", due[0].basis);
    assert_eq!(due[0].state, RecordState::Accepted as i32);
    let due = review(&harness, 11).await;
    assert_eq!(due.len(), 7);
    let crew = due.iter().find(|i| i.retailer_ref == "NM-0").unwrap();
    assert!(crew.basis.starts_with("supports PKG-"), "{}", crew.basis);
    assert!(!crew.supported_packages.is_empty());

    // An analyst keeps the lone report eight years; a retailer may not; the date must be sensible.
    let retain = |until, key: &str| {
        let request = v1::RetainRequest {
            retailer_id: "northmart".into(),
            retailer_ref: "NM-SOLO".into(),
            retain_until: until,
            reason: "named in a live investigation".into(),
        };
        let mut client = ingest(&harness);
        let request = authorized(request, key);
        async move { client.retain(request).await }
    };
    assert_eq!(
        retain(years_from_now(8), &harness.retailer_key).await.unwrap_err().code(),
        tonic::Code::PermissionDenied
    );
    assert_eq!(
        retain(years_from_now(-1), &harness.analyst_key).await.unwrap_err().code(),
        tonic::Code::InvalidArgument
    );
    assert_eq!(
        retain(years_from_now(40), &harness.analyst_key).await.unwrap_err().code(),
        tonic::Code::InvalidArgument
    );
    retain(years_from_now(8), &harness.analyst_key).await.unwrap();
    assert!(review(&harness, 7).await.is_empty());
    let due = review(&harness, 9).await;
    let solo = due.iter().find(|i| i.retailer_ref == "NM-SOLO").unwrap();
    assert!(
        solo.basis.starts_with("kept by") && solo.basis.ends_with("named in a live investigation"),
        "{}",
        solo.basis
    );

    // The versions of the group's package published so far cite the report.
    let listing = harness.list(&harness.lead_key, "west-midlands").await.unwrap();
    let group = listing.packages.iter().find(|p| p.subject_kind == v1::SubjectKind::Group as i32).unwrap();
    let group_id = group.package_id.clone();
    let citing = citing_versions(&harness, &group_id, &disposed_id).await;
    assert!(!citing.is_empty(), "no version of {group_id} cites {disposed_id}");

    // Wrong callers and wrong requests are refused; nothing changes.
    let mut client = ingest(&harness);
    let refused = client.dispose(authorized(dispose_request("NM-2", "review"), &harness.retailer_key)).await;
    assert_eq!(refused.unwrap_err().code(), tonic::Code::PermissionDenied);
    let refused = client.dispose(authorized(dispose_request("NM-2", " "), &harness.analyst_key)).await;
    assert_eq!(refused.unwrap_err().code(), tonic::Code::InvalidArgument);
    let refused = client.dispose(authorized(dispose_request("NM-404", "review"), &harness.analyst_key)).await;
    assert_eq!(refused.unwrap_err().code(), tonic::Code::NotFound);

    let reason = "review 2033: no retention basis for the fourth man's report";
    let disposed = client.dispose(authorized(dispose_request("NM-2", reason), &harness.analyst_key)).await.unwrap();
    assert_eq!(disposed.into_inner().status, DisposeStatus::Disposed as i32);
    let again = client.dispose(authorized(dispose_request("NM-2", reason), &harness.analyst_key)).await.unwrap();
    assert_eq!(again.into_inner().status, DisposeStatus::AlreadyDisposed as i32);
    harness.app.settled().await.unwrap();

    // The package no longer cites it and says why; the analysts cannot read it or find the man.
    let listing = harness.list(&harness.lead_key, "west-midlands").await.unwrap();
    let summary = listing.packages.iter().find(|p| p.subject_kind == v1::SubjectKind::Group as i32).unwrap();
    let request = v1::GetPackageRequest {
        package_id: summary.package_id.clone(),
        purpose: "test: after disposal".into(),
        ..Default::default()
    };
    let response = harness.intel().get_package(authorized(request, &harness.lead_key)).await.unwrap().into_inner();
    let changes = response.changes.map(|c| c.changes).unwrap_or_default();
    let said = format!("the report was disposed of under the retention schedule: {reason}");
    assert!(changes.iter().any(|c| c.kind == "offence-withdrawn" && c.detail.ends_with(&said)), "{changes:?}");
    let package = response.package.unwrap();
    assert!(!package.offences.iter().any(|o| o.incident_id == disposed_id));
    assert!(package.report_notices.iter().any(|n| n.incident_id == disposed_id && n.withdrawn && n.disposed));
    assert!(!package.subjects.iter().any(|s| s.display_name.contains("Quarrington")));
    let read = v1::GetIncidentRequest { incident_id: disposed_id.clone(), purpose: "test: read it".into() };
    let read = harness.analyst().get_incident(authorized(read.clone(), &harness.analyst_key)).await.unwrap_err();
    assert!(read.message().contains("disposed of under the retention schedule"), "{}", read.message());
    let search =
        v1::SearchRequest { query: "Quarrington".into(), purpose: "test: find him".into(), ..Default::default() };
    let found = harness.analyst().search(authorized(search, &harness.analyst_key)).await.unwrap().into_inner();
    assert!(found.hits.is_empty(), "{found:?}");

    // Nor do the versions published before: each is rewritten without the report, and reads so.
    assert_eq!(citing_versions(&harness, &group_id, &disposed_id).await, [0u32; 0], "versions citing it");
    let earlier = v1::GetPackageRequest {
        package_id: group_id.clone(),
        version: citing[0],
        purpose: "test: an earlier version".into(),
        ..Default::default()
    };
    let earlier = harness.intel().get_package(authorized(earlier, &harness.lead_key)).await.unwrap().into_inner();
    let earlier = earlier.package.unwrap();
    assert_eq!(earlier.version, citing[0]);
    assert!(!earlier.offences.is_empty() && !earlier.offences.iter().any(|o| o.incident_id == disposed_id));

    // Nothing of it in the stages' state; the store says it was disposed of, and the audit log who and why.
    let state = harness.stored_state().await;
    for gone in ["Quarrington", "Zebedee", "SW9999ZZZZ", "SW-9999", "ZQ51", "vendor-x"] {
        assert!(!state.contains(gone), "`{gone}` is still in the stages' state");
    }
    let listed = v1::ListRecordsRequest { retailer_ref: "NM-2".into(), ..Default::default() };
    let listed = client.list_records(authorized(listed, &harness.retailer_key)).await.unwrap().into_inner();
    assert_eq!(listed.records[0].state, RecordState::Disposed as i32);
    let audit = harness.app.backends().store.audit(0, 1000).await.unwrap();
    let entry = audit.iter().find(|a| a.action == "dispose-incident").expect("audited");
    assert_eq!((entry.purpose.as_str(), entry.resource.as_str()), (reason, format!("incident:{disposed_id}").as_str()));
    assert!(audit.iter().any(|a| a.action == "retention-review" && a.purpose == "test: annual review"));
    assert!(audit.iter().any(|a| a.action == "retain-incident"));
    assert!(!review(&harness, 11).await.iter().any(|i| i.incident_id == disposed_id), "not listed again");

    // After a restart (the embedded log compacts on opening) the log holds nothing of the report
    // but its tombstones, and it is still disposed of everywhere.
    let harness = harness.restart().await;
    harness.app.settled().await.unwrap();
    let records = harness.incident_log().await;
    let of_report: Vec<_> = records.iter().filter(|r| r.key == disposed_id.as_bytes()).collect();
    assert!(of_report.len() >= 3, "report, disposal and tombstone keep their offsets");
    for record in &of_report[..of_report.len() - 1] {
        assert!(record.value.is_empty(), "offset {}: superseded, so erased", record.offset);
    }
    assert!(of_report.last().unwrap().value.is_empty(), "the null tombstone");
    for record in records.iter().filter(|r| !r.value.is_empty() && r.headers.is_empty()) {
        let incident = v1::Incident::decode(record.value.as_slice()).unwrap();
        assert!(!incident.persons.iter().any(|p| p.family_name == "Quarrington"));
    }
    // Nor do the resolutions: the report's, then its disposal record, then null tombstones.
    let resolutions = harness.topic_log(orca_eventlog::topics::RESOLUTIONS).await;
    let of_report = |r: &&orca_eventlog::Record| r.key.starts_with(disposed_id.as_bytes());
    assert!(resolutions.iter().filter(of_report).count() >= 4, "resolution, disposal and two tombstones");
    assert!(resolutions.iter().filter(of_report).all(|r| r.value.is_empty()), "every one erased");
    let named = |r: &&orca_eventlog::Record| r.value.windows(11).any(|w| w == b"Quarrington");
    assert_eq!(resolutions.iter().filter(named).count(), 0, "no resolution names him");
    let read = harness.analyst().get_incident(authorized(read_request(&disposed_id), &harness.analyst_key)).await;
    assert!(read.unwrap_err().message().contains("disposed of"));
    let resent = harness.stream(vec![crew_incident("NM-2", "NM-BHAM-2", 8)]).await.remove(0);
    assert_eq!(resent.status, IngestStatus::Rejected as i32, "a disposed reference cannot be sent again");
    assert!(!harness.stored_state().await.contains("Quarrington"));
    assert!(citing_versions(&harness, &group_id, &disposed_id).await.is_empty());
}
/// The stored versions of a package that cite the report or name the fourth man.
async fn citing_versions(harness: &Harness, package_id: &str, incident_id: &str) -> Vec<u32> {
    let cites = |p: &v1::IntelligencePackage| {
        p.offences.iter().any(|o| o.incident_id == incident_id) || format!("{p:?}").contains("Quarrington")
    };
    harness.stored_package_versions(package_id).await.iter().filter(|p| cites(p)).map(|p| p.version).collect()
}

fn read_request(id: &str) -> v1::GetIncidentRequest {
    v1::GetIncidentRequest { incident_id: id.to_owned(), purpose: "test: read it again".into() }
}
