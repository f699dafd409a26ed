//! Typed, layered configuration: defaults, then a TOML file, then `ORCA_…` environment variables
//! (`__` separates levels: `ORCA_LOG__BOOTSTRAP_SERVERS=broker:9092`). Unknown keys are errors.
//! Only variables naming a section of the file are read (`ORCA_STORE__URL`, `ORCA_HTTP_ADDR`), so
//! the other `ORCA_…` variables (`ORCA_JSON_LOGS`, `ORCA_KEY`, `ORCA_TEST_KAFKA`) are not taken for
//! misspelt configuration.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OrcaConfig {
    /// Where the embedded log and the SQLite store live.
    pub data_dir: PathBuf,
    pub log: LogConfig,
    pub store: StoreConfig,
    pub topics: TopicsConfig,
    /// gRPC surfaces (ingest, intelligence, analyst, health, reflection).
    pub grpc_addr: SocketAddr,
    /// HTTP: `POST /v1/incidents`, `/metrics`, `/livez`, `/readyz`.
    pub http_addr: SocketAddr,
    pub runner: RunnerSettings,
    pub ingest: orca_ingest::IngestConfig,
    pub resolver: orca_resolve::ResolverConfig,
    pub linker: orca_network::LinkerConfig,
    pub search: SearchSettings,
    /// The browser workspace under `/ui/` (served where intel runs).
    pub ui: UiSettings,
    /// Anchoring the audit log's hash chain (done where intel runs).
    pub audit: AuditSettings,
    /// Per-key and per-connection limits.
    pub limits: LimitSettings,
    /// TLS on the gRPC and HTTP listeners.
    pub tls: crate::tls::TlsSettings,
}

/// Per-key rate limits (records sent to ingest are limited in `ingest.records_per_key`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitSettings {
    /// Authenticated requests per key (gRPC calls, HTTP requests, workspace calls; a stream
    /// counts once). Over it: `429` / `RESOURCE_EXHAUSTED` with a retry hint.
    pub requests_per_key: orca_auth::Rate,
    /// Each listener's connections.
    pub connections: crate::listener::ConnectionLimits,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            requests_per_key: orca_auth::Rate { per_second: 50.0, burst: 500.0 },
            connections: crate::listener::ConnectionLimits::default(),
        }
    }
}

/// Where and how often the audit log's chain head is copied out (see `audit_anchor`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditSettings {
    /// The anchor file; default `data_dir/audit-anchors.jsonl`.
    pub anchor_file: Option<PathBuf>,
    /// Seconds between anchors (an anchor is written only when the log has grown).
    pub anchor_interval_secs: u64,
}

impl Default for AuditSettings {
    fn default() -> Self {
        Self { anchor_file: None, anchor_interval_secs: 60 }
    }
}

/// The browser workspace's sessions.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UiSettings {
    /// Serve `/ui/` at all.
    pub enabled: bool,
    /// A session unused this long ends (seconds).
    pub session_idle_secs: u64,
    /// A session ends this long after sign-in (seconds).
    pub session_lifetime_secs: u64,
    /// Mark the session cookie `Secure`: set it when browsers reach ORCA over HTTPS (a TLS proxy
    /// in front of the HTTP address), so the cookie is never sent in clear.
    pub secure_cookie: bool,
}

impl Default for UiSettings {
    fn default() -> Self {
        Self { enabled: true, session_idle_secs: 30 * 60, session_lifetime_secs: 12 * 3600, secure_cookie: false }
    }
}

/// The analysts' search index (kept by processes that run intel) and their decisions.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchSettings {
    /// Where the index lives; default `data_dir/search`. Each intel process needs its own.
    pub dir: Option<PathBuf>,
    /// Longest an indexed change waits before it is searchable.
    pub commit_interval_ms: u64,
    /// Longest a decision call waits for the resolver's answer.
    pub decision_wait_ms: u64,
}

