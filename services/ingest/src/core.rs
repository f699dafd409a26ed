//! [`IngestCore`]: the ingest logic every surface shares (gRPC, HTTP, bulk loads).
//!
//! A batch goes through four steps, and each record's ack says how far it got:
//!
//! 1. **prepare** (on a blocking thread): check the caller, convert, validate, normalise, hash;
//! 2. **claim** `(retailer, retailer_ref)` for every valid record in one store round trip: a new or
//!    unpublished claim with the same content is appended; a published one with the same content is
//!    a DUPLICATE; different content under a known reference is the claim's next revision when it
//!    carries a `correction_reason` (a correction), and is rejected otherwise
//!    (`changed-resubmission`); a withdrawn reference is rejected (`withdrawn`);
//! 3. **append** the batch's incidents and dead letters in one call, and wait until it is durable;
//! 4. **mark** the appended incidents published (one round trip) and keep every rejected record.
//!
//! Only then are records ACCEPTED or REJECTED. A retryable failure of the log or the store turns the
//! records it concerns into RETRY and leaves them unpublished, so sending them again is safe: an
//! unpublished claim with the same content is appended again (downstream stages ignore an incident
//! id they already hold). A reference repeated within one batch is claimed only after the records
//! before it are settled, so it meets its own earlier claim.

use crate::config::IngestConfig;
use crate::metrics::{record_batch, record_outcome};
use crate::prepare::{Context, Prepared, Rejection, ValidRecord, prepare};
use crate::stores::StoreDirectory;
use crate::submission::{Channel, Submission, SubmittedRecord, codes, dead_letter_headers};
use crate::{IngestError, Result};
use orca_auth::{Caller, PrincipalKind, RateLimiter};
use orca_eventlog::{EventLog, OutRecord, topics};
use orca_model::Problem;
use orca_proto::convert::problem_to_proto;
use orca_proto::v1::{self, IngestStatus};
use orca_store::{ClaimOutcome, IncidentClaim, PublishedReport, RejectedRecord, Revision, Store};
use prost::Message;
use sha2::Digest;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tracing::{instrument, warn};

/// The ingest logic shared by every surface. Cheap to share behind an `Arc`.
pub struct IngestCore {
    config: Arc<IngestConfig>,
    /// Records per retailer key.
    pub(crate) records: RateLimiter,
    pub(crate) log: Arc<dyn EventLog>,
    pub(crate) store: Arc<dyn Store>,
    stores: StoreDirectory,
}

/// A batch that passed step 1 ([`IngestCore::prepare_batch`]), waiting to be settled.
pub struct PreparedBatch {
    retailer: String,
    channel: Channel,
    /// Sequence and client reference of each record, for its ack.
    labels: Vec<(u64, String)>,
    prepared: Vec<Prepared>,
    started: Instant,
}

/// How many more rejected records one request (or stream) may have kept: it starts at
/// `max_rejected_per_request` and every accepted record adds one, so a feed that is mostly good
/// never meets it and one that is garbage stops filling the store after a bounded number.
#[derive(Debug)]
pub struct RejectionBudget {
    left: usize,
}

impl RejectionBudget {
    fn spend(&mut self) -> bool {
        self.left.checked_sub(1).map(|left| self.left = left).is_some()
    }

    fn earn(&mut self, records: usize) {
        self.left = self.left.saturating_add(records);
    }
}

impl PreparedBatch {
    pub fn len(&self) -> usize {
        self.prepared.len()
    }

    pub fn is_empty(&self) -> bool {
        self.prepared.is_empty()
    }
}

impl IngestCore {
    /// Validates the configuration and loads the registered stores. The incident and dead-letter
    /// topics must exist (`orca_eventlog::topics::default_specs`); the runtime creates them.
    pub async fn new(config: IngestConfig, log: Arc<dyn EventLog>, store: Arc<dyn Store>) -> Result<Self> {
        config.validate()?;
        let stores = StoreDirectory::load(store.as_ref()).await?;
        let records = RateLimiter::new(config.records_per_key);
        Ok(Self { config: Arc::new(config), records, log, store, stores })
    }

    pub fn config(&self) -> &IngestConfig {
        &self.config
    }

    /// Waits until `caller` may send `records` more records (streams are slowed, not refused).
    pub async fn pace_records(&self, caller: &Caller, records: usize) {
        self.records.take(&caller.key_id, records as f64).await;
    }

