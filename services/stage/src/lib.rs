//! The loop every streaming stage (resolver, linker, intel) runs, in either mode:
//!
//! 1. poll a batch from the stage's input topics (a consumer group named after the stage and its
//!    lease epoch, `resolver.epoch-3`, so each writer has a group of its own);
//! 2. skip records before the offsets stored in the database (already accounted for);
//! 3. hand the batch to the stage's pure logic on a blocking thread ([`Stage::process`]);
//! 4. append its output records and dead letters to the log and wait until they are durable;
//! 5. write its state changes, package rows and the next offsets in ONE database transaction,
//!    which also renews the stage's lease, checking it still holds it (see [`lease`]);
//! 6. commit the offsets to the consumer group (informational: the database copy wins).
//!
//! Records a stage appends carry its lease epoch (`orca_eventlog::fencing`); records from a fenced
//! writer that land after its successor's are skipped in step 2, and the highest epoch read per
//! topic is written with the offsets.
//!
//! A crash anywhere loses nothing: before step 5 commits, the batch is processed again from the
//! stored offsets against the stored state, and because stages are deterministic the outputs
//! re-appended are the same records, which downstream stages apply idempotently by natural key.
//! If processing or the database fails, [`StageRunner::run`] returns the error and the caller
//! rebuilds the stage from the store before running it again (its memory may be ahead of the
//! database).
//!
//! - [`Stage`], [`Batch`], [`DeadLetter`]: what a stage implements and returns.
//! - [`StageRunner`]: the loop, with retries, metrics and shutdown.
//! - [`history`]: disposed reports and erased persons taken out of earlier package versions.
//! - [`lag`]: how far a stage is behind its inputs, for readiness and for "has the pipeline settled".
//! - [`lease`]: one writer per stage; other processes running the stage stand by.
//! - [`state_format`]: the format version of a stage's stored state, checked before restoring.
//! - [`views`]: the namespaces of the analyst views the linker writes and intel reads.

pub mod history;
mod lag;
pub mod lease;
mod runner;
pub mod state_format;
#[cfg(test)]
mod tests;
pub mod views;

pub use lag::{lag, progress, stage_lag};
pub use lease::Lease;
pub use runner::{RunnerConfig, RunnerError, StageRunner};

pub use orca_eventlog::{OutRecord, Record};
pub use orca_model::StateChange;
use orca_store::{PackageRecord, PackageToScrub, ScrubbedPackage};

/// Header names on dead letters.
pub mod dead_letter_headers {
    pub const ERROR: &str = "orca-error";
    pub const STAGE: &str = "orca-stage";
    pub const SOURCE_TOPIC: &str = "orca-source-topic";
    pub const SOURCE_PARTITION: &str = "orca-source-partition";
    pub const SOURCE_OFFSET: &str = "orca-source-offset";
}

/// A record the stage could not process (undecodable, or failing a check): it goes to the
/// dead-letter topic unchanged, with the error in headers, and processing moves on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    pub record: Record,
    pub error: String,
}

/// What a stage made of one batch.
#[derive(Debug, Default)]
pub struct Batch {
    /// Records for downstream topics.
    pub outputs: Vec<OutRecord>,
    pub dead_letters: Vec<DeadLetter>,
    /// The stage's state changes, written with the offsets.
    pub state: Vec<StateChange>,
    /// Package versions to index for the intelligence surface, written with the offsets.
    pub packages: Vec<PackageRecord>,
}

/// A stage's pure logic plus its identity. `process` must be deterministic for its state and input.
pub trait Stage: Send + 'static {
    /// Offset owner and lease name, e.g. `resolver` (its consumer groups are `resolver.epoch-N`).
    fn name(&self) -> &'static str;
    fn input_topics(&self) -> Vec<String>;
    fn process(&mut self, records: &[Record]) -> Batch;
    /// Called after the batch `process` returned is durable (its transaction committed), for
    /// stages that tell readers in the same process (the intel stage wakes package streams).
    fn committed(&mut self) {}
    /// For a stage that indexes packages: how to read and rewrite their stored versions, so the
    /// runner can take disposed reports and erased persons out of earlier versions in the batch's
    /// transaction (see [`history`]).
    fn package_history(&self) -> Option<&dyn PackageHistory> {
        None
    }
}

/// Reads and rewrites stored package versions (their encoding is the stage's, not the store's).
pub trait PackageHistory: Send + Sync {
    /// The reports a stored version cites (incident ids).
    fn citations(&self, body: &[u8]) -> Result<Vec<String>, String>;
    /// The version without what `package` says was disposed of or erased; `None` when nothing in
    /// it changes.
    fn scrub(&self, package: &PackageToScrub) -> Result<Option<ScrubbedPackage>, String>;
}