impl Default for SearchSettings {
    fn default() -> Self {
        Self { dir: None, commit_interval_ms: 200, decision_wait_ms: 5_000 }
    }
}

impl Default for OrcaConfig {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from(".orca/data"),
            log: LogConfig::default(),
            store: StoreConfig::default(),
            topics: TopicsConfig::default(),
            grpc_addr: ([127, 0, 0, 1], 50051).into(),
            http_addr: ([127, 0, 0, 1], 8080).into(),
            runner: RunnerSettings::default(),
            ingest: Default::default(),
            resolver: Default::default(),
            linker: Default::default(),
            search: SearchSettings::default(),
            ui: UiSettings::default(),
            audit: AuditSettings::default(),
            limits: LimitSettings::default(),
            tls: crate::tls::TlsSettings::default(),
        }
    }
}

/// The event log: embedded (default) or Kafka.
#[derive(Clone, Debug, Serialize, Deserialize, Default)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum LogConfig {
    /// Durable in-process log under `data_dir/log`.
    #[default]
    Embedded,
    /// Apache Kafka, Redpanda or Tansu through rdkafka.
    Kafka {
        bootstrap_servers: String,
        #[serde(default = "default_session_timeout_ms")]
        session_timeout_ms: u32,
        /// Extra librdkafka properties, e.g. `security.protocol`.
        #[serde(default)]
        properties: std::collections::BTreeMap<String, String>,
    },
}

