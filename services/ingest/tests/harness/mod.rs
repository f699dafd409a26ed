//! One harness for the ingest tests and the stream bench: an embedded log and a SQLite store in a
//! temporary directory, keys for two retailers and a force, one registered store per retailer, and
//! the gRPC and HTTP servers on `127.0.0.1:0`.
#![allow(dead_code)] // each test binary uses a different part of the harness

use async_trait::async_trait;
use orca_auth::{Authenticator, ExposeSecret, PrincipalKind};
use orca_eventlog::{Consumer, EmbeddedLog, EventLog, OutRecord, Position, Record, TopicSpec, topics};
use orca_ingest::{IngestConfig, IngestCore, IngestGrpc, http_router};
use orca_proto::v1;
use orca_proto::v1::ingest_service_client::IngestServiceClient;
use orca_store::{SqlStore, Store};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::net::TcpListener;
use tonic::transport::Channel;

pub struct TestApp {
    pub log: EmbeddedLog,
    pub store: Arc<SqlStore>,
    pub outage: Arc<AtomicBool>,
    pub grpc_addr: SocketAddr,
    pub http_base: String,
    pub northmart_key: String,
    pub southco_key: String,
    pub force_key: String,
    pub analyst_key: String,
    pub core: Arc<IngestCore>,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(IngestConfig::default()).await
}

pub async fn spawn_app_with(config: IngestConfig) -> TestApp {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = EmbeddedLog::open(&dir.path().join("log")).expect("open the embedded log");
    log.ensure_topics(&[TopicSpec::new(topics::INCIDENTS, 3), TopicSpec::new(topics::DEAD_LETTERS, 1)])
        .await
        .expect("create topics");
    let store = Arc::new(
        SqlStore::connect(&format!("sqlite://{}", dir.path().join("orca.db").display())).await.expect("sqlite store"),
    );
    store.upsert_stores(&[shop("NM-0001", "northmart"), shop("SC-0001", "southco")]).await.expect("stores");
    let outage = Arc::new(AtomicBool::new(false));
    let flaky: Arc<dyn EventLog> = Arc::new(FlakyLog { inner: log.clone(), outage: Arc::clone(&outage) });
    let auth = Arc::new(Authenticator::new(store.clone()));
    let issue = |kind, subject: &'static str| {
        let auth = Arc::clone(&auth);
        async move { auth.issue_key(kind, subject).await.expect("issue key").secret.expose_secret().to_owned() }
    };
    let northmart_key = issue(PrincipalKind::Retailer, "northmart").await;
    let southco_key = issue(PrincipalKind::Retailer, "southco").await;
    let force_key = issue(PrincipalKind::Force, "west-midlands").await;
    let analyst_key = issue(PrincipalKind::Analyst, "opal-1").await;
    let core = Arc::new(IngestCore::new(config, flaky, store.clone()).await.expect("ingest core"));

    let grpc_listener = TcpListener::bind("127.0.0.1:0").await.expect("bind grpc");
    let grpc_addr = grpc_listener.local_addr().expect("grpc address");
    let service = IngestGrpc::new(Arc::clone(&core), Arc::clone(&auth)).into_server();
    tokio::spawn(async move {
        tonic::transport::Server::builder()
            .add_service(service)
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(grpc_listener))
            .await
            .expect("grpc server");
    });
    let http_listener = TcpListener::bind("127.0.0.1:0").await.expect("bind http");
    let http_base = format!("http://{}", http_listener.local_addr().expect("http address"));
    let router = http_router(core.clone(), auth);
    tokio::spawn(async move { axum::serve(http_listener, router).await.expect("http server") });

    TestApp {
        log,
        store,
        outage,
        grpc_addr,
        http_base,
        northmart_key,
        southco_key,
        force_key,
        analyst_key,
        core: core.clone(),
        http: reqwest::Client::new(),
        _dir: dir,
    }
}

pub fn shop(id: &str, retailer: &str) -> orca_model::Store {
    orca_model::Store {
        id: id.into(),
        retailer: retailer.into(),
        name: format!("{retailer} {id}"),
        postcode: "B5 6DY".into(),
        force: "west-midlands".into(),
        lat: 52.475,
        lon: -1.885,
    }
}

/// When the fixture incidents happened (2024-05-31T23:20:00Z): fixed, so that building the same
/// incident twice gives the same record.
pub const OCCURRED_AT_SECONDS: i64 = 1_717_197_600;

