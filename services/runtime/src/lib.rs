//! Wiring: configuration, telemetry, backends, and running ORCA's stages and surfaces in one
//! process (`orca serve all`, `orca demo`) or one stage per process (`orca serve <stage>`). The
//! stages cannot tell whether they run embedded (in-process log, SQLite) or distributed (Kafka,
//! PostgreSQL): the same code runs in both, over the `EventLog` and `Store` traits.
//!
//! - [`config`]: the layered, typed configuration.
//! - [`telemetry`]: logs and the Prometheus recorder.
//! - [`backends`]: opening the event log and the store.
//! - [`supervisor`]: restore a stage from the store, run it, restart it after a failure.
//! - [`app`]: one process's stages and servers, start-up and ordered shutdown.
//! - [`http`]: liveness, readiness and metrics endpoints.
//! - [`tls`]: TLS settings for the listeners, and plaintext kept to loopback.
//! - [`listener`]: serving over bounded connections (slots, header and handshake timeouts).
//! - [`request_span`]: a span with a request id around every gRPC and HTTP request.
//! - [`audit_anchor`]: copying the audit log's chain head outside the database.

pub mod app;
pub mod audit_anchor;
pub mod backends;
pub mod config;
pub mod http;
pub mod listener;
pub mod request_span;
pub mod retention;
pub mod status;
pub mod supervisor;
pub mod telemetry;
pub mod tls;

pub use app::{App, Roles, RunningApp};
pub use backends::Backends;
pub use config::{LogConfig, OrcaConfig};
