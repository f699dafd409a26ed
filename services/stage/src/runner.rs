use crate::lease::Lease;
use crate::{Batch, DeadLetter, Stage, dead_letter_headers as headers};
use orca_eventlog::fencing::{WRITER_EPOCH, WriterEpochs, writer_epoch};
use orca_eventlog::{EventLog, OutRecord, Position, Record, topics};
use orca_model::StateChange;
use orca_store::{OffsetRecord, Store};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

#[derive(Clone, Debug)]
pub struct RunnerConfig {
    /// Most records handed to the stage at once.
    pub batch_size: usize,
    /// Longest wait for a record before checking for shutdown again.
    pub poll_timeout: Duration,
    /// Where poison records go.
    pub dead_letter_topic: String,
    /// Longest pause between retries of a failing append.
    pub max_backoff: Duration,
    /// For a stage that indexes packages: how often, while its input is quiet, it applies queued
    /// disposals and erasures to earlier package versions that no new version will touch.
    pub history_every: Duration,
}

impl Default for RunnerConfig {
    fn default() -> Self {
        Self {
            batch_size: 2_000,
            poll_timeout: Duration::from_millis(500),
            dead_letter_topic: topics::DEAD_LETTERS.to_owned(),
            max_backoff: Duration::from_secs(5),
            history_every: Duration::from_secs(5),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    #[error("event log: {0}")]
    Log(orca_eventlog::Error),
    #[error("store: {0}")]
    Store(orca_store::StoreError),
    #[error("stage `{0}` panicked while processing a batch")]
    Panicked(&'static str),
}

impl From<orca_eventlog::Error> for RunnerError {
    fn from(error: orca_eventlog::Error) -> Self {
        Self::Log(error)
    }
}

impl From<orca_store::StoreError> for RunnerError {
    fn from(error: orca_store::StoreError) -> Self {
        Self::Store(error)
    }
}

impl RunnerError {
    /// Another process took the stage's lease: this one must stop writing and stand by.
    pub fn is_lease_lost(&self) -> bool {
        matches!(self, RunnerError::Store(orca_store::StoreError::LeaseLost { .. }))
    }
}

/// Runs one stage until shutdown. See the crate docs for the guarantees.
pub struct StageRunner<S: Stage> {
    stage: Option<S>,
    name: &'static str,
    log: Arc<dyn EventLog>,
    store: Arc<dyn Store>,
    config: RunnerConfig,
    /// Renewed in every commit's transaction: a commit after the lease was lost is refused.
    lease: Lease,
}

impl<S: Stage> StageRunner<S> {
    /// A runner for `stage`, which this process holds `lease` on (see [`crate::lease`]).
    pub fn new(stage: S, log: Arc<dyn EventLog>, store: Arc<dyn Store>, config: RunnerConfig, lease: Lease) -> Self {
        let name = stage.name();
        Self { stage: Some(stage), name, log, store, config, lease }
    }

    /// Applies queued disposals and erasures to earlier package versions in a transaction of its
    /// own, for a stage that indexes packages (a disposal whose packages get no new version, such
    /// as one of a report withdrawn long before, waits for no batch).
    async fn scrub_history_while_quiet(&mut self) -> Result<(), RunnerError> {
        let Some(history) = self.stage.as_ref().and_then(|stage| stage.package_history()) else { return Ok(()) };
        let mut tx = self.store.begin().await?;
        self.lease.renew_in(tx.as_mut()).await?;
        crate::history::scrub(tx.as_mut(), history, &[]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Consumes until `shutdown` is cancelled, then returns after the batch in hand is committed.
    /// Fails with [`RunnerError::is_lease_lost`] if another process took the lease meanwhile.
    pub async fn run(mut self, shutdown: CancellationToken) -> Result<(), RunnerError> {
        let topics = self.stage.as_ref().map(Stage::input_topics).unwrap_or_default();
        let stored = self.store.offsets(self.name).await?;
        let mut next = NextOffsets::default();
        for offset in &stored {
            next.set(&offset.topic, offset.partition, offset.next_offset);
        }
        let start = stored.iter().map(|o| Position::new(o.topic.clone(), o.partition, o.next_offset)).collect();
        let mut epochs = self.stored_epochs().await?;
        // A consumer group of this writer's own (`resolver.epoch-3`): the lease already makes it the
        // only reader, and a group a dead writer was the leader of can keep a new member waiting
        // for it (Tansu 0.6 left one unassigned for good).
        let group = format!("{}.epoch-{}", self.name, self.lease.epoch);
        let mut consumer = self.log.consumer(&group, &topics, start).await?;
        info!(stage = self.name, ?topics, "stage consuming");
        let mut history_checked = Instant::now();
        loop {
            let polled = tokio::select! {
                biased;
                () = shutdown.cancelled() => break,
                polled = consumer.poll(self.config.batch_size, self.config.poll_timeout) => polled,
            };
            let records = match polled {
                Ok(records) => records,
                Err(error) if error.is_retryable() => {
                    warn!(stage = self.name, %error, "poll failed; retrying");
                    continue;
                }
                Err(error) => return Err(error.into()),
            };
            // Records before the stored offsets were accounted for by an earlier transaction.
            let fresh: Vec<Record> =
                records.into_iter().filter(|r| r.offset >= next.get(&r.topic, r.partition)).collect();
            if fresh.is_empty() {
                if history_checked.elapsed() >= self.config.history_every {
                    self.scrub_history_while_quiet().await?;
                    history_checked = Instant::now();
                }
                continue;
            }
            let started = Instant::now();
            let count = fresh.len();
            let mut positions = NextOffsets::default();
            for record in &fresh {
                positions.set(&record.topic, record.partition, record.offset + 1);
            }
            // A fenced writer's late records are skipped (their offsets are still accounted for).
            let (stale, fresh): (Vec<Record>, Vec<Record>) = fresh.into_iter().partition(|r| epochs.is_stale(r));
            if !stale.is_empty() {
                warn!(stage = self.name, records = stale.len(), "skipped records a fenced writer appended late");
                metrics::counter!("orca_fenced_records_skipped_total", "stage" => self.name)
                    .increment(stale.len() as u64);
            }
            let mut batch = self.process(fresh).await?;
            batch.state.extend(
                epochs.take_changed().into_iter().map(|(key, epoch)| {
                    StateChange::put(&self.epochs_namespace(), key, epoch.to_string().into_bytes())
                }),
            );
            let dead = batch.dead_letters.len();
            let produced = batch.outputs.len();
            let mut outgoing = batch.outputs;
            outgoing.extend(batch.dead_letters.into_iter().map(|d| self.dead_letter(d)));
            let epoch = writer_epoch(self.name, self.lease.epoch);
            for record in &mut outgoing {
                record.headers.push((WRITER_EPOCH.to_owned(), epoch.clone()));
            }
            self.append_with_retry(outgoing, &shutdown).await?;

            let offsets: Vec<OffsetRecord> = positions
                .iter()
                .map(|(topic, partition, next_offset)| OffsetRecord { topic: topic.to_owned(), partition, next_offset })
                .collect();
            let mut tx = self.store.begin().await?;
            // First, so a writer that lost the lease learns it before writing anything.
            self.lease.renew_in(tx.as_mut()).await?;
            tx.apply_state(&batch.state).await?;
            for package in &batch.packages {
                tx.put_package(package).await?;
            }
            if let Some(history) = self.stage.as_ref().and_then(|stage| stage.package_history()) {
                crate::history::scrub(tx.as_mut(), history, &batch.packages).await?;
                history_checked = Instant::now();
            }
            tx.save_offsets(self.name, &offsets).await?;
            tx.commit().await?;
            if let Some(stage) = self.stage.as_mut() {
                stage.committed();
            }
            for (topic, partition, offset) in positions.iter() {
                next.set(topic, partition, offset);
            }

            let committed: Vec<Position> =
                offsets.iter().map(|o| Position::new(o.topic.clone(), o.partition, o.next_offset)).collect();
            if let Err(error) = consumer.commit(&committed).await {
                // The database holds the authoritative offsets; the group's copy is for lag metrics.
                warn!(stage = self.name, %error, "failed to commit consumer-group offsets");
            }
            let elapsed = started.elapsed();
            metrics::counter!("orca_records_in_total", "stage" => self.name).increment(count as u64);
            metrics::counter!("orca_records_out_total", "stage" => self.name).increment(produced as u64);
            metrics::counter!("orca_records_rejected_total", "stage" => self.name).increment(dead as u64);
            metrics::histogram!("orca_batch_seconds", "stage" => self.name).record(elapsed.as_secs_f64());
            debug!(stage = self.name, records = count, produced, dead, ?elapsed, "batch committed");
        }
        info!(stage = self.name, "stage stopped");
        Ok(())
    }

    /// Where the highest writer epoch read per input topic is kept, with the offsets.
    fn epochs_namespace(&self) -> String {
        format!("epochs.{}", self.name)
    }

    async fn stored_epochs(&self) -> Result<WriterEpochs, RunnerError> {
        let stored = self.store.load_state(&self.epochs_namespace()).await?;
        let parsed = stored.into_iter().filter_map(|record| {
            let epoch = std::str::from_utf8(&record.value).ok()?.parse().ok()?;
            Some((record.key, epoch))
        });
        Ok(WriterEpochs::from_stored(parsed))
    }

    /// Runs the stage's pure logic on a blocking thread, off the async runtime.
    async fn process(&mut self, records: Vec<Record>) -> Result<Batch, RunnerError> {
        let mut stage = self.stage.take().ok_or(RunnerError::Panicked(self.name))?;
        let (stage, batch) = tokio::task::spawn_blocking(move || {
            let batch = stage.process(&records);
            (stage, batch)
        })
        .await
        .map_err(|_| RunnerError::Panicked(self.name))?;
        self.stage = Some(stage);
        Ok(batch)
    }

    fn dead_letter(&self, dead: DeadLetter) -> OutRecord {
        warn!(stage = self.name, topic = %dead.record.topic, partition = dead.record.partition,
              offset = dead.record.offset, error = %dead.error, "record sent to the dead-letter topic");
        let record = dead.record;
        let mut out = OutRecord::new(&self.config.dead_letter_topic, record.key, record.value)
            .with_header(headers::ERROR, dead.error)
            .with_header(headers::STAGE, self.name)
            .with_header(headers::SOURCE_TOPIC, record.topic)
            .with_header(headers::SOURCE_PARTITION, record.partition.to_string())
            .with_header(headers::SOURCE_OFFSET, record.offset.to_string());
        out.headers.extend(record.headers);
        out
    }

    /// Appends, backing off and retrying while the log reports retryable errors.
    async fn append_with_retry(
        &self,
        records: Vec<OutRecord>,
        shutdown: &CancellationToken,
    ) -> Result<(), RunnerError> {
        if records.is_empty() {
            return Ok(());
        }
        let mut backoff = Duration::from_millis(100);
        loop {
            match self.log.append(records.clone()).await {
                Ok(_) => return Ok(()),
                Err(error) if error.is_retryable() && !shutdown.is_cancelled() => {
                    warn!(stage = self.name, %error, ?backoff, "append failed; retrying");
                    tokio::select! {
                        () = shutdown.cancelled() => {}
                        () = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(self.config.max_backoff);
                }
                Err(error) => return Err(error.into()),
            }
        }
    }
}

/// The next offset to read per topic and partition. Looked up once per record read, so a lookup
/// allocates nothing; a topic's name is copied only the first time it is seen.
#[derive(Default)]
struct NextOffsets(HashMap<String, HashMap<u32, u64>>);

impl NextOffsets {
    fn get(&self, topic: &str, partition: u32) -> u64 {
        self.0.get(topic).and_then(|partitions| partitions.get(&partition)).copied().unwrap_or(0)
    }

    fn set(&mut self, topic: &str, partition: u32, next: u64) {
        match self.0.get_mut(topic) {
            Some(partitions) => {
                partitions.insert(partition, next);
            }
            None => {
                self.0.insert(topic.to_owned(), HashMap::from([(partition, next)]));
            }
        }
    }

    fn iter(&self) -> impl Iterator<Item = (&str, u32, u64)> + '_ {
        self.0.iter().flat_map(|(topic, partitions)| partitions.iter().map(|(&p, &n)| (topic.as_str(), p, n)))
    }
}
