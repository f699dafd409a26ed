//! `google.protobuf.Timestamp` (pbjson-types) ↔ `chrono::DateTime<Utc>`.
//!
//! The protobuf type allows seconds from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z and nanos in
//! `0..=999_999_999`; anything else is invalid (chrono would read a second `nanos` as a leap second, and
//! proto3 JSON cannot print it).

use super::INVALID_TIMESTAMP;
use chrono::{DateTime, Utc};
use orca_model::Problem;
use pbjson_types::Timestamp;

/// Seconds of 0001-01-01T00:00:00Z, the earliest valid timestamp.
pub const MIN_TIMESTAMP_SECONDS: i64 = -62_135_596_800;
/// Seconds of 9999-12-31T23:59:59Z, the latest valid timestamp.
pub const MAX_TIMESTAMP_SECONDS: i64 = 253_402_300_799;

pub fn timestamp_to_proto(time: DateTime<Utc>) -> Timestamp {
    Timestamp::from(time)
}

/// The instant a timestamp stands for, or why it stands for none.
pub fn timestamp_from_proto(timestamp: &Timestamp) -> Result<DateTime<Utc>, String> {
    let Timestamp { seconds, nanos } = *timestamp;
    if !(0..1_000_000_000).contains(&nanos) {
        return Err(format!("nanos {nanos} is outside 0..=999999999"));
    }
    if !(MIN_TIMESTAMP_SECONDS..=MAX_TIMESTAMP_SECONDS).contains(&seconds) {
        return Err(format!("seconds {seconds} is outside the years 0001 to 9999"));
    }
    DateTime::from_timestamp(seconds, nanos.unsigned_abs()).ok_or_else(|| format!("{seconds}s {nanos}ns is not a time"))
}

/// An optional timestamp field: `None` stays `None`, an invalid one is an `invalid-timestamp` problem.
pub(crate) fn optional_timestamp(
    timestamp: Option<Timestamp>,
    field: impl FnOnce() -> String,
) -> Result<Option<DateTime<Utc>>, Problem> {
    timestamp
        .map(|t| timestamp_from_proto(&t).map_err(|reason| Problem::new(field(), INVALID_TIMESTAMP, reason)))
        .transpose()
}

pub(crate) fn optional_timestamp_to_proto(time: Option<DateTime<Utc>>) -> Option<Timestamp> {
    time.map(timestamp_to_proto)
}