fn default_session_timeout_ms() -> u32 {
    6_000
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// `sqlite://PATH` or `postgres://…`; default: SQLite at `data_dir/orca.db`.
    pub url: Option<String>,
    /// Bring the schema up to date on start-up. Set it to `false` when the stages connect as a
    /// role that may not change the schema (PostgreSQL: see `orca db grant-role`); the owner then
    /// runs `orca db migrate` before each upgrade.
    pub migrate: bool,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self { url: None, migrate: true }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TopicsConfig {
    /// Partitions per topic, fixed when a topic is created. 1 by default: the resolver and linker
    /// are single writers that read every partition, and their results depend on the order they
    /// read in, which across several partitions depends on timing (see the README on scaling).
    pub partitions: u32,
    pub replication: u16,
}

impl Default for TopicsConfig {
    fn default() -> Self {
        Self { partitions: 1, replication: 1 }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunnerSettings {
    /// Most records a consuming stage takes per batch (one transaction each).
    pub batch_size: usize,
    /// Most records the linker takes per batch. It publishes once per batch, rebuilding every
    /// package the batch touched from the group's or offender's whole history, so a backlog read
    /// in bigger batches costs less per incident (growing a 300,000-incident world took 23 s in
    /// batches of 20,000 against 92 s in batches of 2,000: `benches/linker/RESULTS.md`). Caught
    /// up, a batch is whatever has arrived, so this does not delay packages at a steady rate.
    pub linker_batch_size: usize,
    pub poll_timeout_ms: u64,
    /// How long a stage's lease lasts unless renewed (its holder renews it every third of this).
    /// One process writes each stage; another running the same stage stands by and takes over
    /// this long after the writer dies (at once after an orderly stop).
    pub lease_ttl_ms: u64,
}

impl Default for RunnerSettings {
    fn default() -> Self {
        Self { batch_size: 2_000, linker_batch_size: 20_000, poll_timeout_ms: 250, lease_ttl_ms: 15_000 }
    }
}

/// The top-level keys of [`OrcaConfig`], as `ORCA_` variables may name them.
const SECTIONS: [&str; 15] = [
    "data_dir",
    "log",
    "store",
    "topics",
    "grpc_addr",
    "http_addr",
    "runner",
    "ingest",
    "resolver",
    "linker",
    "search",
    "ui",
    "audit",
    "limits",
    "tls",
];

/// Whether `ORCA_<key>` configures ORCA (its first level is a section of [`OrcaConfig`]).
fn is_config_variable(key: &str) -> bool {
    let section = key.split("__").next().unwrap_or_default();
    SECTIONS.iter().any(|known| known.eq_ignore_ascii_case(section))
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Not a `#[source]`: the message already holds figment's, and a chain would repeat it.
    #[error("configuration: {0}")]
    Load(Box<figment::Error>),
    #[error("configuration: {0}")]
    Invalid(String),
}

impl From<Box<figment::Error>> for ConfigError {
    fn from(error: Box<figment::Error>) -> Self {
        ConfigError::Load(error)
    }
}

impl OrcaConfig {
    /// Defaults, then the file (if given), then `ORCA_…` variables.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(OrcaConfig::default()));
        if let Some(file) = file {
            if !file.exists() {
                return Err(ConfigError::Invalid(format!("config file `{}` does not exist", file.display())));
            }
            figment = figment.merge(Toml::file(file));
        }
        figment = figment.merge(Env::prefixed("ORCA_").filter(|key| is_config_variable(key.as_str())).split("__"));
        let config: OrcaConfig = figment.extract().map_err(Box::new)?;
        config.validate()?;
        Ok(config)
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.topics.partitions == 0 {
            return Err(ConfigError::Invalid("`topics.partitions` must be at least 1".into()));
        }
        if self.search.commit_interval_ms == 0 || self.search.commit_interval_ms > 60_000 {
            return Err(ConfigError::Invalid("`search.commit_interval_ms` is between 1 and 60000".into()));
        }
        if self.search.decision_wait_ms > 60_000 {
            return Err(ConfigError::Invalid("`search.decision_wait_ms` is at most 60000".into()));
        }
        if self.ui.session_idle_secs == 0 || self.ui.session_idle_secs > self.ui.session_lifetime_secs {
            return Err(ConfigError::Invalid(
                "`ui.session_idle_secs` must be at least 1 and at most `ui.session_lifetime_secs`".into(),
            ));
        }
        if self.ui.session_lifetime_secs > 7 * 86_400 {
            return Err(ConfigError::Invalid("`ui.session_lifetime_secs` is at most 604800 (a week)".into()));
        }
        if self.audit.anchor_interval_secs == 0 || self.audit.anchor_interval_secs > 86_400 {
            return Err(ConfigError::Invalid("`audit.anchor_interval_secs` is between 1 and 86400 (a day)".into()));
        }
        self.limits.requests_per_key.validate("limits.requests_per_key").map_err(ConfigError::Invalid)?;
        if let Some(problem) = self.limits.connections.problem() {
            return Err(ConfigError::Invalid(problem));
        }
        if let Some(problem) = self.tls.problem(&[("gRPC", self.grpc_addr), ("HTTP", self.http_addr)]) {
            return Err(ConfigError::Invalid(problem));
        }
        if self.tls.readers_need_client_cert
            && self.ui.enabled
            && self.tls.client_auth != crate::tls::ClientAuth::Required
        {
            return Err(ConfigError::Invalid(
                "the browser workspace cannot check a client certificate per key: with \
                 `tls.readers_need_client_cert`, set `ui.enabled = false` or `tls.client_auth = \"required\"`"
                    .into(),
            ));
        }
        self.resolver.validate().map_err(|error| match error {
            orca_resolve::ConfigError::Invalid { field, reason } => {
                ConfigError::Invalid(format!("`resolver.{field}` {reason}"))
            }
            orca_resolve::ConfigError::Model(error) => ConfigError::Invalid(format!("`resolver.model`: {error}")),
        })?;
        self.linker.validate().map_err(ConfigError::Invalid)?;
        if self.runner.batch_size == 0 {
            return Err(ConfigError::Invalid("`runner.batch_size` must be at least 1".into()));
        }
        if !(300..=600_000).contains(&self.runner.lease_ttl_ms) {
            return Err(ConfigError::Invalid(
                "`runner.lease_ttl_ms` must be between 300 (0.3 s) and 600000 (10 minutes)".into(),
            ));
        }
        if self.runner.linker_batch_size == 0 {
            return Err(ConfigError::Invalid("`runner.linker_batch_size` must be at least 1".into()));
        }
        if let LogConfig::Kafka { bootstrap_servers, .. } = &self.log
            && bootstrap_servers.trim().is_empty()
        {
            return Err(ConfigError::Invalid("`log.bootstrap_servers` is empty".into()));
        }
        if let Some(url) = &self.store.url
            && !(url.starts_with("sqlite:") || url.starts_with("postgres:") || url.starts_with("postgresql:"))
        {
            return Err(ConfigError::Invalid(format!("`store.url` `{url}` must start with sqlite: or postgres:")));
        }
        Ok(())
    }

    /// Where the embedded log keeps its segments.
    pub fn embedded_log_dir(&self) -> PathBuf {
        self.data_dir.join("log")
    }

    /// The search index directory, defaulting to `data_dir/search`.
    pub fn search_dir(&self) -> PathBuf {
        self.search.dir.clone().unwrap_or_else(|| self.data_dir.join("search"))
    }

    /// The audit anchor file, defaulting to `data_dir/audit-anchors.jsonl`.
    pub fn audit_anchor_file(&self) -> PathBuf {
        self.audit.anchor_file.clone().unwrap_or_else(|| self.data_dir.join("audit-anchors.jsonl"))
    }

    /// The store URL, defaulting to SQLite in the data directory.
    pub fn store_url(&self) -> String {
        self.store.url.clone().unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("orca.db").display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_variables_naming_a_section_are_configuration() {
        assert!(is_config_variable("STORE__URL"));
        assert!(is_config_variable("LOG__BOOTSTRAP_SERVERS"));
        assert!(is_config_variable("http_addr"));
        assert!(!is_config_variable("TEST_KAFKA"));
        assert!(!is_config_variable("JSON_LOGS"));
        assert!(!is_config_variable("KEY"));
    }

    #[test]
    fn every_section_is_a_field_of_the_config() {
        let fields = figment::Figment::from(Serialized::defaults(OrcaConfig::default()))
            .extract::<std::collections::BTreeMap<String, figment::value::Value>>()
            .expect("the defaults serialise");
        let mut fields: Vec<&str> = fields.keys().map(String::as_str).collect();
        let mut sections = SECTIONS.to_vec();
        fields.sort_unstable();
        sections.sort_unstable();
        assert_eq!(fields, sections);
    }

    #[test]
    fn a_lease_time_outside_its_range_is_refused_with_the_range() {
        let mut config = OrcaConfig::default();
        assert!(config.validate().is_ok(), "the default lease time is valid");
        for (ttl, valid) in [(0, false), (299, false), (300, true), (600_000, true), (600_001, false)] {
            config.runner.lease_ttl_ms = ttl;
            match config.validate() {
                Ok(()) => assert!(valid, "{ttl} ms was accepted"),
                Err(error) => {
                    assert!(!valid, "{ttl} ms was refused: {error}");
                    assert!(error.to_string().contains("`runner.lease_ttl_ms` must be between 300"), "{error}");
                }
            }
        }
    }

    #[test]
    fn an_out_of_range_resolver_or_linker_setting_is_refused_at_start_with_its_key() {
        let mut config = OrcaConfig::default();
        config.resolver.link_probability = 1.5;
        let error = config.validate().unwrap_err().to_string();
        assert!(error.contains("`resolver.link_probability` must be in (0, 1), got 1.5"), "{error}");
        let mut config = OrcaConfig::default();
        config.resolver.face_lsh_bits = 0;
        let error = config.validate().unwrap_err().to_string();
        assert!(error.contains("`resolver.face_lsh_bits` must be 1 to 32"), "{error}");
        let mut config = OrcaConfig::default();
        config.linker.links.half_life_days = 0.0;
        let error = config.validate().unwrap_err().to_string();
        assert!(error.contains("`linker.links.half_life_days` must be a number above 0"), "{error}");
    }
}