    /// A fresh [`RejectionBudget`] for one request or stream.
    pub fn rejection_budget(&self) -> RejectionBudget {
        RejectionBudget { left: self.config.max_rejected_per_request }
    }

    /// Keeps what can be kept of a body refused as a whole (its beginning, cut to
    /// `max_kept_rejected_bytes`) with the reason. Best effort: the caller is refused either way.
    pub async fn keep_refused_body(&self, caller: &Caller, channel: Channel, body: &[u8], problem: Problem) {
        let Ok(retailer) = caller.require(PrincipalKind::Retailer) else { return };
        let (payload, cut) = kept_payload(body, self.config.max_kept_rejected_bytes);
        let problems: Vec<_> = std::iter::once(problem).chain(cut).collect();
        let record = RejectedRecord {
            id: 0,
            retailer: retailer.to_owned(),
            retailer_ref: String::new(),
            channel: channel.as_str().to_owned(),
            received_at_ms: chrono::Utc::now().timestamp_millis(),
            payload,
            problems: serde_json::to_string(&problems).unwrap_or_else(|_| "[]".to_owned()),
        };
        if let Err(error) = self.store.put_rejected(&record).await {
            warn!(%error, "cannot keep a refused body");
        }
    }

    /// Ingests records from one retailer; one ack per submission, in order. Fails as a whole only
    /// for a caller that is not a retailer or a failure that retrying cannot fix (the records
    /// before it may then have been processed; sending them again is safe).
    #[instrument(skip_all, fields(key_id = %caller.key_id, channel = channel.as_str(), records = submissions.len()))]
    pub async fn ingest(
        &self,
        caller: &Caller,
        channel: Channel,
        submissions: Vec<Submission>,
    ) -> Result<Vec<v1::IngestAck>> {
        caller.require(PrincipalKind::Retailer)?;
        self.records.try_take(&caller.key_id, submissions.len() as f64).map_err(IngestError::TooManyRecords)?;
        let mut acks = Vec::with_capacity(submissions.len());
        let mut budget = self.rejection_budget();
        let mut submissions = submissions.into_iter().peekable();
        let mut next_batch = || {
            let batch: Vec<_> = submissions.by_ref().take(self.config.max_batch).collect();
            (!batch.is_empty()).then_some(batch)
        };
        let mut settling = match next_batch() {
            Some(batch) => Some(self.prepare_batch(caller, channel, batch).await?),
            None => None,
        };
        // Batch N + 1 is validated while batch N is made durable.
        while let Some(current) = settling.take() {
            let upcoming = next_batch();
            let (settled, prepared) = tokio::join!(self.settle_batch(current, &mut budget), async {
                match upcoming {
                    Some(batch) => Some(self.prepare_batch(caller, channel, batch).await),
                    None => None,
                }
            });
            acks.extend(settled?);
            settling = prepared.transpose()?;
        }
        Ok(acks)
    }

    /// Step 1 of [`IngestCore::ingest`] for one batch (of any size): checks, conversion,
    /// validation. A caller may prepare the next batch while the previous one settles, but must
    /// settle batches in the order it sent them.
    pub async fn prepare_batch(
        &self,
        caller: &Caller,
        channel: Channel,
        batch: Vec<Submission>,
    ) -> Result<PreparedBatch> {
        let started = Instant::now();
        let retailer = caller.require(PrincipalKind::Retailer)?;
        let (labels, records): (Vec<_>, Vec<_>) =
            batch.into_iter().map(|s| ((s.sequence, s.client_ref), s.record)).unzip();
        let mut prepared = self.prepare_all(retailer, &caller.key_id, channel, records).await?;
        self.retry_unknown_stores(retailer, &caller.key_id, channel, &mut prepared).await?;
        Ok(PreparedBatch { retailer: retailer.to_owned(), channel, labels, prepared, started })
    }

