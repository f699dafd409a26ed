//! The linker stage: reads `orca.v1.Resolution`s from `orca.resolutions.v1` (and the outcomes
//! forces record, `orca.v1.PackageOutcome` from `orca.outcomes.v1`), hands them to
//! [`orca_network::Linker`] one at a time (apply, then recompute, so what it decides does not depend
//! on batch boundaries), publishes once per batch (every package whose content changed, appended
//! to `orca.packages.v1` keyed by package id: a package touched many times in one batch gets one
//! version), and stores the analyst views of the persons and groups the batch touched (see
//! [`views`]). Relinks (resolutions without their incident, sent by the resolver after an
//! analyst's decision) re-state the links of incidents the linker holds; one for an incident it
//! does not hold is ignored. State lives under `network.*` and views under `view.*`, written with
//! the offsets.

pub mod views;

use orca_eventlog::topics;
use orca_network::{Applied, Linker, LinkerConfig};
use orca_proto::convert;
use orca_stage::{Batch, DeadLetter, OutRecord, Record, Stage};
use orca_store::Store;
use prost::Message;
use tracing::{debug, info};

pub const STAGE_NAME: &str = "linker";
/// What the linker reads: resolutions, and forces' outcomes (carried in packages' next versions).
pub const INPUT_TOPICS: [&str; 2] = [topics::RESOLUTIONS, topics::OUTCOMES];

/// The format of the state this stage stores under [`STATE_PREFIX`] (see `orca_stage::state_format`).
pub const STATE_FORMAT: u32 = 1;
/// Where the linker's state lives in the store (`network.entity`, `network.group`, …).
pub const STATE_PREFIX: &str = "network.";

/// The one way to load the linker's stored state: checks its format version, then restores it.
/// The running stage passes its config; readers that only look at what it found (`orca eval`, the
/// demo's summary, the end-to-end tests) may pass any, since restoring reads none of it (it steers
/// only what the linker does with its next input).
pub async fn load(store: &dyn Store, config: LinkerConfig) -> Result<Linker, LinkerServiceError> {
    orca_stage::state_format::check_state_format(store, STATE_PREFIX, STATE_FORMAT).await?;
    let records = store.load_state(STATE_PREFIX).await?;
    let count = records.len();
    let linker = Linker::restore(config, records)?;
    debug!(records = count, "linker state loaded");
    Ok(linker)
}

#[derive(Debug, thiserror::Error)]
pub enum LinkerServiceError {
    #[error("loading linker state: {0}")]
    Store(orca_store::StoreError),
    #[error(transparent)]
    Format(#[from] orca_stage::state_format::StateFormatError),
    #[error("restoring linker state: {0}")]
    Restore(orca_network::RestoreError),
}

impl From<orca_store::StoreError> for LinkerServiceError {
    fn from(error: orca_store::StoreError) -> Self {
        Self::Store(error)
    }
}

impl From<orca_network::RestoreError> for LinkerServiceError {
    fn from(error: orca_network::RestoreError) -> Self {
        Self::Restore(error)
    }
}

impl LinkerServiceError {
    /// Whether restoring again later may succeed (a store that is unavailable right now); state
    /// that cannot be read will not read later either.
    pub fn is_retryable(&self) -> bool {
        match self {
            LinkerServiceError::Store(error) => error.is_retryable(),
            LinkerServiceError::Format(error) => error.is_retryable(),
            LinkerServiceError::Restore(_) => false,
        }
    }
}

pub struct LinkerStage {
    linker: Linker,
}

impl LinkerStage {
    pub async fn restore(store: &dyn Store, config: LinkerConfig) -> Result<Self, LinkerServiceError> {
        let linker = load(store, config).await?;
        info!(stats = ?linker.stats(), "linker restored");
        Ok(Self { linker })
    }

    pub fn linker(&self) -> &Linker {
        &self.linker
    }
}

impl Stage for LinkerStage {
    fn name(&self) -> &'static str {
        STAGE_NAME
    }

    fn input_topics(&self) -> Vec<String> {
        INPUT_TOPICS.map(str::to_owned).to_vec()
    }

    /// Applies and recomputes one resolution at a time, so what the linker finds depends only on
    /// the order of its input and not on where batches were cut (a restart after a crash, or a
    /// backlog read in one go, ends where an uninterrupted run ends), then publishes the batch's
    /// packages. Where batches were cut decides only which intermediate package versions are
    /// published: a backlog read in one go skips them (a year loaded in bulk would otherwise
    /// publish a group's whole history again with every incident), and a package that came and
    /// went inside one batch was never sent, so it is not withdrawn either.
    fn process(&mut self, records: &[Record]) -> Batch {
        let mut batch = Batch::default();
        for record in records {
            if record.topic == topics::OUTCOMES {
                let decoded = orca_proto::v1::PackageOutcome::decode(record.value.as_slice())
                    .map_err(|e| format!("not an `orca.v1.PackageOutcome`: {e}"))
                    .and_then(|proto| convert::package_outcome_from_proto(proto).map_err(|e| e.to_string()));
                match decoded {
                    Ok(outcome) => {
                        if !self.linker.record_outcome(outcome) {
                            debug!("outcome already recorded; ignored");
                        }
                    }
                    Err(error) => batch.dead_letters.push(DeadLetter { record: record.clone(), error }),
                }
                continue;
            }
            if record.value.is_empty() {
                // A null tombstone after a disposal (whose record came first), or a record
                // compaction erased.
                continue;
            }
            let decoded = orca_proto::v1::Resolution::decode(record.value.as_slice())
                .map_err(|e| format!("not an `orca.v1.Resolution`: {e}"))
                .and_then(|proto| convert::resolution_from_proto(proto).map_err(|e| e.to_string()));
            match decoded {
                Ok(resolution) => {
                    if self.linker.apply(&resolution) == Applied::UnknownIncident
                        && !resolution.incident_id.as_str().is_empty()
                    {
                        debug!(incident = %resolution.incident_id, "relink of an incident the linker does not hold; ignored");
                    }
                    self.linker.recompute();
                    debug!(incident_id = %resolution.incident_id, "linked");
                }
                Err(error) => batch.dead_letters.push(DeadLetter { record: record.clone(), error }),
            }
        }
        for package in self.linker.publish() {
            debug!(package = %package.id, version = package.version, withdrawn = package.withdrawn, "published");
            let value = convert::package_to_proto(&package).encode_to_vec();
            let key = package.id.as_str().as_bytes().to_vec();
            batch.outputs.push(OutRecord::new(topics::PACKAGES, key, value));
        }
        let (touched_persons, touched_groups) = self.linker.take_touched();
        batch.state = self.linker.take_changes();
        views::write(&self.linker, &touched_persons, &touched_groups, &mut batch.state);
        batch
    }
}
