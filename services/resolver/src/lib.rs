//! The resolver stage: reads normalised incidents from `orca.incidents.v1`, resolves their person
//! and vehicle sightings with [`orca_resolve::Resolver`], and appends an `orca.v1.Resolution` per
//! incident to `orca.resolutions.v1` (keyed by incident id; merges, splits and decision results go
//! as records of their own, see [`resolution_records`], so that the topic can be compacted). A correction (a later revision) is
//! resolved in place of the revision before; a withdrawal (header `orca-record: withdrawal`) takes
//! the report out of its entities and is passed on as a resolution carrying the withdrawal; a
//! disposal (a withdrawal marked `disposed`) also scrubs the report's content from the resolver's
//! state. Empty records (null tombstones, and records the embedded log's compaction erased) are
//! skipped. It also reads analysts' decisions
//! (`orca.v1.AnalystDecision`) from `orca.decisions.v1`, applies them with
//! [`Resolver::apply_event`] and appends the relinks they cause (resolutions without their incident,
//! keyed `<incident id>#relink`, then the decision's result) to `orca.resolutions.v1`. A
//! decision about a sighting not resolved yet waits; after each resolved incident the relinks of
//! the decisions it was waiting for follow its resolution. Records that cannot be read go to the
//! dead letters with the reason. Its state lives in the store under `resolve.*` and is restored from
//! there on start-up.
//!
//! This crate only decodes, converts and hands over; every decision is made in `orca-resolve`.

use orca_eventlog::topics;
use orca_proto::convert;
use orca_resolve::{Resolver, ResolverConfig};
use orca_stage::{Batch, DeadLetter, OutRecord, Record, Stage};
use orca_store::Store;
use prost::Message;
use tracing::{info, warn};

/// Consumer group and offset owner of the resolver.
pub const STAGE_NAME: &str = "resolver";
/// What the resolver reads: reports, and analysts' decisions about them.
pub const INPUT_TOPICS: [&str; 2] = [topics::INCIDENTS, topics::DECISIONS];