    /// Steps 2 to 4 of [`IngestCore::ingest`] for a prepared batch: its acks, in order. `budget`
    /// is the request's (see [`RejectionBudget`]).
    pub async fn settle_batch(&self, batch: PreparedBatch, budget: &mut RejectionBudget) -> Result<Vec<v1::IngestAck>> {
        let PreparedBatch { retailer, channel, labels, mut prepared, started } = batch;
        let mut acks: Vec<v1::IngestAck> = Vec::with_capacity(prepared.len());
        let mut start = 0;
        while start < prepared.len() {
            let end = end_of_round(&prepared, start);
            acks.extend(self.settle_round(&retailer, channel, &mut prepared[start..end], budget).await?);
            start = end;
        }
        for (ack, (sequence, client_ref)) in acks.iter_mut().zip(labels) {
            ack.sequence = sequence;
            ack.client_ref = client_ref;
        }
        record_batch(channel.as_str(), started.elapsed());
        count_outcomes(channel, &acks);
        for ack in &acks {
            let status = IngestStatus::try_from(ack.status).map_or("unknown", |status| status.as_str_name());
            tracing::debug!(incident_id = %ack.incident_id, retailer_ref = %ack.retailer_ref, status, "acknowledged");
        }
        Ok(acks)
    }

    /// Registers the caller's stores; see [`crate::registration`] for the rules.
    #[instrument(skip_all, fields(key_id = %caller.key_id, stores = registrations.len()))]
    pub async fn register_stores(
        &self,
        caller: &Caller,
        registrations: &[v1::StoreRegistration],
    ) -> Result<v1::RegisterStoresResponse> {
        let retailer = caller.require(PrincipalKind::Retailer)?;
        self.stores.register(self.store.as_ref(), retailer, registrations).await
    }

    /// Step 1, on a blocking thread: validation is CPU work.
    async fn prepare_all(
        &self,
        retailer: &str,
        key_id: &str,
        channel: Channel,
        records: Vec<SubmittedRecord>,
    ) -> Result<Vec<Prepared>> {
        let (retailer, key_id) = (retailer.to_owned(), key_id.to_owned());
        let config = Arc::clone(&self.config);
        let stores = self.stores.snapshot();
        tokio::task::spawn_blocking(move || {
            let now = chrono::Utc::now();
            let context =
                Context { retailer: &retailer, key_id: &key_id, channel, config: &config, stores: &stores, now };
            records.into_iter().map(|record| prepare(&context, record)).collect()
        })
        .await
        .map_err(|error| IngestError::Internal(format!("validation task failed: {error}")))
    }

    /// Records naming a store this instance does not know are checked again after reloading the
    /// registry, at most once per `store_refresh_interval_ms`.
    async fn retry_unknown_stores(
        &self,
        retailer: &str,
        key_id: &str,
        channel: Channel,
        prepared: &mut [Prepared],
    ) -> Result<()> {
        if !prepared.iter().any(Prepared::names_unknown_store) {
            return Ok(());
        }
        let min_age = Duration::from_millis(self.config.store_refresh_interval_ms);
        if !self.stores.refresh_if_stale(self.store.as_ref(), min_age).await? {
            return Ok(());
        }
        let mut again = Vec::new();
        let mut positions = Vec::new();
        for (position, record) in prepared.iter().enumerate() {
            if let Prepared::Invalid(rejection) = record
                && record.names_unknown_store()
                && let Ok(incident) = v1::Incident::decode(rejection.original.as_slice())
            {
                again.push(SubmittedRecord::Incident(incident));
                positions.push(position);
            }
        }
        let checked = self.prepare_all(retailer, key_id, channel, again).await?;
        for (position, record) in positions.into_iter().zip(checked) {
            prepared[position] = record;
        }
        Ok(())
    }

    /// Steps 2 to 4 for records whose references are distinct.
    async fn settle_round(
        &self,
        retailer: &str,
        channel: Channel,
        round: &mut [Prepared],
        budget: &mut RejectionBudget,
    ) -> Result<Vec<v1::IngestAck>> {
        let settles = match self.claim(retailer, round).await? {
            Some(claims) => Some(self.decide(retailer, &mut *round, claims).await?),
            None => None,
        };
        let limits = KeepLimits { budget, max_bytes: self.config.max_kept_rejected_bytes };
        let face_days = self.config.retention.face_template_days;
        let RoundPlan { mut acks, out, to_publish, to_keep } =
            plan_round(retailer, channel, round, settles, limits, face_days);
        if !out.is_empty()
            && let Err(error) = self.log.append(out).await
        {
            return retry_or_fail(IngestError::Log(error), acks);
        }
        if !to_publish.is_empty() {
            let (positions, reports): (Vec<usize>, Vec<PublishedReport>) = to_publish.into_iter().unzip();
            match self.store.mark_published_many(&reports).await {
                Ok(()) => positions.iter().for_each(|&p| acks[p].status = IngestStatus::Accepted as i32),
                Err(error) if error.is_retryable() => warn!(%error, "cannot mark incidents published; acking retry"),
                Err(error) => return Err(error.into()),
            }
        }
        for (position, record) in to_keep {
            match self.store.put_rejected(&record).await {
                Ok(_) => acks[position].status = IngestStatus::Rejected as i32,
                Err(error) if error.is_retryable() => warn!(%error, "cannot keep a rejected record; acking retry"),
                Err(error) => return Err(error.into()),
            }
        }
        for ack in &mut acks {
            if ack.status != IngestStatus::Accepted as i32 {
                ack.warnings.clear();
                ack.revision = 0;
            }
            if ack.status != IngestStatus::Rejected as i32 {
                ack.problems.clear();
            }
        }
        Ok(acks)
    }

