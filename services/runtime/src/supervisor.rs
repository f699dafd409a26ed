//! Keeps a stage running: restore it from the store, run it, and on failure restore and run again
//! (its memory may be ahead of the database after a failed batch), backing off between attempts.
//! A restore that cannot succeed by trying again (state in another format, state that does not
//! decode) stops the stage and reports the process as failed, with the reason, instead of
//! restarting for ever.

use orca_stage::{RunnerConfig, Stage, StageRunner};
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tracing::{error, info};

use crate::backends::Backends;

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

/// Runs until `shutdown`; `restore` builds the stage from the store each time it (re)starts.
pub async fn supervise<S, F, Fut>(
    name: &'static str,
    backends: Backends,
    runner: RunnerConfig,
    ready: Arc<AtomicBool>,
    shutdown: CancellationToken,
    fatal: Fatal,
    restore: F,
) where
    S: Stage,
    F: Fn(Backends) -> Fut + Send,
    Fut: Future<Output = Result<S, RestoreFailure>> + Send,
{
    let mut backoff = Duration::from_millis(200);
    while !shutdown.is_cancelled() {
        let outcome = match restore(backends.clone()).await {
            Ok(stage) => {
                ready.store(true, Ordering::Release);
                StageRunner::new(stage, backends.log.clone(), backends.store.clone(), runner.clone())
                    .run(shutdown.clone())
                    .await
                    .map_err(anyhow::Error::from)
            }
            Err(RestoreFailure { error, retryable: false }) => {
                ready.store(false, Ordering::Release);
                let reason = format!("the {name} stage cannot start: {error:#}");
                error!(stage = name, "{reason}; stopping (restarting would not help)");
                metrics::counter!("orca_stage_stopped_total", "stage" => name).increment(1);
                fatal.set(reason);
                break;
            }
            Err(RestoreFailure { error, retryable: true }) => Err(error),
        };
        match outcome {
            Ok(()) => break,
            Err(error) => {
                ready.store(false, Ordering::Release);
                error!(stage = name, error = format!("{error:#}"), ?backoff, "stage failed; restoring and restarting");
                metrics::counter!("orca_stage_restarts_total", "stage" => name).increment(1);
                tokio::select! {
                    () = shutdown.cancelled() => {}
                    () = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(10));
            }
        }
    }
    info!(stage = name, "stage supervisor stopped");
}
