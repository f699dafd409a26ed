//! Keeps a stage running: restore it from the store, run it, and on failure restore and run again
//! (its memory may be ahead of the database after a failed batch), backing off between attempts.

use orca_stage::{RunnerConfig, Stage, StageRunner};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tracing::{error, info};

use crate::backends::Backends;

/// Runs until `shutdown`; `restore` builds the stage from the store each time it (re)starts.
pub async fn supervise<S, F, Fut>(
    name: &'static str,
    backends: Backends,
    runner: RunnerConfig,
    ready: Arc<AtomicBool>,
    shutdown: CancellationToken,
    restore: F,
) where
    S: Stage,
    F: Fn(Backends) -> Fut + Send,
    Fut: Future<Output = anyhow::Result<S>> + Send,
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
            Err(error) => Err(error),
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
