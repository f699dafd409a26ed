//! The whole embedded pipeline through its public surfaces: a retailer's incidents go in over gRPC
//! ingest, are resolved and linked, and come out as an intelligence package that the lead force
//! (and only the forces concerned) can pull from `IntelligenceService`.

use orca_auth::{Authenticator, ExposeSecret, PrincipalKind};
use orca_proto::v1::{
    self, IngestStatus, ingest_service_client::IngestServiceClient,
    intelligence_service_client::IntelligenceServiceClient,
};
use orca_runtime::{App, OrcaConfig, Roles, RunningApp};
use pbjson_types::Timestamp;
use tonic::transport::Channel;

struct Harness {
    app: RunningApp,
    channel: Channel,
    retailer_key: String,
    lead_key: String,
    affected_key: String,
    bystander_key: String,
    _dir: tempfile::TempDir,
}

async fn spawn_app() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let mut config = OrcaConfig {
        data_dir: dir.path().to_path_buf(),
        grpc_addr: ([127, 0, 0, 1], 0).into(),
        http_addr: ([127, 0, 0, 1], 0).into(),
        ..OrcaConfig::default()
    };
    config.runner.poll_timeout_ms = 20;
    let app = App::build(config, Roles::ALL).await.unwrap();
    let auth = Authenticator::new(app.backends().store.clone());
    let key = |kind, subject: &'static str| {
        let auth = &auth;
        async move { auth.issue_key(kind, subject).await.unwrap().secret.expose_secret().to_owned() }
    };
    let retailer_key = key(PrincipalKind::Retailer, "northmart").await;
    let lead_key = key(PrincipalKind::Force, "west-midlands").await;
    let affected_key = key(PrincipalKind::Force, "staffordshire").await;
    let bystander_key = key(PrincipalKind::Force, "kent").await;
    let app = app.start();
    let channel = Channel::from_shared(format!("http://{}", app.grpc_addr.unwrap())).unwrap().connect().await.unwrap();
    let harness = Harness { app, channel, retailer_key, lead_key, affected_key, bystander_key, _dir: dir };
    harness.register_stores().await;
    harness
}

fn authorized<T>(message: T, key: &str) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.metadata_mut().insert("authorization", format!("Bearer {key}").parse().unwrap());
    request
}

fn at(day: i64, hour: i64) -> Option<Timestamp> {
    Some(Timestamp { seconds: 1_772_323_200 + day * 86_400 + hour * 3_600, nanos: 0 })
}

fn suspect(given: &str, family: &str, dob: &str, marker: &str) -> v1::PersonSighting {
    v1::PersonSighting {
        role: v1::PersonRole::Suspect as i32,
        given_names: given.into(),
        family_name: family.into(),
        date_of_birth: dob.into(),
        sex: v1::Sex::Male as i32,
        marker_code: marker.into(),
        ..Default::default()
    }
}

/// A crew of three, tagged with forensic markers, hitting Northmart stores together.
fn crew_incident(reference: &str, store: &str, day: i64) -> v1::Incident {
    v1::Incident {
        retailer_id: "northmart".into(),
        retailer_ref: reference.into(),
        store_id: store.into(),
        occurred_from: at(day, 10),
        reported_at: at(day, 12),
        event_type: v1::EventType::Shoplifting as i32,
        line_items: vec![v1::LineItem {
            description: "razor blades".into(),
            category: "razors".into(),
            quantity: 20,
            unit_price_pence: 1_499,
            recovered: false,
        }],
        persons: vec![
            suspect("Kyle", "Brennan", "1991-04-12", "SW-1111-AAAA"),
            suspect("Dean", "Moss", "1988-11-02", "SW-2222-BBBB"),
            suspect("Tyler", "Rooke", "1995-01-30", "SW-3333-CCCC"),
        ],
        vehicles: vec![v1::VehicleSighting {
            vrm_raw: "AB12 CDE".into(),
            make: "Ford".into(),
            model: "Focus".into(),
            colour: "silver".into(),
            role: v1::VehicleRole::UsedBySuspects as i32,
            ..Default::default()
        }],
        ..Default::default()
    }
}

impl Harness {
    async fn register_stores(&self) {
        let store = |id: &str, force: &str, lat: f64, lon: f64| v1::StoreRegistration {
            store_id: id.into(),
            retailer_id: "northmart".into(),
            name: format!("Northmart {id}"),
            postcode: "B1 1AA".into(),
            force: force.into(),
            lat,
            lon,
        };
        let request = v1::RegisterStoresRequest {
            stores: vec![
                store("NM-BHAM-1", "west-midlands", 52.48, -1.90),
                store("NM-BHAM-2", "west-midlands", 52.45, -1.93),
                store("NM-STOKE-1", "staffordshire", 53.00, -2.18),
            ],
        };
        let response = IngestServiceClient::new(self.channel.clone())
            .register_stores(authorized(request, &self.retailer_key))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(response.registered, 3, "{response:?}");
    }

    async fn stream(&self, incidents: Vec<v1::Incident>) -> Vec<v1::IngestAck> {
        let requests: Vec<v1::SubmitRequest> = incidents
            .into_iter()
            .map(|incident| v1::SubmitRequest { incident: Some(incident), client_ref: String::new() })
            .collect();
        let mut responses = IngestServiceClient::new(self.channel.clone())
            .stream_incidents(authorized(tokio_stream::iter(requests), &self.retailer_key))
            .await
            .unwrap()
            .into_inner();
        let mut acks = Vec::new();
        while let Some(ack) = responses.message().await.unwrap() {
            acks.push(ack);
        }
        acks
    }

    fn intel(&self) -> IntelligenceServiceClient<Channel> {
        IntelligenceServiceClient::new(self.channel.clone())
    }

    async fn list(&self, key: &str, force: &str) -> Result<v1::ListPackagesResponse, tonic::Status> {
        let request = v1::ListPackagesRequest {
            force: force.into(),
            purpose: "test: review packages".into(),
            page: None,
            lead_only: false,
        };
        self.intel().list_packages(authorized(request, key)).await.map(tonic::Response::into_inner)
    }
}

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
            },
            &harness.bystander_key,
        ))
        .await
        .unwrap_err();
    assert_eq!(read.code(), tonic::Code::NotFound);
    let denied = harness.list(&harness.bystander_key, "west-midlands").await.unwrap_err();
    assert_eq!(denied.code(), tonic::Code::PermissionDenied);

    // Every read, allowed or not, is in the audit log with its purpose.
    let audit = harness.app.backends().store.audit(0, 100).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "read-package" && a.outcome == "disclosed" && a.purpose == "test: read"));
    assert!(audit.iter().any(|a| a.action == "read-package" && a.outcome == "denied" && a.purpose == "test: curious"));
    assert!(audit.iter().any(|a| a.action == "list-packages" && a.outcome == "denied"));
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
