//! Distributed mode as an operator runs it: `orca serve ingest|resolver|linker|intel` as four
//! processes over a private Tansu broker and a fresh PostgreSQL database, fed by
//! `orca ingest --ordered --endpoint`.
//!
//! The tests need `ORCA_TEST_KAFKA` and `ORCA_TEST_POSTGRES` (`infra/test.sh` sets both); a missing
//! variable fails them. PostgreSQL is the server `ORCA_TEST_POSTGRES` names (each test creates its
//! own database there). `ORCA_TEST_KAFKA` says a Kafka-compatible broker environment is provided;
//! the pipeline's topic and group names are fixed, so each test starts a private broker with the
//! same Tansu installation instead of sharing that one (see [`crate::broker`]).

use crate::broker::Broker;
use crate::database::Database;
use crate::orca::Results;
use crate::service::Service;
use crate::{Orca, Snapshot, World, configs, wait_until};
use anyhow::{Context, Result, bail};
use orca_eventlog::{EventLog, KafkaConfig, KafkaLog, Record};
use orca_store::{SqlStore, Store};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tempfile::TempDir;
use tokio::process::Child;

/// The stage processes, in pipeline order.
pub const ROLES: [&str; 4] = ["ingest", "resolver", "linker", "intel"];

/// Each consuming stage and the topics it reads, in pipeline order (each stage crate owns its list).
pub const STAGES: [(&str, &[&str]); 3] = [
    (orca_resolver::STAGE_NAME, &orca_resolver::INPUT_TOPICS),
    (orca_linker::STAGE_NAME, &orca_linker::INPUT_TOPICS),
    (orca_intel::stage::STAGE_NAME, &orca_intel::stage::INPUT_TOPICS),
];

/// The value of a required environment variable, or an error saying how to provide it.
pub fn require_env(name: &str) -> Result<String> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => Ok(value),
        _ => bail!(
            "`{name}` is not set: the distributed tests need a broker and a database \
             (run them with infra/test.sh, which starts both)"
        ),
    }
}

pub struct Distributed {
    pub dir: TempDir,
    pub broker: Broker,
    database: Option<Database>,
    pub config: PathBuf,
    pub keys: PathBuf,
    pub services: Vec<Service>,
    /// The test's own clients of the broker and the store.
    pub log: KafkaLog,
    pub store: SqlStore,
}

impl Distributed {
    /// A broker, a database, the four stage processes (each ready), and a key per retailer.
    pub async fn start(orca: &Orca, world: &World) -> Result<Self> {
        Self::start_with(orca, world, "").await
    }

    /// As [`Distributed::start`], with `extra` TOML appended to every process's configuration.
    pub async fn start_with(orca: &Orca, world: &World, extra: &str) -> Result<Self> {
        require_env("ORCA_TEST_KAFKA")?;
        let admin_url = require_env("ORCA_TEST_POSTGRES")?;
        let dir = tempfile::tempdir()?;
        let broker = Broker::start().await?;
        let database = Database::create(&admin_url).await?;
        let config = configs::write_distributed(dir.path(), &broker.bootstrap(), &database.url)?;
        configs::append(&config, extra)?;
        let mut services = Vec::new();
        for role in ROLES {
            services.push(Service::start(orca, role, &config, &[], dir.path()).await?);
        }
        let keys = dir.path().join("keys.json");
        for retailer in &world.retailers {
            orca.issue_key("retailer", retailer, &config, &keys).await?;
        }
        let mut kafka = KafkaConfig::new(broker.bootstrap());
        kafka.request_timeout = Duration::from_secs(5);
        let log = KafkaLog::connect(kafka)?;
        let store = SqlStore::connect(&database.url).await?;
        Ok(Self { dir, broker, database: Some(database), config, keys, services, log, store })
    }

    pub fn service(&mut self, role: &str) -> &mut Service {
        self.services.iter_mut().find(|s| s.role == role).expect("every role is started")
    }

    pub fn store_url(&self) -> &str {
        &self.database.as_ref().expect("the database lives as long as the pipeline").url
    }

    /// `orca ingest --ordered --endpoint` of the world, in the background; output in `LOG_NAME`.
    pub fn spawn_ingest(&mut self, orca: &Orca, world: &World, log_name: &str) -> Result<Child> {
        let endpoint = self.service("ingest").endpoint()?;
        orca.spawn_ingest(&world.incidents, &endpoint, &self.keys, &self.dir.path().join(log_name))
    }

    /// The output of an ingest run started with [`Self::spawn_ingest`].
    pub fn ingest_output(&self, log_name: &str) -> Result<String> {
        std::fs::read_to_string(self.dir.path().join(log_name)).context("reading the ingest output")
    }

    /// Next offset the stage stored for its input (one partition per topic in these tests).
    pub async fn stored_offset(&self, stage: &str) -> Result<u64> {
        Ok(self.store.offsets(stage).await?.iter().map(|o| o.next_offset).sum())
    }

    /// Records not yet accounted for, over all stages, checked in pipeline order: when a stage's
    /// lag is read as 0, the outputs it made are already on the next stage's topic.
    pub async fn lag(&self) -> Result<u64> {
        let mut total = 0;
        for (stage, topics) in STAGES {
            let topics: Vec<String> = topics.iter().map(|t| (*t).to_owned()).collect();
            total += orca_stage::lag(&self.log, &self.store, stage, &topics)
                .await
                .map_err(|error| anyhow::anyhow!("lag of `{stage}`: {error}"))?;
        }
        Ok(total)
    }

    /// Waits until every stage has caught up with its input.
    pub async fn settle(&self) -> Result<()> {
        wait_until("every stage to catch up (lag 0)", Duration::from_secs(300), || async { Ok(self.lag().await? == 0) })
            .await
    }

    pub async fn snapshot(&self, world: &World) -> Result<Snapshot> {
        Snapshot::read(self.store_url(), world).await
    }

    pub async fn eval(&self, orca: &Orca, world: &World) -> Result<serde_json::Value> {
        orca.eval(&world.truth, &Results::Store(self.store_url())).await
    }

    /// Every record on `topic`, read from the start by a fresh consumer group, once `enough`
    /// says the records read so far are all that was expected.
    pub async fn read_topic(&self, topic: &str, enough: impl Fn(&[Record]) -> bool) -> Result<Vec<Record>> {
        let group = format!("e2e-reader-{}", std::process::id());
        let mut consumer = self.log.consumer(&group, &[topic.to_owned()], Vec::new()).await?;
        let mut records = Vec::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
        while !enough(&records) {
            if tokio::time::Instant::now() >= deadline {
                bail!("timed out reading `{topic}`: {} records so far", records.len());
            }
            records.extend(consumer.poll(1_000, Duration::from_millis(500)).await?);
        }
        Ok(records)
    }

    /// Stops the stages (SIGTERM, ordered shutdown) and the broker, and drops the database.
    pub async fn shutdown(mut self) -> Result<()> {
        for service in self.services.iter_mut().rev() {
            service.stop().await?;
        }
        self.broker.stop().await?;
        self.store.close().await;
        if let Some(database) = self.database.take() {
            database.drop_database().await?;
        }
        Ok(())
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}
