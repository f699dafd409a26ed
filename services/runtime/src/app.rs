//! One ORCA process: the stages and surfaces it was asked to run, over the configured backends.
//!
//! Start-up: [`App::build`] opens the log and store and binds the listeners (port 0 picks a free
//! port, for tests); [`App::start`] spawns the stage supervisors and the gRPC and HTTP servers.
//! Shutdown ([`RunningApp::stop`], or the token passed to [`App::start`] being cancelled): stop
//! consuming (each stage finishes and commits the batch in hand), then stop serving.

use crate::audit_anchor::AuditAnchoring;
use crate::backends::Backends;
use crate::config::OrcaConfig;
use crate::http;
use crate::status::{Phase, StageStatus};
use crate::supervisor::{Fatal, LeaseSettings, RestoreFailure, Supervision, supervise};
use anyhow::{Context, Result};
use orca_auth::Authenticator;
use orca_ingest::{IngestCore, IngestGrpc, http_router};
use orca_intel::access::Gatekeeper;
use orca_intel::{AnalystApi, AnalystSettings, IntelStage, IntelligenceApi, PackagesPublished};
use orca_linker::LinkerStage;
use orca_proto::v1::analyst_service_server::AnalystServiceServer;
use orca_proto::v1::ingest_service_server::IngestServiceServer;
use orca_proto::v1::intelligence_service_server::IntelligenceServiceServer;
use orca_resolver::ResolverStage;
use orca_search::{Indexer, IndexerConfig, SearchIndex};
use orca_stage::{RunnerConfig, lag};
use orca_workspace::Workspace;
use orca_workspace::session::SessionSettings;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tracing::info;

/// Which parts of the pipeline this process runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Roles {
    pub ingest: bool,
    pub resolver: bool,
    pub linker: bool,
    pub intel: bool,
}

impl Roles {
    pub const ALL: Roles = Roles { ingest: true, resolver: true, linker: true, intel: true };

    fn serves_grpc(self) -> bool {
        self.ingest || self.intel
    }
}

/// Each consuming stage's name and input topics, in pipeline order, for lag (the resolver reads
/// analysts' decisions and the linker forces' outcomes too, so the pipeline has settled only once
/// they are applied). Each stage crate owns its list.
pub const STAGES: [(&str, &[&str]); 3] = [
    (orca_resolver::STAGE_NAME, &orca_resolver::INPUT_TOPICS),
    (orca_linker::STAGE_NAME, &orca_linker::INPUT_TOPICS),
    (orca_intel::stage::STAGE_NAME, &orca_intel::stage::INPUT_TOPICS),
];

/// The input topics of a stage by its name, for lag.
pub(crate) fn stage_topics(stage: &str) -> Vec<String> {
    let topics = STAGES.iter().find(|(name, _)| *name == stage).map_or(&[][..], |(_, topics)| *topics);
    topics.iter().map(|topic| (*topic).to_owned()).collect()
}

pub struct App {
    config: OrcaConfig,
    roles: Roles,
    backends: Backends,
    ingest: Option<Arc<IngestCore>>,
    /// The analysts' search index, opened when this process runs intel.
    search: Option<orca_search::Opened>,
    grpc: Option<TcpListener>,
    http: TcpListener,
    /// Rung by the intel stage after each commit that indexed packages; package streams listen.
    published: PackagesPublished,
    /// TLS for both listeners, when configured.
    tls: Option<crate::tls::ServerTls>,
}

impl App {
    pub async fn build(config: OrcaConfig, roles: Roles) -> Result<Self> {
        let tls = config.tls.server_config().context("setting up TLS")?;
        let backends = Backends::open(&config).await?;
        let grpc = if roles.serves_grpc() {
            Some(
                TcpListener::bind(config.grpc_addr)
                    .await
                    .with_context(|| format!("binding gRPC on {}", config.grpc_addr))?,
            )
        } else {
            None
        };
        let http = TcpListener::bind(config.http_addr)
            .await
            .with_context(|| format!("binding HTTP on {}", config.http_addr))?;
        let ingest = if roles.ingest {
            let core = IngestCore::new(config.ingest.clone(), backends.log.clone(), backends.store.clone())
                .await
                .context("starting ingest")?;
            Some(Arc::new(core))
        } else {
            None
        };
        let search = if roles.intel {
            let dir = config.search_dir();
            let opened = tokio::task::spawn_blocking(move || SearchIndex::open(&dir))
                .await
                .context("opening the search index")?
                .with_context(|| format!("opening the search index in `{}`", config.search_dir().display()))?;
            Some(opened)
        } else {
            None
        };
        Ok(Self { config, roles, backends, ingest, search, grpc, http, published: PackagesPublished::default(), tls })
    }