    /// Claims the valid records of a round; `None` if the store is temporarily unavailable.
    async fn claim(&self, retailer: &str, round: &[Prepared]) -> Result<Option<Vec<ClaimOutcome>>> {
        let received_at_ms = chrono::Utc::now().timestamp_millis();
        let claims: Vec<_> = round
            .iter()
            .filter_map(|record| match record {
                Prepared::Valid(valid) => Some(IncidentClaim {
                    retailer: retailer.to_owned(),
                    retailer_ref: valid.retailer_ref.clone(),
                    incident_id: valid.incident_id.clone(),
                    content_hash: valid.content_hash.clone(),
                    received_at_ms,
                }),
                Prepared::Invalid(_) => None,
            })
            .collect();
        if claims.is_empty() {
            return Ok(Some(Vec::new()));
        }
        match self.store.claim_incidents(&claims).await {
            Ok(outcomes) => Ok(Some(outcomes)),
            Err(error) if error.is_retryable() => {
                warn!(%error, "cannot claim incidents; acking retry");
                Ok(None)
            }
            Err(error) => Err(error.into()),
        }
    }

    /// What to do with each valid record of a round, from its claim: a changed record with a
    /// correction reason becomes the claim's next revision here.
    async fn decide(&self, retailer: &str, round: &mut [Prepared], claims: Vec<ClaimOutcome>) -> Result<Vec<Settle>> {
        let valid = round.iter_mut().filter_map(|record| match record {
            Prepared::Valid(valid) => Some(valid),
            Prepared::Invalid(_) => None,
        });
        let mut settles = Vec::with_capacity(claims.len());
        for (valid, claim) in valid.zip(claims) {
            let settle = match claim {
                ClaimOutcome::New => Settle::Append { revision: 1 },
                ClaimOutcome::Published { withdrawn: true, .. } => Settle::Reject(Problem::new(
                    "retailer_ref",
                    codes::WITHDRAWN,
                    "this report was withdrawn; it cannot be sent again or corrected (a new report needs a new reference)",
                )),
                ClaimOutcome::Published { content_hash, .. } if content_hash == valid.content_hash => Settle::Duplicate,
                ClaimOutcome::Unpublished { content_hash, revision } if content_hash == valid.content_hash => {
                    Settle::Append { revision }
                }
                ClaimOutcome::Published { revision, .. } | ClaimOutcome::Unpublished { revision, .. }
                    if !valid.correction_reason.is_empty() =>
                {
                    self.revise(retailer, valid, revision).await?
                }
                ClaimOutcome::Published { revision, .. } | ClaimOutcome::Unpublished { revision, .. } => {
                    Settle::Reject(Problem::new(
                        "retailer_ref",
                        codes::CHANGED_RESUBMISSION,
                        format!(
                            "a different record was already received under this reference (revision {revision}); \
                             to correct it, send it again with `correction_reason` saying what changed and why"
                        ),
                    ))
                }
            };
            settles.push(settle);
        }
        Ok(settles)
    }

