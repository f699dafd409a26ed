//! The resolver stage: reads normalised incidents from `orca.incidents.v1`, resolves their person
//! and vehicle sightings with [`orca_resolve::Resolver`], and appends one `orca.v1.Resolution` per
//! incident to `orca.resolutions.v1` (keyed by incident id). Its state lives in the store under
//! `resolve.*` and is restored from there on start-up.
//!
//! This crate only decodes, converts and hands over; every decision is made in `orca-resolve`.

use orca_eventlog::topics;
use orca_proto::convert;
use orca_resolve::{Resolver, ResolverConfig};
use orca_stage::{Batch, DeadLetter, OutRecord, Record, Stage};
use orca_store::Store;
use prost::Message;
use tracing::info;

/// Consumer group and offset owner of the resolver.
pub const STAGE_NAME: &str = "resolver";

#[derive(Debug, thiserror::Error)]
pub enum ResolverServiceError {
    #[error("loading resolver state: {0}")]
    Store(#[from] orca_store::StoreError),
    #[error("restoring resolver state: {0}")]
    Restore(#[from] orca_resolve::RestoreError),
}

pub struct ResolverStage {
    resolver: Resolver,
}

impl ResolverStage {
    /// Rebuilds the resolver from the state it stored.
    pub async fn restore(store: &dyn Store, config: ResolverConfig) -> Result<Self, ResolverServiceError> {
        let records = store.load_state("resolve.").await?;
        let count = records.len();
        let resolver = Resolver::restore(config, records)?;
        let stats = resolver.stats();
        info!(records = count, ?stats, "resolver restored");
        Ok(Self { resolver })
    }

    pub fn resolver(&self) -> &Resolver {
        &self.resolver
    }

    fn resolve_record(&mut self, record: &Record) -> Result<OutRecord, String> {
        let proto = orca_proto::v1::Incident::decode(record.value.as_slice())
            .map_err(|e| format!("not an `orca.v1.Incident`: {e}"))?;
        let incident = convert::incident_from_proto(proto).map_err(|problems| {
            let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
            format!("invalid incident: {}", problems.join("; "))
        })?;
        if incident.id.as_str().is_empty() {
            return Err("incident has no `incident_id`; only ingest may write this topic".to_owned());
        }
        let resolution = self.resolver.resolve(&incident);
        let value = convert::resolution_to_proto(&resolution).encode_to_vec();
        Ok(OutRecord::new(topics::RESOLUTIONS, resolution.incident_id.as_str().as_bytes().to_vec(), value))
    }
}

impl Stage for ResolverStage {
    fn name(&self) -> &'static str {
        STAGE_NAME
    }

    fn input_topics(&self) -> Vec<String> {
        vec![topics::INCIDENTS.to_owned()]
    }

    fn process(&mut self, records: &[Record]) -> Batch {
        let mut batch = Batch::default();
        for record in records {
            match self.resolve_record(record) {
                Ok(output) => batch.outputs.push(output),
                Err(error) => batch.dead_letters.push(DeadLetter { record: record.clone(), error }),
            }
        }
        batch.state = self.resolver.take_changes();
        batch
    }
}