    pub fn grpc_addr(&self) -> Option<SocketAddr> {
        self.grpc.as_ref().and_then(|l| l.local_addr().ok())
    }

    pub fn http_addr(&self) -> SocketAddr {
        self.http.local_addr().expect("a bound listener has an address")
    }

    pub fn backends(&self) -> &Backends {
        &self.backends
    }

    /// Spawns everything; returns a handle to wait on or stop.
    pub fn start(self) -> RunningApp {
        // Before the stages start, so what they record from the first moment is exposed.
        crate::telemetry::prometheus();
        let stages_shutdown = CancellationToken::new();
        let servers_shutdown = CancellationToken::new();
        let grpc_addr = self.grpc_addr();
        let http_addr = self.http_addr();
        let runner = RunnerConfig {
            batch_size: self.config.runner.batch_size,
            poll_timeout: Duration::from_millis(self.config.runner.poll_timeout_ms),
            ..RunnerConfig::default()
        };
        let mut stages = StageTasks {
            backends: self.backends.clone(),
            runner,
            lease: LeaseSettings {
                holder: match self.config.log {
                    crate::config::LogConfig::Embedded => {
                        orca_stage::lease::embedded_log_holder_id(&self.config.embedded_log_dir())
                    }
                    crate::config::LogConfig::Kafka { .. } => orca_stage::lease::holder_id(),
                },
                ttl: Duration::from_millis(self.config.runner.lease_ttl_ms),
            },
            shutdown: stages_shutdown.clone(),
            fatal: Fatal::default(),
            tasks: Vec::new(),
            readiness: Vec::new(),
        };
        if self.roles.resolver {
            let config = self.config.resolver.clone();
            stages.spawn(orca_resolver::STAGE_NAME, None, move |backends: Backends| {
                let config = config.clone();
                async move {
                    ResolverStage::restore(backends.store.as_ref(), config)
                        .await
                        .map_err(|error| RestoreFailure::new(error.is_retryable(), error))
                }
            });
        }
        if self.roles.linker {
            let config = self.config.linker.clone();
            let batch_size = Some(self.config.runner.linker_batch_size);
            stages.spawn(orca_linker::STAGE_NAME, batch_size, move |backends: Backends| {
                let config = config.clone();
                async move {
                    LinkerStage::restore(backends.store.as_ref(), config)
                        .await
                        .map_err(|error| RestoreFailure::new(error.is_retryable(), error))
                }
            });
        }
        if self.roles.intel {
            let published = self.published.clone();
            stages.spawn(orca_intel::stage::STAGE_NAME, None, move |_backends: Backends| {
                let published = published.clone();
                async move { Ok(IntelStage::new(published)) }
            });
        }
        let search = self.search.map(|opened| {
            let config = IndexerConfig {
                commit_interval: Duration::from_millis(self.config.search.commit_interval_ms),
                ..IndexerConfig::default()
            };
            let search = opened.search.clone();
            stages.spawn_indexer(Indexer::new(
                opened.search,
                opened.writer,
                opened.payload,
                self.backends.log.clone(),
                config,
            ));
            search
        });
        let StageTasks { tasks: stage_tasks, readiness, fatal, .. } = stages;

        let authenticator = Arc::new(
            Authenticator::new(self.backends.store.clone()).limiting_requests(self.config.limits.requests_per_key),
        );
        let ingest = self.ingest;
        // The read services, shared by gRPC clients and the browser workspace.
        let gate = Gatekeeper::new(authenticator.clone(), self.backends.store.clone())
            .requiring_client_certs_for_readers(self.config.tls.readers_need_client_cert);
        let intelligence = self.roles.intel.then(|| {
            IntelligenceApi::new(gate.clone(), self.backends.log.clone(), self.published.clone())
                .ending_streams_on(servers_shutdown.clone())
        });
        let settings = AnalystSettings { decision_wait: Duration::from_millis(self.config.search.decision_wait_ms) };
        let analyst = search.clone().map(|search| AnalystApi::new(gate, search, self.backends.log.clone(), settings));
        let mut server_tasks: Vec<JoinHandle<Result<()>>> = Vec::new();
        if let Some(listener) = self.grpc {
            let (health_reporter, health_service) = tonic_health::server::health_reporter();
            let reflection = tonic_reflection::server::Builder::configure()
                .register_encoded_file_descriptor_set(orca_proto::FILE_DESCRIPTOR_SET)
                .build_v1()
                .expect("the compiled-in descriptor set is valid");
            let limits = self.config.limits.connections;
            let mut builder = tonic::transport::Server::builder()
                .concurrency_limit_per_connection(limits.max_requests_per_connection as usize)
                .max_concurrent_streams(limits.max_requests_per_connection)
                .http2_keepalive_interval(Some(Duration::from_secs(30)))
                .http2_keepalive_timeout(Some(Duration::from_secs(20)))
                .trace_fn(crate::request_span::grpc_span);
            if let Some(tls) = &self.tls {
                builder = builder.tls_config(tls.grpc.clone()).expect("TLS is configured once per server");
            }
            let router = builder.add_service(health_service).add_service(reflection);
            let ingest_grpc = ingest.as_ref().map(|core| {
                IngestGrpc::new(core.clone(), authenticator.clone())
                    .into_server()
                    .max_decoding_message_size(16 * 1024 * 1024)
            });
            let router = router
                .add_optional_service(ingest_grpc)
                .add_optional_service(intelligence.clone().map(IntelligenceServiceServer::new))
                .add_optional_service(analyst.clone().map(AnalystServiceServer::new));
            let shutdown = servers_shutdown.clone();
            let roles = self.roles;
            server_tasks.push(tokio::spawn(async move {
                if roles.ingest {
                    health_reporter.set_serving::<IngestServiceServer<IngestGrpc>>().await;
                }
                if roles.intel {
                    health_reporter.set_serving::<IntelligenceServiceServer<IntelligenceApi>>().await;
                    health_reporter.set_serving::<AnalystServiceServer<AnalystApi>>().await;
                }
                router
                    .serve_with_incoming_shutdown(
                        crate::listener::grpc_incoming(listener, &limits),
                        shutdown.cancelled_owned(),
                    )
                    .await
                    .context("gRPC server")
            }));
        }
        if let Some(core) = &ingest {
            let purge =
                crate::retention::purge_rejections(core.clone(), self.backends.log.clone(), servers_shutdown.clone());
            server_tasks.push(tokio::spawn(purge));
        }
        let ingest_routes = ingest.map(|core| http_router(core, authenticator.clone()));
        let workspace = match (analyst, intelligence) {
            (Some(analyst), Some(intelligence)) if self.config.ui.enabled => {
                let ui = &self.config.ui;
                let sessions = SessionSettings {
                    idle: Duration::from_secs(ui.session_idle_secs),
                    lifetime: Duration::from_secs(ui.session_lifetime_secs),
                    secure_cookie: ui.secure_cookie,
                    ..SessionSettings::default()
                };
                let store = self.backends.store.clone();
                Some(Workspace::new(authenticator.clone(), store, analyst, intelligence, sessions).router())
            }
            _ => None,
        };
        if self.roles.intel {
            let anchoring = AuditAnchoring {
                store: self.backends.store.clone(),
                log: self.backends.log.clone(),
                file: self.config.audit_anchor_file(),
                interval: Duration::from_secs(self.config.audit.anchor_interval_secs),
            };
            server_tasks.push(tokio::spawn(anchoring.run(servers_shutdown.clone())));
        }
        let http_state = http::HttpState { backends: self.backends.clone(), readiness, search: search.clone() };
        let router = http::router(http_state, ingest_routes, workspace);
        let shutdown = servers_shutdown.clone();
        let http_listener = self.http;
        let (tls, limits) = (self.tls.clone(), self.config.limits.connections);
        server_tasks.push(tokio::spawn(async move {
            crate::listener::serve_http(http_listener, router, tls.as_ref(), limits, shutdown).await
        }));
        info!(grpc = ?grpc_addr, http = %http_addr, roles = ?self.roles, "orca is running");
        RunningApp {
            backends: self.backends,
            roles: self.roles,
            search,
            stages_shutdown,
            servers_shutdown,
            stage_tasks,
            server_tasks,
            fatal,
            grpc_addr,
            http_addr,
        }
    }
}

