//! The whole embedded pipeline through its public surfaces: a retailer's incidents go in over gRPC
//! ingest, are resolved and linked, and come out as an intelligence package that the lead force
//! (and only the forces concerned) can pull from `IntelligenceService`.

mod common;

use common::*;
use orca_proto::v1::{self, IngestStatus};

#[tokio::test]
async fn incidents_in_over_grpc_come_out_as_a_package_for_the_lead_force() {
    let harness = spawn_app().await;
    // Enough repeat offending together, over long enough, to meet the default group rules.
    let stores = ["NM-BHAM-1", "NM-STOKE-1", "NM-BHAM-2", "NM-BHAM-1", "NM-STOKE-1", "NM-BHAM-2"];
    let incidents: Vec<_> =
        stores.iter().enumerate().map(|(i, store)| crew_incident(&format!("NM-{i}"), store, 4 * i as i64)).collect();
    let acks = harness.stream(incidents).await;
    assert!(acks.iter().all(|a| a.status == IngestStatus::Accepted as i32), "{acks:?}");
    harness.app.settled().await.unwrap();

    let listing = harness.list(&harness.lead_key, "west-midlands").await.unwrap();
    let group_package = listing
        .packages
        .iter()
        .find(|p| p.subject_kind == v1::SubjectKind::Group as i32)
        .unwrap_or_else(|| panic!("no group package for the lead force: {listing:?}"));
    assert_eq!(group_package.lead_force, "west-midlands");
    assert!(group_package.affected_forces.contains(&"staffordshire".to_owned()), "{group_package:?}");

    let package = harness
        .intel()
        .get_package(authorized(
            v1::GetPackageRequest {
                package_id: group_package.package_id.clone(),
                purpose: "test: read".into(),
                version: 0,
                ..Default::default()
            },
            &harness.lead_key,
        ))
        .await
        .unwrap()
        .into_inner()
        .package
        .unwrap();
    assert_eq!(package.subjects.len(), 3, "the crew of three: {:?}", package.subjects);
    assert_eq!(package.offences.len(), 6);
    assert_eq!(package.total_loss_pence, 6 * 20 * 1_499);
    assert_eq!(package.security_marking, "OFFICIAL-SENSITIVE");

    // The affected force sees it too; an unconcerned force neither lists nor reads it.
    let affected = harness.list(&harness.affected_key, "staffordshire").await.unwrap();
    assert!(affected.packages.iter().any(|p| p.package_id == group_package.package_id));
    let bystander = harness.list(&harness.bystander_key, "kent").await.unwrap();
    assert!(bystander.packages.is_empty());
    let read = harness
        .intel()
        .get_package(authorized(
            v1::GetPackageRequest {
                package_id: group_package.package_id.clone(),
                purpose: "test: curious".into(),
                version: 0,
                ..Default::default()
            },
            &harness.bystander_key,
        ))
        .await
        .unwrap_err();
    assert_eq!(read.code(), tonic::Code::NotFound);
    let denied = harness.list(&harness.bystander_key, "west-midlands").await.unwrap_err();
    assert_eq!(denied.code(), tonic::Code::PermissionDenied);
    // A purpose nobody could follow is refused before anything is read, and the attempt recorded.
    for purpose in [".", "read\u{1b}[2J", "x y z"] {
        let refused = harness
            .intel()
            .get_package(authorized(
                v1::GetPackageRequest {
                    package_id: group_package.package_id.clone(),
                    purpose: purpose.into(),
                    version: 0,
                    ..Default::default()
                },
                &harness.lead_key,
            ))
            .await
            .unwrap_err();
        assert_eq!(refused.code(), tonic::Code::InvalidArgument, "{purpose:?}");
        assert!(refused.message().contains("purpose"), "{purpose:?}: {}", refused.message());
    }

    // Every read, allowed or not, is in the audit log with its purpose.
    let audit = harness.app.backends().store.audit(0, 100).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "read-package" && a.outcome == "disclosed" && a.purpose == "test: read"));
    assert!(audit.iter().any(|a| a.action == "read-package" && a.outcome == "denied" && a.purpose == "test: curious"));
    assert!(audit.iter().any(|a| a.action == "list-packages" && a.outcome == "denied"));
    let invalid = audit.iter().filter(|a| a.action == "read-package" && a.outcome == "invalid").count();
    assert_eq!(invalid, 3, "each refused purpose is on the record");
    harness.app.stop().await.unwrap();
}

#[tokio::test]
async fn bad_records_are_rejected_by_field_good_ones_accepted_and_nothing_is_lost() {
    let harness = spawn_app().await;
    let mut unknown_store = crew_incident("NM-BAD-1", "NM-NOWHERE", 0);
    unknown_store.persons.clear();
    let mut negative_price = crew_incident("NM-BAD-2", "NM-BHAM-1", 1);
    negative_price.line_items[0].unit_price_pence = -500;
    let mut reported_before = crew_incident("NM-BAD-3", "NM-BHAM-1", 2);
    reported_before.reported_at = at(1, 0);
    let acks = harness
        .stream(vec![
            crew_incident("NM-GOOD-1", "NM-BHAM-1", 0),
            unknown_store,
            negative_price,
            crew_incident("NM-GOOD-2", "NM-STOKE-1", 3),
            reported_before,
        ])
        .await;
    let statuses: Vec<i32> = acks.iter().map(|a| a.status).collect();
    let (accepted, rejected) = (IngestStatus::Accepted as i32, IngestStatus::Rejected as i32);
    assert_eq!(statuses, [accepted, rejected, rejected, accepted, rejected]);
    let problem = |ack: &v1::IngestAck| (ack.problems[0].field.clone(), ack.problems[0].code.clone());
    assert_eq!(problem(&acks[1]), ("store_id".into(), "unknown-store".into()));
    assert_eq!(problem(&acks[2]), ("line_items[0].unit_price_pence".into(), "negative-price".into()));
    assert_eq!(problem(&acks[4]), ("occurred_from".into(), "occurred-after-reported".into()));
    assert!(acks[1].problems[0].reason.contains("NM-NOWHERE"), "the reason names the store: {:?}", acks[1].problems);

    let kept = harness.app.backends().store.rejected("northmart", 10).await.unwrap();
    let mut references: Vec<&str> = kept.iter().map(|r| r.retailer_ref.as_str()).collect();
    references.sort_unstable();
    assert_eq!(references, ["NM-BAD-1", "NM-BAD-2", "NM-BAD-3"], "rejected records are kept");
    harness.app.stop().await.unwrap();
}