/// The format of the state this stage stores under `resolve.` (see `orca_stage::state_format`).
pub const STATE_FORMAT: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum ResolverServiceError {
    #[error("loading resolver state: {0}")]
    Store(orca_store::StoreError),
    #[error(transparent)]
    Format(#[from] orca_stage::state_format::StateFormatError),
    #[error("restoring resolver state: {0}")]
    Restore(orca_resolve::RestoreError),
}

impl From<orca_store::StoreError> for ResolverServiceError {
    fn from(error: orca_store::StoreError) -> Self {
        Self::Store(error)
    }
}

impl From<orca_resolve::RestoreError> for ResolverServiceError {
    fn from(error: orca_resolve::RestoreError) -> Self {
        Self::Restore(error)
    }
}

impl ResolverServiceError {
    /// Whether restoring again later may succeed (a store that is unavailable right now); state
    /// that cannot be read will not read later either.
    pub fn is_retryable(&self) -> bool {
        match self {
            ResolverServiceError::Store(error) => error.is_retryable(),
            ResolverServiceError::Format(error) => error.is_retryable(),
            ResolverServiceError::Restore(_) => false,
        }
    }
}

pub struct ResolverStage {
    resolver: Resolver,
}

impl ResolverStage {
    /// Rebuilds the resolver from the state it stored.
    pub async fn restore(store: &dyn Store, config: ResolverConfig) -> Result<Self, ResolverServiceError> {
        orca_stage::state_format::check_state_format(store, "resolve.", STATE_FORMAT).await?;
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

    /// Resolves an incident record: its resolution, then the relinks of decisions that waited for it.
    fn resolve_record(&mut self, record: &Record) -> Result<Vec<OutRecord>, String> {
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
        let entities = |links: &[orca_model::SightingLink]| {
            links.iter().map(|link| link.entity_id.as_str()).collect::<Vec<_>>().join(",")
        };
        tracing::debug!(
            incident_id = %incident.id,
            persons = %entities(&resolution.persons),
            vehicles = %entities(&resolution.vehicles),
            merges = resolution.merges.len(),
            "resolved"
        );
        let mut outputs = resolution_records(std::slice::from_ref(&resolution));
        outputs.extend(resolution_records(&self.resolver.take_ready_decisions()));
        Ok(outputs)
    }

    /// Applies a withdrawal (the tombstone of a report): the resolution that carries it.
    fn withdraw_record(&mut self, record: &Record) -> Result<Vec<OutRecord>, String> {
        let proto = orca_proto::v1::IncidentWithdrawal::decode(record.value.as_slice())
            .map_err(|e| format!("not an `orca.v1.IncidentWithdrawal`: {e}"))?;
        let withdrawal = convert::withdrawal_from_proto(proto).map_err(|e| format!("invalid withdrawal: {e}"))?;
        let resolution =
            if withdrawal.disposed { self.resolver.dispose(&withdrawal) } else { self.resolver.withdraw(&withdrawal) };
        Ok(resolution_records(std::slice::from_ref(&resolution)))
    }

    /// Applies a decision record: the relinks it causes (none while it waits for its incident, or
    /// when its id was applied before).
    fn decide_record(&mut self, record: &Record) -> Result<Vec<OutRecord>, String> {
        let proto = orca_proto::v1::AnalystDecision::decode(record.value.as_slice())
            .map_err(|e| format!("not an `orca.v1.AnalystDecision`: {e}"))?;
        let event = convert::decision_from_proto(proto).map_err(|e| format!("invalid decision: {e}"))?;
        let relinks = self.resolver.apply_event(&event);
        if let Some(result) = relinks.first().and_then(|r| r.decisions.first())
            && !result.applied
        {
            warn!(decision = %result.decision_id, reason = %result.message, "analyst decision refused");
        }
        Ok(resolution_records(&relinks))
    }
}

/// The records of resolutions on `orca.resolutions.v1`, which is compacted by key, so that the
/// latest record under each key tells a reader everything the earlier ones under it did. For each
/// resolution, in order:
///
/// 1. Its merges and splits, when it made any, as a record of its own with no incident, keyed by
///    what it says ([`changes_key`]); no later record supersedes it, so a merge an incident's first
///    resolution made is kept when a correction or a relink of that incident supersedes it.
/// 2. The resolution itself without them: a report's resolution or its withdrawal keyed by
///    incident id, a relink (which re-states all of the incident's links) keyed `<id>#relink`, so
///    that neither supersedes the other (a relink of an incident a replay has not read is ignored).
/// 3. After a disposal, null tombstones under both keys: compaction then drops everything the
///    topic held of the report.
///
/// Then the results of the decisions they answer, each as a record keyed `decision:<id>`: last,
/// so that an analyst told a decision was applied finds every relink it caused applied too.
/// Reports go without face templates: only the resolver compares them.
fn resolution_records(resolutions: &[orca_model::Resolution]) -> Vec<OutRecord> {
    let mut records = Vec::new();
    let mut decisions = Vec::new();
    for resolution in resolutions {
        if !(resolution.merges.is_empty() && resolution.splits.is_empty()) {
            let mut changes = orca_model::Resolution::bare(orca_model::IncidentId::new(""));
            changes.merges = resolution.merges.clone();
            changes.splits = resolution.splits.clone();
            records.push(bare_record(&changes));
        }
        for result in &resolution.decisions {
            let mut answer = orca_model::Resolution::bare(orca_model::IncidentId::new(""));
            answer.decisions = vec![result.clone()];
            decisions.push(bare_record(&answer));
        }
        let id = resolution.incident_id.as_str();
        if id.is_empty() {
            continue;
        }
        let mut proto = convert::resolution_to_proto(resolution);
        proto.merges.clear();
        proto.splits.clear();
        proto.decisions.clear();
        for person in proto.incident.iter_mut().flat_map(|incident| incident.persons.iter_mut()) {
            person.face = None;
        }
        let key = if resolution.is_relink() { relink_key(id) } else { id.to_owned() };
        records.push(OutRecord::new(topics::RESOLUTIONS, key, proto.encode_to_vec()));
        if resolution.withdrawal.as_ref().is_some_and(|withdrawal| withdrawal.disposed) {
            for key in [id.to_owned(), relink_key(id)] {
                records.push(OutRecord::new(topics::RESOLUTIONS, key, Vec::new()));
            }
        }
    }
    records.extend(decisions);
    records
}

/// The record of a resolution with no incident: entity changes, or a decision's result.
fn bare_record(resolution: &orca_model::Resolution) -> OutRecord {
    let value = convert::resolution_to_proto(resolution).encode_to_vec();
    OutRecord::new(topics::RESOLUTIONS, changes_key(resolution), value)
}

/// The key of an incident's relinks on `orca.resolutions.v1`.
fn relink_key(incident_id: &str) -> String {
    format!("{incident_id}#relink")
}

/// The key of a record of entity changes or a decision's result: the decision it answers, or else
/// the merges and splits it carries. New entity ids are never reused, so only the same change made
/// again (a merge a split had undone) shares a key, and the later record then stands in the
/// earlier one's stead.
fn changes_key(changes: &orca_model::Resolution) -> String {
    if let Some(decision) = changes.decisions.first() {
        return format!("decision:{}", decision.decision_id);
    }
    let kind = |kind: orca_model::EntityKind| match kind {
        orca_model::EntityKind::Person => "person",
        orca_model::EntityKind::Vehicle => "vehicle",
    };
    let merges = changes.merges.iter().map(|m| format!("merge/{}/{}/{}", kind(m.kind), m.survivor, m.merged.join(",")));
    let splits = changes.splits.iter().map(|s| format!("split/{}/{}/{}", kind(s.kind), s.from, s.new_ids.join(",")));
    let parts: Vec<String> = merges.chain(splits).collect();
    format!("entities:{}", parts.join(";"))
}

impl Stage for ResolverStage {
    fn name(&self) -> &'static str {
        STAGE_NAME
    }

    fn input_topics(&self) -> Vec<String> {
        INPUT_TOPICS.map(str::to_owned).to_vec()
    }

    fn process(&mut self, records: &[Record]) -> Batch {
        let mut batch = Batch::default();
        // Decisions a restore found ready (their incidents were resolved before they were stored).
        batch.outputs.extend(resolution_records(&self.resolver.take_ready_decisions()));
        for record in records {
            let outputs = match record.topic.as_str() {
                // A null tombstone (after a disposal, or a record compaction erased): nothing to do.
                topics::INCIDENTS if record.value.is_empty() => Ok(Vec::new()),
                topics::DECISIONS => self.decide_record(record),
                _ if record.header(topics::RECORD_KIND) == Some(topics::WITHDRAWAL.as_bytes()) => {
                    self.withdraw_record(record)
                }
                _ => self.resolve_record(record),
            };
            match outputs {
                Ok(outputs) => batch.outputs.extend(outputs),
                Err(error) => batch.dead_letters.push(DeadLetter { record: record.clone(), error }),
            }
        }
        batch.state = self.resolver.take_changes();
        batch
    }
}

#[cfg(test)]
mod tests;
