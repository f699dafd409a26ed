//! ORCA's wire contract: the `orca.v1` protobuf package.
//!
//! - [`v1`] holds the generated messages, the gRPC clients and servers, and serde impls that follow
//!   the canonical proto3 JSON mapping (so `incidents.jsonl` and `POST /v1/incidents` accept exactly
//!   what gRPC does, with `camelCase` or `snake_case` field names).
//! - [`convert`] is the one boundary where these messages map onto the domain model (`orca-model`):
//!   structural conversion of submitted incidents with every problem reported by field path, lossless
//!   conversion of the records ORCA writes (incidents, resolutions, packages), and JSON lines.
//! - [`FILE_DESCRIPTOR_SET`] feeds gRPC reflection, so `grpcurl` works against every server.
//!
//! This crate depends on `orca-model`, never the reverse: the model knows nothing of protobuf, and
//! services convert at their edges with [`convert`] so that pipelines see only model types.

#[allow(clippy::all, clippy::pedantic, rust_2018_idioms, missing_docs)] // generated code
pub mod v1 {
    tonic::include_proto!("orca.v1");
    include!(concat!(env!("OUT_DIR"), "/orca.v1.serde.rs"));
}

pub mod codec;
pub mod convert;

/// Encoded descriptors of every ORCA proto file, for `tonic-reflection`.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/orca_descriptor.bin"));

#[cfg(test)]
mod tests;
