//! [`IngestConfig`]: how ingest labels, batches and bounds what it receives.

use crate::{IngestError, Result};
use serde::{Deserialize, Serialize};

/// Ingest settings; every field has a default, unknown fields are an error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IngestConfig {
    /// Lawful basis recorded in every accepted incident's provenance.
    pub lawful_basis: String,
    /// Information sharing agreement recorded in every accepted incident's provenance.
    pub sharing_agreement: String,
    /// Most records validated, claimed and appended together (one store round trip, one append).
    pub max_batch: usize,
    /// Records a stream reads ahead while the previous batch is being made durable.
    pub stream_read_ahead: usize,
    /// Largest accepted HTTP body; larger bodies get `413 Payload Too Large`.
    pub http_body_limit_bytes: usize,
    /// When a record names a store this instance does not know, the registry is reloaded from the
    /// store (another instance may have registered it), at most this often.
    pub store_refresh_interval_ms: u64,
}

impl Default for IngestConfig {
    fn default() -> Self {
        Self {
            lawful_basis: "uk-gdpr-6-1-f".to_owned(),
            sharing_agreement: "pegasus-isa".to_owned(),
            max_batch: 500,
            stream_read_ahead: 1_000,
            http_body_limit_bytes: 64 * 1024 * 1024,
            store_refresh_interval_ms: 5_000,
        }
    }
}

impl IngestConfig {
    pub fn validate(&self) -> Result<()> {
        let invalid = |reason: String| Err(IngestError::Config(reason));
        if self.lawful_basis.trim().is_empty() {
            return invalid("`lawful_basis` must not be empty".to_owned());
        }
        if self.sharing_agreement.trim().is_empty() {
            return invalid("`sharing_agreement` must not be empty".to_owned());
        }
        if !(1..=10_000).contains(&self.max_batch) {
            return invalid(format!("`max_batch` must be 1 to 10000, not {}", self.max_batch));
        }
        if self.stream_read_ahead == 0 {
            return invalid("`stream_read_ahead` must be at least 1".to_owned());
        }
        if self.http_body_limit_bytes < 1024 {
            return invalid(format!(
                "`http_body_limit_bytes` must be at least 1024, not {}",
                self.http_body_limit_bytes
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_fill_missing_fields() {
        IngestConfig::default().validate().unwrap();
        let config: IngestConfig = serde_json::from_str(r#"{"max_batch": 100}"#).unwrap();
        assert_eq!(config.max_batch, 100);
        assert_eq!(config.lawful_basis, "uk-gdpr-6-1-f");
        assert_eq!(config.sharing_agreement, "pegasus-isa");
    }

    #[test]
    fn unknown_fields_and_bad_values_are_refused() {
        assert!(serde_json::from_str::<IngestConfig>(r#"{"max_bacth": 100}"#).is_err());
        let error = IngestConfig { max_batch: 0, ..IngestConfig::default() }.validate().unwrap_err();
        assert_eq!(error.to_string(), "invalid configuration: `max_batch` must be 1 to 10000, not 0");
    }
}
