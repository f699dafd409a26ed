//! Opening the event log and the store the configuration names.

use crate::config::{LogConfig, OrcaConfig};
use anyhow::Context;
use orca_eventlog::{EmbeddedLog, EventLog, KafkaConfig, KafkaLog, topics};
use orca_store::{SqlStore, Store};
use std::sync::Arc;

/// The log and store every stage of this process shares.
#[derive(Clone)]
pub struct Backends {
    pub log: Arc<dyn EventLog>,
    pub store: Arc<dyn Store>,
}

impl Backends {
    /// Opens both and makes sure the pipeline's topics exist.
    pub async fn open(config: &OrcaConfig) -> anyhow::Result<Self> {
        let log = Self::open_log(config).await?;
        if matches!(config.log, LogConfig::Embedded) || config.store.url.is_none() {
            std::fs::create_dir_all(&config.data_dir)
                .with_context(|| format!("creating the data directory `{}`", config.data_dir.display()))?;
        }
        let url = config.store_url();
        let store = if config.store.migrate {
            SqlStore::connect(&url).await
        } else {
            SqlStore::connect_without_migrating(&url).await
        }
        .with_context(|| format!("opening the store at `{}`", redact(&url)))?;
        Ok(Self { log, store: Arc::new(store) })
    }

    /// Opens the event log alone and makes sure the pipeline's topics exist.
    pub async fn open_log(config: &OrcaConfig) -> anyhow::Result<Arc<dyn EventLog>> {
        let log: Arc<dyn EventLog> = match &config.log {
            LogConfig::Embedded => {
                let dir = config.embedded_log_dir();
                Arc::new(
                    EmbeddedLog::open(&dir).with_context(|| format!("opening the event log in `{}`", dir.display()))?,
                )
            }
            LogConfig::Kafka { bootstrap_servers, session_timeout_ms, properties } => {
                let mut kafka = KafkaConfig::new(bootstrap_servers.clone());
                kafka.session_timeout = std::time::Duration::from_millis(u64::from(*session_timeout_ms));
                kafka.properties.extend(properties.iter().map(|(k, v)| (k.clone(), v.clone())));
                Arc::new(
                    KafkaLog::connect(kafka)
                        .with_context(|| format!("connecting to Kafka at `{bootstrap_servers}`"))?,
                )
            }
        };
        let partitions = config.topics.partitions;
        let mut specs = topics::default_specs(partitions, config.topics.replication);
        // Dead letters are kept as long as the rejected records they copy.
        for spec in specs.iter_mut().filter(|spec| spec.name == topics::DEAD_LETTERS) {
            spec.retention_ms = Some(config.ingest.rejected_retention().as_millis() as u64);
        }
        match log.ensure_topics(&specs).await {
            Err(orca_eventlog::Error::TopicConflict { topic, existing, .. }) => anyhow::bail!(
                "topic `{topic}` exists with {existing} partitions and `topics.partitions` is {partitions}: \
                 partitions are fixed once a topic is created, so set `topics.partitions = {existing}`"
            ),
            result => result.context("creating the pipeline's topics")?,
        }
        if partitions > 1 {
            tracing::warn!(
                partitions,
                "the pipeline's topics have more than one partition: the resolver and linker read them \
                 interleaved in arrival order, so a stage replaying after a crash may read them in another \
                 order than the first time and find slightly different links; use 1 partition (the default) \
                 for results that do not depend on timing"
            );
        }
        Ok(log)
    }
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(super::redact("postgres://orca:s3cret@db:5432/orca"), "postgres://orca:***@db:5432/orca");
        assert_eq!(super::redact("postgres://orca@db/orca"), "postgres://orca@db/orca");
        assert_eq!(super::redact("sqlite://x.db"), "sqlite://x.db");
    }
}
