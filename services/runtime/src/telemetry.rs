//! Logs and metrics, set up once per process.

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use tracing_subscriber::EnvFilter;

/// Whether `ORCA_JSON_LOGS` asks for JSON logs: set to anything but empty, `0`, `false`, `no` or
/// `off` (in any case).
pub fn json_logs_wanted(value: Option<&str>) -> bool {
    value.is_some_and(|v| !matches!(v.trim().to_ascii_lowercase().as_str(), "" | "0" | "false" | "no" | "off"))
}

/// Structured logs to stderr, filtered by `RUST_LOG`, else by `default_filter` (e.g. `warn` for
/// interactive commands, `info` for services). `json` switches to one JSON object per line.
pub fn init_logging(json: bool, default_filter: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    // Colours only on a terminal: a log file or a shipper gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    let result = if json { builder.json().try_init() } else { builder.compact().try_init() };
    // A second initialisation (tests, an embedded call) keeps the first subscriber.
    drop(result);
}

static PROMETHEUS: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process-wide Prometheus recorder; `render()` gives the exposition text for `/metrics`.
pub fn prometheus() -> &'static PrometheusHandle {
    PROMETHEUS.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&[0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0])
            .expect("static buckets are valid")
            .build_recorder();
        let handle = recorder.handle();
        // Only one global recorder can exist; later calls reuse the handle.
        drop(metrics::set_global_recorder(recorder));
        // What the ingest metrics mean, in `# HELP` lines beside them.
        orca_ingest::metrics::describe();
        handle
    })
}

#[cfg(test)]
mod metrics_tests {
    #[test]
    fn the_ingest_metrics_say_what_they_count() {
        let handle = super::prometheus();
        metrics::counter!(orca_ingest::metrics::RECORDS_TOTAL, "channel" => "grpc", "status" => "accepted")
            .increment(1);
        let text = handle.render();
        assert!(text.contains("# HELP orca_ingest_records_total incident records processed by ingest"), "{text}");
    }
}

#[cfg(test)]
mod json_logs_tests {
    use super::json_logs_wanted;

    #[test]
    fn json_logs_are_on_only_when_the_variable_says_so() {
        for on in ["1", "true", "yes", "ON"] {
            assert!(json_logs_wanted(Some(on)), "{on}");
        }
        for off in [None, Some(""), Some("0"), Some("false"), Some("No"), Some(" off ")] {
            assert!(!json_logs_wanted(off), "{off:?}");
        }
    }
}