#[tokio::test]
async fn sending_the_same_incident_twice_yields_one_incident() {
    let harness = spawn_app().await;
    let first = harness.stream(vec![crew_incident("NM-1", "NM-BHAM-1", 0)]).await;
    let again = harness.stream(vec![crew_incident("NM-1", "NM-BHAM-1", 0)]).await;
    assert_eq!(first[0].status, IngestStatus::Accepted as i32);
    assert_eq!(again[0].status, IngestStatus::Duplicate as i32);
    assert_eq!(first[0].incident_id, again[0].incident_id);
    harness.app.settled().await.unwrap();
    let log = &harness.app.backends().log;
    let on_log: u64 = log.end_offsets(orca_eventlog::topics::INCIDENTS).await.unwrap().iter().sum();
    assert_eq!(on_log, 1, "one incident on the log");
    let resolved: u64 = log.end_offsets(orca_eventlog::topics::RESOLUTIONS).await.unwrap().iter().sum();
    assert_eq!(resolved, 1, "one resolution");
    harness.app.stop().await.unwrap();
}

/// Stores one version of a package as the intel stage does when it reads it from the log.
async fn store_version(harness: &Harness, package: v1::IntelligencePackage) {
    use prost::Message;
    let record = orca_intel::stage::package_record(&package, package.encode_to_vec(), 0);
    let mut tx = harness.app.backends().store.begin().await.unwrap();
    tx.put_package(&record).await.unwrap();
    tx.commit().await.unwrap();
}

fn version(id: &str, version: u32, affected: &[&str], withdrawn: bool) -> v1::IntelligencePackage {
    v1::IntelligencePackage {
        package_id: id.to_owned(),
        version,
        title: format!("{id} v{version}"),
        lead_force: "west-midlands".to_owned(),
        affected_forces: affected.iter().map(|f| (*f).to_owned()).collect(),
        withdrawn,
        ..v1::IntelligencePackage::default()
    }
}

#[tokio::test]
async fn a_force_cannot_read_earlier_versions_once_a_package_is_withdrawn_or_no_longer_concerns_it() {
    let harness = spawn_app().await;
    store_version(&harness, version("PKG-G00000077", 1, &["staffordshire"], false)).await;
    store_version(&harness, version("PKG-G00000077", 2, &[], false)).await;
    store_version(&harness, version("PKG-G00000078", 1, &["staffordshire"], false)).await;
    store_version(&harness, version("PKG-G00000078", 2, &["staffordshire"], true)).await;
    let read = |key: String, id: &'static str, version: u32| {
        let mut intel = harness.intel();
        async move {
            let request = v1::GetPackageRequest {
                package_id: id.into(),
                purpose: "test: tasking review".into(),
                version,
                ..Default::default()
            };
            intel.get_package(authorized(request, &key)).await.map(|r| r.into_inner().package.unwrap().title)
        }
    };

    // Staffordshire was dropped in version 2: version 1 is no longer shared with it.
    let dropped = read(harness.affected_key.clone(), "PKG-G00000077", 1).await.unwrap_err();
    assert_eq!(dropped.code(), tonic::Code::NotFound);
    assert_eq!(read(harness.lead_key.clone(), "PKG-G00000077", 1).await.unwrap(), "PKG-G00000077 v1");

    // Version 2 withdrew the other package: its forces read the withdrawal, not what it withdrew.
    for key in [harness.lead_key.clone(), harness.affected_key.clone()] {
        let earlier = read(key.clone(), "PKG-G00000078", 1).await.unwrap_err();
        assert_eq!(earlier.code(), tonic::Code::FailedPrecondition);
        assert!(earlier.message().contains("withdrawn in version 2"), "{}", earlier.message());
        assert_eq!(read(key, "PKG-G00000078", 0).await.unwrap(), "PKG-G00000078 v2");
    }
    // Analysts keep the history.
    assert_eq!(read(harness.analyst_key.clone(), "PKG-G00000078", 1).await.unwrap(), "PKG-G00000078 v1");

    let audit = harness.app.backends().store.audit(0, 100).await.unwrap();
    let refused: Vec<_> = audit
        .iter()
        .filter(|a| a.outcome == "denied" && a.detail.starts_with("superseded by version 2"))
        .map(|a| a.resource.as_str())
        .collect();
    assert_eq!(refused, ["package:PKG-G00000077@1", "package:PKG-G00000078@1", "package:PKG-G00000078@1"]);
    harness.app.stop().await.unwrap();
}
