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

/// Problem codes ingest adds to the model's validation codes.
pub mod codes {
    /// The record names a retailer other than the caller's.
    pub const WRONG_RETAILER: &str = "wrong-retailer";
    /// A different record was already received under the same reference, and no
    /// `correction_reason` says it corrects it.
    pub const CHANGED_RESUBMISSION: &str = "changed-resubmission";
    /// The reference names a report that was withdrawn: it cannot be sent again or corrected.
    pub const WITHDRAWN: &str = "withdrawn";
    /// Warning: a place in the report an analyst erased a person from stays erased.
    pub const ERASED: &str = "erased";
    /// A correction or withdrawal reason that is blank, too long or not text.
    pub const INVALID_REASON: &str = "invalid-reason";
    /// A withdrawal of a reference never accepted.
    pub const NOT_FOUND: &str = "not-found";
    /// The record is not valid proto3 JSON for `orca.v1.Incident`.
    pub const INVALID_JSON: &str = "invalid-json";
    /// A required part of the request is absent.
    pub const MISSING: &str = "missing";
    /// A gRPC request that is not a valid protobuf message (a string that is not UTF-8, say).
    pub const UNDECODABLE: &str = "undecodable";
    /// The request already had as many rejected records kept as it may; this one was not kept.
    pub const TOO_MANY_REJECTIONS: &str = "too-many-rejections";
    /// Only the beginning of a long rejected record was kept.
    pub const PAYLOAD_CUT: &str = "payload-cut";
    /// Most of an HTTP body could not be read as incidents; none of it was taken.
    pub const MOSTLY_UNREADABLE: &str = "mostly-unreadable";
}
