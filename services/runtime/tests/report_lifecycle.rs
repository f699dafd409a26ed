//! A retailer corrects and withdraws reports in a running pipeline: the corrected report is
//! resolved again (the person it now names) and the group's package gets a version that says which
//! report changed and why; a withdrawn report leaves the package, the analysts' index and, after a
//! restart, stays withdrawn.

mod common;

use common::*;
use orca_proto::v1::ingest_service_client::IngestServiceClient;
use orca_proto::v1::{self, IngestStatus};

const STORES: [&str; 8] =
    ["NM-BHAM-1", "NM-STOKE-1", "NM-BHAM-2", "NM-BHAM-1", "NM-STOKE-1", "NM-BHAM-2", "NM-BHAM-1", "NM-STOKE-1"];

async fn group_package(harness: &Harness, version: u32) -> v1::GetPackageResponse {
    let listing = harness.list(&harness.lead_key, "west-midlands").await.unwrap();
    let summary = (listing.packages.iter())
        .find(|p| p.subject_kind == v1::SubjectKind::Group as i32)
        .unwrap_or_else(|| panic!("no group package: {listing:?}"));
    let request = v1::GetPackageRequest {
        package_id: summary.package_id.clone(),
        purpose: "test: what changed".into(),
        version,
        ..Default::default()
    };
    harness.intel().get_package(authorized(request, &harness.lead_key)).await.unwrap().into_inner()
}

async fn read_incident(harness: &Harness, id: &str) -> Result<v1::IncidentDetail, tonic::Status> {
    let request = v1::GetIncidentRequest { incident_id: id.to_owned(), purpose: "test: read it".into() };
    harness.analyst().get_incident(authorized(request, &harness.analyst_key)).await.map(tonic::Response::into_inner)
}

fn said(response: &v1::GetPackageResponse) -> Vec<String> {
    let changes = response.changes.as_ref().map(|c| c.changes.clone()).unwrap_or_default();
    changes.iter().map(|c| format!("{}: {}", c.kind, c.detail)).collect()
}

#[tokio::test]
async fn a_corrected_report_is_resolved_again_and_a_withdrawn_one_leaves_the_package() {
    let harness = spawn_app().await;
    let incidents: Vec<_> =
        (STORES.iter().enumerate()).map(|(i, store)| crew_incident(&format!("NM-{i}"), store, 4 * i as i64)).collect();
    let acks = harness.stream(incidents.clone()).await;
    assert!(acks.iter().all(|a| a.status == IngestStatus::Accepted as i32), "{acks:?}");
    harness.app.settled().await.unwrap();
    let first = group_package(&harness, 0).await;
    let package = first.package.clone().unwrap();
    assert_eq!(package.offences.len(), 8);
    let tyler = (package.subjects.iter())
        .find(|s| s.display_name.contains("Tyler"))
        .map(|s| s.person_id.clone())
        .expect("Tyler Rooke is a subject");

    // The retailer named the wrong third man in NM-1: it was someone else entirely.
    let mut correction = incidents[1].clone();
    correction.persons[2] = suspect("Liam", "Hartigan", "2000-07-19", "");
    correction.correction_reason = "CCTV reviewed: the third man was Liam Hartigan, not Tyler Rooke".into();
    let ack = harness.stream(vec![correction]).await.remove(0);
    assert_eq!((ack.status, ack.revision), (IngestStatus::Accepted as i32, 2), "{:?}", ack.problems);
    harness.app.settled().await.unwrap();

    let second = group_package(&harness, 0).await;
    let package = second.package.clone().unwrap();
    assert!(package.version > first.package.as_ref().unwrap().version);
    let offence = package.offences.iter().find(|o| o.incident_id == acks[1].incident_id).expect("still the crew's");
    assert_eq!(offence.revision, 2);
    assert!(!offence.person_ids.contains(&tyler), "Tyler no longer named in it: {:?}", offence.person_ids);
    let statements = said(&second);
    assert!(
        statements.iter().any(|s| s.starts_with("offence-corrected:") && s.ends_with("not Tyler Rooke")),
        "{statements:?}"
    );

    // Another report is withdrawn: it leaves the package, which says why.
    let request = v1::WithdrawRequest {
        retailer_ref: "NM-5".into(),
        reason: "sent twice: the same theft as NM-4".into(),
        retailer_id: String::new(),
    };
    let withdrawn = IngestServiceClient::new(harness.channel.clone())
        .withdraw(authorized(request, &harness.retailer_key))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(withdrawn.status, v1::WithdrawStatus::Withdrawn as i32);
    harness.app.settled().await.unwrap();
    let third = group_package(&harness, 0).await;
    let package = third.package.clone().unwrap();
    assert!(!package.offences.iter().any(|o| o.incident_id == withdrawn.incident_id));
    assert!(package.report_notices.iter().any(|n| n.incident_id == withdrawn.incident_id && n.withdrawn));
    let statements = said(&third);
    assert!(
        statements.iter().any(|s| s.starts_with("offence-withdrawn:") && s.ends_with("the same theft as NM-4")),
        "{statements:?}"
    );
    let read = read_incident(&harness, &withdrawn.incident_id).await.unwrap_err();
    assert_eq!(read.code(), tonic::Code::NotFound);
    assert!(read.message().contains("was withdrawn"), "{}", read.message());

    // After a restart it is still withdrawn: sending it again is refused, the package unchanged.
    let harness = harness.restart().await;
    let resent = harness.stream(vec![incidents[5].clone()]).await.remove(0);
    assert_eq!(resent.status, IngestStatus::Rejected as i32);
    assert_eq!(resent.problems[0].code, "withdrawn");
    harness.app.settled().await.unwrap();
    let after = group_package(&harness, 0).await.package.unwrap();
    assert_eq!(after.version, package.version);
    let read = read_incident(&harness, &withdrawn.incident_id).await.unwrap_err();
    assert!(read.message().contains("was withdrawn"), "{}", read.message());
}
