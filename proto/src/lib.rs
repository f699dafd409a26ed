//! ORCA's wire contract: the `orca.v1` protobuf package.
//!
//! - [`v1`] holds the generated messages, the gRPC clients and servers, and serde impls that follow
//!   the canonical proto3 JSON mapping (so `incidents.jsonl` and `POST /v1/incidents` accept exactly
//!   what gRPC does, with `camelCase` or `snake_case` field names).
//! - [`FILE_DESCRIPTOR_SET`] feeds gRPC reflection, so `grpcurl` works against every server.
//!
//! This crate knows nothing of the domain model; `orca-model` maps to and from it at one boundary
//! (`orca-model` does not depend on this crate; the mapping lives in `orca-ingest`'s `convert`).

#[allow(clippy::all, clippy::pedantic, rust_2018_idioms, missing_docs)] // generated code
pub mod v1 {
    tonic::include_proto!("orca.v1");
    include!(concat!(env!("OUT_DIR"), "/orca.v1.serde.rs"));
}

/// Encoded descriptors of every ORCA proto file, for `tonic-reflection`.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/orca_descriptor.bin"));

#[cfg(test)]
mod tests;
