//! How state values and package bodies are stored: compressed with zstd when that saves space.
//!
//! Each row says how its bytes are stored in a `codec` column (0 as given, 1 zstd), so rows written
//! before compression existed, and values too small to be worth compressing, read as they are.
//! Package bodies (every offence of a group, repeated in each version) shrink several times over;
//! state values (one JSON or protobuf record each) less, but they are most of the store.

use crate::{Result, StoreError};
use std::borrow::Cow;

/// The bytes as given.
pub(crate) const RAW: i64 = 0;
/// A zstd frame holding the bytes.
pub(crate) const ZSTD: i64 = 1;

/// No value the store writes comes near this; a frame claiming more is damaged.
const MAX_VALUE_LEN: u64 = 1 << 30;

/// The codec and bytes to store for `bytes`: compressed only when that is smaller.
pub(crate) fn pack(bytes: &[u8]) -> (i64, Cow<'_, [u8]>) {
    match orca_compress::compress(bytes) {
        Some(compressed) => (ZSTD, Cow::Owned(compressed)),
        None => (RAW, Cow::Borrowed(bytes)),
    }
}

/// The bytes a row of `table` stored with `codec`.
pub(crate) fn unpack(codec: i64, stored: Vec<u8>, table: &'static str) -> Result<Vec<u8>> {
    match codec {
        RAW => Ok(stored),
        ZSTD => orca_compress::decompress(&stored, MAX_VALUE_LEN).map_err(|error| StoreError::Corrupt {
            table,
            reason: format!("a compressed value does not decode: {error}"),
        }),
        other => {
            Err(StoreError::Corrupt { table, reason: format!("unknown codec {other} (written by a newer ORCA?)") })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repetitive_values_are_stored_compressed_and_read_back_whole() {
        let body = "{\"offence\":\"theft from shop\",\"force\":\"Metropolitan Police\"}".repeat(200);
        let (codec, stored) = pack(body.as_bytes());
        assert_eq!(codec, ZSTD);
        assert!(stored.len() * 10 < body.len(), "{} bytes stored for {}", stored.len(), body.len());
        assert_eq!(unpack(codec, stored.into_owned(), "kv").unwrap(), body.as_bytes());
    }

    #[test]
    fn short_or_incompressible_values_are_stored_as_given() {
        assert_eq!(pack(b"{\"a\":1}"), (RAW, Cow::Borrowed(&b"{\"a\":1}"[..])));
        let mut generator = orca_model::hash::SplitMix64::new(1);
        let noise: Vec<u8> = (0..4096).map(|_| generator.next_u64() as u8).collect();
        let (codec, _) = pack(&noise);
        assert_eq!(codec, RAW);
    }

    #[test]
    fn a_damaged_or_unknown_encoding_is_reported_not_returned() {
        let error = unpack(ZSTD, b"not zstd".to_vec(), "packages").unwrap_err().to_string();
        assert!(error.contains("packages") && error.contains("does not decode"), "{error}");
        let error = unpack(7, Vec::new(), "kv").unwrap_err().to_string();
        assert!(error.contains("unknown codec 7"), "{error}");
    }
}