/// A valid Northmart incident at store `NM-0001`, with one suspect and a current plate.
pub fn incident(retailer_ref: &str) -> v1::Incident {
    v1::Incident {
        retailer_id: "northmart".into(),
        retailer_ref: retailer_ref.into(),
        store_id: "NM-0001".into(),
        occurred_from: Some(pbjson_types::Timestamp { seconds: OCCURRED_AT_SECONDS, nanos: 0 }),
        event_type: v1::EventType::Shoplifting as i32,
        line_items: vec![v1::LineItem {
            description: "gin".into(),
            category: "alcohol".into(),
            quantity: 2,
            unit_price_pence: 2_500,
            recovered: false,
        }],
        narrative: "took two bottles from the front aisle".into(),
        persons: vec![v1::PersonSighting {
            role: v1::PersonRole::Suspect as i32,
            sex: v1::Sex::Male as i32,
            age_band: v1::AgeBand::AgeBand2534 as i32,
            clothing: "grey hoodie".into(),
            ..Default::default()
        }],
        vehicles: vec![v1::VehicleSighting {
            vrm_raw: "ab12 cde".into(),
            make: "Ford".into(),
            role: v1::VehicleRole::UsedBySuspects as i32,
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// A valid incident of another retailer at its own store.
pub fn submit_for(retailer: &str, retailer_ref: &str) -> v1::SubmitRequest {
    let mut request = submit(retailer_ref);
    let incident = request.incident.as_mut().expect("an incident");
    incident.retailer_id = retailer.into();
    incident.store_id = "SC-0001".into();
    request
}

pub fn submit(retailer_ref: &str) -> v1::SubmitRequest {
    v1::SubmitRequest { incident: Some(incident(retailer_ref)), client_ref: format!("c-{retailer_ref}") }
}

impl TestApp {
    pub async fn grpc(&self) -> IngestServiceClient<Channel> {
        IngestServiceClient::connect(format!("http://{}", self.grpc_addr)).await.expect("connect grpc")
    }

    /// Streams `requests` with `key` and collects every ack (or the status that ended the stream).
    pub async fn stream(
        &self,
        key: &str,
        requests: Vec<v1::SubmitRequest>,
    ) -> Result<Vec<v1::IngestAck>, tonic::Status> {
        let mut client = self.grpc().await.max_decoding_message_size(64 << 20);
        let response = client.stream_incidents(authed(key, tokio_stream::iter(requests))).await?;
        let mut acks = Vec::new();
        let mut inbound = response.into_inner();
        while let Some(ack) = inbound.message().await? {
            acks.push(ack);
        }
        Ok(acks)
    }

    pub async fn submit_one(&self, key: &str, request: v1::SubmitRequest) -> Result<v1::IngestAck, tonic::Status> {
        Ok(self.grpc().await.submit(authed(key, request)).await?.into_inner())
    }

    pub async fn post(
        &self,
        path: &str,
        key: Option<&str>,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> reqwest::Response {
        let mut request =
            self.http.post(format!("{}{path}", self.http_base)).header("content-type", content_type).body(body);
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        request.send().await.expect("http request")
    }

    /// Every record on `topic`, in partition then offset order.
    pub async fn read_topic(&self, topic: &str) -> Vec<Record> {
        let ends = self.log.end_offsets(topic).await.expect("end offsets");
        let total: u64 = ends.iter().sum();
        let group = format!("test-reader-{}", next_reader_number());
        let mut consumer: Box<dyn Consumer> =
            self.log.consumer(&group, &[topic.to_owned()], Vec::new()).await.expect("consumer");
        let mut records = Vec::new();
        while (records.len() as u64) < total {
            let batch = consumer.poll(10_000, Duration::from_secs(10)).await.expect("poll");
            assert!(!batch.is_empty(), "the log holds {total} records but only {} were read", records.len());
            records.extend(batch);
        }
        records.sort_by_key(|record| (record.partition, record.offset));
        records
    }
}

pub fn authed<T>(key: &str, message: T) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.metadata_mut().insert("authorization", format!("Bearer {key}").parse().expect("ascii key"));
    request
}

fn next_reader_number() -> u64 {
    use std::sync::atomic::AtomicU64;
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// The embedded log, with a switch that makes every append fail as a broker outage would.
struct FlakyLog {
    inner: EmbeddedLog,
    outage: Arc<AtomicBool>,
}

#[async_trait]
impl EventLog for FlakyLog {
    async fn ensure_topics(&self, specs: &[TopicSpec]) -> orca_eventlog::Result<()> {
        self.inner.ensure_topics(specs).await
    }

    async fn append(&self, records: Vec<OutRecord>) -> orca_eventlog::Result<Vec<(u32, u64)>> {
        if self.outage.load(Ordering::SeqCst) {
            return Err(orca_eventlog::Error::Timeout("a simulated outage"));
        }
        self.inner.append(records).await
    }

    async fn consumer(
        &self,
        group: &str,
        topics: &[String],
        start: Vec<Position>,
    ) -> orca_eventlog::Result<Box<dyn Consumer>> {
        self.inner.consumer(group, topics, start).await
    }

    async fn end_offsets(&self, topic: &str) -> orca_eventlog::Result<Vec<u64>> {
        self.inner.end_offsets(topic).await
    }

    async fn committed(&self, group: &str, topic: &str) -> orca_eventlog::Result<Vec<Option<u64>>> {
        self.inner.committed(group, topic).await
    }
}
