//! What a surface hands to ingest ([`Submission`]) and the labels ingest puts on what it writes.

use orca_model::Problem;
use orca_proto::v1;

/// The surface a record arrived on, recorded in its provenance and in metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Channel {
    Grpc,
    Http,
    /// Files loaded in bulk (e.g. `incidents.jsonl` through the CLI).
    Bulk,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Grpc => "grpc",
            Channel::Http => "http",
            Channel::Bulk => "bulk",
        }
    }
}

/// One record submitted by a retailer, with what identifies it in the reply.
#[derive(Clone, Debug, PartialEq)]
pub struct Submission {
    /// Position in the stream or body, counting from 0; echoed in the ack.
    pub sequence: u64,
    /// The client's correlation id; echoed in the ack.
    pub client_ref: String,
    pub record: SubmittedRecord,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SubmittedRecord {
    Incident(v1::Incident),
    /// A record that could not even be decoded (a malformed JSON line, a request with no incident):
    /// it is rejected and kept with its raw bytes.
    Undecodable {
        raw: Vec<u8>,
        /// The reference, if it could be read from the raw record.
        retailer_ref: String,
        /// Every problem found (at least one).
        problems: Vec<Problem>,
    },
}

impl Submission {
    pub fn incident(sequence: u64, client_ref: impl Into<String>, incident: v1::Incident) -> Self {
        Self { sequence, client_ref: client_ref.into(), record: SubmittedRecord::Incident(incident) }
    }

    pub fn undecodable(sequence: u64, raw: Vec<u8>, retailer_ref: String, problem: Problem) -> Self {
        Self::undecodable_with(sequence, raw, retailer_ref, vec![problem])
    }

    /// A record that could not be read, with every problem found in it.
    pub fn undecodable_with(sequence: u64, raw: Vec<u8>, retailer_ref: String, problems: Vec<Problem>) -> Self {
        Self {
            sequence,
            client_ref: String::new(),
            record: SubmittedRecord::Undecodable { raw, retailer_ref, problems },
        }
    }
}

/// Header names on the dead-letter topic (`orca.incidents.dlq.v1`).
pub mod dead_letter_headers {
    /// The problems, as JSON: `[{"field":..,"code":..,"reason":..}]`.
    pub const ERROR: &str = "orca-error";
    /// The authenticated retailer that sent the record.
    pub const RETAILER: &str = "orca-retailer";
    /// `grpc`, `http` or `bulk`.
    pub const CHANNEL: &str = "orca-channel";
}

/// Every problem code (`orca_model::problem::codes`, their one home), where ingest's modules look.
pub use orca_model::problem::codes;
