//! Keeps a stage running: take its lease (standing by while another process holds it), restore it
//! from the store, run it, and on failure restore and run again (its memory may be ahead of the
//! database after a failed batch), backing off between attempts. A stage that lost its lease stops
//! writing and stands by.
//! A restore that cannot succeed by trying again (state in another format, state that does not
//! decode) stops the stage and reports the process as failed, with the reason, instead of
//! restarting for ever.

use orca_stage::{RunnerConfig, RunnerError, Stage, StageRunner, lease};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

use crate::backends::Backends;
use crate::status::{Phase, StageStatus};

/// Why a stage could not be restored, and whether trying again may help.
#[derive(Debug)]
pub struct RestoreFailure {
    pub error: anyhow::Error,
    pub retryable: bool,
}

impl RestoreFailure {
    pub fn new(retryable: bool, error: impl Into<anyhow::Error>) -> Self {
        Self { error: error.into(), retryable }
    }
}

/// Set when a stage stops for good: the process should stop and say why.
#[derive(Clone, Default)]
pub struct Fatal {
    token: CancellationToken,
    reason: Arc<Mutex<Option<String>>>,
}

impl Fatal {
    fn set(&self, reason: String) {
        self.reason.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get_or_insert(reason);
        self.token.cancel();
    }

    /// Resolves once a stage has stopped for good.
    pub async fn happened(&self) {
        self.token.cancelled().await;
    }

    /// Why, if a stage has stopped for good.
    pub fn reason(&self) -> Option<String> {
        self.reason.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }
}

/// How a supervised stage takes part in the one-writer rule (see `orca_stage::lease`).
#[derive(Clone, Debug)]
pub struct LeaseSettings {
    /// This process's name in the lease table.
    pub holder: String,
    pub ttl: Duration,
}

/// One stage's supervision: its name, the backends, how its runner and lease are set, where it
/// reports what it is doing, and the tokens for shutdown and for stopping the process for good.
pub struct Supervision {
    pub name: &'static str,
    pub backends: Backends,
    pub runner: RunnerConfig,
    pub lease: LeaseSettings,
    pub status: StageStatus,
    pub shutdown: CancellationToken,
    pub fatal: Fatal,
}

/// Runs until `shutdown`: takes the stage's lease (standing by while another process holds it),
/// restores the stage from the store and runs it while the lease is held. Losing the lease stops
/// the stage and goes back to standing by; a failure restores and runs again (backing off), and a
/// restore that cannot succeed stops the process. `restore` builds the stage on every (re)start.
pub async fn supervise<S, F, Fut>(supervision: Supervision, restore: F)
where
    S: Stage,
    F: Fn(Backends) -> Fut + Send,
    Fut: Future<Output = Result<S, RestoreFailure>> + Send,
{
    let Supervision { name, backends, runner, lease, status, shutdown, fatal } = supervision;
    let store = backends.store.clone();
    let mut backoff = Duration::from_millis(200);
    while !shutdown.is_cancelled() {
        let standby = || status.set(Phase::Standby);
        let Some(held) = lease::acquire(store.as_ref(), name, &lease.holder, lease.ttl, &shutdown, standby).await
        else {
            break;
        };
        status.set(Phase::Starting);
        // Cancelled on shutdown, or when the heartbeat finds the lease lost.
        let stop = shutdown.child_token();
        let heartbeat = {
            let (store, held, stop) = (store.clone(), held.clone(), stop.clone());
            tokio::spawn(async move {
                let lost = lease::keep(store.as_ref(), &held, &stop).await;
                stop.cancel();
                lost
            })
        };
        let outcome = tokio::select! {
            restored = restore(backends.clone()) => match restored {
                Ok(stage) => {
                    status.set(Phase::Active);
                    StageRunner::new(stage, backends.log.clone(), store.clone(), runner.clone(), held.clone())
                        .run(stop.clone())
                        .await
                        .map_err(Outcome::from)
                }
                Err(RestoreFailure { error, retryable: false }) => Err(Outcome::Fatal(error)),
                Err(RestoreFailure { error, retryable: true }) => Err(Outcome::Failed(error)),
            },
            () = stop.cancelled() => Ok(()),
        };
        stop.cancel();
        let lost = heartbeat.await.ok().flatten();
        match outcome {
            Ok(()) if shutdown.is_cancelled() => {
                lease::release(store.as_ref(), &held).await;
                break;
            }
            Ok(()) | Err(Outcome::LeaseLost(_)) => {
                let why = match (lost, outcome) {
                    (Some(error), _) => error.to_string(),
                    (None, Err(Outcome::LeaseLost(error))) => error.to_string(),
                    (None, _) => "the lease was taken".to_owned(),
                };
                warn!(stage = name, %why, "lost the stage's lease: stopped writing; standing by");
                metrics::counter!("orca_stage_lease_lost_total", "stage" => name).increment(1);
                status.set(Phase::Standby);
            }
            Err(Outcome::Fatal(error)) => {
                status.set(Phase::Failed);
                let reason = format!("the {name} stage cannot start: {error:#}");
                error!(stage = name, "{reason}; stopping (restarting would not help)");
                metrics::counter!("orca_stage_stopped_total", "stage" => name).increment(1);
                lease::release(store.as_ref(), &held).await;
                fatal.set(reason);
                break;
            }
            Err(Outcome::Failed(error)) => {
                status.set(Phase::Failed);
                error!(stage = name, error = format!("{error:#}"), ?backoff, "stage failed; restoring and restarting");
                metrics::counter!("orca_stage_restarts_total", "stage" => name).increment(1);
                tokio::select! {
                    () = shutdown.cancelled() => lease::release(store.as_ref(), &held).await,
                    () = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(10));
            }
        }
    }
    info!(stage = name, "stage supervisor stopped");
}

/// How one spell of holding the lease ended, when not with an orderly stop.
enum Outcome {
    LeaseLost(RunnerError),
    Failed(anyhow::Error),
    Fatal(anyhow::Error),
}

impl From<RunnerError> for Outcome {
    fn from(error: RunnerError) -> Self {
        if error.is_lease_lost() { Outcome::LeaseLost(error) } else { Outcome::Failed(error.into()) }
    }
}
