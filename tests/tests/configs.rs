//! The example configurations in `infra/config/` load, say what their comments say, and the compose
//! file runs every stage with the distributed one.

use orca_runtime::{LogConfig, OrcaConfig};
use std::path::PathBuf;

fn infra(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../infra").join(path)
}

fn load(name: &str) -> OrcaConfig {
    let path = infra(&format!("config/{name}"));
    OrcaConfig::load(Some(&path)).unwrap_or_else(|error| panic!("`{}` does not load: {error}", path.display()))
}

#[test]
fn the_embedded_example_runs_everything_in_process() {
    let config = load("embedded.toml");
    assert!(matches!(config.log, LogConfig::Embedded));
    assert_eq!(config.store_url(), "sqlite://.orca/data/orca.db");
}

#[test]
fn the_distributed_example_uses_kafka_and_postgres() {
    let config = load("distributed.toml");
    let LogConfig::Kafka { bootstrap_servers, session_timeout_ms, .. } = &config.log else {
        panic!("distributed.toml should use Kafka, not {:?}", config.log)
    };
    assert_eq!(bootstrap_servers, "kafka:9092");
    assert_eq!(*session_timeout_ms, 6_000);
    assert!(config.store_url().starts_with("postgres://"), "{}", config.store_url());
    assert_eq!(config.grpc_addr.ip().to_string(), "0.0.0.0", "reachable from other containers");
    assert!(config.tls.enabled() && !config.tls.allow_plaintext, "TLS by default");
    let LogConfig::Kafka { properties, .. } = &config.log else { unreachable!() };
    assert_eq!(properties["security.protocol"], "SSL");
    assert!(config.store_url().contains("sslmode=verify-full"), "{}", config.store_url());
}

#[test]
fn the_tansu_example_points_at_local_services() {
    let config = load("tansu-dev.toml");
    let LogConfig::Kafka { bootstrap_servers, .. } = &config.log else { panic!("tansu-dev.toml should use Kafka") };
    assert_eq!(bootstrap_servers, "127.0.0.1:9092");
    assert!(config.store_url().starts_with("postgres://postgres@127.0.0.1:5432/"));
    assert_eq!(config.topics.partitions, 1);
}

#[test]
fn compose_runs_each_stage_with_the_distributed_config() {
    let path = infra("compose.yaml");
    let compose = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading `{}`: {e}", path.display()));
    for stage in ["ingest", "resolver", "linker", "intel"] {
        let command = format!("[\"serve\", \"{stage}\", \"--config\", \"/etc/orca/distributed.toml\"]");
        assert!(
            compose.contains(&command),
            "compose.yaml does not run `orca serve {stage}` with the distributed config"
        );
    }
    assert!(compose.contains("./config/distributed.toml:/etc/orca/distributed.toml:ro"));
}
