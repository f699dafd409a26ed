//! Ingest: the surface retailers submit incidents through. It authenticates the retailer, validates
//! and normalises each incident, appends it to `orca.incidents.v1` and acknowledges it only once the
//! log has it durably. Resubmitting a record is a no-op (DUPLICATE); a changed record with a
//! `correction_reason` is the report's next revision (a correction); a record that fails validation
//! is REJECTED with every problem by field path, kept in the store and copied to
//! the dead-letter topic `orca.incidents.dlq.v1` (which every stage shares); nothing is silently dropped.
//!
//! - [`core`]: [`IngestCore`], the logic shared by every surface (batches, claims, appends, acks);
//!   [`PreparedBatch`] lets a surface validate one batch while the previous one is made durable.
//! - [`prepare`](crate::prepare): per-record checks, conversion, validation and content hashing (no I/O).
//! - [`grpc`]: [`IngestGrpc`], `orca.v1.IngestService` (`Submit`, `StreamIncidents`, `RegisterStores`,
//!   `Withdraw`, `ListRecords`).
//! - [`http`]: [`http_router`], `POST /v1/incidents` (JSON, NDJSON) and `POST /v1/stores`.
//! - [`lifecycle`]: withdrawing a report, and a retailer's listing of its records and their state.
//! - [`retention`]: the retention review, decisions to keep and disposal; [`reissue`]: revisions
//!   ORCA makes itself (face templates past the schedule, a person an analyst erased).
//! - [`registration`]: the rules for registering stores; [`stores`](crate::stores) keeps the registry.
//! - [`submission`]: what surfaces hand to the core, dead-letter headers, problem codes.
//! - [`config`], [`error`], [`metrics`]: settings, the error type and its code mapping, metrics.
//!
//! Wiring (the runtime's job): create the topics (`orca_eventlog::topics::default_specs`), build an
//! [`IngestCore`] over the event log and the store, an [`orca_auth::Authenticator`] over the store,
//! then serve `IngestGrpc::new(core, auth).into_server()` with tonic and [`http_router`] with axum,
//! and call [`metrics::describe`] once the metrics recorder is installed. A bulk loader calls
//! [`IngestCore::ingest`] with [`Channel::Bulk`].

pub mod config;
pub mod core;
pub mod error;
pub mod grpc;
pub mod http;
pub mod lifecycle;
pub mod metrics;
mod prepare;
pub mod registration;
pub mod reissue;
pub mod retention;
mod stores;
pub mod submission;

pub use crate::core::{IngestCore, PreparedBatch};
pub use config::IngestConfig;
pub use error::{IngestError, Result};
pub use grpc::IngestGrpc;
pub use http::{IngestResponse, http_router};
pub use submission::{Channel, Submission, SubmittedRecord};