/// A started [`App`].
pub struct RunningApp {
    backends: Backends,
    roles: Roles,
    search: Option<Arc<SearchIndex>>,
    stages_shutdown: CancellationToken,
    servers_shutdown: CancellationToken,
    stage_tasks: Vec<JoinHandle<()>>,
    server_tasks: Vec<JoinHandle<Result<()>>>,
    /// Set when a stage stopped for good (see `supervisor`).
    fatal: Fatal,
    pub grpc_addr: Option<SocketAddr>,
    pub http_addr: SocketAddr,
}

impl RunningApp {
    pub fn backends(&self) -> &Backends {
        &self.backends
    }

    /// The analysts' search index, when this process runs intel.
    pub fn search(&self) -> Option<&Arc<SearchIndex>> {
        self.search.as_ref()
    }

    /// Records the local stages (and the search index) have not yet accounted for.
    pub async fn lag(&self) -> Result<u64> {
        let mut total = 0;
        for (stage, _) in STAGES {
            if self.runs(stage) {
                total += lag(self.backends.log.as_ref(), self.backends.store.as_ref(), stage, &stage_topics(stage))
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            }
        }
        if let Some(search) = &self.search {
            total += search.lag(self.backends.log.as_ref()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        Ok(total)
    }

    /// Records the local stages have accounted for, and all there are on their inputs so far
    /// (both grow as the stages emit records for the next stage), for progress displays.
    pub async fn progress(&self) -> Result<(u64, u64)> {
        let (mut done, mut total) = (0, 0);
        for (stage, _) in STAGES {
            if self.runs(stage) {
                let topics = stage_topics(stage);
                let (accounted, all) =
                    orca_stage::progress(self.backends.log.as_ref(), self.backends.store.as_ref(), stage, &topics)
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                done += accounted;
                total += all;
            }
        }
        Ok((done, total))
    }

    fn runs(&self, stage: &str) -> bool {
        match stage {
            orca_resolver::STAGE_NAME => self.roles.resolver,
            orca_linker::STAGE_NAME => self.roles.linker,
            _ => self.roles.intel,
        }
    }

    /// Waits until every local stage has processed everything on its inputs (checking in pipeline
    /// order, so a later stage is checked after the earlier ones have emitted their last outputs).
    pub async fn settled(&self) -> Result<()> {
        let mut tick = tokio::time::interval(Duration::from_millis(50));
        loop {
            tick.tick().await;
            if self.lag().await? == 0 {
                return Ok(());
            }
        }
    }

    /// Stops consuming (stages commit what they hold), then stops serving.
    pub async fn stop(self) -> Result<()> {
        self.stages_shutdown.cancel();
        for task in self.stage_tasks {
            task.await.context("a stage task panicked")?;
        }
        self.servers_shutdown.cancel();
        for task in self.server_tasks {
            task.await.context("a server task panicked")??;
        }
        Ok(())
    }

    /// Runs until `signal` resolves, or a stage stops for good, then stops in order. A stage that
    /// stopped for good makes this an error with its reason.
    pub async fn run_until(self, signal: impl std::future::Future<Output = ()>) -> Result<()> {
        let fatal = self.fatal.clone();
        tokio::select! {
            () = signal => info!("shutting down: stop consuming, commit, stop serving"),
            () = fatal.happened() => tracing::error!("a stage stopped for good; shutting down"),
        }
        self.stop().await?;
        match fatal.reason() {
            Some(reason) => Err(anyhow::anyhow!(reason)),
            None => Ok(()),
        }
    }

    /// Why a stage stopped for good, if one did (the process is then not ready).
    pub fn failure(&self) -> Option<String> {
        self.fatal.reason()
    }

    /// Waits until a stage stops for good, and says why.
    pub async fn failed(&self) -> String {
        self.fatal.happened().await;
        self.fatal.reason().unwrap_or_default()
    }
}

/// The consuming stages of one process, each supervised on its own task with a readiness flag.
struct StageTasks {
    backends: Backends,
    runner: RunnerConfig,
    /// This process's name and the lease time for the stages it runs.
    lease: LeaseSettings,
    shutdown: CancellationToken,
    /// Set when a stage stops for good.
    fatal: Fatal,
    tasks: Vec<JoinHandle<()>>,
    readiness: Vec<StageStatus>,
}

impl StageTasks {
    /// Starts the search indexer. It restarts itself on retryable log errors; if it stops on any
    /// other, the process reports itself not ready.
    fn spawn_indexer(&mut self, indexer: Indexer) {
        let status = StageStatus::new("search", Phase::Active);
        self.readiness.push(status.clone());
        let shutdown = self.shutdown.clone();
        self.tasks.push(tokio::spawn(async move {
            if let Err(error) = indexer.run(shutdown).await {
                status.set(Phase::Failed);
                tracing::error!(%error, "the search indexer stopped; searches show what it had indexed");
            }
        }));
    }

    /// Starts `name`, built by `restore` from the store on every (re)start.
    /// Supervises a stage, taking `batch_size` records per batch instead of the runner's when given.
    fn spawn<S, F, Fut>(&mut self, name: &'static str, batch_size: Option<usize>, restore: F)
    where
        S: orca_stage::Stage + Sync + 'static,
        F: Fn(Backends) -> Fut + Send + 'static,
        Fut: Future<Output = Result<S, RestoreFailure>> + Send + 'static,
    {
        let status = StageStatus::new(name, Phase::Starting);
        self.readiness.push(status.clone());
        let mut runner = self.runner.clone();
        runner.batch_size = batch_size.unwrap_or(runner.batch_size);
        let supervision = Supervision {
            name,
            backends: self.backends.clone(),
            runner,
            lease: self.lease.clone(),
            status,
            shutdown: self.shutdown.clone(),
            fatal: self.fatal.clone(),
        };
        self.tasks.push(tokio::spawn(supervise(supervision, restore)));
    }
}
