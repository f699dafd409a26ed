//! [`IngestConfig`]: how ingest labels, batches and bounds what it receives.

use crate::{IngestError, Result};
use orca_auth::Rate;
use serde::{Deserialize, Serialize};

/// Ingest settings; every field has a default, unknown fields are an error.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    /// An HTTP body with more records than this that cannot be read as incidents at all is refused
    /// as a whole (`400`, nothing taken) and only its beginning is kept.
    pub max_undecodable_per_body: usize,
    /// Rejected records one request or stream may have kept, beyond one per accepted record;
    /// records rejected past it are answered (`too-many-rejections`) but not kept.
    pub max_rejected_per_request: usize,
    /// Most bytes of a rejected record kept (in the store and on the dead-letter topic); a longer
    /// one is kept cut, with its full length and SHA-256.
    pub max_kept_rejected_bytes: usize,
    /// Records each retailer key may send: over it, HTTP and single submissions are refused
    /// (`429` / `RESOURCE_EXHAUSTED` with a retry hint) and streams are slowed down.
    pub records_per_key: Rate,
    /// Days a rejected record is kept (in the store, and on the dead-letter topic of a Kafka log
    /// created with this setting) for the retailer to fix and resend it; then it is purged.
    pub rejected_retention_days: u32,
    /// When accepted reports fall due for review (`[ingest.retention]`).
    pub retention: RetentionSchedule,
}

/// The review schedule of accepted reports (Management of Police Information: every record has a
/// review date; at review it is kept, with a recorded reason, or disposed of). A report falls due
/// `review_days` after its current revision was received; one cited by a standing package (it
/// supports a current group or prolific-offender profile) `supporting_review_days` after; an
/// analyst's decision to keep it (`IngestService.Retain`) sets its next review date instead.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionSchedule {
    /// Days from receipt to review of a report no standing package cites (default 2,190: six
    /// years, MoPI's minimum for intelligence of this kind before review).
    pub review_days: u32,
    /// Days from receipt to review of a report a standing package cites (default 3,650: ten
    /// years); also the longest an analyst's decision may keep a report from now.
    pub supporting_review_days: u32,
    /// Days from receipt a report's face templates are kept (default 730, two years): after that
    /// ORCA makes a revision of the report without them, so they leave every entity and index and,
    /// once the incident log is compacted, the log (the match they made is recomputed without
    /// them). At most `review_days`.
    pub face_template_days: u32,
}

impl Default for RetentionSchedule {
    fn default() -> Self {
        Self { review_days: 2_190, supporting_review_days: 3_650, face_template_days: 730 }
    }
}

impl RetentionSchedule {
    pub fn validate(&self) -> Result<()> {
        if !(1..=36_500).contains(&self.review_days) {
            return Err(IngestError::Config(format!(
                "`retention.review_days` must be 1 to 36500, not {}",
                self.review_days
            )));
        }
        if !(self.review_days..=36_500).contains(&self.supporting_review_days) {
            return Err(IngestError::Config(format!(
                "`retention.supporting_review_days` must be from `review_days` ({}) to 36500, not {}",
                self.review_days, self.supporting_review_days
            )));
        }
        if !(1..=self.review_days).contains(&self.face_template_days) {
            return Err(IngestError::Config(format!(
                "`retention.face_template_days` must be 1 to `review_days` ({}), not {}",
                self.review_days, self.face_template_days
            )));
        }
        Ok(())
    }
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
            max_undecodable_per_body: 100,
            max_rejected_per_request: 1_000,
            max_kept_rejected_bytes: 64 * 1024,
            records_per_key: Rate { per_second: 10_000.0, burst: 200_000.0 },
            rejected_retention_days: 90,
            retention: RetentionSchedule::default(),
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
        self.records_per_key.validate("records_per_key").map_err(IngestError::Config)?;
        if self.max_kept_rejected_bytes < 1024 {
            return invalid(format!(
                "`max_kept_rejected_bytes` must be at least 1024, not {}",
                self.max_kept_rejected_bytes
            ));
        }
        if !(1..=3_650).contains(&self.rejected_retention_days) {
            return invalid(format!(
                "`rejected_retention_days` must be 1 to 3650, not {}",
                self.rejected_retention_days
            ));
        }
        self.retention.validate()
    }

    /// How long a rejected record is kept.
    pub fn rejected_retention(&self) -> std::time::Duration {
        std::time::Duration::from_secs(u64::from(self.rejected_retention_days) * 86_400)
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