    /// Moves the claim of a corrected record to its next revision.
    /// Places an analyst erased stay erased in it.
    async fn revise(&self, retailer: &str, valid: &mut ValidRecord, replaces: u32) -> Result<Settle> {
        let revision = Revision {
            retailer: retailer.to_owned(),
            retailer_ref: valid.retailer_ref.clone(),
            replaces,
            content_hash: valid.content_hash.clone(),
            reason: valid.correction_reason.clone(),
            received_at_ms: chrono::Utc::now().timestamp_millis(),
        };
        match self.store.revise_incident(&revision).await {
            Ok(Some(revision)) => {
                self.erase_again(valid).await?;
                Ok(Settle::Append { revision })
            }
            // Changed by another request meanwhile: this one is answered RETRY and claims again.
            Ok(None) => Ok(Settle::Retry),
            Err(error) if error.is_retryable() => {
                warn!(%error, "cannot record a correction; acking retry");
                Ok(Settle::Retry)
            }
            Err(error) => Err(error.into()),
        }
    }
}

/// What settling a valid record does, decided from its claim.
enum Settle {
    /// Append it at this revision (a correction carries its reason), then mark it published.
    Append {
        revision: u32,
    },
    /// The same record is on the log already.
    Duplicate,
    Reject(Problem),
    /// Leave it RETRY.
    Retry,
}

/// What a round must make durable, decided from its claims (no I/O). Acks start as RETRY and are
/// settled by the caller once the writes they depend on succeed; duplicates need no write.
struct RoundPlan {
    acks: Vec<v1::IngestAck>,
    /// Incidents and dead letters, appended in one call.
    out: Vec<OutRecord>,
    /// The incidents in `out` by position, to mark published with their reports.
    to_publish: Vec<(usize, PublishedReport)>,
    /// Rejected records to keep, by position.
    to_keep: Vec<(usize, RejectedRecord)>,
}

/// What may be kept of a round's rejected records.
struct KeepLimits<'a> {
    budget: &'a mut RejectionBudget,
    max_bytes: usize,
}

/// `settles` holds one decision per valid record, in order; `None` if claiming failed (those
/// records stay RETRY). The values of incidents to append are moved out of `round`.
fn plan_round(
    retailer: &str,
    channel: Channel,
    round: &mut [Prepared],
    settles: Option<Vec<Settle>>,
    limits: KeepLimits<'_>,
    face_days: u32,
) -> RoundPlan {
    let mut plan = RoundPlan {
        acks: round.iter().map(pending_ack).collect(),
        out: Vec::new(),
        to_publish: Vec::new(),
        to_keep: Vec::new(),
    };
    let received_at_ms = chrono::Utc::now().timestamp_millis();
    let mut settles = settles.map(Vec::into_iter);
    for (position, record) in round.iter_mut().enumerate() {
        let (retailer_ref, original, problems) = match record {
            Prepared::Invalid(Rejection { retailer_ref, original, problems, .. }) => {
                (&*retailer_ref, &*original, problems.clone())
            }
            Prepared::Valid(valid) => {
                let Some(settle) = settles.as_mut().and_then(Iterator::next) else {
                    continue;
                };
                match settle {
                    Settle::Reject(problem) => (&valid.retailer_ref, &valid.original, vec![problem]),
                    Settle::Duplicate => {
                        plan.acks[position].status = IngestStatus::Duplicate as i32;
                        continue;
                    }
                    Settle::Retry => continue,
                    Settle::Append { revision } => {
                        let value = with_revision(std::mem::take(&mut valid.value), revision, &valid.correction_reason);
                        let report = PublishedReport {
                            retailer: retailer.to_owned(),
                            retailer_ref: valid.retailer_ref.clone(),
                            revision,
                            body: value.clone(),
                            faces_until_ms: valid
                                .has_faces
                                .then(|| crate::reissue::faces_due(received_at_ms, face_days)),
                        };
                        plan.out.push(OutRecord::new(topics::INCIDENTS, valid.incident_id.as_bytes(), value));
                        plan.to_publish.push((position, report));
                        plan.acks[position].revision = revision;
                        limits.budget.earn(1);
                        continue;
                    }
                }
            }
        };
        plan.acks[position].problems = problems.iter().map(problem_to_proto).collect();
        if !limits.budget.spend() {
            let problem = Problem::new(
                "",
                codes::TOO_MANY_REJECTIONS,
                "not kept: this request has had too many records rejected; fix the feed and send again",
            );
            plan.acks[position].problems.push(problem_to_proto(&problem));
            plan.acks[position].status = IngestStatus::Rejected as i32;
            continue;
        }
        let (payload, cut) = kept_payload(original, limits.max_bytes);
        let problems: Vec<_> = problems.into_iter().chain(cut).collect();
        let problems_json = serde_json::to_string(&problems).unwrap_or_else(|_| "[]".to_owned());
        plan.out.push(
            OutRecord::new(topics::DEAD_LETTERS, retailer_ref.as_bytes(), payload.clone())
                .with_header(dead_letter_headers::ERROR, problems_json.as_bytes())
                .with_header(dead_letter_headers::RETAILER, retailer.as_bytes())
                .with_header(dead_letter_headers::CHANNEL, channel.as_str().as_bytes()),
        );
        let rejected = RejectedRecord {
            id: 0,
            retailer: retailer.to_owned(),
            retailer_ref: retailer_ref.clone(),
            channel: channel.as_str().to_owned(),
            received_at_ms,
            payload,
            problems: problems_json,
        };
        plan.to_keep.push((position, rejected));
    }
    plan
}

