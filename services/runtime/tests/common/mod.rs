//! The test harness for the whole embedded pipeline over gRPC: an app on a temporary data
//! directory with keys for a retailer, three forces and an analyst, Northmart's stores registered,
//! and helpers to stream incidents and call each service. The app can be stopped and started again
//! on the same data directory.
#![allow(dead_code)] // each test binary uses part of the harness

use orca_auth::{Authenticator, ExposeSecret, PrincipalKind};
use orca_eventlog::topics;
use orca_proto::v1::{
    self, analyst_service_client::AnalystServiceClient, ingest_service_client::IngestServiceClient,
    intelligence_service_client::IntelligenceServiceClient,
};
use orca_runtime::{App, OrcaConfig, Roles, RunningApp};
use pbjson_types::Timestamp;
use prost::Message;
use std::path::Path;
use std::time::Duration;
use tonic::transport::Channel;

pub struct Keys {
    pub retailer: String,
    pub lead: String,
    pub affected: String,
    pub bystander: String,
    pub analyst: String,
}

pub struct Harness {
    pub app: RunningApp,
    pub channel: Channel,
    pub retailer_key: String,
    pub lead_key: String,
    pub affected_key: String,
    pub bystander_key: String,
    pub analyst_key: String,
    pub dir: tempfile::TempDir,
}

fn config(dir: &Path) -> OrcaConfig {
    let mut config = OrcaConfig {
        data_dir: dir.to_path_buf(),
        grpc_addr: ([127, 0, 0, 1], 0).into(),
        http_addr: ([127, 0, 0, 1], 0).into(),
        ..OrcaConfig::default()
    };
    config.runner.poll_timeout_ms = 20;
    config.search.commit_interval_ms = 20;
    config
}

async fn start(dir: &Path) -> (RunningApp, Channel, Authenticator) {
    let app = App::build(config(dir), Roles::ALL).await.unwrap();
    let auth = Authenticator::new(app.backends().store.clone());
    let app = app.start();
    let channel = Channel::from_shared(format!("http://{}", app.grpc_addr.unwrap())).unwrap().connect().await.unwrap();
    (app, channel, auth)
}

pub async fn spawn_app() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let (app, channel, auth) = start(dir.path()).await;
    let key = |kind, subject: &'static str| {
        let auth = &auth;
        async move { auth.issue_key(kind, subject).await.unwrap().secret.expose_secret().to_owned() }
    };
    let harness = Harness {
        retailer_key: key(PrincipalKind::Retailer, "northmart").await,
        lead_key: key(PrincipalKind::Force, "west-midlands").await,
        affected_key: key(PrincipalKind::Force, "staffordshire").await,
        bystander_key: key(PrincipalKind::Force, "kent").await,
        analyst_key: key(PrincipalKind::Analyst, "a.analyst").await,
        app,
        channel,
        dir,
    };
    harness.register_stores().await;
    harness
}

pub fn authorized<T>(message: T, key: &str) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.metadata_mut().insert("authorization", format!("Bearer {key}").parse().unwrap());
    request
}

pub fn at(day: i64, hour: i64) -> Option<Timestamp> {
    Some(Timestamp { seconds: 1_772_323_200 + day * 86_400 + hour * 3_600, nanos: 0 })
}

pub fn suspect(given: &str, family: &str, dob: &str, marker: &str) -> v1::PersonSighting {
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

/// A running pipeline in which the crew of three has hit six times across two forces (a group),
/// settled; and the six incident ids.
pub async fn spawn_crew() -> (Harness, Vec<String>) {
    let harness = spawn_app().await;
    let stores = ["NM-BHAM-1", "NM-STOKE-1", "NM-BHAM-2", "NM-BHAM-1", "NM-STOKE-1", "NM-BHAM-2"];
    let incidents: Vec<_> =
        stores.iter().enumerate().map(|(i, store)| crew_incident(&format!("NM-{i}"), store, 4 * i as i64)).collect();
    let acks = harness.stream(incidents).await;
    assert!(acks.iter().all(|a| a.status == v1::IngestStatus::Accepted as i32), "{acks:?}");
    harness.app.settled().await.unwrap();
    (harness, acks.into_iter().map(|a| a.incident_id).collect())
}

/// A crew of three, tagged with forensic markers, hitting Northmart stores together.
pub fn crew_incident(reference: &str, store: &str, day: i64) -> v1::Incident {
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

    pub async fn stream(&self, incidents: Vec<v1::Incident>) -> Vec<v1::IngestAck> {
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

    pub fn intel(&self) -> IntelligenceServiceClient<Channel> {
        IntelligenceServiceClient::new(self.channel.clone())
    }

    pub fn analyst(&self) -> AnalystServiceClient<Channel> {
        AnalystServiceClient::new(self.channel.clone())
    }

    pub async fn list(&self, key: &str, force: &str) -> Result<v1::ListPackagesResponse, tonic::Status> {
        let request = v1::ListPackagesRequest {
            force: force.into(),
            purpose: "test: review packages".into(),
            ..Default::default()
        };
        self.intel().list_packages(authorized(request, key)).await.map(tonic::Response::into_inner)
    }

    /// Stops the app (it commits what it holds) and starts a new one on the same data directory.
    pub async fn restart(self) -> Self {
        self.restart_with(|_| {}).await
    }

    /// Stops the app, runs `between` on the data directory, and starts a new app on it.
    pub async fn restart_with(mut self, between: impl FnOnce(&Path)) -> Self {
        self.app.stop().await.unwrap();
        between(self.dir.path());
        let (app, channel, _) = start(self.dir.path()).await;
        self.app = app;
        self.channel = channel;
        self
    }
}

impl Harness {
    /// Every value the stages stored, as text.
    pub async fn stored_state(&self) -> String {
        let store = &self.app.backends().store;
        let mut text = String::new();
        for prefix in ["resolve.", "network.", "view."] {
            for record in store.load_state(prefix).await.unwrap() {
                text.push_str(&String::from_utf8_lossy(&record.value));
                text.push('\n');
            }
        }
        text
    }

    /// The stored versions of a package (its history as forces read it), decoded, oldest first.
    pub async fn stored_package_versions(&self, package_id: &str) -> Vec<v1::IntelligencePackage> {
        let store = &self.app.backends().store;
        let mut versions = Vec::new();
        for version in 1.. {
            let Some(row) = store.package(package_id, Some(version)).await.unwrap() else { break };
            versions.push(v1::IntelligencePackage::decode(row.body.as_slice()).expect("a package"));
        }
        versions
    }

    /// The incident log from its start, as a new reader sees it.
    pub async fn incident_log(&self) -> Vec<orca_eventlog::Record> {
        self.topic_log(topics::INCIDENTS).await
    }

    /// Every record of a topic from its start, as a new reader sees them.
    pub async fn topic_log(&self, topic: &str) -> Vec<orca_eventlog::Record> {
        let log = &self.app.backends().log;
        let total: u64 = log.end_offsets(topic).await.unwrap().iter().sum();
        let mut consumer = log.consumer("test-log-reader", &[topic.to_owned()], Vec::new()).await.unwrap();
        let mut records = Vec::new();
        while (records.len() as u64) < total {
            let batch = consumer.poll(10_000, Duration::from_secs(10)).await.unwrap();
            assert!(!batch.is_empty(), "the log holds {total} records, {} read", records.len());
            records.extend(batch);
        }
        records
    }
}