/// What is kept of a rejected record: all of it, or its first `max` bytes and a problem saying how
/// long it was and its SHA-256 (so the sender can match it to what they sent).
fn kept_payload(original: &[u8], max: usize) -> (Vec<u8>, Option<Problem>) {
    if original.len() <= max {
        return (original.to_vec(), None);
    }
    let digest = hex::encode(sha2::Sha256::digest(original));
    let problem = Problem::new(
        "",
        codes::PAYLOAD_CUT,
        format!("only the first {max} of {} bytes were kept (SHA-256 of the whole: {digest})", original.len()),
    );
    (original[..max].to_vec(), Some(problem))
}

/// The ack a record gets unless a later step settles it: RETRY, with what is known so far.
fn pending_ack(record: &Prepared) -> v1::IngestAck {
    let (incident_id, retailer_ref, warnings) = match record {
        Prepared::Valid(valid) => (&valid.incident_id, &valid.retailer_ref, valid.warnings.clone()),
        Prepared::Invalid(rejection) => (&rejection.incident_id, &rejection.retailer_ref, Vec::new()),
    };
    v1::IngestAck {
        incident_id: incident_id.clone(),
        retailer_ref: retailer_ref.clone(),
        status: IngestStatus::Retry as i32,
        warnings,
        ..Default::default()
    }
}

/// The log's value of an incident at `revision`. A first revision is written as prepared; a later
/// one gets its revision and reason merged in by appending them (protobuf keeps the last value of
/// a field), so the common case costs nothing.
fn with_revision(mut value: Vec<u8>, revision: u32, reason: &str) -> Vec<u8> {
    if revision > 1 {
        let fields = v1::Incident { revision, correction_reason: reason.to_owned(), ..Default::default() };
        fields.encode(&mut value).expect("a Vec grows as needed");
    }
    value
}

/// A retryable failure leaves every unsettled record as RETRY; any other fails the call.
fn retry_or_fail(error: IngestError, acks: Vec<v1::IngestAck>) -> Result<Vec<v1::IngestAck>> {
    if !error.is_retryable() {
        return Err(error);
    }
    warn!(%error, "cannot append to the event log; acking retry");
    Ok(acks
        .into_iter()
        .map(|ack| match IngestStatus::try_from(ack.status) {
            Ok(IngestStatus::Duplicate) => ack,
            _ => {
                v1::IngestAck { status: IngestStatus::Retry as i32, problems: Vec::new(), warnings: Vec::new(), ..ack }
            }
        })
        .collect())
}

/// The end of the round starting at `start`: just before the first valid record whose reference
/// already appeared in the round (always at least one record).
fn end_of_round(prepared: &[Prepared], start: usize) -> usize {
    let mut seen = HashSet::new();
    for (offset, record) in prepared[start..].iter().enumerate() {
        if let Prepared::Valid(valid) = record
            && !seen.insert(valid.retailer_ref.as_str())
        {
            return start + offset;
        }
    }
    prepared.len()
}

fn count_outcomes(channel: Channel, acks: &[v1::IngestAck]) {
    let mut counts = [0u64; 5];
    for ack in acks {
        counts[usize::try_from(ack.status).unwrap_or(0).min(4)] += 1;
    }
    for (status, name) in [
        (IngestStatus::Accepted, "accepted"),
        (IngestStatus::Duplicate, "duplicate"),
        (IngestStatus::Rejected, "rejected"),
        (IngestStatus::Retry, "retry"),
    ] {
        record_outcome(channel.as_str(), name, counts[status as usize]);
    }
}
